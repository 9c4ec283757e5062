"""Issue 28: the register client's cache, retries and error lines against a local HTTP server.

The server on 127.0.0.1 answers a fixed path table (JSON, HTML, 404, 503); every expected
error line was written from the client's rule (URL with sorted parameters, HTTP status and
reason, "after N retries" only for the statuses it retries).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from planner.inputs.registers import ptv, tpr
from planner.inputs.registers.client import Answer, RegisterClient, RegisterError, full_url


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        self.server.log.append(self.path)
        if path == "/json":
            body, status, ctype = json.dumps({"ok": "ä"}).encode(), 200, "application/json"
        elif path == "/html":
            body, status, ctype = b"<html>maintenance</html>", 200, "text/html"
        elif path == "/list":
            body, status, ctype = b"[1, 2]", 200, "application/json"
        elif path == "/pages":
            body, status, ctype = json.dumps({"pageCount": 1001}).encode(), 200, "application/json"
        elif path == "/nopages":
            body, status, ctype = json.dumps({"pageCount": None,
                                              "itemList": None}).encode(), 200, "application/json"
        elif path == "/busy-once":
            first = not self.server.busy_seen
            self.server.busy_seen = True
            body, status, ctype = (b"wait", 429, "text/plain") if first else (b"[3]", 200, "application/json")
        elif path == "/503":
            body, status, ctype = b"busy", 503, "text/plain"
        else:
            body, status, ctype = b"no", 404, "text/plain"
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def base():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.log = []
    srv.busy_seen = False
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", srv.log
    srv.shutdown()
    srv.server_close()


def _client(tmp_path, **kw):
    return RegisterClient(cache_dir=tmp_path, min_interval_s=0.0, retries=0, backoff_s=0.0, timeout_s=5, **kw)


def test_full_url_orders_parameters_and_joins_with_the_right_sign():
    assert full_url("http://h/a", None) == "http://h/a" and full_url("http://h/a", {}) == "http://h/a"
    assert full_url("http://h/a", {"page": 2, "code": "049"}) == "http://h/a?code=049&page=2"
    assert full_url("http://h/a?x=1", {"b": "ä ö"}) == "http://h/a?x=1&b=%C3%A4+%C3%B6"


def test_an_answer_is_cached_and_read_offline(tmp_path, base):
    url, log = base
    seen = []
    c = _client(tmp_path, on_request=seen.append)
    a = c.get(url + "/json", {"q": "1"})
    assert (a.url, a.data) == (url + "/json?q=1", {"ok": "ä"})
    assert len(a.fetched_at) == 25 and a.fetched_at.endswith("+00:00") and a.fetched_on == a.fetched_at[:10]
    assert c.requests == 1 and seen == [url + "/json?q=1"]
    off = _client(tmp_path, offline=True)
    b = off.get(url + "/json", {"q": "1"})
    assert b == a and off.requests == 0
    with pytest.raises(RegisterError) as e:
        off.get(url + "/json", {"q": "2"})
    assert str(e.value) == (f"GET {url}/json?q=2: not in the cache {tmp_path} (--offline); fetch once "
                            "without "
                            "--offline")


def test_an_unreadable_cache_entry_says_how_to_recover(tmp_path, base):
    url, _ = base
    c = _client(tmp_path)
    c.get(url + "/json")
    path = c._path(url + "/json")
    path.write_text('{"url": "x"}', encoding="utf-8")  # no data, no fetched_at
    with pytest.raises(RegisterError) as e:
        _client(tmp_path, offline=True).get(url + "/json")
    assert str(e.value).startswith(f"cache entry {path} for {url}/json is unreadable (")
    assert str(e.value).endswith("); delete it and fetch again without --offline")


def test_http_errors_name_status_reason_and_retries(tmp_path, base):
    url, _ = base
    c = _client(tmp_path)
    with pytest.raises(RegisterError) as e:
        c.get(url + "/missing")
    assert str(e.value) == f"GET {url}/missing: HTTP 404 Not Found"  # 404 is not retried
    with pytest.raises(RegisterError) as e:
        c.get(url + "/503")
    assert str(e.value) == f"GET {url}/503: HTTP 503 Service Unavailable after 0 retries"
    with pytest.raises(RegisterError) as e:
        c.get(url + "/html")
    assert str(e.value) == f"GET {url}/html: HTTP 200 but the answer is not JSON (text/html)"
    assert c.requests == 3
    assert not any(tmp_path.glob("*.json"))  # nothing wrong is cached


def test_no_answer_is_one_line_naming_the_retries(tmp_path):
    c = _client(tmp_path)
    with pytest.raises(RegisterError) as e:
        c.get("http://127.0.0.1:9/x")  # the discard port: nothing listens
    assert str(e.value).startswith("GET http://127.0.0.1:9/x: no answer after 0 retries (ConnectionError: ")


def test_a_batch_reports_every_failure_together(tmp_path, base):
    url, _ = base
    c = _client(tmp_path)
    with pytest.raises(RegisterError) as e:
        c.get_many([(url + "/json", None), (url + "/a", None), (url + "/b", {"p": 1})])
    assert str(e.value) == (f"2 register request(s) failed:\n  GET {url}/a: HTTP 404 Not Found\n"
                            f"  GET {url}/b?p=1: HTTP 404 Not Found")
    assert [a.data for a in c.get_many([(url + "/json", None)])] == [{"ok": "ä"}]


def test_the_interval_between_requests_is_kept(tmp_path, base):
    import time

    url, _ = base
    c = RegisterClient(cache_dir=tmp_path, min_interval_s=0.3, retries=0)
    c.get(url + "/json")
    t0 = time.monotonic()
    c.get(url + "/json", {"n": 2})
    assert time.monotonic() - t0 >= 0.29


def test_ptv_paging_refuses_a_non_page_and_an_implausible_page_count(tmp_path, base):
    url, _ = base
    c = _client(tmp_path)
    with pytest.raises(RegisterError) as e:
        ptv._paged(c, url + "/list", {})
    assert str(e.value) == f"GET {url}/list?page=1: expected a page object, got list"
    with pytest.raises(RegisterError) as e:
        ptv._paged(c, url + "/pages", {})
    assert str(e.value) == f"GET {url}/pages?page=1: implausible pageCount 1001"
    assert [a.url for a in ptv._paged(c, url + "/nopages", {"x": "1"})] == [url + "/nopages?page=1&x=1"]


def test_ptv_fetch_gathers_failures_of_every_job(tmp_path, base):
    url, _ = base
    with pytest.raises(RegisterError) as e:
        ptv.fetch_ptv(_client(tmp_path), ["049", "091"], ["0245437-2"], base=url)
    lines = str(e.value).splitlines()
    assert lines[0] == "3 register request(s) failed:"
    assert lines[1] == (f"  GET {url}/ServiceChannel/list/area/Municipality/code/049"
                        "?includeWholeCountry=false"
                        "&page=1: HTTP 404 Not Found")
    assert lines[3] == (f"  GET {url}/ServiceChannel/list/organization?code=0245437-2&page=1: "
                        "HTTP 404 Not Found")


def test_ptv_values_locations_and_duplicate_channels():
    items = [{"type": "Name", "language": "fi", "value": "A"}, {"type": "Other", "language": "sv",
                                                                "value": "x"},
             {"language": "sv", "value": "B"}, {"type": "Name", "language": "fi", "value": "second"},
             {"type": "Name", "language": "en", "value": ""}]
    assert ptv._lang_values(items, "Name") == {"fi": "A", "sv": "B"}
    assert ptv._lang_values(None) == {}
    assert ptv._location({"addresses": [{"type": "Postal", "streetAddress": {"a": 1}},
                                        {"type": "Location", "streetAddress": None},
                                        {"type": "Location", "streetAddress": {"b": 2}}]}) == {"b": 2}
    assert ptv._location({}) == {}
    assert ptv._num("60.5") == 60.5 and ptv._num(None) is None and ptv._num("x") is None
    assert ptv._num(float("nan")) is None
    ch = {"id": "c1", "serviceChannelNames": [{"language": "fi", "value": "Kela"}]}
    pages = [(Answer("u", {"itemList": [ch, {"id": ""}]}, "2026-01-02T00:00:00+00:00"), ""),
             (Answer("u", {"itemList": [ch]}, "2026-01-02T00:00:00+00:00"), "org1"),
             (Answer("u", {"itemList": [ch]}, "2026-01-02T00:00:00+00:00"), "org1"),
             (Answer("u", {"itemList": None}, "2026-01-02T00:00:00+00:00"), "org2")]
    recs = ptv.channel_records(pages)
    assert [r.register_id for r in recs] == ["c1"] and recs[0].organisation_codes == ["org1"]


def test_tpr_needs_a_list_of_units_and_skips_units_without_id():
    with pytest.raises(RegisterError) as e:
        tpr.unit_records(Answer("http://h/v4/unit/", {"results": []}, "2026-01-02T00:00:00+00:00"), [])
    assert str(e.value) == "GET http://h/v4/unit/: expected a JSON list of units, got dict"
    recs = tpr.unit_records(Answer("http://h/v4/unit/", [{"name_fi": "x"}, {"id": 5, "name_fi": "Kela",
                                                                         "easting_etrs_tm35fin": "385000",
                                                                         "northing_etrs_tm35fin": None}],
                                   "2026-01-02T00:00:00+00:00"), [])
    assert [r.register_id for r in recs] == ["5"]
    assert (recs[0].x, recs[0].y) == (385000.0, None)
    assert tpr._num(float("nan")) is None and tpr._num([1]) is None


def test_a_tpr_unit_becomes_one_record_with_every_field():
    unit = {"id": 51, "name_fi": "Sosiaalineuvonta", "name_sv": "Socialrådgivning", "name_en": "",
            "street_address_fi": "Katu 1", "street_address_sv": "Gatan 1", "address_zip": "00100",
            "address_city_fi": "Helsinki", "address_city_sv": "Helsingfors", "address_city_en": "Helsinki",
            "latitude": "60.17", "longitude": 24.94, "easting_etrs_tm35fin": 385800,
            "northing_etrs_tm35fin": "6672000", "dept_id": "", "org_id": "org-7",
            "connections": [{"section_type": "OPENING_HOURS", "name_fi": "ma-pe 8.15–16", "name_sv": "må-fr"},
                            {"section_type": "LINK", "name_fi": "www"},
                            {"section_type": "OPENING_HOUR_OBJECT", "name_en": "by appointment"}]}
    descs = [Answer("d", {"id": 7705, "title": "Aikuissosiaalityö", "unit_ids": [51, "52"],
                          "provided_languages": ["sv", "fi"], "description_short": "lyhyt",
                          "description_long": None}, "2026-01-02T00:00:00+00:00"),
             Answer("d", {"id": 9, "title": None, "unit_ids": [52]}, "2026-01-02T00:00:00+00:00")]
    [r] = tpr.unit_records(Answer("u", [unit], "2026-01-03T10:00:00+00:00"), descs, base="http://h/rest")
    assert (r.register, r.register_id, r.url, r.fetched_on) == ("tpr", "51", "http://h/rest/v4/unit/51",
                                                                 "2026-01-03")
    assert r.names == {"fi": "Sosiaalineuvonta", "sv": "Socialrådgivning"}
    assert r.street == {"fi": "Katu 1", "sv": "Gatan 1"} and r.postal_code == "00100"
    assert r.post_office == {"fi": "Helsinki", "sv": "Helsingfors"}
    assert r.municipality_code == "" and r.municipality_names == ["Helsinki", "Helsingfors", "Helsinki"]
    assert (r.x, r.y, r.lon, r.lat) == (385800.0, 6672000.0, 24.94, 60.17)
    assert r.languages == ["fi", "sv"] and r.languages_from == "TPR service description 7705"
    assert r.services == ["Aikuissosiaalityö"] and r.service_ids == ["7705"]
    assert r.organisation == "org-7"
    assert r.hours_text == ["ma-pe 8.15–16", "må-fr", "by appointment"]
    assert r.booking_text == ["lyhyt", ""]
    assert (r.reservation_hours, r.plain_hours) == (False, True)
    [bare] = tpr.unit_records(Answer("u", [{"id": 3, "name_fi": "X", "connections": [
        {"section_type": "OPENING_HOURS", "name_fi": "aina auki"}]}], "2026-01-03T10:00:00+00:00"), descs)
    assert bare.url == tpr.DEFAULT_BASE + "v4/unit/3"
    assert (bare.languages, bare.languages_from, bare.organisation, bare.postal_code) == ([], "", "", "")
    assert bare.plain_hours is False  # hours without a time range are not opening hours


@pytest.mark.parametrize("text, has", [("ma-pe 8-16", True), ("8.15 – 16", True), ("00-24", True),
                                       ("9:30-11", True), ("ajanvarauksella", False), ("ma-pe", False),
                                       ("2024", False)])
def test_opening_hours_need_a_time_range(text, has):
    assert tpr._has_time(text) is has


def test_tpr_fetch_asks_the_units_and_each_description(tmp_path, base):
    url, log = base
    with pytest.raises(RegisterError) as e:
        tpr.fetch_tpr(_client(tmp_path), [5], base=url)
    assert str(e.value) == (f"1 register request(s) failed:\n  GET {url}/v4/unit/?newfeatures=yes: "
                            "HTTP 404 Not Found")


def _channel(**kw):
    ch = {"id": "c9", "serviceChannelType": "ServiceLocation",
          "serviceChannelNames": [{"type": "Name", "language": "fi", "value": "Kela Espoo"},
                                  {"type": "AlternativeName", "language": "fi", "value": "KELA"}],
          "addresses": [{"type": "Location", "streetAddress": {
              "street": [{"language": "fi", "value": "Katu"}, {"language": "sv", "value": " "}],
              "streetNumber": " 4 B ", "postalCode": "02100",
              "postOffice": [{"language": "fi", "value": "ESPOO"}],
              "municipality": {"code": "49", "name": [{"language": "fi", "value": "Espoo"},
                                                      {"language": "sv", "value": "Esbo"}]},
              "latitude": "6671000", "longitude": "375000"}}],
          "languages": ["sv", "fi", "fi"], "organizationId": "org-1",
          "services": [{"service": {"id": "s1", "name": "Kela"}}, {"service": None}],
          "serviceChannelDescriptions": [{"value": "Ajanvaraus"}, {"value": ""}],
          "serviceHours": [
              {"serviceHourType": "DaysOfTheWeek", "isReservation": True,
               "additionalInformation": [{"language": "fi", "value": "ajanvarauksella"}]},
              {"serviceHourType": "Exception", "openingHour": [1]},
              {"serviceHourType": "DaysOfTheWeek", "isClosed": True, "openingHour": [1]}]}
    ch.update(kw)
    return ch


def test_a_ptv_channel_becomes_one_record_with_every_field():
    [r] = ptv.channel_records([(Answer("u", {"itemList": [_channel()]}, "2026-01-04T00:00:00+00:00"),
                                "0246246-0")],
                              base="http://h/api")
    assert (r.register, r.register_id, r.url, r.fetched_on, r.kind) == (
        "ptv", "c9", "http://h/api/ServiceChannel/c9", "2026-01-04", "ServiceLocation")
    assert r.names == {"fi": "Kela Espoo"}
    assert r.street == {"fi": "Katu 4 B"} and r.postal_code == "02100" and r.post_office == {"fi": "ESPOO"}
    assert r.municipality_code == "049" and r.municipality_names == ["Espoo", "Esbo"]
    assert (r.x, r.y) == (375000.0, 6671000.0)  # PTV's 'longitude' is the easting
    assert r.languages == ["fi", "sv"] and r.languages_from == "PTV channel languages"
    assert r.services == ["Kela", ""] and r.service_ids == ["s1", ""]
    assert r.organisation == "org-1" and r.organisation_codes == ["0246246-0"]
    assert r.hours_text == ["ajanvarauksella"] and r.booking_text == ["Ajanvaraus"]
    # only weekly hours that are not closed count: one, by reservation
    assert (r.reservation_hours, r.plain_hours) == (True, False)


def test_ptv_plain_hours_and_a_missing_municipality_code():
    hours = [{"openingHour": [1]}, {"serviceHourType": "DaysOfTheWeek", "isAlwaysOpen": True}]
    addr = [{"type": "Location", "streetAddress": {"municipality": {"code": "Espoo"}}}]
    [r] = ptv.channel_records([(Answer("u", {"itemList": [_channel(serviceHours=hours, addresses=addr,
                                                                    languages=None)]},
                                       "2026-01-04T00:00:00+00:00"), "")])
    assert (r.reservation_hours, r.plain_hours) == (False, True)
    assert r.municipality_code == "" and r.street == {} and r.organisation_codes == []
    assert r.languages == [] and r.languages_from == ""
    assert r.url == ptv.DEFAULT_BASE + "ServiceChannel/c9"
    [none] = ptv.channel_records([(Answer("u",
                                          {"itemList": [_channel(serviceHours=[{"isReservation": False}])]},
                                          "2026-01-04T00:00:00+00:00"), "")])
    assert (none.reservation_hours, none.plain_hours) == (False, False)  # no hours given


def test_a_busy_register_is_asked_again_after_the_time_it_names(tmp_path, base):
    """HTTP 429 with Retry-After: 1 -> the client waits that second (backoff alone would be 0 s)."""
    import time

    url, log = base
    c = RegisterClient(cache_dir=tmp_path, min_interval_s=0.0, retries=1, backoff_s=0.0, timeout_s=5)
    headers = c.session().headers
    assert headers["User-Agent"].startswith("uusimaa-service-network-planner/")
    assert headers["Accept"] == "application/json"
    t0 = time.monotonic()
    assert c.get(url + "/busy-once").data == [3]
    assert time.monotonic() - t0 >= 0.9
    assert [p for p in log if p.startswith("/busy-once")] == ["/busy-once", "/busy-once"]
    assert c.requests == 1  # one request of ours, retried by the session
