"""The Streamlit app, driven as a user would with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture()
def at():
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    return app


def test_overview_shows_model_counts_and_table(at):
    caption = at.caption[0].value
    assert "straight-line estimate" in caption and "2022" in caption
    labels = [m.label for m in at.metric]
    assert "Kela office" in labels
    assert len(at.dataframe) >= 1


def test_changing_need_updates_table(at):
    at.sidebar.selectbox(key="need").select("kela").run()
    assert not at.exception
    assert any("Kela office" in s.value for s in at.subheader)
    df = at.dataframe[0].value
    assert set(df["need"]) == {"kela"}
