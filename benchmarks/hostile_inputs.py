"""Hostile-input scorecard (issue 12): this checkout side by side with a reference checkout.

For each checkout: the CLI run on careless or hostile inputs (one-line ``error:`` vs traceback vs
silently accepted), and the live formulas / raw tags that hostile names leave in the Excel, CSV
and HTML outputs (with the map's JavaScript tooltip literals that a mobile unit's id or name
breaks open). Usage::

    python benchmarks/hostile_inputs.py [--reference /path/to/other/checkout]

Runs each command in a subprocess with that checkout first on PYTHONPATH (about two minutes).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent.parent
P = '"><img src=x onerror=alert(1)>'


def _run(wt: Path, args: list) -> subprocess.CompletedProcess:
    # cwd: not this checkout, or ``python -m`` would import its planner whatever PYTHONPATH says
    return subprocess.run([sys.executable, "-m", "planner.cli", *map(str, args)],
                          env={"PYTHONPATH": str(wt), "PATH": "/usr/bin:/bin"}, cwd=tempfile.gettempdir(),
                          capture_output=True, text=True, timeout=300)


def cli_cases(wt: Path, d: Path) -> dict[str, int]:
    ids = pd.read_csv(wt / "geodata/service_points.csv", usecols=["id"])["id"].tolist()
    (d / "close_all.yaml").write_text("name: c\nchanges:\n  - close: [" + ", ".join(ids) + "]\n")
    (d / "unknown.yaml").write_text("name: u\nchanges:\n  - close: no_such_point\n")
    (d / "bad.npz").write_bytes(b"PK\x03\x04 not really a zip")
    (d / "bad.osm").write_text('<osm><node id="1" lat="60.1"')
    (d / "bad.osm.pbf").write_bytes(bytes(range(256)) * 8)
    (d / "a_file").write_text("x")
    (d / "a_dir").mkdir(exist_ok=True)
    (d / "latin1.yaml").write_bytes("name: Järvenpää\n".encode("latin-1"))
    (d / "dup.yaml").write_text("name: a\nname: b\n")
    (d / "moed.yaml").write_text("name: a\nbase: {moed: drive}\n")
    (d / "sea.csv").write_text("id,name,category,municipality_code,lon,lat\na,A,kela,091,24.9,60.2\n"
                               "b,B,kela,091,25.0,60.05\n")
    (d / "cap.csv").write_text("id,name,category,municipality_code,lon,lat,capacity\n"
                               "a,A,kela,091,24.9,60.2,inf\n")
    cases = [
        ["evaluate", d / "close_all.yaml", "--out", d / "o1"], ["compare", d / "unknown.yaml"],
        ["optimise", "--out", d / "a_dir"], ["report", "--out", d / "o2", "--network", d / "bad.npz"],
        ["network", "from-file", d / "bad.osm"], ["network", "from-file", d / "bad.osm.pbf"],
        ["report", "--out", d / "o3", "--need", "kella"], ["report", "--out", d / "o3", "--group", "se"],
        ["report", "--out", d / "o3", "--grid", d / "a_file"], ["report", "--out", d / "a_file"],
        ["map", "--out", d / "a_dir"],
        ["evaluate", d / "latin1.yaml", "--out", d / "o4"], ["evaluate", d / "dup.yaml", "--out", d / "o4"],
        ["evaluate", d / "moed.yaml", "--out", d / "o4"],
        ["report", "--out", d / "o5", "--points", d / "sea.csv"],
        ["report", "--out", d / "o5", "--points", d / "cap.csv"],
    ]
    tally: dict[str, int] = {}
    for c in cases:
        r = _run(wt, c)
        out = r.stdout + r.stderr
        kind = ("traceback" if "Traceback" in out or r.returncode == 1 else
                "error line" if r.returncode == 2 and "error:" in out else "accepted silently")
        tally[kind] = tally.get(kind, 0) + 1
    return tally


def output_edges(wt: Path, d: Path) -> dict[str, object]:
    df = pd.read_csv(wt / "geodata/service_points.csv", dtype=str, keep_default_na=False)
    df["name"] = [('=HYPERLINK("http://e","x")' if i % 2 else P) for i in range(len(df))]
    df.to_csv(d / "points.csv", index=False)
    (d / "sc.yaml").write_text(f"name: '=1+1{P}'\ndescription: '=1+1'\nchanges:\n"
                               "  - close: kela_vantaa_tikkurila\n"
                               f"  - open: {{id: n, name: '{P}', category: fi_walkin, "
                               "municipality_code: '091', lon: 24.94, lat: 60.17}\n")
    for args in (["evaluate", d / "sc.yaml", "--out", d / "ev", "--points", d / "points.csv",
                  "--format", "csv,xlsx"],
                 ["map", d / "sc.yaml", "--out", d / "map.html", "--points", d / "points.csv", "--no-tiles"]):
        r = _run(wt, args)
        if r.returncode != 0:
            return {"run failed": args[0], "error": (r.stdout + r.stderr).strip().splitlines()[-1]}
    wb = openpyxl.load_workbook(d / "ev" / "results.xlsx")
    formulas = sum(1 for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f")
    fields = 0
    for p in (d / "ev" / "csv").glob("*.csv"):
        for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))):
            fields += sum(1 for x in row if (x and x[0] in "=+@\t\r")
                          or (x[:1] == "-" and not re.fullmatch(r"-[\d.eE+-]+|-inf", x)))
    page = (d / "map.html").read_text(encoding="utf-8")
    decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    return {"xlsx formula cells": formulas, "csv formula fields": fields,
            "map raw <img": len(re.findall(r"<img", decoded)), **mobile_edges(wt, d)}


def mobile_edges(wt: Path, d: Path) -> dict[str, object]:
    """A mobile unit (issue 14) whose id and name attack folium's string tooltips, which sit
    between JavaScript backticks: literals broken open (a backtick, ${ or a backslash in them)."""
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    stop = ("{{id: {sid}, name: {name}, at_centre: '{code}', "
            "schedule: [{{day: tue, start: '09:00', end: '10:00'}}]}}")
    (d / "mobile.yaml").write_text(
        f"name: m\nchanges:\n  - mobile:\n      id: {q('bus`+(document.title=`pwned`)+`')}\n"
        f"      name: {q('`${document.title=1}`' + P)}\n      categories: [fi_appointment]\n"
        f"      stops: [{stop.format(sid='s1', name=q(P), code='407')}, "
        f"{stop.format(sid='s2', name=q('=1+1'), code='504')}]\n", encoding="utf-8")
    r = _run(wt, ["map", d / "mobile.yaml", "--out", d / "mobile.html", "--no-tiles", "--no-charts"])
    if r.returncode != 0:
        return {"mobile map": "not supported or failed"}
    page = (d / "mobile.html").read_text(encoding="utf-8")
    bodies = re.findall(r"\.bind(?:Tooltip|Popup)\(\s*`(.*?)`", page, re.DOTALL)
    return {"map tooltip literals broken": sum(1 for b in bodies if not b.strip().endswith("</div>")
                                               or "${" in b or "\\" in b)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", type=Path, default=None, help="another checkout to compare with")
    args = ap.parse_args()
    for wt in [HERE] + ([args.reference] if args.reference else []):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{wt}:")
            print("  CLI cases:", cli_cases(wt, Path(tmp)))
            print("  outputs:  ", output_edges(wt, Path(tmp)))


if __name__ == "__main__":
    main()
