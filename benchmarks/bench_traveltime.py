"""Network travel-time benchmark: scipy (the planner's fast path) vs igraph vs networkx.

Builds a seeded, road-like synthetic network of Uusimaa size (>= 250,000 nodes,
>= 600,000 directed edges) or, with ``--scale finland``, of national size
(>= 2,500,000 nodes), places ~150 service points on it and times, in one run:

* the points x nodes matrix (one reverse sweep per point),
* nearest-point times for every node (one multi-source sweep),
* re-evaluating after closing 10 points (and re-opening them),

with the planner's :class:`planner.traveltime.network.NetworkModel` (scipy
``csgraph.dijkstra``), with igraph and with the plain networkx reference, and prints
the ratios and the peak memory. Where a full networkx / igraph run would take too
long, a few sweeps are timed and the total is extrapolated and labelled so.

    python benchmarks/bench_traveltime.py                   # Uusimaa size
    python benchmarks/bench_traveltime.py --scale finland   # national size

The network is a jittered street grid (~180 m blocks) with a quarter of the local
streets missing, a few diagonals, 5 % one-way local streets, 80 km/h arterials
every 12th line and 100 km/h highways every 48th line, 40 km/h elsewhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.settings import DEFAULT_SETTINGS  # noqa: E402
from planner.traveltime.network import NetworkModel  # noqa: E402
from planner.traveltime.osm import Network, load_network, network_from_edges, save_network  # noqa: E402

SCALES = {"uusimaa": 520, "finland": 1600}  # grid side: 270,400 and 2,560,000 nodes
TARGETS = {"matrix": 5.0, "nearest": 0.5, "close": 0.1}  # the matrix: wall clock, in 2 processes
NX_BUDGET_S = 120.0  # run the whole networkx matrix only if it is expected within this


def load() -> str:
    """The machine's 1/5/15-minute load averages (other users' work slows wall-clock times)."""
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def road_like_network(side: int, seed: int, spacing: float = 180.0) -> Network:
    """A seeded road-like network on a ``side`` x ``side`` jittered grid (EPSG:3067-like metres)."""
    rng = np.random.default_rng(seed)
    n = side * side
    ii, jj = np.divmod(np.arange(n), side)
    x = 100_000.0 + jj * spacing + rng.uniform(-0.4, 0.4, n) * spacing
    y = 6_600_000.0 + ii * spacing + rng.uniform(-0.4, 0.4, n) * spacing
    node = np.arange(n).reshape(side, side)
    pairs, kmh = [], []
    for a, b, line in ((node[:, :-1], node[:, 1:], ii.reshape(side, side)[:, :-1]),   # east-west
                       (node[:-1, :], node[1:, :], jj.reshape(side, side)[:-1, :])):  # north-south
        a, b, line = a.ravel(), b.ravel(), line.ravel()
        speed = np.where(line % 48 == 0, 100.0, np.where(line % 12 == 0, 80.0, 40.0))
        keep = (speed > 40.0) | (rng.random(len(a)) > 0.25)
        pairs.append(np.column_stack([a[keep], b[keep]]))
        kmh.append(speed[keep])
    diag = rng.choice(np.flatnonzero((ii < side - 1) & (jj < side - 1)), size=n // 20, replace=False)
    pairs.append(np.column_stack([diag, diag + side + 1]))
    kmh.append(np.full(len(diag), 40.0))
    uv = np.vstack(pairs)
    speed = np.concatenate(kmh)
    length = np.hypot(x[uv[:, 0]] - x[uv[:, 1]], y[uv[:, 0]] - y[uv[:, 1]]) * 1.1
    seconds = length / (speed / 3.6)
    oneway = (speed == 40.0) & (rng.random(len(uv)) < 0.05)
    flip = oneway & (rng.random(len(uv)) < 0.5)
    uv[flip] = uv[flip][:, ::-1]
    tail = np.concatenate([uv[:, 0], uv[~oneway, 1]])
    head = np.concatenate([uv[:, 1], uv[~oneway, 0]])
    return network_from_edges(np.arange(n), x, y, tail, head,
                              np.concatenate([seconds, seconds[~oneway]]),
                              np.concatenate([length, length[~oneway]]),
                              {"mode": "drive", "source": f"synthetic road-like grid, seed {seed}",
                               "osm_date": "n/a", "area": f"synthetic {side}x{side}"})


class Span(float):
    """CPU seconds of this process (the value) with the wall-clock seconds as ``.wall``.

    CPU time is what the code needs whatever else runs on a shared machine; wall time
    is what a user waits for on it. The table compares CPU times.
    """

    wall: float

    def __new__(cls, cpu: float, wall: float | None = None) -> Span:
        obj = super().__new__(cls, cpu)
        obj.wall = cpu if wall is None else wall
        return obj

    def __mul__(self, k: float) -> Span:  # extrapolation keeps both clocks
        return Span(float(self) * k, self.wall * k)


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes (sweep workers)."""
    t = os.times()  # children's times only come at clock-tick resolution
    return time.process_time() + t.children_user + t.children_system


class Stopwatch:
    def __init__(self) -> None:
        self.wall0, self.cpu0 = time.perf_counter(), _cpu()

    def stop(self) -> Span:
        return Span(_cpu() - self.cpu0, time.perf_counter() - self.wall0)


def timed(fn, *args, **kwargs):
    sw = Stopwatch()
    out = fn(*args, **kwargs)
    return out, sw.stop()


def fmt(seconds: float | None, extrapolated: bool = False) -> str:
    if seconds is None:
        return "-"
    text = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
    return text + (" (extrap.)" if extrapolated else "")


def run_scipy(net: Network, points: np.ndarray, closed: np.ndarray) -> dict:
    res = {}
    model, res["setup"] = timed(NetworkModel, net, DEFAULT_SETTINGS, cache_bytes=0)
    # the matrix as the planner builds it: float32 (half the memory), sweeps shared by
    # settings.sweep_workers forked processes; and the same in this process alone
    matrix, res["matrix"] = timed(model.point_matrix, points, np.float32)
    one = NetworkModel(net, dataclasses.replace(DEFAULT_SETTINGS, sweep_workers=1), cache_bytes=0)
    single, res["matrix_1proc"] = timed(one.point_matrix, points, np.float32)
    res["workers_check"] = bool(np.array_equal(single.time_min, matrix.time_min))
    del single, one
    near, res["nearest"] = timed(model.nearest, points)
    base, res["nearest_matrix"] = timed(matrix.nearest)
    after, res["close"] = timed(matrix.reevaluate, base, closed=closed)
    _, res["reopen"] = timed(matrix.reevaluate, after, opened=closed, open_points=np.arange(len(points)))
    keep = np.setdiff1d(np.arange(len(points)), closed)
    _, res["close_full"] = timed(matrix.nearest, keep)
    _, res["close_sweep"] = timed(model.nearest, points[keep])
    one = np.array([[net.x[net.n_nodes // 3], net.y[net.n_nodes // 3]]])
    _, res["open_new"] = timed(NetworkModel(net, DEFAULT_SETTINGS, cache_bytes=0).point_matrix, one)
    finite = np.isfinite(base.time_min)
    res["check"] = float(np.abs(near.time_min[finite] - base.time_min[finite]).max()) * 60
    res["unreachable"] = int((~finite).sum())
    res["_matrix"], res["_nearest"], res["_after"], res["_model"] = matrix, near, after, model
    return res


def _snap(model: NetworkModel, points: np.ndarray):
    idx, dist = model.snap(points)
    return idx, dist / model.walk_m_per_min * 60.0  # seconds of snap leg


def run_igraph(net: Network, model: NetworkModel, points: np.ndarray, closed: np.ndarray,
               ref: dict) -> dict | None:
    try:
        import igraph as ig
    except ImportError:
        return None
    res = {}
    tails = net.tails()
    sw = Stopwatch()
    g = ig.Graph(n=net.n_nodes, edges=np.column_stack([tails, net.indices]).tolist(), directed=True)
    g.es["w"] = net.weight_s.tolist()
    res["setup"] = sw.stop()
    idx, snap_s = _snap(model, points)
    m = len(points)
    probe = 5
    sw = Stopwatch()
    rows = np.array(g.distances(source=idx[:probe].tolist(), weights="w", mode="in"))
    per = sw.stop() * (1.0 / probe)
    if per.wall * m <= NX_BUDGET_S:
        sw = Stopwatch()
        out = np.empty((m, net.n_nodes))
        for s in range(0, m, 10):
            out[s:s + 10] = np.array(g.distances(source=idx[s:s + 10].tolist(), weights="w", mode="in"))
        out = out / 60.0 + (snap_s / 60.0)[:, None]
        res["matrix"], res["matrix_extrap"] = sw.stop(), False
        ok = np.isfinite(out)
        res["check"] = float(np.abs(out[ok] - ref["_matrix"].time_min[ok]).max())
        del out
    else:
        res["matrix"], res["matrix_extrap"] = per * m, True
        first = rows[0] / 60.0 + snap_s[0] / 60.0
        ok = np.isfinite(first)
        res["check"] = float(np.abs(first[ok] - ref["_matrix"].time_min[0][ok]).max())

    def multi(sel: np.ndarray) -> np.ndarray:
        h = g.copy()
        h.add_vertices(1)
        s = net.n_nodes
        h.add_edges([(int(v), s) for v in idx[sel]], attributes={"w": snap_s[sel].tolist()})
        return np.array(h.distances(source=[s], weights="w", mode="in")[0][:s]) / 60.0

    near, res["nearest"] = timed(multi, np.arange(m))
    keep = np.setdiff1d(np.arange(m), closed)
    after, res["close"] = timed(multi, keep)
    ok, ok_after = np.isfinite(near), np.isfinite(after)
    res["check"] = max(res["check"], float(np.abs(near[ok] - ref["_nearest"].time_min[ok]).max()),
                       float(np.abs(after[ok_after] - ref["_after"].time_min[ok_after]).max()))
    res["check"] *= 60  # seconds
    return res


def run_networkx(net: Network, model: NetworkModel, points: np.ndarray, closed: np.ndarray,
                 ref: dict, sweeps: int) -> dict:
    import networkx as nx

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from reference_network import reference_graph  # the networkx reference lives with the tests

    res = {}
    rev, res["setup"] = timed(reference_graph, net, True)
    idx, snap_s = _snap(model, points)
    m = len(points)
    sw = Stopwatch()
    first = None
    for k in range(sweeps):
        lengths = nx.single_source_dijkstra_path_length(rev, int(idx[k]), weight="weight")
        if first is None:
            first = lengths
    per = sw.stop() * (1.0 / sweeps)
    if per.wall * m <= NX_BUDGET_S:
        sw = Stopwatch()
        for k in range(m):
            nx.single_source_dijkstra_path_length(rev, int(idx[k]), weight="weight")
        res["matrix"], res["matrix_extrap"] = sw.stop(), False
    else:
        res["matrix"], res["matrix_extrap"] = per * m, True
    row = ref["_matrix"].time_min[0]
    res["check"] = max(abs(sec / 60.0 + snap_s[0] / 60.0 - row[v]) for v, sec in first.items()) * 60

    def multi(sel: np.ndarray) -> dict:
        rev.add_node("S")
        for v, s in zip(idx[sel], snap_s[sel], strict=True):
            if not rev.has_edge("S", int(v)) or rev["S"][int(v)]["weight"] > s:
                rev.add_edge("S", int(v), weight=float(s))
        try:
            return nx.single_source_dijkstra_path_length(rev, "S", weight="weight")
        finally:
            rev.remove_node("S")

    near, res["nearest"] = timed(multi, np.arange(m))
    res["check"] = max(res["check"], max(abs(sec / 60.0 - ref["_nearest"].time_min[v])
                                         for v, sec in near.items() if v != "S") * 60)
    keep = np.setdiff1d(np.arange(m), closed)
    _, res["close"] = timed(multi, keep)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="uusimaa")
    ap.add_argument("--points", type=int, default=150, help="service points (default 150)")
    ap.add_argument("--close", type=int, default=10, help="points closed in the re-evaluation")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--nx-sweeps", type=int, default=3, help="networkx sweeps timed before extrapolating")
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--skip-igraph", action="store_true")
    ap.add_argument("--side", type=int, default=None, help=argparse.SUPPRESS)  # quick runs while developing
    args = ap.parse_args(argv)

    print(f"# network travel-time benchmark, scale {args.scale}, seed {args.seed}")
    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPU(s), load average {load()} at start")
    net, t_build = timed(road_like_network, args.side or SCALES[args.scale], args.seed)
    print(f"network: {net.n_nodes:,} nodes, {net.n_edges:,} directed edges (built in {t_build:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        path = save_network(net, Path(tmp) / "bench.npz")
        _, t_load = timed(load_network, path)
        print(f"store: {path.stat().st_size / 2**20:.0f} MiB .npz, reload {fmt(t_load)}")
    rng = np.random.default_rng(args.seed + 1)
    pick = rng.choice(net.n_nodes, size=args.points, replace=False)
    points = np.column_stack([net.x[pick], net.y[pick]]) + rng.uniform(-60, 60, (args.points, 2))
    closed = rng.choice(args.points, size=args.close, replace=False)

    sc = run_scipy(net, points, closed)
    rss_scipy = peak_rss_mb()
    print(f"scipy model setup (reverse CSR, KD-tree, components): {fmt(sc['setup'])}; "
          f"nodes with no point reachable: {sc['unreachable']:,}; "
          f"multi-source vs matrix: max diff {sc['check']:.2g} s")
    print(f"peak memory after the scipy path: {rss_scipy:,.0f} MiB")
    print(f"matrix ({DEFAULT_SETTINGS.sweep_workers} sweep processes, float32): "
          f"{fmt(sc['matrix'].wall)} wall, {fmt(sc['matrix'])} CPU; "
          f"in this process alone: {fmt(sc['matrix_1proc'].wall)} wall "
          f"(x{sc['matrix_1proc'].wall / sc['matrix'].wall:.2f}); identical: {sc['workers_check']}")
    ig_res = None if args.skip_igraph else run_igraph(net, sc["_model"], points, closed, sc)
    nx_res = None if args.skip_networkx else run_networkx(net, sc["_model"], points, closed, sc,
                                                          args.nx_sweeps)

    rows = [
        (f"{args.points}-point x node matrix", "matrix"),
        ("nearest point, all nodes (multi-source)", "nearest"),
        ("nearest point, all nodes (cached matrix)", "nearest_matrix"),
        (f"close {args.close} points, re-evaluate", "close"),
    ]
    head = f"{'operation':<42}{'scipy':>12}{'igraph':>20}{'networkx':>20}{'igraph/scipy':>14}{'nx/scipy':>10}"
    print()
    print("CPU time of this process (insensitive to other load on a shared machine); wall clock below")
    print(head)
    print("-" * len(head))
    for label, key in rows:
        s = sc[key]
        other = "nearest" if key == "nearest_matrix" else key  # igraph / networkx: their sweep
        i = ig_res[other] if ig_res else None
        n = nx_res[other] if nx_res else None
        ie = bool(ig_res and key == "matrix" and ig_res.get("matrix_extrap"))
        ne = bool(nx_res and key == "matrix" and nx_res.get("matrix_extrap"))
        ri = f"{i / s:.0f}x" if i else "-"
        rn = f"{n / s:.0f}x" if n else "-"
        print(f"{label:<42}{fmt(s):>12}{fmt(i, ie):>20}{fmt(n, ne):>20}{ri:>14}{rn:>10}")
    print("-" * len(head))
    walls = [f"{label.split(',')[0]}{' (matrix)' if key == 'nearest_matrix' else ''} {fmt(sc[key].wall)}"
             for label, key in rows]
    print(f"wall clock, scipy: {'; '.join(walls)}")
    for name, res in (("igraph", ig_res), ("networkx", nx_res)):
        if res:
            print(f"wall clock, {name}: " + "; ".join(
                f"{label.split(',')[0]} {fmt(res[key].wall, key == 'matrix' and res['matrix_extrap'])}"
                for label, key in rows if key in res))
    print("igraph / networkx have no matrix here: for 'cached matrix' and 'close' they re-run the "
          "multi-source sweep; scipy's close recomputes only the nodes whose nearest point closed.")
    print(f"scipy alternatives: re-open the {args.close} points {fmt(sc['reopen'])}; full min over "
          f"{args.points - args.close} rows {fmt(sc['close_full'])}; new multi-source sweep "
          f"{fmt(sc['close_sweep'])}; open a new location (one sweep) {fmt(sc['open_new'])}")
    if ig_res:
        print(f"igraph graph build {fmt(ig_res['setup'])}; max |igraph - scipy| {ig_res['check']:.2g} s")
    if nx_res:
        extrap = f"; matrix extrapolated to {args.points}" if nx_res["matrix_extrap"] else ""
        print(f"networkx graph build {fmt(nx_res['setup'])}; max |networkx - scipy| {nx_res['check']:.2g} s "
              f"({args.nx_sweeps} sweeps timed{extrap})")
    print()
    if args.scale != "uusimaa" or args.side:
        print("(the targets below are set for the Uusimaa scale; shown here for information)")
    checks = [("nearest-point times for all nodes", sc["nearest"], TARGETS["nearest"]),
              ("close/open re-evaluation", max(sc["close"], sc["reopen"]), TARGETS["close"])]
    m, mt = sc["matrix"], TARGETS["matrix"]
    print(f"target {args.points}-point matrix <= {fmt(mt)} wall clock: {fmt(m.wall)} "
          f"{'OK' if m.wall <= mt else 'over'} ({DEFAULT_SETTINGS.sweep_workers} processes; CPU {fmt(m)})")
    for label, got, target in checks:
        print(f"target {label} <= {fmt(target)}: {fmt(got)} CPU {'OK' if got <= target else 'over'} "
              f"(wall {fmt(got.wall)} {'OK' if got.wall <= target else 'over'})")
    if nx_res:
        worst = min(nx_res[k] / sc[k] for _, k in rows if k in nx_res)
        print(f"target >= 20x faster than networkx: smallest ratio {worst:.0f}x "
              f"{'OK' if worst >= 20 else 'under'}")
    print(f"peak memory: {rss_scipy:,.0f} MiB after the scipy path, {peak_rss_mb():,.0f} MiB overall "
          "(incl. the igraph / networkx graphs)")
    print(f"# load average {load()} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
