"""Charts with Altair (Vega-Lite, Streamlit's own charting): the cumulative share of residents
by travel time, before and after a scenario per language group, and bars of the mean change
per service area and municipality.

The chart functions return ``altair.Chart`` objects (the app shows them with
``st.altair_chart``). For the offline HTML map, :func:`chart_svg` renders a chart to static
SVG with vl-convert (Vega and Vega-Lite compiled into the Python package: no script, no
network), and :func:`charts_panel` puts the SVGs in a collapsible side panel of a folium map.
Text in the data (area names) is escaped by the SVG writer; titles by :func:`html_text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..escape import html_element, html_text
from .i18n import t
from .locale import area_name, vega_locale

__all__ = ["cumulative_share", "cumulative_chart", "change_by_area", "change_bars", "chart_svg",
           "charts_panel", "scenario_charts", "add_charts_panel"]

GAIN, LOSS = "#2166ac", "#b2182b"  # the map's change palette (ColorBrewer RdBu ends)


def _t(key: str, lang: str) -> str:
    """This module's interface text, from the translation table (keys ``chart.*``)."""
    return t(f"chart.{key}", lang)


def cumulative_share(access: pd.DataFrame, need: str, groups=("fi", "sv"), step: float = 1.0,
                     max_min: float | None = None) -> pd.DataFrame:
    """Share of each group's located residents with a point within ``t`` minutes, ``t`` = 0, step, ...

    Residents with no point in reach stay in the denominator (the curve ends below 1); residents
    without a position (unlocated) are left out of both. Columns ``group, minutes, share, residents``.
    """
    sel = access[(access["need"] == need) & access["located"]]
    frames = []
    for g in groups:
        rows = sel if g == "all" else sel[sel["group"] == g]
        t = rows["time_min"].to_numpy(dtype=float)
        w = rows["population"].to_numpy(dtype=float)
        total = w.sum()
        finite = t[np.isfinite(t)]
        top = max_min if max_min is not None else (finite.max() if len(finite) else 0.0)
        grid = np.arange(0.0, np.ceil(top / step) * step + step, step)
        order = np.argsort(t, kind="stable")
        ts, ws = t[order], np.cumsum(w[order])
        k = np.searchsorted(ts, grid, side="right")  # residents with time <= minute
        reached = np.where(k > 0, ws[np.maximum(k - 1, 0)], 0.0)
        frames.append(pd.DataFrame({"group": g, "minutes": grid,
                                    "share": reached / total if total > 0 else np.nan,
                                    "residents": reached.round().astype("int64")}))
    return pd.concat(frames, ignore_index=True)


def cumulative_chart(before: pd.DataFrame, need: str, after: pd.DataFrame | None = None,
                     groups=("fi", "sv"), lang: str = "en", width: int = 300, height: int = 190):
    """Altair line chart of :func:`cumulative_share` before (dashed) and after (solid) a scenario,
    one colour per language group (access tables of :class:`planner.analysis.study.Results`)."""
    import altair as alt

    top = max(float(np.nanmax(np.where(np.isfinite(x["time_min"]), x["time_min"], np.nan)))
              for x in ([before] if after is None else [before, after])
              if np.isfinite(x["time_min"]).any())
    parts = [cumulative_share(before, need, groups, max_min=top).assign(
        when=_t("before" if after is not None else "now", lang))]
    if after is not None:
        parts.append(cumulative_share(after, need, groups, max_min=top).assign(when=_t("after", lang)))
    data = pd.concat(parts, ignore_index=True)
    data["group"] = data["group"].map(lambda g: _t(g, lang))
    when_order = [_t("before", lang), _t("after", lang)] if after is not None else [_t("now", lang)]
    return alt.Chart(data, title=_t("cumulative", lang)).mark_line(interpolate="step-after").encode(
        x=alt.X("minutes:Q", title=_t("minutes", lang)),
        y=alt.Y("share:Q", title=_t("share", lang), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("group:N", title=_t("group", lang),
                        scale=alt.Scale(domain=[_t(g, lang) for g in ("fi", "sv", "all")],
                                        range=["#0072B2", "#E69F00", "#555555"]),
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        strokeDash=alt.StrokeDash("when:N", title=None, sort=when_order,
                                  scale=alt.Scale(domain=when_order,
                                                  range=[[5, 3], [1, 0]][-len(when_order):]),
                                  legend=alt.Legend(orient="bottom") if after is not None else None),
        tooltip=[alt.Tooltip("group:N", title=_t("group", lang)), "when:N",
                 alt.Tooltip("minutes:Q", title=_t("minutes", lang)),
                 alt.Tooltip("share:Q", format=".1%", title=_t("share", lang))],
    ).properties(width=width, height=height).configure(locale=vega_locale(lang))  # 19,5 and 50 %


def change_by_area(table: pd.DataFrame, need: str, group: str = "all") -> pd.DataFrame:
    """``area, mean_change_min_served_both, population, pop_lose_gt_10`` of a ``compare_service_area`` or
    ``compare_municipality`` table (:func:`planner.analysis.comparison.compare_all`), largest loss first."""
    sel = table[(table["need"] == need) & (table["group"] == group)]
    out = sel[["area", "mean_change_min_served_both", "population", "pop_lose_gt_10"]].copy()
    return out.sort_values(["mean_change_min_served_both", "area"], ascending=[False, True],
                           ignore_index=True)


def change_bars(table: pd.DataFrame, need: str, level: str = "service_area", group: str = "all",
                lang: str = "en", width: int = 300):
    """Altair bars of the mean change in minutes per area (``level`` 'service_area' or
    'municipality'): red = residents lose time, blue = they gain."""
    import altair as alt

    data = change_by_area(table, need, group)
    if level == "service_area":  # Swedish names in Swedish
        data["area"] = data["area"].map(lambda a: area_name(a, lang))
    data["sign"] = np.where(data["mean_change_min_served_both"] > 0, "loss", "gain")
    return alt.Chart(data, title=_t(level, lang)).mark_bar().encode(
        x=alt.X("mean_change_min_served_both:Q", title=_t("change", lang)),
        y=alt.Y("area:N", sort=None, title=None),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["gain", "loss"], range=[GAIN, LOSS]), legend=None),
        tooltip=[alt.Tooltip("area:N", title=_t("area", lang)),
                 alt.Tooltip("mean_change_min_served_both:Q", format="+.1f", title=_t("change", lang)),
                 alt.Tooltip("population:Q", format=",", title=t("colname.residents", lang))],
    ).properties(width=width, height=max(60, 22 * len(data))).configure(  # room for every label
        locale=vega_locale(lang))  # issue 26: decimal comma and grouping of the UI language


def chart_svg(chart) -> str:
    """A chart as a static SVG string (vl-convert: no browser, no script, no network)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    return svg[svg.index("<svg"):] if "<svg" in svg else svg


def scenario_charts(study, baseline, results=None, comparison: dict | None = None, need: str = "social_any",
                    lang: str = "en", group: str = "all") -> list:
    """The charts of a baseline (cumulative share) or a scenario run (cumulative before/after and
    change bars of language ``group`` per service area and municipality; ``comparison`` from
    ``compare_all``)."""
    after = None if results is None else results.access
    charts = [cumulative_chart(baseline.access, need, after, lang=lang)]
    if comparison is not None:
        for level in ("service_area", "municipality"):
            charts.append(change_bars(comparison[f"compare_{level}"], need, level, group, lang))
    return charts


def charts_panel(svgs: list[str], lang: str = "en", open_: bool = False) -> str:
    """A collapsible side panel (HTML ``<details>``, left edge, below the title) holding the SVGs."""
    body = "".join(f'<div class="planner-chart" style="margin:6px 0">{s}</div>' for s in svgs)
    details = "<details open>" if open_ else "<details>"
    return ('<div id="planner-charts" style="position:absolute;top:190px;left:10px;z-index:998;'
            "background:rgba(255,255,255,.96);padding:6px 10px;border:1px solid #888;border-radius:4px;"
            "font:12px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111;"
            f'max-height:calc(100% - 350px);overflow:auto;max-width:min(380px,45%)">{details}'
            f'<summary style="cursor:pointer;font-weight:bold">{html_text(_t("panel", lang))}</summary>'
            f"{body}</details></div>{_PLACE}")


# the panel stands below the title block, whatever height the title has (folded, wrapped, a
# narrow half of a side-by-side page), and stops above the credits
_PLACE = """<script>(function () {
    function place() {
        var t = document.getElementById("planner-title") || document.getElementById("planner-title-left");
        var c = document.getElementById("planner-charts");
        if (!t || !c) { return; }
        var top = t.offsetTop + t.offsetHeight + 8;
        c.style.top = top + "px";
        c.style.maxHeight = Math.max(120, window.innerHeight - top - 170) + "px";
    }
    window.addEventListener("load", place);
    window.addEventListener("resize", place);
    document.addEventListener("toggle", place, true);
    setTimeout(place, 0);
})();</script>"""


def add_charts_panel(m, charts: list, lang: str = "en", open_: bool = False):
    """Render ``charts`` to SVG and add them to folium map ``m`` as a side panel. Returns ``m``."""
    m.get_root().html.add_child(html_element(charts_panel([chart_svg(c) for c in charts], lang, open_)),
                                name="planner_charts")
    return m
