"""Interface strings in English, Finnish and Swedish, from gettext catalogues.

The messages live in ``translations/<lang>/LC_MESSAGES/planner.po`` (msgctxt: the key, msgid:
the English text, msgstr: the translation) with the template ``translations/planner.pot``;
Babel, Poedit or Weblate open them as they are.

``t(key, lang, **values)`` returns the string of ``key`` in ``lang`` ('en', 'fi' or
'sv') with ``{placeholders}`` filled in; a key missing in Finnish or Swedish falls
back to English, an unknown key raises ``KeyError``. Category labels come from
:mod:`planner.inputs.categories` (:func:`category_label`); need and language-group labels
are kept here.

>>> t("nav.compare", "fi")
'Vertailu'
>>> need_label("kela", "sv")
'FPA-byrå'
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from ..inputs.categories import CATEGORIES

__all__ = ["LANGS", "LANG_NAMES", "STRINGS", "catalogue", "t", "category_label", "need_label", "group_label",
           "model_name"]

LANGS: tuple[str, ...] = ("en", "fi", "sv")
LANG_NAMES = {"en": "English", "fi": "Suomi", "sv": "Svenska"}

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "planner"


def _template() -> list[tuple[str, str]]:
    """``(key, English text)`` of every message, in the catalogue's order: the template
    ``translations/planner.pot`` (msgctxt = key, msgid = English)."""
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


def _strings() -> dict[str, tuple[str, str, str]]:
    cats = {lang: catalogue(lang) for lang in LANGS[1:]}
    return {key: (en, *(cats[lang].pgettext(key, en) for lang in LANGS[1:]))
            for key, en in _template()}


# key: (English, Finnish, Swedish), from the gettext catalogues under translations/ (edit the .po
# files with any translation tool; an untranslated message shows in English)
STRINGS: dict[str, tuple[str, str, str]] = _strings()


def t(key: str, lang: str = "en", **values: object) -> str:
    """The interface string ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    try:
        texts = STRINGS[key]
    except KeyError:
        raise KeyError(f"no interface string {key!r}") from None
    i = LANGS.index(lang) if lang in LANGS else 0
    text = texts[i] or texts[0]
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
