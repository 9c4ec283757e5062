"""Issue 28: the builder's live map layers without a browser (planner/app/main.py get_live_map):
the catchment-area layers are there when the room asks for them, for the scenario too, and
named in the room's language."""

from __future__ import annotations

import logging

import pytest

from planner.app import main as A

KEY = ("straight", "drive", "postal", "six_areas", "2022-12-31", False, "residents", "default", None, False,
       False)
CLOSE_TIKKURILA = "name: T\nchanges:\n- close: [kela_vantaa_tikkurila]\n"


@pytest.fixture(scope="module")
def layer_names():
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)

    def names(text, catchments):
        _, live = A.get_live_map(KEY, text, "kela", "fi", "fi", catchments)
        return [fg.layer_name for fg in live.layers]
    return names


def test_the_scenarios_catchment_layers_are_drawn_when_asked_for(layer_names):
    points = ["Pisteet: Suomenkielinen palvelupiste", "Pisteet: Ajanvarauksella (suomenkielinen)",
              "Pisteet: Ajanvarauksella (ruotsinkielinen)", "Pisteet: Muunkielinen palvelu (engl.)",
              "Pisteet: Vastaanottokeskus", "Pisteet: Kela"]
    change = ["Matka-aika", "Voitetut (sininen) / menetetyt (punainen) minuutit"]
    assert layer_names(CLOSE_TIKKURILA, False) == [*change, *points, "Suljetaan skenaariossa"]
    assert layer_names(CLOSE_TIKKURILA, True) == [
        *change, "Pisteiden vaikutusalueet ennen", "Pisteiden vaikutusalueet jälkeen", *points,
        "Suljetaan skenaariossa"]
    assert layer_names(None, False) == ["Matka-aika", *points]
    assert layer_names(None, True) == ["Matka-aika", "Pisteiden vaikutusalueet", *points]
