"""The README's numbers, computed (so the documentation cannot drift from the code)."""

from __future__ import annotations

import re

from ..analysis.study import Results, Study
from ..inputs.categories import CATEGORIES, NEEDS
from ..numbers import counted

__all__ = ["numbers_markdown", "replace_block"]


def numbers_markdown(study: Study, results: Results) -> str:
    """Markdown tables: points per category and precision, population covered per need."""
    pts = study.points
    every = study.all_points if study.all_points is not None else pts
    day = study.provenance.get("network_date")
    if day:
        from ..inputs.data import select_points

        every = select_points(every, day, include_unlocated=True)
    located = every["located"] if "located" in every.columns else every["id"].notna()
    prec_all = every["location_precision"] if "location_precision" in every.columns else None
    lines = [f"Service points of the network of {day or 'the file'}, by how well each is placed: at its "
             "address, at its postal area (street known, point at the area's representative point), or "
             "at a municipality proxy (documented to exist, site unknown: it stands at its municipal "
             "centre and counts; `--located-only` leaves it out). A placeholder (not documented at a "
             "place) is counted here but is not a point in any travel-time figure:", "",
             "| category | rows counted | address | postal area | municipality proxy "
             "| placeholders (left out) |", "|---|---:|---:|---:|---:|---:|"]
    totals = [0, 0, 0, 0, 0]
    for code, cat in CATEGORIES.items():
        sel = every[(every["category"] == code) & located]
        prec = sel["location_precision"].value_counts() if prec_all is not None else {}
        row = [len(sel), int(prec.get("address", 0)), int(prec.get("postal_area", 0)),
               int(prec.get("municipality", 0)),
               int(((every["category"] == code) & ~located).sum())]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        lines.append(f"| {cat.label_en} (`{code}`) | " + " | ".join(str(v) for v in row) + " |")
    lines.append("| **all** | " + " | ".join(f"**{v}**" for v in totals) + " |")
    targeted = every[located & (every.get("target_group", "").astype(str) != "")] \
        if "target_group" in every.columns else every.iloc[:0]
    if len(targeted):
        lines += ["", f"{len(targeted)} of them serve a target group only ("
                  + ", ".join(f"{g}: {n}" for g, n in targeted["target_group"].value_counts().sort_index()
                              .items())
                  + "): they are nobody's everyday point unless `--include-target-groups`."]
    prov = results.provenance
    reg = results.summaries["summary_region"]
    lines += ["", f"Residents of Uusimaa ({int(study.units['pop_total'].sum()):,} in "
              f"{len(study.units)} postal areas, {prov['data_year']}) and their travel time to the "
              f"nearest point in their language, {prov['model']}, mode {prov['mode']}; who may use which "
              f"point: {prov.get('eligibility', 'any')}. The English-service need counts all residents "
              "(no open per-area count of other-language speakers is bundled).", "",
              "| need | group | no point at all | nearest point a municipality proxy | within 30 min "
              "| within 60 min | median min | p90 min | estimate error, p90 min (median resident's trip) |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for _, r in reg.iterrows():
        err = r.get("time_error_p90_min", float("nan"))
        lines.append(f"| {NEEDS[r['need']].label_en} | {r['group']} | {r['pop_no_point']:,} | "
                     f"{int(r.get('pop_nearest_proxy', 0)):,} | "
                     f"{r['pct_within_30']:.1f} % | {r['pct_within_60']:.1f} % | "
                     f"{_minutes(r['median_min'])} | {_minutes(r['p90_min'])} | "
                     f"{'not measured' if err != err else f'± {err:.1f}'} |")
    gaps = reg[(reg["group"] != "all") & (reg.get("no_point_reason", "").astype(str) != "")] \
        if "no_point_reason" in reg.columns else reg.iloc[:0]
    if len(gaps):
        lines += ["", "\"no point\" means the organiser has no eligible point in the network of this "
                  "date (a row whose site is unknown is not a gap: it stands at its municipal centre). "
                  "`no_point_reason` says which, and whether the file documents such a point only on other "
                  "dates (\"not documented on this date\": a gap in the evidence, not a finding; walk-in "
                  "points are mostly evidenced from 2023 on) or not at all (\"no service\"):", ""]
        for _, r in gaps.iterrows():
            lines.append(f"- {NEEDS[r['need']].label_en}, {r['group']}: "
                         f"{counted(r['pop_no_point'], 'resident')}: {r['no_point_reason']}")
    return "\n".join(lines)


def _minutes(value: float) -> str:
    """Whole minutes, or 'no point' where the figure falls among residents without any point
    (issue 24: they count as later than everyone); never 'inf', 'nan' or 'None' to a reader."""
    return f"{value:.0f}" if value == value and abs(value) != float("inf") else "no point"


def replace_block(text: str, block: str) -> str:
    """Put ``block`` between the README's ``numbers:start`` / ``numbers:end`` markers."""
    return re.sub(r"<!-- numbers:start -->\n.*?<!-- numbers:end -->",
                  lambda _: f"<!-- numbers:start -->\n{block}\n<!-- numbers:end -->", text, flags=re.S)
