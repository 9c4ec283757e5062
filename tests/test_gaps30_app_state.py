"""Issue 28: planner.app.state's plain functions at their boundaries, with hand-made inputs whose
answers are written out in full: the builder's scenario text, the appointment-only rule and its
error, the way back from a scenario to the builder, minutes as text, file-name slugs, and the
matrix upload's errors (naming the uploaded file, never the server's folders)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.app import state as S
from planner.errors import DataError, ScenarioError

POINTS = pd.DataFrame({"id": ["w1", "w1", "k1", "s1"],  # w1 twice: a point with two rows
                       "category": ["fi_walkin", "fi_walkin", "kela", "sv_walkin"]})


def test_the_builders_scenario_text_has_every_kind_of_change_in_order():
    sel = S.Selections(close=("k1",), merges=(("w1", ("s1",)),), appointment_only=("w1",),
                       opened=({"id": "new_x", "name": "X", "category": "kela", "municipality_code": "091",
                                "lon": 24.9, "lat": 60.2},),
                       extra=({"add_service": {"id": "w1", "category": "sv_walkin"}},))
    sc = S.build_scenario(POINTS, "  Oma  ", "  kuvaus ", sel, {"demand": "postal", "mode": "walk"})
    assert sc.name == "Oma" and sc.description == "kuvaus"  # trimmed
    assert sc.text == (
        "name: Oma\ndescription: kuvaus\nbase:\n  demand: postal\n  mode: walk\nchanges:\n"
        "- close:\n  - k1\n"
        "- merge:\n    into: w1\n    from:\n    - s1\n"
        "- set_category:\n    id: w1\n    category: fi_appointment\n"
        "- open:\n    id: new_x\n    name: X\n    category: kela\n    municipality_code: 091\n"
        "    lon: 24.9\n    lat: 60.2\n"
        "- add_service:\n    id: w1\n    category: sv_walkin\n")
    # and back: the builder's selections are the ones it was built from
    assert S.selections_from_scenario(sc, POINTS) == sel


def test_a_scenario_without_base_has_no_base_and_a_swedish_walk_in_keeps_its_language():
    sc = S.build_scenario(POINTS, "", "", S.Selections(appointment_only=("s1",)))
    assert sc.text == ("name: scenario\ndescription: ''\nchanges:\n"
                       "- set_category:\n    id: s1\n    category: sv_appointment\n")


@pytest.mark.parametrize(("pid", "cat"), [("k1", "kela"), ("nope", "None")])
def test_only_a_walk_in_point_can_be_made_appointment_only(pid, cat):
    with pytest.raises(ScenarioError) as err:
        S.build_scenario(POINTS, "n", "", S.Selections(appointment_only=(pid,)))
    assert str(err.value) == (f"field 'set_category': point '{pid}' is not a walk-in point ({cat}); "
                              "only walk-in points can be made appointment-only")
    assert err.value.field == "set_category"


def test_a_category_change_that_is_not_appointment_only_stays_as_the_file_has_it():
    """Swedish walk-in s1 made *Finnish* appointment-only is no builder choice: kept as extra."""
    sc = S.scenario_from_text("name: a\nchanges:\n- set_category: {id: s1, category: fi_appointment}\n"
                              "- set_category: {id: w1, category: fi_appointment}\n")
    sel = S.selections_from_scenario(sc, POINTS)
    assert sel.appointment_only == ("w1",)
    assert sel.extra == ({"set_category": {"id": "s1", "category": "fi_appointment"}},)
    assert sel.close == () and sel.merges == () and sel.opened == ()


def test_minutes_as_text_in_each_language_signed_and_not_finite():
    v = pd.Series([0.0, -0.5, 0.25, 12.0, np.inf, -np.inf, np.nan], index=list("abcdefg"))
    out = S.minutes_text(v, "fi")
    assert out.index.tolist() == list("abcdefg") and out.dtype == object
    assert out.tolist() == ["0,0", "\u22120,5", "0,2", "12,0"] + ["ei palvelupistettä"] * 3
    assert S.minutes_text(v, "en").tolist() == ["0.0", "-0.5", "0.2", "12.0"] + ["no point"] * 3
    # signed: '+' for gains, the minus sign U+2212 for losses, '±' for what rounds to zero
    assert S.minutes_text(v, "sv", digits=2, signed=True).tolist() == [
        "\u00b10,00", "\u22120,50", "+0,25", "+12,00"] + ["inget serviceställe"] * 3
    assert S.minutes_text(pd.Series([-0.04, 0.04, -0.05001]), "en", signed=True).tolist() == [
        "\u00b10.0", "\u00b10.0", "\u22120.1"]


def test_slug_keeps_sixty_ascii_characters():
    assert S.slug("a" * 61) == "a" * 60 and S.slug("b" * 60) == "b" * 60
    assert S.slug("Ärrä Ö-ö  _") == "arra_o_o"
    assert S.slug("ÅBO--Turku__") == "abo_turku"
    assert S.slug("!!!") == "scenario" and S.slug("!!!", "x") == "x"


def test_a_bad_matrix_upload_names_the_uploaded_file_row_and_column_not_the_server_folder(tmp_path):
    bad = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n00120,kela_helsinki_kamppi,12 min\n"
    with pytest.raises(DataError) as err:
        S.store_upload(bad, "huono.csv", "a" * 32, root=tmp_path)
    e = err.value
    assert (e.file, e.row, e.field) == ("huono.csv", 2, "travel_time")
    assert str(e).startswith("file huono.csv, row 2, field 'travel_time': ") and "12 min" in str(e)
    assert str(tmp_path) not in str(e) and "a" * 32 not in str(e)
    assert list((tmp_path / ".sessions" / ("a" * 32)).iterdir()) == []  # nothing kept


def test_a_matrix_pandas_cannot_read_is_explained_in_one_line_naming_the_stored_file(tmp_path):
    path = tmp_path / "m.parquet"
    path.write_bytes(b"not a parquet file\nsecond line\n")
    with pytest.raises(DataError) as err:
        S.check_matrix(path)
    assert err.value.file == "m.parquet"
    assert err.value.reason.startswith("cannot be read as a table (") and err.value.reason.endswith(")")
    assert "\n" not in str(err.value)
