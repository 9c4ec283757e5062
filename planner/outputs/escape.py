"""The two escaping rules of the output edges: HTML text and spreadsheet cells.

Names in a points file, a postal-area layer or a scenario are user data; they reach
HTML maps (shared by e-mail in workshops) and Excel/CSV exports. Each format is
escaped at the one place it is written, with these helpers, never at the call sites.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pandas as pd

__all__ = ["html_text", "js_template_html", "md_text", "cell_text", "neutralise_cells", "FORMULA_PREFIXES",
           "control_free", "terminal_text"]

# OWASP "CSV injection": a cell starting with one of these is read as a formula by
# Excel, LibreOffice or Google Sheets (tab and carriage return too: some apps strip them)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: Any) -> str:
    """``value`` as text safe inside HTML element content or a quoted attribute.

    ``None`` and NaN become an empty string; everything else is ``str()``-ed and its
    ``& < > " '`` escaped, so ``"><img src=x onerror=alert(1)>`` shows as text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


# folium's Tooltip and Popup templates write their text between JavaScript backticks, unescaped:
# there a backtick ends the string, ``${...}`` runs code and ``\u003c`` becomes a '<'
_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def js_template_html(value: Any) -> str:
    """``value`` as HTML text safe inside a JavaScript template literal (folium's string
    ``tooltip=`` / ``popup=``): :func:`html_text` plus the backtick, ``$`` and backslash as
    character references, which the browser then shows as those characters.

    >>> js_template_html("`${alert(1)}` <b>")
    '&#96;&#36;{alert(1)}&#96; &lt;b&gt;'
    """
    return html_text(value).translate(_JS_TEMPLATE)


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
