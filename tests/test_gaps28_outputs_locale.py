"""The localisation layer at its boundaries (planner/outputs/locale.py, issue 28).

Hand-made cases whose answers are read off the translation table: a change of exactly zero
percentage points, a value that is no number, each kind of note the statistics write (a
model limit, no service of an organiser, an undocumented category with its dates, a median
among residents with no point, one statistic or two), table cells of every type (numpy's
booleans included: never "True"/"False" on a Finnish page), column labels with and without a
before/after suffix, errors with and without a place, the eligibility rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import DataError
from planner.outputs import locale as L

NBSP = "\u00a0"


def test_fmt_pp_shows_no_direction_for_a_change_that_rounds_to_zero_and_keeps_the_digits_asked():
    assert L.fmt_pp(0.0) == f"\u00b10.0{NBSP}pp"                 # no change: neither a gain nor a loss
    assert L.fmt_pp(-0.04, "fi") == f"\u00b10,0{NBSP}%-yks."     # '−0,0' would read as a loss of nothing
    assert L.fmt_pp(0.04, "sv") == f"\u00b10,0{NBSP}p.p."
    assert L.fmt_pp(-0.06) == f"\u22120.1{NBSP}pp" and L.fmt_pp(0.06) == f"+0.1{NBSP}pp"  # shown: signed
    assert L.fmt_pp(-0.004, digits=2) == f"\u00b10.00{NBSP}pp"
    assert L.fmt_pp(-0.006, digits=2) == f"\u22120.01{NBSP}pp"
    assert L.fmt_pp(2.146, digits=2) == f"+2.15{NBSP}pp"
    assert L.fmt_pp(-3, "en", sign="-") == f"-3.0{NBSP}pp"
    for bad in ("abc", None, object(), float("inf")):        # not a number: a dash, never an error
        assert L.fmt_pp(bad, "fi") == "–"


def test_no_point_in_each_language_english_by_default():
    assert L.no_point() == "no point"
    assert (L.no_point("fi"), L.no_point("sv")) == ("ei palvelupistettä", "inget serviceställe")


ORG = "Länsi-Uudenmaan hyvinvointialue"


@pytest.mark.parametrize(("note", "lang", "want"), [
    ("no eligible point reachable with this travel-time model (a model limit)", "fi",
     "tällä matka-aikamallilla ei saavu yhteenkään sopivaan pisteeseen (mallin raja)"),
    (f"no service: the organiser {ORG} has no open point of category sv_appointment, sv_walkin in the "
     "network of this date", "sv",
     "ingen service: organisatören Västra Nylands välfärdsområde har inget öppet ställe i kategorin "
     "Med tidsbokning (svenska), Svenskspråkigt serviceställe i nätet detta datum"),
    ("no service: the network of this date has no open point of category kela", "fi",
     "ei palvelua: tämän päivän verkossa ei ole avointa pistettä luokassa Kela"),
    ("not documented on this date: the points file has point(s) of category kela of the organiser "
     "Vantaan ja Keravan hyvinvointialue only on other dates (from 2023-01-01 to 2023-06-30); a gap in "
     "the evidence, not a finding", "sv",
     "inte dokumenterat detta datum: punktfilen har ställen i kategorin FPA (organisatör Vanda och Kervo "
     "välfärdsområde) bara andra datum (från 2023-01-01–2023-06-30); en lucka i underlaget, inte ett fynd"),
    ("not documented on this date: the points file has point(s) of category kela only on other dates "
     "(until 2021-12-31); a gap in the evidence, not a finding", "fi",
     "ei dokumentoitu tälle päivälle: pistetiedostossa on luokan Kela pisteitä (järjestäjä –) vain muina "
     "päivinä (asti 2021-12-31); aukko aineistossa, ei havainto"),
    ("fi before: median falls among the 1,234 residents with no point", "fi",
     f"Suomen- ja muunkieliset ennen: mediaani osuu niiden 1{NBSP}234 asukkaan joukkoon, joilla ei ole "
     "palvelupistettä"),
    ("sv after: median and p90 fall among the 12 residents with no point", "fi",
     "Ruotsinkieliset jälkeen: mediaani ja 90 %:n piste osuvat niiden 12 asukkaan joukkoon, joilla ei ole "
     "palvelupistettä"),
    ("sv after: p90 falls among the 12 residents with no point", "sv",
     "Svenskspråkiga efter: 90 %-punkten faller bland de 12 invånare som saknar serviceställe"),
    ("sv after: median falls on the 1 resident with no point", "fi",  # one resident: the singular
     "Ruotsinkieliset jälkeen: mediaani osuu sille 1 asukkaalle, jolla ei ole palvelupistettä"),
    ("fi before: median and p90 fall on the 1 resident with no point", "sv",
     "Finsk- och annanspråkiga före: medianen och 90 %-punkten faller på den 1 invånare som saknar "
     "serviceställe"),
    ("no eligible point reachable with this travel-time model (a model limit) (a targeted service is "
     "left out: --include-target-groups)", "sv",
     "inget lämpligt ställe nås med denna restidsmodell (en gräns i modellen) (en riktad tjänst är "
     "utelämnad: --include-target-groups)"),
])
def test_each_kind_of_note_is_worded_in_the_language(note, lang, want):
    assert L.note_text(note, lang) == want
    assert L.note_text(note) == note                         # English by default: as written


def test_note_text_of_nothing_is_empty_and_other_values_are_text():
    assert L.note_text("", "fi") == "" and L.note_text(None) == ""
    assert L.note_text(float("nan"), "fi") == "" and L.note_text(float("inf"), "sv") == ""
    assert L.note_text(3.5, "fi") == "3.5"


@pytest.mark.parametrize(("value", "fi", "en2"), [
    (None, "", ""), (pd.NA, "", ""), (float("nan"), "", ""),
    (True, "kyllä", "yes"), (False, "ei", "no"),
    (np.True_, "kyllä", "yes"), (np.False_, "ei", "no"),     # numpy's booleans: words too
    (5, "5", "5"), (np.int64(12345), f"12{NBSP}345", "12,345"),
    (999.0, "999,0", "999.00"), (1000.0, f"1{NBSP}000", "1,000"), (-1234.0, f"\u22121{NBSP}234", "-1,234"),
    (float("inf"), "ei palvelupistettä", "no point"), (2.26, "2,3", "2.26"), (np.float32(1.5), "1,5", "1.50"),
    ("fi before: ", "Suomen- ja muunkieliset ennen: ", "fi before: "),
])
def test_table_cells_are_text_without_nan_inf_none_or_true(value, fi, en2):
    got_fi = L._cell(value, "fi")
    assert got_fi.replace("-", "\u2212") == fi.replace("-", "\u2212")
    assert L._cell(value, "en", 2) == en2
    shown = L.display(pd.DataFrame({"v": [value]}), "fi")["v"].iloc[0]
    assert shown == got_fi


def test_display_of_an_empty_table_keeps_its_columns_as_text():
    out = L.display(pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=int)}), "fi")
    assert list(out.columns) == ["a", "b"] and list(out.dtypes) == [object, object]
    one = L.display(pd.DataFrame({"a": [1.25]}), "en", digits=2)
    assert one["a"].iloc[0] == "1.25"


@pytest.mark.parametrize(("col", "fi", "en"), [
    ("population", "Asukkaat", "Residents"),
    ("sv_minus_fi_median_min_before", "Mediaanin ero, ruotsin- − suomenkieliset (min), ennen",
     "Median difference, Swedish − Finnish (min), before"),
    ("sv_minus_fi_pct_within_30", "Ero alle 30 min, ruotsin- − suomenkieliset (%-yks.)",
     "Difference within 30 min, Swedish − Finnish (%-points)"),
    ("sv_minus_fi_pct_within_45_after", "Ero alle 45 min, ruotsin- − suomenkieliset (%-yks.), jälkeen",
     "Difference within 45 min, Swedish − Finnish (%-points), after"),
    ("foo_bar_baz", "foo bar baz", "foo bar baz"),              # no label: the name, readable
])
def test_column_labels_with_and_without_before_after(col, fi, en):
    assert L.column_label(col, "fi") == fi and L.column_label(col) == en


def test_error_text_says_where_and_why_in_the_language():
    e = DataError("unknown point id 'x1' (did you mean 'x2'?)", file="f.csv", row=3, field="close")
    assert L.error_text(e, "fi") == \
        "tiedosto f.csv, rivi 3, kenttä 'close': tuntematon pisteen tunnus 'x1' (tarkoititko 'x2'?)"
    assert L.error_text(e, "sv") == \
        "fil f.csv, rad 3, fält 'close': okänt id för serviceställe 'x1' (menade du 'x2'?)"
    assert L.error_text(e) == str(e)                         # English by default: the message itself
    assert L.error_text(DataError("unknown point id 'q'"), "fi") == "tuntematon pisteen tunnus 'q'"
    assert L.error_text(DataError("other reason", row=2), "sv") == "rad 2: other reason"
    assert L.error_text(DataError("other reason", field="lon"), "fi") == "kenttä 'lon': other reason"
    assert L.error_text(ValueError("boom"), "fi") == "boom" and L.error_text("plain", "sv") == "plain"


def test_eligibility_rules_name_the_needs_in_the_language():
    rules = "kela: any; social_any: organiser (wellbeing_county_2023); english: any"
    assert L.eligibility_text(rules, "fi") == (
        "Kelan toimipiste: mikä tahansa; Aikuissosiaalipalvelut, myös ajanvarauksella, omalla kielellä: "
        "järjestäjä (hyvinvointialue, 2023); Palvelu englanniksi: mikä tahansa")
    assert L.eligibility_text(rules) == rules


def test_provenance_patterns_with_decimal_commas_and_a_fallback_model():
    cov = ("30 of 40 service points and 100 of 120 origins in the matrix (62.5 % of pairs); "
           "the other pairs: straight_line_estimate (drive)")
    assert L.prov_text(cov, "fi") == ("matriisissa 30/40 palvelupistettä ja 100/120 lähtöpaikkaa (62,5 % "
                                      "pareista); muut parit: straight_line_estimate (auto)")
    assert L.prov_text("the other pairs: my_model (boat)", "fi") == "muut parit: my_model (boat)"
    assert L.prov_text("the other pairs: unreachable (inf)", "sv") == \
        "övriga par: ingen restid (inget nåbart ställe)"
    assert L.prov_text("column x.y read with decimal commas; 3 repeated pair(s) with the same minutes "
                       "read once", "fi") == \
        "sarake x.y luettu desimaalipilkuin; 3 toistuvaa paria samoin minuutein luettu kerran"
    assert L.prov_text("1 repeated pair with the same minutes read once", "sv") == \
        "1 upprepat par med samma minuter läst en gång"
    assert L.prov_text("1,234 repeated pairs with the same minutes read once", "fi") == \
        "1\u00a0234 toistuvaa paria samoin minuutein luettu kerran"
    assert L.prov_text(None, "fi") == "" and L.prov_text(None) == ""


def test_placeholders_counted_in_the_study_s_provenance_and_in_each_language():
    """One placeholder is "1 paikkamerkki, jonka", not "1 paikkamerkkiä, joiden" (a provenance
    written before plurals, "8 placeholder(s)", still reads in the language)."""
    from planner.analysis.study import unlocated_text

    assert unlocated_text(1, False) == "1 placeholder with unknown site excluded"
    assert unlocated_text(8, False) == "8 placeholders with unknown site excluded"
    assert unlocated_text(1, True) == ("1 placeholder with unknown site INCLUDED at its municipal centre "
                                       "(column point_placeholder)")
    assert unlocated_text(0, True).startswith("0 placeholders with unknown site INCLUDED at their ")
    assert L.prov_text(unlocated_text(1, False), "fi") == \
        "1 paikkamerkki, jonka sijainti on tuntematon, jätetty pois"
    assert L.prov_text(unlocated_text(1, True), "sv") == \
        "1 platshållare med okänd plats MEDRÄKNAD i sitt kommuncentrum (kolumnen point_placeholder)"
    assert L.prov_text(unlocated_text(2, True), "fi") == \
        "2 paikkamerkkiä, joiden sijainti on tuntematon, MUKANA kuntakeskuksessaan (sarake point_placeholder)"
    assert L.prov_text("2022-12-31; 8 placeholder(s) with unknown site excluded", "sv") == \
        "2022-12-31; 8 platshållare med okänd plats utelämnade"
    assert L.prov_text(unlocated_text(1234, False), "fi").startswith("1\u00a0234 paikkamerkkiä, joiden ")


def test_area_names_in_swedish_and_others_as_given():
    assert L.area_name(ORG, "sv") == "Västra Nylands välfärdsområde"
    assert L.area_name(ORG) == ORG and L.area_name("Foo", "sv") == "Foo" and L.area_name(5, "sv") == 5


def test_compare_table_words_codes_and_lost_access_in_swedish():
    df = pd.DataFrame({"need": ["kela"], "group": ["sv"], "category": ["kela"], "kind": ["closed"],
                       "level": ["x"], "status": ["lost_access"], "area": ["all service_area"],
                       "service_area": [ORG], "max_delta_min": [float("inf")],
                       "mean_delta_min": [2e9], "x_delta_min": [-3.0], "y_delta_min": [5e5]})
    (row,) = L.compare_table(df, "sv").to_dict("records")
    assert row["Behov"] == "FPA-byrå" and row["Språkgrupp"] == "Svenskspråkiga" and row["Kategori"] == "FPA"
    assert row["Område"] == "alla områden" and row["Serviceområde"] == "Västra Nylands välfärdsområde"
    # +inf and the 1e9-minute stand-in of a lost access: in words; a large finite change stays a number
    assert row["Största förändring (min)"] == row["Medelförändring (min)"] == "Förlorar tillgång"
    assert row["x delta min"] == "\u22123,0" or row["x delta min"] == "-3,0"
    assert row["y delta min"].replace(NBSP, " ") == "500 000"
    # a point's status in words; a status without a translation stays as written
    st = L.compare_table(pd.DataFrame({"status": ["closed", "lost_access"]}), "sv")
    assert st[L.column_label("status", "sv")].tolist() == ["stängd", "lost_access"]
