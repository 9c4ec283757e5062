"""Issue 28: the app's plain functions (planner.app.state) at their boundaries — the builder's
points table, the optimiser's notes in the room's language, ids that never collide, uploads kept
private and cleared, and clear errors for a wrong model or a click outside Uusimaa."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest

from planner.app import state as S
from planner.errors import DataError, ScenarioError
from planner.numbers import fmt_int
from planner.outputs.i18n import t, tn

# ------------------------------------------------------------------------ the builder's points table


def _points(study, ids):
    return study.points.set_index("id").loc[list(ids)].reset_index()


def test_points_table_counts_the_residents_each_point_is_nearest_for(study, baseline):
    """'Nearest for residents' is the sum of the baseline's load of that need only (a walk-in
    point is also nearest for residents under 'any social service': not added); a point nearest
    for nobody under the need reads 0, not blank."""
    from planner.outputs.i18n import category_label

    load = baseline.load
    walk = load[load["need"] == "social_walkin"].groupby("id")["residents"].sum()
    both = load[load["need"] == "social_any"].groupby("id")["residents"].sum()
    ids = [i for i in walk.index if walk[i] > 0 and both.get(i, 0) > 0][:1]
    assert len(ids) == 1 and walk[ids[0]] != both[ids[0]]
    pts = _points(study, ids)
    tab = S.points_table(pts, baseline, "social_walkin")
    assert tab[t("col.served", "en")].tolist() == [int(walk[i]) for i in ids]
    assert tab[t("col.served", "en")].dtype == "int64"
    assert tab[t("col.id", "en")].tolist() == ids
    assert tab[t("col.name", "en")].tolist() == pts["name"].tolist()
    assert tab[t("col.category", "en")].tolist() == [category_label(c, "en") for c in pts["category"]]
    # a Kela office is nearest for nobody under the social need: 0
    row = S.points_table(_points(study, ["kela_kerava"]), baseline, "social_walkin")
    assert row[t("col.served", "en")].tolist() == [0]


def test_points_table_status_precision_and_municipality_names(study, baseline):
    """Each point's status in the scenario ('open' unless the builder's state says otherwise),
    its location precision in words where a label exists (the code as written where none does,
    blank where unknown), and municipality names in place of codes when given."""
    ids = ["kela_helsinki_kamppi", "kela_espoo_iso_omena", "kela_vantaa_tikkurila", "kela_kerava"]
    pts = _points(study, ids).copy()
    pts["location_precision"] = ["postal_area", "municipality", None, np.nan]
    pts["municipality_code"] = ["091", "049", "092", "245"]
    names = pd.Series({"091": "Helsinki", "049": "Espoo", "092": "Vantaa"})
    tab = S.points_table(pts, baseline, "kela", "fi", {"kela_espoo_iso_omena": "closed"}, names)
    assert tab[t("col.status", "fi")].tolist() == ["auki", "suljettu", "auki", "auki"]
    assert tab[t("col.precision", "fi")].tolist() == ["postinumeroalueella", "municipality", "", ""]
    # a code with no name stays visible as missing, never shifted onto another point
    assert tab[t("col.municipality", "fi")].tolist()[:3] == ["Helsinki", "Espoo", "Vantaa"]
    assert pd.isna(tab[t("col.municipality", "fi")].iloc[3])
    plain = S.points_table(pts, baseline, "kela")
    assert plain[t("col.municipality", "en")].tolist() == ["091", "049", "092", "245"]
    assert plain[t("col.status", "en")].tolist() == ["open"] * 4
    assert list(plain.columns) == [t(k, "en") for k in ("col.id", "col.name", "col.category",
                                                        "col.municipality", "col.precision",
                                                        "col.status", "col.served")]


def test_points_without_column_lists_id_name_and_category_label(study):
    pts = _points(study, ["kela_kerava"])
    tab = S.points_without_column(pts, "fi")
    assert list(tab.columns) == [t("col.id", "fi"), t("col.name", "fi"), t("col.category", "fi")]
    assert tab.iloc[0].tolist() == ["kela_kerava", pts["name"].iloc[0], "Kela"]


# --------------------------------------------------------------- the optimiser's notes, translated

def test_optimise_note_in_english_is_the_note_itself():
    note = "1,234 residents cannot reach any candidate site and are left out"
    assert S.optimise_note(note, "en") == note


def test_optimise_note_unreachable_number_in_the_language_s_style():
    note = "1,234 residents cannot reach any candidate site and are left out"
    assert S.optimise_note(note, "fi") == tn("o.r.note_unreachable", 1234, "fi", n=fmt_int(1234, "fi"))
    assert "1\xa0234 asukasta" in S.optimise_note(note, "fi")
    one = "1 resident cannot reach any candidate site and is left out"  # one resident: the singular
    assert S.optimise_note(one, "fi") == "1 asukas ei saavuta yhtään ehdokaspaikkaa, ja hänet jätetään pois"


@pytest.mark.parametrize("per, key", [("municipality", "o.per.municipality"),
                                      ("service area", "o.per.service_area")])
def test_optimise_note_per_area_names_the_kind_in_words(per, key):
    note = (f"no candidate site in 2 {per}(s), so the at-least-one constraint could not apply there: "
            "Pukkila, Myrskylä (add --candidates centres)")
    assert S.optimise_note(note, "fi") == t("o.r.note_per", "fi", n="2", per=t(key, "fi"),
                                            names="Pukkila, Myrskylä")


def test_optimise_note_swedish_coverage_and_category_label():
    note = ("no Swedish-serving candidate in 3 bilingual municipality(ies), so the Swedish-coverage "
            "constraint could not apply there: Lapinjärvi (add --candidates centres)")
    assert S.optimise_note(note, "sv") == t("o.r.note_swedish", "sv", n="3", names="Lapinjärvi")
    kela = "--keep-category kela: no existing candidate of that category"
    assert S.optimise_note(kela, "fi") == t("o.r.note_keep_cat", "fi", cat="Kela")
    odd = "--keep-category zzz: no existing candidate of that category"  # not a category: as written
    assert S.optimise_note(odd, "fi") == t("o.r.note_keep_cat", "fi", cat="zzz")


def test_optimise_note_without_translation_is_said_to_be_english():
    note = "--keep x: the point does not serve this need and group"
    out = S.optimise_note(note, "fi")
    assert out == t("o.r.note_other", "fi", text=note) and note in out and out != note


# ------------------------------------------------------------- new points and mobile units: ids, errors

def test_new_point_of_an_unknown_category_is_refused(study):
    with pytest.raises(ScenarioError, match="unknown category 'clinic'") as err:
        S.new_point_change(study, 25.0, 60.2, "x", "clinic")
    assert err.value.field == "category"


def test_new_point_name_blank_takes_its_id_and_rounds_coordinates(study):
    op = S.new_point_change(study, 24.93545678912, 60.16987654321, "   ", "kela")
    assert op["id"] == "new_kela" and op["name"] == "new_kela"
    assert op["lon"] == 24.935457 and op["lat"] == 60.169877 and op["municipality_code"] == "091"


def test_points_at_no_points_is_no_hit(study):
    assert S.points_at(study.points.iloc[:0], 24.94, 60.17) == []


def test_points_at_keeps_every_point_at_one_address_and_only_within_tolerance(study):
    p = study.points.to_crs("EPSG:4326").set_index("id").geometry["kela_kerava"]
    hit = S.points_at(study.points, p.x, p.y)
    assert hit == ["kela_kerava"] or "kela_kerava" in hit
    # 40 m east of the point: beyond the default 25 m, inside a 60 m tolerance
    dx = 40 / (111_320 * np.cos(np.radians(p.y)))
    assert S.points_at(study.points, p.x + dx, p.y) == []
    assert "kela_kerava" in S.points_at(study.points, p.x + dx, p.y, tolerance_m=60)


def test_mobile_stop_at_a_clicked_site_and_outside_uusimaa(study):
    stop = S.mobile_stop(study, "Bussi", "Tori", "tue", "09:00", "12:00", lon=25.663456789, lat=60.392345678)
    assert stop["id"] == "mobile_bussi_tori" and stop["name"] == "Tori"
    assert stop["lon"] == 25.663457 and stop["lat"] == 60.392346 and stop["municipality_code"] == "638"
    assert stop["schedule"] == [{"day": "tue", "start": "09:00", "end": "12:00"}]
    assert "at_centre" not in stop
    again = S.mobile_stop(study, "Bussi", "Tori", "tue", "09:00", "12:00", lon=25.66, lat=60.39,
                          taken_ids={"mobile_bussi_tori", "mobile_bussi_tori_2"})
    assert again["id"] == "mobile_bussi_tori_3"
    with pytest.raises(ScenarioError, match=r"\(27\.7000, 62\.9000\) lies outside Uusimaa") as err:
        S.mobile_stop(study, "Bussi", "Kuopio", "tue", "09:00", "12:00", lon=27.7, lat=62.9)
    assert err.value.field == "lon"
    centre = S.mobile_stop(study, "Bussi", " ", "fri", "10:00", "11:00", centre="407")
    assert centre["at_centre"] == "407" and centre["name"] == centre["id"] == "mobile_bussi_stop"


def test_mobile_change_needs_a_stop_and_takes_a_free_id(study):
    with pytest.raises(ScenarioError, match="add at least one stop first") as err:
        S.mobile_change(study, "Bussi", ["kela"], [])
    assert err.value.field == "stops"
    stop = S.mobile_stop(study, "Bussi", "Tori", "tue", "09:00", "12:00", centre="638")
    ch = S.mobile_change(study, "Bussi", ["kela"], [stop], taken_ids={"mobile_bussi"})
    unit = ch["mobile"]
    assert unit["id"] == "mobile_bussi_2" and unit["name"] == "Bussi" and unit["categories"] == ["kela"]
    blank = S.mobile_change(study, "  ", ["kela"], [stop])["mobile"]
    assert blank["id"] == "mobile_unit" and blank["name"] == "mobile_unit"


# ------------------------------------------------------------------------- scenario text, selections

def test_scenario_text_with_a_byte_order_mark_keeps_its_text_without_it():
    sc = S.scenario_from_text("\ufeffname: x\nchanges: [{close: [kela_kerava]}]\n", "bom.yaml")
    assert sc.text.startswith("name: x") and list(sc.changes) == [{"close": ["kela_kerava"]}]


def test_an_empty_scenario_file_is_an_error_naming_it():
    with pytest.raises(ScenarioError, match="empty") as err:
        S.scenario_from_text("   \n", "blank.yaml")
    assert "blank.yaml" in str(err.value)


def test_walk_in_made_appointment_only_returns_to_the_builder_s_list(study):
    walk = study.points[study.points["category"] == "fi_walkin"]["id"].iloc[0]
    appt = study.points[study.points["category"] == "fi_appointment"]["id"].iloc[0]
    sc = S.build_scenario(study.points, "x", "", S.Selections(appointment_only=(walk,)))
    sel = S.selections_from_scenario(sc, study.points)
    assert sel.appointment_only == (walk,) and sel.extra == ()
    # a set_category that is not walk-in -> its appointment twin is kept as an extra change
    other = S.build_scenario(study.points, "x", "", S.Selections(
        extra=({"set_category": {"id": appt, "category": "fi_walkin"}},)))
    back = S.selections_from_scenario(other, study.points)
    assert back.appointment_only == ()
    assert list(back.extra) == [{"set_category": {"id": appt, "category": "fi_walkin"}}]


def test_selections_emptiness_counts_every_kind():
    assert S.Selections().is_empty()
    for kw in ({"close": ("a",)}, {"merges": (("a", ("b",)),)}, {"appointment_only": ("a",)},
               {"opened": ({"id": "a"},)}, {"extra": ({"add_service": {}},)}):
        assert not S.Selections(**kw).is_empty(), kw


def test_blank_scenario_name_is_scenario_and_description_trimmed(study):
    sc = S.build_scenario(study.points, "  ", "  why  ", S.Selections(close=("kela_kerava",)))
    assert sc.name == "scenario" and sc.description == "why"


def test_slug_keeps_60_characters_and_falls_back():
    assert S.slug("ä" * 70) == "a" * 60
    assert S.slug("!!!") == "scenario" and S.slug("!!!", "unit") == "unit"


# ------------------------------------------------------------------------------ models and uploads

def test_load_app_study_refuses_an_unknown_model_or_a_matrix_model_without_matrix():
    with pytest.raises(ValueError, match="needs a matrix"):
        S.load_app_study("matrix")
    with pytest.raises(ValueError,
                       match=r"unknown model 'bus': expected one of \['straight', 'matrix', 'network'\]"):
        S.load_app_study("bus")


def test_network_model_is_available_here():
    assert S.network_available() is True


def test_session_ids_are_32_hex_characters(tmp_path):
    assert S.session_matrix_dir("a" * 32, tmp_path) == tmp_path / ".sessions" / ("a" * 32)
    for bad in ("a" * 31, "a" * 33, "A" * 32, "../" + "a" * 29, "g" * 32):
        with pytest.raises(ValueError, match="not a session id"):
            S.session_matrix_dir(bad, tmp_path)


def test_uploads_of_idle_sessions_are_cleared_after_a_day(tmp_path):
    """An unshared upload is kept SESSION_MATRIX_DAYS (1) day after its session's last upload:
    an older session folder goes, a younger one and the current one stay."""
    assert S.SESSION_MATRIX_DAYS == 1
    data = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n"
    old = S.store_upload(data, "old.csv", "1" * 32, tmp_path).parent
    young = S.store_upload(data, "young.csv", "2" * 32, tmp_path).parent
    now = time.time()
    os.utime(old, (now - 86400 - 120, now - 86400 - 120))
    os.utime(young, (now - 86400 + 600, now - 86400 + 600))
    mine = S.store_upload(data, "mine.csv", "3" * 32, tmp_path)
    assert not old.exists() and young.exists() and mine.exists()


def test_sharing_a_matrix_already_shared_keeps_one_copy(tmp_path):
    data = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n"
    a = S.store_upload(data, "m.csv", "4" * 32, tmp_path)
    shared = S.share_upload(a, tmp_path)
    b = S.store_upload(data, "m.csv", "5" * 32, tmp_path)
    assert b.name == shared.name
    again = S.share_upload(b, tmp_path)
    assert again == shared and shared.exists() and not b.exists()
    assert shared.read_bytes().replace(b"\r\n", b"\n").startswith(b"from_id")


def test_a_matrix_with_only_its_keys_is_refused(tmp_path):
    p = tmp_path / "keys.csv"
    p.write_text("from_id,to_id\n00100,kela_kerava\n", encoding="utf-8")
    with pytest.raises(DataError, match="no time column besides from_id / to_id") as err:
        S.check_matrix(p)
    assert "keys.csv" in str(err.value)


# ------------------------------------------------------------------------------- overview sentences

def test_proxy_sentence_for_a_group_without_rows_is_empty(baseline):
    assert S.proxy_sentence(baseline, "kela", "no_such_group") == ""


def test_change_table_of_no_tables_is_empty():
    assert S.change_table([], "kela", "all").empty


def test_minutes_text_signed_and_not_finite():
    s = pd.Series([1.25, -2.0, 0.0, np.inf, np.nan])
    assert S.minutes_text(s, "en", 1, signed=True).tolist() == ["+1.2", "\u22122.0", "\u00b10.0",
                                                                 t("ov.no_point", "en"),
                                                                 t("ov.no_point", "en")]
    assert S.minutes_text(pd.Series([19.5]), "fi").tolist() == ["19,5"]


def test_a_mobile_stop_in_the_sea_is_refused_though_inside_a_municipality(study):
    """Helsinki's municipal area reaches far into the sea: a stop clicked there is inside
    Uusimaa but not on land, and the stop is checked like an opened point (not kept)."""
    assert S.municipality_at(study, 24.95, 59.914) == "091"
    with pytest.raises(ScenarioError, match="lies in the sea") as err:
        S.mobile_stop(study, "Bussi", "Meri", "tue", "09:00", "10:00", lon=24.95, lat=59.914)
    assert err.value.field == "stops[0].lon"


def test_an_upload_that_is_not_yaml_names_the_file():
    with pytest.raises(ScenarioError) as err:
        S.scenario_from_text("name: [x\nchanges: {", "broken_upload.yaml")
    assert "broken_upload.yaml" in str(err.value)


def test_a_new_point_outside_uusimaa_points_at_its_longitude(study):
    with pytest.raises(ScenarioError, match=r"\(27\.7000, 62\.9000\) lies outside Uusimaa") as err:
        S.new_point_change(study, 27.7, 62.9, "Kuopio", "kela")
    assert err.value.field == "lon"


def test_points_table_columns_in_finnish(study, baseline):
    tab = S.points_table(_points(study, ["kela_kerava"]), baseline, "kela", "fi")
    keys = ("col.id", "col.name", "col.category", "col.municipality", "col.precision", "col.status",
            "col.served")
    assert list(tab.columns) == [t(k, "fi") for k in keys]
    assert t("col.name", "fi") != t("col.name", "en")


def test_a_matrix_file_that_is_no_table_is_a_data_error_naming_it(tmp_path):
    """A file pandas / pyarrow cannot read at all: the reader's first line, said as the file's
    problem (DataError naming the file), never a traceback."""
    p = tmp_path / "garbage.parquet"
    p.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"cannot be read as a table \(.*Parquet.*\)") as err:
        S.check_matrix(p)
    assert "garbage.parquet" in str(err.value) and "\n" not in str(err.value)
