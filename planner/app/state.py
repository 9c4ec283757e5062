"""What the app does besides drawing widgets, as plain functions the CLI and tests can call.

Building a :class:`planner.analysis.scenario.Scenario` from the builder's selections (close,
merge, appointment-only, new points) and back, locating a map click, the figures and
tables each page shows, the export files, and loading the study for the chosen model.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis.comparison import area_changes, unit_changes
from ..analysis.scenario import Applied, Scenario, evaluate, load_scenario, parse_scenario, scenario_to_yaml
from ..analysis.study import Results, Study
from ..errors import PlannerWarning, ScenarioError
from ..inputs.categories import CATEGORIES
from ..numbers import fmt_int, fmt_num, fmt_pct, fmt_signed
from ..outputs.i18n import PLURALS, category_label, t, tn
from ..outputs.locale import area_name, note_text
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = [
    "APPOINTMENT_OF",
    "mobile_stop",
    "mobile_change",
    "MODELS",
    "Selections",
    "Effect",
    "build_scenario",
    "selections_from_scenario",
    "scenario_from_text",
    "new_point_change",
    "municipality_at",
    "points_at",
    "points_table",
    "area_figures",
    "proxy_sentence",
    "area_gap_sentences",
    "minutes_text",
    "effect",
    "change_table",
    "export_files",
    "bundled_scenarios",
    "network_available",
    "load_app_study",
    "slug",
]

# a walk-in point made appointment-only keeps its language
APPOINTMENT_OF = {"fi_walkin": "fi_appointment", "sv_walkin": "sv_appointment"}
MODELS = ("straight", "matrix", "network")


def slug(text: str, default: str = "scenario") -> str:
    """ASCII file-name / id part of ``text``.

    >>> slug("Kela Nurmijärvi (uusi)")
    'kela_nurmijarvi_uusi'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return out[:60] or default


@dataclass(frozen=True)
class Selections:
    """The builder's choices; ``extra`` keeps changes it does not edit (e.g. ``add_service``)."""

    close: tuple[str, ...] = ()
    merges: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kept point, closed into it)
    appointment_only: tuple[str, ...] = ()
    opened: tuple[dict[str, Any], ...] = ()  # arguments of ``open`` changes
    extra: tuple[dict[str, Any], ...] = ()

    def is_empty(self) -> bool:
        return not (self.close or self.merges or self.appointment_only or self.opened or self.extra)


def build_scenario(points: pd.DataFrame, name: str, description: str, sel: Selections,
                   base: dict[str, Any] | None = None) -> Scenario:
    """A checked scenario (with its YAML text) from the builder's selections.

    ``points`` are the study's service points (``id``, ``category``): appointment-only
    applies to walk-in points and keeps their language.
    """
    cats = points.drop_duplicates("id").set_index("id")["category"]
    changes: list[dict[str, Any]] = []
    if sel.close:
        changes.append({"close": list(sel.close)})
    for into, frm in sel.merges:
        changes.append({"merge": {"into": into, "from": list(frm)}})
    for pid in sel.appointment_only:
        cat = cats.get(pid)
        if cat not in APPOINTMENT_OF:
            raise ScenarioError(f"point {pid!r} is not a walk-in point ({cat}); only walk-in points "
                                "can be made appointment-only", field="set_category")
        changes.append({"set_category": {"id": pid, "category": APPOINTMENT_OF[cat]}})
    changes += [{"open": dict(o)} for o in sel.opened]
    changes += [dict(c) for c in sel.extra]
    obj: dict[str, Any] = {"name": name.strip() or "scenario", "description": description.strip(),
                           "changes": changes}
    if base:
        obj["base"] = dict(base)
    sc = parse_scenario(obj, source=f"<{obj['name']}>")
    return replace(sc, text=scenario_to_yaml(sc))


def selections_from_scenario(scenario: Scenario, points: pd.DataFrame) -> Selections:
    """The builder's selections that rebuild ``scenario`` (inverse of :func:`build_scenario`)."""
    cats = points.drop_duplicates("id").set_index("id")["category"]
    close: list[str] = []
    merges: list[tuple[str, tuple[str, ...]]] = []
    appointment: list[str] = []
    opened: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    for ch in scenario.changes:
        (kind, arg), = ch.items()
        if kind == "close":
            close += list(arg)
        elif kind == "merge":
            merges.append((arg["into"], tuple(arg["from"])))
        elif kind == "open":
            opened.append(dict(arg))
        elif kind == "set_category" and APPOINTMENT_OF.get(cats.get(arg["id"], "")) == arg["category"]:
            appointment.append(arg["id"])
        else:
            extra.append(dict(ch))
    return Selections(tuple(close), tuple(merges), tuple(appointment), tuple(opened), tuple(extra))


def scenario_from_text(text: str | bytes, source: str = "<upload>") -> Scenario:
    """Parse scenario YAML text (e.g. an uploaded file); errors name ``source``."""
    from ..inputs.safeyaml import decode_text, safe_load

    # the same safe loader as scenario files: no aliases, bounded size, UTF-8 or a clear error
    obj = safe_load(text, source)  # size checked before anything is decoded
    if isinstance(text, bytes):
        text = decode_text(text, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ScenarioError("the file is empty", file=source)
    return parse_scenario(obj, source, text)


def _metric_xy(lon: float, lat: float, settings: Settings) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=settings.web_crs).to_crs(settings.crs)


def municipality_at(study: Study, lon: float, lat: float) -> str | None:
    """Code of the municipality at WGS84 ``lon, lat`` (within the boundary tolerance), else None."""
    pt = _metric_xy(lon, lat, study.settings).iloc[0]
    d = study.borders.geometry.distance(pt)
    i = int(np.argmin(d.to_numpy()))
    return str(study.borders["municipality_code"].iloc[i]) \
        if d.iloc[i] <= study.settings.boundary_tolerance_m else None


def new_point_change(study: Study, lon: float, lat: float, name: str, category: str,
                     taken_ids: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """Arguments of an ``open`` change for a new point clicked at WGS84 ``lon, lat``."""
    if category not in CATEGORIES:
        raise ScenarioError(f"unknown category {category!r}", field="category")
    code = municipality_at(study, lon, lat)
    if code is None:
        raise ScenarioError(f"({lon:.4f}, {lat:.4f}) lies outside Uusimaa", field="lon")
    taken = set(taken_ids) | set(study.points["id"])
    base = f"new_{slug(name, category)}"
    pid, k = base, 2
    while pid in taken:
        pid, k = f"{base}_{k}", k + 1
    return {"id": pid, "name": name.strip() or pid, "category": category, "municipality_code": code,
            "lon": round(float(lon), 6), "lat": round(float(lat), 6)}


def points_at(points: gpd.GeoDataFrame, lon: float, lat: float, settings: Settings = DEFAULT_SETTINGS,
              tolerance_m: float = 25.0) -> list[str]:
    """Ids of the points standing at a clicked marker (several can share one address)."""
    if not len(points):
        return []
    pt = _metric_xy(lon, lat, settings).iloc[0]
    d = points.geometry.distance(pt).to_numpy()
    return points["id"].to_numpy()[d <= max(tolerance_m, d.min() + 1e-6)].tolist() \
        if d.min() <= tolerance_m else []


def points_table(points: pd.DataFrame, results: Results, need: str, lang: str = "en",
                 state: dict[str, str] | None = None,
                 municipality_names: pd.Series | None = None) -> pd.DataFrame:
    """Service points with their category, status and the residents they are nearest for."""
    state = state or {}
    load = results.load[results.load["need"] == need].groupby("id")["residents"].sum()
    out = pd.DataFrame({
        t("col.id", lang): points["id"].to_numpy(),
        t("col.name", lang): points["name"].to_numpy(),
        t("col.category", lang): [category_label(c, lang) for c in points["category"]],
        t("col.municipality", lang): points["municipality_code"].map(municipality_names)
        if municipality_names is not None else points["municipality_code"].to_numpy(),
        t("col.precision", lang): [_precision_label(p, lang) for p in points["location_precision"]],
        t("col.status", lang): [t(f"status.{state.get(p, 'open')}", lang) for p in points["id"]],
        t("col.served", lang): points["id"].map(load).fillna(0).astype("int64").to_numpy(),
    })
    return out


def _precision_label(code: object, lang: str) -> str:
    """A ``location_precision`` code in words (the geocoder's labels), else the code."""
    from ..outputs.i18n import STRINGS

    if code is None or (isinstance(code, float) and code != code):
        return ""
    key = "g.precision." + str(code)  # an optional label: a code without one is shown as it is
    return t(key, lang) if key in STRINGS else str(code)


def points_without_column(points: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The service points an imported matrix has no column for: id, name, category (label)."""
    return pd.DataFrame({t("col.id", lang): points["id"].to_numpy(),
                         t("col.name", lang): points["name"].to_numpy(),
                         t("col.category", lang): [category_label(c, lang) for c in points["category"]]})


def area_figures(results: Results, need: str, group: str, lang: str = "en") -> pd.DataFrame:
    """Headline figures per service area and for the whole region (one need, one group)."""
    frames = []
    for key in ("summary_region", "summary_service_area"):
        s = results.summaries[key]
        s = s[(s["need"] == need) & (s["group"] == group)]
        if key == "summary_region":
            s = s.assign(area=t("ov.region", lang))
        frames.append(s)
    s = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({
        t("col.area", lang): s["area"].map(lambda a: area_name(a, lang)),  # Swedish names in Swedish
        t("col.residents", lang): s["population"].astype("int64"),
        t("col.median", lang): minutes_text(s["median_min"], lang),
        t("col.p90", lang): minutes_text(s["p90_min"], lang),
        t("col.pct30", lang): s["pct_within_30"].round(1),
        t("col.pct60", lang): s["pct_within_60"].round(1),
        t("col.unreachable", lang): s["pop_unreachable"].astype("int64"),
        t("col.proxy", lang): (s["pop_nearest_proxy"] if "pop_nearest_proxy" in s.columns
                               else pd.Series(0, index=s.index)).astype("int64"),
        t("col.no_point_reason", lang): (s["no_point_reason"] if "no_point_reason" in s.columns
                                         else pd.Series("", index=s.index)).map(lambda r: note_text(r, lang)),
        # issue 24: a median among residents with no point is empty; the reason in words
        t("col.stats_note", lang): s["stats_note"].map(lambda r: note_text(r, lang))
        if "stats_note" in s.columns else "",
    })


def minutes_text(values: pd.Series, lang: str = "en", digits: int = 1, signed: bool = False) -> pd.Series:
    """Minutes as text in ``lang`` (``digits`` decimals, '+' / '−' when ``signed``), 'no point'
    where the figure is not finite (issue 23: no median or mean shown to a person reads inf,
    Infinity, nan or None; issue 26: 19,5 in Finnish and Swedish)."""
    word = t("ov.no_point", lang)

    def one(v: float) -> str:
        if not np.isfinite(v):
            return word
        return fmt_signed(v, lang, digits) if signed else fmt_num(v, lang, digits)

    return pd.Series([one(v) for v in values.to_numpy(dtype=float)], index=values.index, dtype=object)


def proxy_sentence(results: Results, need: str, group: str, lang: str = "en") -> str:
    """The overview's sentence: how many residents' figures rest on a proxy site (a point standing
    at its municipal centre) and how many have no point at all, for one need and group."""
    reg = results.summaries["summary_region"]
    r = reg[(reg["need"] == need) & (reg["group"] == group)]
    if r.empty:
        return ""
    r = r.iloc[0]
    proxy = int(r.get("pop_nearest_proxy", 0))
    text = t("ov.proxy", lang, n=fmt_int(proxy, lang), total=fmt_int(r["population"], lang))
    if int(r["pop_unreachable"]):
        none = r["pop_unreachable"]
        text += " " + tn("ov.no_point_people", none, lang, n=fmt_int(none, lang),
                         why=note_text(r.get("no_point_reason", ""), lang))
    from ..escape import md_text

    return md_text(text)


def area_gap_sentences(results: Results, need: str, group: str, lang: str = "en") -> list[str]:
    """Issue 26: per service area, in words, why residents have no point (``no_point_reason``
    of each language group) and how many residents' figures rest on a proxy site."""
    from ..escape import md_text
    from ..outputs.i18n import group_label

    s = results.summaries["summary_service_area"]
    s = s[s["need"] == need]
    out: list[str] = []
    for area, g in s.groupby("area", sort=False):
        rows = g[g["group"] != "all"] if group == "all" else g[g["group"] == group]
        for _, r in rows.iterrows():
            n = int(r.get("pop_no_point", r.get("pop_unreachable", 0)))
            if n:
                out.append(tn("ov.area_gap", n, lang, area=area_name(area, lang), n=fmt_int(n, lang),
                              group=group_label(r["group"], lang),
                              why=note_text(r.get("no_point_reason", ""), lang)
                              or note_text(r.get("stats_note", ""), lang)))
        mine = g[g["group"] == group]
        if len(mine) and int(mine["pop_nearest_proxy"].iloc[0] if "pop_nearest_proxy" in mine else 0):
            r = mine.iloc[0]
            out.append(t("ov.area_proxy", lang, area=area_name(area, lang),
                         n=fmt_int(r["pop_nearest_proxy"], lang),
                         total=fmt_int(r["population"], lang)))
    return [md_text(x) for x in out]


@dataclass(frozen=True)
class Effect:
    """A scenario's results and its before/after tables for the region and the service areas."""

    scenario: Scenario
    results: Results
    applied: Applied
    changes: pd.DataFrame  # comparison.unit_changes
    region: pd.DataFrame  # comparison.area_changes, whole region
    service_area: pd.DataFrame  # comparison.area_changes by service area


def effect(study: Study, baseline: Results, scenario: Scenario) -> Effect:
    """Evaluate ``scenario`` and the region / service-area comparisons (the builder's quick view;
    :func:`planner.outputs.report.run_scenarios` computes every comparison table)."""
    res, applied = evaluate(study, scenario, baseline)
    ch = unit_changes(baseline, res)
    th = study.settings.thresholds_min
    return Effect(scenario, res, applied, ch, area_changes(ch, study.units, None, th),
                  area_changes(ch, study.units, "service_area", th))


def change_table(tables: list[pd.DataFrame], need: str, group: str, lang: str = "en",
                 with_scenario: bool = True) -> pd.DataFrame:
    """Before/after figures of ``comparison.area_changes`` tables for one need and group."""
    if not tables:
        return pd.DataFrame()
    s = pd.concat(tables, ignore_index=True)
    s = s[(s["need"] == need) & (s["group"] == group)]
    base = s["population"] - s["pop_unlocated"]
    with np.errstate(invalid="ignore", divide="ignore"):
        pct_b = (100.0 * s["pop_within_30_before"] / base).round(1)
        pct_a = (100.0 * s["pop_within_30_after"] / base).round(1)
    area = s["area"].map(lambda a: area_name(a, lang)).where(s["level"] != "region", t("ov.region", lang))
    out = pd.DataFrame({
        t("col.scenario", lang): s["scenario"],
        t("col.area", lang): area,
        t("col.residents", lang): s["population"].astype("int64"),
        t("col.median_before", lang): minutes_text(s["median_min_before"], lang),
        t("col.median_after", lang): minutes_text(s["median_min_after"], lang),
        t("col.mean_change", lang): minutes_text(s["mean_change_min_served_both"], lang, 2, signed=True),
        t("col.within30_before", lang): [fmt_pct(v / 100, lang) for v in pct_b],
        t("col.within30_after", lang): [fmt_pct(v / 100, lang) for v in pct_a],
        t("col.lose10", lang): s["pop_lose_gt_10"].astype("int64"),
        t("col.lose20", lang): s["pop_lose_gt_20"].astype("int64"),
        t("col.lose_access", lang): s["pop_lost_access"].astype("int64"),
        t("col.gain", lang): s["pop_better"].astype("int64"),
        t("col.exclusion", lang): s["improved_by_exclusion"].astype(bool),  # issue 24
        t("col.stats_note", lang): s["stats_note_after"].map(lambda r: note_text(r, lang)),
    })
    if not with_scenario:
        out = out.drop(columns=t("col.scenario", lang))
    return out.reset_index(drop=True)


def export_files(study: Study, baseline: Results, scenario: Scenario | None = None,
                 need: str = "social_any", group: str = "fi", lang: str = "en",
                 tiles: str | None = None) -> dict[str, tuple[str, bytes, str]]:
    """Every export of a baseline or scenario run: ``{kind: (file name, bytes, MIME type)}``.

    Kinds: ``csv`` (zip of the CSV tables + metadata), ``xlsx``, ``gpkg``, ``html`` (the
    self-contained map) and, for a scenario, ``yaml`` (the scenario file to reopen later).
    """
    from ..outputs.html import self_contained
    from ..outputs.maps import scenario_map
    from ..outputs.report import run_scenarios, write_bundle

    run = None
    results = baseline
    if scenario is not None:
        _, runs = run_scenarios(study, [scenario], baseline)
        run, results = runs[0], runs[0].results
    stem = slug(scenario.name) if scenario is not None else "baseline"
    out: dict[str, tuple[str, bytes, str]] = {}
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        folder = Path(tmp)
        write_bundle(study, results, folder, run, formats=("csv", "xlsx", "gpkg"))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted((folder / "csv").glob("*.csv")):
                zf.write(f, f"{stem}/{f.name}")
        out["csv"] = (f"{stem}_tables.zip", buf.getvalue(), "application/zip")
        out["xlsx"] = (f"{stem}.xlsx", (folder / "results.xlsx").read_bytes(),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        out["gpkg"] = (f"{stem}.gpkg", (folder / "results.gpkg").read_bytes(),
                       "application/geopackage+sqlite3")
    m = scenario_map(study, results, need, group, applied=run.applied if run else None,
                     changes=run.comparison["unit_changes"] if run else None, tiles=tiles, lang=lang)
    out["html"] = (f"{stem}_map_{need}_{group}.html", self_contained(m).encode("utf-8"), "text/html")
    if scenario is not None:
        out["yaml"] = (f"{stem}.yaml", scenario_to_yaml(scenario).encode("utf-8"), "application/x-yaml")
    return out


def bundled_scenarios(settings: Settings = DEFAULT_SETTINGS) -> dict[str, Scenario]:
    """The example scenarios shipped in ``geodata/scenarios/``, by name."""
    out = {}
    for path in sorted(Path(settings.geodata_dir, "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        out[sc.name] = sc
    return out


def network_available() -> bool:
    """Whether the road-network model (``planner.traveltime.network``) can be used."""
    try:
        from ..traveltime import network as network_traveltime
    except ImportError:
        return False
    return hasattr(network_traveltime, "helsinki_demo_model")


def load_app_study(model: str = "straight", mode: str = "drive", demand: str = "postal",
                   preset: str | None = None, settings: Settings = DEFAULT_SETTINGS,
                   matrix: tuple[str, str, str] | None = None, **options: object) -> Study:
    """The study the app shows: the straight-line estimate on the chosen demand units, an
    imported matrix (``matrix`` = (path, time column, keys 'cells' | 'ids'), the estimate where
    it has no value) on them, or the road network of the Helsinki-centre demo on its 250 m
    population grid (2020)."""
    from ..analysis import study as study_mod

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        if model == "straight":
            return study_mod.load_study(demand=demand, mode=mode, preset=preset, settings=settings,
                                        **options)
        if model == "matrix":
            if not matrix:
                raise ValueError("the imported-matrix model needs a matrix (path, column, keys)")
            from ..traveltime.imported import matrix_model

            path, column, keys = matrix
            return study_mod.load_study(model=matrix_model(path, column, keys, mode, settings=settings),
                                        demand=demand, mode=mode, preset=preset, settings=settings,
                                        **options)
        if model != "network":
            raise ValueError(f"unknown model {model!r}: expected one of {list(MODELS)}")
        from ..traveltime.network import resolve_model

        net = resolve_model(None, mode, "helsinki_centre", settings)
        return study_mod.load_study(model=net, demand="helsinki_centre", mode=mode, preset=preset,
                                    settings=settings, **options)


def geocode_upload(data: bytes, name: str, online: bool = False, cache_dir: str | Path | None = None,
                   geocoder=None) -> tuple[bytes, dict[str, int]]:
    """The app's address-list upload: a located CSV (UTF-8, formulas neutralised) and counts
    per ``location_precision``.

    Offline (the default: a workshop machine may have no internet, and Nominatim's usage
    policy asks for care) every row goes to its postal area's representative point;
    ``online`` asks Nominatim through :mod:`planner.inputs.geocode` (cached, 1 request/s).
    ``geocoder`` overrides the service (tests use a local one).
    """
    from ..escape import neutralise_cells
    from ..inputs.data import read_table
    from ..inputs.geocode import USER_AGENT, geocode_table, nominatim

    suffix = Path(name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        df = read_table(path)
        if geocoder is None and online:
            geocoder = nominatim(user_agent=USER_AGENT, cache_dir=cache_dir)
        res = geocode_table(pd.DataFrame(df), geocoder, file=name)
    counts = {str(k): int(v) for k, v in res["location_precision"].value_counts().items()}
    return neutralise_cells(res).to_csv(index=False).encode("utf-8"), counts


def mobile_stop(study: Study, unit_name: str, stop_name: str, day: str, start: str, end: str,
                centre: str | None = None, lon: float | None = None, lat: float | None = None,
                taken_ids: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """One stop of a mobile unit built in the app: at a municipal centre (``centre``, a code)
    or at WGS84 ``lon, lat``; checked like a scenario's stop (schedule, Uusimaa, land)."""
    from ..analysis.mobile import parse_mobile, stop_points

    base = f"mobile_{slug(unit_name, 'unit')}_{slug(stop_name, 'stop')}"
    taken = set(taken_ids) | set(study.points["id"])
    sid, k = base, 2
    while sid in taken:
        sid, k = f"{base}_{k}", k + 1
    stop: dict[str, Any] = {"id": sid, "name": stop_name.strip() or sid}
    if centre:
        stop["at_centre"] = str(centre)
    else:
        code = municipality_at(study, float(lon), float(lat))
        if code is None:
            raise ScenarioError(f"({float(lon):.4f}, {float(lat):.4f}) lies outside Uusimaa", field="lon")
        stop.update(lon=round(float(lon), 6), lat=round(float(lat), 6), municipality_code=code)
    stop["schedule"] = [{"day": day, "start": start, "end": end}]
    unit = parse_mobile({"id": f"{base}__unit", "name": unit_name or "unit", "categories": ["fi_walkin"],
                         "stops": [stop]}, "<mobile unit>", 1)
    stop_points(study, unit, "<mobile unit>", 1)  # the site: inside Uusimaa, on land
    return stop


def mobile_change(study: Study, unit_name: str, categories: list[str], stops: list[dict[str, Any]],
                  taken_ids: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """A checked ``mobile`` change from the app's unit name, categories and stops."""
    from ..analysis.mobile import parse_mobile

    if not stops:
        raise ScenarioError("add at least one stop first", field="stops")
    base = f"mobile_{slug(unit_name, 'unit')}"
    taken = set(taken_ids) | set(study.points["id"]) | {s["id"] for s in stops}
    uid, k = base, 2
    while uid in taken:
        uid, k = f"{base}_{k}", k + 1
    return {"mobile": parse_mobile({"id": uid, "name": unit_name.strip() or uid,
                                    "categories": list(categories), "stops": list(stops)},
                                   "<mobile unit>", 1)}


# --- uploaded travel-time matrices: checked before they are kept, private until shared -------

SESSION_MATRIX_DAYS = 1  # an unshared upload is kept this long after its session's last upload


def check_matrix(path: str | Path) -> list[str]:
    """Read a stored matrix in full as the model will, before anything uses it; returns its
    time columns. DataError naming the file (and row and column where one is at fault) for a
    file pandas cannot parse, no time column, missing ``from_id`` / ``to_id``, or minutes that
    are not numbers."""
    from ..errors import DataError
    from ..traveltime.imported import ImportedMatrixModel, matrix_columns

    path = Path(path)
    try:
        columns = matrix_columns(path)
        if not columns:
            raise DataError("no time column besides from_id / to_id", file=path.name)
        # the importer's own reading and checks (the same the model applies when it is used);
        # keys 'ids' reads a long table without the grid, a folder is always keyed by cells
        for c in columns:
            ImportedMatrixModel(path, column=c, keys="cells" if path.is_dir() else "ids").read_all()
    except DataError:
        raise
    except (ValueError, OSError, ImportError) as exc:  # pandas' ParserError is a ValueError
        raise DataError(f"cannot be read as a table ({str(exc).splitlines()[0]})", file=path.name) from exc
    return columns


def session_matrix_dir(session: str, root: Path | None = None) -> Path:
    """The private store of one app session's uploads (hidden from the shared list)."""
    from ..inputs.matrices import matrix_dir

    if not re.fullmatch(r"[0-9a-f]{32}", session):
        raise ValueError("not a session id")
    return (root or matrix_dir()) / ".sessions" / session


def store_upload(data: bytes, name: str, session: str, root: Path | None = None) -> Path:
    """Keep an uploaded matrix for this session only, after :func:`check_matrix` has read it;
    a file that fails the check is removed again and its DataError raised. Uploads of
    sessions idle for more than :data:`SESSION_MATRIX_DAYS` days are cleared on the way."""
    import shutil
    import time

    from ..inputs.matrices import save_matrix

    folder = session_matrix_dir(session, root)
    sessions = folder.parent
    if sessions.is_dir():
        for old in sessions.iterdir():
            if old != folder and time.time() - old.stat().st_mtime > SESSION_MATRIX_DAYS * 86400:
                shutil.rmtree(old, ignore_errors=True)
    from ..errors import DataError

    path = save_matrix(data, name, folder=folder)
    try:
        check_matrix(path)
    except Exception as exc:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        if isinstance(exc, DataError):  # the file the user uploaded, never the server's folders
            raise DataError(exc.reason, file=name, row=exc.row, field=exc.field) from exc
        raise
    return path


def share_upload(path: str | Path, root: Path | None = None) -> Path:
    """Move a session's checked matrix to the shared store (listed for every user)."""
    import os

    from ..inputs.matrices import matrix_dir

    path = Path(path)
    shared = root or matrix_dir()
    shared.mkdir(parents=True, exist_ok=True)
    target = shared / path.name
    if target.exists():  # the same bytes are shared already
        import shutil

        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        return target
    os.replace(path, target)
    return target


# ------------------------------------------------ issue 26: the Optimise page, in the UI's language

_OPT_NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<n>[\d,]+) residents? cannot reach any candidate site and (?:is|are) left out$"),
     "o.r.note_unreachable"),
    (re.compile(r"^no candidate site in (?P<n>\d+) (?P<per>municipality|service area)\(s\), so the "
                r"at-least-one constraint could not apply there: (?P<names>.+) "
                r"\(add --candidates centres\)$"),
     "o.r.note_per"),
    (re.compile(r"^no Swedish-serving candidate in (?P<n>\d+) bilingual municipality\(ies\), so the "
                r"Swedish-coverage constraint could not apply there: (?P<names>.+) \(add --candidates "
                r"centres\)$"), "o.r.note_swedish"),
    (re.compile(r"^--keep-category (?P<cat>\w+): no existing candidate of that category$"),
     "o.r.note_keep_cat"),
]


def optimise_note(note: str, lang: str = "en") -> str:
    """One note of :func:`planner.optimise.optimise_network` in ``lang`` (a note without a
    translation is shown as written, said to be in English)."""
    if lang == "en":
        return note
    for pattern, key in _OPT_NOTES:
        m = pattern.match(note)
        if m:
            g = m.groupdict()
            count = int(g["n"].replace(",", "")) if "n" in g else None
            if count is not None:
                g["n"] = fmt_int(count, lang)
            if "per" in g:
                g["per"] = t("o.per." + g["per"].replace(" ", "_"), lang)
            if "cat" in g:
                g["cat"] = category_label(g["cat"], lang) if g["cat"] in CATEGORIES else g["cat"]
            return tn(key, count, lang, **g) if key in PLURALS and count is not None else t(key, lang, **g)
    return t("o.r.note_other", lang, text=note)


def _opt_model(model: str, lang: str) -> str:
    """The model's short name in ``lang`` ('p-mediaani'): the brackets of its label."""
    return t(f"o.m.{model}", lang).split(" (")[-1].rstrip(")")


def _opt_question(res, lang: str) -> str:
    p = res.params
    tm = fmt_num(p.get("max_minutes") or 30, lang, 0)
    key, values = f"o.q.{res.model}", {"t": tm, "share": fmt_pct(p.get("share") or 0.95, lang, 0)}
    if key in PLURALS and p.get("k") is not None:
        return tn(key, p["k"], lang, k=p["k"], **values)
    return t(key, lang, k=p.get("k"), **values)


def optimise_scenario(res, lang: str = "en") -> Scenario:
    """The optimised scenario named and described in the interface language (the changes as solved;
    in English as :func:`planner.optimise.optimise_network` names it)."""
    from ..outputs.i18n import group_label, need_label

    if lang == "en":
        return res.scenario

    name = t("o.r.name", lang, model=_opt_model(res.model, lang),
             need=need_label(res.need, lang), group=group_label(res.group, lang))
    desc = t("o.r.desc", lang, question=_opt_question(res, lang))
    return replace(res.scenario, name=name, description=desc)


def optimise_report(res, study: Study, lang: str = "en") -> str:
    """The answer of :func:`planner.optimise.optimise_network` as Markdown in ``lang``: question,
    residents and candidates, today vs optimised, notes (numbers in the language's style; a
    figure that does not exist, e.g. no point at all, in words)."""
    from ..escape import md_text
    from ..outputs.i18n import group_label, need_label

    m, sites = res.metrics, res.sites
    kinds = sites["kind"].value_counts() if "kind" in sites.columns else pd.Series(dtype=int)
    tr = fmt_num(res.params.get("max_minutes") or 30, lang, 0)
    no = t("ov.no_point", lang)

    def fig(v: float, kind: str) -> str:
        if not np.isfinite(v):
            return no
        return {"count": fmt_int(v, lang), "min": fmt_num(v, lang, 1), "share": fmt_pct(v, lang)}[kind]

    rows = [("o.r.points", "points", "count"), ("o.r.mean", "mean_min", "min"), ("o.r.max", "max_min", "min"),
            ("o.r.within", "pop_within_T", "count"), ("o.r.share", "share_within_T", "share"),
            ("o.r.no_point", "pop_no_point", "count")]
    n_units = int(res.rows["unit_id"].nunique()) if "unit_id" in res.rows.columns else 0
    weight = float(res.rows["weight"].sum()) if "weight" in res.rows.columns else 0.0
    lines = [
        "#### " + t("o.r.title", lang, model=_opt_model(res.model, lang), need=need_label(res.need, lang),
                    group=group_label(res.group, lang)),
        "",
        f"{t('o.r.question', lang)}: {_opt_question(res, lang)}  ",
        t("o.r.demand", lang, n=fmt_int(weight, lang), units=fmt_int(n_units, lang),
          unlocated=fmt_int(res.excluded.get("pop_unlocated", 0), lang),
          unreachable=fmt_int(res.excluded.get("pop_unreachable", 0), lang)) + "  ",
        t("o.r.candidates", lang, n=fmt_int(int(kinds.sum()) if len(kinds) else len(sites), lang),
          existing=fmt_int(kinds.get("existing", 0), lang), centres=fmt_int(kinds.get("centre", 0), lang),
          postal=fmt_int(kinds.get("postal", 0), lang)) + "  ",
        t("o.r.solver", lang, solver=md_text(res.solution.solver.replace(" via ", ", ")),
          status=md_text(t("o.status." + res.solution.status, lang) if "o.status." + res.solution.status
                         in _strings() else res.solution.status),
          secs=fmt_num(res.solution.solve_s, lang, 1)),
        "",
        f"| {t('o.r.figure', lang)} | {t('o.r.today', lang)} | {t('o.r.optimised', lang)} |",
        "|---|---:|---:|",
    ]
    for key, col, kind in rows:
        lines.append(f"| {t(key, lang, t=tr)} | {fig(m.loc[col, 'today'], kind)} | "
                     f"{fig(m.loc[col, 'optimised'], kind)} |")
    if res.notes:
        lines += ["", f"**{t('o.r.notes', lang)}**",
                  *[f"- {md_text(optimise_note(n, lang))}" for n in res.notes]]
    return "\n".join(lines)


def optimise_sites(res, study: Study, lang: str = "en") -> pd.DataFrame:
    """The sites of the answer (selected, or closed) for the page: labels, codes and municipality
    names in ``lang``, residents served as whole numbers."""
    from ..outputs.locale import municipality_names

    sites = res.sites[res.sites["selected"] | (res.sites["change"] == "closed")]
    munis = municipality_names(study.municipalities, lang)
    return pd.DataFrame({
        t("col.id", lang): sites["id"].to_numpy(),
        t("col.name", lang): sites["name"].to_numpy(),
        t("col.category", lang): [category_label(c, lang) if c in CATEGORIES else c
                                  for c in sites["category"]],
        t("col.municipality", lang): sites["municipality_code"].map(munis).fillna(sites["municipality_code"])
        .to_numpy(),
        t("o.col.change", lang): [t(f"o.change.{c}", lang) for c in sites["change"]],
        t("o.col.kind", lang): [t(f"o.kind.{k}", lang) if f"o.kind.{k}" in _strings() else k
                                for k in sites.get("kind", pd.Series("existing", index=sites.index))],
        t("o.col.served", lang): sites["pop_served"].fillna(0).round().astype("int64").to_numpy(),
        t("o.col.served_today", lang): sites["pop_served_today"].round().astype("Int64").to_numpy(),
    })


def _strings() -> dict:
    from ..outputs.i18n import STRINGS

    return STRINGS
