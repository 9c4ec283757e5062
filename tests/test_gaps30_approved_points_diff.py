"""The map of ``planner points diff``, its words compared in full with a reviewed file (issue 28).

Two hand-made points files (those of tests/test_points_diff.py: a move of 150 m, a re-dated
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

HOSTILE = "Kela <img src=x onerror=alert(1)> [bold]Iso Omena[/bold]"
COLS = "id,name,category,municipality_code,x,y,location_precision,valid_from,valid_to,target_group\n"
OLD = COLS + (
    "a_walkin,\"Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Itä)\",fi_walkin,091,392730,6677226,"
    "address,,,\n"
    "b_kela,Kela palvelupiste Tikkurila,kela,092,391686,6685596,address,,,\n"
    "c_sv,Social- och krisjouren i Östra Nyland (Borgå),sv_appointment,638,425375,6695897,address,,,\n"
    "d_vok,=1+1 Luona – Vantaan vastaanottokeskus,reception_centre,092,387576,6685323,address,,,\n"
    "f_edge,Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä),fi_appointment,858,390531,6701176,address,,,\n")
NEW = COLS + (
    "a_walkin,\"Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Itä)\",fi_walkin,091,392820,6677346,"
    "address,,,\n"
    "b_kela,Kela palvelupiste Tikkurila,kela,092,391722,6685644,address,2024-01-01,,\n"
    "c_sv,Social- och krisjouren i Östra Nyland (Borgå),sv_walkin,638,425375,6695897,address,,,emergency\n"
    f"e_kela,{HOSTILE},kela,049,374712,6670528,address,,,\n"
    "f_edge,Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä),fi_appointment,858,390591,6701256,address,,,\n")


def _text(fragment: str) -> str:
    """Visible text of a fragment: blocks joined by `` / ``, a picture by its label."""
    s = re.sub(r'<svg[^>]*aria-label="([^"]*)"[^>]*>.*?</svg>', r"[\1]", fragment or "", flags=re.S)
    s = re.sub(r"<(br|div|summary)\b[^>]*>", " / ", s)
    s = html.unescape(re.sub(r"<[^>]+>", "", s))
    return " / ".join(x.strip() for x in s.split(" / ") if x.strip())


def test_points_diff_map_says_every_change_as_reviewed(tmp_path, file_regression):
    from planner.outputs.points_diff import diff_map

    (tmp_path / "old.csv").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.csv").write_text(NEW, encoding="utf-8")
    diff = diff_points(load_service_points(tmp_path / "old.csv"), load_service_points(tmp_path / "new.csv"))
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
