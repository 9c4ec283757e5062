"""The mutation runner's own rules (mutation/run.py): how a sample's test mapping is widened."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "mutation" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("_mutation_run", RUN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_a_function_s_tests_gain_the_rest_of_their_small_files_and_lose_none(run, tmp_path):
    """A page rendered once per module is recorded under the module's first test only: every
    test of that file (at most 60 s in all) is added; a file over the cap adds nothing; a
    test mutmut recorded is never dropped."""
    stats = {
        "tests_by_mangled_function_name": {
            "planner.app.main.x_export": ["tests/test_pages.py::test_sidebar[fi]"],
            "planner.analysis.study.x_load_study": ["tests/test_slow.py::test_a",
                                                    "tests/test_pages.py::test_z"],
            "planner.numbers.x_fmt_int": [],
        },
        "duration_by_test": {"tests/test_pages.py::test_sidebar[fi]": 30.0,
                             "tests/test_pages.py::test_export[fi]": 0.5,
                             "tests/test_pages.py::test_z": 29.5,  # 60.0 s: still whole
                             "tests/test_slow.py::test_a": 50.0, "tests/test_slow.py::test_b": 10.5,
                             "tests/test_other.py::test_c": 1.0},
        "stats_time": 1.0,
    }
    path = tmp_path / "mutmut-stats.json"
    path.write_text(json.dumps(stats), encoding="utf-8")
    assert run.widen_test_mapping(path) == 4  # 2 + 2
    got = json.loads(path.read_text(encoding="utf-8"))
    pages = ["tests/test_pages.py::test_export[fi]", "tests/test_pages.py::test_sidebar[fi]",
             "tests/test_pages.py::test_z"]
    assert got["tests_by_mangled_function_name"] == {
        "planner.app.main.x_export": pages,
        "planner.analysis.study.x_load_study": [*pages, "tests/test_slow.py::test_a"],  # 60.5 s: not widened
        "planner.numbers.x_fmt_int": []}
    assert got["duration_by_test"] == stats["duration_by_test"] and got["stats_time"] == 1.0
    assert run.widen_test_mapping(path) == 0  # once is all: a second pass adds nothing
