"""Issue 28: the vocabulary of planner.inputs.categories (needs, language groups, eligibility).

The tables here are the legend and the rules the reports print; each value is written out
from the domain (the seed map legend, the Okabe-Ito palette, who organises which service).
"""

from __future__ import annotations

import pytest

from planner.inputs import categories as c

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def test_the_seven_categories_of_the_legend_in_three_languages():
    assert c.CATEGORY_CODES == ("fi_walkin", "sv_walkin", "fi_appointment", "sv_appointment", "en_service",
                                "reception_centre", "kela")
    table = {k: (v.label_en, v.label_fi, v.label_sv, v.colour, v.marker) for k, v in c.CATEGORIES.items()}
    assert table == {
        "fi_walkin": ("Finnish-language service point", "Suomenkielinen palvelupiste",
                      "Finskspråkigt serviceställe", "#0072B2", "circle"),
        "sv_walkin": ("Swedish-language service point", "Ruotsinkielinen palvelupiste",
                      "Svenskspråkigt serviceställe", "#E69F00", "square"),
        "fi_appointment": ("By appointment, Finnish", "Ajanvarauksella (suomenkielinen)",
                           "Med tidsbokning (finska)", "#56B4E9", "calendar"),
        "sv_appointment": ("By appointment, Swedish", "Ajanvarauksella (ruotsinkielinen)",
                           "Med tidsbokning (svenska)", "#F0E442", "calendar-o"),
        "en_service": ("Service in another language (English)", "Muunkielinen palvelu (engl.)",
                       "Service på annat språk (engelska)", "#CC79A7", "globe"),
        "reception_centre": ("Reception centre for asylum seekers", "Vastaanottokeskus", "Förläggning",
                             "#000000", "home"),
        "kela": ("Kela office", "Kela", "FPA", "#009E73", "briefcase"),
    }
    colours = [v.colour for v in c.CATEGORIES.values()]
    assert set(colours) <= OKABE_ITO and len(set(colours)) == 7  # colour-blind safe, one each
    assert all(k == v.code for k, v in c.CATEGORIES.items())


def test_needs_and_the_categories_that_meet_them_per_language():
    assert c.NEED_CODES == ("kela", "social_walkin", "social_any", "english")
    assert c.GROUPS == {"fi": "Finnish and other languages", "sv": "Swedish speakers"}
    expect = {
        ("kela", "fi"): {"kela"}, ("kela", "sv"): {"kela"},
        ("social_walkin", "fi"): {"fi_walkin"}, ("social_walkin", "sv"): {"sv_walkin"},
        ("social_any", "fi"): {"fi_walkin", "fi_appointment"},
        ("social_any", "sv"): {"sv_walkin", "sv_appointment"},
        ("english", "fi"): {"en_service"}, ("english", "sv"): {"en_service"},
    }
    for (need, group), cats in expect.items():
        assert c.eligible_categories(need, group) == frozenset(cats)
    labels = {n.code: n.label_en for n in c.NEEDS.values()}
    assert labels == {"kela": "Kela office",
                      "social_walkin": "Adult social services, walk-in, in own language",
                      "social_any": "Adult social services incl. by appointment, in own language",
                      "english": "Service in English"}


def test_unknown_need_or_group_is_a_clear_error():
    with pytest.raises(ValueError) as e:
        c.eligible_categories("bank", "fi")
    assert str(e.value) == ("unknown need 'bank': expected one of "
                            "['kela', 'social_walkin', 'social_any', 'english']")
    with pytest.raises(ValueError) as e:
        c.eligible_categories("kela", "en")
    assert str(e.value) == "unknown language group 'en': expected one of ['fi', 'sv']"


def test_default_eligibility_and_its_provenance_line():
    assert c.ELIGIBILITY_RULES == ("organiser", "any")
    assert c.ORGANISER_COLUMN == "wellbeing_county_2023"
    rules = c.parse_eligibility(None)
    assert rules == {"kela": "any", "social_walkin": "organiser", "social_any": "organiser", "english": "any"}
    assert c.parse_eligibility("") == rules and c.parse_eligibility(" default ") == rules
    assert c.eligibility_text(rules) == ("kela: any; social_walkin: organiser (wellbeing_county_2023); "
                                         "social_any: organiser (wellbeing_county_2023); english: any")
    rules["kela"] = "organiser"
    assert c.DEFAULT_ELIGIBILITY["kela"] == "any"  # a copy: the defaults never change


def test_one_rule_for_all_and_need_rule_pairs():
    assert c.parse_eligibility("any") == dict.fromkeys(c.NEED_CODES, "any")
    assert c.parse_eligibility(" organiser ") == dict.fromkeys(c.NEED_CODES, "organiser")
    got = c.parse_eligibility(" kela = organiser , english=organiser")
    assert got == {"kela": "organiser", "social_walkin": "organiser", "social_any": "organiser",
                   "english": "organiser"}
    assert c.parse_eligibility({"social_any": "any"})["social_any"] == "any"
    assert c.parse_eligibility("kela=any,kela=any")["kela"] == "any"  # the same rule twice is one rule


def test_bad_eligibility_specs_say_what_is_wrong():
    with pytest.raises(ValueError) as e:
        c.parse_eligibility("kela=any,social")
    assert str(e.value) == ("eligibility 'social': expected 'default', 'any', 'organiser' or need=rule pairs "
                            "such as 'kela=any,social_any=organiser'")
    with pytest.raises(ValueError) as e:
        c.parse_eligibility("kela=any,kela=organiser")
    assert str(e.value) == ("contradicting eligibility rules kela=any and kela=organiser: give one rule per "
                            "need")
    with pytest.raises(ValueError) as e:
        c.parse_eligibility({"bank": "any"})
    assert str(e.value) == ("unknown need 'bank' in the eligibility rules: expected one of ['kela', "
                            "'social_walkin', 'social_any', 'english']")
    with pytest.raises(ValueError) as e:
        c.parse_eligibility("kela=everyone")
    assert str(e.value) == ("unknown eligibility rule 'everyone' for kela: "
                            "expected one of ['organiser', 'any']")
