"""Snap-limit rule of the network model on a hand-made three-node graph.

Named after the fault it catches: a point farther than ``snap_max_m`` from every node
must take no part in the nearest-point search, even where it would be the nearest.
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
