"""Hostile-input scorecard (issue 12): this checkout side by side with a reference checkout.

For each checkout: the CLI run on careless or hostile inputs (one-line ``error:`` vs traceback vs
silently accepted), and the live formulas / raw tags that hostile names leave in the Excel, CSV
and HTML outputs (with the map's JavaScript tooltip literals that a mobile unit's id or name
breaks open). Usage::

    python benchmarks/hostile_inputs.py [--reference /path/to/other/checkout]

Runs each command in a subprocess with that checkout first on PYTHONPATH (about two minutes).

The cases of issue 25 (item 1: names that are Jinja syntax in the points file, a scenario and
the service-area table; items 2-6: imported matrices, inputs checked for meaning, tracebacks,
misleading reasons, bounded resources, outputs) are classed one by one as ``clear`` (one
``error:`` line naming the problem, nothing written), ``handled`` (the right result),
``silent`` (exit 0 with a wrong result), ``traceback`` or ``executes`` (user text run as code),
and summed up in one line; a 100k-row points file's peak memory and a 990 kB scenario's time
are printed beside them (about five more minutes, and 2 GB of disk for a moment: the zip bomb).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent.parent
P = '"><img src=x onerror=alert(1)>'


def _run(wt: Path, args: list, env: dict | None = None, preexec=None,
         code: str | None = None) -> subprocess.CompletedProcess:
    # cwd: not this checkout, or ``python -m`` would import its planner whatever PYTHONPATH says
    cmd = [sys.executable, "-c", code, *map(str, args)] if code else \
        [sys.executable, "-m", "planner.cli.main", *map(str, args)]
    return subprocess.run(cmd, env={"PYTHONPATH": str(wt), "PATH": "/usr/bin:/bin", **(env or {})},
                          cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=600,
                          preexec_fn=preexec, errors="replace")


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


# --- issue 25, items 2-6 ---------------------------------------------------------------------


def _kind(r: subprocess.CompletedProcess, words: tuple[str, ...] = ()) -> str:
    """clear / traceback / silent for a case that must stop with an error naming ``words``."""
    out = r.stdout + r.stderr
    if "Traceback" in out or r.returncode not in (0, 2):
        return "traceback"
    errors = [ln for ln in out.splitlines() if ln.startswith("error:")]
    if r.returncode == 2 and len(errors) == 1 and all(w in errors[0] for w in words):
        return "clear"
    return "silent"


def _ok(r: subprocess.CompletedProcess, right: bool) -> str:
    """handled / silent / traceback for a case that must run and give the right result."""
    out = r.stdout + r.stderr
    if "Traceback" in out or r.returncode not in (0, 2):
        return "traceback"
    return "handled" if r.returncode == 0 and right else "silent"


def _meta(folder: Path, key: str) -> str:
    p = folder / "metadata.csv"
    if not p.is_file():
        return ""
    m = pd.read_csv(p, dtype=str)
    return str(m.loc[m["key"] == key, "value"].iloc[0]) if (m["key"] == key).any() else ""


def _matrix(d: Path, name: str, rows: list, sep: str = ",") -> Path:
    path = d / name
    path.write_text("\n".join(sep.join(map(str, r)) for r in [("from_id", "to_id", "travel_time"), *rows])
                    + "\n", encoding="utf-8")
    return path


def _postal_codes(wt: Path) -> list[str]:
    g = json.loads((wt / "geodata/uusimaa/postal_areas.geojson").read_text(encoding="utf-8"))
    return [f["properties"]["postal_code"] for f in g["features"]]


_KILL_AT_SWAP = """
import os, signal, sys
import planner.atomic as a
calls = [0]
def kill_after(fn):
    def wrapped(*args, **kw):
        out = fn(*args, **kw)
        calls[0] += 1
        if calls[0] >= 3 or fn is getattr(a, "_exchange", None):
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    return wrapped
real_ctx = a.atomic_folder
from contextlib import contextmanager
@contextmanager
def patched(out):
    with real_ctx(out) as stage:
        yield stage
        a.os.rename = kill_after(os.rename)  # the swap is what follows the body
        if hasattr(a, "_exchange"):
            a._exchange = kill_after(a._exchange)
import planner.atomic
planner.atomic.atomic_folder = patched
from planner.cli.main import app
sys.argv = ["planner", *sys.argv[1:]]
app()
"""


def _template_kind(r: subprocess.CompletedProcess, page: str, marker: Path, literal: str) -> str:
    """executes / traceback / silent / handled for a name that is Jinja syntax: it ran if the
    payload's folder appeared or 7*7 became 49; it must show on the map as typed."""
    import html as _html

    shown = _html.unescape(_html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), page)))
    if marker.exists() or "Plan 49 x" in shown:
        return "executes"
    return _ok(r, literal in shown)


def _template_cases(wt: Path, d: Path, pts: pd.DataFrame, report) -> dict[str, str]:
    """Issue 25, item 1: names that are Jinja syntax through the points file, a scenario and the
    service-area table, each as a planner would run it."""
    import shutil

    res: dict[str, str] = {}
    tag = f"PWNED_{os.getpid()}"
    marker = Path(tempfile.gettempdir()) / tag  # where the payload's makedirs (cwd: the temp dir) lands
    payloads = {"arithmetic '{{ 7*7 }}'": "Plan {{ 7*7 }} x",
                "os.makedirs through lipsum":
                    "{{ lipsum.__globals__.os.makedirs(dict(" + tag + "=1)|list|first) }}",
                "unclosed comment '{#2}'": "Room {#2} a",
                "undefined variable '{{ huone }}'": "Sali {{ huone }} b"}
    kela = pts.index[(pts["category"] == "kela") & (pts["lon"] != "")]
    for (label, text), i in zip(payloads.items(), kela, strict=False):
        bad = pts.copy()
        bad.loc[i, "name"] = text
        f = d / "jinja_points.csv"
        bad.to_csv(f, index=False)
        r = report("--points", f)
        page = (d / "o25" / "map.html").read_text(encoding="utf-8") if r.returncode == 0 else ""
        res[f"template: point name {label}"] = _template_kind(r, page, marker, text)
        shutil.rmtree(marker, ignore_errors=True)
    sc = d / "jinja.yaml"
    name = "Plan {{ 7*7 }} x {#2}"
    sc.write_text("name: " + json.dumps(name) + "\nchanges:\n  - close: kela_vantaa_tikkurila\n",
                  encoding="utf-8")
    html_out = d / "jinja_map.html"
    r = _run(wt, ["map", sc, "--out", html_out, "--no-tiles"])
    page = html_out.read_text(encoding="utf-8") if html_out.is_file() else ""
    res["template: scenario name"] = _template_kind(r, page, marker, name)
    areas = pd.read_csv(wt / "geodata/service_areas.csv", dtype=str, keep_default_na=False)
    areas["service_area"] = areas["service_area"].replace({"Helsinki": "Plan {{ 7*7 }} x"})
    areas.to_csv(d / "jinja_areas.csv", index=False)
    r = report("--service-areas", d / "jinja_areas.csv")
    page = (d / "o25" / "map.html").read_text(encoding="utf-8") if r.returncode == 0 else ""
    res["template: service-area name"] = _template_kind(r, page, marker, "Plan {{ 7*7 }} x")
    return res


def issue25_cases(wt: Path, d: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each case of issue 25 (items 2-6) and its class; plus the measured figures."""
    res: dict[str, str] = {}
    figures: dict[str, str] = {}
    pts = pd.read_csv(wt / "geodata/service_points.csv", dtype=str, keep_default_na=False)
    codes = _postal_codes(wt)
    kamppi = "kela_helsinki_kamppi"
    out = d / "o25"

    def report(*args, **kw) -> subprocess.CompletedProcess:
        import shutil

        shutil.rmtree(out, ignore_errors=True)
        return _run(wt, ["report", "--out", out, *args], **kw)

    # 1. user text is data in every template (folium/branca compile map markup as Jinja)
    res.update(_template_cases(wt, d, pts, report))

    # 2. imported matrices
    m = _matrix(d, "comma.csv", [(c, kamppi, "12,5") for c in codes[:50]], sep=";")
    r = report("--matrix", m, "--matrix-keys", "ids")
    res["matrix: decimal commas (whole column)"] = _ok(r, "decimal commas" in _meta(out, "matrix_coverage"))
    r = report("--matrix", _matrix(d, "text.csv", [(codes[0], kamppi, 7), (codes[1], kamppi, "12 min")]),
               "--matrix-keys", "ids")
    res["matrix: '12 min'"] = _kind(r, ("row 2", "travel_time", "12 min"))
    r = report("--matrix", _matrix(d, "neg.csv", [(codes[0], kamppi, -5)]), "--matrix-keys", "ids")
    res["matrix: -5 min"] = _kind(r, ("row 1", "travel_time"))
    r = report("--matrix", _matrix(d, "dup.csv", [(codes[0], kamppi, 7), (codes[0], kamppi, 9)]),
               "--matrix-keys", "ids")
    res["matrix: conflicting duplicate pair"] = _kind(r, ("row 2", "rows 1 and 2"))
    (d / "ttm_empty").mkdir(exist_ok=True)
    r = report("--matrix", d / "ttm_empty", "--matrix-column", "car_m_t")
    res["matrix: empty TTM folder"] = _kind(r, ("0 %", "--matrix-fallback estimate"))
    # Jorvi's two crisis desks share one site on the default day (Ylämyllyntie opens in 2024)
    jorvi = ["asp_fi_espoo_jorvi_sosiaalipaivystys", "asp_sv_espoo_jorvi_socialjour"]
    m = _matrix(d, "jorvi.csv", [(c, p, i + 1) for i, p in enumerate(jorvi) for c in codes])
    r = report("--matrix", m, "--matrix-keys", "ids")
    res["matrix: ids at a shared site"] = _ok(r, _meta(out, "matrix_coverage").startswith("2 of "))

    # 3. inputs checked for meaning
    g = json.loads((wt / "geodata/uusimaa/postal_areas.geojson").read_text(encoding="utf-8"))
    extra = json.loads(json.dumps(g["features"][:5]))
    free = [f"{c:05d}" for c in range(90000, 99999) if f"{c:05d}" not in set(codes)]
    for k, f in enumerate(extra):
        f["properties"]["postal_code"] = free[k]  # new codes, the same land and residents
    (d / "overlap.geojson").write_text(json.dumps({**g, "features": g["features"] + extra}),
                                       encoding="utf-8")
    res["postal polygons overlapping"] = _kind(report("--postal-areas", d / "overlap.geojson"), ("twice",))
    zero = json.loads(json.dumps(g))
    for f in zero["features"]:
        f["properties"]["population_2022"] = 0
    (d / "zero.geojson").write_text(json.dumps(zero), encoding="utf-8")
    res["all-zero population"] = _kind(report("--postal-areas", d / "zero.geojson"), ("0 residents",))
    areas = (wt / "geodata/service_areas.csv").read_text(encoding="utf-8").replace(
        "six_areas,018,Askola,Itä-Uusimaa", "six_areas,018,Askola,Itä-Uusimaa ")
    (d / "areas.csv").write_text(areas, encoding="utf-8")
    r = report("--service-areas", d / "areas.csv")
    n_areas = (pd.read_csv(out / "summary_service_area.csv")["area"].nunique()
               if (out / "summary_service_area.csv").is_file() else 0)
    res["service-area name with a trailing space"] = _ok(r, n_areas == 6)
    r = report("--eligibility", "kela=any,kela=organiser")
    res["--eligibility kela=any,kela=organiser"] = _kind(r, ("kela=any", "kela=organiser"))
    nf = pts.copy()
    nf.loc[0, "id"] = unicodedata.normalize("NFC", "kela_jä")
    nf.loc[1, "id"] = unicodedata.normalize("NFD", "kela_jä")
    nf.to_csv(d / "nfd.csv", index=False)
    res["NFC / NFD spellings of one id"] = _kind(report("--points", d / "nfd.csv"), ("duplicate id",))
    raw = (wt / "geodata/service_points.csv").read_bytes()
    raw = raw.replace("Järvenpää".encode(), b"J\xe4rvenp\xe4\xe4", 1)  # one Latin-1 edit
    (d / "stray.csv").write_bytes(raw)
    res["one stray byte in a UTF-8 file"] = _kind(report("--points", d / "stray.csv"), ("byte", "row"))
    for option, value in (("--max-minutes", "inf"), ("--time-limit", "-1")):
        r = _run(wt, ["optimise", "--model", "mclp", "--k", "3", "--max-minutes", "30", option, value])
        res[f"optimise {option} {value}"] = _kind(r, (option,))

    # 6. tracebacks and misleading reasons
    fut = pts.copy()
    fut["valid_from"], fut["valid_to"] = "2024-01-01", ""  # every point opens after the default day
    fut.to_csv(d / "future.csv", index=False)
    res["no point valid on the date"] = _kind(report("--points", d / "future.csv"), ("valid on",))
    munis = pd.read_csv(wt / "geodata/uusimaa/municipalities.csv", dtype=str, keep_default_na=False)
    munis.loc[0, "wellbeing_county_2023"] = ""
    munis.to_csv(d / "munis.csv", index=False)
    res["blank organiser"] = _kind(report("--municipalities", d / "munis.csv"), ("wellbeing_county_2023",))
    esc = pts.copy()
    esc.loc[0, "name"] = "Kela \x1b]0;pwned\x07\x1b[2J office"
    esc.to_csv(d / "esc.csv", index=False)
    (d / "close.yaml").write_text("name: c\nchanges:\n  - close: kela_vantaa_tikkurila\n", encoding="utf-8")
    r = _run(wt, ["evaluate", d / "close.yaml", "--out", d / "esc_out", "--points", d / "esc.csv",
                  "--format", "csv,xlsx"])
    res["control characters in a name"] = _ok(r, "\x1b" not in r.stdout + r.stderr
                                              and (d / "esc_out" / "results.xlsx").is_file())
    (d / "addr.csv").write_text("address,postal_code,municipality\nMannerheimintie 1,00100,Helsinki\n",
                                encoding="utf-8")
    (d / "geo_dir").mkdir(exist_ok=True)
    r = _run(wt, ["geocode", d / "addr.csv", "--out", d / "geo_dir", "--offline"])
    res["geocode --out naming a folder"] = "silent" if (d / "geo_dir.tmp").exists() else _kind(r, ("folder",))

    def fsize(limit: int):
        def set_limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) like a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return set_limit

    for fmt in ("csv", "xlsx", "gpkg"):
        target = d / f"full_{fmt}"
        r = _run(wt, ["evaluate", d / "close.yaml", "--out", target, "--format", fmt], preexec=fsize(150_000))
        leftovers = [p.name for p in d.iterdir() if p.name.startswith(f".full_{fmt}.")]
        res[f"a full disk while writing {fmt}"] = ("silent" if target.exists() or leftovers
                                                   else _kind(r, ("cannot write",)))
    one = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "id": 1, "name": "A", "category": "kela", "municipality_code": "091"},
        "geometry": {"type": "Point", "coordinates": [24.94, 60.17]}}]}
    (d / "id1.geojson").write_text(json.dumps(one), encoding="utf-8")
    res["GeoJSON id 1 (a number)"] = _ok(report("--points", d / "id1.geojson"), True)
    one["features"][0]["geometry"]["coordinates"] = [385875.0, 6672125.0]
    (d / "crs.geojson").write_text(json.dumps(one), encoding="utf-8")
    res["coordinates in the wrong CRS"] = _kind(report("--points", d / "crs.geojson"), ("not degrees",))
    text = (wt / "geodata/service_points.csv").read_text(encoding="utf-8")
    (d / "u16.csv").write_bytes(text.encode("utf-16"))
    res["a UTF-16 points file"] = _ok(report("--points", d / "u16.csv"), True)

    # 4. bounded resources
    big = pts[pts["location_precision"] != "unknown"].sample(n=100_000, replace=True, random_state=1)
    big = big.drop(columns=["note", "source", "address"]).reset_index(drop=True)
    big["id"] = [f"p{i:06d}" for i in range(len(big))]
    big.to_csv(d / "points100k.csv", index=False)
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
            "print('peak_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "sys.exit(p.returncode)")
    t0 = time.perf_counter()
    r = _run(wt, [sys.executable, "-m", "planner.cli.main", "report", "--out", d / "o100k", "--points",
                  d / "points100k.csv"], code=code)
    peak = re.search(r"peak_kb (\d+)", r.stdout)
    figures["100k-row points file"] = (f"exit {r.returncode} in {time.perf_counter() - t0:.0f} s, peak "
                                       f"{int(peak[1]) / 1024 ** 2 if peak else float('nan'):.2f} GB")
    ok = peak is not None and int(peak[1]) < 4 * 1024 ** 2
    res["100k-row points file"] = ("silent" if not ok else _ok(r, True) if r.returncode == 0
                                   else _kind(r, ("service points",)))
    bomb = d / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open("m.csv", "w", force_zip64=True) as f:
        f.write(b"from_id,to_id,travel_time\n")
        chunk = b"0" * (1 << 20)
        for _ in range(2100):
            f.write(chunk)
    figures["zip bomb"] = f"{bomb.stat().st_size / 1e6:.1f} MB unpacking to 2.2 GB"
    r = _run(wt, ["report", "--out", out, "--matrix", bomb], env={"PLANNER_DATA_DIR": str(d / "data")})
    res["zip bomb through --matrix"] = "silent" if (d / "data").exists() else _kind(r, ("GB",))
    bomb.unlink()
    lines = ["name: big", "changes:"]
    size, i, munis_ = 20, 0, ["091", "049", "092", "106", "186", "638"]
    while size < 990_000:
        lines.append(f"  - open: {{id: new_{i}, name: 'Point number {i}', category: kela, "
                     f"at_centre: '{munis_[i % 6]}'}}")
        size += len(lines[-1]) + 1
        i += 1
    (d / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    r = _run(wt, ["evaluate", d / "big.yaml", "--out", d / "big_out", "--format", "csv"])
    took = time.perf_counter() - t0
    figures["990 kB scenario"] = f"{i} opened points, {took:.0f} s, exit {r.returncode}"
    res["990 kB scenario"] = _ok(r, took < 60) if r.returncode == 0 else "traceback"

    # 5. outputs
    r = report()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import socket

    host = re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40]
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = d / f".o25.partial-{host}-{dead.pid}-abcd1234"  # a dead run's leftover on this host
    r = _run(wt, ["report", "--out", out, "--mode", "walk"], code=_KILL_AT_SWAP)
    after = {p.name: p.read_bytes() for p in out.iterdir()} if out.is_dir() else {}
    whole = after == before or (set(after) == set(before) and all(after[k] != before[k] for k in after
                                                                   if k.endswith(".csv")))
    res["killed during the swap into an existing --out"] = "handled" if whole else "silent"
    stale.mkdir()
    old = os.umask(0o022)
    try:
        r = _run(wt, ["report", "--out", out])
    finally:
        os.umask(old)
    left = [p.name for p in d.iterdir() if p.name.startswith(".o25.")]
    res["leftover .partial folders of dead runs"] = _ok(r, not left)
    modes = {oct(p.stat().st_mode & 0o777) for p in [out, *out.iterdir()]}
    res["files and folders follow the umask"] = _ok(r, modes == {"0o755", "0o644"})
    return res, figures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", type=Path, default=None, help="another checkout to compare with")
    ap.add_argument("--issue25-only", action="store_true", help="only the cases of issue 25")
    args = ap.parse_args()
    for wt in [HERE] + ([args.reference] if args.reference else []):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{wt}:")
            if not args.issue25_only:
                print("  CLI cases:", cli_cases(wt, Path(tmp)))
                print("  outputs:  ", output_edges(wt, Path(tmp)))
            cases, figures = issue25_cases(wt, Path(tmp))
            width = max(map(len, cases))
            for name, kind in cases.items():
                print(f"    {name:{width}}  {kind}")
            for name, text in figures.items():
                print(f"  measured: {name}: {text}")
            tally = {k: sum(1 for v in cases.values() if v == k)
                     for k in ("clear", "handled", "silent", "traceback", "executes")}
            print(f"  issue 25 cases: {len(cases)}: {tally['executes']} executes, {tally['silent']} silent, "
                  f"{tally['traceback']} tracebacks ({tally['clear']} clear errors, "
                  f"{tally['handled']} handled)")


if __name__ == "__main__":
    main()
