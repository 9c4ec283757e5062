"""Every rule of planner/inputs/registers/mapping_rules.toml, and the walk-in / language logic (issue 23).

Each case is one register unit (names of real Uusimaa services) and the row(s) the rules must
give it, worked out from the rules file by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from planner.errors import DataError
from planner.inputs.registers.mapping import load_rules, map_record, match_rule, row_id, service_mode
from planner.inputs.registers.ptv import channel_records
from planner.inputs.registers.record import Record
from planner.inputs.registers.tpr import unit_records

RULES = load_rules()


def rec(name: str, register: str = "ptv", **kw) -> Record:
    names = name if isinstance(name, dict) else {"fi": name}
    return Record(register=register, register_id="x1", url="http://127.0.0.1/x", fetched_on="2026-01-01",
                  names=names, **kw)


def rows(r: Record) -> list[tuple[str, str, str]]:
    mapped, reason = map_record(r, RULES)
    assert mapped, reason
    return [(m.category, m.target_group, m.rule) for m in mapped]


def test_every_rule_in_the_file_has_a_case_here():
    ids = {r.id for r in RULES.rules}
    assert ids == {"kela_office", "reception_centre", "social_emergency", "homeless", "immigrant_unit",
                   "young_people", "english_service", "helsinki_social_advice", "adult_social_services"}


def test_kela_by_business_id_and_by_name():
    by_org = rec("Palvelupiste Iso Omena", organisation_codes=["0246246-0"], languages=["fi"])
    assert rows(by_org) == [("kela", "", "kela_office")]
    assert rows(rec("Kela – Ison Omenan palvelutori")) == [("kela", "", "kela_office")]
    assert match_rule(rec("Kelan palvelupiste Porvoo"), RULES).id == "kela_office"
    # 'Kela' inside another word is not Kela
    assert match_rule(rec("Kelaranta asukastalo"), RULES) is None


def test_reception_centre_by_name_and_by_service():
    assert rows(rec("Luona – Vantaan vastaanottokeskus ja yksityismajoituspalvelupiste")) == \
        [("reception_centre", "", "reception_centre")]
    by_service = rec("Luona – Nihtisilta", services=["Turvapaikanhakijoiden vastaanotto"])
    assert rows(by_service) == [("reception_centre", "", "reception_centre")]


def test_social_emergency_is_targeted_and_by_appointment_even_when_open_24_7():
    r = rec({"fi": "Itä-Uudenmaan sosiaali- ja kriisipäivystys (Porvoo)",
             "sv": "Social- och krisjouren i Östra Nyland (Borgå)"}, languages=["fi", "sv"], plain_hours=True)
    mapped, _ = map_record(r, RULES)
    assert [(m.category, m.target_group, m.name) for m in mapped] == [
        ("fi_appointment", "emergency", "Itä-Uudenmaan sosiaali- ja kriisipäivystys (Porvoo)"),
        ("sv_appointment", "emergency", "Social- och krisjouren i Östra Nyland (Borgå)")]
    assert mapped[0].mode_evidence == "rule social_emergency: appointment"
    # Jorvi's Swedish name alone is enough
    assert rows(rec("Social- och krisjouren i Västra Nyland (Jorv)", languages=["sv"])) == \
        [("sv_appointment", "emergency", "social_emergency")]


def test_homeless_service_is_targeted():
    r = rec("Hietaniemenkadun palvelukeskus (asunnottomien palvelut)", register="tpr",
            hours_text=["avoinna joka päivä 00-24"], plain_hours=True)
    assert rows(r) == [("fi_walkin", "homeless", "homeless")]


def test_immigrant_unit_is_targeted():
    r = rec("Maahanmuuttoyksikön neuvonta (Kalasatama)", register="tpr", hours_text=["ma-pe 8.15-16"],
            plain_hours=True)
    assert rows(r) == [("fi_walkin", "immigrant", "immigrant_unit")]
    # a general unit that also serves immigrants is an everyday point
    general = rec("Kirkkonummen aikuissosiaalityö ja maahanmuuttajapalvelut", languages=["fi"])
    assert rows(general)[0][1:] == ("", "adult_social_services")


def test_ohjaamo_is_for_young_people():
    want = [("fi_appointment", "young_people", "young_people")]
    assert rows(rec("Ohjaamo Helsinki", register="tpr")) == want


def test_english_service():
    want = [("en_service", "", "english_service")]
    assert rows(rec("International House Helsinki", register="tpr")) == want
    assert rows(rec("Vantaan monikielinen neuvonta")) == [("en_service", "", "english_service")]


def test_helsinki_social_advice_takes_languages_and_walk_in_from_its_tpr_description():
    data = Path(__file__).parent / "data" / "registers"
    helper = _fake()
    units = [u for u in helper.recorded_units() if u["id"] == 56605]
    import json

    from planner.inputs.registers.client import Answer
    desc = json.loads((data / "tpr_description_7705.json").read_text(encoding="utf-8"))
    recs = unit_records(Answer("u", units, "2026-01-01T00:00:00+00:00"),
                        [Answer("d", desc, "2026-01-01T00:00:00+00:00")])
    mapped, _ = map_record(recs[0], RULES)
    assert [(m.category, m.rule) for m in mapped] == [("fi_walkin", "helsinki_social_advice"),
                                                      ("sv_walkin", "helsinki_social_advice")]
    assert mapped[0].languages_from == "TPR service description 7705"
    assert mapped[0].mode_evidence == "register text: 'ilman erillistä ajanvaraus'"
    # the same unit without its description: the name rule, Finnish assumed and flagged
    bare = unit_records(Answer("u", units, "2026-01-01T00:00:00+00:00"), [])[0]
    mapped, _ = map_record(bare, RULES)
    assert [(m.category, m.rule) for m in mapped] == [("fi_appointment", "adult_social_services")]
    assert "language assumed" in mapped[0].notes[0] and "appointment assumed" in mapped[0].notes[1]


def test_adult_social_services_by_name_by_service_and_exclusions():
    assert rows(rec("Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä)", languages=["fi"],
                    reservation_hours=True)) == [("fi_appointment", "", "adult_social_services")]
    by_service = rec("Sote-keskus Kerava", services=["Aikuissosiaalityö"], languages=["fi", "sv"])
    assert [c for c, *_ in rows(by_service)] == ["fi_appointment", "sv_appointment"]
    # these names match the rule's patterns (sosiaaliohjau, sosiaalineuvonta): the exclusions veto
    assert match_rule(rec("Lastensuojelun sosiaaliohjaus, Espoo"), RULES) is None
    assert match_rule(rec("Vammaisten sosiaalineuvonta"), RULES) is None
    assert match_rule(rec("Otaniemen kirjasto"), RULES) is None


def test_first_matching_rule_wins():
    # 'sosiaalipäivystys' also reads as adult social services: the emergency rule comes first
    r = rec("Keski-Uudenmaan sosiaalipäivystys", languages=["fi"])
    assert match_rule(r, RULES).id == "social_emergency"


@pytest.mark.parametrize(("texts", "reservation", "plain", "want"), [
    (["Lähineuvontaan voi tulla ilman ajanvarausta"], False, False,
     ("walkin", "register text: 'ilman ajanvaraus'")),
    # a walk-in phrase beats the appointment word it contains, and reservation hours
    (["Palvelu ilman ajanvarausta", "Ajanvaraus puhelimitse"], True, False, ("walkin", None)),
    ([], True, False, ("appointment", "register: service hours by reservation")),
    (["Ajanvaraus puhelimitse ma-pe 9-11"], False, True, ("appointment", "register text: 'Ajanvara'")),
    (["Tidsbokning per telefon"], False, False, ("appointment", "register text: 'Tidsbok'")),
    (["ma-pe 8-16"], False, True, ("walkin", "register: opening hours without reservation")),
    ([], False, False, ("appointment", "no opening hours or booking text in the register: appointment "
                                       "assumed")),
])
def test_walk_in_or_by_appointment_from_the_register(texts, reservation, plain, want):
    r = rec("Aikuissosiaalityö", hours_text=texts, reservation_hours=reservation, plain_hours=plain)
    mode, evidence = service_mode(r, RULES)
    assert mode == want[0]
    if want[1] is not None:
        assert evidence == want[1]


def test_languages_decide_the_rows():
    assert [c for c, *_ in rows(rec("Socialrådgivning", languages=["sv"], plain_hours=True))] == ["sv_walkin"]
    english_only = rec("Aikuissosiaalityö", languages=["en"])
    mapped, reason = map_record(english_only, RULES)
    assert mapped == [] and "no Finnish or Swedish service language" in reason


def test_only_service_locations_are_sites():
    mapped, reason = map_record(rec("Aikuissosiaalityön puhelinneuvonta", kind="Phone"), RULES)
    assert mapped == [] and reason == "not a service location (PTV channel type Phone)"


def test_row_ids_are_stable_when_walk_in_turns_to_appointment():
    r = rec("Aikuissosiaalityö")
    assert row_id(r, "fi_walkin") == row_id(r, "fi_appointment") == "ptv_x1_fi"
    assert row_id(r, "sv_walkin") == "ptv_x1_sv" and row_id(r, "kela") == "ptv_x1_kela"


def test_ptv_channels_read_easting_from_longitude_and_skip_duplicates():
    from planner.inputs.registers.client import Answer

    orgs, channels = _fake().recorded_channels()
    page = {"pageNumber": 1, "pageSize": 10, "pageCount": 1, "itemList": channels}
    ans = Answer("p", page, "2026-03-04T05:06:07+00:00")
    recs = channel_records([(ans, ""), (ans, "0246246-0")])
    assert len(recs) == len(channels)  # the second page repeats them: one record each
    tuusula = next(r for r in recs if "Tuusula" in r.name())
    street = next(c for c in channels if c["id"] == tuusula.register_id)["addresses"][0]["streetAddress"]
    assert (tuusula.x, tuusula.y) == (float(street["longitude"]), float(street["latitude"]))
    assert tuusula.municipality_code == "858" and tuusula.fetched_on == "2026-03-04"
    assert tuusula.address() == "Hyryläntie 13, 04300 Tuusula"
    assert all(r.organisation_codes == ["0246246-0"] for r in recs)


def _fake():
    name = "planner_tests_registers_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("registers_server.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_build_projects_wgs84_sites_and_corrects_a_wrong_municipality():
    from pyproj import Transformer

    from planner.inputs.data import load_municipal_borders, load_municipalities
    from planner.inputs.registers.build import build_points

    # International House Helsinki (Lintulahdenkuja 2 D): WGS84 only, and a register city of Espoo
    r = rec("International House Helsinki", register="tpr", lon=24.949608, lat=60.183243,
            municipality_names=["Espoo"])
    points, skipped = build_points([r], RULES, load_municipalities(), load_municipal_borders())
    assert skipped.empty and len(points) == 1
    row = points.iloc[0]
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True).transform(24.949608, 60.183243)
    assert (row["x"], row["y"]) == (round(x, 1), round(y, 1))
    assert row["municipality_code"] == "091"  # the site lies in Helsinki, whatever the register says
    assert "the register names municipality 049; the site lies in 091" in row["note"]
    assert row["location_precision"] == "address"


def test_a_hand_made_rules_file_keeps_its_target_group(tmp_path):
    """A rule's target_group is read from the file the user gave, not only from the shipped one."""
    path = tmp_path / "my_rules.toml"
    path.write_text('[[rule]]\nid = "night_shelter"\ncategory = "social"\nname = ["yömaja"]\n'
                    'target_group = "homeless"\n\n'
                    '[[rule]]\nid = "everyday"\ncategory = "kela"\nname = ["kela"]\n', encoding="utf-8")
    rules = load_rules(path)
    assert [(r.id, r.target_group) for r in rules.rules] == [("night_shelter", "homeless"), ("everyday", "")]
    assert rules.when_unknown == "appointment"  # the default when [service_mode] says nothing
    mapped, _ = map_record(rec("Yömaja Kalasatama", languages=["fi"]), rules)
    assert [(m.category, m.target_group) for m in mapped] == [("fi_appointment", "homeless")]


def test_an_unknown_when_unknown_names_the_file_field_and_the_choices(tmp_path):
    path = tmp_path / "my_rules.toml"
    path.write_text('[service_mode]\nwhen_unknown = "sometimes"\n', encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_rules(path)
    assert err.value.file == str(path) and err.value.field == "service_mode.when_unknown"
    assert "'sometimes'" in str(err.value) and "walkin" in str(err.value) and "appointment" in str(err.value)
