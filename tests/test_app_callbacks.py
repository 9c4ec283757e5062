"""The scenario builder's callbacks (planner/app/main.py) as plain functions over Streamlit's
session state: what a click on the map, a point's buttons, a removed chip or a failed save do
to the scenario being built. The browser tests click the same controls in Chromium; these run
wherever Python runs (issue 28: the suite without a browser must see them too)."""

from __future__ import annotations

import errno
import logging

import geopandas as gpd
import pytest
import streamlit as st
from shapely.geometry import Point

from planner.app import main as A


@pytest.fixture()
def ss():
    """Streamlit's session state in bare mode (no script run), empty before and after."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    state = st.session_state
    for k in list(state.keys()):
        del state[k]
    state.update(lang="en", w_close=[], w_appt=[], merges=[], opened=[], extra=[], picked=[])
    yield state
    for k in list(state.keys()):
        del state[k]


def _points() -> gpd.GeoDataFrame:
    """Two points at one address in Helsinki (Kela A and Social B, 0 m apart) and one 2 km east."""
    wgs = gpd.GeoSeries([Point(24.9384, 60.1699), Point(24.9384, 60.1699), Point(24.9745, 60.1699)],
                        crs=4326).to_crs(3067)
    return gpd.GeoDataFrame({"id": ["k1", "s1", "k2"], "name": ["Kela A", "Social B", "Kela C"]},
                            geometry=wgs, crs=3067)


# ---------------------------------------------------------------- clicks on the map


def test_a_marker_click_picks_every_point_at_the_address_the_clicked_one_first(ss):
    out = {"last_object_clicked": {"lng": 24.9384, "lat": 60.1699},
           "last_object_clicked_tooltip": "Social B · social services"}
    A._handle_map_click(out, _points())
    assert ss["picked"] == ["s1", "k1"]  # the tooltip names Social B: it comes first
    assert ss["w_pick"] == "s1"
    assert "new_lon" not in ss and "builder_click" not in ss


def test_the_same_marker_click_reported_again_does_not_pick_again(ss):
    out = {"last_object_clicked": {"lng": 24.9384, "lat": 60.1699}, "last_object_clicked_tooltip": "Kela A"}
    A._handle_map_click(out, _points())
    assert ss["picked"] == ["k1", "s1"]
    ss["picked"] = []  # the user dropped the pick; the map reports its last click on every rerun
    A._handle_map_click(out, _points())
    assert ss["picked"] == []


def test_a_click_away_from_any_point_places_the_new_point_rounded_to_five_decimals(ss):
    A._handle_map_click({"last_clicked": {"lng": 25.1234567, "lat": 60.3456789}}, _points())
    assert (ss["new_lon"], ss["new_lat"]) == (25.12346, 60.34568)
    assert ss["builder_click"] is True
    assert "picked" in ss and ss["picked"] == []


def test_a_click_on_a_point_does_not_move_the_new_point(ss):
    A._handle_map_click({"last_clicked": {"lng": 24.9745, "lat": 60.1699}}, _points())
    assert "new_lon" not in ss and "builder_click" not in ss
    A._handle_map_click(None, _points())  # a map that has not reported yet changes nothing
    assert "new_lon" not in ss


def test_a_new_click_clears_the_last_actions_message(ss):
    ss["builder_msg"] = ("success", "Saved", "save")
    A._handle_map_click({"last_clicked": {"lng": 25.5, "lat": 60.4}}, _points())
    assert "builder_msg" not in ss


# ---------------------------------------------------------------- a picked point's buttons


def test_closing_a_point_opened_in_this_scenario_removes_it_instead(ss):
    ss["opened"] = [{"id": "new-1", "name": "New office"}, {"id": "new-2", "name": "Other"}]
    ss["picked"] = ["new-1"]
    A._pick_action("close", "new-1")
    assert [o["id"] for o in ss["opened"]] == ["new-2"]
    assert ss["w_close"] == [] and ss["picked"] == []
    assert ss["w_opened_keep"] == [0]


def test_close_and_appointment_only_exclude_each_other(ss):
    A._pick_action("appointment", "k1")
    assert (ss["w_appt"], ss["w_close"]) == (["k1"], [])
    assert A._picked_state("k1") == "appointment"
    A._pick_action("close", "k1")
    assert (ss["w_appt"], ss["w_close"]) == ([], ["k1"])
    assert A._picked_state("k1") == "closed"
    A._pick_action("close", "k1")  # twice is once
    assert ss["w_close"] == ["k1"]
    A._pick_action("appointment", "k1")
    assert (ss["w_appt"], ss["w_close"]) == (["k1"], [])


def test_reopening_a_merged_point_takes_it_out_of_its_merge_and_drops_an_emptied_merge(ss):
    ss["merges"] = [["k1", ["s1", "k2"]], ["k3", ["k2"]]]
    assert A._picked_state("k2") == "closed"  # merged away counts as closed
    A._pick_action("reopen", "k2")
    assert ss["merges"] == [["k1", ["s1"]]]
    assert A._picked_state("k2") == "open"
    assert ss["w_merges_keep"] == [0]


def test_a_merge_never_merges_a_point_into_itself(ss):
    ss.update(w_merge_into="k1", w_merge_from=["k1", "s1"])
    A._add_merge()
    assert ss["merges"] == [["k1", ["s1"]]]
    assert ss["w_merge_from"] == []
    ss.update(w_merge_into="k2", w_merge_from=["k2"])  # only itself: no merge at all
    A._add_merge()
    assert ss["merges"] == [["k1", ["s1"]]]


def test_removing_a_chip_keeps_the_rows_that_stay_and_renumbers_them(ss):
    ss["merges"] = [["a", ["b"]], ["c", ["d"]], ["e", ["f"]]]
    ss["w_merges_keep"] = [0, 2]
    A._keep_rows("merges", "w_merges_keep")
    assert ss["merges"] == [["a", ["b"]], ["e", ["f"]]]
    assert ss["w_merges_keep"] == [0, 1]


def test_removing_a_mobile_units_chip_drops_only_that_unit(ss):
    ss["extra"] = [{"mobile": {"id": "bus-1"}}, {"note": "kept"}, {"mobile": {"id": "bus-2"}}]
    ss["w_mobile_keep"] = [2]
    A._keep_mobile()
    assert ss["extra"] == [{"note": "kept"}, {"mobile": {"id": "bus-2"}}]
    assert ss["w_mobile_keep"] == [1]


# ---------------------------------------------------------------- saving


def test_a_save_that_the_disk_refuses_says_why_without_the_servers_folders(ss, tmp_path, monkeypatch):
    locked = tmp_path / "data"
    locked.mkdir()
    (locked / "scenarios").write_text("a file where the folder should be")
    monkeypatch.setenv("PLANNER_DATA_DIR", str(locked))
    A._save("Kela plan", "name: Kela plan\n")
    kind, (key, values), where = ss["builder_msg"]
    assert (kind, key, where) == ("error", "b.save_failed", "save")
    assert str(tmp_path) not in values["error"]
    assert values["error"] not in ("", "OutputError", "OSError")  # a reason a user can act on
    assert "saved_text" not in ss


def test_a_scenario_too_large_to_save_is_refused_with_its_size(ss):
    A._save("Huge", "x" * 3_000_000)
    kind, (key, values), _ = ss["builder_msg"]
    assert (kind, key) == ("error", "b.save_failed")
    assert "3,000,000 characters" in values["error"]


def test_a_saved_scenario_is_remembered_as_saved(ss):
    A._save("Kela plan", "name: Kela plan\n")
    assert ss["saved_text"] == "name: Kela plan\n"
    assert ss["builder_msg"] == ("success", ("b.saved_disk", {"name": "Kela plan"}), "save")


def test_an_unwritable_scenario_folder_reports_the_os_reason(ss, tmp_path, monkeypatch):
    if not hasattr(errno, "EACCES"):
        pytest.skip("no POSIX errors")
    data = tmp_path / "ro"
    (data / "scenarios").mkdir(parents=True)
    (data / "scenarios").chmod(0o500)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(data))
    try:
        probe = data / "scenarios" / "probe"
        try:
            probe.write_text("x")
            pytest.skip("running as a user who may write anywhere (root)")
        except PermissionError:
            pass
        A._save("Kela plan", "name: Kela plan\n")
        _, (_, values), _ = ss["builder_msg"]
        assert "Permission denied" in values["error"]
        assert str(tmp_path) not in values["error"]
    finally:
        (data / "scenarios").chmod(0o700)


# ---------------------------------------------------------------- a matrix upload


class _Upload:
    """What st.file_uploader hands a callback: the bytes and the file's name."""

    def __init__(self, data: bytes, name: str) -> None:
        self._data, self.name = data, name

    def getvalue(self) -> bytes:
        return self._data


def test_a_good_matrix_upload_is_kept_privately_selected_then_shared(ss, tmp_path, monkeypatch):
    from planner.inputs.matrices import stored_matrices

    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    A._store_matrix_upload()  # nothing uploaded yet: nothing happens
    assert "_matrix_msg" not in ss
    ss["matrix_upload"] = _Upload(b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n", "pt.csv")
    A._store_matrix_upload()
    kind, (key, values) = ss["_matrix_msg"]
    assert (kind, key) == ("success", "side.matrix_saved")
    private = tmp_path / "matrices" / ".sessions" / ss["_session_id"]
    assert list(stored_matrices(private)) == [ss["matrix_pick"]] == [values["name"]]
    assert stored_matrices(tmp_path / "matrices") == {}  # nobody else sees it yet
    A._share_matrix(str(private / ss["matrix_pick"]))
    assert list(stored_matrices(tmp_path / "matrices")) == [ss["matrix_pick"]]
    assert ss["_matrix_msg"] == ("success", ("side.matrix_shared", {"name": ss["matrix_pick"]}))


def test_a_broken_matrix_upload_is_explained_and_nothing_is_selected(ss, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    bad = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,12 min\n"
    ss["matrix_upload"] = _Upload(bad, "bad.csv")
    A._store_matrix_upload()
    kind, (key, values) = ss["_matrix_msg"]
    assert (kind, key) == ("error", "side.matrix_bad")
    assert "12 min" in str(values["error"]) and "travel_time" in str(values["error"])
    assert "matrix_pick" not in ss


def test_each_session_has_its_own_private_upload_key(ss):
    first = A._session_id()
    assert len(first) == 32 and int(first, 16) >= 0
    assert A._session_id() == first  # kept for the session
    del ss["_session_id"]
    assert A._session_id() != first


def test_an_uploaded_scenario_that_is_not_yaml_is_explained_beside_the_upload(ss):
    ss.update(_key=("straight", "car", "postal", "default"), w_close=["k1"])
    ss["upload"] = _Upload(b"name: [unclosed\n", "plan.yaml")
    A._load_upload()
    kind, text, where = ss["builder_msg"]
    assert (kind, where) == ("error", "load")
    assert "plan.yaml" in str(text)
    assert ss["w_close"] == ["k1"]  # the scenario being built is left as it was


def test_a_broken_scenario_in_a_link_is_explained_beside_the_link(ss):
    ss["_key"] = ("straight", "car", "postal", "default")
    A._open_in_builder("changes: {close: 3", "<link>")
    kind, _, where = ss["builder_msg"]
    assert (kind, where) == ("error", "link")
