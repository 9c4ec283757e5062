"""Every message of the register mapping, compared IN FULL against reviewed approved files.

A table of bad mapping-rule files (TOML) and the error each gives (file, field, wording), and a
table of register units with the rows (or the reason for none) the default-style rules give them:
category, language, evidence of walk-in / appointment, where the language came from, notes and id.
"""

from __future__ import annotations

import re

import pytest

from planner.errors import DataError
from planner.inputs.registers.mapping import load_rules, map_record, row_id
from planner.inputs.registers.record import Record

GOOD_RULE = '[[rule]]\nid = "kela"\ncategory = "kela"\nname = ["kela"]\n'
RULE_CASES = {
    "not_toml": 'service_mode = {when_unknown = "walkin"\n',
    "unknown_when_unknown": '[service_mode]\nwhen_unknown = "sometimes"\n',
    "unknown_key": '[[rule]]\nid = "a"\ncategory = "kela"\nname = ["kela"]\ncolour = "red"\n',
    "no_id": '[[rule]]\ncategory = "kela"\nname = ["kela"]\n',
    "id_twice": GOOD_RULE + GOOD_RULE,
    "unknown_category": '[[rule]]\nid = "a"\ncategory = "library"\nname = ["x"]\n',
    "unknown_register": '[[rule]]\nid = "a"\ncategory = "kela"\nregister = "ytj"\nname = ["x"]\n',
    "unknown_mode": '[[rule]]\nid = "a"\ncategory = "social"\nmode = "drop-in"\nname = ["x"]\n',
    "no_condition": GOOD_RULE + '[[rule]]\nid = "b"\ncategory = "kela"\nname = []\n',
    "pattern_not_a_list": '[[rule]]\nid = "a"\ncategory = "kela"\nname = "kela"\n',
    "bad_pattern": '[[rule]]\nid = "a"\ncategory = "kela"\nname = ["kela("]\n',
    "bad_exclude": '[[rule]]\nid = "a"\ncategory = "kela"\nname = ["kela"]\nexclude = [1]\n',
    "bad_walkin_pattern": '[service_mode]\nwalkin = ["[ilman"]\n',
    "not_utf8": '[[rule]]\nid = "a"\ncategory = "kela"\nname = ["ty\xf6"]\n'.encode("latin-1"),
}


def _ours(message):
    """The message with the reader's own words (tomllib's, re's: they vary by Python) cut."""
    message = re.sub(r"(not valid TOML: ).*", r"\1<reader's message>", message)
    return re.sub(r"(is not a regular expression \().*\)$", r"\1<re's message>)", message)


def test_every_error_of_a_bad_rules_file_names_file_rule_and_field(tmp_path, data_regression):
    out = {}
    for name, text in RULE_CASES.items():
        path = tmp_path / f"{name}.toml"
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        with pytest.raises(DataError) as e:
            load_rules(path)
        assert e.value.file == str(path) and e.value.row is None
        out[name] = {"field": e.value.field, "message": _ours(str(e.value).replace(f"{tmp_path}/", ""))}
    with pytest.raises(DataError) as e:
        load_rules(tmp_path / "none.toml")
    out["missing_file"] = {"field": e.value.field, "message": str(e.value).replace(f"{tmp_path}/", "")}
    data_regression.check(out)


RULES = """
[service_mode]
when_unknown = "appointment"
walkin = ["ilman ajanvarausta", "utan tidsbokning"]
appointment = ["ajanvarauksella", "varaa aika"]

[[rule]]
id = "kela_office"
category = "kela"
register = "ptv"
organisation = ["kela-org"]

[[rule]]
id = "emergency"
category = "social"
mode = "walkin"
target_group = "emergency"
name = ["sosiaalipäivystys"]

[[rule]]
id = "social_office"
category = "social"
name = ["sosiaali"]
exclude = ["lastensuojelu"]
default_languages = ["fi"]

[[rule]]
id = "reception"
category = "reception_centre"
register = "tpr"
tpr_service = ["123"]
"""


def _rec(**kw):
    base = dict(register="ptv", register_id="ab-12/x", url="http://127.0.0.1/x", fetched_on="2026-01-01",
                names={"fi": "Sosiaalitoimisto", "sv": "Socialbyrå"},
                street={"fi": "Katu 1", "sv": "Gatan 1"},
                postal_code="00100", post_office={"fi": "HELSINKI", "sv": "HELSINGFORS"},
                languages=["fi", "sv"], languages_from="register: service languages")
    return Record(**{**base, **kw})


RECORDS = {
    "a_web_page_channel": _rec(kind="WebPage"),
    "no_rule": _rec(names={"fi": "Kirjasto"}),
    "excluded": _rec(names={"fi": "Sosiaali- ja lastensuojelu"}),
    "kela_by_organisation": _rec(names={"fi": "Kelan toimisto"}, organisation="kela-org"),
    "kela_rule_is_ptv_only": _rec(register="tpr", names={"fi": "Kelan toimisto"}, organisation="kela-org"),
    "walkin_text": _rec(hours_text=["Avoinna ILMAN AJANVARAUSTA ma-pe"]),
    "reservation_hours": _rec(reservation_hours=True),
    "appointment_text": _rec(booking_text=["Varaa aika puhelimitse"], plain_hours=True),
    "plain_hours": _rec(plain_hours=True),
    "nothing_known": _rec(),
    "no_language_default": _rec(languages=[], languages_from=""),
    "english_only": _rec(languages=["en"]),
    "emergency_rule_mode": _rec(names={"fi": "Sosiaalipäivystys"}, languages=["sv"]),
    "reception_by_tpr_service": _rec(register="tpr", names={"fi": "Vastaanottokeskus"}, service_ids=["123"]),
}


def test_every_register_unit_maps_to_rows_with_their_evidence_or_a_reason(tmp_path, data_regression):
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    rules = load_rules(path)
    assert rules.tpr_service_ids == [123]
    out = {}
    for name, rec in RECORDS.items():
        rows, reason = map_record(rec, rules)
        out[name] = {"reason": reason, "rows": [
            {"id": row_id(rec, m.category), "category": m.category, "name": m.name, "address": m.address,
             "language": m.language, "target_group": m.target_group, "mode_evidence": m.mode_evidence,
             "languages_from": m.languages_from, "rule": m.rule, "notes": m.notes} for m in rows]}
    data_regression.check(out)


def _frame_rows(df):
    """Rows as plain text cells (floats with the decimals the file shows)."""
    import math

    def cell(v):
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.6f}".rstrip("0").rstrip(".")
        return "" if v is None else str(v)
    return [{c: cell(v) for c, v in r.items()} for r in df.to_dict("records")]


def test_every_register_unit_ends_as_point_rows_or_a_skipped_row_with_its_reason(tmp_path, data_regression):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from planner.inputs.registers.build import build_points

    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    rules = load_rules(path)
    borders = gpd.GeoDataFrame({"municipality_code": ["091", "049"]},
                               geometry=[box(380000, 6670000, 390000, 6680000),
                                         box(390000, 6670000, 400000, 6680000)], crs="EPSG:3067")
    munis = pd.DataFrame({"municipality_code": ["091", "049"], "name_fi": ["Helsinki", "Espoo"],
                          "name_sv": ["Helsingfors", "Esbo"], "name_en": [None, "City of Espoo"]})
    records = [
        _rec(register_id="1", municipality_code="091", x=385000.0, y=6675000.0, plain_hours=True),
        _rec(register_id="2", municipality_names=["ESBO "], lon=24.9, lat=60.2, languages=["sv"]),
        _rec(register_id="3", municipality_code="091", x=395000.0, y=6675000.0, languages=["fi"]),
        _rec(register_id="4", municipality_names=["city of espoo"], languages=["fi"]),
        _rec(register_id="5", municipality_code="999"),
        _rec(register_id="6", municipality_code="091", x=500000.0, y=6675000.0),
        _rec(register_id="7", municipality_code="091", x=60.2, y=24.9, languages=["fi"]),
        _rec(register_id="8", names={"fi": "Kirjasto"}, municipality_code="091"),
        _rec(register_id="9", municipality_code="091", x=385100.0, y=6675100.0, languages=["fi"]),
        _rec(register_id="9", municipality_code="091", x=385200.0, y=6675200.0, languages=["fi"]),
    ]
    points, skipped = build_points(records, rules, munis, borders)
    data_regression.check({"points": _frame_rows(points), "skipped": _frame_rows(skipped)})


def _pts(rows):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    df = pd.DataFrame([r[:-2] for r in rows], columns=["id", "name", "category", "municipality_code",
                                                       "location_precision", "valid_from", "valid_to",
                                                       "target_group"])
    for c in ("valid_from", "valid_to"):
        df[c] = pd.to_datetime(df[c])
    df["located"] = df["location_precision"] != "unknown"
    return gpd.GeoDataFrame(df, geometry=[Point(x, y) for *_, x, y in rows], crs="EPSG:3067")


def test_every_change_between_two_points_files_reads_as_one_line_with_its_detail(data_regression):
    from planner.inputs.registers.diff import change_counts, diff_points

    old = _pts([
        ("a", "Stays", "kela", "091", "address", None, None, "", 385000, 6675000),
        ("b", "Moves 100.0 m", "kela", "091", "address", None, None, "", 385000, 6675000),
        ("c", "Moves 250 m", "fi_walkin", "091", "address", None, None, "", 385000, 6675000),
        ("d", "Site found", "fi_walkin", "091", "unknown", None, None, "", 385000, 6675000),
        ("e", "Site lost", "fi_walkin", "091", "address", None, None, "", 385000, 6675000),
        ("f", "Everything", "fi_walkin", "091", "address", "2024-01-01", None, "", 385000, 6675000),
        ("g", "Removed", "sv_walkin", "049", "address", None, None, "", 395000, 6675000),
    ])
    new = _pts([
        ("a", "Stays", "kela", "091", "address", None, None, "", 385000, 6675000),
        ("b", "Moves 100.0 m", "kela", "091", "address", None, None, "", 385100, 6675000),
        ("c", "Moves 250 m", "fi_walkin", "091", "address", None, None, "", 385150, 6675200),
        ("d", "Site found", "fi_walkin", "091", "street", None, None, "", 386000, 6676000),
        ("e", "Site lost", "fi_walkin", "091", "municipality", None, None, "", 386000, 6676000),
        ("f", "Everything", "fi_appointment", "091", "address", None, "2024-12-31", "homeless", 385000,
         6675000),
        ("h", "Added", "en_service", "049", "address", "2025-01-01", None, "", 395000, 6675000),
    ])
    diff = diff_points(old, new)
    cols = ["change", "id", "name", "category_old", "category_new", "distance_m", "location_precision_old",
            "location_precision_new", "detail"]
    data_regression.check({"lines": _frame_rows(diff[cols]), "counts": change_counts(diff)})


def _records_as_data(recs):
    from dataclasses import asdict

    return [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(r).items()} for r in recs]


def test_every_field_of_the_recorded_ptv_channels_and_tpr_units_is_read(data_regression):
    import json
    from pathlib import Path

    from planner.inputs.registers.client import Answer
    from planner.inputs.registers.ptv import channel_records
    from planner.inputs.registers.tpr import unit_records

    folder = Path(__file__).parent / "data" / "registers"
    doc = json.loads((folder / "ptv_channels.json").read_text(encoding="utf-8"))
    page = {"pageNumber": 1, "pageSize": 50, "pageCount": 1, "itemList": doc["channels"]}
    ptv = channel_records([(Answer("p", page, "2026-03-04T05:06:07+00:00"), ""),
                           (Answer("p", page, "2026-03-04T05:06:07+00:00"), "0246246-0")],
                          base="http://127.0.0.1:1/ptv")
    units = json.loads((folder / "tpr_units.json").read_text(encoding="utf-8"))
    desc = json.loads((folder / "tpr_description_7705.json").read_text(encoding="utf-8"))
    tpr = unit_records(Answer("u", units, "2026-03-04T05:06:07+00:00"),
                       [Answer("d", desc, "2026-03-04T05:06:07+00:00")], base="http://127.0.0.1:1/tpr")
    data_regression.check({"ptv": _records_as_data(ptv), "tpr": _records_as_data(tpr)})


def test_points_fetch_writes_every_row_and_reason_and_says_what_it_did(tmp_path, data_regression):
    """`planner points fetch` against the local stand-ins of both registers (tests/registers_server.py):
    the points file, the left-out list and the terminal report, each compared in full."""
    import importlib.util
    import sys
    import time
    from pathlib import Path

    import pandas as pd
    from typer.testing import CliRunner

    from planner.cli.main import app

    name = "planner_tests_registers_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("registers_server.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    fake = sys.modules[name]
    out = tmp_path / "points.csv"
    with fake.FakeRegisters(page_size=2) as srv:
        res = CliRunner().invoke(app, ["points", "fetch", "--out", str(out), "--tpr-url", srv.tpr_url,
                                       "--ptv-url", srv.ptv_url, "--cache-dir", str(tmp_path / "cache"),
                                       "--min-delay", "0", "--no-progress"])
        urls = {srv.tpr_url.rstrip("/"): "<tpr>", srv.ptv_url.rstrip("/"): "<ptv>"}
    assert res.exit_code == 0, res.output
    today = time.strftime("%Y-%m-%d", time.gmtime())

    def plain(text):
        for url, tag in urls.items():
            text = text.replace(url, tag)
        return text.replace(str(tmp_path), "<tmp>").replace(today, "<today>")

    def table(path):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        return [{c: plain(v) for c, v in r.items()} for r in df.to_dict("records")]

    data_regression.check({"output": [plain(line) for line in res.output.splitlines()],
                           "points": table(out), "skipped": table(tmp_path / "points.skipped.csv")})
