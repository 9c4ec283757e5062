"""Optimisation inputs from a study: demand rows, candidate sites, the cost matrix."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis.study import Study
from ..inputs.categories import CATEGORIES, NEEDS, eligible_categories
from ..inputs.data import targeted_mask
from ..traveltime import xy
from ..traveltime.intrazonal import unit_point_times
from .base import CANDIDATE_KINDS, DEFAULT_MIN_POSTAL_POP, OptimisationError


def _language_groups(need: str, group: str) -> list[tuple[str, frozenset[str]]]:
    """Demand-row groups and their eligible categories: one group, or fi + sv stacked."""
    if need not in NEEDS:
        raise OptimisationError(f"unknown need {need!r}: expected one of {list(NEEDS)}")
    if group in ("fi", "sv"):
        return [(group, eligible_categories(need, group))]
    if group != "all":
        raise OptimisationError(f"unknown group {group!r}: expected fi, sv or all")
    fi, sv = eligible_categories(need, "fi"), eligible_categories(need, "sv")
    return [("all", fi)] if fi == sv else [("fi", fi), ("sv", sv)]


def _new_category(cats: frozenset[str]) -> str:
    """Category a new point gets: the walk-in one when a need accepts several."""
    return next((c for c in sorted(cats) if c.endswith("_walkin")), sorted(cats)[0])


def demand_rows(study: Study, need: str, group: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """Located demand units of the language group(s), weighted by their population.

    Returns
    -------
    rows : pandas.DataFrame
        ``unit_pos`` (row position in ``study.units``), ``unit_id``, ``group`` (fi, sv
        or all), ``municipality_code``, ``service_area``, ``weight`` (residents).
    excluded : dict
        ``pop_unlocated`` and ``units_unlocated``: residents and units without a
        location, left out of the optimisation.
    """
    units = study.units
    located = units["located"].to_numpy(dtype=bool)
    frames = []
    excluded = {"pop_unlocated": 0.0, "units_unlocated": int((~located).sum())}
    for g, _cats in _language_groups(need, group):
        col = "pop_total" if g == "all" else f"pop_{g}"
        pop = units[col].to_numpy(dtype=float)
        excluded["pop_unlocated"] += float(pop[~located].sum())
        keep = located & (pop > 0)
        frames.append(pd.DataFrame({
            "unit_pos": np.flatnonzero(keep), "unit_id": units["unit_id"].to_numpy()[keep], "group": g,
            "municipality_code": units["municipality_code"].to_numpy()[keep],
            "service_area": units["service_area"].to_numpy()[keep], "weight": pop[keep],
        }))
    return pd.concat(frames, ignore_index=True), excluded


def _existing_sites(study: Study, cats: frozenset[str]) -> gpd.GeoDataFrame:
    pts = study.points[study.points["category"].isin(sorted(cats))]
    if not getattr(study, "include_target_groups", True):  # issue 23: targeted services serve their
        pts = pts[~targeted_mask(pts)]  # own group, so they are no everyday site to keep or close
    out = gpd.GeoDataFrame({
        "id": pts["id"].to_numpy(), "name": pts["name"].to_numpy(), "category": pts["category"].to_numpy(),
        "municipality_code": pts["municipality_code"].to_numpy(), "kind": "existing", "existing": True,
        "site": pts["id"].to_numpy(),
    }, geometry=pts.geometry.to_numpy(), crs=study.points.crs)
    return out


def _postal_points(study: Study) -> pd.DataFrame:
    units = study.units
    if len(units) and "unit_type" in units and (units["unit_type"] == "postal_area").all():
        ok = units["located"].to_numpy(dtype=bool)
        return pd.DataFrame({"code": units["unit_id"].to_numpy()[ok], "label": units["name"].to_numpy()[ok],
                             "municipality_code": units["municipality_code"].to_numpy()[ok],
                             "population": units["pop_total"].to_numpy()[ok],
                             "x": units["x_m"].to_numpy()[ok], "y": units["y_m"].to_numpy()[ok]})
    from ..inputs.data import load_postal_areas

    postal = load_postal_areas(settings=study.settings)
    rep = postal.geometry.representative_point()
    return pd.DataFrame({"code": postal["postal_code"].to_numpy(),
                         "label": postal["postal_code"].to_numpy(),
                         "municipality_code": postal["municipality_code"].to_numpy(),
                         "population": postal["population"].to_numpy(), "x": rep.x.to_numpy(),
                         "y": rep.y.to_numpy()})


def candidate_sites(study: Study, need: str, group: str = "all",
                    kinds: Iterable[str] = ("existing",),
                    min_postal_pop: int = DEFAULT_MIN_POSTAL_POP) -> gpd.GeoDataFrame:
    """Candidate sites for a need and language group.

    Parameters
    ----------
    study : Study
    need, group : str
        The need (:data:`planner.inputs.categories.NEEDS`) and language group (fi, sv, all).
    kinds : iterable of str
        ``existing`` (today's points eligible for the need and group), ``centres``
        (the municipal centres) and ``postal`` (a representative point inside every
        postal area with at least ``min_postal_pop`` residents).
    min_postal_pop : int
        Residents, threshold for postal-area candidates.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:3067 points with ``id, name, category, municipality_code, service_area,
        kind`` (existing | centre | postal), ``existing`` (bool), ``site`` (point id,
        ``centre_<code>`` or ``postal_<code>``), ``lon, lat`` (WGS84 degrees). A new
        site gets one candidate per language category when both groups are optimised
        together. Postal-area points lying farther outside their (generalised)
        municipality than the scenario format accepts are left out.
    """
    kinds = tuple(kinds)
    unknown = set(kinds) - set(CANDIDATE_KINDS)
    if unknown:
        raise OptimisationError(f"unknown candidate kind(s) {sorted(unknown)}: expected "
                                f"{list(CANDIDATE_KINDS)}")
    lgroups = _language_groups(need, group)
    all_cats = frozenset().union(*(c for _, c in lgroups))
    frames = []
    if "existing" in kinds:
        frames.append(_existing_sites(study, all_cats))
    names = study.municipalities.set_index("municipality_code")["name_fi"]
    new_cats = sorted({_new_category(c) for _, c in lgroups})
    crs = study.settings.crs
    if "centres" in kinds:
        c = study.centres
        for cat in new_cats:
            label = CATEGORIES[cat].label_en
            codes = c["municipality_code"].to_numpy()
            frames.append(gpd.GeoDataFrame({
                "id": [f"opt_{cat}_centre_{code}" for code in codes],
                "name": [f"{label} (proposed), {names.get(code, code)} centre" for code in codes],
                "category": cat, "municipality_code": codes, "kind": "centre", "existing": False,
                "site": [f"centre_{code}" for code in codes],
            }, geometry=c.geometry.to_numpy(), crs=c.crs))
    if "postal" in kinds:
        pp = _postal_points(study)
        pp = pp[pp["population"] >= min_postal_pop]
        borders = study.borders.set_index("municipality_code").geometry
        geoms = gpd.points_from_xy(pp["x"], pp["y"], crs=crs)
        ok = np.array([code in borders.index and borders[code].distance(g)
                       <= study.settings.boundary_tolerance_m
                       for code, g in zip(pp["municipality_code"], geoms, strict=True)], dtype=bool)
        pp, geoms = pp[ok], geoms[ok]
        for cat in new_cats:
            label = CATEGORIES[cat].label_en
            frames.append(gpd.GeoDataFrame({
                "id": [f"opt_{cat}_postal_{code}" for code in pp["code"]],
                "name": [f"{label} (proposed), postal area {lab}" for lab in pp["label"]],
                "category": cat, "municipality_code": pp["municipality_code"].to_numpy(), "kind": "postal",
                "existing": False, "site": [f"postal_{code}" for code in pp["code"]],
            }, geometry=geoms, crs=crs))
    cols = ["id", "name", "category", "municipality_code", "kind", "existing", "site"]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in cols + ["service_area", "lon", "lat"]},
                                geometry=[], crs=crs)
    sites = gpd.GeoDataFrame(pd.concat([f.to_crs(crs) for f in frames], ignore_index=True),
                             geometry="geometry", crs=crs)
    sites["existing"] = sites["existing"].astype(bool)
    areas = study.service_areas.set_index("municipality_code")["service_area"]
    sites["service_area"] = sites["municipality_code"].map(areas).fillna("")
    wgs = sites.geometry.to_crs(study.settings.web_crs)
    sites["lon"], sites["lat"] = wgs.x.round(6), wgs.y.round(6)
    clash = set(sites.loc[~sites["existing"], "id"]) & set(study.points["id"])
    if clash:
        raise OptimisationError(f"candidate ids clash with existing point ids: {sorted(clash)}")
    return sites.drop_duplicates("id").reset_index(drop=True)


def cost_matrix(study: Study, rows: pd.DataFrame, sites: gpd.GeoDataFrame, need: str) -> np.ndarray:
    """Travel times (minutes) from demand rows to candidate sites.

    Existing points reuse the study's matrix (``study.ttm``); only new sites are
    computed with ``study.model.times``. A site whose category does not serve the
    row's language group for ``need`` gets ``inf``, as does an unreachable pair.

    Returns
    -------
    numpy.ndarray
        (len(rows), len(sites)) minutes.
    """
    upos = rows["unit_pos"].to_numpy()
    uniq, inv = np.unique(upos, return_inverse=True)
    base = np.full((len(uniq), len(sites)), np.inf)
    ex = sites["existing"].to_numpy(dtype=bool)
    if ex.any():
        base[:, ex] = study.ttm.columns(sites.loc[ex, "id"].tolist())[uniq]
    if (~ex).any() and len(uniq):
        base[:, ~ex] = unit_point_times(study.model, study.units.iloc[uniq], xy(sites[~ex]),
                                        point_ids=sites.loc[~ex, "id"] if "id" in sites.columns else None)
    cost = base[inv]
    cost = np.where(np.isnan(cost), np.inf, cost)
    cats = sites["category"].to_numpy()
    for g in rows["group"].unique():
        g_cats = eligible_categories(need, "fi" if g == "all" else g)
        bad = ~np.isin(cats, sorted(g_cats))
        r = (rows["group"] == g).to_numpy()
        cost[np.ix_(r, bad)] = np.inf
    # issue 11: under the 'organiser' rule a resident may only use their organiser's sites
    organisers = getattr(study, "organisers", None)
    if organisers and getattr(study, "eligibility", {}).get(need) == "organiser" and len(rows):
        from ..analysis.accessibility import organiser_mask

        same = organiser_mask(rows["municipality_code"].to_numpy(dtype=object),
                              sites["municipality_code"].to_numpy(dtype=object), organisers)
        cost = np.where(same, cost, np.inf)
    return cost
