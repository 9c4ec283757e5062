"""Imported travel-time matrices (issue 10, item 3): the model returns what the file says.

Real routed data: the Helsinki Region Travel Time Matrix 2015 to five destination cells,
bundled in geodata/helsinki_region/travel_times_2015_calibration.gpkg, written out here in
the two layouts users bring (a TravelTimes_to_<YKR_ID>.txt folder and an r5py-style long
table) and read back through the model.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyogrio
import pytest

from planner.errors import DataError
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime import TravelTimeModel
from planner.traveltime.imported import ImportedMatrixModel, ykr_cells

GPKG = DEFAULT_SETTINGS.geodata_dir / "helsinki_region" / "travel_times_2015_calibration.gpkg"


@pytest.fixture(scope="module")
def calib():
    table = pyogrio.read_dataframe(GPKG, layer="travel_times")
    dests = pyogrio.read_dataframe(GPKG, layer="destinations").to_crs(DEFAULT_SETTINGS.crs)
    cells = ykr_cells()
    return table, dests, cells


@pytest.fixture(scope="module")
def ttm_folder(calib, tmp_path_factory):
    table, _, _ = calib
    root = tmp_path_factory.mktemp("ttm")
    for to_id, part in table.groupby("to_id"):
        sub = root / f"{str(to_id)[:4]}xxx"  # the newer per-folder layout
        sub.mkdir(exist_ok=True)
        part.to_csv(sub / f"TravelTimes_to_{to_id}.txt", sep=";", index=False)
    return root


def _origins(cells, ids):
    c = cells.set_index("cell_id").loc[ids].geometry.representative_point()
    return np.column_stack([c.x, c.y])


@pytest.mark.parametrize("layout", ["folder", "csv", "parquet"])
def test_times_equal_the_file(calib, ttm_folder, tmp_path, layout):
    table, dests, cells = calib
    if layout == "folder":
        path, column = ttm_folder, "pt_r_t"
    else:
        long = table[["from_id", "to_id", "pt_r_t"]].rename(columns={"pt_r_t": "travel_time"})
        path = tmp_path / f"r5py.{layout}"
        (long.to_csv(path, index=False) if layout == "csv" else long.to_parquet(path))
        column = "travel_time"
    model = ImportedMatrixModel(path, column=column, cells=cells)
    assert isinstance(model, TravelTimeModel)
    ids = [5785640, 5785641, 5878070, 5944003]  # includes a destination cell itself
    got = model.times(_origins(cells, ids), np.column_stack([dests.geometry.x, dests.geometry.y]))
    want = table.pivot(index="from_id", columns="to_id", values="pt_r_t").loc[ids, dests["to_id"]]
    want = want.to_numpy(dtype=float).copy()
    want[want < 0] = np.inf  # -1 = no route
    assert np.array_equal(got, want)
    assert model.provenance()["model"] == "imported travel-time matrix"


def test_a_point_without_a_column_is_reported_not_dropped(calib, ttm_folder):
    _, dests, cells = calib
    model = ImportedMatrixModel(ttm_folder, column="walk_t", cells=cells)
    elsewhere = np.array([[385875.0, 6672125.0]])  # Helsinki station: a cell with no file here
    pts = np.vstack([np.column_stack([dests.geometry.x, dests.geometry.y]), elsewhere])
    with pytest.raises(DataError, match="1 service point") as err:
        model.times(_origins(cells, [5785640]), pts)
    assert "destination 5" in str(err.value)


def test_origins_outside_the_grid_are_inf_and_listed(calib, ttm_folder):
    _, dests, cells = calib
    model = ImportedMatrixModel(ttm_folder, column="car_m_t", cells=cells)
    far = np.array([[500000.0, 6700000.0]])  # Kotka, far outside the capital-region grid
    orig = np.vstack([_origins(cells, [5785640]), far])
    t = model.times(orig, np.column_stack([dests.geometry.x, dests.geometry.y]))
    assert np.isfinite(t[0]).all() and np.isinf(t[1]).all()
    assert model.unmatched(orig)["origin"].tolist() == [1]


def test_missing_column_is_a_located_error(tmp_path, calib):
    _, dests, cells = calib
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"from_id": [1], "to_id": [2], "minutes": [3]}).to_csv(bad, index=False)
    with pytest.raises(DataError, match="travel_time") as err:
        ImportedMatrixModel(bad, cells=cells).times(np.zeros((0, 2)), np.column_stack(
            [dests.geometry.x, dests.geometry.y])[:1])
    assert err.value.file == str(bad)


def _kela_at_destinations(dests, tmp_path):
    munis = {"Jumbo": "092", "Dixi": "092", "Myyrmanni": "092", "Itis": "091", "Iso-omena": "049"}
    pts = tmp_path / "points.csv"
    pd.DataFrame({"id": [f"k{i}" for i in range(5)], "name": dests["name"], "category": "kela",
                  "municipality_code": dests["name"].map(munis),
                  "x": dests.geometry.x, "y": dests.geometry.y}).to_csv(pts, index=False)
    return pts


def _report(tmp_path, name, *args):
    from typer.testing import CliRunner

    from planner.cli.main import app

    out = tmp_path / name
    res = CliRunner().invoke(app, ["report", "--out", str(out), "--demand", "grid", "--need", "kela", *args])
    assert res.exit_code == 0, res.output
    assert "imported matrix: 5 of 5 service points" in res.output  # said on the terminal too
    acc = pd.read_csv(out / "access_units.csv", low_memory=False)
    return acc[(acc["need"] == "kela") & (acc["group"] == "fi") & acc["located"]].set_index("unit_id")


def test_cli_report_with_an_imported_matrix(calib, ttm_folder, tmp_path):
    """`planner report --matrix FOLDER --matrix-column pt_r_t`: Kela offices in the five
    destination cells, the HSY grid as demand; every time is one of the file's minutes, and
    the few grid cells outside the matrix's grid take the estimate (or stay inf without it)."""
    _, dests, _ = calib
    pts = _kela_at_destinations(dests, tmp_path)
    matrix = ["--points", str(pts), "--matrix", str(ttm_folder), "--matrix-column", "pt_r_t"]
    strict = _report(tmp_path, "strict", *matrix, "--no-matrix-fallback")
    assert (strict["model"] == "imported travel-time matrix").all()
    finite = strict["time_min"][np.isfinite(strict["time_min"])]
    assert len(finite) > 0.95 * len(strict)  # the HSY grid lies inside the matrix's YKR grid
    # the matrix's whole minutes, not an estimate; only a grid cell holding an office averages
    # the matrix's minutes over the cell (its residents' intrazonal trips, planner.traveltime.intrazonal)
    assert 0 < (finite == finite.round()).sum() and (finite != finite.round()).sum() <= 5
    assert strict["time_error_p90_min"].isna().all()  # a routed time's error is not measured here

    mixed = _report(tmp_path, "mixed", *matrix)  # the default: the estimate where the matrix is silent
    assert mixed.index.equals(strict.index)
    routed = np.isfinite(strict["time_min"])
    assert mixed.loc[routed, "time_min"].equals(strict.loc[routed, "time_min"])  # untouched
    assert mixed.loc[routed, "time_error_p90_min"].isna().all()
    outside = mixed.loc[~routed]
    estimated = outside["time_error_p90_min"].notna()  # the estimate's error comes with its minutes
    assert np.isfinite(outside.loc[estimated, "time_min"]).all()
    assert np.isinf(outside.loc[~estimated, "time_min"]).all()  # the file's -1 (no route) stays
    assert mixed["mode"].eq("pt_rush").all()  # the column's mode, not --mode
    cov = mixed["matrix_coverage"].iloc[0]
    assert "straight-line estimate (pt_rush)" in cov
    got = re.match(r"5 of 5 service points and (\d+) of (\d+) origins", cov)
    assert got and int(got[2]) == len(mixed)
    assert estimated.sum() == int(got[2]) - int(got[1]) > 0  # exactly the origins without a row
    assert f"Imported matrix: {cov}" in (tmp_path / "mixed" / "map.html").read_text(encoding="utf-8")


def test_a_point_without_a_column_takes_the_fallback_and_its_error(calib, ttm_folder):
    """With the estimate as fallback the station (no file for its cell) gets the estimate's
    minutes and error; the five destination columns stay the file's, with no stated error."""
    from planner.traveltime.estimate import estimate_model

    table, dests, cells = calib
    walk = estimate_model("walk")
    model = ImportedMatrixModel(ttm_folder, column="walk_t", cells=cells, fallback=walk)
    station = np.array([[385875.0, 6672125.0]])
    pts = np.vstack([np.column_stack([dests.geometry.x, dests.geometry.y]), station])
    ids = [5785640, 5878070]
    orig = _origins(cells, ids)
    got = model.times(orig, pts)
    want = table[table["from_id"].isin(ids)].pivot(index="from_id", columns="to_id", values="walk_t")
    assert np.array_equal(got[:, :5], want.loc[ids, dests["to_id"]].to_numpy(dtype=float))
    assert np.array_equal(got[:, 5], walk.times(orig, station)[:, 0])
    err = model.error_p90_min(orig, pts)
    assert np.isnan(err[:, :5]).all() and np.array_equal(err[:, 5], walk.error_p90_min(orig, station)[:, 0])
    cov = model.coverage(orig, pts)
    assert cov.points_without_column.tolist() == [5] and cov.origins_without_row.tolist() == []
    assert cov.pairs_from_matrix == 10 / 12  # 2 origins x 5 of 6 points
    assert cov.note("straight-line estimate (walk)").startswith("5 of 6 service points and 2 of 2 origins")


def test_a_table_keyed_by_postal_codes_and_point_ids(tmp_path):
    """`keys='ids'`: from_id are postal codes (text: 00100 keeps its zeros), to_id point ids.
    Hand-made: Kamppi is 7 min from every Helsinki postal area (00xxx), except 00120 where the
    engine found no route (-1). Every other pair (other points, origins outside Helsinki, a
    point opened in a scenario) takes the default estimate, exactly."""
    from planner.analysis.scenario import evaluate
    from planner.analysis.study import load_study
    from planner.app.state import scenario_from_text
    from planner.traveltime.estimate import estimate_model

    base = load_study()
    codes = [c for c in base.units["unit_id"] if c.startswith("00")]
    path = tmp_path / "r5py_postal.csv"
    table = pd.DataFrame({"from_id": codes + ["99999"], "to_id": "kela_helsinki_kamppi",
                          "travel_time": [(-1 if c == "00120" else 7) for c in codes] + [1]})
    table.to_csv(path, index=False)
    unbound = ImportedMatrixModel(path, keys="ids", fallback=estimate_model("drive"))
    with pytest.raises(ValueError, match="bound"):
        unbound.times(np.zeros((1, 2)), np.zeros((1, 2)))
    st = load_study(model=unbound)
    got = pd.DataFrame(st.ttm.time_min, index=st.ttm.origin_ids, columns=st.ttm.point_ids)
    want = pd.DataFrame(base.ttm.time_min, index=base.ttm.origin_ids, columns=base.ttm.point_ids)
    kamppi = got["kela_helsinki_kamppi"]
    # 00100 holds Kamppi itself: its intrazonal mean over the area is still the file's 7
    assert kamppi["00100"] == 7 and np.isinf(kamppi["00120"])
    assert (kamppi[codes].drop("00120") == 7).all()
    outside = [c for c in got.index if c not in codes]
    assert np.array_equal(kamppi[outside], want.loc[outside, "kela_helsinki_kamppi"])
    others = [c for c in got.columns if c != "kela_helsinki_kamppi"]
    assert np.array_equal(got[others].to_numpy(), want[others].to_numpy())
    n = len(st.points)
    assert st.provenance["matrix_coverage"].startswith(
        f"1 of {n} service points and {len(codes)} of 390 origins")
    # a point opened in a scenario (in Porvoo) has no id in the file: the estimate, exactly
    sc = scenario_from_text(b"name: s\nchanges:\n  - open: {id: new_k, name: K, category: kela, "
                            b"at_centre: '638'}\n")
    kela = "need == 'kela' and group == 'fi'"
    got_new = evaluate(st, sc)[0].access.query(kela).set_index("unit_id")
    want_new = evaluate(base, sc)[0].access.query(kela).set_index("unit_id")
    porvoo = got_new["point_id"] == "new_k"
    assert porvoo.sum() > 5 and (want_new.loc[porvoo, "point_id"] == "new_k").all()
    assert np.array_equal(got_new.loc[porvoo, "time_min"], want_new.loc[porvoo, "time_min"])


def test_a_travel_time_matrix_folder_cannot_be_keyed_by_ids(ttm_folder):
    with pytest.raises(DataError, match="keyed by YKR grid cells"):
        ImportedMatrixModel(ttm_folder, column="walk_t", keys="ids")
