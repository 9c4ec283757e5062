"""Snap-limit rule of the network model on a hand-made three-node graph.

Named after the fault it catches: a point farther than ``snap_max_m`` from every node
must take no part in the nearest-point search, even where it would be the nearest.
Also on hand-made graphs (issue 28 mutation sample): the reversed graph, the per-node sweeps
and their cache, the largest component in the snap report, the model's own description.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.settings import DEFAULT_SETTINGS
from planner.traveltime.network import NetworkModel
from planner.traveltime.osm import network_from_edges

BX, BY = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067


@pytest.fixture()
def line(tmp_path):
    """Nodes 0 (0,0) <-> 1 (100,0) <-> 2 (200,0), 60 s per edge each way; snap limit 100 m."""
    x = BX + np.array([0.0, 100.0, 200.0])
    y = BY + np.zeros(3)
    net = network_from_edges(np.array([10, 11, 12]), x, y, [0, 1, 1, 2], [1, 0, 2, 1], [60, 60, 60, 60],
                             None, {"mode": "walk", "source": "hand-made test graph"}, spatial_order=False)
    settings = dataclasses.replace(DEFAULT_SETTINGS, snap_max_m=100.0, cache_dir=tmp_path)
    return net, NetworkModel(net, settings, min_component_nodes=1)


def test_point_beyond_the_snap_limit_is_not_nearest_even_where_it_would_be(line):
    net, model = line
    wpm = model.walk_m_per_min  # 70 m/min at 4.2 km/h
    # far: 150 m south of node 2 (beyond 100 m): from node 2 it would take 150/70 = 2.1 min
    # near: 99 m south of node 0 (inside): from node 2, 2 min on the network + 99/70 min
    points = np.array([[BX + 200.0, BY - 150.0], [BX, BY - 99.0]])
    res = model.nearest(points)
    node2 = int(np.flatnonzero(net.x == BX + 200.0)[0])
    assert 150.0 / wpm < 2.0 + 99.0 / wpm  # the far point would win without the limit
    assert res.point[node2] == 1
    assert res.time_min[node2] == pytest.approx(2.0 + 99.0 / wpm)
    assert (res.point == 1).all()  # nobody is served by the point beyond the limit
    # and in the origin-destination times the far point is unreachable, the near one is not
    t = model.times(np.array([[net.x[node2], net.y[node2]]]), points)
    assert np.isposinf(t[0, 0]) and t[0, 1] == pytest.approx(2.0 + 99.0 / wpm)


def test_all_points_beyond_the_snap_limit_leave_every_node_unserved(line):
    _, model = line
    res = model.nearest(np.array([[BX + 200.0, BY - 150.0]]))
    assert (res.point == -1).all() and np.isposinf(res.time_min).all()


@pytest.fixture()
def uphill(tmp_path):
    """Nodes 0 (0,0) -> 1 (100,0) -> 2 (200,0): 60 s each edge eastwards, 90 s back westwards;
    node 3 (0,1000) an island with no street. Cache room for two rows of 4 nodes (2 x 4 x 8 bytes)."""
    x = BX + np.array([0.0, 100.0, 200.0, 0.0])
    y = BY + np.array([0.0, 0.0, 0.0, 1000.0])
    net = network_from_edges(np.array([10, 11, 12, 13]), x, y, [0, 1, 1, 2], [1, 0, 2, 1], [60, 90, 60, 90],
                             None, {"mode": "walk", "source": "hand-made test graph"}, spatial_order=False)
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    return net, NetworkModel(net, settings, cache_bytes=2 * 4 * 8, min_component_nodes=1)


def test_reversed_graph_carries_each_edge_backwards_with_its_own_time(uphill):
    net, _ = uphill
    # reversed: the edge 0 -> 1 (60 s) becomes 1 -> 0 with 60 s; 1 -> 0 (90 s) becomes 0 -> 1 with 90 s
    want = np.array([[0, 90, 0, 0], [60, 0, 90, 0], [0, 60, 0, 0], [0, 0, 0, 0]], dtype=float)
    assert np.array_equal(net.reversed_csr().toarray(), want)
    assert np.array_equal(net.reversed_csr().toarray(), net.csr().toarray().T)


def test_sweeps_from_and_to_a_node_and_the_oldest_cached_row_goes_first(uphill):
    _, model = uphill
    out = model._sweep_rows(np.array([0, 1, 2]), reverse=False)  # seconds from the node
    assert out[0].tolist() == [0, 60, 120, np.inf]
    assert out[2].tolist() == [180, 90, 0, np.inf]
    assert list(model._from) == [1, 2]  # room for two rows: node 0's row, the oldest, is dropped
    to0 = model._sweep_rows(np.array([0]), reverse=True)[0]  # seconds from every node to node 0
    assert to0.tolist() == [0, 90, 180, np.inf]
    again = model._sweep_rows(np.array([1, 0]), reverse=False)
    assert again[1] is model._from[1] and again[0].tolist() == [0, 60, 120, np.inf]
    assert list(model._from) == [1, 0]  # 1 used again (kept, now newest), 0 computed anew, 2 dropped


def test_snap_report_names_the_largest_component_not_the_first(tmp_path):
    """The island (node index 0, so its component is numbered first) is not the largest
    component; the three connected nodes are."""
    x = BX + np.array([0.0, 0.0, 100.0, 200.0])
    y = BY + np.array([1000.0, 0.0, 0.0, 0.0])
    net = network_from_edges(np.array([13, 10, 11, 12]), x, y, [1, 2, 2, 3], [2, 1, 3, 2], [60, 90, 60, 90],
                             None, {"mode": "walk", "source": "hand-made test graph"}, spatial_order=False)
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    model = NetworkModel(net, settings, min_component_nodes=1)
    rep = model.snap_report(np.array([[BX, BY + 990.0], [BX + 100.0, BY + 5.0]]))
    assert rep["node"].tolist() == [13, 11]
    assert rep["component_size"].tolist() == [1, 3]
    assert rep["in_largest_component"].tolist() == [False, True]
    assert rep["snap_m"].tolist() == pytest.approx([10.0, 5.0])


def test_the_model_says_which_network_it_is(uphill):
    _, model = uphill
    assert repr(model) == "NetworkModel(walk, hand-made test graph, 4 nodes)"
