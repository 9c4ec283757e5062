"""One localisation layer for tables, captions, charts and the handout (issue 26).

Numbers in the interface language (:mod:`planner.numbers`), a change of a percentage in
percentage points, residents with no point in words (never ``inf`` / ``nan`` / ``None``),
the English reasons and notes the statistics write (``no_point_reason``, ``stats_note``)
and the provenance lines in the interface language, translated column labels and codes of
the comparison tables, and municipality names in the interface language.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..numbers import fmt_int, fmt_num, fmt_signed
from .i18n import PLURALS, STRINGS, category_label, group_label, need_label, t, tn

__all__ = ["fmt_pp", "no_point", "note_text", "prov_text", "schedule_in", "eligibility_text",
           "municipality_names", "area_name", "display", "styled", "compare_table", "column_label",
           "error_text"]

_MINUS = "\u2212"


def fmt_pp(value: object, lang: str = "en", digits: int = 1, sign: str = _MINUS) -> str:
    """A change of a percentage in percentage points, signed ('−2,1 %-yks.', '+2,1 p.p.', '−2.1 pp').

    ``sign`` is the minus sign used (ASCII '-' where Streamlit colours a delta by it).

    >>> fmt_pp(-2.14, "fi").replace("\\xa0", " "), fmt_pp(2.14, "sv").replace("\\xa0", " "), \\
    ...     fmt_pp(-2.1).replace("\\xa0", " ")
    ('−2,1 %-yks.', '+2,1 p.p.', '−2.1 pp')
    """
    if not _finite(value):
        return "–"
    return fmt_signed(value, lang, digits, sign) + "\u00a0" + t("unit.pp", lang)


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def no_point(lang: str = "en") -> str:
    """Residents with no point, in words ('ei palvelupistettä')."""
    return t("ov.no_point", lang)


# the English phrases planner.analysis.accessibility / comparison / study write, as patterns
_NOTE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no eligible point reachable with this travel-time model \(a model limit\)"),
     "loc.model_limit"),
    (re.compile(r"no service: the organiser (?P<org>.+?) has no open point of category (?P<cats>[a-z_, ]+?) "
                r"in the network of this date"), "loc.no_service_org"),
    (re.compile(r"no service: the network of this date has no open point of category (?P<cats>[a-z_, ]+)"),
     "loc.no_service"),
    (re.compile(r"not documented on this date: the points file has point\(s\) of category "
                r"(?P<cats>[a-z_, ]+?)(?: of the organiser (?P<org>.+?))? only on other dates "
                r"\((?P<dates>[^)]*)\); a gap in the evidence, not a finding"), "loc.undocumented"),
    (re.compile(r" ?\(a targeted service is left out: --include-target-groups\)"), "loc.targeted"),
    (re.compile(r"(?P<stat>median and p90|median|p90) falls? (?:among|on) the (?P<n>[\d,]+) residents? "
                r"with no point"),
     "loc.falls_among"),
    (re.compile(r"\b(?P<grp>fi|sv) (?P<when>before|after): "), "loc.group_when"),
]


_STAT_KEYS = {"median": "loc.stat.median", "p90": "loc.stat.p90", "median and p90": "loc.stat.median_and_p90"}
_WHEN_KEYS = {"before": "loc.before", "after": "loc.after"}


def note_text(text: object, lang: str = "en") -> str:
    """A ``no_point_reason`` / ``stats_note`` / ``equity_note`` in ``lang`` ('' for none)."""
    if text is None or (isinstance(text, float) and not math.isfinite(text)):
        return ""
    s = str(text)
    if lang == "en" or not s:
        return s

    def sub(key: str):
        def repl(m: re.Match[str]) -> str:
            g = m.groupdict()
            if "cats" in g:
                g["cats"] = ", ".join(category_label(c.strip(), lang) for c in g["cats"].split(","))
            if g.get("org"):  # an organiser is a wellbeing services county: its Swedish name in Swedish
                g["org"] = area_name(g["org"], lang)
            count = int(g["n"].replace(",", "")) if "n" in g else None
            if count is not None:
                g["n"] = fmt_int(count, lang)
            if "stat" in g:
                g["stat"] = t(_STAT_KEYS[g["stat"]], lang)
            if "dates" in g:
                g["org"] = g.get("org") or "–"
                g["dates"] = (g["dates"].replace("from ", t("loc.from", lang) + " ")
                              .replace("until ", t("loc.until", lang) + " ").replace(" to ", "–"))
            if "grp" in g:
                g["grp"] = group_label(g["grp"], lang)
                g["when"] = t(_WHEN_KEYS[g["when"]], lang)
            chosen = "loc.fall_among" if key == "loc.falls_among" and " and " in m["stat"] else key
            if chosen in PLURALS and count is not None:  # (two statistics: the plural verb)
                return tn(chosen, count, lang, **g)
            return (" " if key == "loc.targeted" else "") + t(key, lang, **g)
        return repl

    for pattern, key in _NOTE_PATTERNS:
        s = pattern.sub(sub(key), s)
    return s


# provenance phrases (the model/data line under every title); unknown text (a user's file
# name or column) is left as it is
_PROV_PHRASES = ("none (straight-line distance)",
                 "time curve of straight-line distance fitted per distance band (car, midday)",
                 "postal areas, population 31 Dec 2022 (Statistics Finland Paavo)",
                 "(compiled, see its source column)",
                 "beyond 35 km (extrapolated): not measured",
                 "fitted on midday car times (incl. walking to the car and parking)",
                 "destinations, leave-one-destination-out cross-validated",
                 "estimated: unit population x municipal share of Swedish speakers",
                 "residents (head count, 2022); the English-service need counts all residents",
                 "placeholder(s) with unknown site excluded", "organiser", ": any",
                 "of the Helsinki Region Travel Time Matrix",
                 "(THL Sotkanet median 2000-2022 / population 2015)",
                 "located-only view: proxy sites (location_precision=municipality) left out",
                 "targeted services (target_group: emergency, homeless, immigrant ...) left out of the "
                 "everyday needs", "targeted services (target_group) INCLUDED in the everyday needs")


# the PT estimate's wait note and an imported matrix's coverage note (planner.traveltime), as patterns
_PROV_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"excludes the wait before the first leg; the routed door-to-door time with that wait "
                r"\((?P<col>\w+)\) is longer by a median of (?P<med>[\d.]+) min \(p90 (?P<p90>[\d.]+) min\) "
                r"in the calibration set"), "loc.pt_wait"),
    (re.compile(r"(?P<pts>\d+) of (?P<n_pts>\d+) service points and (?P<orig>\d+) of (?P<n_orig>\d+) origins "
                r"in the matrix \((?P<share>[\d.]+) % of pairs\)"), "loc.cov"),
    (re.compile(r"none of the (?P<n_pts>\d+) service points has a column in the matrix"), "loc.cov_none"),
    (re.compile(r"the other pairs: unreachable \(inf\)"), "loc.cov_unreachable"),
    (re.compile(r"the other pairs: (?P<fallback>[^;]+)"), "loc.cov_rest"),
    (re.compile(r"column (?P<col>\S+) read with decimal commas"), "loc.cov_decimal"),
    # (a provenance written before plurals says "pair(s)")
    (re.compile(r"(?P<n>[\d,]+) repeated pair(?:s|\(s\))? with the same minutes read once"),
     "loc.cov_repeats"),
    (re.compile(r"a service point inside a resident's own demand area: mean time from ~(?P<n>\d+) points "
                r"spread evenly over that area \(not 0 min\)"), "loc.intrazonal"),
    # (and the "placeholder(s)" of a provenance written before plurals)
    (re.compile(r"(?P<n>[\d,]+) placeholder(?:s|\(s\))? with unknown site excluded"),
     "loc.unlocated_excluded"),
    (re.compile(r"(?P<n>[\d,]+) placeholder(?:s|\(s\))? with unknown site INCLUDED at (?:its|their) "
                r"municipal centre \(column point_placeholder\)"), "loc.unlocated_included"),
    # (and the "point(s) stand" of a provenance written before plurals)
    (re.compile(r"(?P<n>[\d,]+) point(?:s|\(s\))? stands? at a proxy site \((?:its|their) municipal centre: "
                r"site unknown; column nearest_location_precision\)"), "loc.proxy_points"),
]


def _prov_value(name: str, value: str, lang: str) -> str:
    """One value of a provenance pattern in ``lang``: decimals with a comma, a fallback model
    ('straight_line_estimate (drive)') by its name and mode."""
    from .i18n import model_name

    if name in ("med", "p90", "share"):
        return value.replace(".", ",")
    m = re.fullmatch(r"(?P<model>.+) \((?P<mode>\w+)\)", value.strip()) if name == "fallback" else None
    if m:
        mode = t("mode." + m["mode"], lang).lower() if "mode." + m["mode"] in STRINGS else m["mode"]
        return f"{model_name(m['model'], lang)} ({mode})"
    return value


def prov_text(text: object, lang: str = "en") -> str:
    """A provenance value in ``lang``: its known phrases translated, decimals in the language's style."""
    s = "" if text is None else str(text)
    if lang == "en":
        return s
    def one(m: re.Match[str], key: str) -> str:
        values = {n: _prov_value(n, v, lang) for n, v in m.groupdict().items()}
        if key not in PLURALS:
            return t(key, lang, **values)
        count = int(m["n"].replace(",", ""))
        return tn(key, count, lang, **{**values, "n": fmt_int(count, lang)})

    for pattern, key in _PROV_PATTERNS:
        s = pattern.sub(lambda m, k=key: one(m, k), s)
    for i, phrase in enumerate(_PROV_PHRASES):
        s = s.replace(phrase, t("loc.prov" + str(i), lang))  # loc.prov0 .. loc.prov16
    # '±2.9' -> '±2,9' (a file name keeps its dots: only digit.digit after a space, ± or start)
    return re.sub(r"(?<=[\s±(])(\d+)\.(\d+)(?=[\s,;)]|$)", r"\1,\2", s)


def schedule_in(text: object, lang: str = "en") -> str:
    """A mobile stop's ``schedule`` ('tue 09:00-15:00; fri 09:00-12:00') with the days named in
    ``lang`` (CLDR's abbreviations: 'ti', 'tis'); English keeps the file's codes.

    >>> schedule_in("tue 09:00-15:00; fri 09:00-12:00", "fi"), schedule_in("sun 10:00-11:00", "sv")
    ('ti 09:00-15:00; pe 09:00-12:00', 'sön 10:00-11:00')
    """
    s = "" if text is None else str(text)
    if lang not in ("fi", "sv"):
        return s
    from babel.dates import get_day_names

    from ..analysis.servicedays import DAYS
    from ..numbers import LOCALES

    names = get_day_names("abbreviated", locale=LOCALES[lang])
    return re.sub(r"\b(mon|tue|wed|thu|fri|sat|sun)\b", lambda m: names[DAYS.index(m[1])], s)


def area_name(name: object, lang: str = "en") -> object:
    """A service area's name (as ``service_areas.csv`` writes it, in Finnish) in ``lang``: the
    Swedish name in 'sv'; a name without a translation (a user's preset) as it is."""
    if not isinstance(name, str):
        return name
    return t("area." + name, lang) if "area." + name in STRINGS else name


def municipality_names(municipalities: pd.DataFrame, lang: str = "en") -> pd.Series:
    """``municipality_code`` -> the municipality's name in ``lang`` (Swedish names in 'sv')."""
    col = "name_sv" if lang == "sv" and "name_sv" in municipalities.columns else "name_fi"
    m = municipalities.drop_duplicates("municipality_code").set_index("municipality_code")
    names = m[col].where(m[col].astype(str).str.strip() != "", m["name_fi"]) if col != "name_fi" else m[col]
    return names.fillna(m["name_fi"])


def _cell(value: object, lang: str, digits: int = 1) -> str:
    """One table cell as text in ``lang``: no 'nan', 'inf', 'None' or 'True'."""
    if value is None or value is pd.NA:
        return ""
    # numpy's own booleans too (numpy 2 names their type "bool", not "bool_")
    if isinstance(value, (bool, np.bool_)):
        return t("loc.yes" if value else "loc.no", lang)
    if isinstance(value, int) or type(value).__name__.startswith("int"):
        return fmt_int(value, lang)
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        v = float(value)  # type: ignore[arg-type]
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return no_point(lang)
        return fmt_int(v, lang) if v.is_integer() and abs(v) >= 1000 else fmt_num(v, lang, digits)
    return note_text(value, lang)


def display(df: pd.DataFrame, lang: str = "en", digits: int = 1) -> pd.DataFrame:
    """Every cell of ``df`` as text in ``lang`` (for showing, not for a download)."""
    # column by column into an object copy: an all-number table must not be cast back to numbers
    # (a "1,5" cell is no float; a bool column would show True)
    out = df.astype(object)
    for i in range(out.shape[1]):
        out.iloc[:, i] = [_cell(v, lang, digits) for v in df.iloc[:, i]]
    return out


def styled(df: pd.DataFrame, lang: str = "en", digits: int = 1):
    """``df`` for ``st.dataframe``: the numbers stay numbers (sorting, downloads), what is shown is
    text in ``lang`` (:func:`display`'s cells)."""
    return df.style.format(lambda v: _cell(v, lang, digits))


# codes in the comparison tables' cells, by column
_CODE_COLUMNS = {"need": need_label, "group": group_label, "category": category_label}


def compare_table(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A comparison table (``point_load_change``, ``worst_off``, ``equity``) for the Compare page:
    column labels and codes in ``lang``, numbers in its style, one decimal."""
    out = df.copy()
    for col, label in _CODE_COLUMNS.items():
        if col in out.columns:
            out[col] = out[col].map(lambda c, f=label: f(str(c), lang) if isinstance(c, str) and c else c)
    for col in ("kind", "level"):
        if col in out.columns:
            out[col] = out[col].map(lambda c: _code(str(c), lang) if isinstance(c, str) else c)
    if "status" in out.columns:
        out["status"] = out["status"].map(lambda c: _code(str(c), lang, "status."))
    if "area" in out.columns:  # equity's between-areas row: 'all service_area'
        out["area"] = out["area"].map(lambda a: t("code.all_areas", lang)
                                      if isinstance(a, str) and a.startswith("all ") else area_name(a, lang))
    if "service_area" in out.columns:
        out["service_area"] = out["service_area"].map(lambda a: area_name(a, lang))
    for col in [c for c in out.columns if "delta_min" in str(c)]:  # +inf: lost access, in words
        # (worst_off weights a lost access by a 1e9-minute stand-in: a mean that large is one too)
        out[col] = out[col].map(lambda v: t("fig.lose_access", lang)
                                if isinstance(v, float) and v > 0 and (not _finite(v) or v >= 1e6) else v)
    out = display(out, lang)
    return out.rename(columns={c: column_label(str(c), lang) for c in out.columns})


def _code(code: str, lang: str, prefix: str = "code.") -> str:
    return _maybe(prefix + code, lang, code)


def _maybe(key: str, lang: str, default: str) -> str:
    """``t(key)`` where the table has ``key`` (an optional label: a code without one stays as it is)."""
    return t(key, lang) if key in STRINGS else default


_BEFORE_AFTER = re.compile(r"^(?P<base>.+?)_(?P<when>before|after)$")


def column_label(col: str, lang: str = "en") -> str:
    """A raw column name (``sv_minus_fi_median_min_before``) as a label in ``lang``."""
    if "colname." + col in STRINGS:
        return t("colname." + col, lang)
    m = _BEFORE_AFTER.match(col)
    if m and "colname." + m["base"] in STRINGS:
        return f"{t('colname.' + m['base'], lang)}, {t('loc.' + m['when'], lang)}"
    m = re.match(r"^sv_minus_fi_pct_within_(\d+)(?:_(before|after))?$", col)
    if m:
        when = f", {t(_WHEN_KEYS[m[2]], lang)}" if m[2] else ""
        return t("colname.sv_minus_fi_pct_within", lang, n=m[1]) + when
    return col.replace("_", " ")


_ERROR_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"unknown point id (?P<pid>'[^']*'|\"[^\"]*\")(?: \(did you mean (?P<hint>.+)\?\))?$"),
     "loc.err_unknown_point"),
    # the reasons a workshop meets (a new point, a matrix, an address list, a mobile unit, an upload)
    (re.compile(r"^\((?P<lon>-?[\d.]+), (?P<lat>-?[\d.]+)\) lies outside Uusimaa$"), "loc.err_outside_xy"),
    (re.compile(r"^the new point lies outside Uusimaa \((?P<km>[\d.]+) km away\)$"), "loc.err_new_outside"),
    (re.compile(r"^(?P<value>.+) is not a number of minutes(?P<comma> \(a decimal comma: accepted only when "
                r"the whole column uses decimal commas\))?$"), "loc.err_not_minutes"),
    (re.compile(r"^missing required column\(s\) (?P<missing>\[.*\]); the file has (?P<has>\[.*\])$"),
     "loc.err_missing_cols"),
    (re.compile(r'^expected a time "HH:MM" \(24 h, quoted\), not (?P<value>.+)$'), "loc.err_time"),
    (re.compile(r"^the file is not UTF-8 text \(byte (?P<byte>0x[0-9a-f]+)\)\.(?P<latin> It looks like "
                r"latin-1/Windows-1252 .*)?(?: Save it as UTF-8\.)?$"), "loc.err_not_utf8"),
    (re.compile(r"^not valid YAML: (?P<problem>.+)$", re.S), "loc.err_yaml"),
    (re.compile(r"^unsupported YAML: (?P<problem>.+)$", re.S), "loc.err_yaml_unsupported"),
]


def _reason_in(key: str, m: re.Match[str], lang: str) -> str:
    """One matched error reason in ``lang``; the parts that are data (ids, values, columns, the YAML
    parser's own words) stay as they were."""
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    if key == "loc.err_unknown_point":
        hint = g.pop("hint", None)
        return t(key, lang, pid=g["pid"]) + (" " + t("loc.err_hint", lang, hint=hint) if hint else "")
    if key == "loc.err_new_outside":
        g["km"] = fmt_num(float(g["km"]), lang, 1)
    if key == "loc.err_not_minutes":
        return t(key, lang, value=g["value"]) + (" " + t("loc.err_comma_hint", lang) if "comma" in g else "")
    if key == "loc.err_not_utf8":
        advice = "loc.err_latin1" if "latin" in g else "loc.err_save_utf8"
        return t(key, lang, byte=g["byte"]) + " " + t(advice, lang)
    return t(key, lang, **g)


def error_text(exc: BaseException | str, lang: str = "en") -> str:
    """An error's message in ``lang``: where it is (file, row, field) and the known reasons
    translated; a reason without a translation is kept as written."""
    from ..errors import DataError

    if lang == "en":
        return str(exc)
    if not isinstance(exc, DataError):
        return str(exc)
    reason = exc.reason
    for pattern, key in _ERROR_PATTERNS:
        m = pattern.search(reason)
        if m:
            reason = _reason_in(key, m, lang)
            break
    where = []
    if exc.file is not None:
        where.append(t("loc.err_file", lang, file=exc.file))
    if exc.row is not None:
        where.append(t("loc.err_row", lang, row=exc.row))
    if exc.field is not None:
        where.append(t("loc.err_field", lang, field=repr(exc.field)))
    return f"{', '.join(where)}: {reason}" if where else reason


def eligibility_text(text: object, lang: str = "en") -> str:
    """The provenance's eligibility rules ('kela: any; social_any: organiser (wellbeing_county_2023)')
    with the needs named and the rules worded in ``lang``."""
    s = prov_text(text, lang)
    if lang == "en":
        return s
    s = s.replace("(wellbeing_county_2023)", "(" + t("loc.county_2023", lang) + ")")
    return re.sub(r"\b(kela|social_walkin|social_any|english):", lambda m: need_label(m[1], lang) + ":", s)
