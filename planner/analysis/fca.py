"""Supply-demand accessibility: two-step floating catchment (2SFCA) and its enhanced,
distance-decay version (E2SFCA), through the PySAL ``access`` package.

Needs a ``capacity`` on every eligible point (e.g. staff or client slots per week). The
score of a demand unit is capacity per resident reachable within the catchment.

Issue 24: the same eligibility rules as the nearest-point tables. Per need and language group,
a resident counts only towards (and draws only from) the points they may use: for needs with
the 'organiser' rule, the points of their own organiser. A resident with no eligible point in
their organiser within the catchment scores 0. The rule is stated in every row
(``eligibility_rule``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.categories import GROUPS, NEED_CODES, eligible_categories
from ..traveltime import TravelTimeMatrix

__all__ = ["floating_catchment", "fca_table", "E2SFCA_WEIGHTS"]

# Luo & Qi (2009) weights of the enhanced 2SFCA, on minute bands of a 30 min catchment
E2SFCA_WEIGHTS = {10: 1.0, 20: 0.68, 30: 0.22}


def floating_catchment(units: pd.DataFrame, points: pd.DataFrame, ttm: TravelTimeMatrix, need: str,
                       group: str, max_min: float = 30.0, eligibility: dict[str, str] | None = None,
                       organisers: dict[str, str] | None = None) -> pd.DataFrame:
    """2SFCA and E2SFCA scores per unit for ``need`` and language ``group``.

    ``group='all'`` uses the whole population (for needs whose points serve both languages,
    e.g. Kela, so that one office's capacity is not counted once per language).

    Returns ``unit_id, population, fca_2sfca, fca_e2sfca`` (capacity per resident; 0 where no
    point lies within ``max_min``; NaN for unlocated units).
    """
    from access import Access, weights

    cats = eligible_categories(need, "fi" if group == "all" else group)
    pts = points[points["category"].isin(list(cats))]
    if "capacity" not in pts.columns or pts["capacity"].isna().any():
        missing = pts.loc[pts["capacity"].isna(), "id"].tolist() if "capacity" in pts.columns else "all"
        raise ValueError(f"floating-catchment scores need a capacity on every {need} point; "
                         f"missing for {missing}")
    times = ttm.columns(pts["id"].to_numpy())
    located = units["located"].to_numpy()
    pop_col = "pop_total" if group == "all" else f"pop_{group}"
    demand = pd.DataFrame({"unit_id": units.loc[located, "unit_id"].to_numpy(),
                           "pop": units.loc[located, pop_col].to_numpy(dtype=float)})
    supply = pd.DataFrame({"point_id": pts["id"].to_numpy(),
                           "capacity": pts["capacity"].to_numpy(dtype=float)})
    pair_ok = np.isfinite(times[located])
    rule = _rule(need, eligibility, organisers)
    if rule == "organiser":  # issue 24: only the points of the resident's own organiser
        from .accessibility import organiser_mask

        pair_ok &= organiser_mask(units.loc[located, "municipality_code"].to_numpy(dtype=object),
                                  pts["municipality_code"].to_numpy(dtype=object), organisers)
    ii, jj = np.nonzero(pair_ok)
    cost = pd.DataFrame({"origin": demand["unit_id"].to_numpy()[ii],
                         "dest": supply["point_id"].to_numpy()[jj], "time_min": times[located][ii, jj]})
    acc = Access(demand_df=demand, demand_index="unit_id", demand_value="pop", supply_df=supply,
                 supply_index="point_id", supply_value="capacity", cost_df=cost, cost_origin="origin",
                 cost_dest="dest", cost_name="time_min")
    two = acc.two_stage_fca(name="2sfca", max_cost=max_min)
    enh = acc.enhanced_two_stage_fca(name="e2sfca", max_cost=max_min,
                                     weight_fn=weights.step_fn(E2SFCA_WEIGHTS))
    out = pd.DataFrame({"unit_id": units["unit_id"].to_numpy(),
                        "population": units[pop_col].to_numpy()})
    out["fca_2sfca"] = out["unit_id"].map(two.iloc[:, 0]).astype(float)
    out["fca_e2sfca"] = out["unit_id"].map(enh.iloc[:, 0]).astype(float)
    out.loc[located, ["fca_2sfca", "fca_e2sfca"]] = out.loc[located, ["fca_2sfca", "fca_e2sfca"]].fillna(0.0)
    out["need"], out["group"], out["catchment_min"] = need, group, max_min
    out["eligibility_rule"] = RULE_TEXT[rule]
    return out


RULE_TEXT = {"organiser": "organiser: only the points of the resident's own organiser (as the nearest-point "
                          "tables); no eligible point within the catchment scores 0",
             "any": "any: every point of the need"}


def _rule(need: str, eligibility: dict[str, str] | None, organisers: dict[str, str] | None) -> str:
    """The need's eligibility rule ('organiser' | 'any'); without organisers every rule acts as 'any'."""
    from ..inputs.categories import DEFAULT_ELIGIBILITY

    rules = {**DEFAULT_ELIGIBILITY, **(eligibility or {})}
    return "organiser" if organisers is not None and rules.get(need) == "organiser" else "any"


def fca_table(units: pd.DataFrame, points: pd.DataFrame, ttm: TravelTimeMatrix,
              max_min: float = 30.0, eligibility: dict[str, str] | None = None,
              organisers: dict[str, str] | None = None) -> pd.DataFrame:
    """Scores for every need x group whose eligible points all carry a capacity (else no rows).

    Needs served by the same points in both languages (Kela, English) get one ``all`` row
    per unit; social services one row per language group.
    """
    frames = []
    for need in NEED_CODES:
        shared = eligible_categories(need, "fi") == eligible_categories(need, "sv")
        for group in ("all",) if shared else GROUPS:
            cats = eligible_categories(need, "fi" if group == "all" else group)
            pts = points[points["category"].isin(list(cats))]
            if len(pts) and "capacity" in pts.columns and pts["capacity"].notna().all():
                frames.append(floating_catchment(units, points, ttm, need, group, max_min, eligibility,
                                                 organisers))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
