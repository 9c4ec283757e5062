"""Base modules and small CLI helpers at their boundaries, with their texts compared in full.

Numbers as each interface language writes them (approved table, the no-break spaces written as
``<nbsp>`` so a reviewer sees them), the comma-separated option parser's message, and the one
matrix-fallback policy of ``--no-matrix-fallback``.
"""

from __future__ import annotations

import pytest
import typer

from planner.cli.main import _fallback
from planner.cli.options import comma_choices
from planner.numbers import fmt_int, fmt_num, fmt_pct


def _show(text):
    return text.replace("\xa0", "<nbsp>").replace("\u202f", "<nnbsp>")


def test_numbers_in_each_language_at_zero_and_more_decimals(data_regression):
    out = {}
    for lang in ("en", "fi", "sv", "de"):  # de: not an interface language, written as en
        out[lang] = {
            "int_1704809": _show(fmt_int(1704809, lang)), "int_999_5": _show(fmt_int(999.5, lang)),
            "int_minus_1234": _show(fmt_int(-1234, lang)),
            "num_24_25": _show(fmt_num(24.25, lang)), "num_1234_5_digits_0": _show(fmt_num(1234.5, lang, 0)),
            "num_0_5_digits_2": _show(fmt_num(0.5, lang, 2)),
            "pct_0_243": _show(fmt_pct(0.243, lang)), "pct_0_243_digits_0": _show(fmt_pct(0.243, lang, 0)),
            "pct_1_digits_2": _show(fmt_pct(1, lang, 2)),
            "missing": [fmt_int(float("nan"), lang), fmt_num(float("inf"), lang, missing="no point"),
                        fmt_pct(None, lang, missing="")],
        }
    data_regression.check(out)


def test_a_comma_list_names_every_bad_part_and_every_choice():
    parse = comma_choices("--format", ("csv", "xlsx", "gpkg"))
    assert parse(" csv , xlsx,") == ("csv", "xlsx")
    assert parse(("gpkg",)) == ("gpkg",)  # Click's default, already a tuple
    with pytest.raises(typer.BadParameter) as e:
        parse("csv,pdf,doc")
    assert str(e.value) == "'pdf', 'doc' is not one of 'csv', 'xlsx', 'gpkg' (comma-separated)"
    with pytest.raises(typer.BadParameter) as e:
        parse(" , ")
    assert str(e.value) == "nothing is not one of 'csv', 'xlsx', 'gpkg' (comma-separated)"


@pytest.mark.parametrize("value, no_fallback, policy", [
    ("gaps", False, "gaps"), ("estimate", False, "estimate"), ("none", False, "none"),
    ("gaps", True, "none"), ("none", True, "none")])
def test_no_matrix_fallback_agrees_with_gaps_or_none(value, no_fallback, policy):
    assert _fallback(value, no_fallback) == policy


def test_no_matrix_fallback_contradicts_estimate(capsys):
    with pytest.raises(typer.Exit) as e:
        _fallback("estimate", True)
    assert e.value.exit_code == 2
    assert capsys.readouterr().err == ("error: --no-matrix-fallback contradicts --matrix-fallback estimate: "
                                       "give one of them\n")


def _system_exchanges(tmp_path) -> bool:
    """Whether this kernel, libc and file system swap two folders with renameat2 (checked here,
    independently of planner.atomic)."""
    import ctypes
    import os

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    a, b = tmp_path / "probe-a", tmp_path / "probe-b"
    a.mkdir()
    b.mkdir()
    return renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0


def test_two_folders_are_swapped_in_one_step_where_the_system_can(tmp_path):
    from planner import atomic

    if not _system_exchanges(tmp_path):
        pytest.skip("no renameat2 RENAME_EXCHANGE here: the two-rename fallback is tested elsewhere")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "v").write_text("new")
    (b / "v").write_text("old")
    assert atomic._exchange(a, b) is True
    assert (b / "v").read_text() == "new" and (a / "v").read_text() == "old"
