"""Inputs validated for their meaning, and clear reasons instead of misleading ones (issue 25,
items 3 and 6): each case is a file a planner or a shared drive produces, built here from the
bundled data with one thing wrong.
"""

from __future__ import annotations

import json
import unicodedata
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.errors import DataError, PlannerWarning

GEO = Path(__file__).resolve().parent.parent / "geodata"
runner = CliRunner()
HEADER = "id,name,category,municipality_code,lon,lat"


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return fn(*args, **kw)


def _error_line(res, *words: str) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    line = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(line) == 1, res.output
    for w in words:
        assert w in line[0], line[0]
    return line[0]


# --- overlapping demand polygons ---------------------------------------------------------------


def test_overlapping_postal_polygons_are_refused_not_counted_twice(tmp_path):
    from planner.inputs.data import check_overlaps, load_postal_areas

    postal = gpd.read_file(GEO / "uusimaa" / "postal_areas.geojson")
    copy = postal.iloc[:3].copy()
    copy["postal_code"] = ["00901", "00902", "00903"]  # new codes, the same land and residents
    path = tmp_path / "postal.geojson"
    pd.concat([postal, copy], ignore_index=True).to_file(path, driver="GeoJSON")
    with pytest.raises(DataError, match="counted twice") as err:
        check_overlaps(_quiet(load_postal_areas, path), "postal_code", str(path))
    first = postal["postal_code"].iloc[0]
    assert f"'00901' (row {len(postal) + 1}) overlaps '{first}' (row 1)" in str(err.value)
    assert err.value.row == len(postal) + 1 and err.value.field == "geometry"
    # the bundled areas (enclaves whose hole the generalisation lost, each its own count) pass
    bundled = _quiet(load_postal_areas)
    check_overlaps(bundled, "postal_code", "bundled")
    assert bundled["population"].sum() == 1_704_809
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--postal-areas", str(path)])
    _error_line(res, "counted twice")
    assert not (tmp_path / "o").exists()


def test_all_zero_population_is_an_error(tmp_path):
    from planner.inputs.data import load_postal_areas

    postal = gpd.read_file(GEO / "uusimaa" / "postal_areas.geojson")
    postal["population_2022"] = 0
    path = tmp_path / "zero.geojson"
    postal.to_file(path, driver="GeoJSON")
    with pytest.raises(DataError, match="0 residents") as err:
        _quiet(load_postal_areas, path)
    assert err.value.field == "population_2022"
    _error_line(runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--postal-areas", str(path)]),
                "0 residents")


# --- names and ids -----------------------------------------------------------------------------


def test_a_padded_service_area_name_is_the_same_area(tmp_path):
    from planner.inputs.data import load_service_areas

    text = (GEO / "service_areas.csv").read_text(encoding="utf-8")
    text = text.replace("six_areas,018,Askola,Itä-Uusimaa", "six_areas,018,Askola,Itä-Uusimaa ")
    text = text.replace("six_areas,078,Hanko,Länsi-Uusimaa",
                        "six_areas,078,Hanko," + unicodedata.normalize("NFD", "Länsi-Uusimaa"))
    path = tmp_path / "areas.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(PlannerWarning, match="2 service-area name"):
        areas = load_service_areas(path)
    assert areas["service_area"].nunique() == 6
    assert areas.set_index("municipality_code").loc["018", "service_area"] == "Itä-Uusimaa"


def test_nfc_and_nfd_spellings_of_one_id_are_a_duplicate(tmp_path):
    from planner.inputs.data import load_service_points

    nfc, nfd = unicodedata.normalize("NFC", "kela_jä"), unicodedata.normalize("NFD", "kela_jä")
    assert nfc != nfd
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n{nfc},A,kela,091,24.94,60.17\n{nfd},B,kela,091,24.95,60.18\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match="duplicate id") as err:
        load_service_points(path)
    assert err.value.row == 2 and err.value.field == "id"


def test_a_scenario_naming_a_point_in_nfd_acts_on_that_point():
    """The points file's ids are NFC; a scenario typed with decomposed letters (NFD) names the
    same point: closing 'kela_jä' in NFD closes the NFC point, it is no 'unknown point'."""
    from planner.analysis.scenario import parse_scenario

    nfd = unicodedata.normalize("NFD", "kela_jä")
    sc = parse_scenario({"name": "s", "changes": [
        {"close": nfd}, {"merge": {"into": nfd + "2", "from": [nfd + "3"]}},
        {"set_category": {"id": nfd, "category": "kela"}},
        {"open": {"id": nfd + "4", "name": "x", "category": "kela", "at_centre": "091"}}]})
    nfc = unicodedata.normalize("NFC", "kela_jä")
    assert sc.changes[0]["close"] == [nfc]
    assert sc.changes[1]["merge"] == {"into": nfc + "2", "from": [nfc + "3"]}
    assert sc.changes[2]["set_category"]["id"] == nfc and sc.changes[3]["open"]["id"] == nfc + "4"


def test_a_numeric_geojson_id_is_an_id_not_empty(tmp_path):
    from planner.inputs.data import load_service_points

    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "properties": {"id": 1, "name": "A", "category": "kela", "municipality_code": "091"},
         "geometry": {"type": "Point", "coordinates": [24.94, 60.17]}}]}), encoding="utf-8")
    pts = load_service_points(path)
    assert pts["id"].tolist() == ["1"]


def test_wrong_crs_is_named_as_such(tmp_path):
    """EPSG:3067 metres in a GeoJSON without a crs member (read as WGS84 degrees)."""
    from planner.inputs.data import load_postal_areas, load_service_points

    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "properties": {"id": "a", "name": "A", "category": "kela", "municipality_code": "091"},
         "geometry": {"type": "Point", "coordinates": [385875.0, 6672125.0]}}]}), encoding="utf-8")
    with pytest.raises(DataError, match="not degrees") as err:
        load_service_points(path)
    assert "EPSG:3067?" in str(err.value) and "cannot be repaired" not in str(err.value)
    postal = gpd.read_file(GEO / "uusimaa" / "postal_areas.geojson").to_crs(3067)
    postal = postal.set_crs(4326, allow_override=True)  # metres labelled as degrees
    bad = tmp_path / "postal.geojson"
    postal.to_file(bad, driver="GeoJSON")
    with pytest.raises(DataError, match="not degrees"):
        _quiet(load_postal_areas, bad)


# --- encodings ---------------------------------------------------------------------------------


def _rows() -> list[str]:
    return ["a,Järvenpää,kela,186,25.09,60.47", "b,Hyvinkää,kela,106,24.86,60.63",
            "c,Mäntsälä,kela,505,25.32,60.63"]


def test_one_stray_byte_is_reported_by_row_and_byte_not_read_as_windows_1252(tmp_path):
    from planner.inputs.data import load_service_points

    rows = [r.encode("utf-8") for r in _rows()]
    rows[1] = rows[1].replace("Hyvinkää".encode(), b"Hyvink\xe4\xe4")  # a Latin-1 edit in a UTF-8 file
    path = tmp_path / "stray.csv"
    path.write_bytes(b"\n".join([HEADER.encode(), *rows]) + b"\n")
    with pytest.raises(DataError, match="is not UTF-8") as err:
        load_service_points(path)
    offset = len(HEADER) + 1 + len(rows[0]) + 1 + rows[1].index(b"\xe4")
    assert err.value.row == 2 and f"byte {offset} (0xe4)" in str(err.value)
    whole = tmp_path / "cp1252.csv"  # a whole Windows-1252 file is still read, with a warning
    whole.write_bytes(("\n".join([HEADER, *_rows()]) + "\n").encode("cp1252"))
    with pytest.warns(PlannerWarning, match="Windows-1252"):
        assert load_service_points(whole)["name"].tolist() == ["Järvenpää", "Hyvinkää", "Mäntsälä"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_file_is_read_as_utf16(tmp_path, encoding):
    from planner.inputs.data import load_service_points

    path = tmp_path / "u16.csv"
    path.write_bytes(("\n".join([HEADER, *_rows()]) + "\n").encode(encoding))
    assert load_service_points(path)["name"].tolist() == ["Järvenpää", "Hyvinkää", "Mäntsälä"]


# --- options -----------------------------------------------------------------------------------


def test_contradicting_eligibility_rules_name_both(tmp_path):
    from planner.inputs.categories import parse_eligibility

    with pytest.raises(ValueError, match="kela=any and kela=organiser"):
        parse_eligibility("kela=any,kela=organiser")
    assert parse_eligibility("kela=any,kela=any")["kela"] == "any"  # the same rule twice says one thing
    _error_line(runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--eligibility",
                                    "kela=any,kela=organiser"]), "kela=any", "kela=organiser")


@pytest.mark.parametrize(("option", "value"), [("--max-minutes", "inf"), ("--max-minutes", "nan"),
                                               ("--time-limit", "-1"), ("--time-limit", "0"),
                                               ("--share", "nan"), ("--max-minutes", "100000")])
def test_optimiser_numbers_are_range_checked(option, value):
    extra = ["--model", "mclp", "--k", "3"] + (["--max-minutes", "30"] if option != "--max-minutes" else [])
    _error_line(runner.invoke(app, ["optimise", *extra, option, value]), option, "out of range")


# --- bounded resources -------------------------------------------------------------------------


def test_a_matrix_over_the_stated_cap_is_refused_before_it_is_allocated():
    """390 postal areas x the day's points (71 on 2022-12-31: 27,690 travel times); with a cap of
    10,000 the study stops before any model is asked (the model here would fail loudly if it were)."""
    import dataclasses

    import numpy as np

    from planner.analysis.study import load_study
    from planner.settings import DEFAULT_SETTINGS
    from planner.traveltime import model_times

    class Exploding:
        model, mode, settings = "x", "drive", dataclasses.replace(DEFAULT_SETTINGS, max_matrix_cells=10_000)

        def times(self, origins, destinations):
            raise AssertionError("allocated anyway")

        def provenance(self):
            return {}

    small = Exploding.settings
    with pytest.raises(DataError, match=r"390 demand units x \d+ service points = 0.0 M") as err:
        _quiet(load_study, settings=small, model=Exploding())
    assert "smaller area" in str(err.value) and "chunks" in str(err.value)
    with pytest.raises(DataError, match="101 reception centres x 100 service points"):
        model_times(Exploding(), np.zeros((101, 2)), np.zeros((100, 2)), rows="reception centres")
    assert DEFAULT_SETTINGS.max_matrix_cells == 20_000_000  # the cap the README states
