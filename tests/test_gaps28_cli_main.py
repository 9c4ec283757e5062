"""Issue 28: the `planner` command's smaller paths, in-process through typer's CliRunner: the
categories list, the README numbers, the calibration table as Markdown, scenarios of different
bases, the terminal overview's lost-access note and 'no point' minutes, warnings as one line."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import main as M
from planner.cli.main import app

runner = CliRunner()


def test_categories_lists_every_category_and_what_each_need_accepts_per_group():
    from planner.inputs.categories import CATEGORIES, NEEDS

    res = runner.invoke(app, ["categories"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert len(lines) == len(CATEGORIES) + len(NEEDS)
    kela = CATEGORIES["kela"]
    assert f"{'kela':18} {kela.label_en} / {kela.label_fi} / {kela.label_sv}" in lines
    walk = NEEDS["social_walkin"]
    assert (f"need {'social_walkin':14} fi: {sorted(walk.by_group['fi'])}  "
            f"sv: {sorted(walk.by_group['sv'])}") in lines
    # Swedish speakers may use a Swedish walk-in point for the walk-in need, Finnish speakers may not
    assert "'sv_walkin'" in lines[len(CATEGORIES) + list(NEEDS).index("social_walkin")].split("sv:")[1]
    assert "'sv_walkin'" not in lines[len(CATEGORIES) + list(NEEDS).index("social_walkin")].split("sv:")[0]


def test_stats_writes_the_numbers_between_the_readme_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nbefore\n<!-- numbers:start -->\nold numbers\n<!-- numbers:end -->\nafter\n",
                      encoding="utf-8")
    res = runner.invoke(app, ["stats", "--write-readme", str(readme)])
    assert res.exit_code == 0, res.output
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nbefore\n<!-- numbers:start -->\n") and text.endswith(
        "\n<!-- numbers:end -->\nafter\n")
    block = text.split("<!-- numbers:start -->\n")[1].split("\n<!-- numbers:end -->")[0]
    assert "old numbers" not in text and block.strip() == res.output.strip()
    assert "1,704,809" in block or "1 704 809" in block  # the region's population, 2022


def test_stats_of_the_walk_mode_differs_from_drive_and_leaves_no_readme(tmp_path):
    walk = runner.invoke(app, ["stats", "--mode", "walk", "--located-only"])
    assert walk.exit_code == 0, walk.output
    drive = runner.invoke(app, ["stats"])
    assert walk.output != drive.output
    assert list(tmp_path.iterdir()) == []


def test_calibrate_markdown_table_for_one_mode():
    res = runner.invoke(app, ["calibrate", "--mode", "car", "--markdown"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == ("leave-one-destination-out over 5 destinations, population-weighted; absolute "
                        "error of the estimate (median / p90)")
    table = [x for x in lines[1:] if x.startswith("|")]
    assert table and all(x.endswith("|") for x in table) and "---" in table[1]
    assert all("| drive" in x for x in table[2:]) and len(table) == 2 + 6  # 'car' is drive; 6 bands
    assert "wrote" not in res.output  # only --write writes the parameters


def test_calibrate_weighted_by_cells():
    res = runner.invoke(app, ["calibrate", "--mode", "walk", "--weighting", "cells"])
    assert res.exit_code == 0, res.output
    assert "cells-weighted" in res.output and "population-weighted" not in res.output


def _check_fails(capsys, **kw) -> str:
    import typer

    from planner.cli.checks import check_options

    with pytest.raises(typer.Exit) as err:
        check_options(**kw)
    assert err.value.exit_code == 2
    return capsys.readouterr().err


def test_check_options_names_the_option_and_the_choices(capsys):
    """The library, the app and the CLI share these checks (Click checks a typed option first):
    one 'error:' line naming the option, the value, a suggestion and the choices."""
    from planner.cli.checks import check_options

    err = _check_fails(capsys, need="kel")
    assert err.startswith("error: unknown --need 'kel'") and "'kela'" in err and "expected one of" in err
    err = _check_fails(capsys, group="se", groups=("fi", "sv"))
    assert "unknown --group 'se'" in err and "['fi', 'sv']" in err
    assert "unknown --group 'all'" in _check_fails(capsys, group="all", groups=("fi", "sv"))
    assert "unknown --demand 'grids'" in _check_fails(capsys, demand="grids")
    assert "bike" in _check_fails(capsys, mode="bike")
    assert "unknown --format 'pdf'" in _check_fails(capsys, formats=("csv", "pdf"))
    assert "--format is empty" in _check_fails(capsys, formats=())
    err = _check_fails(capsys, demand="postal", grid="g.gpkg")
    assert "--grid g.gpkg is only used with --demand grid (now --demand postal)" in err
    # what is right passes: each choice, --grid with grid demand, no options at all
    check_options(need="kela", group="all", demand="grid", mode="car", formats=("csv",), grid="g.gpkg")
    check_options(demand="helsinki_centre", grid="g.gpkg")
    check_options()


def _scenario(path, base: str, name: str) -> str:
    path.write_text(f"name: {name}\nbase: {base}\nchanges:\n  - close: [kela_kerava]\n", encoding="utf-8")
    return str(path)


def test_scenarios_of_different_bases_need_demand_and_mode(tmp_path):
    a = _scenario(tmp_path / "a.yaml", "{demand: postal, mode: drive}", "A")
    b = _scenario(tmp_path / "b.yaml", "{demand: postal, mode: walk}", "B")
    res = runner.invoke(app, ["compare", a, b])
    assert res.exit_code == 2
    assert "different bases [('postal', 'drive'), ('postal', 'walk')]" in res.output
    assert "give --demand and --mode" in res.output
    ok = runner.invoke(app, ["compare", a, b, "--demand", "postal", "--mode", "drive"])
    assert ok.exit_code == 0, ok.output
    assert "model: straight-line estimate (drive)" in ok.output


def test_base_options_take_the_scenarios_base_or_the_command_line():
    class Sc:
        def __init__(self, base):
            self.base = base

    assert M._base_options([Sc({"mode": "walk"})], None, None) == ("postal", "walk")
    assert M._base_options([Sc({"demand": "grid"})], None, None) == ("grid", "drive")
    assert M._base_options([], None, None) == ("postal", "drive")
    assert M._base_options([Sc({"mode": "walk"})], "grid", None) == ("grid", "walk")
    assert M._base_options([Sc({"mode": "walk"}), Sc({})], "grid", "pt") == ("grid", "pt")


def test_overview_note_names_a_mean_improved_only_by_exclusion(capsys):
    table = pd.DataFrame({
        "scenario": ["S\x1b[31m", "T"], "need": ["kela", "kela"], "pop_no_point_after": [1234, 0],
        "pop_lost_access": [1234, 0], "mean_min_served_before": [20.0, 20.0],
        "mean_min_served_after": [float("inf"), 21.04], "improved_by_exclusion": [True, False],
        "pop_lose_gt_10": [0, 5], "pop_lose_gt_20": [0, 1]})
    M._echo_overview(table, {"model": "straight-line estimate", "mode": "drive", "data_year": 2022})
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "model: straight-line estimate (drive); population data year 2022"
    notes = [x for x in lines if x.startswith("note:")]
    assert len(notes) == 1 and "/ kela: the mean over those served falls only because 1,234 residents " \
        "lost access (improved_by_exclusion)" in notes[0]
    assert "\x1b" not in out  # a scenario name's control character never reaches the terminal
    assert "no point" in out and "inf" not in out and "21" in out


def test_terminal_minutes_that_are_not_finite_read_no_point():
    df = pd.DataFrame({"a": [1.5, float("inf"), float("nan")], "b": ["x", "y", "z"], "c": [1, 2, 3]})
    shown = M._shown(df)
    assert shown["a"].tolist() == ["1.5", "no point", "no point"]
    assert shown["b"].tolist() == ["x", "y", "z"] and shown["c"].tolist() == [1, 2, 3]
    assert df["a"].iloc[1] == float("inf")  # the caller's table is not changed


def test_no_matrix_fallback_is_none_and_contradicting_it_is_an_error(capsys):
    assert M._fallback("gaps", True) == "none" and M._fallback("none", True) == "none"
    assert M._fallback("estimate", False) == "estimate"
    import typer

    with pytest.raises(typer.Exit) as err:
        M._fallback("estimate", True)
    assert err.value.exit_code == 2
    assert capsys.readouterr().err == ("error: --no-matrix-fallback contradicts --matrix-fallback estimate: "
                                       "give one of them\n")


def test_a_warning_reads_as_one_plain_line(capsys):
    import warnings

    from planner.errors import PlannerWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        M._main(version=False)
        warnings.warn_explicit("point \x1b[2Jx was repaired", PlannerWarning, "f.py", 1)
        err = capsys.readouterr().err
        assert err.strip().startswith("warning: point") and "was repaired" in err
        assert "\x1b" not in err and "f.py" not in err and len(err.strip().splitlines()) == 1


def test_version_names_the_distribution():
    from importlib.metadata import version

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output == f"planner (uusimaa-planner) {version('uusimaa-planner')}\n"
