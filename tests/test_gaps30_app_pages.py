"""Issue 28: every page of the workshop app as the room sees it, in Finnish, Swedish and English,
compared in full with reviewed approved files (tests/test_gaps30_app_pages/): each title, caption,
message, metric, button, widget label, option, help text and table header, in screen order.

One AppTest per language renders the five pages once (module-scoped); the tests read its
snapshots. A changed word, a lost translation (English in a Finnish room), a dropped caption or
a control in another place shows as a diff to review. Numbers come from the bundled 2022 data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from planner.app import state as S

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("overview", "builder", "compare", "optimise", "export")
LANGS = ("fi", "sv", "en")
# file sizes of the exported xlsx / gpkg / zip depend on the library versions: the number is
# replaced, its form (the language's digits, "kB") is checked by its own test
SIZE = re.compile(r" · [0-9\xa0 ,.]+ kB$")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"  # what the box shows (24.94), not the float's last digits
    return str(value)


_COLOURS = {v.number: v.name.lower() for v in MetricProto.MetricColor.DESCRIPTOR.values}
_ARROWS = {MetricProto.MetricDirection.UP: "arrow up", MetricProto.MetricDirection.DOWN: "arrow down",
           MetricProto.MetricDirection.NONE: "no arrow"}


def _key_and_look(widget) -> str:
    """A widget's key: the name its choice is kept under in the session across reruns, page and
    language switches (an unkeyed widget starts afresh: "no key"); then how it is drawn where
    that is not the default: a primary button, a greyed-out widget, a number box's range, step
    and format, a radio's options in a row."""
    proto, look = widget.proto, []
    if getattr(proto, "type", "") == "primary":
        look.append("primary")
    if getattr(proto, "disabled", False):
        look.append("disabled")
    if widget.type == "radio" and proto.horizontal:
        look.append("in a row")
    if widget.type in ("number_input", "slider"):
        look.append(f"range {_fmt(proto.min)}..{_fmt(proto.max)} step {_fmt(proto.step)}"
                    + (f" format {proto.format}" if proto.format else ""))
    return f" | key: {widget.key or 'no key'}" + (f" | look: {', '.join(look)}" if look else "")


def lines(block) -> list[str]:
    """What a block shows, one line per element in screen order (library internals left out)."""
    out: list[str] = []
    for node in block:
        kind = getattr(node, "type", "")
        if kind in ("title", "header", "subheader", "markdown", "error", "warning", "info", "success",
                    "code"):
            out.append(f"{kind}: {node.value}")
        elif kind == "caption":
            out.append(f"caption: {SIZE.sub(' · <size> kB', node.value)}")
        elif kind == "html":  # (a script runs only where the page lets it: said, not assumed)
            out.append(f"html: {node.proto.body}" + (" | script runs" if node.proto.unsafe_allow_javascript
                                                      else ""))
        elif kind == "metric":  # a delta with the colour and arrow it is drawn with
            look = f"{_COLOURS[node.proto.color]} {_ARROWS[node.proto.direction]}"
            out.append(f"metric: {node.label} = {node.value}"
                       + (f" ({node.proto.delta} · {look})" if node.proto.delta else ""))
        elif kind in ("button", "download_button", "checkbox", "toggle", "text_input", "number_input",
                      "text_area", "date_input", "slider", "file_uploader"):
            line = f"{kind}: {node.label}"
            if kind not in ("button", "download_button", "file_uploader"):
                line += f" = {_fmt(node.value)}"
            if kind == "file_uploader":
                line += f" [{', '.join(node.proto.type)}]"
            out.append(line + (f" | help: {node.help}" if node.help else "") + _key_and_look(node))
        elif kind in ("selectbox", "multiselect", "radio"):
            opts = list(node.options)  # a list of every point: its first ones and its length
            shown = " / ".join(opts if len(opts) <= 12 else [*opts[:4], f"... ({len(opts)} in all)"])
            line = f"{kind}: {node.label} = {node.value} | options: {shown}"
            placeholder = getattr(node.proto, "placeholder", "")
            if placeholder:
                line += f" | placeholder: {placeholder}"
            out.append(line + (f" | help: {node.help}" if node.help else "") + _key_and_look(node))
        elif kind in ("tab", "expander"):
            out.append(f"{kind}: {node.label}")
        elif kind == "dataframe":  # a table shows no row numbers (0, 1, 2 ...) beside its first column
            df = node.value
            index = json.loads(node.proto.columns or "{}").get("_index", {})
            shown = "" if index.get("hidden") else " | row numbers shown"
            out.append(f"table: {len(df)} rows | {' | '.join(map(str, df.columns))}{shown}")
    return out


_RENDERED: dict[str, dict] = {}


def _render(lang: str, tmp_path_factory) -> dict:
    """The sidebar and the five pages in one language, {page: lines}: rendered once a run."""
    if lang not in _RENDERED:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PLANNER_DATA_DIR", str(tmp_path_factory.mktemp(f"data_{lang}")))  # none saved
            app = AppTest.from_file(APP, default_timeout=300)
            app.query_params.update({"lang": lang, "page": "overview"})
            app.run()
            assert not app.exception, app.exception
            shown = {"sidebar": lines(app.sidebar)}
            for page in PAGES:
                app.sidebar.radio(key=f"page@{lang}").set_value(page).run()
                assert not app.exception, app.exception
                shown[page] = lines(app.main)
        _RENDERED[lang] = {"lang": lang, "shown": shown}
    return _RENDERED[lang]


@pytest.fixture(scope="module", params=LANGS)
def room(request, tmp_path_factory):
    return _render(request.param, tmp_path_factory)


@pytest.mark.parametrize("page", ("sidebar", *PAGES))
def test_every_word_of_each_page_in_the_rooms_language(room, page, data_regression):
    data_regression.check({"lang": room["lang"], "page": page, "shown": room["shown"][page]},
                          basename=f"{page}_{room['lang']}")


# the same word in the room's language as in English (Swedish "Export", "Scenario", "Median min")
# or no words of a language (the language picker, its language names)
SAME_IN_EVERY_LANGUAGE = {"Export", "Scenario", "Median min", "Language · Kieli · Språk", "English", "Suomi",
                          "Svenska"}


def _words(line: str) -> list[str]:
    """The words of a line a translation must change: a widget's label, options, help and
    placeholder, a table's headers (not a widget's value: an option's code)."""
    kind, _, rest = line.partition(": ")
    if kind in ("markdown", "html") and rest.startswith("<"):
        return []  # our CSS and script: checked whole by the approved files
    segments = rest.split(" | ")
    if kind == "table":
        return segments[1:]
    out = [segments[0].split(" = ")[0]]
    for segment in segments[1:]:
        name, _, text = segment.partition(": ")
        if name not in ("key", "look"):  # a session key and how it is drawn are not words
            out += text.split(" / ") if name == "options" else [text]
    return out


@pytest.mark.parametrize("lang", ("fi", "sv"))
def test_no_english_words_in_a_finnish_or_swedish_room(lang, tmp_path_factory, study):
    """Every label, option, help text and table header differs from the English one, except the
    data (scenario, point, municipality and file names) and words both languages spell alike."""
    munis = study.municipalities
    data = set(S.bundled_scenarios()) | set(munis["name_fi"]) | set(munis["name_sv"])
    shown, english = _render(lang, tmp_path_factory)["shown"], _render("en", tmp_path_factory)
    leaks = []
    for page, page_lines in shown.items():
        in_english = {w for line in english["shown"][page] for w in _words(line)}
        for line in page_lines:
            for word in _words(line):
                if (word in in_english and re.search("[A-Za-z]{3}", word) and word not in data
                        and word not in SAME_IN_EVERY_LANGUAGE and " · " not in word
                        and not word.startswith("... (")):
                    leaks.append(f"{page}: {word}")
    assert leaks == []


def test_the_public_transport_estimate_says_what_it_leaves_out_in_a_finnish_room(tmp_path, monkeypatch,
                                                                                 data_regression):
    """Issue 24: the PT estimate leaves out the wait before the first leg; the overview says so
    under the model caption, in the room's language."""
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=300)
    app.session_state["mode"] = "pt"
    app.query_params.update({"lang": "fi", "page": "overview"})
    app.run()
    assert not app.exception, app.exception
    data_regression.check({"captions": [c.value for c in app.main.caption]})
