"""Packaging promises: environment.yml matches pyproject.toml; the README's numbers come from the code."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"igraph": "python-igraph", "playwright": "playwright-python"}  # PyPI -> conda-forge name


def _req(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _declared() -> dict[str, str]:
    """Every third-party requirement of pyproject.toml (core and every extra): name -> bound."""
    meta = _pyproject()["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith(meta["name"])]  # skip self-references
    return dict(_req(d) for d in reqs)


def _extra_closure(extra: str) -> set[str]:
    """Requirement names installed by ``pip install .[extra]`` (self-referencing extras followed)."""
    meta = _pyproject()["project"]
    names, todo, seen = {_req(d)[0] for d in meta["dependencies"]}, [extra], set()
    while todo:
        e = todo.pop()
        seen.add(e)
        for r in meta["optional-dependencies"][e]:
            if r.startswith(meta["name"] + "["):
                todo += [x for x in r[len(meta["name"]) + 1:-1].split(",") if x not in seen]
            else:
                names.add(_req(r)[0])
    return names


def _conda(file: str) -> dict[str, str]:
    env = yaml.safe_load((ROOT / file).read_text())
    py = _pyproject()["project"]["requires-python"]
    assert f"python{py}" in env["dependencies"], f"{file}: python differs from {py}"
    assert "conda-forge" in env["channels"]
    return dict(_req(d) for d in env["dependencies"]
                if isinstance(d, str) and _req(d)[0] not in ("python", "pip"))


@pytest.mark.parametrize(("file", "extra"), [("environment.yml", "app"), ("environment-dev.yml", "dev")])
def test_environment_yml_in_sync_with_pyproject(file, extra):
    """Issue 27: environment.yml is the analysts' runtime (pip's .[app], what `make run` installs,
    no test tools); environment-dev.yml the developers' (pip's .[dev]); conda-forge names."""
    conda = _conda(file)
    declared = _declared()
    want = _extra_closure(extra)
    for name in want:
        cname = CONDA_NAMES.get(name, name)
        assert cname in conda, f"{name} is in pyproject.toml .[{extra}] but not in {file}"
        assert conda[cname] == declared[name], \
            f"{name}: pyproject {declared[name]!r} vs {file} {conda[cname]!r}"
    stray = set(conda) - {CONDA_NAMES.get(n, n) for n in want}
    assert not stray, f"{file} has packages pyproject.toml .[{extra}] lacks: {stray}"
    assert not set(CONDA_NAMES) & set(conda), "a PyPI name where conda-forge names it otherwise"


def test_analysts_conda_env_has_no_developer_tools():
    runtime = _conda("environment.yml")
    assert not {"ruff", "mutmut", "playwright-python", "playwright", "pytest", "hypothesis"} & set(runtime)
    assert {"playwright-python", "ruff", "mutmut", "pytest"} <= set(_conda("environment-dev.yml"))


def test_readme_numbers_come_from_the_code(study, baseline):
    from planner.outputs.readme import numbers_markdown

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- numbers:start -->\n(.*?)\n<!-- numbers:end -->", text, re.S)
    assert block, "README.md lacks the generated numbers block"
    assert baseline.provenance["mode"] == "drive"  # the default of `planner stats`
    assert block.group(1).strip() == numbers_markdown(study, baseline).strip(), \
        "README numbers are stale: regenerate them with `make readme`"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert "make run" in head and "make test" in head


# ------------------------------------------------------------------ version floors (issue 15)

FLOOR = ROOT / "ci" / "constraints-floor.txt"


def _floor_pins() -> dict[str, str]:
    pins = {}
    for line in FLOOR.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{FLOOR.name}: {line!r} is not name==version"
            pins[name.strip().lower()] = version.strip()
    return pins


def _lower_bound(bound: str) -> str | None:
    m = re.search(r">=([0-9][0-9A-Za-z.]*)", bound)
    return m.group(1) if m else None


def _same_version(a: str, b: str) -> bool:
    from packaging.version import Version

    return Version(a) == Version(b)


def test_floor_constraints_pin_every_declared_floor():
    """CI's floor run (.ci/run -> make test-floor) installs exactly the declared lower bounds."""
    pins = _floor_pins()
    declared = _declared()
    for name, bound in declared.items():
        low = _lower_bound(bound)
        assert low, f"{name} has no lower bound in pyproject.toml"
        assert name in pins, f"{name} is declared but not pinned in {FLOOR.relative_to(ROOT)}"
        assert _same_version(pins[name], low), \
            f"{name}: floor {low} in pyproject.toml but {pins[name]} in {FLOOR.name}"
    build = dict(_req(r) for r in _pyproject()["build-system"]["requires"])
    assert _same_version(_lower_bound(build["setuptools"]), _lower_bound(declared["setuptools"]))
    stale = set(pins) - set(declared)
    assert not stale, f"{FLOOR.name} pins packages pyproject.toml does not declare: {stale}"


def test_ci_runs_the_floor_and_the_latest():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test\n" in ci and "make test-floor" in ci
    make = (ROOT / "Makefile").read_text()
    assert "-c ci/constraints-floor.txt" in make


def test_python_floor_is_the_one_we_run_on():
    """requires-python says 3.11; the tests use tomllib (3.11+) and pandas 3's warning class."""
    import sys

    import pandas as pd

    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    assert sys.version_info >= (3, 11)
    assert int(pd.__version__.split(".")[0]) >= 3 and hasattr(pd.errors, "Pandas4Warning")
    assert _pyproject()["tool"]["ruff"]["target-version"] == "py311"


def test_license_field_and_setuptools_floor_agree():
    """The code is MIT, the data CC BY 4.0, the vendored Leaflet scripts BSD: an SPDX expression
    (setuptools >= 77, PEP 639) and every licence text in license-files."""
    pp = _pyproject()
    assert pp["project"]["license"] == "MIT AND CC-BY-4.0 AND BSD-2-Clause AND BSD-3-Clause"
    build = dict(_req(r) for r in pp["build-system"]["requires"])
    assert _same_version(_lower_bound(build["setuptools"]), "77.0.3")
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "LICENSE-data.md").read_text(encoding="utf-8")
    files = pp["project"]["license-files"]
    assert files == ["LICENSE", "LICENSE-data.md", "planner/assets/LICENSE-*.txt"]
    assert len(list(ROOT.glob(files[2]))) == 3  # Leaflet, Leaflet.Sync, Leaflet.markercluster
    assert all(u.startswith("https://") for u in pp["project"]["urls"].values())


# ------------------------------------------------------------------ extras and imports

TEST_TOOLS = {"pytest", "ruff", "igraph", "playwright", "nbclient", "nbformat", "ipykernel", "setuptools"}
IMPORT_NAMES = {"yaml": "pyyaml", "streamlit_folium": "streamlit-folium"}
# declared, never imported by name: the engines pandas / geopandas / PuLP load themselves
ENGINES = {"pyogrio": "geopandas file I/O", "pyarrow": "GeoParquet", "openpyxl": "Excel",
           "highspy": "HiGHS solver through PuLP"}


def test_make_run_installs_no_test_tool():
    app = _extra_closure("app")
    assert not app & TEST_TOOLS, f"`make run` would install test tools {app & TEST_TOOLS}"
    assert {"streamlit", "streamlit-folium", "spopt", "pyrosm"} <= app
    make = (ROOT / "Makefile").read_text()
    run_deps = re.search(r"^run: (.*)$", make, re.M).group(1).split()
    assert run_deps == ["$(APP_STAMP)"]
    assert "pip install --quiet -e '.[app]'" in make
    assert set(_declared()) <= _extra_closure("dev"), "`make test` must install everything"


def _third_party_imports() -> dict[str, set[str]]:
    import ast
    import sys

    found: dict[str, set[str]] = {}
    files = [*(ROOT / "planner").rglob("*.py"), ROOT / "app.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for n in names:
                top = n.split(".")[0]
                if top not in sys.stdlib_module_names and top != "planner":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_import_is_declared_and_every_runtime_dependency_used():
    imports = _third_party_imports()
    declared = _declared()
    for mod, where in imports.items():
        dist = IMPORT_NAMES.get(mod, mod).lower()
        assert dist in declared, f"{mod} is imported ({sorted(where)}) but not declared in pyproject.toml"
    meta = _pyproject()["project"]
    runtime = {_req(r)[0] for r in meta["dependencies"]}
    for e in ("network", "optimise", "fca", "parquet", "app"):
        runtime |= {_req(r)[0] for r in meta["optional-dependencies"][e] if not r.startswith(meta["name"])}
    used = {IMPORT_NAMES.get(m, m).lower() for m in imports}
    unused = runtime - used - set(ENGINES)
    assert not unused, f"declared but never imported: {unused}"


def test_heavy_optional_imports_stay_inside_functions():
    """`planner report` needs only the core: the CLI and the outputs import no extra at load time
    (pyarrow is left out of the list: pandas 3 loads it by itself where it is installed)."""
    code = ("import sys, planner.cli.main, planner.outputs.report, planner.outputs.maps, planner.app.state, "
            "planner.traveltime.network, planner.traveltime.osm, planner.outputs.charts, "
            "planner.inputs.geocode; "
            "print(','.join(sorted(m for m in ('osmnx', 'pyrosm', 'spopt', 'pulp', 'streamlit', "
            "'igraph', 'networkx', 'requests_cache', 'geopy', 'access', 'altair') "
            "if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.strip()
    assert out == "", f"imported at load time: {out}"


# what the core install leaves out: the extras' own packages (not what the core pulls anyway)
EXTRA_ONLY = ("networkx", "osmnx", "pyrosm", "geopy", "spopt", "pulp", "highspy", "access",
              "pyarrow", "streamlit", "streamlit_folium", "altair", "vl_convert")

_BLOCK = """
import importlib.abc, json, sys
BLOCKED = set(json.loads(sys.argv[1]))
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: not in the core)", name=name)
sys.meta_path.insert(0, Block())
from typer.testing import CliRunner
from planner.cli.main import app
out = []
for args in json.loads(sys.argv[2]):
    r = CliRunner().invoke(app, args)
    tb = "".join(__import__("traceback").format_exception(r.exc_info[1])) if r.exc_info and \
        not isinstance(r.exc_info[1], SystemExit) else ""
    out.append({"args": args, "code": r.exit_code, "output": r.output + tb})
print(json.dumps(out))
"""


def _core_cli(commands: list[list], tmp: Path, blocked=EXTRA_ONLY) -> list[dict]:
    """Run ``planner <args>`` for each of ``commands`` in one fresh interpreter with every
    extra-only package made unimportable; exit code and output of each."""
    env = {**os.environ, "PLANNER_CACHE_DIR": str(tmp / "cache")}
    r = subprocess.run([sys.executable, "-c", _BLOCK, json.dumps(list(blocked)),
                        json.dumps([[str(a) for a in c] for c in commands])], cwd=tmp, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_core_commands_run_without_any_extra(tmp_path):
    """Issue 27: report, map, evaluate, report --network none and geocode --offline with none of
    the extras' packages importable (the fast in-process twin of the clean-venv test below); a
    command that needs an extra stops with one line naming it, before anything is written."""
    scenario = ROOT / "geodata" / "scenarios" / "concentrate_kela_offices.yaml"
    src = tmp_path / "addresses.csv"
    src.write_text("name,address,postal_code,municipality\nOodi,Töölönlahdenkatu 4,00100,Helsinki\n",
                   encoding="utf-8")
    core = [["report", "--out", tmp_path / "r"],
            ["report", "--network", "none", "--out", tmp_path / "n"],
            ["map", scenario, "--no-tiles", "--out", tmp_path / "m.html"],
            ["evaluate", scenario, "--out", tmp_path / "e"],
            ["geocode", src, "--offline", "--out", tmp_path / "g.csv"]]
    extras = [(["optimise", "--model", "pmedian", "--need", "kela", "--k", "3", "--out", tmp_path / "k.yaml"],
               "optimise"),
              (["evaluate", scenario, "--format", "parquet", "--out", tmp_path / "pq"], "parquet"),
              (["report", "--demand", "helsinki_centre", "--mode", "walk", "--out", tmp_path / "h"],
               "network"),
              (["geocode", src, "--out", tmp_path / "g2.csv"], "network")]
    runs = _core_cli(core + [c for c, _ in extras], tmp_path)
    for r in runs[:len(core)]:
        assert r["code"] == 0, (r["args"], r["output"][-3000:])
    assert (tmp_path / "m.html").read_text(encoding="utf-8").count('<div class="planner-chart"') == 3
    assert (tmp_path / "r" / "map.html").is_file() and (tmp_path / "e" / "results.gpkg").is_file()
    for r, (_, extra) in zip(runs[len(core):], extras, strict=True):
        assert r["code"] == 2 and "Traceback" not in r["output"], (r["args"], r["output"][-3000:])
        assert f"pip install 'uusimaa-planner[{extra}]'" in r["output"], (r["args"], r["output"])
    assert not {"k.yaml", "pq", "h", "g2.csv"} & {p.name for p in tmp_path.iterdir()}


# ------------------------------------------------------------------ private APIs we depend on

def _params(f) -> list[str]:
    import inspect

    return list(inspect.signature(f).parameters)


def test_private_osmnx_apis_we_use_still_exist():
    """planner/traveltime/osm.py calls osmnx internals; a new osmnx that moves them fails here, loudly."""
    import osmnx as ox
    from osmnx import _errors, _osm_xml, _overpass
    from osmnx.graph import _create_graph

    assert _params(_overpass._get_network_filter) == ["network_type"]
    assert _params(_overpass._download_overpass_network)[:3] == ["polygon", "network_type", "custom_filter"]
    assert _params(_overpass._make_overpass_polygon_coord_strs) == ["polygon"]
    assert _params(_osm_xml._overpass_json_from_xml)[:2] == ["filepath", "encoding"]
    assert _params(_create_graph)[:2] == ["response_jsons", "bidirectional"]
    assert issubclass(_errors.InsufficientResponseError, Exception)
    assert issubclass(_errors.ResponseStatusCodeError, Exception)
    for name in ("bidirectional_network_types", "overpass_url", "overpass_rate_limit", "use_cache",
                 "cache_folder", "log_console"):
        assert hasattr(ox.settings, name), f"osmnx.settings.{name} is gone"
    assert "walk" in ox.settings.bidirectional_network_types
    assert _params(ox.projection.project_geometry)[:4] == ["geom", "crs", "to_crs", "to_latlong"]
    assert _params(ox.truncate.truncate_graph_polygon)[:2] == ["G", "polygon"]
    assert "drive" in _overpass._get_network_filter("drive")  # a filter string for the network type


def test_pyrosm_apis_we_use_still_exist():
    """planner/traveltime/osm.py reads the PBF header through pyrosm's compiled module, asks for progress."""
    import inspect

    import pyrosm
    from pyrosm.pbf_export import read_header_block

    assert callable(read_header_block)
    params = inspect.signature(pyrosm.OSM.__init__).parameters
    assert {"filepath", "bounding_box", "progress"} <= set(params)
    header = read_header_block(pyrosm.get_data("helsinki_pbf"))
    assert hasattr(header, "osmosis_replication_timestamp")


def test_geopy_public_apis_we_use_still_exist():
    """planner/inputs/geocode.py asks Digitransit through geopy's public Pelias.geocode (no private
    ``_call_geocoder``) and adds the subscription key to the headers geopy sends; geopy is capped
    below 3 for that ``headers`` attribute (the local-server test in test_geocode.py proves the
    header arrives)."""
    import inspect

    import geopy
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim, Pelias

    assert int(geopy.__version__.split(".")[0]) == 2
    assert {"query", "exactly_one", "countries"} <= set(_params(Pelias.geocode))
    assert {"domain", "scheme", "user_agent", "timeout"} <= set(_params(Pelias.__init__))
    geo = Pelias(domain="127.0.0.1:9", scheme="http", user_agent="t")
    assert geo.headers == {"User-Agent": "t"}  # the dict every request's headers start from
    assert {"exactly_one", "addressdetails", "country_codes"} <= set(_params(Nominatim.geocode))
    assert {"min_delay_seconds", "max_retries", "swallow_exceptions"} <= set(
        inspect.signature(RateLimiter).parameters)
    assert "_call_geocoder" not in (ROOT / "planner" / "inputs" / "geocode.py").read_text(encoding="utf-8")


def test_spopt_model_internals_we_use_still_exist():
    """planner/optimise/solver.py adds constraints to spopt's PuLP problem through its attributes."""
    import numpy as np
    from spopt.locate import LSCP, MCLP, PCenter, PMedian

    cost = np.array([[1.0, 5.0], [4.0, 2.0], [3.0, 3.0]])
    w = np.array([10, 20, 30])
    forced = np.array([True, False])
    models = {
        "pmedian": PMedian.from_cost_matrix(cost, w, p_facilities=1, predefined_facilities_arr=forced),
        "pcenter": PCenter.from_cost_matrix(cost, p_facilities=1, predefined_facilities_arr=forced),
        "mclp": MCLP.from_cost_matrix(cost, w, service_radius=3.0, p_facilities=1,
                                      predefined_facilities_arr=forced),
        "lscp": LSCP.from_cost_matrix(cost, service_radius=5.0, predefined_facilities_arr=forced),
    }
    for name, m in models.items():
        assert len(m.fac_vars) == 2, name
        assert hasattr(m.problem, "setObjective") and hasattr(m.problem, "sol_status"), name
    assert np.shape(models["pmedian"].cli_assgn_vars) == (3, 2)
    assert np.shape(models["pcenter"].cli_assgn_vars) == (3, 2)
    assert hasattr(models["pcenter"], "weight_var")


# ------------------------------------------------------------------ weighted quantiles

def test_grouped_quantiles_match_numpy_inverted_cdf():
    """group_stats' vectorised median / p90 equal np.quantile(weights=, method='inverted_cdf')."""
    import numpy as np
    import pandas as pd

    from planner.analysis.accessibility import group_stats, weighted_quantile

    rng = np.random.default_rng(15)
    n = 3000
    t = rng.integers(0, 90, n).astype(float)  # many ties, as real minutes have
    t[rng.random(n) < 0.03] = np.inf  # unreachable
    t[rng.random(n) < 0.02] = np.nan  # unlocated
    df = pd.DataFrame({"g": rng.integers(0, 40, n), "population": rng.integers(0, 50, n),
                       "time_min": t})
    out = group_stats(df, ["g"]).set_index("g")
    for g, sub in df.groupby("g"):
        sub = sub[sub["time_min"].notna() & (sub["population"] > 0)]
        for q, col in ((0.5, "median_min"), (0.9, "p90_min")):
            want = np.quantile(sub["time_min"].to_numpy(), q, weights=sub["population"].to_numpy(float),
                               method="inverted_cdf")
            if np.isinf(want):  # issue 24: among residents with no point: NaN with the reason
                assert np.isnan(out.loc[g, col]) and out.loc[g, "stats_note"], (g, col)
                continue
            assert out.loc[g, col] == want, (g, col)
            assert weighted_quantile(sub["time_min"].to_numpy(), sub["population"].to_numpy(), q) == want
    # exactly half the weight at 30 min: the median is 30 (at least half at or below), not 60
    assert weighted_quantile(np.array([30.0, 60.0]), np.array([5, 5]), 0.5) == 30.0


# ------------------------------------------------------------------ attribution

def test_sources_list_covers_every_shipped_file():
    from planner.outputs.attribution import sources, sources_for_file

    geodata = ROOT / "geodata"
    for path in sorted(p for p in geodata.rglob("*") if p.is_file()):
        rel = path.relative_to(geodata).as_posix()
        assert sources_for_file(rel), f"geodata/{rel} is not listed in geodata/sources.toml"
    for s in sources():
        assert {"key", "files", "what", "source", "licence", "attribution", "used_when"} <= set(s), s
        for pat in s["files"]:
            assert list(geodata.glob(pat)), f"sources.toml lists {pat!r}, which matches no file"


def test_attribution_lines_follow_the_data_used(study, baseline):
    from planner.outputs.attribution import attribution_lines

    lines = attribution_lines(baseline.provenance)  # postal areas, straight-line model
    text = "\n".join(lines)
    for who in ("National Land Survey", "Statistics Finland", "THL", "Digital Geography Lab"):
        assert who in text, who
    assert "HSY" not in text and "OpenStreetMap" not in text
    grid = attribution_lines({**baseline.provenance, "demand_units": "250 m population grid (HSY)",
                              "network_source": "OpenStreetMap extract Helsinki.osm.pbf"})
    assert any("HSY" in x for x in grid)
    assert "© OpenStreetMap contributors, ODbL 1.0" in grid
    assert len(set(grid)) == len(grid)


def test_map_and_exports_carry_the_attribution_lines(study, baseline, tmp_path):
    import html

    import pandas as pd

    from planner.outputs.attribution import attribution_lines
    from planner.outputs.export import write_csv, write_excel
    from planner.outputs.maps import save_map, scenario_map

    lines = attribution_lines(baseline.provenance)
    page = save_map(scenario_map(study, baseline, "kela", "fi", tiles=None), tmp_path / "m.html") \
        .read_text(encoding="utf-8")
    credits = re.search(r'<div id="planner-credits".*?</details></div>', page, re.S).group(0)
    for line in lines:
        assert html.escape(line) in credits, line
    assert "Redistribution and use in source and binary forms" in page  # Leaflet's licence travels
    meta = pd.read_csv([p for p in write_csv({}, tmp_path / "csv", baseline.provenance)
                        if p.name == "metadata.csv"][0])
    assert meta.loc[meta["key"].str.startswith("attribution_"), "value"].tolist() == lines
    xlsx = write_excel({"summary_region": baseline.summaries["summary_region"]}, tmp_path / "r.xlsx",
                       baseline.provenance)
    sheet = pd.read_excel(xlsx, sheet_name="metadata")
    assert sheet.loc[sheet["key"].str.startswith("attribution_"), "value"].tolist() == lines


# ------------------------------------------------------------------ the wheel in clean venvs (issue 27)

def _run(*cmd, cwd=None, env=None, ok=True) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def _clean_env(tmp: Path) -> dict[str, str]:
    """This process's environment without anything that points Python or pip at the dev env."""
    drop = ("PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV", "VIRTUAL_ENV", "PYTHONSTARTUP",
            "PIP_TARGET", "PIP_PREFIX", "PIP_USER")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PLANNER_CACHE_DIR"] = str(tmp / "cache")
    env["MPLCONFIGDIR"] = str(tmp / "mpl")
    env["PYTHONNOUSERSITE"] = "1"  # no ~/.local site-packages either
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from an out-of-tree copy of the sources, as a fresh clone would have them."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "LICENSE-data.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "planner", src / "planner", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "geodata", src / "geodata", ignore=ignore)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", tmp / "dist", src, env=_clean_env(tmp))
    return next((tmp / "dist").glob("uusimaa_planner-*.whl"))


def test_wheel_carries_data_assets_and_every_licence(wheel):
    import zipfile
    from email.parser import Parser

    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"planner/geodata/{p.relative_to(ROOT / 'geodata').as_posix()}"
               for p in (ROOT / "geodata").rglob("*") if p.is_file()}
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)[:5]}"
    assert {"planner/assets/leaflet.js", "planner/assets/LICENSE-leaflet.txt"} <= names
    info = next(n for n in names if n.endswith(".dist-info/METADATA")).rsplit("/", 1)[0]
    for lic in ("LICENSE", "LICENSE-data.md", "planner/assets/LICENSE-leaflet.txt",
                "planner/assets/LICENSE-leaflet.sync.txt",
                "planner/assets/LICENSE-leaflet.markercluster.txt"):
        assert f"{info}/licenses/{lic}" in names, lic
    meta = Parser().parsestr(zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode())
    # code MIT, data CC BY 4.0, Leaflet BSD-2-Clause, Leaflet.Sync BSD-3-Clause (SPDX, PEP 639)
    assert meta["License-Expression"] == "MIT AND CC-BY-4.0 AND BSD-2-Clause AND BSD-3-Clause"
    classifiers = meta.get_all("Classifier")
    pythons = sorted(c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*Python :: 3\.\d+", c))
    assert pythons == SUPPORTED_PYTHONS, pythons
    assert meta["Requires-Python"] == f">={SUPPORTED_PYTHONS[0]}"
    assert meta.get_all("Project-URL") and all(", https://" in u for u in meta.get_all("Project-URL"))


def _index_reachable() -> bool:
    """Whether pip can reach its package index (configured indexes, find-links, its cache)."""
    r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--dest",
                        str(Path(os.environ.get("TMPDIR", "/tmp")) / "planner-index-probe"),
                        "--only-binary=:all:", "typer"], capture_output=True, text=True, timeout=120)
    return r.returncode == 0


@pytest.fixture(scope="module")
def index():
    if not _index_reachable():
        pytest.skip("pip reaches no package index here (offline): the clean-venv installs need one")


SCENARIO = "planner/geodata/scenarios/concentrate_kela_offices.yaml"


def _venv(tmp: Path, wheel: Path, extra: str | None,
          python: str = sys.executable) -> tuple[Path, Path, float]:
    """A venv of its own (no system site-packages, nothing borrowed) with the wheel and the
    dependencies of ``extra`` from the index / pip's cache. Returns (bin folder, site-packages,
    install seconds)."""
    import time

    venv = tmp / f"venv-{(extra or 'core').replace(',', '-')}"
    env = _clean_env(tmp)
    _run(python, "-m", "venv", "--clear", venv, env=env)
    py = venv / "bin" / "python"
    t0 = time.perf_counter()
    # --no-compile: the byte-compiling of every module took two thirds of an install; Python
    # compiles what the commands import as it goes
    _run(py, "-m", "pip", "install", "--quiet", "--no-compile", f"{wheel}[{extra}]" if extra else wheel,
         env=env, cwd=tmp)
    seconds = time.perf_counter() - t0
    print(f"\n[{extra or 'core'}] wheel + dependencies installed in {seconds:.0f} s")  # pytest -s shows it
    probe = ("import json, site, sys, sysconfig; print(json.dumps({'prefix': sys.prefix, "
             "'base': sys.base_prefix, 'path': sys.path, 'site': sysconfig.get_paths()['purelib'], "
             "'system_site': site.ENABLE_USER_SITE}))")
    info = json.loads(_run(py, "-c", probe, env=env, cwd=tmp).stdout)
    site = Path(info["site"])
    # truly isolated: sys.path holds the interpreter's standard library and this venv only, no
    # .pth line leads anywhere else (the dev env's site-packages, the repository)
    outside = [p for p in info["path"][1:] if p and not p.startswith((info["prefix"], info["base"]))]
    assert not outside, f"the venv borrows {outside}"
    assert not any(str(ROOT) in p or "site-packages" in p and not p.startswith(info["prefix"])
                   for p in info["path"]), info["path"]
    for pth in site.glob("*.pth"):
        for line in pth.read_text().splitlines():
            assert not line.startswith("/") or line.startswith(str(venv)), f"{pth.name} adds {line}"
    return venv / "bin", site, seconds


def _installed(bin_: Path, env: dict) -> set[str]:
    out = _run(bin_ / "python", "-m", "pip", "list", "--format=json", env=env).stdout
    return {d["name"].lower() for d in json.loads(out)}


INSTALL_SECONDS: dict[str, float] = {}


@pytest.mark.slow
@pytest.mark.index
def test_core_install_runs_report_map_evaluate_and_names_the_extras(wheel, index, tmp_path):
    """`pip install uusimaa-planner` (no extras) in a clean venv: report, map, evaluate, report
    --network none and geocode --offline run on the embedded data; a feature of an extra
    stops with one line naming the extra to install."""
    import html

    import pandas as pd

    from planner.outputs.attribution import attribution_lines

    bin_, site, INSTALL_SECONDS["core"] = _venv(tmp_path, wheel, None)
    env = _clean_env(tmp_path)
    have = _installed(bin_, env)
    for extra_only in ("networkx", "osmnx", "pyrosm", "geopy", "spopt", "pulp", "access", "pyarrow",
                       "streamlit", "altair", "vl-convert-python"):
        assert extra_only not in have, f"the core install pulls {extra_only}"
    where = _run(bin_ / "python", "-c", "import planner.settings as s; print(s.__file__); "
                 "print(s.GEODATA_DIR)", env=env, cwd=tmp_path).stdout.split()
    assert where[0].startswith(str(site)) and where[1] == str(site / "planner" / "geodata"), where
    planner = bin_ / "planner"
    out = tmp_path / "out"
    _run(planner, "report", "--out", out, env=env, cwd=tmp_path)
    page = (out / "map.html").read_text(encoding="utf-8")
    meta = pd.read_csv(out / "metadata.csv")
    prov = dict(zip(meta["key"], meta["value"].astype(str), strict=True))
    lines = attribution_lines(prov)
    assert lines and all(html.escape(x) in page for x in lines)
    assert "Redistribution and use in source and binary forms" in page  # Leaflet's licence travels
    assert prov["model"] == "straight-line estimate"
    _run(planner, "report", "--network", "none", "--out", tmp_path / "none", env=env, cwd=tmp_path)
    scenario = site / SCENARIO
    _run(planner, "map", scenario, "--out", tmp_path / "m.html", "--no-tiles", env=env, cwd=tmp_path)
    m = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert m.count('<div class="planner-chart"') == 3  # the charts: matplotlib, the core stack
    _run(planner, "evaluate", scenario, "--out", tmp_path / "eval", env=env, cwd=tmp_path)
    sheet = pd.read_excel(tmp_path / "eval" / "results.xlsx", sheet_name="metadata")
    assert sheet.loc[sheet["key"].str.startswith("attribution_"), "value"].tolist() == lines
    assert (tmp_path / "eval" / "results.gpkg").is_file()
    src = tmp_path / "addresses.csv"
    src.write_text("name,address,postal_code,municipality\nOodi,Töölönlahdenkatu 4,00100,Helsinki\n",
                   encoding="utf-8")
    _run(planner, "geocode", src, "--out", tmp_path / "located.csv", "--offline", env=env, cwd=tmp_path)
    assert pd.read_csv(tmp_path / "located.csv")["location_precision"].tolist() == ["postal_area"]
    # what needs an extra says which, in one line, before anything is written (every extra's
    # message: test_core_commands_run_without_any_extra, in-process and fast)
    r = _run(planner, "optimise", "--model", "pmedian", "--need", "kela", "--k", "3", "--out",
             tmp_path / "k.yaml", env=env, cwd=tmp_path, ok=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "pip install 'uusimaa-planner[optimise]'" in r.stderr and not (tmp_path / "k.yaml").exists()


def _extra_checks(tmp: Path) -> dict:
    """Per extra: commands that need it, run in its venv (``{site}`` = the venv's site-packages)."""
    return {
        "optimise": [["planner", "optimise", "--model", "pmedian", "--need", "kela", "--k", "3",
                      "--out", tmp / "k3.yaml"],
                     ["planner", "optimise", "--model", "mobile", "--need", "social_walkin", "--group", "sv",
                      "--stops", "2", "--max-route-min", "240", "--out", tmp / "mobile.yaml"]],
        "network": [["planner", "report", "--demand", "helsinki_centre", "--mode", "walk",
                     "--out", tmp / "hc"]],
        "fca,parquet": [["python", "-c", "import access, planner.analysis.fca"],
                        ["planner", "evaluate", "{site}/" + SCENARIO, "--out", tmp / "pq", "--format",
                         "csv,parquet"]],
        "app": [["planner", "app", "--help"],
                ["python", "-c", "import streamlit, streamlit_folium, planner.app.main"]],
    }


@pytest.mark.slow
@pytest.mark.index
@pytest.mark.parametrize("extra", ["optimise", "network", "fca,parquet", "app"])
def test_each_extra_installs_from_the_wheel_and_runs_what_it_adds(wheel, index, tmp_path, extra):
    """`pip install uusimaa-planner[extra]` in a clean venv of its own runs the commands of the
    extra. PLANNER_WHEEL_PYTHON picks another interpreter (e.g. python3.13) for these venvs."""
    python = os.environ.get("PLANNER_WHEEL_PYTHON", sys.executable)
    bin_, site, INSTALL_SECONDS[extra] = _venv(tmp_path, wheel, extra, python)
    env = _clean_env(tmp_path)
    for cmd in _extra_checks(tmp_path)[extra]:
        cmd = [str(c).replace("{site}", str(site)) for c in cmd]
        r = _run(bin_ / cmd[0], *cmd[1:], env=env, cwd=tmp_path)
        assert "error" not in r.stderr.lower() or "Traceback" not in r.stderr, r.stderr
    if extra == "optimise":
        assert "p-median, k=3" in (tmp_path / "k3.yaml").read_text(encoding="utf-8")
        assert "\n- mobile:\n" in (tmp_path / "mobile.yaml").read_text(encoding="utf-8")
        pulp = _run(bin_ / "python", "-c", "import pulp; print(pulp.__version__)", env=env).stdout
        assert int(pulp.split(".")[0]) < 4  # spopt 0.7 still calls LpVariable(...), gone in PuLP 4
    if extra == "network":
        meta = (tmp_path / "hc" / "metadata.csv").read_text(encoding="utf-8")
        assert "OpenStreetMap" in meta
    if extra == "fca,parquet":
        import geopandas as gpd
        import pandas as pd

        units = gpd.read_parquet(tmp_path / "pq" / "demand_units.parquet")
        assert units.crs.to_epsg() == 3067 and "model" in units.columns
        assert len(units) == len(pd.read_csv(tmp_path / "pq" / "csv" / "demand_units.csv"))


# the resolver check of CI: every dependency of every extra resolves to wheels for the floor and
# the newest supported Python (where no such interpreter is installed, pip answers for it)
SUPPORTED_PYTHONS = ["3.11", "3.12", "3.13"]


@pytest.mark.index
@pytest.mark.parametrize("python", [SUPPORTED_PYTHONS[0], SUPPORTED_PYTHONS[-1]])
def test_dependencies_resolve_for_the_floor_and_the_newest_python(wheel, index, tmp_path, python):
    report = tmp_path / "resolve.json"
    _run(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--python-version", python, "--only-binary=:all:", "--report", report, f"{wheel}[dev]",
         env=_clean_env(tmp_path), cwd=tmp_path)
    got = {i["metadata"]["name"].lower(): i["metadata"]["version"]
           for i in json.loads(report.read_text())["install"]}
    assert set(_extra_closure("dev")) <= set(got) | {"igraph"}, set(_extra_closure("dev")) - set(got)
    assert int(got["pulp"].split(".")[0]) == 3, got["pulp"]  # PuLP 4 breaks spopt (LpVariable)
    assert "altair" not in got or "streamlit" in got  # only Streamlit's own


def test_cache_folder_from_platformdirs_with_the_env_override(monkeypatch, tmp_path):
    import platformdirs

    from planner.settings import default_cache_dir

    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("PLANNER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == platformdirs.user_cache_path("uusimaa-planner", appauthor=False)
    assert default_cache_dir() == tmp_path / "xdg" / "uusimaa-planner"  # Linux: the XDG folder


def test_geodata_is_read_through_importlib_resources():
    from importlib.resources import files

    from planner.settings import GEODATA_DIR

    assert GEODATA_DIR == Path(str(files("planner") / "geodata"))
    assert (GEODATA_DIR / "sources.toml").is_file()
    assert (ROOT / "planner" / "geodata").resolve() == (ROOT / "geodata").resolve()
