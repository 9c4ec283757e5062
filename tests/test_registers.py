"""`planner points fetch` against local stand-ins of the two registers (issue 23, item 1).

The fake servers (tests/registers_server.py) replay responses in the real APIs' shapes with
real Uusimaa units (tests/data/registers/README.md says where each shape and unit comes
from). No test touches the internet.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.errors import DataError
from planner.inputs.data import load_service_points
from planner.inputs.registers.client import RegisterClient, RegisterError
from planner.inputs.registers.fetch import fetch_points

runner = CliRunner()


def _load_test_module(filename: str):
    name = "planner_tests_" + Path(filename).stem
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


fake = _load_test_module("registers_server.py")


def _fetch_cli(srv, out: Path, cache: Path, *extra: str):
    return runner.invoke(app, ["points", "fetch", "--out", str(out), "--tpr-url", srv.tpr_url,
                               "--ptv-url", srv.ptv_url, "--cache-dir", str(cache), "--min-delay", "0",
                               "--no-progress", *extra])


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """One fetch against the fake registers: (points frame as written, skipped, server log)."""
    tmp = tmp_path_factory.mktemp("fetch")
    with fake.FakeRegisters(page_size=2) as srv:
        result = _fetch_cli(srv, tmp / "points.csv", tmp / "cache")
        log = list(srv.requests)
    assert result.exit_code == 0, result.output
    raw = pd.read_csv(tmp / "points.csv", dtype=str, keep_default_na=False)
    skipped = pd.read_csv(tmp / "points.skipped.csv", dtype=str, keep_default_na=False)
    return {"dir": tmp, "raw": raw, "skipped": skipped, "log": log, "output": result.output}


def test_fetch_rebuilds_a_valid_points_file_with_every_category(fetched):
    pts = load_service_points(fetched["dir"] / "points.csv")
    counts = pts["category"].value_counts()
    # hand count of the fixture: 4 Sosiaalineuvonta units (fi+sv walk-in) + homeless + immigrant
    # unit + Klaukkala lähineuvonta (fi walk-in); Kalasatama + Tuusula + Porvoo emergency (fi
    # appointment), Porvoo emergency (sv appointment); IHH; two Luona centres; Kela Iso Omena
    assert counts.to_dict() == {"fi_walkin": 7, "sv_walkin": 4, "fi_appointment": 3, "sv_appointment": 1,
                                "en_service": 1, "reception_centre": 2, "kela": 1}
    raw = fetched["raw"]
    for col in ("target_group", "register", "register_id", "register_url", "fetched_on", "x", "y",
                "languages", "service_mode_evidence", "rule"):
        assert col in raw.columns
    assert (raw["fetched_on"] == time.strftime("%Y-%m-%d", time.gmtime())).all()
    assert (raw["register_url"] == raw["source"]).all() and raw["register_url"].str.startswith("http").all()
    # every register record is in the file or in the skipped list: the library matched no rule
    assert list(fetched["skipped"]["name"]) == ["Otaniemen kirjasto"]
    assert list(fetched["skipped"]["reason"]) == ["no mapping rule matched"]
    assert "19 rows" in fetched["output"] and "1 register record(s) left out" in fetched["output"]


def test_register_coordinates_are_kept_in_epsg3067_at_address_precision(fetched):
    raw = fetched["raw"].set_index("id")
    pts = load_service_points(fetched["dir"] / "points.csv").set_index("id")
    _, channels = fake.recorded_channels()
    tuusula = next(c for c in channels if "Tuusula" in c["serviceChannelNames"][0]["value"])
    street = tuusula["addresses"][0]["streetAddress"]
    row = f"ptv_{tuusula['id']}_fi"
    # PTV: 'longitude' is the easting and 'latitude' the northing (EPSG:3067 metres)
    assert float(raw.at[row, "x"]) == pytest.approx(float(street["longitude"]), abs=0.1)
    assert float(raw.at[row, "y"]) == pytest.approx(float(street["latitude"]), abs=0.1)
    # the loaded geometry (from the WGS84 lon/lat columns) lands on the same metres
    assert pts.loc[row].geometry.x == pytest.approx(float(street["longitude"]), abs=0.5)
    assert pts.loc[row].geometry.y == pytest.approx(float(street["latitude"]), abs=0.5)
    unit = next(u for u in fake.recorded_units() if u["id"] == 56599)
    assert float(raw.at["tpr_56599_fi", "x"]) == unit["easting_etrs_tm35fin"]
    assert float(raw.at["tpr_56599_fi", "y"]) == unit["northing_etrs_tm35fin"]
    located = raw[raw["x"] != ""]
    assert (located["location_precision"] == "address").all()
    # the Klaukkala channel has no coordinates: documented, site unknown, so it stands at
    # Nurmijärvi's municipal centre as a proxy (issue 23 item 4), never claimed as its site
    klaukkala = raw[raw["name"].str.contains("Klaukkala")].iloc[0]
    assert klaukkala["location_precision"] == "municipality" and klaukkala["lon"] == ""
    assert klaukkala["municipality_code"] == "543"
    assert bool(pts.loc[klaukkala.name, "proxy"])


def test_language_target_group_and_mode_reach_the_rows(fetched):
    raw = fetched["raw"].set_index("id")
    assert raw.at["tpr_56601_sv", "name"] == "Socialrådgivning (Helsingfors stad, vuxensocialarbete, Öst)"
    assert raw.at["tpr_56601_sv", "category"] == "sv_walkin"
    assert raw.at["tpr_56601_sv", "languages_from"] == "TPR service description 7705"
    assert raw.at["tpr_56601_sv", "address"] == "Mjölgränden 4, 00920 Helsingfors"
    emergency = raw[raw["rule"] == "social_emergency"]
    assert set(emergency["category"]) == {"fi_appointment", "sv_appointment"}
    assert set(emergency["target_group"]) == {"emergency"}
    assert set(raw.loc[raw["rule"] == "homeless", "target_group"]) == {"homeless"}
    assert set(raw.loc[raw["rule"] == "immigrant_unit", "target_group"]) == {"immigrant"}
    everyday = raw[~raw["rule"].isin(["social_emergency", "homeless", "immigrant_unit"])]
    assert (everyday["target_group"] == "").all()


def test_ptv_pages_are_all_fetched(fetched):
    # Espoo (049) has one area-limited channel; Kela's channels come by business id, page by page
    log = fetched["log"]
    assert any("/list/organization?code=0246246-0&page=1" in p for p in log)
    assert sum("/list/area/Municipality/code/" in p and "page=1" in p for p in log) == 26
    # page size 1: the same rows as page size 2
    with fake.FakeRegisters(page_size=1) as srv:
        res = fetch_points(fetched["dir"] / "p1.csv", tpr_base=srv.tpr_url, ptv_base=srv.ptv_url,
                           cache_dir=fetched["dir"] / "cache1", min_interval_s=0, progress=False)
    assert sorted(res.points["id"]) == sorted(fetched["raw"]["id"])


def test_offline_rebuilds_the_same_file_from_the_cache(fetched, tmp_path):
    out = tmp_path / "again.csv"
    # no server at all: a request would fail
    result = runner.invoke(app, ["points", "fetch", "--out", str(out), "--cache-dir",
                                 str(fetched["dir"] / "cache"), "--offline", "--tpr-url",
                                 "http://127.0.0.1:9/palvelukarttaws/rest/"])
    assert result.exit_code != 0  # another base URL is another cache key: not in the cache
    assert "not in the cache" in result.output
    assert "127.0.0.1:9/palvelukarttaws/rest/v4/unit/" in result.output
    # the same URLs as the online run (the port of that server is part of them)
    urls = pd.read_csv(fetched["dir"] / "points.csv", dtype=str)["register_url"]
    tpr_base = urls[urls.str.contains("/palvelukarttaws/")].iloc[0].split("v4/unit/")[0]
    ptv_base = urls[urls.str.contains("/api/v11/")].iloc[0].split("ServiceChannel/")[0]
    result = runner.invoke(app, ["points", "fetch", "--out", str(out), "--cache-dir",
                                 str(fetched["dir"] / "cache"), "--offline", "--tpr-url", tpr_base,
                                 "--ptv-url", ptv_base])
    assert result.exit_code == 0, result.output
    assert "0 register request(s)" in result.output
    assert out.read_text(encoding="utf-8") == (fetched["dir"] / "points.csv").read_text(encoding="utf-8")


def test_a_failed_request_names_its_url_and_status_and_writes_nothing(tmp_path):
    out = tmp_path / "points.csv"
    with fake.FakeRegisters() as srv:
        srv.fail = {"code/638": [503] * 20}  # Porvoo's channels: the register keeps failing
        del srv.descriptions[7705]  # and a TPR service description is gone (404)
        result = _fetch_cli(srv, out, tmp_path / "cache", "--retries", "2")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "2 register request(s) failed" in text
    assert f"{srv.ptv_url}ServiceChannel/list/area/Municipality/code/638?includeWholeCountry=false&page=1: " \
           "HTTP 503" in text
    assert "after 2 retries" in text
    assert f"{srv.tpr_url}vpalvelurekisteri/description/7705?language=fi: HTTP 404" in text
    assert not out.exists() and not (tmp_path / "points.skipped.csv").exists()
    # 1 try + 2 retries of the failing URL
    assert sum("code/638" in p for p in srv.requests) == 3


def test_retries_ride_out_passing_failures(tmp_path):
    with fake.FakeRegisters() as srv:
        srv.fail = {"/v4/unit/": [503, 429]}
        res = fetch_points(tmp_path / "p.csv", registers=("tpr",), tpr_base=srv.tpr_url,
                           cache_dir=tmp_path / "c", min_interval_s=0, retries=3, progress=False)
        assert sum("/v4/unit/" in p for p in srv.requests) == 3
    assert len(res.points) == 12  # 4 units x (fi, sv) + homeless + immigrant + Kalasatama + IHH


def test_requests_keep_the_minimum_interval(tmp_path):
    with fake.FakeRegisters() as srv:
        client = RegisterClient(tmp_path / "c", min_interval_s=0.3)
        start = time.monotonic()
        for sid in (7705, 7705, 7705):
            client.get(f"{srv.tpr_url}vpalvelurekisteri/description/{sid}", {"language": "fi"})
        elapsed = time.monotonic() - start
    assert client.requests == 3
    assert elapsed >= 0.6  # two waits of 0.3 s between three requests


def test_connection_refused_is_a_clear_error(tmp_path):
    client = RegisterClient(tmp_path / "c", min_interval_s=0, retries=0, timeout_s=2)
    with pytest.raises(RegisterError, match=r"GET http://127\.0\.0\.1:9/x\?a=1: no answer after 0 retries"):
        client.get("http://127.0.0.1:9/x", {"a": 1})


def test_a_unit_outside_uusimaa_is_listed_as_left_out(tmp_path):
    with fake.FakeRegisters() as srv:
        kela = next(c for c in srv.channels if c["areaType"] == "Nationwide")
        far = copy.deepcopy(kela)
        far["id"] = "00000000-0000-4000-8000-000000000837"  # a fixture id
        addr = far["addresses"][0]["streetAddress"]
        addr["municipality"]["code"] = "837"  # Tampere, 160 km north
        addr["latitude"], addr["longitude"] = "6822000.000", "327000.000"
        srv.channels.append(far)
        res = fetch_points(tmp_path / "p.csv", registers=("ptv",), ptv_base=srv.ptv_url,
                           cache_dir=tmp_path / "c", min_interval_s=0, progress=False)
    assert far["id"] not in set(res.points["register_id"])
    left = res.skipped.set_index("register_id")
    assert left.at[far["id"], "reason"] == "site outside Uusimaa"


HOSTILE = "Plan {{ 7*7 }} <script>alert(1)</script> aikuissosiaalityö"
FORMULA = "=HYPERLINK(\"http://evil.example\") aikuissosiaalityö"


@pytest.fixture(scope="module")
def hostile_points(tmp_path_factory):
    """A fetch whose register names two units with hostile text (a template, a script, a formula)."""
    tmp = tmp_path_factory.mktemp("hostile")
    with fake.FakeRegisters() as srv:
        base = next(u for u in srv.units if u["id"] == 90003)
        for uid, name in ((91001, HOSTILE), (91002, FORMULA)):
            u = copy.deepcopy(base)
            u["id"], u["name_fi"] = uid, name
            srv.units.append(u)
        result = _fetch_cli(srv, tmp / "points.csv", tmp / "cache", "--registers", "tpr")
    assert result.exit_code == 0, result.output
    return tmp / "points.csv"


def test_hostile_register_text_lands_verbatim_in_the_csv(hostile_points):
    """A register's text is user text: kept as typed (no template runs on it), a formula
    neutralised so a spreadsheet shows it as text, and the file still loads."""
    raw = pd.read_csv(hostile_points, dtype=str, keep_default_na=False).set_index("id")
    assert raw.at["tpr_91001_fi", "name"] == HOSTILE
    assert raw.at["tpr_91002_fi", "name"] == "'" + FORMULA
    pts = load_service_points(hostile_points).set_index("id")
    assert pts.at["tpr_91001_fi", "name"] == HOSTILE


def test_hostile_register_text_shows_as_text_on_the_map(hostile_points, tmp_path):
    """`planner map` on the fetched file: the register name shows as typed, never as markup nor
    as a template's result (the template-injection fix of planner.escape)."""
    html_out = tmp_path / "map.html"
    result = runner.invoke(app, ["map", "--points", str(hostile_points), "--need", "social_any", "--no-tiles",
                                 "--no-charts", "--out", str(html_out)])
    assert result.exit_code == 0, result.output
    page = html_out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "\\u003cscript\\u003ealert(1)" not in page
    assert "Plan 49" not in page
    assert "7*7" in page  # the name shown as typed (however the fix escapes its braces)


def test_rules_file_mistakes_are_located(tmp_path):
    from planner.inputs.registers.mapping import load_rules

    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\nid = "x"\nname = ["kela"]\ncategory = "clinic"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"rules\.toml.*rule\[1\]\.category.*'clinic'"):
        load_rules(bad)
    bad.write_text('[[rule]]\nid = "x"\nname = ["(unclosed"]\ncategory = "kela"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"rule\[1\]\.name.*not a regular expression"):
        load_rules(bad)
    bad.write_text('[[rule]]\nid = "x"\nnmae = ["kela"]\ncategory = "kela"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"unknown key\(s\) \['nmae'\]"):
        load_rules(bad)
    result = runner.invoke(app, ["points", "fetch", "--out", str(tmp_path / "p.csv"), "--rules", str(bad),
                                 "--offline", "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 2 and "nmae" in result.output


def test_the_progress_line_does_not_disturb_a_run(tmp_path):
    ticks = []
    with fake.FakeRegisters() as srv:
        client = RegisterClient(tmp_path / "c", min_interval_s=0, on_request=ticks.append)
        client.get(f"{srv.tpr_url}v4/unit/", {"newfeatures": "yes"})
        result = runner.invoke(app, ["points", "fetch", "--out", str(tmp_path / "p.csv"), "--registers",
                                     "tpr", "--tpr-url", srv.tpr_url, "--cache-dir", str(tmp_path / "c2"),
                                     "--min-delay", "0"])  # progress on (the default)
    assert ticks == [f"{srv.tpr_url}v4/unit/?newfeatures=yes"]
    assert result.exit_code == 0, result.output
    assert "12 rows" in result.output


def test_a_file_that_would_not_load_is_never_written(tmp_path, monkeypatch):
    """The written file is loaded first; a row the planner would refuse stops the run, naming
    the output file, row and field (a safety net behind the rules, here fed a bad category)."""
    import planner.inputs.registers.fetch as fetch_module

    real = fetch_module.build_points

    def broken(*args, **kwargs):
        points, skipped = real(*args, **kwargs)
        points.loc[0, "category"] = "clinic"
        return points, skipped

    monkeypatch.setattr(fetch_module, "build_points", broken)
    out = tmp_path / "p.csv"
    with fake.FakeRegisters() as srv:
        with pytest.raises(DataError, match=r"p\.csv, row 1, field 'category'.*'clinic'"):
            fetch_points(out, registers=("tpr",), tpr_base=srv.tpr_url, cache_dir=tmp_path / "c",
                         min_interval_s=0, progress=False)
    assert list(tmp_path.glob("*.csv")) == [] and not list(tmp_path.glob(".p.csv*"))
