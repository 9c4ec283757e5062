"""The networkx reference for :class:`planner.traveltime.network.NetworkModel` (tests and
benchmarks only: the runtime package never needs networkx for its own sweeps).

Plain networkx Dijkstra and brute-force snapping, written for clarity, not speed: the
fast csgraph paths are checked against these in ``tests/test_network.py`` and timed
against them in ``benchmarks/bench_traveltime.py``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from planner.settings import DEFAULT_SETTINGS, Settings
from planner.traveltime.osm import Network

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


def _reference_links(network: Network, graph: nx.DiGraph, xy: np.ndarray, min_component_nodes: int,
                     settings: Settings) -> list[list[tuple[int, float]]]:
    """Each point's links by brute force (no spatial index): every node within
    ``settings.snap_radius_m`` and the nearest node, among the nodes of strongly connected
    components (networkx) of at least ``min_component_nodes`` nodes; as (node, metres).
    None for a point farther than ``settings.snap_max_m`` from every such node."""
    comps = list(nx.strongly_connected_components(graph))
    need = min(max(min_component_nodes, 1), max(len(c) for c in comps))
    allowed = np.array(sorted(n for c in comps if len(c) >= need for n in c), dtype=np.int64)
    out = []
    for px, py in np.asarray(xy, dtype=float).reshape(-1, 2):
        d = np.hypot(network.x[allowed] - px, network.y[allowed] - py)
        k = int(np.argmin(d))
        if d[k] > settings.snap_max_m:
            out.append(None)
            continue
        pick = set(np.flatnonzero(d <= settings.snap_radius_m).tolist()) | {k}
        out.append([(int(allowed[j]), float(d[j])) for j in sorted(pick)])
    return out


def reference_times(network: Network, origins: np.ndarray, destinations: np.ndarray,
                    settings: Settings = DEFAULT_SETTINGS, min_component_nodes: int = 20) -> np.ndarray:
    """:meth:`NetworkModel.times` computed with networkx Dijkstra (the reference).

    Each destination becomes a virtual node on the reversed graph, linked to its nodes by
    their snap legs; one ``single_source_dijkstra_path_length`` from it; an origin takes
    the best of its own links. Same conventions: minutes, snap legs walked at
    ``settings.network_walk_kmh``, ``inf`` beyond ``settings.snap_max_m`` or without path.
    """
    rev = reference_graph(network, reverse=True)
    olinks = _reference_links(network, rev, origins, min_component_nodes, settings)
    dlinks = _reference_links(network, rev, destinations, min_component_nodes, settings)
    wps = settings.network_walk_kmh * 1000.0 / 3600.0
    out = np.full((len(olinks), len(dlinks)), np.inf)
    for j, links in enumerate(dlinks):
        if links is None:
            continue
        g = rev.copy()
        for node, m in links:
            g.add_edge("dest", node, weight=m / wps)
        lengths = nx.single_source_dijkstra_path_length(g, "dest", weight="weight")
        for i, ol in enumerate(olinks):
            best = min((lengths[node] + m / wps for node, m in ol or [] if node in lengths),
                       default=np.inf)
            out[i, j] = best / 60.0
    return out


def reference_nearest(network: Network, points_xy: np.ndarray, settings: Settings = DEFAULT_SETTINGS,
                      min_component_nodes: int = 20) -> np.ndarray:
    """Minutes from every node to its nearest point, with networkx (the reference).

    A super-source joined to each point's link nodes by the snap legs, then one
    ``single_source_dijkstra_path_length`` over the reversed graph.
    """
    rev = reference_graph(network, reverse=True)
    wps = settings.network_walk_kmh * 1000.0 / 3600.0
    every = _reference_links(network, rev, points_xy, min_component_nodes, settings)
    source = "points"
    rev.add_node(source)
    for links in every:
        for node, m in links or []:
            w = m / wps
            if not rev.has_edge(source, node) or rev[source][node]["weight"] > w:
                rev.add_edge(source, node, weight=w)
    lengths = nx.single_source_dijkstra_path_length(rev, source, weight="weight")
    out = np.full(network.n_nodes, np.inf)
    for node, sec in lengths.items():
        if node != source:
            out[node] = sec / 60.0
    return out
