"""The workshop handout: a two-page A4 PDF of a baseline or scenario (matplotlib + geopandas).

Page 1: the title, a static basemap-free map (EPSG:3067: minutes gained/lost in a scenario,
travel-time bands for the baseline; closed and opened points marked) and the headline
figures. Page 2: the worst-off areas, the travel-time model and its cross-validated error,
the data year and the sources (:func:`planner.outputs.attribution.attribution_lines`).

:func:`brief_pdf` returns the PDF as bytes (for an app download button); :func:`write_brief`
writes it atomically. User text (scenario and area names) is drawn as plain text, never
parsed as mathtext.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..numbers import fmt_count, fmt_int, fmt_num, fmt_pct
from .attribution import attribution_notice
from .i18n import STRINGS, t, tn

__all__ = ["brief_pdf", "write_brief", "headline_figures", "A4_INCHES"]

A4_INCHES = (8.27, 11.69)
def _t(key: str, lang: str) -> str:
    """This module's interface text, from the translation table (keys ``brief.*``)."""
    return t(f"brief.{key}", lang)


def _text(fig, x: float, y: float, s: str, **kw):
    """Plain text: a user's '$' or '_' is shown as typed, never parsed as mathtext."""
    return fig.text(x, y, str(s), parse_math=False, **kw)


def headline_figures(region: pd.DataFrame, need: str, lang: str = "en", scenario: bool = True,
                     group: str = "all") -> list:
    """``(label, before, after)`` rows of a ``compare_region`` table, or ``(label, value, '')`` of a
    baseline ``summary_region`` table, for language ``group`` (the one the screen shows),
    formatted for ``lang``."""
    r = region[(region["need"] == need) & (region["group"] == group)].iloc[0]
    pop = float(r["population"])

    def pct(n: float) -> str:
        return f"{fmt_int(n, lang)} ({fmt_pct(n / pop if pop else np.nan, lang)})"

    def med(v: float, note: str) -> str:  # a median among residents with no point: said, not inf
        return _t("no_point_median", lang) if note and not np.isfinite(v) else fmt_num(v, lang)

    # issue 24: who has no point and who lost it before any time figure; the mean is of those served
    if not scenario:
        return [(_t("residents", lang), fmt_int(pop, lang), ""),
                (_t("unreachable", lang), fmt_int(r["pop_no_point"], lang), ""),
                (_t("share_served", lang), fmt_pct(r["share_served"], lang), ""),
                (_t("mean", lang), fmt_num(r["mean_min_served"], lang), ""),
                (_t("median", lang), med(r["median_min"], r["stats_note"]), ""),
                (_t("within30", lang), pct(r["pop_within_30"]), "")]
    return [
        (_t("residents", lang), fmt_int(pop, lang), fmt_int(pop, lang)),
        (_t("unreachable", lang), fmt_int(r["pop_no_point_before"], lang),
         fmt_int(r["pop_no_point_after"], lang)),
        (_t("lose_access", lang), "", fmt_int(r["pop_lost_access"], lang)),
        (_t("share_served", lang), fmt_pct(r["share_served_before"], lang),
         fmt_pct(r["share_served_after"], lang)),
        (_t("mean", lang), fmt_num(r["mean_min_served_before"], lang),
         fmt_num(r["mean_min_served_after"], lang) + (" *" if r["improved_by_exclusion"] else "")),
        (_t("median", lang), med(r["median_min_before"], r["stats_note_before"]),
         med(r["median_min_after"], r["stats_note_after"])),
        (_t("within30", lang), pct(r["pop_within_30_before"]), pct(r["pop_within_30_after"])),
        (_t("lose10", lang), "", pct(r["pop_lose_gt_10"])),
        (_t("lose20", lang), "", pct(r["pop_lose_gt_20"])),
    ]


def _map(ax, study, results, run, need: str, group: str, lang: str) -> str:
    """Draw the static map on ``ax`` (EPSG:3067, no basemap); return its caption."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from .maps import (
        BANDS,
        CHANGE_STEPS,
        GAINED_ACCESS,
        LOST_ACCESS,
        UNREACHABLE,
        _select_change,
        _unit_values,
        band_of,
        change_colour,
    )

    units = study.units[study.units["located"]]
    points = study.points
    if run is not None:
        ch = _select_change(run.comparison["unit_changes"], need, group).set_index("unit_id")["delta_min"]
        vals = units["unit_id"].map(ch).to_numpy(dtype=float)
        edges = [-60.0, *[u for u, _, _ in CHANGE_STEPS[:-1]], 60.0]
        cmap = ListedColormap([c for _, _, c in CHANGE_STEPS])
        # as on the web map: under half a minute either way is no change (neutral, not a loss)
        special = {LOST_ACCESS: np.isposinf(vals), GAINED_ACCESS: np.isneginf(vals),
                   "#f7f7f7": np.isfinite(vals) & (np.abs(vals) < 0.5)}
        caption = _t("map_change", lang)
        points = pd.concat([run.applied.points, run.applied.closed_points], ignore_index=True)
    else:
        names = points.set_index("id")["name"]
        vals = _unit_values(study.units, results.access, need, group, names[~names.index.duplicated()])[
            "time_min"].reindex(units["unit_id"]).to_numpy(dtype=float)
        edges = [0.0, *[u for u, _, _ in BANDS[:-1]], 240.0]
        cmap = ListedColormap([c for _, _, c in BANDS])
        special = {UNREACHABLE[1]: np.isinf(vals)}
        caption = _t("map_time", lang)
    norm = BoundaryNorm(edges, cmap.N)
    finite = np.isfinite(vals) & ~np.any(list(special.values()), axis=0)
    # each area coloured as the web map colours it (band_of / change_colour): a band holds its upper
    # edge, as its legend says ("≤ 15 min"); a BoundaryNorm would put exactly 15.0 in the next band
    colour = change_colour if run is not None else (lambda v: band_of(v, lang)[1])
    u = units
    if np.isnan(vals).any():
        u[np.isnan(vals)].plot(ax=ax, color="#f2f2f2", edgecolor="#bbbbbb", linewidth=0.15)
    if finite.any():
        u[finite].plot(ax=ax, color=[colour(v) for v in vals[finite]], edgecolor="#777777", linewidth=0.15)
    for colour, mask in special.items():
        if mask.any():
            u[mask].plot(ax=ax, color=colour, edgecolor="#777777", linewidth=0.15)
    study.borders.boundary.plot(ax=ax, color="#333333", linewidth=0.5)
    state = run.applied.state if run is not None else {}
    from ..inputs.categories import GROUPS, eligible_categories

    serves = set().union(*(eligible_categories(need, g) for g in GROUPS)) if group == "all" else \
        set(eligible_categories(need, group))
    points = points[points["category"].isin(serves)]
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    st = points["id"].map(lambda p: state.get(p, "open")).to_numpy()
    ax.scatter(xy[st == "open", 0], xy[st == "open", 1], s=22, c="#111111", marker="o", zorder=3,
               edgecolors="#ffffff", linewidths=0.6, label=_t("open", lang))
    if (st == "closed").any():
        ax.scatter(xy[st == "closed", 0], xy[st == "closed", 1], s=50, c="#d7191c", marker="x", zorder=4,
                   linewidths=2, label=_t("closed", lang))
    mob = _mobile_mask(points)
    fixed_new = (st == "opened") & ~mob
    if fixed_new.any():
        ax.scatter(xy[fixed_new, 0], xy[fixed_new, 1], s=60, facecolors="none", marker="o",
                   edgecolors="#d7191c", linewidths=2, zorder=4, label=_t("opened", lang))
    if mob.any():  # issue 14: the mobile unit's stops (own marker) and its tour in schedule order
        from ..analysis.mobile import tour_order

        stops = tour_order(points[mob & (st != "closed")].drop_duplicates("stop_id"))
        for _, s in stops.groupby("mobile_unit", sort=False):
            if len(s) > 1:
                ax.plot(s.geometry.x, s.geometry.y, color="#333333", linewidth=1.2, linestyle="--",
                        zorder=3)
        ax.scatter(stops.geometry.x, stops.geometry.y, s=55, c="#ffd92f", marker="s", zorder=5,
                   edgecolors="#333333", linewidths=1.0, label=_t("mobile_stop", lang))
    ax.legend(loc="lower right", fontsize=7, frameon=True)
    ax.set_axis_off()
    ax.set_aspect("equal")
    from matplotlib.cm import ScalarMappable
    from matplotlib.ticker import FuncFormatter

    sm = ScalarMappable(norm=norm, cmap=cmap)
    # issue 26: whole minutes only (the ±0.5 edges of "no change" are its middle, 0)
    ticks = sorted({round(e) for e in edges[1:-1]} | ({0} if run is not None else set()))
    cb = ax.figure.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.04, pad=0.02, ticks=ticks)
    cb.ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: ("\u2212" if v < 0 else "") + fmt_int(abs(v), lang)))
    cb.ax.tick_params(labelsize=7)
    return caption


def _mobile_mask(points: pd.DataFrame) -> np.ndarray:
    """Rows of ``points`` that are stops of a mobile unit (scenario change ``mobile``)."""
    if "mobile_unit" not in points.columns:
        return np.zeros(len(points), bool)
    return points["mobile_unit"].map(lambda u: isinstance(u, str) and u != "").to_numpy(dtype=bool)


def mobile_lines(points: pd.DataFrame, lang: str = "en") -> list[str]:
    """One line of text per mobile unit of ``points``: its name, stops and visit days a week.

    >>> import pandas as pd
    >>> pts = pd.DataFrame({"mobile_unit": ["bus", "bus", None], "mobile_unit_name": ["Bus", "Bus", None],
    ...                     "stop_id": ["a", "b", None], "visits_per_week": [1.0, 2.0, None]})
    >>> mobile_lines(pts)
    ['Mobile unit Bus: 2 stops, 3 visit days a week in all (1-2 per stop)']
    """
    if "mobile_unit" not in points.columns:
        return []
    mob = points[_mobile_mask(points)].drop_duplicates("stop_id")
    out = []
    for _, s in mob.groupby("mobile_unit", sort=False):
        v = s["visits_per_week"].astype(float)
        out.append(t("brief.mobile_line", lang, name=str(s["mobile_unit_name"].iloc[0]),
                     stops=tn("count.stops", len(s), lang, n=fmt_int(len(s), lang)),
                     visits=tn("count.visit_days", v.sum(), lang, n=fmt_count(v.sum(), lang)),
                     low=fmt_count(v.min(), lang), high=fmt_count(v.max(), lang)))
    return out


def _wrap(lines: list[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, width) or [""]
    return out


def brief_pdf(study, baseline, run=None, need: str = "social_any", group: str = "all",
              lang: str = "en", worst: int = 12) -> bytes:
    """The two-page A4 handout as PDF bytes (the pages of :func:`brief_pages`)."""
    from matplotlib.backends.backend_pdf import PdfPages

    prov = run.results.provenance if run is not None else baseline.provenance
    title = f"{_t('scenario', lang)}: {run.scenario.name}" if run is not None else _t("baseline", lang)
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": title, "Creator": "Uusimaa service-network planner",
                                 "Subject": f"{prov.get('model', '?')}; {_t('year', lang)} "
                                            f"{prov.get('data_year', '?')}"}) as pdf:
        for fig in brief_pages(study, baseline, run, need, group, lang, worst):
            pdf.savefig(fig)
    return buf.getvalue()


def brief_pages(study, baseline, run=None, need: str = "social_any", group: str = "all",
                lang: str = "en", worst: int = 12) -> list:
    """The handout's two A4 pages as matplotlib figures.

    ``study`` / ``baseline``: :class:`planner.analysis.study.Study` and its baseline
    :class:`planner.analysis.study.Results`; ``run``: a :class:`planner.outputs.report.Run` (a scenario
    evaluated against that baseline) or None for the baseline alone. ``group`` colours the map
    ('fi', 'sv' or 'all') and the headline figures (the group the app's screen shows).
    """
    from matplotlib.figure import Figure

    from .i18n import group_label, model_name, need_label
    from .locale import eligibility_text, prov_text

    prov = run.results.provenance if run is not None else baseline.provenance
    mode_key = f"mode.{prov.get('mode')}"
    mode = t(mode_key, lang) if mode_key in STRINGS else str(prov.get("mode", "?"))
    model_line = (f"{model_name(str(prov.get('model', '?')), lang)} ({mode.lower()}); "
                  f"{_t('year', lang)} {prov.get('data_year', '?')}")
    title = (f"{_t('scenario', lang)}: {run.scenario.name}" if run is not None else _t("baseline", lang))
    sub = f"{need_label(need, lang)} — {group_label(group, lang)}"
    pages = []
    # page 1: title, map, headline figures; issue 26: every line of the top block wrapped to the
    # page (about 60 characters of the 16 pt title, 95 of 11 pt) and placed below the one before
    fig = Figure(figsize=A4_INCHES)
    y = 0.955
    for line in _wrap([title], 58)[:2]:
        _text(fig, 0.06, y, line, fontsize=16, fontweight="bold")
        y -= 0.024
    for line in _wrap([sub], 92)[:2]:
        _text(fig, 0.06, y, line, fontsize=11)
        y -= 0.018
    desc = run.scenario.description if run is not None else ""
    desc_lines = _wrap([desc], 125) if desc else []
    for i, line in enumerate(desc_lines[:3]):
        cut = i == 2 and len(desc_lines) > 3  # the rest is in the scenario file: say it goes on
        _text(fig, 0.06, y, line + (" …" if cut else ""), fontsize=8, color="#333333")
        y -= 0.013
    mlines = mobile_lines(run.applied.points, lang) if run is not None else []
    for line in mlines[:2]:  # issue 14: name the mobile unit(s) and their visits
        _text(fig, 0.06, y, line, fontsize=8, fontweight="bold")
        y -= 0.014
    ax = fig.add_axes((0.04, 0.35, 0.92, y - 0.37))
    caption = _map(ax, study, baseline, run, need, group, lang)
    _text(fig, 0.06, y - 0.006, caption, fontsize=9, fontstyle="italic")
    heading = f"{_t('headline', lang)} — {group_label(group, lang)}"
    _text(fig, 0.06, 0.305, heading if len(heading) <= 70 else heading[:69] + "…", fontsize=12,
          fontweight="bold")
    region = run.comparison["compare_region"] if run is not None else baseline.summaries["summary_region"]
    # issue 26: the figures of the language group the map (and the app's screen) shows
    rows = headline_figures(region, need, lang, scenario=run is not None, group=group)
    y = 0.275
    if run is not None:
        _text(fig, 0.55, y, _t("before", lang), fontsize=9, fontweight="bold", ha="right")
        _text(fig, 0.80, y, _t("after", lang), fontsize=9, fontweight="bold", ha="right")
    else:
        _text(fig, 0.55, y, _t("now", lang), fontsize=9, fontweight="bold", ha="right")
    for label, a, b in rows:
        y -= 0.022
        _text(fig, 0.06, y, label, fontsize=9)
        _text(fig, 0.55, y, a, fontsize=9, ha="right")
        _text(fig, 0.80, y, b, fontsize=9, ha="right")
    if run is not None:  # issue 24: an "improved" mean that only lost residents explains, said so
        r = region[(region["need"] == need) & (region["group"] == group)].iloc[0]
        if r["improved_by_exclusion"]:
            note = tn("brief.exclusion", r["pop_lost_access"], lang, n=fmt_int(r["pop_lost_access"], lang))
            _text(fig, 0.06, y - 0.022, "* " + note, fontsize=8, fontstyle="italic")
    _text(fig, 0.06, 0.03, f"{model_line} — {_t('page', lang)} 1/2", fontsize=7, color="#555555")
    pages.append(fig)

    # page 2: worst-off areas, model and error, data and sources
    fig = Figure(figsize=A4_INCHES)
    y = 0.95
    footnote = ""
    if run is not None:
        _text(fig, 0.06, y, _t("worst", lang), fontsize=13, fontweight="bold")
        wo = run.comparison["worst_off"]
        wo = wo[(wo["need"] == need) & (wo["group"] == "all")].head(worst)
        cols = [(0.06, _t("area", lang), "left"), (0.47, _t("municipality", lang), "left"),
                (0.70, _t("residents", lang), "right"), (0.94, _t("change", lang), "right")]
        rows = [[r["name"], r["municipality"], fmt_int(r["population"], lang),
                 "+" + fmt_num(r["max_delta_min"], lang) if np.isfinite(r["max_delta_min"])
                 else _t("lose_access", lang)] for _, r in wo.iterrows()]
        empty = _t("none_worse", lang)
    else:
        _text(fig, 0.06, y, _t("slowest", lang), fontsize=13, fontweight="bold")
        names = study.points.set_index("id")["name"]
        v = _unit_values_for(study, baseline, need, names, group)  # the group on screen (issue 26)
        # room for "no service point" in words in the time column (issue 26: it overprinted)
        cols = [(0.06, _t("area", lang), "left"), (0.47, _t("municipality", lang), "left"),
                (0.70, _t("residents", lang), "right"), (0.94, _t("time", lang), "right")]
        # issue 24: a trip beyond the calibration range is marked; its error is not measured
        rows = [[r["name"], r["municipality"], fmt_int(r["residents"], lang),
                 fmt_num(r["time_min"], lang, missing=t("ov.no_point", lang))
                 + (" *" if bool(r.get("extrapolated", False)) and np.isfinite(r["time_min"]) else "")]
                for _, r in v.head(worst).iterrows()]
        empty = ""
        if any(str(r[-1]).endswith(" *") for r in rows):
            footnote = "* " + t("map.extrapolated", lang)
    if lang == "sv" and "name_sv" in study.municipalities.columns:  # Swedish names in Swedish
        sv_names = dict(zip(study.municipalities["name_fi"], study.municipalities["name_sv"], strict=True))
        rows = [[r[0], sv_names.get(r[1], r[1]) or r[1], *r[2:]] for r in rows]
    y -= 0.03
    for x, head, ha in cols:
        _text(fig, x, y, head, fontsize=9, fontweight="bold", ha=ha)
    for row in rows:
        y -= 0.021
        for (x, _, ha), cell in zip(cols, row, strict=True):
            cell = str(cell)
            _text(fig, x, y, cell if len(cell) <= 48 else cell[:47] + "…", fontsize=9, ha=ha)
    if not rows and empty:
        y -= 0.021
        _text(fig, 0.06, y, empty, fontsize=9)
    if footnote:
        y -= 0.021
        _text(fig, 0.06, y, footnote, fontsize=8, fontstyle="italic")
    y -= 0.05
    _text(fig, 0.06, y, _t("model", lang), fontsize=13, fontweight="bold")
    model_lines = [f"{model_name(str(prov.get('model', '?')), lang)} ({mode.lower()}): "
                   f"{prov_text(prov.get('model_parameters', ''), lang)}",
                   prov_text(prov.get("model_parameter_source", ""), lang),
                   f"{_t('error', lang)}: {prov_text(prov.get('time_error_p90_min') or '–', lang)}",
                   t("map.pt_wait", lang, note=prov_text(prov["pt_wait"], lang))
                   if prov.get("pt_wait") else ""]
    if prov.get("network_source") and not str(prov.get("network_source")).startswith("none"):
        model_lines.insert(1, f"{_t('network', lang)}: {prov['network_source']} "
                              f"(OSM {prov.get('osm_date', '?')})")
    for line in _wrap([x for x in model_lines if x], 105):
        y -= 0.017
        _text(fig, 0.06, y, line, fontsize=8.5)
    y -= 0.04
    _text(fig, 0.06, y, _t("data", lang), fontsize=13, fontweight="bold")
    data_lines = [f"{_t('year', lang)}: {prov.get('data_year', '?')} — "
                  f"{prov_text(prov.get('demand_units', ''), lang)}",
                  f"{_t('points', lang)}: {prov_text(prov.get('service_points', ''), lang)} "
                  f"({prov.get('network_date', '')}; {prov_text(prov.get('unlocated_points', ''), lang)})",
                  f"{_t('swedish', lang)}: {prov_text(prov.get('swedish_speakers', ''), lang)}",
                  f"{_t('weight', lang)}: {prov_text(prov.get('demand_weight', ''), lang)}; "
                  f"{_t('eligibility', lang)}: {eligibility_text(prov.get('eligibility', ''), lang)}"]
    for line in _wrap(data_lines, 105):
        y -= 0.017
        _text(fig, 0.06, y, line, fontsize=8.5)
    y -= 0.04
    _text(fig, 0.06, y, _t("sources", lang), fontsize=13, fontweight="bold")
    # credits, 'modified', licence links: in the handout's language, as the map's credits
    for line in _wrap(attribution_notice(prov, lang=lang), 105):
        y -= 0.017
        _text(fig, 0.06, y, line, fontsize=8.5)
    _text(fig, 0.06, 0.03, f"{title} — {_t('page', lang)} 2/2", fontsize=7, color="#555555")
    pages.append(fig)
    return pages


def _unit_values_for(study, results, need: str, names: pd.Series, group: str = "all") -> pd.DataFrame:
    """Baseline page 2: the units with the longest (population-weighted) times of language
    ``group``, slowest first."""
    from .maps import _unit_values

    v = _unit_values(study.units, results.access, need, group, names[~names.index.duplicated()])
    u = study.units.set_index("unit_id")[["name", "municipality"]].join(v)
    u = u[u["residents"] > 0]
    u["extrapolated"] = u["extrapolated"].astype("boolean").fillna(False).astype(bool) \
        if "extrapolated" in u.columns else False
    return u.sort_values("time_min", ascending=False, na_position="last")


def write_brief(study, baseline, out: str | Path, run=None, need: str = "social_any", group: str = "all",
                lang: str = "en") -> Path:
    """Write :func:`brief_pdf` to ``out`` atomically (a failed run leaves the previous file)."""
    from ..atomic import atomic_file

    data = brief_pdf(study, baseline, run, need, group, lang)
    out = Path(out)
    with atomic_file(out) as tmp:
        tmp.write_bytes(data)
    return out
