"""Numbers as a reader of each interface language writes them (Babel's CLDR data).

``en`` 1,704,809 and 24.3; ``fi`` / ``sv`` 1 704 809 and 24,3 (a no-break space groups
the thousands). Missing values are never shown as ``nan`` / ``inf``: the caller's
``missing`` text stands in for them.
"""

from __future__ import annotations

import functools
import math

from babel import Locale
from babel.numbers import format_decimal, format_percent

__all__ = ["LOCALES", "MINUS", "counted", "fmt_count", "fmt_int", "fmt_num", "fmt_pct", "fmt_signed"]

LOCALES = {"en": "en_GB", "fi": "fi_FI", "sv": "sv_FI"}
MINUS = "\u2212"  # the typographic minus of a signed change


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["en"])


@functools.cache
def _minus_sign(lang: str) -> str:
    return Locale.parse(_locale(lang)).number_symbols["latn"]["minusSign"]


def _shows_zero(text: str) -> bool:
    """True when a formatted number has no digit but zeros ('0.0', '-0,00')."""
    return not any(c in "123456789" for c in text)


def _minus(text: str, lang: str) -> str:
    """``text`` with the language's own minus sign (CLDR: U+2212 in Finnish and Swedish, '-' in
    English; Babel's formatting writes an ASCII hyphen-minus in every locale), and none where the
    figure shown is zero (−0.04 shown with one decimal is 0.0, not a negative number)."""
    if not text.startswith("-"):
        return text
    if _shows_zero(text):
        return text[1:]
    return _minus_sign(lang) + text[1:]


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_int(value: object, lang: str = "en", missing: str = "–") -> str:
    """A whole number with the language's grouping.

    >>> fmt_int(1704809, "en"), fmt_int(1704809, "fi") == "1\\xa0704\\xa0809", fmt_int(float("nan"))
    ('1,704,809', True, '–')
    """
    if not _finite(value):
        return missing
    return _minus(format_decimal(round(float(value)), locale=_locale(lang)), lang)


def fmt_num(value: object, lang: str = "en", digits: int = 1, missing: str = "–") -> str:
    """A decimal number with ``digits`` decimals and the language's decimal sign.

    >>> fmt_num(24.25, "en"), fmt_num(24.25, "fi"), fmt_num(float("inf"), "sv", missing="no point")
    ('24.2', '24,2', 'no point')
    """
    if not _finite(value):
        return missing
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _minus(format_decimal(float(value), format=pattern, locale=_locale(lang)), lang)


def counted(n: float, one: str, other: str | None = None) -> str:
    """``n`` things in English, the noun in the form ``n`` takes (the CLI's and the reports' text;
    the interface's languages use :func:`planner.outputs.i18n.tn`).

    >>> counted(1, "stop"), counted(3, "stop"), counted(1234.0, "resident"), counted(0, "city", "cities")
    ('1 stop', '3 stops', '1,234 residents', '0 cities')
    """
    noun = one if float(n) == 1 else (other or one + "s")
    return f"{fmt_int(n)} {noun}"


def fmt_count(value: object, lang: str = "en", missing: str = "–") -> str:
    """A count that may have a fraction (visit days a week), with no needless decimals.

    >>> fmt_count(2.0, "en"), fmt_count(1.5, "fi"), fmt_count(2.25, "sv"), fmt_count(1234, "en")
    ('2', '1,5', '2,25', '1,234')
    """
    if not _finite(value):
        return missing
    return _minus(format_decimal(float(value), format="#,##0.##", locale=_locale(lang)), lang)


def fmt_pct(share: object, lang: str = "en", digits: int = 1, missing: str = "–") -> str:
    """A share (0.243) as a percentage in the language's style ('24.3%', '24,3 %').

    >>> fmt_pct(0.243, "en"), fmt_pct(0.243, "fi").replace("\\xa0", " ")
    ('24.3%', '24,3 %')
    """
    if not _finite(share):
        return missing
    # the locale's own pattern ('#,##0 %' in Finnish) with the decimals asked for
    base = Locale.parse(_locale(lang)).percent_formats[None].pattern
    pattern = base.replace("#,##0", "#,##0" + ("." + "0" * digits if digits > 0 else ""), 1)
    return _minus(format_percent(float(share), format=pattern, locale=_locale(lang)), lang)


def fmt_signed(value: object, lang: str = "en", digits: int = 1, minus: str = MINUS,
               missing: str = "–") -> str:
    """A change with its sign, in the language's style ('+2.1', '−2,1'); a change that rounds
    to zero at ``digits`` decimals is '±0.0': a sign there would show a direction no figure
    shows (−0.04 is no loss of 0.0). ``minus`` is the sign of a loss (ASCII '-' where
    Streamlit colours a metric's delta by it).

    >>> fmt_signed(2.14), fmt_signed(-2.14, "fi"), fmt_signed(-0.04), fmt_signed(0.04, "sv")
    ('+2.1', '−2,1', '±0.0', '±0,0')
    """
    if not _finite(value):
        return missing
    v = float(value)
    text = fmt_num(abs(v), lang, digits)
    if _shows_zero(text):
        return "\u00b1" + text
    return (minus if v < 0 else "+") + text
