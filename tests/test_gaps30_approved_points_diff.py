"""The map of ``planner points diff``, its words compared in full with a reviewed file (issue 28).

Two hand-made points files (the ``points_files`` of tests/conftest.py: a move of 150 m, a re-dated
point 60 m off, a recategorised and retargeted one, a removed and an added one with hostile
text, one exactly 100 m off): the title block, the layer names and every marker's state,
tooltip, popup and picture, read out of the page (no folium boilerplate). The reviewed file
lives in ``tests/test_gaps30_approved_points_diff/``; refresh with ``--force-regen``.
"""

from __future__ import annotations

import html
import json
import re

from planner.inputs.data import load_service_points
from planner.inputs.registers.diff import diff_points


def _text(fragment: str) -> str:
    """Visible text of a fragment: blocks joined by `` / ``, a picture by its label."""
    s = re.sub(r'<svg[^>]*aria-label="([^"]*)"[^>]*>.*?</svg>', r"[\1]", fragment or "", flags=re.S)
    s = re.sub(r"<(br|div|summary)\b[^>]*>", " / ", s)
    s = html.unescape(re.sub(r"<[^>]+>", "", s))
    return " / ".join(x.strip() for x in s.split(" / ") if x.strip())


def test_points_diff_map_says_every_change_as_reviewed(points_files, file_regression):
    from planner.outputs.points_diff import diff_map

    diff = diff_points(*(load_service_points(f) for f in points_files))
    page = diff_map(diff, "old.csv", "new <b>.csv", 100.0, tiles=None).get_root().render()
    title = re.search(r'<div id="planner-title".*?</details></div>', page, re.S).group(0)
    body = re.search(r"overlays\s*:\s*\{(.*?)\}", page, re.S).group(1)
    out = ["# title", _text(title), "# layers",
           *(json.loads(x) for x in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:', body, re.M)),
           f"# lines: {page.count('L.polyline(')}",
           "# markers: state | tooltip | title | anchor | picture | popup"]
    dec = json.JSONDecoder()
    for m in re.finditer(r"_geo = L\.geoJSON\(", page):
        for f in dec.raw_decode(page, m.end())[0]["features"]:
            p = f["properties"]
            out.append(" | ".join([p["state"], p["tooltip"], p["title"], f"{p['ax']},{p['ay']}",
                                   re.sub(r' (width|height)="18"', "", p["svg"]), _text(p["popup"])]))
    file_regression.check("\n".join(out) + "\n", basename="diff_map", extension=".txt")
