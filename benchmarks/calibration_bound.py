"""How far a distance-only estimate can get under 2 km: the error left once each
destination's own bias is known.

Under 2 km the cross-validated error of the estimate has two parts: a bias per
destination (parking and the walk from the car park around each shopping centre; the
left-out destination's is unknowable from the other four) and the spread of trips to
one destination (how direct the streets from each origin are). This script measures
both on the calibration set: the population-weighted median absolute % error of the
shipped curve under leave-one-destination-out ('cross-validated'), and the same after
subtracting each destination's own median % error ('bias known', an oracle no model
can have). If even the oracle misses a target, no predictor that is constant per
destination can reach it; only origin-side information (a street network) could.

    python benchmarks/calibration_bound.py                 # walk, drive, drive_rush, pt, pt_rush
    python benchmarks/calibration_bound.py --max-km 5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.traveltime.calibration import _wq, cross_validate, load_calibration  # noqa: E402
from planner.traveltime.estimate import ESTIMATE_MODES  # noqa: E402

TARGETS = {"walk": 5.0, "drive": 12.0, "drive_rush": 12.0, "pt": 18.0, "pt_rush": 18.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-km", type=float, default=2.0)
    args = ap.parse_args()
    df = load_calibration()
    print(f"trips of 0-{args.max_km:g} km, population-weighted median |error| %")
    print(f"{'mode':<11} {'pairs':>6} {'cross-validated':>16} {'bias known':>11} {'target':>7}")
    for mode in ESTIMATE_MODES:
        cv = cross_validate(df, mode)
        s = cv[(cv["distance_m"] > 0) & (cv["distance_m"] < args.max_km * 1000) & (cv["weight"] > 0)]
        pe = ((s["estimate_min"] - s["routed_min"]) / s["routed_min"] * 100).to_numpy()
        w = s["weight"].to_numpy(float)
        to = s["to_id"].to_numpy()
        bias = np.zeros_like(pe)
        for dest in np.unique(to):  # each destination's own population-weighted median error
            mine = to == dest
            bias[mine] = _wq(pe[mine], w[mine], 0.5)
        print(f"{mode:<11} {len(s):>6} {_wq(np.abs(pe), w, 0.5):>16.1f} "
              f"{_wq(np.abs(pe - bias), w, 0.5):>11.1f} {TARGETS.get(mode, float('nan')):>7.1f}")


if __name__ == "__main__":
    main()
