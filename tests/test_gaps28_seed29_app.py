"""Issue 28: the scenario builder's words and messages that only Chromium saw, now driven with
Streamlit's AppTest (the suite without a browser). Written for the seed-29 survivors in
planner/app/main.py (docs/mutation_history.md); each fails with its mutant."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from planner.outputs.i18n import t

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _builder(lang: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180)
    app.session_state["net_unlocated"] = True  # the bundled placeholders can be picked by id
    app.query_params.update({"lang": lang, "page": "builder"})
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture()
def own_data(tmp_path, monkeypatch):
    """This test's own saved scenarios (PLANNER_DATA_DIR), so no other test lists them."""
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_new_point_is_named_in_the_rooms_language(own_data):
    app = _builder("fi")
    assert app.text_input(key="new_name").value == t("b.new_default", "fi") == "Uusi palvelupiste"


def test_default_names_follow_a_language_switch_and_a_typed_name_is_kept(own_data):
    app = _builder("fi")
    app.text_input(key="mob_name").set_value("Kirjastoauto")
    app.selectbox(key="lang").set_value("sv").run()
    assert not app.exception, app.exception
    assert app.text_input(key="sc_name").value == t("b.default_name", "sv") != t("b.default_name", "fi")
    assert app.text_input(key="new_name").value == t("b.new_default", "sv") != t("b.new_default", "fi")
    assert app.text_input(key="mob_stop_name").value == t("b.mob_stop_default", "sv")
    assert app.text_input(key="mob_name").value == "Kirjastoauto"  # typed by the facilitator: kept


def test_a_saved_scenario_keeps_its_name_after_a_language_switch(own_data):
    app = _builder("en")
    app.multiselect(key="w_close").select("kela_vantaa_tikkurila").run()
    app.button(key="save").click().run()
    assert not app.exception, app.exception
    app.selectbox(key="lang").set_value("fi").run()
    assert app.text_input(key="sc_name").value == t("b.default_name", "en")  # its saved name
    assert app.text_input(key="new_name").value == t("b.new_default", "fi")  # still a default


def test_a_scenario_file_named_like_a_default_keeps_its_name_in_another_language(own_data):
    app = _builder("en")
    app.session_state["sc_name"] = "Oma skenaario"  # as a Finnish file names itself, in an English room
    app.session_state["name_defaults"] = {}
    app.run()
    app.selectbox(key="lang").set_value("sv").run()
    assert app.text_input(key="sc_name").value == "Oma skenaario"


def test_the_mobile_tab_asks_where_in_the_rooms_language_and_lists_units_with_its_placeholder(own_data):
    app = _builder("sv")
    assert app.radio(key="mob_where").label == t("b.mob_where", "sv") != t("b.mob_where", "en")
    app.text_input(key="mob_name").set_value("Bussen")
    app.multiselect(key="mob_cats").select("sv_appointment")
    app.text_input(key="mob_stop_name").set_value("Lappträsk")
    app.selectbox(key="mob_centre").set_value("407")
    app.button(key="mob_add_stop").click().run()
    app.button(key="mob_add").click().run()
    assert not app.exception and not app.error
    units = app.multiselect(key="w_mobile_keep")
    assert units.label == t("b.mob_list", "sv")
    assert units.proto.placeholder == t("app.choose", "sv") != t("app.choose", "en")


def test_a_message_is_shown_once_beside_the_control_that_caused_it(own_data):
    app = _builder("en")
    app.number_input(key="new_lon").set_value(27.7)
    app.number_input(key="new_lat").set_value(62.9)  # Kuopio
    app.button(key="new_add").click().run()
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and "outside Uusimaa" in errors[0], errors


def test_the_scenario_carries_the_description_typed_in_the_builder(own_data):
    app = _builder("en")
    app.multiselect(key="w_close").select("asp_fi_askola")
    app.text_area(key="sc_desc").set_value("Askola's office closes; residents go to Porvoo.").run()
    assert not app.exception
    doc = yaml.safe_load(app.code[0].value)
    assert doc["description"] == "Askola's office closes; residents go to Porvoo."
    assert doc["changes"] == [{"close": ["asp_fi_askola"]}]


def test_changes_the_builder_cannot_edit_are_kept_and_said_so_in_the_rooms_language(own_data):
    from planner.app.saved import save_scenario

    text = ("name: Kela also in Porvoo\ndescription: ''\n"
            "changes:\n- add_service: {id: asp_fi_porvoo, category: kela}\n")
    save_scenario("Kela also in Porvoo", text, own_data / "scenarios")
    app = _builder("fi")
    app.selectbox(key="load_pick").set_value("Kela also in Porvoo")
    app.button(key="load_button").click().run()
    assert not app.exception and not app.error
    assert t("b.extra", "fi") in [c.value for c in app.caption]
    kept = [c.value for c in app.code if "add_service" in c.value]
    assert kept and yaml.safe_load(kept[0]) == [{"add_service": {"id": "asp_fi_porvoo", "category": "kela"}}]
