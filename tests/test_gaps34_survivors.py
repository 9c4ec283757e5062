"""Tests written for the survivors of the seed-34 sample (docs/mutation_history.md): each states
the rule the mutant broke and fails with it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
KELA5 = "Concentrate Kela offices in five towns"
ITA = "Itä-Uusimaa: two social-service hubs"


def test_scoring_floating_catchments_without_the_extra_names_the_step_and_the_extra(monkeypatch):
    from planner.analysis.fca import floating_catchment
    from planner.errors import MissingExtraError

    monkeypatch.setitem(__import__("sys").modules, "access", None)  # as if not installed
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
