"""Fetching a region's road network: one download (reference) vs part by part (the planner's way).

``planner network fetch --area uusimaa`` downloads the six service areas one at a time and
merges them (:func:`planner.traveltime.osm.fetch_network_in_parts`). This benchmark measures what
that buys: the peak memory and the time of building a region's drive network through osmnx
from Overpass answers, once as a single download of the whole area (the reference) and once
in parts, side by side, each in a fresh child process (so each peak is its own).

No internet: a local Overpass server on 127.0.0.1 (``tests/overpass_server.py``) answers
with a seeded synthetic street grid as OSM ways, of Uusimaa size (270,400 nodes, ~94 km
square) or, with ``--scale finland``, of national size (2,560,000 nodes, ~290 km square),
where a single download would need about 19 GiB: run the parts alone there.

    python benchmarks/bench_fetch.py                    # Uusimaa size, 6 parts
    python benchmarks/bench_fetch.py --scale finland --variants parts --parts 12
    python benchmarks/bench_fetch.py --side 200         # a quick check

Real downloads add the Overpass server's own time (the public server answers Uusimaa's
drive network in a few minutes, with rate limiting) and its data is denser in towns than
this grid; the memory ratio is what carries over.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {"uusimaa": 520, "finland": 1600}  # grid side: 270,400 and 2,560,000 nodes
SPACING_M = 180.0
X0, Y0 = 280_000.0, 6_640_000.0  # south-west corner, EPSG:3067 (western Uusimaa)


def _overpass_module():
    spec = importlib.util.spec_from_file_location("overpass_server", ROOT / "tests" / "overpass_server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["overpass_server"] = module
    spec.loader.exec_module(module)
    return module


def synthetic_osm(side: int, seed: int):
    """A jittered street grid as OSM data: one way per street line between missing blocks.

    Every 48th line is a motorway, every 12th a primary road, the rest residential with a
    quarter of the blocks missing (so local streets break into shorter ways).
    """
    from pyproj import Transformer

    osm = _overpass_module()
    rng = np.random.default_rng(seed)
    n = side * side
    ii, jj = np.divmod(np.arange(n), side)
    x = X0 + jj * SPACING_M + rng.uniform(-0.4, 0.4, n) * SPACING_M
    y = Y0 + ii * SPACING_M + rng.uniform(-0.4, 0.4, n) * SPACING_M
    lon, lat = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True).transform(x, y)
    grid = np.arange(n).reshape(side, side) + 1  # OSM ids from 1
    ways, wid = [], 0
    for lines in (grid, grid.T):  # east-west lines, then north-south lines
        for k, line in enumerate(lines):
            kind = "motorway" if k % 48 == 0 else "primary" if k % 12 == 0 else "residential"
            keep = np.ones(side - 1, bool) if kind != "residential" else rng.random(side - 1) > 0.25
            start = 0
            for b in [*np.flatnonzero(~keep), side - 1]:  # a missing block ends a way
                if b > start:
                    wid += 1
                    ways.append({"type": "way", "id": wid, "nodes": line[start:b + 1].tolist(),
                                 "tags": {"highway": kind}, "timestamp": 0})
                start = b + 1
    # node i of the grid has OSM id i + 1: ids sorted, coordinates in the same order
    return osm, osm.OSMData(np.arange(1, n + 1, dtype=np.int64), np.asarray(lat), np.asarray(lon), ways,
                            "2024-01-01T00:00:00Z")


def strips(side: int, k: int):
    """``k`` vertical strips of the grid's extent (EPSG:3067), west to east."""
    import shapely

    x1, y1 = X0 + (side - 1) * SPACING_M, Y0 + (side - 1) * SPACING_M
    edges = np.linspace(X0 - 100.0, x1 + 100.0, k + 1)
    return [(f"strip {i + 1}", shapely.box(edges[i], Y0 - 100.0, edges[i + 1], y1 + 100.0))
            for i in range(k)]


def child(args: argparse.Namespace) -> None:
    """Fetch once (single or parts) and print one JSON line: times, peak memory, size."""
    import dataclasses

    import shapely

    from planner.settings import DEFAULT_SETTINGS
    from planner.traveltime.osm import fetch_network, fetch_network_in_parts

    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=Path(tempfile.mkdtemp()))
    parts = strips(args.side, args.parts)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if args.variant == "single":
        net = fetch_network(shapely.union_all([p for _, p in parts]), "drive", settings,
                            overpass_url=args.url)
    else:
        net = fetch_network_in_parts("synthetic", parts, "drive", settings, overpass_url=args.url)
    print(json.dumps({"wall_s": time.perf_counter() - wall0, "cpu_s": time.process_time() - cpu0,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "nodes": net.n_nodes, "edges": net.n_edges}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="uusimaa")
    ap.add_argument("--side", type=int, help="grid side (overrides --scale)")
    ap.add_argument("--parts", type=int, default=6, help="parts of the split download (default 6)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--variants", default="single,parts",
                    help="what to run: single,parts (default) or parts alone where a single download "
                         "would not fit in memory")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--variant", choices=["single", "parts"], help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.side = args.side or SCALES[args.scale]
    if args.child:
        child(args)
        return
    t0 = time.perf_counter()
    osm_module, data = synthetic_osm(args.side, args.seed)
    load = "/".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"# fetch benchmark: {args.side}x{args.side} grid = {args.side ** 2:,} nodes, "
          f"{len(data.ways):,} ways, {args.parts} parts; load {load}; "
          f"data built in {time.perf_counter() - t0:.0f} s")
    rows = {}
    with osm_module.OverpassServer(data) as server:
        for variant in args.variants.split(","):
            cmd = [sys.executable, __file__, "--child", "--variant", variant, "--url", server.url,
                   "--side", str(args.side), "--parts", str(args.parts)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                sys.exit(f"{variant} failed:\n{out.stderr[-3000:]}")
            rows[variant] = json.loads(out.stdout.strip().splitlines()[-1])
            r = rows[variant]
            print(f"{variant:>6}: {r['wall_s']:8.1f} s wall {r['cpu_s']:8.1f} s CPU  "
                  f"peak {r['peak_mib']:8.0f} MiB  {r['nodes']:,} nodes {r['edges']:,} edges", flush=True)
    if set(rows) != {"single", "parts"}:
        return
    s, p = rows["single"], rows["parts"]
    print(f"parts / single: peak memory x{p['peak_mib'] / s['peak_mib']:.2f}, "
          f"CPU time x{p['cpu_s'] / s['cpu_s']:.2f}, edges x{p['edges'] / s['edges']:.3f}")


if __name__ == "__main__":
    main()
