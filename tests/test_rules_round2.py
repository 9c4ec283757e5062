"""Domain rules pinned at their boundaries, round 2 (issue 28): the kinds of fault an independent
run of hand-written mutants found the suite blind to.

Each test is named after the rule it pins and was seen to fail with the one-line fault listed in
docs/faults.md put in by hand. Every expected figure is worked out by hand in the comments
(minutes = metres / 100 with the hand-set line model), never taken from the code's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from planner.analysis.accessibility import point_load, unit_access
from planner.analysis.comparison import area_changes, unit_changes, worst_off
from planner.analysis.scenario import _resolve_chains, evaluate, parse_scenario
from planner.analysis.study import Results, Study, evaluate_points
from planner.settings import ModeParams
from planner.traveltime import StraightLineModel, TravelTimeMatrix, travel_time_matrix

X0, Y0 = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067
# 100 m/min, no detour, no access time: minutes = metres / 100
MODEL = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))
INF, NAN = np.inf, np.nan


def lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(3067, 4326, always_xy=True).transform(x, y)


def small_study(borders, units: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> Study:
    from planner.inputs.data import load_municipal_centres, load_municipalities

    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), MODEL,
                 travel_time_matrix(MODEL, units, points),
                 {"model": MODEL.model, "mode": "walk", "data_year": "test", "scenario": "baseline"})


def one_unit(pop_fi: int = 100, pop_sv: int = 0) -> gpd.GeoDataFrame:
    units = gpd.GeoDataFrame({
        "unit_id": ["U"], "unit_type": "test", "name": ["U"], "municipality_code": "091",
        "municipality": ["Helsinki"], "service_area": "S", "pop_fi": [pop_fi], "pop_sv": [pop_sv],
        "pop_sv_estimated": True, "located": True, "x_m": [X0], "y_m": [Y0],
    }, geometry=[Point(X0, Y0)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    return units


def kela_points(spec: list[tuple[str, float]]) -> gpd.GeoDataFrame:
    """Kela offices ``(id, metres east of the unit)`` in Helsinki."""
    return gpd.GeoDataFrame({
        "id": [s[0] for s in spec], "name": [s[0] for s in spec], "category": "kela",
        "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(X0 + s[1], Y0) for s in spec], crs=3067)


def kela_row(res: Results) -> pd.Series:
    a = res.access
    return a[(a["need"] == "kela") & (a["group"] == "fi")].set_index("unit_id").loc["U"]


# --- merge chains of three and four steps ---------------------------------------------------


def test_resolve_chains_follows_three_and_four_steps_to_the_final_receiver():
    # a -> b -> c -> d: every closed point's clients end at d, not at the next or second receiver
    assert _resolve_chains({"a": "b", "b": "c", "c": "d"}) == {"a": "d", "b": "d", "c": "d"}
    assert _resolve_chains({"a": "b", "b": "c", "c": "d", "d": "e", "x": "c"}) == {
        "a": "e", "b": "e", "c": "e", "d": "e", "x": "e"}


@pytest.fixture(scope="module")
def chain_line(borders):
    """Unit U (100 fi) at X0; Kela K1 100 m (1 min), N 500 m (5 min, never merged), K2 2 km,
    K3 4 km, K4 6 km, K5 8 km east (20, 40, 60, 80 min)."""
    pts = kela_points([("K1", 100), ("N", 500), ("K2", 2000), ("K3", 4000), ("K4", 6000), ("K5", 8000)])
    return small_study(borders, one_unit(), pts)


def _chain(*pairs, clients="receiving"):
    return parse_scenario({"name": "chain", "changes": [
        {"merge": {"into": into, "from": [gone], "clients": clients}} for gone, into in pairs]})


@pytest.mark.parametrize("pairs, final, minutes", [
    # three steps: K1 -> K2 -> K3 -> K4: U's clients (at K1 before) go to K4, 6 km = 60 min
    ((("K1", "K2"), ("K2", "K3"), ("K3", "K4")), "K4", 60.0),
    # four steps: ... -> K5, 8 km = 80 min (even though N stays open 5 min away)
    ((("K1", "K2"), ("K2", "K3"), ("K3", "K4"), ("K4", "K5")), "K5", 80.0),
])
def test_receiving_merge_chain_of_three_and_four_steps_sends_clients_to_the_last_receiver(
        chain_line, pairs, final, minutes):
    base = evaluate_points(chain_line)
    assert kela_row(base)["point_id"] == "K1" and kela_row(base)["time_min"] == pytest.approx(1.0)
    res, applied = evaluate(chain_line, _chain(*pairs), base)
    assert applied.merges == {gone: final for gone, _ in pairs}
    assert applied.state[final] == "changed"
    assert all(applied.state[gone] == "closed" for gone, _ in pairs)
    r = kela_row(res)
    assert (r["point_id"], r["time_min"]) == (final, pytest.approx(minutes))
    # the point load moves all 100 residents to the final receiver
    load = res.load[(res.load["need"] == "kela") & (res.load["group"] == "fi")].set_index("id")["residents"]
    assert load.get(final, 0) == 100 and load.get("N", 0) == 0


# --- a point opened and merged into in the same file ----------------------------------------


def test_point_opened_and_merged_into_in_one_file_is_reported_opened_not_changed(chain_line):
    # open K9 3 km east (30 min), then merge K1 into it: K1's clients go there (receiving)
    lon, lat = lonlat(X0 + 3000, Y0)
    sc = parse_scenario({"name": "joint office", "changes": [
        {"open": {"id": "K9", "name": "Joint office", "category": "kela", "municipality_code": "091",
                  "lon": lon, "lat": lat}},
        {"merge": {"into": "K9", "from": ["K1"], "clients": "receiving"}}]})
    base = evaluate_points(chain_line)
    res, applied = evaluate(chain_line, sc, base)
    assert applied.state == {"K9": "opened", "K1": "closed"}
    assert applied.merges == {"K1": "K9"}
    # given by lon/lat without an address: located at that address-precise spot, no address text
    k9 = applied.points.set_index("id").loc["K9"]
    assert (k9["location_precision"], k9["address"]) == ("address", "")
    r = kela_row(res)
    assert (r["point_id"], r["time_min"]) == ("K9", pytest.approx(30.0))
    # the map marks it as opened: its marker sits in the "opened" layer with state "opened"
    from planner.outputs.maps import _SvgPoints, scenario_map

    m = scenario_map(chain_line, res, "kela", "fi", applied=applied, tiles=None)
    states = {f["properties"]["title"]: f["properties"]["state"] for c in m._children.values()
              if isinstance(c, _SvgPoints) for f in c.data["features"] if f["properties"].get("title")}
    assert states["Joint office"] == "opened" and states["K1"] == "closed" and states["N"] == "open"
    # the receiver must be opened before the merge that keeps it: later in the file it is unknown
    from planner.analysis.scenario import apply_scenario
    from planner.errors import ScenarioError

    late = parse_scenario({"name": "late", "changes": [sc.changes[1], sc.changes[0]]})
    with pytest.raises(ScenarioError, match="unknown point id 'K9'") as exc:
        apply_scenario(chain_line, late)
    assert (exc.value.row, exc.value.field) == (1, "into")


# --- which residents a count includes ---------------------------------------------------------


def _units(ids, pop_fi, pop_sv=None) -> gpd.GeoDataFrame:
    n = len(ids)
    units = gpd.GeoDataFrame({
        "unit_id": ids, "name": [f"unit {i}" for i in ids], "municipality": ["M"] * n,
        "service_area": ["S"] * n, "pop_fi": pop_fi, "pop_sv": pop_sv or [0] * n, "located": [True] * n,
    }, geometry=[Point(k, 0) for k in range(n)], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    return units


def _points(ids, cats) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ids, "name": ids, "category": cats},
                            geometry=[Point(k, 1) for k in range(len(ids))], crs=3067)


def _results(units, points, ttm, name) -> Results:
    access = unit_access(units, points, ttm)
    return Results(access=access, summaries={}, load=point_load(access, points),
                   reception=pd.DataFrame(), provenance={"scenario": name})


def _lost(row: pd.Series) -> int:
    """Residents who lose access: ``pop_lost_access`` (issue 24's name) or ``pop_lose_access``."""
    return int(row["pop_lost_access"] if "pop_lost_access" in row.index else row["pop_lose_access"])


@pytest.fixture()
def gain_and_loss():
    """Before p1, p2 open; after p1 closed, p3 opened. Minutes by hand (walk-in, Finnish):

    unit  pop  p1   p2   p3   before  after  change
    LOSE   30  5    inf  inf  5       inf    +inf  (loses access)
    GAIN    7  inf  inf  12   inf     12     -inf  (gains access: not a loss)
    NONE   50  inf  inf  inf  inf     inf    0     (never served)
    SAME   11  inf  8    inf  8       8      0
    MORE    4  2    9    inf  2       9      +7
    """
    units = _units(["LOSE", "GAIN", "NONE", "SAME", "MORE"], [30, 7, 50, 11, 4])
    pts = _points(["p1", "p2", "p3"], ["fi_walkin"] * 3)
    ttm = TravelTimeMatrix(units["unit_id"].to_numpy(), pts["id"].to_numpy(), np.array([
        [5, INF, INF], [INF, INF, 12], [INF, INF, INF], [INF, 8, INF], [2, 9, INF]], float))
    before = _results(units, pts[pts["id"] != "p3"], ttm, "baseline")
    after = _results(units, pts[pts["id"] != "p1"], ttm, "close p1, open p3")
    return units, unit_changes(before, after)


def test_lost_access_counts_only_residents_who_lose_it_not_those_who_gain_it(gain_and_loss):
    units, ch = gain_and_loss
    table = area_changes(ch, units, None)
    for group in ("fi", "all"):
        r = table[(table["need"] == "social_walkin") & (table["group"] == group)].iloc[0]
        assert _lost(r) == 30                       # LOSE only; GAIN (7) gains access
        assert r["pop_worse"] == 30 + 4             # LOSE and MORE
        assert r["pop_better"] == 7                 # GAIN
        assert r["pop_lose_gt_10"] == 30            # +inf is more than 10; -inf is not
    # per unit: the loss is +inf, the gain -inf, never served 0
    d = ch[(ch["need"] == "social_walkin") & (ch["group"] == "fi")].set_index("unit_id")["delta_min"]
    assert np.isposinf(d["LOSE"]) and np.isneginf(d["GAIN"]) and d["NONE"] == 0.0
    # the worst-off list names the loser first and never the unit that gains access
    w = worst_off(ch, units, "social_walkin", group="fi")
    assert w["unit_id"].tolist() == ["LOSE", "MORE"]


def test_worst_off_ranks_by_the_population_weighted_loss_where_weighting_changes_the_order():
    """A: 90 fi lose 10 min, 10 sv lose 50 min -> weighted (900 + 500) / 100 = 14 min
    (unweighted mean of the two groups 30, largest 50). B: 100 fi lose 20 min -> 20 min.
    Population-weighted, B ranks first; by the unweighted or largest figure A would."""
    units = _units(["A", "B"], [90, 100], [10, 0])
    pts = _points(["fi1", "fi2", "sv1", "sv2"], ["fi_walkin", "fi_walkin", "sv_walkin", "sv_walkin"])
    ttm = TravelTimeMatrix(np.array(["A", "B"]), pts["id"].to_numpy(),
                           np.array([[0.0, 10.0, 0.0, 50.0], [0.0, 20.0, INF, INF]]))
    before = _results(units, pts, ttm, "baseline")
    after = _results(units, pts[pts["id"].isin(["fi2", "sv2"])], ttm, "close fi1, sv1")
    w = worst_off(unit_changes(before, after), units, "social_walkin")
    assert w["unit_id"].tolist() == ["B", "A"]
    assert w["mean_delta_min"].tolist() == [pytest.approx(20.0), pytest.approx(14.0)]
    assert w.set_index("unit_id").loc["A", "population"] == 100


# --- boundary dates -------------------------------------------------------------------------


def _points_file(tmp_path, rows: list[str]):
    p = tmp_path / "points.csv"
    p.write_text("id,name,category,municipality_code,lon,lat,valid_from,valid_to\n" + "\n".join(rows) + "\n",
                 encoding="utf-8")
    return p


# three real Kela sites (geodata/service_points.csv): Kamppi, Iso Omena, Tikkurila
KAMPPI = "091,24.929157,60.173308"
ISO_OMENA = "049,24.743121,60.152430"
TIKKURILA = "092,25.025408,60.293388"


def test_a_point_valid_for_a_single_day_is_loaded_and_open_on_that_day_only(tmp_path, borders):
    from planner.inputs.data import load_service_points, select_points

    p = _points_file(tmp_path, [f"one_day,One day,kela,{KAMPPI},2022-06-15,2022-06-15",
                                f"always,Always,kela,{ISO_OMENA},,"])
    pts = load_service_points(p, borders=borders)   # valid_from == valid_to is a period, not an error
    assert pts["valid_from"].iloc[0] == pts["valid_to"].iloc[0] == pd.Timestamp("2022-06-15")
    assert select_points(pts, "2022-06-15")["id"].tolist() == ["one_day", "always"]
    assert select_points(pts, "2022-06-14")["id"].tolist() == ["always"]
    assert select_points(pts, "2022-06-16")["id"].tolist() == ["always"]
    assert select_points(pts, dt.date(2022, 6, 15))["id"].tolist() == ["one_day", "always"]


def test_default_network_date_is_the_last_day_of_the_data_year_exactly(tmp_path):
    """No --date: the network of 2022-12-31. A point closing on 2022-12-30 is gone, one valid
    on 2022-12-31 only is open, one opening on 2023-01-01 is not yet open."""
    from planner.analysis.study import default_date, load_study

    assert default_date() == "2022-12-31"
    p = _points_file(tmp_path, [f"closed_30,Closed 30 Dec,kela,{KAMPPI},,2022-12-30",
                                f"only_31,Only 31 Dec,kela,{ISO_OMENA},2022-12-31,2022-12-31",
                                f"opens_1,Opens 1 Jan,kela,{TIKKURILA},2023-01-01,"])
    study = load_study(points=p)
    assert study.points["id"].tolist() == ["only_31"]
    assert study.provenance["network_date"] == "2022-12-31"
    assert load_study(points=p, date="2023-01-01").points["id"].tolist() == ["opens_1"]


# --- cache keys: the content, and every parameter -----------------------------------------------


def test_two_matrix_files_with_one_name_and_different_bytes_are_two_entries(tmp_path):
    from planner.inputs.matrices import save_matrix, stored_matrices

    a_bytes = b"from_id,to_id,travel_time\n00100,kela_a,7\n"
    b_bytes = b"from_id,to_id,travel_time\n00100,kela_a,9\n"
    a = save_matrix(a_bytes, "r5py.csv", tmp_path)
    b = save_matrix(b_bytes, "r5py.csv", tmp_path)
    assert a != b and a.read_bytes() == a_bytes and b.read_bytes() == b_bytes
    assert len(stored_matrices(tmp_path)) == 2
    # the entry is named by the bytes: the first 8 hex digits of their SHA-256
    assert a.name == f"r5py-{hashlib.sha256(a_bytes).hexdigest()[:8]}.csv"


def test_point_matrix_cache_is_keyed_by_dtype_too(tmp_path):
    import dataclasses

    from planner.settings import DEFAULT_SETTINGS
    from planner.traveltime.network import NetworkModel
    from planner.traveltime.osm import network_from_edges

    # nodes 0 (0,0) <-> 1 (100,0) <-> 2 (200,0), 60 s per edge each way
    x = X0 + np.array([0.0, 100.0, 200.0])
    net = network_from_edges(np.array([10, 11, 12]), x, Y0 + np.zeros(3), [0, 1, 1, 2], [1, 0, 2, 1],
                             [60, 60, 60, 60], None, {"mode": "walk", "source": "hand-made test graph"},
                             spatial_order=False)
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, sweep_workers=1)
    model = NetworkModel(net, settings, min_component_nodes=1)
    pts = np.array([[X0 + 200.0, Y0]])
    m32 = model.point_matrix(pts, np.float32)
    m64 = model.point_matrix(pts, np.float64)
    assert m32.time_min.dtype == np.float32 and m64.time_min.dtype == np.float64
    # node 0 -> the point at node 2: two edges of 60 s = 2 min
    assert m64.time_min[0, int(np.flatnonzero(net.x == X0)[0])] == pytest.approx(2.0)
    assert model.point_matrix(pts, np.float32).time_min.dtype == np.float32


# --- units inside schedules: minutes of the week ------------------------------------------------


def _visit(day, start, end):
    return {"day": day, "start": start, "end": end}


# four stops of one unit at municipal centres, listed out of order; first visits by hand,
# minute of the week = day index x 1440 + hours x 60 + minutes (Mon 00:00 = 0):
TOUR = [  # (stop id, centre, schedule, first visit minute of the week)
    ("sun", "407", [_visit("sun", "23:00", "23:59")], 6 * 1440 + 23 * 60),                 # 10020
    ("tue_early", "504", [_visit("tue", "00:10", "01:00")], 1440 + 10),                     # 1450
    ("mon_late", "616", [_visit("wed", "08:00", "09:00"), _visit("mon", "23:30", "23:59")],
     23 * 60 + 30),                                                                         # 1410
    ("mon_early", "018", [_visit("mon", "00:00", "00:05")], 0),
]
TOUR_ORDER = ["mon_early", "mon_late", "tue_early", "sun"]


@pytest.fixture(scope="module")
def bus(borders):
    """The TOUR unit serving fi and sv walk-in (two categories at every stop), evaluated."""
    pts = kela_points([("K", 500)])
    study = small_study(borders, one_unit(70, 30), pts)
    stops = [{"id": sid, "name": f"Stop {sid}", "at_centre": code, "schedule": sched}
             for sid, code, sched, _ in TOUR]
    sc = parse_scenario({"name": "bus", "changes": [{"mobile": {
        "id": "bus", "name": "Bus", "categories": ["fi_walkin", "sv_walkin"], "stops": stops}}]})
    res, applied = evaluate(study, sc)
    return study, res, applied


def test_minute_of_the_week_orders_a_tour_across_midnight_and_days(bus):
    from planner.analysis.mobile import stops_table, tour_order

    _, _, applied = bus
    stops = stops_table(applied.points).set_index("stop_id")
    assert stops["first_visit_min"].to_dict() == {sid: minute for sid, _, _, minute in TOUR}
    assert tour_order(stops_table(applied.points))["stop_id"].tolist() == TOUR_ORDER
    # a stop without a schedule minute sorts after Sunday 23:59 (6 x 1440 + 1439 = 10079)
    late = pd.DataFrame({"mobile_unit": ["b", "b"], "stop_id": ["none", "sun_last"],
                         "first_visit_min": [np.nan, 10079]})
    assert tour_order(late)["stop_id"].tolist() == ["sun_last", "none"]


def test_stops_table_has_one_row_per_stop_not_per_point(bus):
    from planner.analysis.mobile import stops_table
    from planner.outputs.brief import mobile_lines

    _, _, applied = bus
    mob = applied.points[applied.points["mobile_unit"].eq("bus")]
    assert len(mob) == 8                                   # 4 stops x 2 categories
    table = stops_table(applied.points)
    assert sorted(table["stop_id"]) == sorted(TOUR_ORDER)  # each stop once
    # the brief: 4 stops, one visit day each except mon_late (mon + wed): 5 visit days
    assert mobile_lines(applied.points) == ["Mobile unit Bus: 4 stops, 5 visit days a week in all "
                                            "(1-2 per stop)"]


def test_the_map_draws_the_tour_once_through_each_stop_in_schedule_order(bus):
    from planner.outputs.maps import scenario_map

    study, res, applied = bus
    page = scenario_map(study, res, "social_walkin", "fi", applied=applied, tiles=None).get_root().render()
    lines = re.findall(r"L\.polyline\(\s*(\[\[.*?\]\])", page, re.DOTALL)
    assert len(lines) == 1
    drawn = json.loads(lines[0])
    centres = pd.read_csv(study.settings.geodata_dir / "uusimaa" / "municipal_centres.csv",
                          dtype={"municipality_code": str}).set_index("municipality_code")
    code = {sid: c for sid, c, _, _ in TOUR}
    # Leaflet takes [lat, lon]: each stop once, in the order of the week
    want = [[centres.loc[code[s], "lat"], centres.loc[code[s], "lon"]] for s in TOUR_ORDER]
    assert np.allclose(drawn, want, atol=1e-6)


# --- Markdown escaping of the escape character --------------------------------------------------


@pytest.mark.parametrize("name", [
    "C:\\temp\\*", "\\*not bold\\*", "\\", "a\\\\b", "back\\slash _x_", "\\[x](http://e.example)",
    "**bold** [link](http://e.example) `code` <b>", "end\\",
])
def test_md_text_shows_backslashes_and_stars_as_typed(name):
    """Rendered as CommonMark (Streamlit's Markdown), the escaped text shows exactly the input:
    a backslash is escaped too, so ``\\*`` stays a backslash and a star, never emphasis."""
    import html

    from markdown_it import MarkdownIt

    from planner.escape import md_text

    rendered = MarkdownIt("commonmark").render(md_text(name)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    body = rendered[3:-4]
    assert "<" not in body, rendered          # no element made of the name
    assert html.unescape(body) == name


# --- limits counted in bytes --------------------------------------------------------------------


def test_yaml_size_limit_counts_utf8_bytes_not_characters():
    from planner.errors import ScenarioError
    from planner.inputs.safeyaml import safe_load

    text = "a: " + "ä" * 4          # 7 characters, 3 + 4 x 2 = 11 bytes
    assert safe_load(text, "s.yaml", max_bytes=11) == {"a": "ää" * 2}   # exactly at the limit
    with pytest.raises(ScenarioError, match="11 bytes") as exc:
        safe_load(text, "s.yaml", max_bytes=10)
    assert exc.value.file == "s.yaml"
    with pytest.raises(ScenarioError):
        safe_load(text.encode("utf-8"), "s.yaml", max_bytes=10)


def test_saved_scenario_size_limit_counts_utf8_bytes_not_characters(tmp_path):
    from planner.app.saved import MAX_BYTES, save_scenario

    ok = "name: " + "a" * (MAX_BYTES - 6)              # exactly MAX_BYTES bytes
    assert save_scenario("fits", ok, tmp_path).stat().st_size == MAX_BYTES
    multi = "name: " + "ä" * (MAX_BYTES // 2)          # fewer characters than MAX_BYTES, more bytes
    assert len(multi) < MAX_BYTES < len(multi.encode("utf-8"))
    with pytest.raises(ValueError, match="too large"):
        save_scenario("too big", multi, tmp_path)
    assert not list(tmp_path.glob("too_big*"))


# --- trips longer than the calibration (> 35 km) -----------------------------------------------


def test_estimate_beyond_35_km_grows_at_the_mean_speed_of_the_last_20_km():
    """Drive curve (geodata/travel_time_estimate.json): 15 km 29.866 min, 35 km 47.884 min, the
    last knot. Beyond it: 35 km's time + the extra distance at the speed of 15-35 km,
    20,000 m / (47.884 - 29.866) min. 50 km: 47.884 + 15/20 x 18.018 = 61.3975 min;
    70 km: 47.884 + 35/20 x 18.018 = 79.4155 min; exactly 35 km: the knot, 47.884 min."""
    from planner.traveltime.estimate import estimate_model, load_params

    p = load_params("drive")
    assert p.knots_m[-1] == 35_000.0 and p.minutes[-1] == 47.884 and p.minutes[8] == 29.866
    got = p.times_at(np.array([35_000.0, 50_000.0, 70_000.0]))
    assert got == pytest.approx([47.884, 61.3975, 79.4155], abs=1e-9)
    m = estimate_model("drive")
    assert m.times(np.array([[X0, Y0]]), np.array([[X0 + 50_000.0, Y0]]))[0, 0] == pytest.approx(61.3975)
    # the error of a trip inside the calibration's longest band (20-40 km, measured to 35 km) is
    # that band's p90; beyond 35 km it is either that band's figure or "not measured" (NaN,
    # issue 24's flag), never a smaller one
    band = p.error_p90_min[-1]
    err = p.error_at(np.array([30_000.0, 50_000.0, 70_000.0]))
    assert err[0] == band
    assert all(np.isnan(e) or e == band for e in err[1:])


# --- the map: points of one site ---------------------------------------------------------------


def test_points_31_m_apart_in_any_direction_are_two_sites_on_the_map():
    """Markers within 30 m of a site's first point share its ring; 31 m away north, south, east
    or west is a site of its own (distance = sqrt(dx^2 + dy^2), metres in EPSG:3067)."""
    from planner.outputs.maps import ring_offsets

    for dx, dy in ((31.0, 0.0), (0.0, 31.0), (-31.0, 0.0), (0.0, -31.0), (22.0, 22.0)):  # 22 x sqrt 2 = 31.1
        off = ring_offsets(np.array([0.0, dx]), np.array([0.0, dy]))
        assert off.tolist() == [[0.0, 0.0], [0.0, 0.0]], (dx, dy)
    for dx, dy in ((30.0, 0.0), (0.0, 30.0), (21.0, 21.0)):  # 21 x sqrt 2 = 29.7: one site, a ring of two
        off = ring_offsets(np.array([0.0, dx]), np.array([0.0, dy]))
        assert off.tolist() == [[0.0, -13.0], [0.0, 13.0]], (dx, dy)
