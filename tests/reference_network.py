"""The networkx reference for :class:`planner.traveltime.network.NetworkModel` (tests and
benchmarks only: the runtime package never needs networkx for its own sweeps).

Plain networkx Dijkstra and brute-force snapping, written for clarity, not speed: the
fast csgraph paths are checked against these in ``tests/test_network.py`` and timed
against them in ``benchmarks/bench_traveltime.py``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from planner.network import Network
from planner.settings import DEFAULT_SETTINGS, Settings

__all__ = ["reference_graph", "reference_times", "reference_nearest"]


def reference_graph(network: Network, reverse: bool = False) -> nx.DiGraph:
    """The network as a plain networkx DiGraph (nodes 0..N-1, edge ``weight`` seconds)."""
    g = nx.DiGraph()
    g.add_nodes_from(range(network.n_nodes))
    tails = network.tails()
    pairs = zip(network.indices.tolist(), tails.tolist(), strict=True) if reverse else \
        zip(tails.tolist(), network.indices.tolist(), strict=True)
    g.add_weighted_edges_from((a, b, w) for (a, b), w in zip(pairs, network.weight_s.tolist(), strict=True))
    return g


def _reference_snap(network: Network, graph: nx.DiGraph, xy: np.ndarray,
                    min_component_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node by brute force (no spatial index), among the nodes of strongly
    connected components (networkx) of at least ``min_component_nodes`` nodes."""
    comps = list(nx.strongly_connected_components(graph))
    need = min(max(min_component_nodes, 1), max(len(c) for c in comps))
    allowed = np.array(sorted(n for c in comps if len(c) >= need for n in c), dtype=np.int64)
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    idx = np.empty(len(xy), dtype=np.int64)
    dist = np.empty(len(xy))
    for i, (px, py) in enumerate(xy):
        d = np.hypot(network.x[allowed] - px, network.y[allowed] - py)
        k = int(np.argmin(d))
        idx[i], dist[i] = allowed[k], d[k]
    return idx, dist


def reference_times(network: Network, origins: np.ndarray, destinations: np.ndarray,
                    settings: Settings = DEFAULT_SETTINGS, min_component_nodes: int = 20) -> np.ndarray:
    """:meth:`NetworkModel.times` computed with networkx Dijkstra (the reference).

    One ``single_source_dijkstra_path_length`` per destination node over the reversed
    graph; snapping by brute force. Same conventions: minutes, snap legs walked at
    ``settings.network_walk_kmh``, ``inf`` beyond ``settings.snap_max_m`` or without path.
    """
    rev = reference_graph(network, reverse=True)
    oi, om = _reference_snap(network, rev, origins, min_component_nodes)
    di, dm = _reference_snap(network, rev, destinations, min_component_nodes)
    wpm = settings.network_walk_kmh * 1000.0 / 60.0
    out = np.full((len(oi), len(di)), np.inf)
    for j, (node, snap_m) in enumerate(zip(di, dm, strict=True)):
        if snap_m > settings.snap_max_m:
            continue
        lengths = nx.single_source_dijkstra_path_length(rev, int(node), weight="weight")
        for i, (onode, osnap) in enumerate(zip(oi, om, strict=True)):
            if osnap <= settings.snap_max_m and int(onode) in lengths:
                out[i, j] = lengths[int(onode)] / 60.0 + osnap / wpm + snap_m / wpm
    return out


def reference_nearest(network: Network, points_xy: np.ndarray, settings: Settings = DEFAULT_SETTINGS,
                      min_component_nodes: int = 20) -> np.ndarray:
    """Minutes from every node to its nearest point, with networkx (the reference).

    A super-source joined to each point's node by the point's snap leg, then one
    ``single_source_dijkstra_path_length`` over the reversed graph.
    """
    rev = reference_graph(network, reverse=True)
    idx, dist = _reference_snap(network, rev, points_xy, min_component_nodes)
    wpm = settings.network_walk_kmh * 1000.0 / 60.0
    source = "points"
    rev.add_node(source)
    for node, snap_m in zip(idx, dist, strict=True):
        if snap_m <= settings.snap_max_m:
            w = snap_m / wpm * 60.0
            if not rev.has_edge(source, int(node)) or rev[source][int(node)]["weight"] > w:
                rev.add_edge(source, int(node), weight=w)
    lengths = nx.single_source_dijkstra_path_length(rev, source, weight="weight")
    out = np.full(network.n_nodes, np.inf)
    for node, sec in lengths.items():
        if node != source:
            out[node] = sec / 60.0
    return out
