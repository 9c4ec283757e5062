"""Charts with matplotlib (the plotting stack of the handout too): the cumulative share of
residents by travel time, before and after a scenario per language group, and bars of the mean
change per service area and municipality.

The chart functions return ``matplotlib.figure.Figure`` objects (no pyplot state: safe in the
app's threads; the app shows them with ``st.pyplot``). For the offline HTML map,
:func:`chart_svg` renders a chart to static SVG (text kept as text, no script, no network), and
:func:`charts_panel` puts the SVGs in a collapsible side panel of a folium map. Numbers on the
axes and bars are written as the interface language writes them (planner.numbers). Text in the
data (area names) is escaped by the SVG writer; titles by :func:`html_text`.
"""

from __future__ import annotations

import io
import re
import textwrap

import numpy as np
import pandas as pd

from ..escape import html_element, html_text
from ..numbers import fmt_int, fmt_pct, fmt_signed
from .i18n import t
from .locale import area_name

__all__ = ["cumulative_share", "cumulative_chart", "change_by_area", "change_bars", "chart_svg",
           "charts_panel", "scenario_charts", "add_charts_panel"]

GAIN, LOSS = "#2166ac", "#b2182b"  # the map's change palette (ColorBrewer RdBu ends)
GROUP_COLOURS = {"fi": "#0072B2", "sv": "#E69F00", "all": "#555555"}  # Okabe-Ito: colour-blind safe
BEFORE_DASH, AFTER_DASH = (0, (5, 3)), "solid"  # before dashed, after (or now) solid
MINUS = "\u2212"  # a typographic minus, as the handout's legend writes it
_DPI = 100  # figure inches x 100 = the pixel sizes the callers give


def _t(key: str, lang: str) -> str:
    """This module's interface text, from the translation table (keys ``chart.*``)."""
    return t(f"chart.{key}", lang)


def _signed(v: float, lang: str, digits: int = 1) -> str:
    """+1.5 / \u22120.7 in the language's decimal style."""
    return fmt_signed(v, lang, digits, MINUS)


def _tick(v: float, lang: str) -> str:
    """An axis number without needless decimals (0,5 / 1 / \u22121,5 in Finnish)."""
    from babel.numbers import format_decimal

    from ..numbers import LOCALES

    text = format_decimal(abs(float(v)), format="#,##0.##", locale=LOCALES.get(lang, LOCALES["en"]))
    return (MINUS if v < 0 and text != "0" else "") + text


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
        # a group without rows (no such residents in the table): nobody reached, not an IndexError
        reached = np.where(k > 0, ws[np.maximum(k - 1, 0)], 0.0) if len(ws) else np.zeros(len(grid))
        frames.append(pd.DataFrame({"group": g, "minutes": grid,
                                    "share": reached / total if total > 0 else np.nan,
                                    "residents": reached.round().astype("int64")}))
    return pd.concat(frames, ignore_index=True)


def cumulative_chart(before: pd.DataFrame, need: str, after: pd.DataFrame | None = None,
                     groups=("fi", "sv"), lang: str = "en", width: int = 300, height: int = 190):
    """Step lines of :func:`cumulative_share` before (dashed) and after (solid) a scenario, one
    colour per language group (access tables of :class:`planner.analysis.study.Results`); a matplotlib
    ``Figure`` of about ``width`` x ``height`` pixels of plot plus its title, axes and legend.

    Each line is labelled ``"<group>, <when>"`` (``when`` = before / after, or now without a
    scenario); the y axis is the share 0-100 % written as the language writes percentages.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    top = max(float(np.nanmax(np.where(np.isfinite(x["time_min"]), x["time_min"], np.nan)))
              for x in ([before] if after is None else [before, after])
              if np.isfinite(x["time_min"]).any())
    whens = [("before", before), ("after", after)] if after is not None else [("now", before)]
    fig = Figure(figsize=((width + 80) / _DPI, (height + 150) / _DPI), dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    for when, access in whens:
        share = cumulative_share(access, need, groups, max_min=top)
        for g in groups:
            rows = share[share["group"] == g]
            ax.step(rows["minutes"], rows["share"], where="post", color=GROUP_COLOURS[g], linewidth=1.6,
                    linestyle=BEFORE_DASH if when == "before" else AFTER_DASH,
                    label=f"{_t(g, lang)}, {_t(when, lang)}")
    ax.set_ylim(0, 1)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, digits=0)))  # 50 %
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, lang)))
    ax.set_xlabel(_t("minutes", lang))
    ax.set_ylabel(textwrap.fill(_t("share", lang), 28))
    ax.set_title(textwrap.fill(_t("cumulative", lang), 36), fontsize=10, loc="left")  # all of it shown
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncol=1, fontsize=8, frameon=False, title=_t("group", lang),
               title_fontsize=8)
    return fig


def change_by_area(table: pd.DataFrame, need: str, group: str = "all") -> pd.DataFrame:
    """``area, mean_change_min_served_both, population, pop_lose_gt_10, pop_lost_access`` of a
    ``compare_service_area`` or ``compare_municipality`` table
    (:func:`planner.analysis.comparison.compare_all`), largest loss first."""
    sel = table[(table["need"] == need) & (table["group"] == group)]
    cols = ["area", "mean_change_min_served_both", "population", "pop_lose_gt_10", "pop_lost_access"]
    out = sel[cols].copy()
    return out.sort_values(["mean_change_min_served_both", "area"], ascending=[False, True],
                           ignore_index=True)


def change_bars(table: pd.DataFrame, need: str, level: str = "service_area", group: str = "all",
                lang: str = "en", width: int = 300):
    """Bars of the mean change in minutes per area (``level`` 'service_area' or 'municipality'),
    largest loss on top: red = residents lose time, blue = they gain; each bar carries its value
    (+1,5 in Finnish). An area where nobody is served both before and after has no mean change:
    its label says how many residents lost access (a finding, not a gap), or a dash when nobody
    was served before either. A matplotlib ``Figure``, one bar row per area."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    data = change_by_area(table, need, group)
    if level == "service_area":  # Swedish names in Swedish
        data["area"] = data["area"].map(lambda a: area_name(a, lang))
    values = data["mean_change_min_served_both"].to_numpy(dtype=float)
    colours = np.where(values > 0, LOSS, GAIN)
    height = max(60, 22 * len(data))  # room for every label
    fig = Figure(figsize=((width + 160) / _DPI, (height + 90) / _DPI), dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    pos = np.arange(len(data))
    bars = ax.barh(pos, np.nan_to_num(values), color=colours, height=0.7)
    ax.set_yticks(pos, [str(a) for a in data["area"]], fontsize=8)  # names: text, escaped by the writer
    ax.invert_yaxis()  # the largest loss first, at the top
    lost = data["pop_lost_access"].to_numpy(dtype=float)
    ax.bar_label(bars, labels=[_signed(v, lang) if np.isfinite(v)
                               else f"{t('map.lost_access', lang)}: {fmt_int(n, lang)}" if n > 0 else "\u2013"
                               for v, n in zip(values, lost, strict=True)], padding=2, fontsize=7)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.margins(x=0.2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, lang)))
    ax.set_xlabel(_t("change", lang))
    ax.set_title(textwrap.fill(_t(level, lang), 40), fontsize=10, loc="left")
    return fig


def chart_svg(fig) -> str:
    """A chart (matplotlib ``Figure``) as a static SVG string: text kept as ``<text>`` (escaped,
    searchable), no metadata block, no script, no network; the same bytes on every run."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "uusimaa-planner"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", buf.getvalue(), flags=re.S)
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
