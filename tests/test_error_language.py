"""An error a workshop meets reads in the room's language: where (file, row, field) and why.

The reasons are written in English where they are raised; `planner.outputs.locale.error_text`
words the known ones in Finnish and Swedish and keeps the data in them (ids, values, columns,
the YAML parser's own words) as they were. The app's approved walks (test_gaps30_app_actions)
show the same errors raised by the real code paths."""

from __future__ import annotations

import pytest

from planner.errors import DataError, ScenarioError
from planner.outputs.locale import error_text

LATIN1 = ("the file is not UTF-8 text (byte 0xe4). It looks like latin-1/Windows-1252 (e.g. from an old "
          "editor or Excel); save it as UTF-8.")
COMMA = ("'12,5' is not a number of minutes (a decimal comma: accepted only when the whole column uses "
         "decimal commas)")

CASES = [
    (ScenarioError("(27.7000, 62.9000) lies outside Uusimaa", field="lon"),
     "kenttä 'lon': (27.7000, 62.9000) on Uudenmaan ulkopuolella",
     "fält 'lon': (27.7000, 62.9000) ligger utanför Nyland"),
    (ScenarioError("the new point lies outside Uusimaa (12.3 km away)", file="s.yaml", row=4, field="lon"),
     "tiedosto s.yaml, rivi 4, kenttä 'lon': uusi piste on Uudenmaan ulkopuolella (12,3 km:n päässä)",
     "fil s.yaml, rad 4, fält 'lon': den nya punkten ligger utanför Nyland (12,3 km bort)"),
    (DataError("'12 min' is not a number of minutes", file="huono.csv", row=2, field="travel_time"),
     "tiedosto huono.csv, rivi 2, kenttä 'travel_time': '12 min' ei ole minuuttimäärä",
     "fil huono.csv, rad 2, fält 'travel_time': '12 min' är inte ett antal minuter"),
    (DataError(COMMA, file="x.csv", row=3, field="t"),
     "tiedosto x.csv, rivi 3, kenttä 't': '12,5' ei ole minuuttimäärä (desimaalipilkku hyväksytään vain, "
     "kun koko sarake käyttää desimaalipilkkua)",
     "fil x.csv, rad 3, fält 't': '12,5' är inte ett antal minuter (decimalkomma godtas bara när hela "
     "kolumnen använder decimalkomma)"),
    (DataError("missing required column(s) ['address', 'postal_code']; the file has ['gata', 'ort']",
               file="fel.csv", field="address"),
     "tiedosto fel.csv, kenttä 'address': pakollisia sarakkeita puuttuu: ['address', 'postal_code']; "
     "tiedostossa on ['gata', 'ort']",
     "fil fel.csv, fält 'address': obligatoriska kolumner saknas: ['address', 'postal_code']; filen har "
     "['gata', 'ort']"),
    (ScenarioError('expected a time "HH:MM" (24 h, quoted), not \'25:00\'', file="<mobile unit>", row=1,
                   field="stops[0].schedule[0].start"),
     "tiedosto <mobile unit>, rivi 1, kenttä 'stops[0].schedule[0].start': odotettiin kellonaikaa \"HH:MM\" "
     "(24 h, lainausmerkeissä), ei '25:00'",
     "fil <mobile unit>, rad 1, fält 'stops[0].schedule[0].start': förväntade en tid \"HH:MM\" (24 h, inom "
     "citattecken), inte '25:00'"),
    (ScenarioError(LATIN1, file="latin1.yaml", row=1),
     "tiedosto latin1.yaml, rivi 1: tiedosto ei ole UTF-8-tekstiä (tavu 0xe4). Se näyttää "
     "latin-1/Windows-1252-tekstiltä (esim. vanhasta editorista tai Excelistä); tallenna se UTF-8-muodossa.",
     "fil latin1.yaml, rad 1: filen är inte UTF-8-text (byte 0xe4). Den ser ut som latin-1/Windows-1252 "
     "(t.ex. från en gammal editor eller Excel); spara den som UTF-8."),
    (ScenarioError("the file is not UTF-8 text (byte 0x81). Save it as UTF-8.", file="b.yaml", row=1),
     "tiedosto b.yaml, rivi 1: tiedosto ei ole UTF-8-tekstiä (tavu 0x81). Tallenna se UTF-8-muodossa.",
     "fil b.yaml, rad 1: filen är inte UTF-8-text (byte 0x81). Spara den som UTF-8."),
    (ScenarioError("not valid YAML: did not find expected ',' or ']'", file="not_yaml.yaml", row=2),
     "tiedosto not_yaml.yaml, rivi 2: ei kelvollista YAMLia: did not find expected ',' or ']'",
     "fil not_yaml.yaml, rad 2: inte giltig YAML: did not find expected ',' or ']'"),
    (ScenarioError("unsupported YAML: could not determine a constructor for the tag '!!python/object'",
                   file="evil.yaml", row=1),
     "tiedosto evil.yaml, rivi 1: YAML-rakennetta ei tueta: could not determine a constructor for the tag "
     "'!!python/object'",
     "fil evil.yaml, rad 1: YAML som inte stöds: could not determine a constructor for the tag "
     "'!!python/object'"),
]


@pytest.mark.parametrize("exc, fi, sv", CASES, ids=lambda v: getattr(v, "reason", "")[:30] or None)
def test_a_known_reason_reads_in_finnish_and_swedish_and_as_raised_in_english(exc, fi, sv):
    assert error_text(exc, "fi") == fi
    assert error_text(exc, "sv") == sv
    assert error_text(exc, "en") == str(exc)


def test_an_unknown_reason_is_kept_as_written_with_its_place_in_the_language():
    exc = DataError("something new went wrong", file="a.csv", row=7, field="x")
    assert error_text(exc, "sv") == "fil a.csv, rad 7, fält 'x': something new went wrong"


def test_a_reason_that_only_resembles_a_known_one_is_not_reworded():
    """The patterns match the whole reason: text around a known phrase keeps it in English rather
    than dropping what the pattern does not cover."""
    exc = ScenarioError("point A: (27.7000, 62.9000) lies outside Uusimaa and the sea", field="lon")
    assert error_text(exc, "fi") == ("kenttä 'lon': point A: (27.7000, 62.9000) lies outside Uusimaa and "
                                     "the sea")


def test_the_real_errors_carry_the_reasons_the_patterns_read():
    """The English the code raises is what the patterns read (a reworded raise fails here)."""
    from planner.inputs.safeyaml import safe_load

    with pytest.raises(ScenarioError) as latin:
        safe_load("name: Järvenpää\n".encode("latin-1"), "latin1.yaml")
    assert error_text(latin.value, "fi").endswith("tallenna se UTF-8-muodossa.")
    with pytest.raises(ScenarioError) as bad:
        safe_load(b"changes: [a, b\nname: x\n", "not_yaml.yaml")
    assert ": ei kelvollista YAMLia: " in error_text(bad.value, "fi")
