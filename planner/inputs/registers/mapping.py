"""Register units -> rows of the seven categories, by the explicit rules of ``mapping_rules.toml``.

A rule decides the category (or "social": one row per service language, walk-in or by
appointment), the ``target_group`` and where the language came from. Walk-in vs by
appointment is read from the register: walk-in phrases in its texts, service hours marked
as by reservation, appointment phrases, plain opening hours, in that order; with none of
them the rules' ``when_unknown`` applies and the row says it was assumed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DataError
from ..categories import CATEGORY_CODES
from .record import Record

__all__ = ["DEFAULT_RULES", "Rule", "Rules", "Mapped", "load_rules", "match_rule", "service_mode",
           "map_record", "row_id"]

DEFAULT_RULES = Path(__file__).with_name("mapping_rules.toml")
MODES = ("walkin", "appointment")
_RULE_KEYS = {"id", "register", "name", "service", "organisation", "tpr_service", "exclude", "category",
              "mode", "target_group", "default_languages"}
# a category's id suffix: stable when a unit turns from walk-in to appointment (the diff then
# sees a recategorised row, not a removed and an added one)
_SUFFIX = {"fi_walkin": "fi", "fi_appointment": "fi", "sv_walkin": "sv", "sv_appointment": "sv",
           "en_service": "en", "kela": "kela", "reception_centre": "vok"}


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    register: str = "any"
    name: tuple[re.Pattern, ...] = ()
    service: tuple[re.Pattern, ...] = ()
    organisation: tuple[str, ...] = ()
    tpr_service: tuple[str, ...] = ()
    exclude: tuple[re.Pattern, ...] = ()
    mode: str = ""
    target_group: str = ""
    default_languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    walkin: tuple[re.Pattern, ...]
    appointment: tuple[re.Pattern, ...]
    when_unknown: str
    source: str

    @property
    def tpr_service_ids(self) -> list[int]:
        """Every TPR service description a rule names (fetched with the units)."""
        return sorted({int(s) for r in self.rules for s in r.tpr_service})


@dataclass
class Mapped:
    """One row of the points file (before coordinates and municipality are checked)."""

    category: str
    name: str
    address: str
    language: str
    target_group: str
    mode_evidence: str
    languages_from: str
    rule: str
    notes: list[str] = field(default_factory=list)


def _patterns(values: object, file: str, where: str) -> tuple[re.Pattern, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise DataError("expected a list of text patterns", file=file, field=where)
    out = []
    for v in values:
        try:
            out.append(re.compile(v, re.IGNORECASE))
        except re.error as exc:
            raise DataError(f"{v!r} is not a regular expression ({exc})", file=file, field=where) from None
    return tuple(out)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check the rules file (TOML); every mistake is a DataError naming rule and field."""
    path = Path(path) if path else DEFAULT_RULES
    file = str(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("file not found", file=file) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"not valid TOML: {exc}", file=file) from None
    mode = doc.get("service_mode") or {}
    when = mode.get("when_unknown", "appointment")
    if when not in MODES:
        raise DataError(f"when_unknown {when!r}: expected one of {list(MODES)}", file=file,
                        field="service_mode.when_unknown")
    rules, seen = [], set()
    for i, r in enumerate(doc.get("rule") or []):
        where = f"rule[{i + 1}]"
        unknown = set(r) - _RULE_KEYS
        if unknown:
            raise DataError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_RULE_KEYS)}",
                            file=file, field=where)
        rid = str(r.get("id") or "")
        if not rid or rid in seen:
            raise DataError(f"every rule needs a unique id (got {rid!r})", file=file, field=f"{where}.id")
        seen.add(rid)
        cat = r.get("category")
        if cat != "social" and cat not in CATEGORY_CODES:
            raise DataError(f"category {cat!r}: expected 'social' or one of {list(CATEGORY_CODES)}",
                            file=file, field=f"{where}.category")
        if r.get("register", "any") not in ("tpr", "ptv", "any"):
            raise DataError("register: expected tpr, ptv or any", file=file, field=f"{where}.register")
        if r.get("mode", "") not in ("", *MODES):
            raise DataError(f"mode {r['mode']!r}: expected walkin or appointment", file=file,
                            field=f"{where}.mode")
        if not any(r.get(k) for k in ("name", "service", "organisation", "tpr_service")):
            raise DataError("a rule needs a condition: name, service, organisation or tpr_service",
                            file=file, field=where)
        rules.append(Rule(
            id=rid, category=cat, register=r.get("register", "any"),
            name=_patterns(r.get("name", []), file, f"{where}.name"),
            service=_patterns(r.get("service", []), file, f"{where}.service"),
            organisation=tuple(str(o) for o in r.get("organisation", [])),
            tpr_service=tuple(str(s) for s in r.get("tpr_service", [])),
            exclude=_patterns(r.get("exclude", []), file, f"{where}.exclude"),
            mode=r.get("mode", ""), target_group=str(r.get("target_group", "")),
            default_languages=tuple(str(x) for x in r.get("default_languages", []))))
    return Rules(tuple(rules), _patterns(mode.get("walkin", []), file, "service_mode.walkin"),
                 _patterns(mode.get("appointment", []), file, "service_mode.appointment"), when, file)


def _any(patterns: tuple[re.Pattern, ...], texts: list[str]) -> re.Pattern | None:
    for p in patterns:
        for t in texts:
            if p.search(t):
                return p
    return None


def match_rule(rec: Record, rules: Rules) -> Rule | None:
    """The first rule that matches ``rec`` (None: the unit is not a service point of ours)."""
    names = list(rec.names.values())
    for r in rules.rules:
        if r.register not in ("any", rec.register):
            continue
        hit = (_any(r.name, names) is not None or _any(r.service, rec.services) is not None
               or (r.organisation and ({rec.organisation, *rec.organisation_codes} & set(r.organisation)))
               or (r.tpr_service and rec.register == "tpr" and set(rec.service_ids) & set(r.tpr_service)))
        if hit and _any(r.exclude, names) is None:
            return r
    return None


def service_mode(rec: Record, rules: Rules) -> tuple[str, str]:
    """('walkin' | 'appointment', the evidence in words) from the register's hours and texts."""
    texts = [*rec.hours_text, *rec.booking_text]
    for p in rules.walkin:
        for t in texts:
            m = p.search(t)
            if m:
                return "walkin", f"register text: '{m.group(0)}'"
    if rec.reservation_hours and not rec.plain_hours:
        return "appointment", "register: service hours by reservation"
    for p in rules.appointment:
        for t in texts:
            m = p.search(t)
            if m:
                return "appointment", f"register text: '{m.group(0)}'"
    if rec.plain_hours:
        return "walkin", "register: opening hours without reservation"
    return rules.when_unknown, (f"no opening hours or booking text in the register: "
                                f"{rules.when_unknown} assumed")


def map_record(rec: Record, rules: Rules) -> tuple[list[Mapped], str]:
    """The rows of one register unit, or ([], the reason it gives none)."""
    if rec.kind != "ServiceLocation":
        return [], f"not a service location (PTV channel type {rec.kind})"
    rule = match_rule(rec, rules)
    if rule is None:
        return [], "no mapping rule matched"
    if rule.category != "social":
        lang = "fi"
        return [Mapped(rule.category, rec.name(lang), rec.address(lang), lang, rule.target_group, "",
                       rec.languages_from, rule.id)], ""
    langs, source, notes = list(rec.languages), rec.languages_from, []
    if not langs and rule.default_languages:
        langs = list(rule.default_languages)
        source = f"rule {rule.id}: default languages (register states none)"
        notes.append("language assumed by the mapping rule: the register states none")
    social = [x for x in ("fi", "sv") if x in langs]
    if not social:
        return [], f"rule {rule.id}: no Finnish or Swedish service language (register: {langs or 'none'})"
    if rule.mode:
        mode, evidence = rule.mode, f"rule {rule.id}: {rule.mode}"
    else:
        mode, evidence = service_mode(rec, rules)
        if evidence.startswith("no opening hours"):
            notes.append(f"walk-in or by appointment unknown: {mode} assumed")
    return [Mapped(f"{lang}_{mode}", rec.name(lang), rec.address(lang), lang, rule.target_group, evidence,
                   source, rule.id, list(notes)) for lang in social], ""


def row_id(rec: Record, category: str) -> str:
    """A row id stable across fetches: register, register id and the category's language."""
    rid = re.sub(r"[^0-9A-Za-z-]", "", rec.register_id)
    return f"{rec.register}_{rid}_{_SUFFIX[category]}"
