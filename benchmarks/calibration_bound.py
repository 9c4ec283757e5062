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

A third column tries the origin-side information the calibration set itself has: each
origin cell's own offset (its shrunk mean log residual on its trips to the four other
destinations, learned inside each fold, so still honestly cross-validated). Those trips are
long (10-30 km), so what the offset learns (the cell's access and its long routes) hardly
transfers to short trips: it is reported to show that, not shipped.

    python benchmarks/calibration_bound.py                 # walk, drive, drive_rush, pt, pt_rush
    python benchmarks/calibration_bound.py --max-km 5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from planner.traveltime.calibration import (  # noqa: E402
    REFERENCE,
    _curve,
    _usable,
    _wq,
    cross_validate,
    fit_curve,
    load_calibration,
)
from planner.traveltime.estimate import ESTIMATE_MODES  # noqa: E402

TARGETS = {"walk": 5.0, "drive": 12.0, "drive_rush": 12.0, "pt": 18.0, "pt_rush": 18.0}


def with_origin_offsets(df: pd.DataFrame, mode: str, shrink: float = 1.0) -> pd.DataFrame:
    """Leave-one-destination-out estimates times exp(origin offset): per fold, each origin's
    log residuals on its trips to the training destinations, summed / (count + ``shrink``)."""
    col = REFERENCE[mode][0]
    d = _usable(df, mode)
    dist, y, w = d["distance_m"].to_numpy(), d[col].to_numpy(float), d["weight"].to_numpy()
    to, fr = d["to_id"].to_numpy(), d["from_id"].to_numpy()
    est = np.full(len(d), np.nan)
    for dest in np.unique(to):
        train = (to != dest) & (w > 0)
        curve = _curve(fit_curve(dist[train], y[train], w[train]), dist)
        seen = (to != dest) & (y > 0)
        res = pd.DataFrame({"o": fr[seen], "r": np.log(y[seen]) - np.log(curve[seen])})
        agg = res.groupby("o")["r"].agg(["sum", "count"])
        test = to == dest
        offset = (agg["sum"] / (agg["count"] + shrink)).reindex(fr[test]).fillna(0.0).to_numpy()
        est[test] = curve[test] * np.exp(offset)
    return pd.DataFrame({"to_id": to, "distance_m": dist, "weight": w, "routed_min": y, "estimate_min": est})


def _short(cv: pd.DataFrame, max_km: float) -> pd.DataFrame:
    return cv[(cv["distance_m"] > 0) & (cv["distance_m"] < max_km * 1000) & (cv["weight"] > 0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-km", type=float, default=2.0)
    args = ap.parse_args()
    df = load_calibration()
    print(f"trips of 0-{args.max_km:g} km, population-weighted median |error| %")
    print(f"{'mode':<11} {'pairs':>6} {'cross-validated':>16} {'bias known':>11} {'origin terms':>13} "
          f"{'target':>7}")
    for mode in ESTIMATE_MODES:
        cv = cross_validate(df, mode)
        s = _short(cv, args.max_km)
        o = _short(with_origin_offsets(df, mode), args.max_km)
        po = ((o["estimate_min"] - o["routed_min"]) / o["routed_min"] * 100).to_numpy()
        pe = ((s["estimate_min"] - s["routed_min"]) / s["routed_min"] * 100).to_numpy()
        w = s["weight"].to_numpy(float)
        to = s["to_id"].to_numpy()
        bias = np.zeros_like(pe)
        for dest in np.unique(to):  # each destination's own population-weighted median error
            mine = to == dest
            bias[mine] = _wq(pe[mine], w[mine], 0.5)
        origin_terms = _wq(np.abs(po), o["weight"].to_numpy(float), 0.5)
        print(f"{mode:<11} {len(s):>6} {_wq(np.abs(pe), w, 0.5):>16.1f} "
              f"{_wq(np.abs(pe - bias), w, 0.5):>11.1f} {origin_terms:>13.1f} "
              f"{TARGETS.get(mode, float('nan')):>7.1f}")


if __name__ == "__main__":
    main()
