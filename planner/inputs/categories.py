"""The seven service-point categories, the service needs and who is served where.

This module is the single source of truth for which category serves which need
in which language. Residents are split into two language groups: ``fi`` (Finnish
and other languages) and ``sv`` (Swedish speakers, who have a statutory right to
service in Swedish). For social services a resident's nearest point is the
nearest one serving *their* language.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Category",
    "CATEGORIES",
    "CATEGORY_CODES",
    "Need",
    "NEEDS",
    "NEED_CODES",
    "GROUPS",
    "eligible_categories",
    "ELIGIBILITY_RULES",
    "DEFAULT_ELIGIBILITY",
    "ORGANISER_COLUMN",
    "parse_eligibility",
    "eligibility_text",
]


@dataclass(frozen=True)
class Category:
    """A service-point category of the seed map legend."""

    code: str
    label_en: str
    label_fi: str
    label_sv: str
    colour: str  # Okabe-Ito colour-blind-safe palette
    marker: str  # Font Awesome icon name used on maps


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("fi_walkin", "Finnish-language service point", "Suomenkielinen palvelupiste",
                 "Finskspråkigt serviceställe", "#0072B2", "circle"),
        Category("sv_walkin", "Swedish-language service point", "Ruotsinkielinen palvelupiste",
                 "Svenskspråkigt serviceställe", "#E69F00", "square"),
        Category("fi_appointment", "By appointment, Finnish", "Ajanvarauksella (suomenkielinen)",
                 "Med tidsbokning (finska)", "#56B4E9", "calendar"),
        Category("sv_appointment", "By appointment, Swedish", "Ajanvarauksella (ruotsinkielinen)",
                 "Med tidsbokning (svenska)", "#F0E442", "calendar-o"),
        Category("en_service", "Service in another language (English)",
                 "Muunkielinen palvelu (engl.)", "Service på annat språk (engelska)",
                 "#CC79A7", "globe"),
        Category("reception_centre", "Reception centre for asylum seekers", "Vastaanottokeskus",
                 "Förläggning", "#000000", "home"),
        Category("kela", "Kela office", "Kela", "FPA", "#009E73", "briefcase"),
    )
}
CATEGORY_CODES: tuple[str, ...] = tuple(CATEGORIES)

GROUPS: dict[str, str] = {"fi": "Finnish and other languages", "sv": "Swedish speakers"}


@dataclass(frozen=True)
class Need:
    """A service need and the categories that meet it, per language group."""

    code: str
    label_en: str
    by_group: dict[str, frozenset[str]]

    def categories(self, group: str) -> frozenset[str]:
        try:
            return self.by_group[group]
        except KeyError:
            raise ValueError(f"unknown language group {group!r}: expected one of {list(GROUPS)}") from None


_FI_WALKIN = frozenset({"fi_walkin"})
_SV_WALKIN = frozenset({"sv_walkin"})
NEEDS: dict[str, Need] = {
    n.code: n
    for n in (
        Need("kela", "Kela office", {"fi": frozenset({"kela"}), "sv": frozenset({"kela"})}),
        Need("social_walkin", "Adult social services, walk-in, in own language",
             {"fi": _FI_WALKIN, "sv": _SV_WALKIN}),
        Need("social_any", "Adult social services incl. by appointment, in own language",
             {"fi": _FI_WALKIN | {"fi_appointment"}, "sv": _SV_WALKIN | {"sv_appointment"}}),
        Need("english", "Service in English",
             {"fi": frozenset({"en_service"}), "sv": frozenset({"en_service"})}),
    )
}
NEED_CODES: tuple[str, ...] = tuple(NEEDS)


def eligible_categories(need: str, group: str) -> frozenset[str]:
    """Categories of service point that meet ``need`` for language ``group``.

    >>> sorted(eligible_categories("social_any", "sv"))
    ['sv_appointment', 'sv_walkin']
    """
    try:
        return NEEDS[need].categories(group)
    except KeyError:
        raise ValueError(f"unknown need {need!r}: expected one of {list(NEEDS)}") from None


# --- who may use which point (issue 11) ----------------------------------------------
# ``organiser``: a resident uses only the points of their own organiser of adult social
# services (since 1 Jan 2023 the wellbeing services counties and the City of Helsinki:
# column ``wellbeing_county_2023`` of municipalities.csv). ``any``: every point (Kela is
# a national agency; the English service is open to all).
ELIGIBILITY_RULES = ("organiser", "any")
DEFAULT_ELIGIBILITY: dict[str, str] = {
    "kela": "any",
    "social_walkin": "organiser",
    "social_any": "organiser",
    "english": "any",
}
ORGANISER_COLUMN = "wellbeing_county_2023"


def parse_eligibility(spec: str | dict[str, str] | None) -> dict[str, str]:
    """Per-need eligibility rules from ``None``/'default', 'any', 'organiser' or 'need=rule,...'.

    >>> parse_eligibility("any")["social_walkin"]
    'any'
    >>> parse_eligibility("kela=organiser")["kela"], parse_eligibility(None)["social_any"]
    ('organiser', 'organiser')
    """
    rules = dict(DEFAULT_ELIGIBILITY)
    if spec is None:
        return rules
    if isinstance(spec, dict):
        items = list(spec.items())
    else:
        text = spec.strip()
        if text in ("", "default"):
            return rules
        if text in ELIGIBILITY_RULES:
            return {n: text for n in NEED_CODES}
        items = []
        for part in text.split(","):
            need, sep, rule = part.partition("=")
            if not sep:
                raise ValueError(f"eligibility {part!r}: expected 'default', 'any', 'organiser' or "
                                 "need=rule pairs such as 'kela=any,social_any=organiser'")
            items.append((need.strip(), rule.strip()))
    given: dict[str, str] = {}
    for need, rule in items:
        if need in given and given[need] != rule:  # the second never silently wins or is dropped
            raise ValueError(f"contradicting eligibility rules {need}={given[need]} and {need}={rule}: "
                             "give one rule per need")
        given[need] = rule
        if need not in NEEDS:
            raise ValueError(f"unknown need {need!r} in the eligibility rules: expected one of "
                             f"{list(NEEDS)}")
        if rule not in ELIGIBILITY_RULES:
            raise ValueError(f"unknown eligibility rule {rule!r} for {need}: expected one of "
                             f"{list(ELIGIBILITY_RULES)}")
        rules[need] = rule
    return rules


def eligibility_text(rules: dict[str, str]) -> str:
    """One line for provenance: 'kela: any; social_walkin: organiser (wellbeing_county_2023); ...'."""
    return "; ".join(f"{n}: {r}" + (f" ({ORGANISER_COLUMN})" if r == "organiser" else "")
                     for n, r in rules.items())
