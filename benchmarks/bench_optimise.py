"""Location-allocation benchmark: p-median on the embedded Uusimaa data.

All 390 postal areas as demand (the 385 with residents become rows) and about 200
candidate sites: today's points for the need, the municipal centres and a point in
every postal area with at least ``--min-postal-pop`` residents. The model is spopt's
``PMedian`` solved to proven optimality (relative MIP gap 0) by HiGHS through PuLP
(CBC if highspy is missing). Prints the instance size, the solver, its status, the
model-build and solve times, the objective and whether the 60 s target is met.

    python benchmarks/bench_optimise.py                       # social_any, Finnish speakers, k=20
    python benchmarks/bench_optimise.py --need kela --group all --k 10
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.analysis.study import load_study  # noqa: E402
from planner.errors import PlannerWarning  # noqa: E402
from planner.optimise import (  # noqa: E402
    available_solver,
    candidate_sites,
    cost_matrix,
    demand_rows,
    solve,
)

TARGET_S = 60.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--need", default="social_any")
    ap.add_argument("--group", default="fi")
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--min-postal-pop", type=int, default=5000)
    ap.add_argument("--mode", default="drive")
    ap.add_argument("--solver", default=None, help="HiGHS or PULP_CBC_CMD (default: HiGHS if installed)")
    args = ap.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        study = load_study(mode=args.mode)
    t0 = time.perf_counter()
    rows, excluded = demand_rows(study, args.need, args.group)
    sites = candidate_sites(study, args.need, args.group, ("existing", "centres", "postal"),
                            args.min_postal_pop)
    cost = cost_matrix(study, rows, sites, args.need)
    t_inputs = time.perf_counter() - t0
    kinds = sites["kind"].value_counts().to_dict()
    solver = available_solver(args.solver)
    import spopt.locate  # noqa: F401, E402  (import time is not solve time)
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"instance: {len(study.units)} postal areas ({len(rows)} demand rows with residents) x "
          f"{len(sites)} candidates {kinds}; need {args.need}, group {args.group}, k={args.k}, "
          f"{study.provenance['model']} ({study.provenance['mode']})")
    print(f"inputs (candidates + cost matrix): {t_inputs:.2f} s")
    t0 = time.perf_counter()
    sol = solve("pmedian", cost, rows["weight"].to_numpy(float), k=args.k,
                existing=sites["existing"].to_numpy(bool), solver=solver)
    total = time.perf_counter() - t0
    w = rows["weight"].sum()
    print(f"solver: {sol.solver}; status: {sol.status}")
    print(f"model build {sol.build_s:.2f} s + solve {sol.solve_s:.2f} s = {total:.2f} s")
    print(f"objective: {sol.objective:,.0f} resident-minutes = {sol.objective / w:.2f} min mean "
          f"({sol.selected.sum()} sites, {int((sol.selected & sites['existing'].to_numpy(bool)).sum())} "
          "of them existing)")
    ok = sol.optimal and total < TARGET_S
    print(f"target: optimal in under {TARGET_S:.0f} s -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
