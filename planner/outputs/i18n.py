"""Interface strings in English, Finnish and Swedish, from gettext catalogues.

The messages live in ``translations/<lang>/LC_MESSAGES/planner.po`` (msgctxt: the key, msgid:
the English text, msgstr: the translation) with the template ``translations/planner.pot``;
Babel, Poedit or Weblate open them as they are.

``t(key, lang, **values)`` returns the string of ``key`` in ``lang`` ('en', 'fi' or
'sv') with ``{placeholders}`` filled in; a key missing in Finnish or Swedish falls
back to English, an unknown key raises ``KeyError``. A message about a number of things has a
gettext plural (msgid_plural, msgstr[0] / msgstr[1]): ``tn(key, count, lang, **values)`` picks
the form the language's plural rule (CLDR, through Babel) gives ``count`` ('1 stop', '2 stops').
Category labels come from
:mod:`planner.inputs.categories` (:func:`category_label`); need and language-group labels
are kept here.

>>> t("nav.compare", "fi")
'Vertailu'
>>> need_label("kela", "sv")
'FPA-byrå'
"""

from __future__ import annotations

import functools
import gettext
import io
import math
from pathlib import Path

from ..inputs.categories import CATEGORIES

__all__ = ["LANGS", "LANG_NAMES", "STRINGS", "PLURALS", "catalogue", "t", "tn", "category_label",
           "need_label", "group_label", "model_name"]

LANGS: tuple[str, ...] = ("en", "fi", "sv")
LANG_NAMES = {"en": "English", "fi": "Suomi", "sv": "Svenska"}

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "planner"


def _template() -> list[tuple[str, str | tuple[str, str]]]:
    """``(key, English text)`` of every message, in the catalogue's order: the template
    ``translations/planner.pot`` (msgctxt = key, msgid = English; a plural message's English is
    ``(singular, plural)``)."""
    from babel.messages.pofile import read_po

    with (TRANSLATIONS / f"{DOMAIN}.pot").open("rb") as f:
        return [(m.context, m.id) for m in read_po(f, domain=DOMAIN) if m.id and m.context]


def catalogue(lang: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``lang``: the ``.mo`` a built package ships (compiled at build by
    setup.py), else the ``.po`` of a checkout compiled in memory."""
    po = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file():
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        cat = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _tables() -> tuple[dict[str, tuple[str, str, str]], dict[str, tuple[tuple[str, str], ...]]]:
    """``(strings, plurals)``: every key's (English, Finnish, Swedish) text (a plural message's
    plural form), and each plural message's (singular, plural) forms per language."""
    cats = {lang: catalogue(lang) for lang in LANGS[1:]}
    strings: dict[str, tuple[str, str, str]] = {}
    plurals: dict[str, tuple[tuple[str, str], ...]] = {}
    for key, en in _template():
        if isinstance(en, tuple):  # gettext's own plural choice for 1 and 2 gives the two forms
            forms = (en, *((cats[lang].npgettext(key, en[0], en[1], 1),
                            cats[lang].npgettext(key, en[0], en[1], 2)) for lang in LANGS[1:]))
            plurals[key] = forms
            strings[key] = tuple(f[1] for f in forms)  # type: ignore[assignment]
        else:
            strings[key] = (en, *(cats[lang].pgettext(key, en) for lang in LANGS[1:]))
    return strings, plurals


def _strings() -> dict[str, tuple[str, str, str]]:
    return _tables()[0]


# key: (English, Finnish, Swedish), from the gettext catalogues under translations/ (edit the .po
# files with any translation tool; an untranslated message shows in English); PLURALS: the
# (singular, plural) forms of the messages about a number of things, per language
STRINGS, PLURALS = _tables()


def _texts(key: str, lang: str) -> tuple[int, tuple]:
    try:
        return (LANGS.index(lang) if lang in LANGS else 0), (PLURALS.get(key) or STRINGS[key])
    except KeyError:
        raise KeyError(f"no interface string {key!r}") from None


def t(key: str, lang: str = "en", **values: object) -> str:
    """The interface string ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    if key in PLURALS:
        raise KeyError(f"{key!r} is about a number of things: tn({key!r}, count, lang, ...)")
    i, texts = _texts(key, lang)
    text = texts[i] or texts[0]
    return text.format(**values) if values else text


@functools.cache
def _plural_rule(lang: str):
    """CLDR's plural rule of ``lang`` (parsed once: map popups ask it per stop)."""
    from babel import Locale

    from ..numbers import LOCALES

    return Locale.parse(LOCALES.get(lang, LOCALES["en"])).plural_form


def _is_one(count: float, lang: str) -> bool:
    """Whether ``count`` takes the singular in ``lang`` (CLDR's 'one': 1, not 1.5 or 0)."""
    n = abs(float(count))
    if not math.isfinite(n):
        return False
    return _plural_rule(lang)(int(n) if n.is_integer() else n) == "one"


def tn(key: str, count: float, lang: str = "en", **values: object) -> str:
    """The plural message ``key`` in ``lang``, in the form ``count`` takes, ``{placeholders}`` filled.

    >>> tn("b.mob_row", 1, "en", name="Bus", stops=1), tn("b.mob_row", 3, "sv", name="Bus", stops=3)
    ('Bus (1 stop)', 'Bus (3 hållplatser)')
    """
    if key not in PLURALS:
        raise KeyError(f"no plural interface string {key!r}")
    i, forms = _texts(key, lang)
    one, other = forms[i]
    text = (one or forms[0][0]) if _is_one(count, lang) else (other or forms[0][1])
    return text.format(**values) if values else text


def category_label(code: str, lang: str = "en") -> str:
    """Label of a service-point category in ``lang`` (from :mod:`planner.inputs.categories`)."""
    c = CATEGORIES[code]
    return {"fi": c.label_fi, "sv": c.label_sv}.get(lang, c.label_en)


def need_label(code: str, lang: str = "en") -> str:
    """Label of a service need in ``lang``."""
    return t(f"need.{code}", lang)


def group_label(code: str, lang: str = "en") -> str:
    """Label of a language group ('fi', 'sv' or 'all') in ``lang``."""
    return t(f"group.{code}", lang)


def model_name(model: str, lang: str) -> str:
    """A travel-time model's name (as in provenance) in ``lang``; unknown names as they are."""
    key = f"modelname.{model}"
    return t(key, lang) if key in STRINGS else model
