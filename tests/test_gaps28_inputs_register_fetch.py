"""Issue 28: planner points fetch's refusals, on the local stand-in registers (tests/registers_server.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from planner.inputs.registers.client import RegisterError
from planner.inputs.registers.fetch import _lines, fetch_points, skipped_path


def _fake():
    name = "planner_tests_registers_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("registers_server.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("registers, named", [(("ytj",), "['ytj']"), (("tpr", "kela"), "['kela']"), ((),
                                                                                                     "[]")])
def test_an_unknown_or_empty_register_list_is_refused(tmp_path, registers, named):
    with pytest.raises(ValueError) as e:
        fetch_points(tmp_path / "p.csv", registers, progress=False)
    assert str(e.value) == f"unknown register(s) {named}: expected some of ['tpr', 'ptv']"
    assert list(tmp_path.iterdir()) == []


def test_the_skipped_list_sits_beside_the_points_file():
    assert skipped_path(Path("/x/points.csv")) == Path("/x/points.skipped.csv")


def test_a_batch_error_is_split_into_its_lines():
    assert _lines(RegisterError("GET a: HTTP 404")) == ["GET a: HTTP 404"]
    assert _lines(RegisterError("2 failed:\n  GET a: x\n  GET b: y")) == ["GET a: x", "GET b: y"]


def test_rules_that_match_nothing_write_nothing_and_say_why(tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text('[[rule]]\nid = "none"\ncategory = "kela"\nname = ["^no such unit anywhere$"]\n',
                     encoding="utf-8")
    out = tmp_path / "p.csv"
    with _fake().FakeRegisters(page_size=50) as srv:
        with pytest.raises(ValueError) as e:
            fetch_points(out, ("tpr",), tpr_base=srv.tpr_url, ptv_base=srv.ptv_url, rules=rules,
                         cache_dir=tmp_path / "cache", min_interval_s=0, progress=False)
    msg = str(e.value)
    assert msg.startswith("the registers gave no service point (")
    assert "record(s) left out: {'no mapping rule matched': " in msg and msg.endswith("}); nothing written")
    assert not out.exists() and not skipped_path(out).exists()


def test_an_offline_fetch_without_cache_lists_the_failed_request(tmp_path):
    with pytest.raises(RegisterError) as e:
        fetch_points(tmp_path / "p.csv", ("tpr",), tpr_base="http://127.0.0.1:9/tpr/",
                     cache_dir=tmp_path / "c",
                     offline=True, progress=False)
    lines = str(e.value).splitlines()
    assert lines[0] == ("1 register request(s) failed; nothing written (answers fetched so far are cached):")
    assert lines[1].startswith("  GET http://127.0.0.1:9/tpr/") and "not in the cache" in lines[1]
    assert not (tmp_path / "p.csv").exists()


def test_the_register_cache_defaults_to_the_settings_cache(tmp_path):
    import dataclasses

    from planner.settings import DEFAULT_SETTINGS

    s = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path / "c")
    with pytest.raises(RegisterError) as e:
        fetch_points(tmp_path / "p.csv", ("tpr",), tpr_base="http://127.0.0.1:9/tpr/", offline=True,
                     progress=False, settings=s)
    assert f"not in the cache {tmp_path / 'c' / 'registers'} (--offline)" in str(e.value)
