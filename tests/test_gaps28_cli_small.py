"""Issue 28: the smaller commands' paths no test reached (in-process, typer's CliRunner): how
`planner app` starts Streamlit, the handout's and the map's option checks, a stored network's
info and the empty list, the points diff's terminal limit, the options' own checks, and a link
that leaves out what the view does not hold."""

from __future__ import annotations

import re
import sys

import pytest
import typer
from typer.testing import CliRunner

from planner.cli import app as A
from planner.cli.main import app

runner = CliRunner()


# ----------------------------------------------------------------------------------- planner app

def test_streamlit_command_is_headless_without_usage_statistics_or_deploy_menu():
    cmd = A.streamlit_command("0.0.0.0", 8765)
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert cmd[4] == str(A.SCRIPT) and A.SCRIPT.name == "streamlit_app.py" and A.SCRIPT.exists()
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert opts == {"--server.address": "0.0.0.0", "--server.port": "8765", "--server.headless": "true",
                    "--browser.gatherUsageStats": "false", "--client.toolbarMode": "viewer"}


def test_app_command_says_where_it_listens_and_passes_streamlit_s_exit_code(monkeypatch):
    calls = []

    def call(cmd):  # Streamlit itself is started by tests/test_layout.py; here only its command
        calls.append(cmd)
        return 3

    monkeypatch.setattr(A, "run_streamlit", call)
    res = runner.invoke(app, ["app", "--host", "0.0.0.0", "--port", "8600"])
    assert res.exit_code == 3
    assert res.output.startswith("Starting the planner on http://0.0.0.0:8600 (embedded Uusimaa data; "
                                 "Ctrl-C stops)")
    assert calls == [A.streamlit_command("0.0.0.0", 8600)]
    res = runner.invoke(app, ["app"])
    assert "http://127.0.0.1:8501" in res.output and calls[-1] == A.streamlit_command("127.0.0.1", 8501)


@pytest.mark.parametrize(("streamlit_code", "exit_code"), [(-2, 0), (-15, 0), (0, 0), (1, 1), (-9, -9)])
def test_app_command_a_stop_by_ctrl_c_or_sigterm_is_a_clean_exit(monkeypatch, streamlit_code, exit_code):
    monkeypatch.setattr(A, "run_streamlit", lambda cmd: streamlit_code)
    assert runner.invoke(app, ["app"]).exit_code == exit_code


def test_run_streamlit_returns_the_child_s_exit_code():
    assert A.run_streamlit([sys.executable, "-c", "import sys; sys.exit(3)"]) == 3
    assert A.run_streamlit([sys.executable, "-c", "pass"]) == 0


_PARENT = """
import sys
from planner.cli.app import run_streamlit
sys.exit(run_streamlit([sys.executable, "-c", sys.argv[1]]))
"""
_CHILD = """
import os, pathlib, signal, sys, time
pid_file = pathlib.Path({pid_file!r})
def stop(signum, frame):
    pathlib.Path({stopped!r}).write_text(str(signum))
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
pid_file.write_text(str(os.getpid()))
time.sleep(60)
"""


def test_sigterm_to_planner_app_stops_streamlit_too(tmp_path):
    """A supervisor (or a test) stopping `planner app` with SIGTERM stops its Streamlit server too:
    the signal is passed on and waited for, so no server is left running without its parent."""
    import os
    import signal
    import subprocess
    import time

    pid_file, stopped = tmp_path / "child.pid", tmp_path / "stopped"
    child = _CHILD.format(pid_file=str(pid_file), stopped=str(stopped))
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, child])
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0  # the child's own exit code, after it stopped
        assert stopped.read_text() == str(int(signal.SIGTERM))  # the child was told, not killed
        child_pid = int(pid_file.read_text())
        with pytest.raises(ProcessLookupError):
            os.kill(child_pid, 0)
    finally:
        if parent.poll() is None:
            parent.kill()


def test_app_command_without_the_app_extra_says_how_to_install_it(monkeypatch):
    real = A.find_spec
    monkeypatch.setattr(A, "find_spec", lambda name: None if name == "streamlit_folium" else real(name))
    res = runner.invoke(app, ["app"])
    assert res.exit_code == 2
    assert "the app needs the [app] extra: pip install 'uusimaa-planner[app]'" in res.output
    monkeypatch.setattr(A, "find_spec", lambda name: None if name == "streamlit" else real(name))
    assert runner.invoke(app, ["app"]).exit_code == 2


def test_app_port_out_of_range_is_refused():
    res = runner.invoke(app, ["app", "--port", "0"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["app", "--port", "65536"])
    assert res.exit_code == 2


# ------------------------------------------------------------------------------ brief and map

def test_brief_must_be_a_pdf(tmp_path):
    out = tmp_path / "brief.html"
    res = runner.invoke(app, ["brief", "--out", str(out)])
    assert res.exit_code == 2 and "the handout is a PDF; give a file name ending in .pdf" in res.output
    assert not out.exists()


def test_side_by_side_needs_a_scenario(tmp_path):
    res = runner.invoke(app, ["map", "--side-by-side", "--out", str(tmp_path / "m.html")])
    assert res.exit_code == 2
    assert "--side-by-side compares a scenario with the baseline: give a scenario YAML file" in res.output


# --------------------------------------------------------------------------------- network

def test_network_info_of_a_file_that_is_no_network_is_one_error_line(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    res = runner.invoke(app, ["network", "info", str(bad)])
    assert res.exit_code == 2 and "error:" in res.output and "bad.npz" in res.output
    assert "Traceback" not in res.output


def test_network_list_of_an_empty_cache_says_how_to_build_one(tmp_path):
    res = runner.invoke(app, ["network", "list", "--cache-dir", str(tmp_path)])
    assert res.exit_code == 0
    assert res.output == "no stored networks; build one with `planner network fetch` or `from-file`\n"


# --------------------------------------------------------------------------------- points diff

COLS = "id,name,category,municipality_code,x,y,location_precision,valid_from,valid_to,target_group\n"


def test_points_diff_shows_limit_rows_and_counts_the_rest(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(COLS + "".join(f"o{i},Old {i},kela,091,{392730 + 500 * i},6677226,address,,,\n"
                                  for i in range(3)), encoding="utf-8")
    new.write_text(COLS + "".join(f"n{i},New {i},kela,091,{392730 + 500 * i},6679226,address,,,\n"
                                  for i in range(3)), encoding="utf-8")
    res = runner.invoke(app, ["points", "diff", str(old), str(new), "--out", str(tmp_path / "d"),
                              "--no-tiles", "--limit", "2"])
    assert res.exit_code == 0, res.output
    assert "... 4 more in the CSV" in res.output and "6 change(s)" in res.output
    shown = re.findall(r"\b[on][0-2]\b", res.output)  # the rows of the table: 2 of the 6 changes
    assert shown == ["n0", "n1"], res.output
    exact = runner.invoke(app, ["points", "diff", str(old), str(new), "--out", str(tmp_path / "e"),
                                "--no-tiles", "--limit", "6"])
    assert exact.exit_code == 0 and "more in the CSV" not in exact.output


# ------------------------------------------------------------------------------------ options

def test_study_kwargs_refuses_an_unknown_weight_and_passes_every_option():
    from planner.cli.options import study_kwargs

    with pytest.raises(ValueError, match=r"unknown --weight 'people': expected one of \['residents', "):
        study_kwargs(None, False, None, "people")
    assert study_kwargs("2023-01-01", True, "any", "unemployed", True, True) == {
        "date": "2023-01-01", "include_unlocated": True, "eligibility": "any", "weight": "unemployed",
        "located_only": True, "include_target_groups": True}
    assert study_kwargs(None, False, None, "residents") == {
        "date": None, "include_unlocated": False, "eligibility": None, "weight": "residents",
        "located_only": False, "include_target_groups": False}


def test_comma_choices_each_part_checked_and_empty_refused():
    from planner.cli.options import choices, comma_choices

    parse = comma_choices("--format", ("csv", "xlsx"))
    assert parse(" csv , xlsx ") == ("csv", "xlsx") and parse(("csv",)) == ("csv",)
    with pytest.raises(typer.BadParameter,
                       match=r"^'pdf', 'doc' is not one of 'csv', 'xlsx' \(comma-separated\)$"):
        parse("csv,pdf,doc")
    with pytest.raises(typer.BadParameter, match=r"^nothing is not one of 'csv', 'xlsx'"):
        parse(",")
    assert choices(("a", "b", "c")) == "a, b, c"


# ------------------------------------------------------------------------------------ links

def test_a_link_holds_only_the_choices_the_view_has_and_allows():
    import datetime

    from planner.app.urlstate import decode_view, encode_view

    view = {"lang": "fi", "need": None, "group": "xx", "net_date": datetime.date(2023, 1, 31)}
    q = encode_view(view)
    assert q == {"lang": "fi", "date": "2023-01-31"}  # no 'need' (None), no unknown group
    assert encode_view({}) == {} and "sc" not in encode_view(view, "")
    assert decode_view(q)[0]["lang"] == "fi"


def test_every_command_is_listed_with_its_help_in_order():
    """`planner --help` lists each command once, the sub-command groups with their own help."""
    import typer.main

    group = typer.main.get_command(app)
    assert list(group.commands) == ["report", "calibrate", "categories", "stats", "evaluate", "compare",
                                    "map", "optimise", "geocode", "brief", "app", "network", "points"]
    assert group.commands["network"].help == "Road networks from OpenStreetMap."
    assert group.commands["points"].help == "Service points from the public registers: fetch, diff."
    assert set(group.commands["network"].commands) >= {"info", "list"}
    assert set(group.commands["points"].commands) == {"fetch", "diff"}


def test_points_diff_table_has_its_four_columns(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(COLS + "o1,Old,kela,091,392730,6677226,address,,,\n", encoding="utf-8")
    new.write_text(COLS + "n1,New,kela,091,392730,6679226,address,,,\n", encoding="utf-8")
    res = runner.invoke(app, ["points", "diff", str(old), str(new), "--out", str(tmp_path / "d"),
                              "--no-tiles"])
    assert res.exit_code == 0, res.output
    (head,) = [x for x in res.output.splitlines() if "change" in x and "detail" in x]
    assert [w for w in head.replace("┃", " ").replace("│", " ").split()] == ["change", "id", "name", "detail"]


def test_brief_of_a_scenario_is_on_its_base_and_says_its_name(tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text("name: Walk brief\nbase: {demand: postal, mode: walk}\n"
                  "changes:\n  - close: [kela_kerava]\n", encoding="utf-8")
    out = tmp_path / "b.pdf"
    res = runner.invoke(app, ["brief", str(sc), "--out", str(out), "--need", "kela"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == ("model: straight-line estimate (walk); population data year 2022; "
                                          "scenario: Walk brief")
    assert out.read_bytes()[:5] == b"%PDF-" and "2 A4 pages" in res.output


def test_download_progress_goes_to_stderr_and_messages_are_plain_text():
    """The progress bar of a split download writes to stderr (stdout stays for results); a step
    message is the text as typed, not coloured by rich's highlighter on a colour terminal."""
    import io

    from rich.console import Console

    from planner.cli.network import _PartProgress

    assert _PartProgress().progress.console.stderr is True
    buf = io.StringIO()
    bar = _PartProgress(Console(file=buf, width=100, force_terminal=True, color_system="standard"))
    bar.message("part 2/6: 'Helsinki' 123")
    assert "  part 2/6: 'Helsinki' 123" in buf.getvalue()
