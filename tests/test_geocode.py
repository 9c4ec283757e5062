"""`planner geocode` against a local fake Nominatim on 127.0.0.1 (never the internet).

The fake answers in Nominatim's jsonv2 shape with real coordinates: Helsinki (city) and
Mannerheimintie (road) are verbatim from a live Nominatim response kept as a test
fixture in a public repository (Go package `places`, `sampleResponse`); the Oodi
library answer (Töölönlahdenkatu 4) carries the building's OpenStreetMap coordinates.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.errors import DataError
from planner.inputs.geocode import USER_AGENT, geocode_table, nominatim

ANSWERS = {
    "töölönlahdenkatu 4": {
        "lat": "60.1737813", "lon": "24.9380466", "name": "Helsingin keskustakirjasto Oodi",
        "display_name": "Helsingin keskustakirjasto Oodi, 4, Töölönlahdenkatu, Kluuvi, Helsinki, "
                        "Uusimaa, 00100, Suomi",
        "addresstype": "amenity", "type": "library",
        "address": {"house_number": "4", "road": "Töölönlahdenkatu", "city": "Helsinki",
                    "postcode": "00100", "country_code": "fi"}},
    "mannerheimintie": {
        "lat": "60.1699", "lon": "24.9384", "name": "Mannerheimintie",
        "display_name": "Mannerheimintie, Kluuvi, Helsinki, Uusimaa, Suomi",
        "addresstype": "road", "type": "primary",
        "address": {"road": "Mannerheimintie", "city": "Helsinki", "state": "Uusimaa"}},
    "helsinki": {
        "lat": "60.1674881", "lon": "24.9427473", "name": "Helsinki",
        "display_name": "Helsinki, Uusimaa, Manner-Suomi, Suomi",
        "addresstype": "city", "type": "city",
        "address": {"city": "Helsinki", "state": "Uusimaa", "country": "Suomi", "country_code": "fi"}},
}


class FakeNominatim(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server API
        url = urlparse(self.path)
        q = parse_qs(url.query)
        FakeNominatim.seen.append({"path": url.path, "q": q, "ua": self.headers.get("User-Agent")})
        if url.path != "/search":
            self.send_response(404)
            self.end_headers()
            return
        text = q["q"][0].lower()
        if text.startswith("error"):
            self.send_response(503)
            self.end_headers()
            return
        first = text.split(",")[0].strip()
        hit = next((v for k, v in ANSWERS.items() if first == k or first.startswith(k + " ")), None)
        if hit is None and first == "":
            hit = ANSWERS["helsinki"] if "helsinki" in text else None
        body = json.dumps([hit] if hit else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def server():
    FakeNominatim.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


ROWS = pd.DataFrame({
    "name": ["Oodi", "Street only", "Nowhere", "Down", "No postal code"],
    "address": ["Töölönlahdenkatu 4", "Mannerheimintie", "Keksittykatu 99", "error please", "Ei ole"],
    "postal_code": ["00100", "00100", "00980", "00620", ""],
    "municipality": ["Helsinki", "Helsinki", "Helsinki", "Helsinki", "Helsinki"],
})


def test_precision_cache_and_fallbacks(server, tmp_path):
    geo = nominatim(domain=server, scheme="http", min_delay_seconds=0.0, cache_dir=tmp_path,
                    user_agent="planner-test")
    out = geocode_table(ROWS, geo)
    r = out.set_index("name")
    assert r.loc["Oodi", "location_precision"] == "address"
    assert (r.loc["Oodi", "lon"], r.loc["Oodi", "lat"]) == pytest.approx((24.9380466, 60.1737813))
    assert r.loc["Street only", "location_precision"] == "street"
    # no match: the representative point of the postal area (00980 Vuosaari, east Helsinki)
    assert r.loc["Nowhere", "location_precision"] == "postal_area"
    assert 25.1 < r.loc["Nowhere", "lon"] < 25.2 and "no match" in r.loc["Nowhere", "geocode_source"]
    # the service failing (HTTP 503) falls back the same way and says so
    assert r.loc["Down", "location_precision"] == "postal_area"
    assert "unavailable" in r.loc["Down", "geocode_source"]
    # nothing known at all: a placeholder, never an invented site
    assert r.loc["No postal code", "location_precision"] == "unknown"
    assert pd.isna(r.loc["No postal code", "lon"])
    assert len(out) == len(ROWS)  # nothing dropped
    # usage policy: our user agent, Finnish results only
    assert all(s["ua"] == "planner-test" for s in FakeNominatim.seen)
    assert all(s["q"].get("countrycodes") == ["fi"] for s in FakeNominatim.seen)
    # every answer (also "no match") is cached: a second run asks nothing except the failed row
    n = len(FakeNominatim.seen)
    again = geocode_table(ROWS, geo)
    pd.testing.assert_frame_equal(again, out)
    assert len(FakeNominatim.seen) - n == 1  # only the row whose request failed is retried
    assert len(list((tmp_path / "nominatim").glob("*.json"))) == 4


def test_rate_limit_spaces_requests(server, tmp_path):
    import time

    geo = nominatim(domain=server, scheme="http", min_delay_seconds=0.3, cache_dir=tmp_path)
    t0 = time.monotonic()
    geocode_table(ROWS.iloc[:3], geo)
    assert time.monotonic() - t0 >= 0.55  # three requests, two waits of 0.3 s


def test_offline_and_bad_input(tmp_path):
    out = geocode_table(ROWS, None)
    assert (out["location_precision"].iloc[:4] == "postal_area").all()
    assert out["geocode_source"].iloc[0].startswith("offline")
    with pytest.raises(DataError, match="postal_code") as e:
        geocode_table(ROWS.drop(columns="postal_code"), None)
    assert e.value.field == "postal_code"
    bad = ROWS.assign(postal_code=["00100", "abc", "", "", ""])
    with pytest.raises(DataError) as e:
        geocode_table(bad, None)
    assert e.value.row == 2 and e.value.field == "postal_code"


def test_cli_geocode(server, tmp_path):
    src = tmp_path / "my_points.csv"
    ROWS.iloc[:3].to_csv(src, index=False)
    out = tmp_path / "located.csv"
    res = CliRunner().invoke(app, ["geocode", str(src), "--out", str(out), "--domain", server,
                                   "--scheme", "http", "--min-delay", "0", "--cache-dir",
                                   str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    located = pd.read_csv(out, dtype={"postal_code": str})
    assert located["location_precision"].tolist() == ["address", "street", "postal_area"]
    assert "3 geocoder request(s)" in res.output


def test_app_upload_path_locates_a_csv_against_the_local_geocoder(server, tmp_path):
    """The app's Export page: an uploaded address list comes back located, nothing dropped,
    and an address starting with '=' is text, not a live formula, in the CSV to download."""
    import csv
    import io

    from planner.app.state import geocode_upload

    rows = ROWS.assign(name=["Oodi", "=HYPERLINK(\"http://x\")", "Nowhere", "Down", "No postal code"])
    geo = nominatim(domain=server, scheme="http", min_delay_seconds=0.0, cache_dir=tmp_path)
    data, counts = geocode_upload(rows.to_csv(index=False).encode("utf-8"), "mine.csv", geocoder=geo)
    assert counts == {"address": 1, "street": 1, "postal_area": 2, "unknown": 1}
    out = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(out) == len(rows)
    assert out[1]["name"].startswith("'=")
    # offline (the app's default): every row with a postal code at its postal area
    _, offline = geocode_upload(rows.to_csv(index=False).encode("utf-8"), "mine.csv")
    assert offline == {"postal_area": 4, "unknown": 1}


# --- Digitransit (Pelias) -----------------------------------------------------------------------

PELIAS = {  # Pelias GeoJSON features (name and label, as Digitransit sends) with the real coordinates above
    "töölönlahdenkatu 4": {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [24.9380466, 60.1737813]},
        "properties": {"layer": "address", "name": "Töölönlahdenkatu 4",
                       "label": "Töölönlahdenkatu 4, Helsinki"}},
    "mannerheimintie": {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [24.9384, 60.1699]},
        "properties": {"layer": "street", "name": "Mannerheimintie", "label": "Mannerheimintie, Helsinki"}},
}


class FakePelias(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server API
        url = urlparse(self.path)
        q = parse_qs(url.query)
        FakePelias.seen.append({"path": url.path, "q": q, "ua": self.headers.get("User-Agent"),
                                "key": self.headers.get("digitransit-subscription-key")})
        if url.path != "/v1/search" or self.headers.get("digitransit-subscription-key") != "test-key":
            self.send_response(401 if url.path == "/v1/search" else 404)
            self.end_headers()
            return
        first = q["text"][0].lower().split(",")[0].strip()
        hit = PELIAS.get(first)
        body = json.dumps({"type": "FeatureCollection", "features": [hit] if hit else []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def pelias():
    FakePelias.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakePelias)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_digitransit_key_precision_and_fallback(pelias, tmp_path, monkeypatch):
    from planner.inputs.geocode import DIGITRANSIT_KEY_ENV, digitransit

    monkeypatch.delenv(DIGITRANSIT_KEY_ENV, raising=False)
    with pytest.raises(ValueError, match=DIGITRANSIT_KEY_ENV):
        digitransit(domain=pelias, scheme="http", cache_dir=tmp_path)
    monkeypatch.setenv(DIGITRANSIT_KEY_ENV, "test-key")
    geo = digitransit(domain=pelias, scheme="http", min_delay_seconds=0.0, cache_dir=tmp_path)
    out = geocode_table(ROWS.iloc[:3], geo).set_index("name")
    assert out.loc["Oodi", "location_precision"] == "address"
    assert (out.loc["Oodi", "lon"], out.loc["Oodi", "lat"]) == pytest.approx((24.9380466, 60.1737813))
    assert out.loc["Oodi", "geocode_source"] == "digitransit: Töölönlahdenkatu 4, Helsinki"
    assert out.loc["Street only", "location_precision"] == "street"
    assert out.loc["Nowhere", "location_precision"] == "postal_area"  # no match: postal area 00980
    # the key goes as Digitransit's request header, never in the address (logs, caches); Finnish
    # results only; asked through geopy's public Pelias.geocode (no private geopy call)
    assert all(s["q"]["boundary.country"] == ["FIN"] for s in FakePelias.seen)
    assert all(s["key"] == "test-key" and "test-key" not in str(s["q"]) for s in FakePelias.seen)
    assert all(s["ua"] == USER_AGENT for s in FakePelias.seen)
    # a wrong key (HTTP 401) falls back to the postal area and says why, per row
    wrong = digitransit(api_key="wrong", domain=pelias, scheme="http", min_delay_seconds=0.0,
                        cache_dir=tmp_path / "other")
    r = geocode_table(ROWS.iloc[:1], wrong)
    assert r["location_precision"].tolist() == ["postal_area"]
    assert "unavailable" in r["geocode_source"].iloc[0]


def test_cli_geocode_digitransit(pelias, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITRANSIT_SUBSCRIPTION_KEY", "test-key")
    src = tmp_path / "my_points.csv"
    ROWS.iloc[:2].to_csv(src, index=False)
    out = tmp_path / "located.csv"
    res = CliRunner().invoke(app, ["geocode", str(src), "--out", str(out), "--service", "digitransit",
                                   "--domain", pelias, "--scheme", "http", "--min-delay", "0",
                                   "--cache-dir", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    located = pd.read_csv(out, dtype={"postal_code": str})
    assert located["location_precision"].tolist() == ["address", "street"]
    assert "2 geocoder request(s)" in res.output


def test_the_query_names_the_postal_code_and_municipality_of_the_row(server, tmp_path):
    """The geocoder is asked for 'address, postal code municipality, Finland' as the file says,
    and a blank municipality or postal code leaves no 'None' / 'nan' word in the question."""
    geo = nominatim(domain=server, scheme="http", min_delay_seconds=0.0, cache_dir=tmp_path,
                    user_agent="planner-test")
    rows = pd.DataFrame({"address": ["Töölönlahdenkatu 4", "Keksittykatu 99"],
                         "postal_code": ["00100", None], "municipality": ["Helsinki", None]})
    geocode_table(rows, geo)
    asked = [s["q"]["q"][0] for s in FakeNominatim.seen if s["path"] == "/search"]
    assert asked == ["Töölönlahdenkatu 4, 00100 Helsinki, Finland", "Keksittykatu 99, Finland"]


def test_cli_geocode_a_file_that_cannot_be_written_is_one_error_line(tmp_path):
    """--out whose name is too long for the file system (checked only when written): exit 2 and
    an 'error:' line that names the folder, not an empty line or a traceback."""
    src = tmp_path / "my_points.csv"
    ROWS.iloc[:1].to_csv(src, index=False)
    out = tmp_path / ("x" * 250 + ".csv")  # the temporary file next to it exceeds 255 bytes
    res = CliRunner().invoke(app, ["geocode", str(src), "--out", str(out), "--offline"])
    assert res.exit_code == 2
    assert f"error: cannot write to {tmp_path}" in res.output
    assert not out.exists()
