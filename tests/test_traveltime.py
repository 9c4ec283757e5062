"""Travel-time models: hand-worked times, the calibrated estimate's documented behaviour and its
cross-validated error on the routed Helsinki Region Travel Time Matrix 2015."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, TravelTimeMatrix, error_p90_min, estimate_model
from planner.traveltime.calibration import calibrate, load_calibration, markdown_table
from planner.traveltime.estimate import ESTIMATE_MODES, canonical_mode, load_params

README = Path(__file__).resolve().parent.parent / "README.md"
ORIGIN = np.zeros((1, 2))


def along_x(*metres: float) -> np.ndarray:
    return np.array([[m, 0.0] for m in metres])


def test_hand_worked_times():
    m = StraightLineModel("drive", ModeParams(60.0, 1.5, 5.0, "test"))  # 1000 m/min
    t = m.times(np.array([[0.0, 0.0], [3000.0, 4000.0]]), np.array([[0.0, 0.0], [6000.0, 8000.0]]))
    # 5 km straight line x 1.5 = 7.5 km at 1 km/min + 5 min
    assert t[1, 0] == pytest.approx(12.5)
    assert t[0, 0] == pytest.approx(5.0)
    assert t[0, 1] == pytest.approx(10 * 1.5 + 5)
    assert np.isnan(m.error_p90_min(ORIGIN, ORIGIN)).all()  # a hand-set line has no known error


@pytest.mark.parametrize("mode", ESTIMATE_MODES)
def test_same_place_is_zero_minutes_and_no_21_min_floor(mode):
    m = estimate_model(mode)
    t = m.times(ORIGIN, along_x(0.0, 100.0, 250.0))[0]
    assert t[0] == 0.0
    # below the first knot (250 m) time is proportional to distance: 100 m = 0.4 x the 250 m time
    assert t[1] == pytest.approx(0.4 * t[2])
    assert t[2] < 10.0  # a 250 m trip is minutes, not the old 21-minute car floor


@pytest.mark.parametrize("mode", ESTIMATE_MODES)
def test_time_never_falls_with_distance(mode):
    d = np.linspace(0.0, 120_000.0, 2401)
    t = estimate_model(mode).times(ORIGIN, along_x(*d))[0]
    assert (np.diff(t) >= -1e-9).all()
    assert np.isfinite(t).all() and t[-1] > t[len(t) // 4]


def test_one_km_walk_is_circuity_over_70_m_per_min():
    """The matrix walks at 70 m/min: 1 km straight line ~ 1 km x circuity / 70, circuity being the
    median network/straight ratio of the calibration trips near 1 km."""
    df = load_calibration()
    near = df[(df["distance_m"] >= 750) & (df["distance_m"] <= 1500) & (df["walk_t"] > 0)]
    import geopandas as gpd

    from planner.traveltime.calibration import calibration_path

    walk_d = gpd.read_file(calibration_path(), layer="travel_times").set_index(["from_id", "to_id"])["walk_d"]
    routed = walk_d.loc[list(zip(near["from_id"], near["to_id"], strict=True))].to_numpy()
    circuity = float(np.median(routed / near["distance_m"].to_numpy()))
    assert 1.1 < circuity < 1.6
    t = estimate_model("walk").times(ORIGIN, along_x(1000.0))[0, 0]
    assert t == pytest.approx(1000.0 * circuity / 70.0, rel=0.15)


def test_modes_and_aliases():
    assert canonical_mode("car") == "drive" and estimate_model("car").mode == "drive"
    with pytest.raises(ValueError, match="pt_rush"):
        canonical_mode("bike")
    rush, midday = estimate_model("drive_rush"), estimate_model("drive")
    assert rush.times(ORIGIN, along_x(10_000.0))[0, 0] > midday.times(ORIGIN, along_x(10_000.0))[0, 0]
    assert "coarsest" in estimate_model("pt").provenance()["model_parameters"]


def test_error_is_the_cv_p90_of_the_trip_band():
    p = load_params("drive")
    m = estimate_model("drive")
    e = m.error_p90_min(ORIGIN, along_x(0.0, 1999.0, 2000.0, 7000.0, 15_000.0, 35_000.0, 35_001.0,
                                        90_000.0))[0]
    bands = p.error_p90_min
    # issue 24: beyond the longest calibration trip (35 km) the error is not measured: NaN
    assert e.tolist()[:6] == [bands[0], bands[0], bands[1], bands[2], bands[3], bands[4]]
    assert np.isnan(e[6]) and np.isnan(e[7])
    # unlocated origin: NaN; model without an error: NaN
    out = error_p90_min(m, np.array([[np.nan, np.nan], [0.0, 0.0]]), along_x(1000.0))
    assert np.isnan(out[0, 0]) and out[1, 0] == bands[0]
    assert np.isnan(error_p90_min(None, ORIGIN, ORIGIN)).all()
    prov = m.provenance()
    assert prov["model"] == "straight-line estimate" and "±" in prov["time_error_p90_min"]


def test_refuses_degrees():
    import geopandas as gpd
    from shapely.geometry import Point

    from planner.traveltime import xy

    with pytest.raises(ValueError, match="geographic"):
        xy(gpd.GeoSeries([Point(24.9, 60.1)], crs=4326))


def test_matrix_shape_checked_and_new_columns():
    ttm = TravelTimeMatrix(np.array(["a"]), np.array(["p"]), np.array([[1.0]]))
    ttm2 = ttm.with_points(["q"], np.array([[2.0]]))
    assert ttm2.columns(["q", "p"]).tolist() == [[2.0, 1.0]]
    with pytest.raises(ValueError, match="does not match"):
        TravelTimeMatrix(np.array(["a"]), np.array(["p", "q"]), np.array([[1.0]]))
    assert ttm2.to_long()["to_id"].tolist() == ["p", "q"]


def readme_table() -> dict[tuple[str, str], list[float]]:
    """The README's cross-validated error table: (mode, band) -> [median min, p90 min, median %, p90 %]."""
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (walk|drive|drive_rush|pt|pt_rush) \| (all|\d+-\d+ km) \| \d+ \| "
                      r"([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", text, flags=re.M)
    return {(r[0], r[1]): [float(v) for v in r[2:]] for r in rows}


@pytest.fixture(scope="module")
def cv_table():
    table, _ = calibrate()
    return table


def test_cv_error_table_does_not_grow(cv_table):
    """Recompute the leave-one-destination-out table; no figure may exceed the README's."""
    documented = readme_table()
    assert len(documented) == 5 * 6  # 5 modes x (all + 5 bands)
    for r in cv_table.itertuples(index=False):
        now = [r.median_abs_min, r.p90_abs_min, r.median_abs_pct, r.p90_abs_pct]
        for got, doc in zip(now, documented[(r.mode, r.band)], strict=True):
            assert got <= doc + 0.06, (r.mode, r.band, now, documented[(r.mode, r.band)])


def test_cv_targets_of_issue_10(cv_table):
    """Overall targets: car <= 10 %, walk <= 4 %, public transport <= 18 % (population-weighted
    median absolute error). The 0-2 km bands miss their 12 % / 5 % targets: see the README."""
    t = cv_table.set_index(["mode", "band"])["median_abs_pct"]
    assert t[("drive", "all")] <= 10 and t[("drive_rush", "all")] <= 10
    assert t[("walk", "all")] <= 4
    assert t[("pt", "all")] <= 18 and t[("pt_rush", "all")] <= 18
    for band in ("2-5 km", "5-10 km"):
        assert t[("drive", band)] <= 12 and t[("walk", band)] <= 5


def test_shipped_parameters_match_a_refit(cv_table):
    """geodata/travel_time_estimate.json is what `planner calibrate --write` produces now."""
    from planner.traveltime.calibration import params_document

    doc = params_document(load_calibration(), cv_table)
    for mode in ESTIMATE_MODES:
        p = load_params(mode)
        assert np.allclose(p.minutes, doc["modes"][mode]["minutes"], rtol=1e-3)
        assert np.allclose(p.error_p90_min, doc["modes"][mode]["error_p90_min"], atol=0.011)


def test_the_cross_validated_error_table_per_mode_and_band_as_the_readme_shows_it(cv_table, file_regression):
    """The whole leave-one-destination-out table (pairs, median and p90 error in minutes and %,
    population-weighted), rounded as shown, compared in full with the reviewed table: a change
    of the fit, the weighting, the bands or a column's format shows here row by row."""
    file_regression.check(markdown_table(cv_table) + "\n", extension=".md")
