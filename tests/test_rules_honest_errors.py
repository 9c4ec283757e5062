"""Issue 24: an error is stated only where it was measured.

A trip beyond the calibration range of its mode (the calibration's longest trip is 35 km) is
flagged ``extrapolated`` and its error is "not measured": never a ± number in a table, a tooltip
or the brief. The public-transport estimate says that it leaves out the wait before the first leg.
"""

from __future__ import annotations

import io
import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from planner.analysis.accessibility import summarise, unit_access
from planner.traveltime import travel_time_matrix
from planner.traveltime.estimate import FIRST_WAIT_MIN, estimate_model, load_params

X0, Y0 = 385_000.0, 6_672_000.0


def test_a_trip_beyond_the_longest_calibration_trip_has_no_stated_error():
    # A: its Kela office 8 km east (measured band 5-10 km); B: 50 km from any (beyond 35 km)
    units = gpd.GeoDataFrame({"unit_id": ["A", "B"], "pop_fi": [10, 30], "pop_sv": [0, 0],
                              "located": True, "municipality_code": "091"},
                             geometry=[Point(X0, Y0), Point(X0 + 60_000, Y0 + 50_000)], crs=3067)
    units["pop_total"] = units["pop_fi"]
    pts = gpd.GeoDataFrame({"id": ["k"], "category": ["kela"], "municipality_code": "091"},
                           geometry=[Point(X0 + 8_000, Y0)], crs=3067)
    model = estimate_model("drive")
    acc = unit_access(units, pts, travel_time_matrix(model, units, pts))
    k = acc[(acc["need"] == "kela") & (acc["group"] == "fi")].set_index("unit_id")
    assert not k.loc["A", "extrapolated"]
    assert k.loc["A", "time_error_p90_min"] == load_params("drive").error_p90_min[2]
    assert k.loc["B", "extrapolated"] and np.isnan(k.loc["B", "time_error_p90_min"])
    assert np.isfinite(k.loc["B", "time_min"])  # the time is still estimated, only its error is unknown
    s = summarise(acc, units, None).set_index(["need", "group"]).loc[("kela", "fi")]
    # 30 of 40 residents' trips are not measured: the median error is not measured either
    assert s["pop_extrapolated"] == 30 and np.isnan(s["time_error_p90_min"])
    assert "beyond 35 km (extrapolated): not measured" in model.provenance()["time_error_p90_min"]


def test_no_table_tooltip_or_brief_shows_a_plus_minus_for_an_extrapolated_pair(study, baseline):
    from planner.outputs.export import unit_times
    from planner.outputs.maps import scenario_map

    acc = baseline.access
    ext = acc[acc["extrapolated"]]
    assert len(ext), "the bundled network has trips beyond 35 km by car"
    assert ext["time_error_p90_min"].isna().all()
    assert acc.loc[~acc["extrapolated"] & np.isfinite(acc["time_min"]), "time_error_p90_min"].notna().all()
    wide = unit_times(study.units, acc).set_index("unit_id")
    for (need, group), g in ext.groupby(["need", "group"]):
        assert wide.loc[g["unit_id"], f"time_error_p90_min_{need}_{group}"].isna().all()
    # tooltips: a unit whose nearest Kela office lies beyond the range says so, never with a ±
    html = scenario_map(study, baseline, need="kela", group="fi", tiles=None).get_root().render()
    labels = re.findall(r'"time_label": "([^"]*)"', html)
    assert any("error not measured" in lab for lab in labels) and not any("±" in lab for lab in labels)
    far = ext[(ext["need"] == "kela") & (ext["group"] == "fi")]
    assert sum("error not measured" in lab for lab in labels) == len(far[far["located"]])


def test_the_brief_marks_extrapolated_trips_and_states_no_error_for_them(study, baseline):
    pypdf = pytest.importorskip("pypdf")
    from planner.outputs.brief import brief_pdf

    reader = pypdf.PdfReader(io.BytesIO(brief_pdf(study, baseline, need="kela")))
    page2 = " ".join(reader.pages[1].extract_text().split())
    assert "extrapolated beyond the calibration range: error not measured" in page2
    assert "beyond 35 km (extrapolated): not measured" in page2
    # the slowest areas (beyond the range) carry the mark, not a ± figure
    assert re.search(r"\d \*", page2) and not re.search(r"\d \* ?±", page2)


def test_the_pt_estimate_says_it_excludes_the_wait_before_the_first_leg():
    from planner.traveltime.calibration import calibration_path

    tt = gpd.read_file(calibration_path(), layer="travel_times")
    for mode, (t, tt_col) in {"pt": ("pt_m_t", "pt_m_tt"), "pt_rush": ("pt_r_t", "pt_r_tt")}.items():
        ok = (tt[t] >= 0) & (tt[tt_col] >= 0)
        wait = (tt.loc[ok, tt_col] - tt.loc[ok, t]).to_numpy(float)
        assert FIRST_WAIT_MIN[mode] == (np.median(wait), np.percentile(wait, 90))  # measured, not guessed
        note = estimate_model(mode).provenance()["pt_wait"]
        assert "excludes the wait before the first leg" in note and tt_col in note
    assert "pt_wait" not in estimate_model("drive").provenance()
