"""Scenario re-evaluation speed on the embedded Uusimaa data.

Side by side in one run:
- click path: what the app computes when a facilitator closes a point
  (`planner.app.state.effect`: `planner.analysis.scenario.evaluate`, which reuses the study's travel-time
  matrix and builds summaries lazily, + the unit changes and the region and service-area
  comparisons); targets <= 50 ms on the 390 postal areas, <= 150 ms on the 5,784 grid cells;
- fast path: the same + every comparison table (`planner.analysis.comparison.compare_all`, all built);
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

from planner.analysis.comparison import compare_all
from planner.analysis.scenario import evaluate, load_scenario
from planner.analysis.study import evaluate_points, load_study
from planner.app.state import effect
from planner.errors import PlannerWarning

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
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--demand", default="postal")
    ap.add_argument("--mode", default="drive")
    args = ap.parse_args()
    warnings.simplefilter("ignore", PlannerWarning)
    t_load, study = timed(lambda: load_study(demand=args.demand, mode=args.mode), 1)
    baseline = evaluate_points(study)
    print(f"study: {len(study.units)} demand units x {len(study.points)} points, "
          f"{study.provenance['model']} ({study.provenance['mode']}); load + matrix {t_load:.2f} s")
    target = {"postal": 0.050, "grid": 0.150}.get(args.demand)
    print(f"{'scenario':50} {'click ms':>9} {'all tables ms':>14} {'reference ms':>13} {'ratio':>7}")
    worst = 0.0
    for path in SCENARIOS:
        sc = load_scenario(path)

        def fast(sc=sc):
            res, _ = evaluate(study, sc, baseline)
            tables = compare_all(baseline, res, study.units)
            return {k: tables[k] for k in tables}  # every table built

        def click(sc=sc):
            return effect(study, baseline, sc)

        _, applied = evaluate(study, sc, baseline)  # the changed point set, outside the timing
        pts = applied.points.to_crs(4326)
        changed = pts.drop(columns="geometry").assign(lon=pts.geometry.x, lat=pts.geometry.y)

        def reference(changed=changed):
            with tempfile.TemporaryDirectory() as tmp:
                changed.to_csv(Path(tmp) / "points.csv", index=False)
                fresh = load_study(points=Path(tmp) / "points.csv", demand=args.demand, mode=args.mode)
                return compare_all(baseline, evaluate_points(fresh), study.units)

        t_click, _ = timed(click, args.repeat)
        t_fast, _ = timed(fast, args.repeat)
        t_ref, _ = timed(reference, max(1, args.repeat // 2))
        worst = max(worst, t_click)
        print(f"{sc.name[:50]:50} {t_click * 1000:9.1f} {t_fast * 1000:14.1f} {t_ref * 1000:13.1f} "
              f"{t_ref / t_click:6.1f}x")
    if target:
        print(f"target: click path <= {target * 1000:.0f} ms on {args.demand} demand: slowest "
              f"{worst * 1000:.1f} ms {'OK' if worst <= target else 'over'} (median of {args.repeat})")
    print("ratio = reference (reload + full matrix + every table) / click path")


if __name__ == "__main__":
    main()
