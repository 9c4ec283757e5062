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
                 "Muun kielinen palvelu (engl.)", "Service på annat språk (engelska)",
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
