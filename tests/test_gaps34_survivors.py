"""Tests written for the survivors of the seed-34 sample (docs/mutation_history.md): each states
the rule the mutant broke and fails with it."""

from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
KELA5 = "Concentrate Kela offices in five towns"
ITA = "Itä-Uusimaa: two social-service hubs"


def test_scoring_floating_catchments_without_the_extra_names_the_step_and_the_extra(monkeypatch):
    from planner.analysis.fca import floating_catchment
    from planner.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "access", None)  # as if not installed
    with pytest.raises(MissingExtraError) as err:
        floating_catchment(pd.DataFrame(), pd.DataFrame(), None, "kela", "all")  # type: ignore[arg-type]
    assert str(err.value) == ("Scoring floating catchments (2SFCA) needs the optional package 'access' "
                              "(not in the core install): pip install 'uusimaa-planner[fca]'")


def test_stored_matrices_are_listed_newest_first_not_by_name(tmp_path):
    from planner.inputs.matrices import stored_matrices

    for i, name in enumerate(["b_matrix.csv", "c_matrix.parquet", "a_matrix.csv"]):  # oldest first
        (tmp_path / name).write_text("x", encoding="utf-8")
        os.utime(tmp_path / name, (1_700_000_000 + 60 * i, 1_700_000_000 + 60 * i))
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")  # not a matrix
    (tmp_path / ".hidden.csv").write_text("x", encoding="utf-8")
    got = stored_matrices(tmp_path)
    assert list(got) == ["a_matrix.csv", "c_matrix.parquet", "b_matrix.csv"]
    assert got["a_matrix.csv"] == tmp_path / "a_matrix.csv"


def test_compare_keeps_the_picked_scenarios_that_are_still_offered(tmp_path, monkeypatch):
    """A pick no longer offered (a deleted scenario, the current scenario's label in the old
    language) is dropped and the rest of the pick kept, not replaced by the first scenario."""
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params.update({"lang": "en", "page": "compare"})
    app.session_state["cmp_pick"] = [KELA5, "A scenario deleted since", ITA]
    app.run()
    assert not app.exception, app.exception
    assert app.multiselect(key="cmp_pick").value == [KELA5, ITA]
    assert list(app.dataframe[0].value["Scenario"]) == [KELA5, ITA]


def _parquet_file(tmp_path: Path) -> Path:
    path = tmp_path / "m.parquet"
    path.write_bytes(b"PAR1 not read: the extra is missing")
    return path


# (module made unimportable, the call, the feature its message names, the extra it names)
EXTRA_CALLS = [
    ("pulp", lambda tmp: import_module("planner.optimise.solver")._pulp(),
     "Location optimisation", "optimise"),
    ("spopt", lambda tmp: import_module("planner.optimise.solver")._spopt(),
     "Location optimisation (p-median, p-center, MCLP, LSCP)", "optimise"),
    ("networkx", lambda tmp: import_module("planner.optimise.tour").heuristic_tour(
        np.zeros((2, 2)), [0, 1]), "Planning mobile-service tours", "optimise"),
    ("geopy", lambda tmp: import_module("planner.inputs.geocode").nominatim(cache_dir=tmp),
     "Online geocoding", "network"),
    ("geopy", lambda tmp: import_module("planner.inputs.geocode").digitransit(
        api_key="k", cache_dir=tmp), "Online geocoding", "network"),
    ("pyarrow.parquet", lambda tmp: import_module("planner.traveltime.imported").matrix_columns(
        _parquet_file(tmp)), "Reading Parquet files", "parquet"),
    ("pyarrow.parquet", lambda tmp: import_module("planner.inputs.data").read_table(
        _parquet_file(tmp)), "Reading Parquet files", "parquet"),
]


@pytest.mark.parametrize(("blocked", "call", "feature", "extra"), EXTRA_CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(EXTRA_CALLS)])
def test_each_step_that_needs_an_extra_names_itself_and_the_extra(monkeypatch, tmp_path, blocked, call,
                                                                  feature, extra):
    """Without an optional package the step says what it was doing and which extra installs the
    package, word for word (the message a workshop's laptop shows); reading a Parquet file says
    so too, not that the file cannot be read."""
    from planner.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, blocked, None)
    with pytest.raises(MissingExtraError) as err:
        call(tmp_path)
    top = blocked.split(".")[0]
    assert str(err.value) == (f"{feature} needs the optional package {top!r} (not in the core install): "
                              f"pip install 'uusimaa-planner[{extra}]'")


@pytest.mark.parametrize(("pop_lost", "flagged"), [(1, True), (2, True), (0, False)])
def test_one_resident_who_loses_access_is_enough_to_flag_an_improvement_by_exclusion(pop_lost, flagged):
    """Worked by hand: A (30 min before, no point after) and B (10 min, unchanged). The mean over
    those served falls from (30·a + 10·10) / (a + 10) to 10 only because A dropped out; the same
    people (B) changed by 0 min. One resident losing access flags it, as many do; none does not."""
    from planner.analysis.comparison import exclusion_columns

    a = float(max(pop_lost, 1))
    pop = np.array([a, 10.0])
    t_b = np.array([30.0, 10.0])
    t_a = np.array([np.inf if pop_lost else 30.0, 10.0])
    before = {"pop_no_point": np.array([0]), "mean_min_served": np.array([(30 * a + 100) / (a + 10)])}
    after = {"pop_no_point": np.array([pop_lost]),
             "mean_min_served": np.array([10.0 if pop_lost else (30 * a + 100) / (a + 10)])}
    cols = exclusion_columns(np.array([0, 0]), 1, pop, t_b, t_a, before, after)
    assert cols["pop_lost_access"].tolist() == [pop_lost]
    assert cols["mean_change_min_served_both"].tolist() == [0.0]
    assert cols["improved_by_exclusion"].tolist() == [flagged]
