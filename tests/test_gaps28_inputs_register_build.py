"""Issue 28: building points-file rows from register records, on two hand-made squares.

Municipality 091 is the square x 380000-390000, y 6670000-6680000 (EPSG:3067), 049 the square
east of it; the tolerance is the 2 km of Settings.boundary_tolerance_m.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from planner.inputs.registers.build import (
    POINT_COLUMNS,
    SKIPPED_COLUMNS,
    _municipality_lookup,
    _site,
    build_points,
    category_counts,
)
from planner.inputs.registers.mapping import load_rules
from planner.inputs.registers.record import Record
from planner.settings import DEFAULT_SETTINGS

CRS = "EPSG:3067"
BORDERS = gpd.GeoDataFrame({"municipality_code": ["091", "049"]},
                           geometry=[box(380000, 6670000, 390000, 6680000), box(390000, 6670000, 400000,
                                                                                6680000)],
                           crs=CRS)
MUNIS = pd.DataFrame({"municipality_code": ["091", "049"], "name_fi": ["Helsinki", "Espoo"],
                      "name_sv": ["Helsingfors", "Esbo"], "name_en": [None, ""]})


@pytest.fixture
def rules(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text('[[rule]]\nid = "k"\ncategory = "kela"\nname = ["kela"]\n\n'
                 '[[rule]]\nid = "s"\ncategory = "social"\nname = ["neuvonta"]\nmode = "walkin"\n',
                 encoding="utf-8")
    return load_rules(p)


def rec(rid, name, **kw):
    return Record(register="tpr", register_id=rid, url=f"http://h/{rid}", fetched_on="2026-01-02",
                  names={"fi": name}, **kw)


def test_municipality_names_in_any_language_and_case():
    assert _municipality_lookup(MUNIS) == {"helsinki": "091", "espoo": "049", "helsingfors": "091",
                                           "esbo": "049"}


def test_a_site_from_degrees_is_projected_and_the_finland_box_is_inclusive():
    p = _site(rec("1", "x", lon=24.9384, lat=60.1699), DEFAULT_SETTINGS)
    assert p is not None and abs(p.x - 385800) < 1000 and abs(p.y - 6672000) < 1000
    assert _site(rec("1", "x", x=40000.0, y=6600000.0), DEFAULT_SETTINGS).x == 40000.0
    assert _site(rec("1", "x", x=770000.0, y=7800000.0), DEFAULT_SETTINGS).y == 7800000.0
    for x, y in ((39999.0, 6700000.0), (770001.0, 6700000.0), (400000.0, 6599999.0), (400000.0, 7800001.0),
                 (60.17, 24.94)):
        assert _site(rec("1", "x", x=x, y=y), DEFAULT_SETTINGS) is None
    assert _site(rec("1", "x", x=385000.0), DEFAULT_SETTINGS) is None  # y missing, no lon/lat
    assert _site(rec("1", "x", x=385000.0, lat=60.2), DEFAULT_SETTINGS) is None
    # x/y win over lon/lat when both are given
    assert _site(rec("1", "x", x=385000.0, y=6675000.0, lon=25.5, lat=60.5), DEFAULT_SETTINGS).x == 385000.0


def test_rows_skips_and_notes(rules):
    records = [
        rec("1", "Kela Helsinki", x=385000.0, y=6675000.0, municipality_code="091", postal_code="00100",
            languages=["fi", "sv"]),
        rec("2", "Pankki", x=385000.0, y=6675000.0),                                    # no rule
        rec("3", "Kela kaukana", x=385000.0, y=6667999.0, municipality_code="091"),      # 2.001 km off
        rec("4", "Kela Esbo", x=392001.0, y=6675000.0, municipality_names=[" ESPOO "]),  # by name: 049
        rec("5", "Kela väärä", x=392001.0, y=6675000.0, municipality_code="091"),        # site in 049
        rec("6", "Kela paikaton", municipality_names=["Helsingfors"]),                   # no site
        rec("7", "Kela nowhere"),                                                        # no site, no code
        rec("8", "Neuvonta", x=385000.0, y=6668000.0, languages=["fi", "sv"]),           # 2 km: inside
    ]
    points, skipped = build_points(records, rules, MUNIS, BORDERS)
    assert list(points.columns) == POINT_COLUMNS and list(skipped.columns) == SKIPPED_COLUMNS
    assert list(zip(skipped["register_id"], skipped["municipality_code"], skipped["reason"],
                    strict=True)) == [
        ("2", "", "no mapping rule matched"),
        ("3", "091", "site outside Uusimaa"),
        ("7", "", "no coordinates and no Uusimaa municipality in the register"),
    ]
    assert skipped.iloc[0][["name", "register_url", "fetched_on", "register"]].tolist() == [
        "Pankki", "http://h/2", "2026-01-02", "tpr"]
    # sorted by register, municipality, id
    assert points["id"].tolist() == ["tpr_4_kela", "tpr_5_kela", "tpr_1_kela", "tpr_6_kela", "tpr_8_fi",
                                     "tpr_8_sv"]
    by = points.set_index("id")
    assert by.at["tpr_4_kela", "municipality_code"] == "049"
    assert by.at["tpr_4_kela", "note"] == "in the register on 2026-01-02"
    assert by.at["tpr_5_kela", "municipality_code"] == "049"
    assert by.at["tpr_5_kela",
                 "note"] == ("in the register on 2026-01-02; the register names municipality 091; "
                                           "the site lies in 049")
    six = by.loc["tpr_6_kela"]
    assert (six["municipality_code"], six["location_precision"]) == ("091", "municipality")
    assert pd.isna(six["lon"]) and pd.isna(six["x"])
    assert six["note"] == ("in the register on 2026-01-02; the register gives no coordinates: a placeholder "
                           "at its municipality")
    one = by.loc["tpr_1_kela"]
    assert (one["x"], one["y"], one["location_precision"], one["postal_code"]) == (385000.0, 6675000.0,
                                                                                   "address", "00100")
    assert (one["languages"], one["rule"], one["source"], one["register_url"]) == ("fi;sv", "k", "http://h/1",
                                                                                   "http://h/1")
    assert (one["valid_from"], one["valid_to"], one["target_group"]) == ("", "", "")
    assert 24 < one["lon"] < 25 and 60 < one["lat"] < 60.3 and round(one["lon"], 6) == one["lon"]
    eight = by.loc["tpr_8_sv"]
    assert (eight["category"], eight["service_mode_evidence"]) == ("sv_walkin", "rule s: walkin")
    assert category_counts(points) == {"fi_walkin": 1, "sv_walkin": 1, "fi_appointment": 0,
                                       "sv_appointment": 0,
                                       "en_service": 0, "reception_centre": 0, "kela": 4}


def test_two_register_entries_with_one_id_are_both_kept(rules):
    a = rec("x/1", "Kela A", x=385000.0, y=6675000.0)
    b = rec("x1", "Kela B", x=386000.0, y=6675000.0)  # the same id once '/' is dropped
    c = rec("9", "Kela C", x=387000.0, y=6675000.0)
    points, _ = build_points([a, b, c], rules, MUNIS, BORDERS)
    assert points["id"].tolist() == ["tpr_9_kela", "tpr_x1_kela_0", "tpr_x1_kela_1"]
    assert points["name"].tolist() == ["Kela C", "Kela A", "Kela B"]


def test_nothing_mapped_gives_empty_tables_with_their_columns(rules):
    points, skipped = build_points([], rules, MUNIS, BORDERS)
    assert points.empty and list(points.columns) == POINT_COLUMNS and skipped.empty
    assert category_counts(points) == dict.fromkeys(category_counts(points), 0)
    assert len(category_counts(points)) == 7
