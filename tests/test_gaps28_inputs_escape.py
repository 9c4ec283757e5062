"""Issue 28: the escaping rules of planner/escape.py, character by character at their edges.

Every expected string was written out by hand from the rule (HTML entities, CommonMark
backslash escapes, the OWASP formula prefixes, the C0/C1 control ranges).
"""

from __future__ import annotations

import pandas as pd
import pytest
from branca.element import Figure

from planner.escape import (
    FORMULA_PREFIXES,
    RawHtml,
    cell_text,
    control_free,
    html_element,
    html_text,
    js_template_html,
    md_text,
    neutralise_cells,
    terminal_text,
)


def test_html_text_escapes_every_special_character_and_brace():
    assert html_text("&<>\"'{}") == "&amp;&lt;&gt;&quot;&#x27;&#123;&#125;"
    assert html_text("Järvenpää 7") == "Järvenpää 7"


def test_html_text_of_missing_values_is_empty_and_numbers_are_text():
    assert html_text(None) == ""
    assert html_text(float("nan")) == ""
    assert html_text(0.0) == "0.0"
    assert html_text(3) == "3"
    assert html_text("nan") == "nan"  # the text 'nan' is a name, not a missing value


def test_js_template_html_makes_backtick_dollar_and_backslash_inert():
    assert js_template_html("`${x}`\\u003c") == "&#96;&#36;&#123;x&#125;&#96;&#92;u003c"
    assert js_template_html(None) == ""


def test_raw_html_writes_its_markup_verbatim_and_never_compiles_it():
    el = html_element("<i>{{ 7*7 }} {#x} {% raw %}</i>")
    assert isinstance(el, RawHtml)
    assert el._name == "RawHtml"
    assert el.markup == "<i>{{ 7*7 }} {#x} {% raw %}</i>"
    fig = Figure()
    fig.html.add_child(el)
    page = fig.render()
    assert "<i>{{ 7*7 }} {#x} {% raw %}</i>" in page and "49" not in page
    assert RawHtml(5).markup == "5"


def test_md_text_escapes_every_markdown_active_character():
    special = "\\`*_{}[]()<>#+-.!|~$:"
    assert md_text(special) == "".join("\\" + c for c in special)
    assert md_text("Espoo a1 ä,;'\"/=%&?") == "Espoo a1 ä,;'\"/=%&?"  # inert characters stay
    assert md_text("a\\*b") == "a\\\\\\*b"  # the escape character itself is escaped first
    assert md_text(None) == "" and md_text(float("nan")) == ""
    assert md_text(1.5) == "1\\.5"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_prefix_gets_an_apostrophe(prefix):
    assert prefix in FORMULA_PREFIXES
    assert cell_text(prefix + "SUM(A1)") == "'" + prefix + "SUM(A1)"


def test_cell_text_leaves_numbers_and_plain_text_alone():
    assert cell_text(-5) == -5 and cell_text(-1.5) == -1.5
    assert cell_text("Vantaa") == "Vantaa"
    assert cell_text(" =1") == " =1"  # not at the start: no formula
    assert cell_text("") == ""
    assert cell_text(None) is None


def test_cell_text_replaces_control_characters_before_testing_the_prefix():
    assert cell_text("=A\x1b1") == "'=A\ufffd1"
    assert cell_text("\x00=1") == "\ufffd=1"  # the NUL is gone, the '=' is no longer first


def test_neutralise_cells_covers_all_text_columns_after_a_categorical_one():
    df = pd.DataFrame({
        "cat": pd.Categorical(["=1", "b"]),
        "name": ["=HYPERLINK(x)", "ok"],
        "n": [-1, 2],
        "=bad": ["x", "@y"],
        0: ["+1", "z"],
    })
    out = neutralise_cells(df)
    assert list(out["cat"]) == ["=1", "b"]  # categories: fixed vocabularies of the planner, kept
    assert list(out["name"]) == ["'=HYPERLINK(x)", "ok"]
    assert list(out["n"]) == [-1, 2]
    assert list(out["'=bad"]) == ["x", "'@y"]
    assert list(out.columns) == ["cat", "name", "n", "'=bad", 0]
    assert list(out[0]) == ["'+1", "z"]
    assert out["name"].dtype == object
    assert list(df["name"]) == ["=HYPERLINK(x)", "ok"] and "=bad" in df.columns  # the input is untouched


def test_neutralise_cells_handles_pandas_string_dtype():
    df = pd.DataFrame({"s": pd.array(["-x", "y"], dtype="string")})
    assert list(neutralise_cells(df)["s"]) == ["'-x", "y"]


@pytest.mark.parametrize("ch, replaced", [
    ("\x00", True), ("\x08", True), ("\t", False), ("\n", False), ("\x0b", True), ("\x0c", True),
    ("\r", False), ("\x0e", True), ("\x1b", True), ("\x1f", True), (" ", False), ("~", False),
    ("\x7f", True), ("\x80", True), ("\x9f", True), ("\xa0", False), ("ä", False),
])
def test_control_free_replaces_exactly_the_c0_c1_controls_and_del(ch, replaced):
    assert control_free("a" + ch + "b") == ("a\ufffdb" if replaced else "a" + ch + "b")


def test_control_free_without_newlines_replaces_tab_and_cr_but_keeps_line_feed():
    assert control_free("a\tb\rc\nd\x1b", keep_newlines=False) == "a\ufffdb\ufffdc\nd\ufffd"
    assert control_free("a\tb\rc\nd") == "a\tb\rc\nd"


def test_terminal_text_keeps_line_breaks_and_stringifies():
    assert terminal_text("x\x1b]0;title\x07\ny\tz") == "x\ufffd]0;title\ufffd\ny\tz"
    assert terminal_text(12) == "12"
