"""The calibration's error table, its Markdown and the parameter file, and the imported-matrix
store's size cap and ZIP rules, at their boundaries (issue 28, tests that catch, round 2).

Hand-made pairs whose errors and weighted quantiles are worked out by hand (NumPy's weighted
``inverted_cdf``: the smallest value with at least the share q of the weight at or below it).
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest

from planner.errors import DataError
from planner.inputs import matrices
from planner.inputs.matrices import check_matrix_size, save_matrix
from planner.traveltime.calibration import (
    KNOTS_M,
    REFERENCE,
    error_table,
    fit_curve,
    markdown_table,
    params_document,
    write_params,
)

# four walking trips of 1 km, routed 10 min each; estimated 11, 12, 13 and 20 min
CV = {"walk": pd.DataFrame({"to_id": [1, 1, 2, 2], "distance_m": [1000.0] * 4, "weight": [0.0, 0.0, 5.0, 5.0],
                            "routed_min": [10.0] * 4, "estimate_min": [11.0, 12.0, 13.0, 20.0]})}


def test_the_error_table_weights_by_population_or_by_cell():
    people = error_table(CV)
    assert people["band"].tolist() == ["all", "0-2 km", "2-5 km", "5-10 km", "10-20 km", "20-40 km"]
    assert (people["mode"] == "walk").all()
    first = people.iloc[:2]
    # residents only in the cells of the last two trips: errors 3 and 10 min, equal weight
    assert first["pairs"].tolist() == [2, 2]
    assert first["median_abs_min"].tolist() == [3.0, 3.0] and first["p90_abs_min"].tolist() == [10.0, 10.0]
    assert first["median_abs_pct"].tolist() == [30.0, 30.0]
    assert first["p90_abs_pct"].tolist() == [100.0, 100.0]
    empty = people.iloc[2:]
    assert empty["pairs"].tolist() == [0, 0, 0, 0] and empty["median_abs_min"].isna().all()
    cells = error_table(CV, "cells")
    # every trip counts once: errors 1, 2, 3, 10: median 2, p90 10
    assert cells["pairs"].iloc[0] == 4
    assert cells["median_abs_min"].iloc[0] == 2.0 and cells["p90_abs_min"].iloc[0] == 10.0
    assert cells["median_abs_pct"].iloc[0] == 20.0
    with pytest.raises(ValueError, match="^unknown weighting 'people': expected 'population' or 'cells'$"):
        error_table(CV, "people")


def test_trips_fall_in_the_band_their_distance_starts():
    cv = {"pt": pd.DataFrame({"to_id": [1, 1, 1], "distance_m": [1999.0, 2000.0, 20_000.0],
                              "weight": [1.0] * 3, "routed_min": [10.0] * 3,
                              "estimate_min": [11.0, 14.0, 30.0]})}
    t = error_table(cv).set_index("band")
    assert t.loc["0-2 km", "pairs"] == 1 and t.loc["0-2 km", "median_abs_min"] == 1.0
    assert t.loc["2-5 km", "pairs"] == 1 and t.loc["2-5 km", "median_abs_min"] == 4.0
    # a band holds its lower edge: 20 km is in 20-40 km, not 10-20 km
    assert t.loc["all", "pairs"] == 3 and t.loc["20-40 km", "pairs"] == 1 and t.loc["10-20 km", "pairs"] == 0
    assert t.loc["20-40 km", "median_abs_min"] == 20.0


def test_the_markdown_table_line_by_line():
    table = error_table(CV).iloc[:2]
    assert markdown_table(table).splitlines() == [
        "| mode | distance | pairs | median error min | p90 error min | median error % | p90 error % |",
        "|---|---|---|---|---|---|---|",
        "| walk | all | 2 | 3.0 | 10.0 | 30.0 | 100.0 |",
        "| walk | 0-2 km | 2 | 3.0 | 10.0 | 30.0 | 100.0 |",
    ]


def _pairs() -> pd.DataFrame:
    """Trips whose times double with each doubling of the distance (a straight log-log line):
    1 min per 100 m for every mode, from cells with residents, plus ones the fit must skip."""
    d = np.array(KNOTS_M)
    df = pd.DataFrame({"from_id": np.arange(len(d)), "to_id": 100, "distance_m": d, "weight": 3.0})
    for col, *_ in REFERENCE.values():
        df[col] = d / 100.0
    skip = pd.DataFrame({"from_id": [100, 5, 6], "to_id": 100, "distance_m": [50.0, 3000.0, 3000.0],
                         "weight": [3.0, 3.0, 0.0]})
    for col, *_ in REFERENCE.values():
        skip[col] = [0.0, -1.0, 500.0]  # the origin itself, no route, a cell with no residents
    return pd.concat([df, skip], ignore_index=True)


def test_a_straight_log_log_line_is_fitted_exactly_and_written_as_the_parameter_file(tmp_path):
    k = np.array(KNOTS_M)
    knots = fit_curve(k, k / 100.0, np.ones(len(k)))
    assert knots == pytest.approx(np.array(KNOTS_M) / 100.0, rel=1e-6)
    df = _pairs()
    table = error_table({m: pd.DataFrame({"distance_m": [1000.0, 3000.0], "weight": [1.0, 1.0],
                                          "routed_min": [10.0, 30.0], "estimate_min": [11.0, 33.0]})
                         for m in REFERENCE})
    doc = params_document(df, table)
    assert doc["knots_m"] == list(KNOTS_M) and doc["bands_km"] == [0, 2, 5, 10, 20, 40]
    for mode, (col, label, what) in REFERENCE.items():
        m = doc["modes"][mode]
        assert m["label"] == label and m["reference"] == f"{what} (`{col}`)"
        assert m["minutes"] == pytest.approx([k / 100.0 for k in KNOTS_M], abs=0.002)
        assert m["error_p90_min"][:2] == [1.0, 3.0] and all(math.isnan(v) for v in m["error_p90_min"][2:])
        assert m["error_median_min"][:2] == [1.0, 3.0]
    assert doc["about"].startswith("Travel-time estimate of the Uusimaa planner")
    out = write_params(df, table, tmp_path / "params.json")
    assert out == tmp_path / "params.json" and not (tmp_path / "params.json.tmp").exists()
    text = out.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n "about": ')
    written = json.loads(text)
    assert written["modes"]["walk"]["minutes"] == doc["modes"]["walk"]["minutes"]
    assert written["modes"]["walk"]["error_median_min"][:2] == [1.0, 3.0]


# --- the imported matrix's size cap and ZIP rules --------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_the_size_cap_lets_a_matrix_of_exactly_the_cap_through(tmp_path, monkeypatch):
    monkeypatch.setattr(matrices, "MAX_BYTES", 10)
    at = tmp_path / "at.csv"
    at.write_bytes(b"0123456789")
    check_matrix_size(at)  # 10 bytes: at the cap, allowed
    over = tmp_path / "over.csv"
    over.write_bytes(b"0123456789A")
    with pytest.raises(DataError, match=r"over\.csv: the file holds 0\.0 GB, more than the 1e-08 GB an "
                                        r"imported matrix may have: keep only the columns and "
                                        r"destinations you use$"):
        check_matrix_size(over)
    zipped = tmp_path / "m.zip"
    zipped.write_bytes(_zip({"a.csv": b"012345", "b.csv": b"6789A"}))  # 11 bytes unpacked
    with pytest.raises(DataError, match=r"m\.zip: the ZIP unpacks to 0\.0 GB, more than"):
        check_matrix_size(zipped)
    with pytest.raises(DataError, match=r"the ZIP unpacks to more than the 1e-08 GB an imported matrix"):
        save_matrix(_zip({"TravelTimes_to_1.txt": b"0123456789A"}), "m.zip", tmp_path / "store")
    assert save_matrix(_zip({"TravelTimes_to_1.txt": b"0123456789"}), "m.zip", tmp_path / "store").is_dir()
    check_matrix_size(tmp_path)  # a folder: only the files of the cells with points are read


def test_an_unreadable_zip_named_on_the_command_line_is_a_data_error(tmp_path):
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataError, match=r"^file .*broken\.zip: not a readable ZIP archive \("):
        check_matrix_size(bad)


def test_a_travel_time_matrix_zip_is_stored_once_and_each_file_once(tmp_path):
    data = _zip({"a/TravelTimes_to_5.txt": b"from_id;to_id;walk_t\n1;5;3\n", "readme.txt": b"x"})
    first = save_matrix(data, "TTM 2018 (Helsinki).zip", tmp_path)
    assert first.name.startswith("ttm_2018_helsinki-") and sorted(p.name for p in first.iterdir()) == [
        "TravelTimes_to_5.txt"]
    (first / "TravelTimes_to_5.txt").write_bytes(b"changed")
    assert save_matrix(data, "TTM 2018 (Helsinki).zip", tmp_path) == first
    assert (first / "TravelTimes_to_5.txt").read_bytes() == b"changed"  # not unpacked again
    twice = _zip({"a/TravelTimes_to_5.txt": b"1", "b/TravelTimes_to_5.txt": b"2"})
    with pytest.raises(DataError, match=r"^file twice\.zip: the ZIP holds TravelTimes_to_5\.txt twice$"):
        save_matrix(twice, "twice.zip", tmp_path / "other")
    assert not (tmp_path / "other").exists() or not any(p.name.startswith("twice") for p in
                                                         (tmp_path / "other").iterdir())
