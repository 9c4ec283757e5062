"""Scenario re-evaluation speed on the embedded Uusimaa data.

Side by side in one run:
- fast path: `planner.scenario.evaluate` (reuses the study's travel-time matrix; only newly
  opened points get new travel times) + `planner.comparison.compare_all`;
- reference: what a tool without a reusable matrix does: write the changed service points to a
  file, load and validate everything again, recompute the full matrix, evaluate and compare
  (merges then follow nearest-point logic; the timing, not the answer, is compared).
Prints median times over repeats and the ratio.

    .venv/bin/python benchmarks/bench_scenario.py [--repeat 5] [--demand postal|grid] [--mode drive|walk]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from planner.comparison import compare_all
from planner.errors import PlannerWarning
from planner.scenario import evaluate, load_scenario
from planner.study import evaluate_points, load_study

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "geodata" / "scenarios").glob("*.yaml"))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--demand", default="postal")
    ap.add_argument("--mode", default="drive")
    args = ap.parse_args()
    warnings.simplefilter("ignore", PlannerWarning)
    t_load, study = timed(lambda: load_study(demand=args.demand, mode=args.mode), 1)
    baseline = evaluate_points(study)
    print(f"study: {len(study.units)} demand units x {len(study.points)} points, "
          f"{study.provenance['model']} ({study.provenance['mode']}); load + matrix {t_load:.2f} s")
    print(f"{'scenario':58} {'fast s':>8} {'reference s':>12} {'ratio':>7}")
    for path in SCENARIOS:
        sc = load_scenario(path)

        def fast(sc=sc):
            res, _ = evaluate(study, sc, baseline)
            return compare_all(baseline, res, study.units)

        _, applied = evaluate(study, sc, baseline)  # the changed point set, outside the timing
        pts = applied.points.to_crs(4326)
        changed = pts.drop(columns="geometry").assign(lon=pts.geometry.x, lat=pts.geometry.y)

        def reference(changed=changed):
            with tempfile.TemporaryDirectory() as tmp:
                changed.to_csv(Path(tmp) / "points.csv", index=False)
                fresh = load_study(points=Path(tmp) / "points.csv", demand=args.demand, mode=args.mode)
                return compare_all(baseline, evaluate_points(fresh), study.units)

        t_fast, _ = timed(fast, args.repeat)
        t_ref, _ = timed(reference, max(1, args.repeat // 2))
        print(f"{sc.name[:58]:58} {t_fast:8.3f} {t_ref:12.3f} {t_ref / t_fast:6.1f}x")
    print("target: a close/merge re-evaluation well under 1 s (fast path, evaluate + compare)")


if __name__ == "__main__":
    main()
