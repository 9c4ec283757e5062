"""The escaping rules of the output edges: HTML text, template data and spreadsheet cells.

Names in a points file, a postal-area layer or a scenario are user data; they reach
HTML maps (shared by e-mail in workshops) and Excel/CSV exports. Each format is
escaped at the one place it is written, with these helpers, never at the call sites.

folium/branca compile the markup of an ``Element(...)`` as Jinja template *source*: a point
named ``{{ 7*7 }}`` would print 49, ``{#`` would break the page and
``{{ lipsum.__globals__.os... }}`` would run code on the machine drawing the map. HTML built
from user text therefore enters a map only through :func:`html_element`, which hands it to
Jinja as a variable (data), never as source.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pandas as pd
from branca.element import Element
from jinja2 import Template

__all__ = ["html_text", "js_template_html", "md_text", "cell_text", "neutralise_cells", "html_element",
           "RawHtml", "FORMULA_PREFIXES", "control_free", "terminal_text"]

# OWASP "CSV injection": a cell starting with one of these is read as a formula by
# Excel, LibreOffice or Google Sheets (tab and carriage return too: some apps strip them)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# branca re-compiles the script a folium layer renders (its data included) as a Jinja template:
# a ``{`` in user text could start ``{{ }}``, ``{% %}`` or ``{#``; as a character reference it
# shows the same in the browser and is inert for Jinja
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def html_text(value: Any) -> str:
    """``value`` as text safe inside HTML element content or a quoted attribute, and inert as
    Jinja template source (folium/branca compile map layers' output again).

    ``None`` and NaN become an empty string; everything else is ``str()``-ed, its
    ``& < > " '`` escaped, so ``"><img src=x onerror=alert(1)>`` shows as text, and its
    braces written as character references, so ``{{ 7*7 }}`` shows as typed (never as 49).

    >>> html_text("Plan {{ 7*7 }} <b>")
    'Plan &#123;&#123; 7*7 &#125;&#125; &lt;b&gt;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_BRACES)


# folium's Tooltip and Popup templates write their text between JavaScript backticks, unescaped:
# there a backtick ends the string, ``${...}`` runs code and ``\u003c`` becomes a '<'
_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def js_template_html(value: Any) -> str:
    """``value`` as HTML text safe inside a JavaScript template literal (folium's string
    ``tooltip=`` / ``popup=``): :func:`html_text` plus the backtick, ``$`` and backslash as
    character references, which the browser then shows as those characters.

    >>> js_template_html("`${alert(1)}` <b>")
    '&#96;&#36;&#123;alert(1)&#125;&#96; &lt;b&gt;'
    """
    return html_text(value).translate(_JS_TEMPLATE)


class RawHtml(Element):
    """A branca/folium element that writes ``markup`` into the page verbatim.

    ``folium.Element(markup)`` would compile ``markup`` as a Jinja template; this element's
    template is fixed (``{{ this.markup }}``, no autoescape) and ``markup`` is its data, so
    ``{{ }}``, ``{% %}`` and ``{#`` in user text are shown as typed and never evaluated.
    ``markup`` must already be safe HTML (user text through :func:`html_text`).
    """

    _template = Template("{{ this.markup }}", autoescape=False)

    def __init__(self, markup: str) -> None:
        super().__init__()  # no template argument: nothing of ``markup`` is ever compiled
        self._name = "RawHtml"
        self.markup = str(markup)


def html_element(markup: str) -> RawHtml:
    """The one way HTML built by the planner enters a folium/branca page (see :class:`RawHtml`).

    >>> from branca.element import Figure
    >>> fig = Figure()
    >>> _ = fig.html.add_child(html_element("<b>Plan {{ 7*7 }} {#2} {% raw %}</b>"))
    >>> "<b>Plan {{ 7*7 }} {#2} {% raw %}</b>" in fig.render()
    True
    """
    return RawHtml(markup)


# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start
# markup in Streamlit's Markdown (links, images, emphasis, code, HTML, $ maths, :colour[] and
# :emoji: directives, tables, headings, lists)
_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:")


def md_text(value: Any) -> str:
    r"""``value`` as literal text inside Streamlit Markdown (messages, captions).

    Every Markdown-active character is backslash-escaped, so a scenario named
    ``![x](https://evil/track.png)`` shows as those characters, never as an image that
    fetches a remote address; ``None`` and NaN become an empty string.

    >>> print(md_text("**a** [b](c)"))
    \*\*a\*\* \[b\]\(c\)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))


def cell_text(value: Any) -> Any:
    """A spreadsheet cell value that can never be a formula.

    Text starting with ``= + - @`` (or tab / carriage return) gets a leading apostrophe
    (shown as text by spreadsheet apps); numbers, including negative ones, stay numbers.
    Control characters (ESC, NUL, ...: no spreadsheet can hold them) become U+FFFD.
    """
    if isinstance(value, str):
        value = control_free(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def neutralise_cells(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with :func:`cell_text` applied to every text cell and column name."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            if isinstance(s.dtype, pd.CategoricalDtype):
                continue
            out[col] = s.map(cell_text).astype(object)
    out.columns = [cell_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


# C0 controls but tab, line feed and carriage return (which text cells may hold), DEL and the
# C1 controls: openpyxl refuses them in a cell, and ESC in a terminal starts an escape sequence
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_free(text: str, keep_newlines: bool = True) -> str:
    """``text`` with every control character replaced by U+FFFD (tab, LF, CR kept when
    ``keep_newlines``).

    >>> control_free("a\x1b[31mb")
    'a\ufffd[31mb'
    """
    out = _CONTROL.sub("\ufffd", text)
    return out if keep_newlines else re.sub(r"[\t\r]", "\ufffd", out)


def terminal_text(text: str) -> str:
    """A line for the terminal: control characters of user text (an ESC sequence that would
    recolour, retitle or clear the terminal) shown as U+FFFD; line breaks kept."""
    return control_free(str(text))
