"""Issue 28: register mapping rules files, records and row ids at their edges.

Each rules file is a few hand-written TOML lines; each expected message names the file, the
rule (by its 1-based position) and the field, worked out by hand.
"""

from __future__ import annotations

import pytest

from planner.errors import DataError
from planner.inputs.registers.mapping import load_rules, map_record, match_rule, row_id, service_mode
from planner.inputs.registers.record import Record

OK_RULE = '[[rule]]\nid = "k"\ncategory = "kela"\nname = ["kela"]\n'


def rec(names, register="ptv", **kw) -> Record:
    names = names if isinstance(names, dict) else {"fi": names}
    return Record(register=register, register_id="x-1/ä", url="http://127.0.0.1/x", fetched_on="2026-01-01",
                  names=names, **kw)


def _rules(tmp_path, text):
    p = tmp_path / "r.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("rule, field, reason", [
    ('id = "a"\ncategory = "kela"\nname = ["x"]\ncolour = "red"\n', "rule[2]",
     "unknown key(s) ['colour']; expected some of ['category', 'default_languages', 'exclude', 'id', 'mode', "
     "'name', 'organisation', 'register', 'service', 'target_group', 'tpr_service']"),
    ('id = "k"\ncategory = "kela"\nname = ["x"]\n', "rule[2].id", "every rule needs a unique id (got 'k')"),
    ('category = "kela"\nname = ["x"]\n', "rule[2].id", "every rule needs a unique id (got '')"),
    ('id = "a"\ncategory = "bank"\nname = ["x"]\n', "rule[2].category",
     "category 'bank': expected 'social' or one of ['fi_walkin', 'sv_walkin', 'fi_appointment', "
     "'sv_appointment', 'en_service', 'reception_centre', 'kela']"),
    ('id = "a"\ncategory = "kela"\nname = ["x"]\nregister = "ytj"\n', "rule[2].register",
     "register: expected tpr, ptv or any"),
    ('id = "a"\ncategory = "social"\nname = ["x"]\nmode = "online"\n', "rule[2].mode",
     "mode 'online': expected walkin or appointment"),
    ('id = "a"\ncategory = "kela"\nname = []\n', "rule[2]",
     "a rule needs a condition: name, service, organisation or tpr_service"),
    ('id = "a"\ncategory = "kela"\nname = ["(unclosed"]\n', "rule[2].name", None),
    ('id = "a"\ncategory = "kela"\nname = "kela"\n', "rule[2].name", "expected a list of text patterns"),
    ('id = "a"\ncategory = "kela"\nservice = [1]\n', "rule[2].service", "expected a list of text patterns"),
    ('id = "a"\ncategory = "kela"\nname = ["x"]\nexclude = ["[z"]\n', "rule[2].exclude", None),
])
def test_a_bad_rule_names_file_rule_and_field(tmp_path, rule, field, reason):
    p = _rules(tmp_path, OK_RULE + "\n[[rule]]\n" + rule)
    with pytest.raises(DataError) as e:
        load_rules(p)
    assert (e.value.file, e.value.field) == (str(p), field)
    if reason is not None:
        assert e.value.reason == reason
    else:
        assert e.value.reason.startswith("'") and "is not a regular expression (" in e.value.reason


def test_rules_file_missing_or_not_toml(tmp_path):
    with pytest.raises(DataError) as e:
        load_rules(tmp_path / "none.toml")
    assert (e.value.reason, e.value.file) == ("file not found", str(tmp_path / "none.toml"))
    p = _rules(tmp_path, "[[rule]\nid=")
    with pytest.raises(DataError) as e:
        load_rules(p)
    assert e.value.reason.startswith("not valid TOML: ") and e.value.file == str(p)
    q = tmp_path / "latin.toml"
    q.write_bytes('id = "ä"\n'.encode("latin-1"))
    with pytest.raises(DataError, match="^.*not valid TOML"):
        load_rules(q)


def test_service_mode_patterns_and_a_valid_rules_file(tmp_path):
    p = _rules(tmp_path, '[service_mode]\nwhen_unknown = "walkin"\nwalkin = ["ilman ajanvarausta"]\n'
                         'appointment = ["AJANVARAUS"]\n\n' + OK_RULE +
               '\n[[rule]]\nid = "s"\ncategory = "social"\nregister = "tpr"\ntpr_service = [12, "7"]\n'
               'organisation = [123]\ndefault_languages = ["fi"]\nmode = "walkin"\ntarget_group = "young"\n')
    rules = load_rules(p)
    assert rules.when_unknown == "walkin" and rules.source == str(p)
    assert rules.tpr_service_ids == [7, 12]
    s = rules.rules[1]
    assert (s.register, s.organisation, s.tpr_service, s.default_languages, s.mode, s.target_group) == (
        "tpr", ("123",), ("12", "7"), ("fi",), "walkin", "young")
    assert rules.rules[0].register == "any" and rules.rules[0].mode == ""
    # the patterns ignore case
    assert service_mode(rec("x", hours_text=["ajanvaraus puhelimitse"]), rules) == (
        "appointment", "register text: 'ajanvaraus'")
    assert service_mode(rec("x"), rules) == ("walkin", "no opening hours or booking text in the register: "
                                                       "walkin assumed")


def test_match_rule_register_organisation_and_tpr_service(tmp_path):
    p = _rules(tmp_path, '[[rule]]\nid = "t"\ncategory = "kela"\nregister = "tpr"\ntpr_service = ["5"]\n'
                         '[[rule]]\nid = "o"\ncategory = "en_service"\norganisation = ["0245437-2"]\n'
                         '[[rule]]\nid = "n"\ncategory = "reception_centre"\nname = ["vastaanotto"]\n'
                         'exclude = ["kuntoutus"]\n')
    rules = load_rules(p)
    assert match_rule(rec("a", register="tpr", service_ids=["5"]), rules).id == "t"
    assert match_rule(rec("a", register="ptv", service_ids=["5"]), rules) is None  # tpr_service: TPR only
    assert match_rule(rec("a", register="tpr", service_ids=["6"]), rules) is None  # another service
    assert match_rule(rec("a", organisation_codes=["0245437-2"]), rules).id == "o"
    assert match_rule(rec("a", organisation="0245437-2"), rules).id == "o"
    assert match_rule(rec({"sv": "x", "fi": "Vastaanottokeskus"}), rules).id == "n"
    assert match_rule(rec("Vastaanotto ja kuntoutus"), rules) is None


def test_a_social_rule_without_register_languages_uses_its_defaults_and_says_so(tmp_path):
    p = _rules(tmp_path, '[[rule]]\nid = "s"\ncategory = "social"\nname = ["neuvonta"]\n'
                         'default_languages = ["fi", "sv"]\n')
    rules = load_rules(p)
    mapped, reason = map_record(rec({"fi": "Neuvonta", "sv": "Rådgivning"}, plain_hours=True), rules)
    assert reason == ""
    assert [(m.category, m.name, m.language) for m in mapped] == [("fi_walkin", "Neuvonta", "fi"),
                                                                  ("sv_walkin", "Rådgivning", "sv")]
    assert mapped[0].languages_from == "rule s: default languages (register states none)"
    assert mapped[0].notes == ["language assumed by the mapping rule: the register states none"]
    assert mapped[0].mode_evidence == "register: opening hours without reservation"
    unknown, _ = map_record(rec("Neuvonta", languages=["fi"], languages_from="register"), rules)
    assert unknown[0].notes == ["walk-in or by appointment unknown: appointment assumed"]
    assert unknown[0].languages_from == "register"
    none, reason = map_record(rec("Neuvonta", languages=["en"]), load_rules(_rules(
        tmp_path, '[[rule]]\nid = "s"\ncategory = "social"\nname = ["neuvonta"]\n')))
    assert none == [] and reason == "rule s: no Finnish or Swedish service language (register: ['en'])"
    none, reason = map_record(rec("Neuvonta"), rules.__class__(
        tuple(r.__class__(id="s", category="social", name=r.name) for r in rules.rules),
        rules.walkin, rules.appointment, rules.when_unknown, rules.source))
    assert reason == "rule s: no Finnish or Swedish service language (register: none)"


def test_a_fixed_category_row_is_in_finnish_with_the_rules_mode_empty(tmp_path):
    rules = load_rules(_rules(tmp_path, OK_RULE))
    mapped, reason = map_record(rec({"sv": "FPA", "fi": "Kela Espoo"}, street={"fi": "Katu 1"},
                                    postal_code="02100", post_office={"fi": "ESPOO"},
                                    languages_from="register"), rules)
    assert reason == "" and len(mapped) == 1
    m = mapped[0]
    assert (m.category, m.name, m.address, m.language, m.mode_evidence, m.languages_from, m.rule) == (
        "kela", "Kela Espoo", "Katu 1, 02100 Espoo", "fi", "", "register", "k")
    assert map_record(rec("Pankki"), rules) == ([], "no mapping rule matched")


def test_a_social_rules_own_mode_is_its_evidence(tmp_path):
    rules = load_rules(_rules(tmp_path, '[[rule]]\nid = "e"\ncategory = "social"\nname = ["päivystys"]\n'
                                        'mode = "appointment"\n'))
    mapped, _ = map_record(rec("Sosiaalipäivystys", languages=["fi"], plain_hours=True), rules)
    assert [(m.category, m.mode_evidence, m.notes) for m in mapped] == [
        ("fi_appointment", "rule e: appointment", [])]


def test_record_names_and_addresses_fall_back_to_finnish():
    r = rec({"fi": "Kela", "sv": "FPA"}, street={"fi": "Katu 1 ", "sv": "Gatan 1"}, postal_code="00100",
            post_office={"fi": "HELSINKI", "sv": "Helsingfors"})
    assert r.name("sv") == "FPA" and r.name("en") == "Kela"
    assert r.address("sv") == "Gatan 1, 00100 Helsingfors"
    assert r.address("en") == "Katu 1, 00100 Helsinki"  # an upper-case office name is title-cased
    assert rec({"sv": "Endast"}).name("fi") == "Endast"
    assert rec({}).name() == "" and rec({}).address() == ""
    assert rec({}, postal_code="00100").address() == "00100"
    assert rec({}, street={"fi": "Tie 2"}).address() == "Tie 2"
    assert rec({}, post_office={"fi": "van Espoo"}).address() == "van Espoo"


def test_row_ids_keep_only_safe_characters_and_name_the_language():
    r = rec("x", register="tpr")
    assert row_id(r, "fi_walkin") == "tpr_x-1_fi"
    expect = {"fi_walkin": "fi", "fi_appointment": "fi", "sv_walkin": "sv", "sv_appointment": "sv",
              "en_service": "en", "kela": "kela", "reception_centre": "vok"}
    assert {c: row_id(r, c).rsplit("_", 1)[1] for c in expect} == expect
