"""The layout shows the data flow (issue 27): stage sub-packages, no import cycle, `planner app`.

The layer contract itself is ``[tool.importlinter]`` in pyproject.toml (run by ``make test`` as
``lint-imports``); these tests check it from pytest too, and check that a cycle is found at all.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("inputs", "traveltime", "analysis", "optimise", "outputs", "cli", "app")
BASE = ("settings", "errors", "lazy", "numbers", "quantiles", "atomic", "escape")


def import_cycles(package: str) -> list[list[str]]:
    """Every group of modules of ``package`` that import each other in a circle (strongly
    connected components of the module import graph, imports inside functions included)."""
    graph = grimp.build_graph(package, cache_dir=None)
    g = nx.DiGraph()
    g.add_nodes_from(graph.modules)
    for m in graph.modules:
        g.add_edges_from((m, d) for d in graph.find_modules_directly_imported_by(m))
    return sorted(sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1)


def test_planner_has_no_import_cycle():
    assert import_cycles("planner") == []


def test_a_cycle_is_found_where_there_is_one(tmp_path, monkeypatch):
    """The checker above is not blind: a hand-made package whose a -> b -> c -> a (c's import
    inside a function, as planner's lazy imports are) reports exactly that circle."""
    pkg = tmp_path / "circle"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("from .c import f\n")
    (pkg / "c.py").write_text("def f():\n    from . import a\n    return a\n")
    (pkg / "d.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circle") == [["circle.a", "circle.b", "circle.c"]]


def test_the_top_level_holds_only_the_stages_and_the_base_modules():
    """Sub-packages by stage; the few shared base modules beside them; nothing else."""
    top = sorted(p.stem for p in (ROOT / "planner").glob("*.py") if p.stem != "__init__")
    assert top == sorted(BASE)
    packages = sorted(p.name for p in (ROOT / "planner").iterdir()
                      if (p / "__init__.py").exists())
    assert packages == sorted(STAGES)


def _raw_layers() -> list[str]:
    """The layer contract's layers as pyproject.toml writes them (``a | b``: independent)."""
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    assert contract["type"] == "layers" and contract["containers"] == ["planner"]
    return contract["layers"]


def _layers() -> list[list[str]]:
    return [[name.strip() for name in layer.replace(":", "|").split("|")] for layer in _raw_layers()]


def test_the_layer_contract_names_every_stage_in_the_flow_order():
    """inputs under traveltime under analysis under outputs/optimise under app/cli, the base
    modules under all of them: the order the README's data flow reads."""
    layers = _layers()
    order = {name: i for i, layer in enumerate(layers) for name in layer}
    assert set(order) == set(STAGES) | set(BASE)
    assert order["app"] == order["cli"] < order["outputs"] == order["optimise"] < order["analysis"] \
        < order["traveltime"] < order["inputs"] < order["settings"]


def test_no_stage_imports_a_stage_above_it():
    """The contract as pytest sees it: no module imports one from a higher layer (grimp's graph,
    the one lint-imports reads)."""
    graph = grimp.build_graph("planner", cache_dir=None)
    raw = _raw_layers()
    rank = {name: i for i, layer in enumerate(_layers()) for name in layer}

    def stage(module: str) -> str:
        return module.split(".")[1] if module.count(".") else ""

    wrong = []
    for m in graph.modules:
        for d in graph.find_modules_directly_imported_by(m):
            a, b = stage(m), stage(d)
            if a in rank and b in rank and a != b and rank[b] < rank[a]:
                wrong.append(f"{m} -> {d}")
            elif a in rank and b in rank and a != b and rank[a] == rank[b] and "|" in raw[rank[a]]:
                wrong.append(f"{m} -> {d} (independent siblings)")
    assert wrong == []


def test_lint_imports_keeps_the_contract():
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed in this environment")
    r = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "1 kept, 0 broken" in r.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_planner_app_serves_the_packaged_app(tmp_path):
    """`planner app` starts Streamlit on the script inside the package, from any folder."""
    pytest.importorskip("streamlit")
    exe = Path(sys.executable).with_name("planner")
    port = _free_port()
    env = {**os.environ, "PLANNER_PORT": str(port)}
    log = tmp_path / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(exe), "app", "--host", "127.0.0.1", "--port", str(port)], cwd=tmp_path,
                                env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240  # a cold start on a loaded 2-core machine
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "planner app did not answer within 240 s"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200
        proc.terminate()  # what a supervisor does: Streamlit stops with it, no server left behind
        assert proc.wait(timeout=60) == 0, log.read_text()
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
    from planner.cli.app import SCRIPT, streamlit_command

    assert SCRIPT.is_file() and SCRIPT.is_relative_to(ROOT / "planner")
    assert "--client.toolbarMode" in streamlit_command("127.0.0.1", port)


def test_one_atomic_writer():
    """Files are written atomically in one place (planner/atomic.py: atomic_file, atomic_folder,
    write_atomic); no module keeps its own temp-file-and-rename copy (issue 27 found four)."""
    import re

    own = re.compile(r"mkstemp|mkdtemp|os\.replace\(|os\.rename\(|\.replace\(path\)|NamedTemporaryFile")
    allowed = {("app/state.py", "os.replace(path, target)")}  # moves a stored upload: no write
    found = []
    for path in (ROOT / "planner").rglob("*.py"):
        rel = path.relative_to(ROOT / "planner").as_posix()
        if rel == "atomic.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if own.search(line) and (rel, line.strip()) not in allowed:
                found.append(f"{rel}: {line.strip()}")
    assert found == []
