"""The README's numbers, computed (so the documentation cannot drift from the code)."""

from __future__ import annotations

import re

from .categories import CATEGORIES, NEEDS
from .study import Results, Study

__all__ = ["numbers_markdown", "replace_block"]


def numbers_markdown(study: Study, results: Results) -> str:
    """Markdown tables: points per category and precision, population covered per need."""
    pts = study.points
    every = study.all_points if study.all_points is not None else pts
    day = study.provenance.get("network_date")
    if day:
        from .data import select_points

        every = select_points(every, day, include_unlocated=True)
    located = every["located"] if "located" in every.columns else every["id"].notna()
    lines = [f"Service points of the network of {day or 'the file'} (a placeholder is a row whose "
             "site is unknown: it is counted here but is not a point in any travel-time figure):", "",
             "| category | located sites | of which at an address / postal area / locality "
             "| placeholders (site unknown) |", "|---|---:|---|---:|"]
    for code, cat in CATEGORIES.items():
        sel = every[(every["category"] == code) & located]
        prec = sel["location_precision"].value_counts()
        n_ph = int(((every["category"] == code) & ~located).sum())
        lines.append(f"| {cat.label_en} (`{code}`) | {len(sel)} | {prec.get('address', 0)} / "
                     f"{prec.get('postal_area', 0)} / {prec.get('locality', 0)} | {n_ph} |")
    lines.append(f"| **all** | **{int(located.sum())}** | | **{int((~located).sum())}** |")
    prov = results.provenance
    reg = results.summaries["summary_region"]
    lines += ["", f"Residents of Uusimaa ({int(study.units['pop_total'].sum()):,} in "
              f"{len(study.units)} postal areas, {prov['data_year']}) and their travel time to the "
              f"nearest point in their language, {prov['model']}, mode {prov['mode']}; who may use which "
              f"point: {prov.get('eligibility', 'any')}. The English-service need counts all residents "
              "(no open per-area count of other-language speakers is bundled).", "",
              "| need | group | no point at all | within 30 min | within 60 min | median min | p90 min "
              "| estimate error, p90 min (median resident's trip) |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]

    def minutes(v: float) -> str:  # issue 24: a quantile among residents with no point, in words
        return "among no point" if v != v else f"{v:.0f}"

    for _, r in reg.iterrows():
        err = r.get("time_error_p90_min", float("nan"))
        err_text = "not measured" if err != err else f"± {err:.1f}"
        lines.append(f"| {NEEDS[r['need']].label_en} | {r['group']} | {r['pop_no_point']:,} | "
                     f"{r['pct_within_30']:.1f} % | {r['pct_within_60']:.1f} % | "
                     f"{minutes(r['median_min'])} | {minutes(r['p90_min'])} | {err_text} |")
    return "\n".join(lines).replace("inf", "∞")


def replace_block(text: str, block: str) -> str:
    """Put ``block`` between the README's ``numbers:start`` / ``numbers:end`` markers."""
    return re.sub(r"<!-- numbers:start -->\n.*?<!-- numbers:end -->",
                  lambda _: f"<!-- numbers:start -->\n{block}\n<!-- numbers:end -->", text, flags=re.S)
