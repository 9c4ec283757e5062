"""The README's numbers, computed (so the documentation cannot drift from the code)."""

from __future__ import annotations

import re

from .categories import CATEGORIES, NEEDS
from .study import Results, Study

__all__ = ["numbers_markdown", "replace_block"]


def numbers_markdown(study: Study, results: Results) -> str:
    """Markdown tables: points per category and precision, population covered per need."""
    pts = study.points
    lines = ["| category | points | of which at an address / postal area / locality |", "|---|---:|---|"]
    for code, cat in CATEGORIES.items():
        sel = pts[pts["category"] == code]
        prec = sel["location_precision"].value_counts()
        lines.append(f"| {cat.label_en} (`{code}`) | {len(sel)} | {prec.get('address', 0)} / "
                     f"{prec.get('postal_area', 0)} / {prec.get('locality', 0)} |")
    lines.append(f"| **all** | **{len(pts)}** | |")
    prov = results.provenance
    reg = results.summaries["summary_region"]
    lines += ["", f"Residents of Uusimaa ({int(study.units['pop_total'].sum()):,} in "
              f"{len(study.units)} postal areas, {prov['data_year']}) and their travel time to the "
              f"nearest point in their language, {prov['model']}, mode {prov['mode']}:", "",
              "| need | group | median min | p90 min | within 30 min | within 60 min | no point at all "
              "| estimate error, p90 min (median resident's trip) |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for _, r in reg.iterrows():
        err = r.get("time_error_p90_min", float("nan"))
        lines.append(f"| {NEEDS[r['need']].label_en} | {r['group']} | {r['median_min']:.0f} | "
                     f"{r['p90_min']:.0f} | {r['pct_within_30']:.1f} % | {r['pct_within_60']:.1f} % | "
                     f"{r['pop_unreachable']:,} | {'–' if err != err else f'± {err:.1f}'} |")
    return "\n".join(lines).replace("inf", "∞")


def replace_block(text: str, block: str) -> str:
    """Put ``block`` between the README's ``numbers:start`` / ``numbers:end`` markers."""
    return re.sub(r"<!-- numbers:start -->\n.*?<!-- numbers:end -->",
                  lambda _: f"<!-- numbers:start -->\n{block}\n<!-- numbers:end -->", text, flags=re.S)
