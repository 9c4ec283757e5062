"""The Streamlit app, driven as a user would with Streamlit's AppTest, and the plain
functions behind it (`planner.app.state`)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from planner.app import state as S
from planner.errors import ScenarioError

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SCENARIOS = Path(__file__).resolve().parent.parent / "geodata" / "scenarios"


@pytest.fixture()
def at():
    app = AppTest.from_file(APP, default_timeout=180)
    # the builder tests pick bundled points by id, many of them placeholders (site unknown,
    # issue 11): show them, as the sidebar's "Include placeholders" box does
    app.session_state["net_unlocated"] = True
    app.run()
    assert not app.exception, app.exception
    return app


def go(app: AppTest, page: str) -> AppTest:
    app.sidebar.radio(key="page@en").set_value(page).run()
    assert not app.exception, app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


# ---------------------------------------------------------------- Overview


def test_overview_shows_model_counts_and_table(at):
    caption = at.caption[0].value
    assert "straight-line estimate" in caption and "2022" in caption
    labels = [m.label for m in at.metric]
    assert "Kela office" in labels and len(labels) == 7
    df = at.dataframe[0].value
    assert df["Area"].tolist()[0] == "Whole region" and len(df) == 7  # region + six service areas
    assert df["Residents"].iloc[0] == df["Residents"].iloc[1:].sum()


def test_changing_need_and_group_updates_the_figures(at):
    before = at.dataframe[0].value
    at.sidebar.selectbox(key="need@en").select("kela").run()
    assert not at.exception
    assert any("Kela office" in s.value for s in at.subheader)
    after = at.dataframe[0].value
    assert not before["Median min"].equals(after["Median min"])
    at.sidebar.selectbox(key="group@en").select("all").run()
    assert at.dataframe[0].value["Residents"].iloc[0] == 1_704_809  # every resident of Uusimaa


def test_language_switch_keeps_the_choices(at):
    """Switching the language keeps every choice, and the choices read in the new language."""
    at.sidebar.selectbox(key="need@en").select("kela").run()
    at.sidebar.selectbox(key="group@en").select("sv").run()
    at.sidebar.selectbox(key="mode@en").select("walk").run()
    at.sidebar.selectbox(key="net_weight@en").select("unemployed").run()
    at.sidebar.selectbox(key="lang").select("fi").run()
    assert not at.exception
    assert at.main.title[0].value.startswith("Aikuissosiaalipalvelujen")
    assert "Kela" in [m.label for m in at.metric]
    assert "Alue" in at.dataframe[0].value.columns
    for key, value, shown in (("need", "kela", "Kelan toimipiste"), ("group", "sv", "Ruotsinkieliset"),
                              ("mode", "walk", "Kävely"),
                              ("net_weight", "unemployed", "Työttömät (vuoden 2016 osuus)")):
        box = at.sidebar.selectbox(key=f"{key}@fi")
        assert box.value == value and at.session_state[key] == value
        assert box.format_func(box.value) == shown  # labelled in Finnish, not the old English
    assert at.sidebar.radio(key="page@fi").value == "overview"
    at.sidebar.selectbox(key="lang").select("sv").run()
    assert any("FPA-byrå" in s.value for s in at.subheader)
    assert at.sidebar.radio(key="page@sv").options[1] == "Scenariobyggare"
    assert at.sidebar.selectbox(key="group@sv").value == "sv"
    # and back: still the same choices
    at.sidebar.selectbox(key="lang").select("en").run()
    assert at.sidebar.selectbox(key="need@en").value == "kela"
    assert at.sidebar.selectbox(key="mode@en").value == "walk"


# ---------------------------------------------------------------- Scenario builder


def test_builder_close_a_point_and_see_the_effect(at):
    at.sidebar.selectbox(key="need@en").select("kela").run()
    go(at, "builder")
    assert any("No changes yet" in i.value for i in at.info)
    at.multiselect(key="w_close").select("kela_vantaa_tikkurila").run()
    assert not at.exception and not at.error
    m = metrics(at)
    assert {"Median travel time", "Within 30 min", "Lose over 10 min", "Lose access"} <= set(m)
    delta = {x.label: x.delta for x in at.metric}
    assert delta["Within 30 min"].startswith("-")
    table = at.dataframe[0].value
    assert table["Area"].iloc[0] == "Whole region"
    # minutes are text ('no point' where there is none: issue 23), compared as numbers
    assert float(table["Median min after"].iloc[0]) > float(table["Median min before"].iloc[0])
    text = at.code[0].value
    assert yaml.safe_load(text)["changes"] == [{"close": ["kela_vantaa_tikkurila"]}]
    # saved scenarios appear on the Compare page
    at.text_input(key="sc_name").set_value("Without Tikkurila").run()
    at.button(key="save").click().run()
    assert any("Saved" in s.value for s in at.success)
    go(at, "compare")
    assert "Without Tikkurila" in at.multiselect(key="cmp_pick").options


def test_builder_point_picked_on_the_map(at):
    go(at, "builder")
    at.session_state["picked"] = ["kela_kerava"]  # what a click on its marker sets
    at.run()
    assert any("Picked on the map: Kela" in i.value for i in at.info)
    assert "pick_appt" not in [b.key for b in at.button]  # a Kela office has no walk-in/appointment
    at.button(key="pick_close").click().run()
    assert at.multiselect(key="w_close").value == ["kela_kerava"]
    at.button(key="pick_reopen").click().run()
    assert at.multiselect(key="w_close").value == []
    at.session_state["picked"] = ["asp_fi_helsinki_kalasatama_maahanmuuttoyksikko"]
    at.run()
    at.button(key="pick_appt").click().run()
    assert at.multiselect(key="w_appt").value == ["asp_fi_helsinki_kalasatama_maahanmuuttoyksikko"]
    # the builder keeps its scenario while the planner looks at other pages
    go(at, "overview")
    go(at, "builder")
    assert at.multiselect(key="w_appt").value == ["asp_fi_helsinki_kalasatama_maahanmuuttoyksikko"]


def test_builder_merge_appointment_and_new_point(at):
    go(at, "builder")
    at.selectbox(key="w_merge_into").set_value("asp_fi_porvoo")
    at.multiselect(key="w_merge_from").select("asp_fi_askola").select("asp_fi_pukkila")
    at.button(key="merge_add").click().run()
    assert not at.exception
    at.multiselect(key="w_appt").select("asp_fi_helsinki_kalasatama_maahanmuuttoyksikko").run()
    # a click on the map fills these; typing works too
    at.text_input(key="new_name").set_value("Kela Nurmijärvi")
    at.selectbox(key="new_cat").set_value("kela")
    at.number_input(key="new_lon").set_value(24.807)
    at.number_input(key="new_lat").set_value(60.464)
    at.button(key="new_add").click().run()
    assert not at.exception and not at.error
    changes = yaml.safe_load(at.code[0].value)["changes"]
    assert {"merge": {"into": "asp_fi_porvoo", "from": ["asp_fi_askola", "asp_fi_pukkila"]}} in changes
    assert {"set_category": {"id": "asp_fi_helsinki_kalasatama_maahanmuuttoyksikko",
                             "category": "fi_appointment"}} in changes
    opened = [c["open"] for c in changes if "open" in c]
    assert opened and opened[0]["municipality_code"] == "543" and opened[0]["category"] == "kela"
    # unticking a new point removes it
    at.multiselect(key="w_opened_keep").unselect(0).run()
    assert not any("open" in c for c in yaml.safe_load(at.code[0].value)["changes"])


def test_builder_new_point_outside_uusimaa_is_explained(at):
    go(at, "builder")
    at.number_input(key="new_lon").set_value(27.7)
    at.number_input(key="new_lat").set_value(62.9)  # Kuopio
    at.button(key="new_add").click().run()
    assert not at.exception
    assert any("outside Uusimaa" in e.value for e in at.error)


def test_builder_conflicting_changes_are_explained(at):
    go(at, "builder")
    at.multiselect(key="w_close").select("asp_fi_askola").run()
    at.selectbox(key="w_merge_into").set_value("asp_fi_porvoo")
    at.multiselect(key="w_merge_from").select("asp_fi_askola")
    at.button(key="merge_add").click().run()
    assert not at.exception
    # the message is Markdown with user text escaped (md_text): compare the text it shows
    assert any("asp_fi_askola" in e.value.replace("\\", "") for e in at.error)


def test_builder_opens_a_saved_scenario(at):
    go(at, "builder")
    at.selectbox(key="load_pick").set_value("Concentrate Kela offices in five towns")
    at.button(key="load_button").click().run()
    assert not at.exception and not at.error
    assert at.multiselect(key="w_close").value == ["kela_espoo_iso_omena"]
    assert at.text_input(key="sc_name").value == "Concentrate Kela offices in five towns"
    assert len(at.multiselect(key="w_merges_keep").value) == 2
    assert "Lose over 10 min" in metrics(at)
    # start over
    at.button(key="reset").click().run()
    assert any("No changes yet" in i.value for i in at.info)


def test_a_link_reproduces_the_view_and_the_scenario():
    """The address carries the choices and the builder's scenario: a new session opened from
    it (a colleague's browser) shows the same view; a tampered part is explained."""
    from planner.app.urlstate import encode_scenario

    app = AppTest.from_file(APP, default_timeout=180)
    text = "name: Close Tikkurila\nchanges:\n  - close: kela_vantaa_tikkurila\n"
    app.query_params.update({"lang": "fi", "page": "builder", "need": "kela", "group": "all",
                             "mode": "walk", "sc": encode_scenario(text)})
    app.run()
    assert not app.exception, app.exception
    ss = app.session_state
    assert (ss["lang"], ss["page"], ss["need"], ss["group"], ss["mode"]) == (
        "fi", "builder", "kela", "all", "walk")
    assert app.multiselect(key="w_close").value == ["kela_vantaa_tikkurila"]
    assert app.text_input(key="sc_name").value == "Close Tikkurila"
    # the address follows the view: choices and the scenario, which decodes to the same changes
    from planner.app.urlstate import decode_view

    view, sc, problems = decode_view(app.query_params)
    assert view["need"] == "kela" and view["mode"] == "walk" and not problems
    assert "kela_vantaa_tikkurila" in sc
    # a tampered link: the valid part applies, the rest is named, nothing breaks
    bad = AppTest.from_file(APP, default_timeout=180)
    bad.query_params.update({"need": "kela", "group": "<b>x</b>", "mode": "![x](http://evil/t.png)",
                             "sc": "%%%", "lang": "fi"})
    bad.run()
    assert not bad.exception, bad.exception
    assert bad.session_state["need"] == "kela"
    warning = " ".join(w.value for w in bad.warning)
    # every part in the reader's language, the link's own text shown literally (no remote image)
    assert "group=" in warning and "vioittunut" in warning and "ei ole mikään" in warning
    assert "\\!\\[x\\]\\(http" in warning and "](http" not in warning


def test_saved_scenario_survives_a_new_session(at):
    go(at, "builder")
    at.multiselect(key="w_close").set_value(["kela_vantaa_tikkurila"]).run()
    at.text_input(key="sc_name").set_value("Survives a reload").run()
    at.button(key="save").click().run()
    assert not at.exception, at.exception
    assert any("Saved “Survives a reload”" in m.value for m in at.success)  # beside the button
    again = AppTest.from_file(APP, default_timeout=180)  # a reload: a new session
    again.session_state["page@en"] = "builder"
    again.session_state["page"] = "builder"
    again.run()
    assert "Survives a reload" in again.selectbox(key="load_pick").options


def test_optimiser_answer_asks_before_replacing_unsaved_changes(at):
    go(at, "builder")
    at.multiselect(key="w_close").set_value(["kela_vantaa_tikkurila"]).run()
    at.sidebar.selectbox(key="need@en").select("kela").run()
    go(at, "optimise")
    at.number_input(key="o_k").set_value(6).run()
    at.button(key="o_run").click().run()
    at.button(key="o_open").click().run()
    assert not at.exception, at.exception
    assert at.session_state["page"] == "optimise"  # not yet: it asks first
    assert any("unsaved changes" in w.value for w in at.warning)
    assert at.session_state["w_close"] == ["kela_vantaa_tikkurila"]
    at.button(key="o_replace").click().run()
    assert at.session_state["page"] == "builder" and len(at.session_state["w_close"]) == 4


def test_builder_side_by_side_catchments_charts_and_the_handout(at):
    """A scenario shown before | after side by side, its catchment areas, its charts, and the
    two-page handout from the Export page."""
    go(at, "builder")
    at.multiselect(key="w_close").set_value(["kela_vantaa_tikkurila"]).run()
    at.sidebar.selectbox(key="need@en").select("kela").run()
    at.toggle(key="b_catch").set_value(True).run()
    assert not at.exception, at.exception
    at.radio(key="b_view").set_value("side").run()
    assert not at.exception, at.exception
    assert any("maps move together" in c.value for c in at.caption)
    go(at, "export")
    at.selectbox(key="exp_pick").set_value(at.selectbox(key="exp_pick").options[1]).run()
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    sizes = [c.value for c in at.caption if "_brief.pdf · " in c.value]
    assert len(sizes) == 1 and sizes[0].endswith(" kB")  # the handout is made and offered


def test_side_by_side_page_and_catchment_map_content(study, baseline):
    """What the app embeds: two synchronised maps, and catchment layers before and after."""
    from planner.analysis.scenario import evaluate
    from planner.outputs.html import external_references
    from planner.outputs.maps import scenario_map
    from planner.outputs.sidebyside import side_by_side_html

    sc = S.scenario_from_text("name: T\nchanges:\n  - close: kela_vantaa_tikkurila\n", "<t>")
    res, applied = evaluate(study, sc, baseline)
    page = side_by_side_html(study, baseline, res, applied, "kela", "fi", tiles=None)
    assert page.count("L.map(") >= 2 and "sync(" in page and external_references(page) == []
    html = scenario_map(study, res, "kela", "fi", applied=applied, catchments=True,
                        baseline=baseline, tiles=None).get_root().render()
    assert "Catchment areas before" in html and "Catchment areas after" in html


# ---------------------------------------------------------------- Compare and Export


def test_compare_two_scenarios(at):
    go(at, "compare")
    at.multiselect(key="cmp_pick").set_value(["Concentrate Kela offices in five towns",
                                              "Itä-Uusimaa: two social-service hubs"]).run()
    assert not at.exception and not at.error
    head = at.dataframe[0].value
    assert list(head["Scenario"]) == ["Concentrate Kela offices in five towns",
                                      "Itä-Uusimaa: two social-service hubs"]
    by_area = at.dataframe[1].value
    assert len(by_area) == 12  # six service areas x two scenarios
    assert at.selectbox(key="cmp_map").options == list(head["Scenario"])


def test_export_offers_every_file(at):
    go(at, "export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Tables (CSV, zip)", "Tables (Excel)", "Map layers (GeoPackage)",
                      "Map (HTML, works offline)"]
    at.selectbox(key="exp_pick").set_value("Concentrate Kela offices in five towns").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[-1] == "Scenario file (YAML)"


@pytest.mark.slow
def test_optimise_answer_opens_in_the_builder(at):
    at.sidebar.selectbox(key="need@en").select("kela").run()
    go(at, "optimise")
    at.number_input(key="o_k").set_value(6).run()
    at.button(key="o_run").click().run()
    assert not at.exception, at.exception
    report = "\n".join(m.value for m in at.markdown)
    assert "p-median" in report and "Optimal" in report
    at.button(key="o_open").click().run()
    assert not at.exception, at.exception
    assert at.session_state["page"] == "builder"
    # 10 Kela offices with the placeholders (4 located), 6 kept: the builder holds 4 as closed
    assert len(at.session_state["w_close"]) == 4
    assert at.session_state["sc_name"].startswith("Optimised kela")


def test_road_network_model_on_helsinki_centre(at):
    if not S.network_available():
        pytest.skip("planner.traveltime.network is not available")
    at.sidebar.selectbox(key="model@en").select("network").run()
    assert not at.exception, at.exception
    caption = at.caption[0].value
    assert "road network" in caption and "2020" in caption and "OSM" in caption
    assert at.caption[1].value.startswith("Travel-time error: not measured")  # labelled, not blank
    assert at.dataframe[0].value["Residents"].iloc[0] > 0


def test_public_transport_estimate_is_offered_and_labelled_with_its_error(at):
    """Issue 10: walk / car / public transport estimates, each labelled with its CV error."""
    assert at.sidebar.selectbox(key="mode@en").options == [
        "Walking", "Car", "Car, rush hour", "Public transport (coarsest estimate)",
        "Public transport, rush hour (coarsest estimate)"]
    at.sidebar.selectbox(key="mode@en").select("pt").run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "public transport (coarsest estimate)" in captions
    assert "Estimate error (p90, cross-validated) at this distance: 0-2 km ±" in captions
    if S.network_available():  # the road network routes walk and drive only
        at.sidebar.selectbox(key="model@en").select("network").run()
        assert not at.exception, at.exception
        assert at.sidebar.selectbox(key="mode@en").options == ["Walking", "Car"]
        assert at.session_state["mode"] == "drive"


def test_imported_matrix_choice_reports_its_coverage(at, monkeypatch, tmp_path):
    """Issue 10: the app's imported-matrix choice. Hand-made r5py-style table keyed by postal
    code and point id: Kamppi is 7 min from every postal area. The Kela figures then show the
    matrix's minutes where it has them and the estimate elsewhere, and the page says which."""
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    at.sidebar.selectbox(key="need@en").select("kela").run()
    at.sidebar.selectbox(key="model@en").select("matrix").run()
    assert not at.exception, at.exception
    # nothing stored yet: said so, and the estimate stays in use
    assert any("No matrix yet" in i.value for i in at.sidebar.info)
    assert "straight-line estimate" in at.caption[0].value
    before = at.dataframe[0].value.set_index("Area")

    from planner.inputs.matrices import save_matrix

    codes = S.load_app_study().units["unit_id"]
    table = pd.DataFrame({"from_id": codes, "to_id": "kela_helsinki_kamppi", "travel_time": 7})
    save_matrix(table.to_csv(index=False).encode(), "r5py kamppi.csv")
    at.run()
    at.sidebar.radio(key="matrix_keys@en").set_value("ids").run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="matrix_column@en").value == "travel_time"
    assert "imported travel-time matrix" in at.caption[0].value
    n_points = len(S.load_app_study(include_unlocated=True).points)  # the fixture shows placeholders
    warning = " ".join(w.value for w in at.warning)
    assert f"The matrix covers 1 of {n_points} service points and 390 of 390 origins" in warning
    missing = [d.value for d in at.dataframe if "Id" in d.value.columns][0]  # named, not dropped
    assert len(missing) == n_points - 1 and "kela_vantaa_tikkurila" in missing["Id"].tolist()
    assert "kela_helsinki_kamppi" not in missing["Id"].tolist()
    after = [d.value for d in at.dataframe if "Area" in d.value.columns][0].set_index("Area")
    # Kamppi moves to 7 min from everywhere: no area is worse off, and each keeps its residents
    assert after["Residents"].equals(before["Residents"])
    # minutes are shown as text ('no point' where there is none: issue 23), compared as numbers
    a_med, b_med = (pd.to_numeric(t["Median min"]) for t in (after, before))
    assert (a_med <= b_med).all()
    assert a_med["Whole region"] < b_med["Whole region"]


def test_a_matrix_without_its_id_columns_is_explained_not_a_crash(at, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    from planner.inputs.matrices import save_matrix

    save_matrix(b"origin,destination,minutes\n00100,kela_helsinki_kamppi,7\n", "otp export.csv")
    at.sidebar.selectbox(key="model@en").select("matrix").run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # Markdown escapes off
    assert "This matrix cannot be used" in errors and "otp_export-" in errors
    assert ("missing column(s) ['from_id', 'to_id']; the file has ['origin', 'destination', 'minutes']"
            in errors)


def test_a_hostile_matrix_column_name_is_text_in_the_caption(at, monkeypatch, tmp_path):
    """The time column's name comes from the uploaded file's header and reaches the model
    caption (Markdown): it must stay literal text, never a link or bold."""
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    from planner.escape import md_text
    from planner.inputs.matrices import save_matrix

    hostile = "[x](http://e.invalid) **b** <b>x</b>=1+1"
    save_matrix(pd.DataFrame({"from_id": ["00100"], "to_id": ["kela_helsinki_kamppi"], hostile: [7]})
                .to_csv(index=False).encode(), "hostile.csv")
    at.sidebar.selectbox(key="model@en").select("matrix").run()
    at.sidebar.radio(key="matrix_keys@en").set_value("ids").run()
    assert not at.exception, at.exception
    caption = at.caption[0].value
    assert f"column {md_text(hostile)}" in caption and "[x](http" not in caption


# ---------------------------------------------------------------- planner.app.state


def test_selections_round_trip_every_bundled_scenario(study):
    for path in sorted(SCENARIOS.glob("*.yaml")):
        from planner.analysis.scenario import load_scenario

        sc = load_scenario(path)
        sel = S.selections_from_scenario(sc, study.points)
        again = S.build_scenario(study.points, sc.name, sc.description, sel, sc.base)
        key = lambda ch: yaml.safe_dump(ch, sort_keys=True)  # noqa: E731
        assert sorted(map(key, again.changes)) == sorted(map(key, sc.changes)), path.name
        assert S.scenario_from_text(again.text).changes == again.changes


def test_appointment_only_needs_a_walk_in_point(study):
    sel = S.Selections(appointment_only=("kela_kerava",))
    with pytest.raises(ScenarioError, match="not a walk-in point"):
        S.build_scenario(study.points, "x", "", sel)


def test_new_point_and_map_clicks(study):
    op = S.new_point_change(study, 25.66, 60.39, "Uusi piste Porvoo", "fi_walkin", {"new_uusi_piste_porvoo"})
    assert op["municipality_code"] == "638" and op["id"] == "new_uusi_piste_porvoo_2"
    with pytest.raises(ScenarioError, match="outside Uusimaa"):
        S.new_point_change(study, 27.7, 62.9, "Kuopio", "kela")
    p = study.points.to_crs("EPSG:4326").set_index("id").geometry["kela_vantaa_tikkurila"]
    assert "kela_vantaa_tikkurila" in S.points_at(study.points, p.x, p.y)
    assert S.points_at(study.points, 25.0, 59.5) == []  # the sea


def test_uploaded_scenario_errors_name_the_file():
    with pytest.raises(ScenarioError, match="my.yaml"):
        S.scenario_from_text("name: x\nchanges: [{close: 5}]\n", "my.yaml")


def test_export_files(study, baseline):
    from planner.analysis.scenario import load_scenario

    sc = load_scenario(SCENARIOS / "concentrate_kela_offices.yaml")
    files = S.export_files(study, baseline, sc, "kela", "all", "fi")
    assert set(files) == {"csv", "xlsx", "gpkg", "html", "yaml"}
    names = zipfile.ZipFile(io.BytesIO(files["csv"][1])).namelist()
    assert any(n.endswith("compare_region.csv") for n in names)
    region = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(files["csv"][1])).read(
        next(n for n in names if n.endswith("/summary_region.csv")))))
    assert (region["scenario"] == sc.name).all() and (region["model"] == "straight-line estimate").all()
    assert S.scenario_from_text(files["yaml"][1]).changes == sc.changes
    page = files["html"][1].decode("utf-8")
    assert "<script src=" not in page and "Kelan toimipiste" in page


def test_builder_mobile_unit_tab_and_the_example(at):
    """Issue 14: a facilitator builds a weekly bus with two stops in the builder's mobile tab; it
    becomes one `mobile` change (stops at the centres, Tuesday 09:00-12:00 and Friday); a bad
    time is explained, not crashed on; the bundled example opens and evaluates in the app."""
    go(at, "builder")
    at.text_input(key="mob_name").set_value("Bus Itä")
    at.multiselect(key="mob_cats").select("sv_appointment")
    at.text_input(key="mob_stop_name").set_value("Lapinjärvi")
    at.selectbox(key="mob_centre").set_value("407")
    at.button(key="mob_add_stop").click().run()
    assert not at.exception and not at.error
    at.text_input(key="mob_stop_name").set_value("Myrskylä")
    at.selectbox(key="mob_centre").set_value("504")
    at.selectbox(key="mob_day").set_value("fri")
    at.text_input(key="mob_end").set_value("9:00")  # not HH:MM
    at.button(key="mob_add_stop").click().run()
    assert not at.exception and any("HH:MM" in e.value.replace("\\", "") for e in at.error)
    at.text_input(key="mob_end").set_value("12:00")
    at.button(key="mob_add_stop").click().run()
    at.button(key="mob_add").click().run()
    assert not at.exception and not at.error
    changes = yaml.safe_load(at.code[0].value)["changes"]
    (unit,) = [c["mobile"] for c in changes if "mobile" in c]
    assert unit["name"] == "Bus Itä" and unit["categories"] == ["fi_walkin", "sv_appointment"]
    assert [s["at_centre"] for s in unit["stops"]] == ["407", "504"]
    assert [s["schedule"] for s in unit["stops"]] == [[{"day": "tue", "start": "09:00", "end": "12:00"}],
                                                      [{"day": "fri", "start": "09:00", "end": "12:00"}]]
    # the bundled example: opened in the builder and evaluated like any other scenario
    at.selectbox(key="load_pick").set_value(
        "Itä-Uusimaa: a weekly service bus instead of the smallest offices")
    at.button(key="load_button").click().run()
    assert not at.exception and not at.error
    loaded = yaml.safe_load(at.code[0].value)["changes"]
    assert [c["mobile"]["id"] for c in loaded if "mobile" in c] == ["mobile_ita_uusimaa"]
    assert "Lose over 10 min" in metrics(at)


def test_a_broken_matrix_upload_is_explained_and_not_kept(tmp_path):
    """Issue 26, item 5: an upload is read in full before it is kept; a file pandas cannot
    tokenise, or minutes that are text, is an error naming the file, row and column, and
    nothing is stored. A good upload is private to its session until shared."""
    from planner.app.state import check_matrix, share_upload, store_upload
    from planner.errors import DataError
    from planner.inputs.matrices import stored_matrices

    session = "0" * 32
    broken = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n00120,kela_helsinki_kamppi,7,9,9\n"
    with pytest.raises(DataError, match="cannot read the matrix as a UTF-8 CSV") as err:
        store_upload(broken, "broken.csv", session, root=tmp_path)
    assert "broken" in str(err.value) and "Error tokenizing" not in str(err.value).split("(")[0]
    text = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n00120,kela_helsinki_kamppi,12 min\n"
    with pytest.raises(DataError) as err:
        store_upload(text, "text.csv", session, root=tmp_path)
    assert err.value.row == 2 and err.value.field == "travel_time" and "12 min" in str(err.value)
    assert stored_matrices(tmp_path) == {} and list((tmp_path / ".sessions" / session).iterdir()) == []
    good = store_upload(b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n", "good.csv", session,
                        root=tmp_path)
    assert check_matrix(good) == ["travel_time"]
    # the app checks with the importer's own reader: what `planner report --matrix` accepts
    # (a Finnish-Excel file: `;` and decimal commas) is accepted; a pair given twice is not
    excel = store_upload(b"from_id;to_id;travel_time\n00100;kela_helsinki_kamppi;7,5\n", "excel.csv",
                         session, root=tmp_path)
    assert check_matrix(excel) == ["travel_time"]
    with pytest.raises(DataError, match="given twice with different minutes"):
        store_upload(b"from_id,to_id,travel_time\n00100,k,7\n00100,k,12\n", "twice.csv", session,
                     root=tmp_path)
    excel.unlink()
    assert stored_matrices(tmp_path) == {}  # not in the shared list: another session does not see it
    assert list(stored_matrices(good.parent)) == [good.name]
    shared = share_upload(good, root=tmp_path)
    assert list(stored_matrices(tmp_path)) == [shared.name] and not good.exists()


# ---------------------------------------------------------------- issue 26: a Finnish or Swedish room

BAD_WORDS = ("Infinity", "None", "nan", "inf", "True", "False")


def shown(table) -> pd.DataFrame:
    """What a ``st.dataframe`` shows (a styled table's display text, else its values)."""
    from streamlit import dataframe_util

    styler = table.proto.arrow_data.styler
    if styler.display_values:
        return dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
    return table.value


def _cells(df: pd.DataFrame) -> list[str]:
    return [str(v) for v in df.to_numpy().ravel()]


def test_finnish_overview_numbers_captions_and_gaps_in_words():
    """Item 7 and 9: the overview's table, captions and gap sentences in Finnish: 1 567 401 and
    16,8, no inf / None / nan, the model line without English, each area's gap and proxy said."""
    app = AppTest.from_file(APP, default_timeout=180)
    app.query_params.update({"lang": "fi", "page": "overview", "need": "social_any", "group": "fi"})
    app.run()
    assert not app.exception, app.exception
    df = shown(app.dataframe[0])
    cells = _cells(df)
    assert not [c for c in cells if c in BAD_WORDS], cells
    residents = df["Asukkaat"].str.replace("\u00a0", " ")
    assert residents.iloc[0] == "1 567 401"  # grouped thousands, as the screen shows it
    assert all("," in v for v in df["Mediaani min"]) and not any("." in v for v in df["Mediaani min"])
    assert df["% alle 30 min"].iloc[0] == "99,3"
    captions = " ".join(c.value for c in app.caption)
    for english in ("straight-line distance", "postal areas", "compiled", "not measured",
                    "Statistics Finland",
                    "fitted per distance band"):
        assert english not in captions, english
    assert "±2,9" in captions
    text = " ".join(m.value for m in app.markdown).replace("\\", "").replace("\u00a0", " ")
    assert "Vantaa–Kerava: 268 212/268 212 asukkaan luvut perustuvat korvikesijaintiin" in text
    # the Swedish speakers of Keski-Uusimaa have no point: who, how many and why, in Finnish
    app.sidebar.selectbox(key="group@fi").select("sv").run()
    text = " ".join(m.value for m in app.markdown).replace("\\", "").replace("\u00a0", " ")
    assert "Keski-Uusimaa: 2 174 asukkaalla ei ole palvelupistettä (Ruotsinkieliset): ei palvelua" in text
    assert "network of this date" not in text and "sv_walkin" not in text
    cells = _cells(shown(app.dataframe[0]))
    assert "ei palvelupistettä" in cells and not [c for c in cells if c in BAD_WORDS]


def test_a_change_of_within_30_min_reads_in_percentage_points():
    """Item 8: the delta under "Within 30 min" is percentage points, in every language."""
    app = AppTest.from_file(APP, default_timeout=180)
    app.query_params.update({"lang": "sv", "page": "builder", "need": "kela", "group": "all"})
    app.run()
    app.multiselect(key="w_close").select("kela_vantaa_tikkurila").run()
    assert not app.exception and not app.error
    delta = {m.label: m.delta for m in app.metric}["Inom 30 min"]
    assert delta.startswith("-") and delta.endswith("p.p.") and "," in delta, delta
    table = shown(app.dataframe[0])
    assert table["Inom 30 min före"].iloc[0].replace("\u00a0", " ").endswith(" %")
    assert not [c for c in _cells(table) if c in BAD_WORDS or c.endswith("nan %")]


def test_a_scenario_with_a_wrong_point_id_shows_only_the_error_in_finnish():
    """Item 8: not "Opened" beside an English "cannot be applied": the error alone, in Finnish."""
    from planner.app.urlstate import encode_scenario

    app = AppTest.from_file(APP, default_timeout=180)
    text = "name: Väärä\nchanges:\n  - close: kela_no_such_office\n"
    app.query_params.update({"lang": "fi", "page": "builder", "need": "kela", "sc": encode_scenario(text)})
    app.run()
    assert not app.exception, app.exception
    assert not [s.value for s in app.success], [s.value for s in app.success]  # no "Avattu"
    errors = " ".join(e.value for e in app.error)
    assert "Skenaariota ei voi soveltaa" in errors and "tuntematon pisteen tunnus" in errors, errors
    assert "unknown point id" not in errors and "cannot be applied" not in errors


def test_the_legend_starts_open_when_an_area_is_grey(study, baseline):
    """Item 9: the overview's (compact) map folds its legend, except when an area is grey (no
    point): the legend explains grey, so it starts open."""
    import re

    from planner.outputs.maps import scenario_map

    def legend_open(group: str) -> bool:
        page = scenario_map(study, baseline, "social_any", group, tiles=None, lang="fi",
                            compact=True).get_root().render()
        block = re.search(r'<div id="planner-legend".{0,400}', page, re.DOTALL).group(0)
        return "<details open>" in block

    assert legend_open("sv")  # Keski-Uusimaa's Swedish speakers have no point: grey
    assert not legend_open("fi")  # no grey area: folded, the map stays in view


def test_compare_page_in_swedish_has_no_raw_names_or_codes():
    """Item 7: the Compare page's tables: labels and codes in Swedish, no 4-decimal floats."""
    import re

    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params.update({"lang": "sv", "page": "compare", "need": "social_any", "group": "sv"})
    app.run()
    assert not app.exception, app.exception
    assert app.dataframe, "the compare page shows its tables"
    for frame in app.dataframe:
        df = shown(frame)
        assert not [c for c in df.columns if "_" in str(c)], list(df.columns)
        cells = _cells(df)
        for bad in ("social_any", "fi_appointment", "sv_appointment", "between_areas", "language"):
            assert bad not in cells, bad
        assert not [c for c in cells if c in BAD_WORDS or re.fullmatch(r"-?\d+\.\d+", c)], cells[:40]


def test_the_estimate_s_measured_error_is_never_called_unmeasured(at):
    """The straight-line estimate's error is measured (cross-validated per band): the captions
    under a title give it and never also say "not measured" (a merge once attached that line to
    the public-transport note instead of to a model without a measured error)."""
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "Estimate error (p90, cross-validated)" in captions
    assert "Travel-time error: not measured" not in captions
