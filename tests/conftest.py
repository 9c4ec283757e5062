"""Shared fixtures: the bundled Uusimaa data, loaded once per session."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pytest

# Tests never write to the user's cache folder (networks, Overpass responses).
os.environ.setdefault("PLANNER_CACHE_DIR", tempfile.mkdtemp(prefix="planner-test-cache-"))
# saved scenarios (planner.app.saved) of the app tests go to a throw-away folder, never the user's
os.environ.setdefault("PLANNER_DATA_DIR", tempfile.mkdtemp(prefix="planner-test-data-"))

from planner.errors import PlannerWarning


@pytest.fixture(scope="session")
def study():
    from planner.analysis.study import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return load_study()


@pytest.fixture(scope="session")
def baseline(study):
    from planner.analysis.study import evaluate_points

    return evaluate_points(study)


@pytest.fixture(scope="session")
def borders():
    from planner.inputs.data import load_municipal_borders

    return load_municipal_borders()


# Hypothesis (tests/test_fuzz.py): the "ci" profile (few examples) is the default so `make test`
# stays fast; a long hunt: `pytest tests/test_fuzz.py --hypothesis-profile=thorough`.
try:
    from hypothesis import HealthCheck
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
else:
    _hypothesis_settings.register_profile(
        "ci", max_examples=20, deadline=None, derandomize=True, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    _hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# `make mutation` runs each mutant against the hand-worked tests only (PLANNER_MUTATION=1):
# tests on the whole embedded study cost seconds per mutant and add few kills.
_MUTATION_SKIP_FIXTURES = {"study", "baseline"}
_MUTATION_SKIP_NAMES = ("grid_demand_keeps_unlocated", "helsinki_centre_demand", "cli_optimise")


# Tests of the source itself (its text, its package layout, the stack frames it makes): under
# mutmut the source holds every mutant side by side (trampolines), so they say nothing about one
# mutant and fail on all; `make mutation SAMPLE=...` (PLANNER_SOURCE_TESTS=0) leaves them out.
_SOURCE_TEXT_TESTS = {
    "test_i18n.py": ("test_every_static_key_exists", "test_key_families_used_with_fstrings_are_complete",
                     "test_app_shows_no_bare_english_label", "test_the_output_modules_own_keys_exist"),
    "test_layout.py": ("",),
    "test_packaging.py": ("test_every_import_is_declared", "test_heavy_optional_imports_stay_inside",
                          "test_geodata_is_read_through_importlib", "test_wheel_carries_data",
                          "test_core_install_runs", "test_each_extra_installs", "test_dependencies_resolve",
                          "test_geopy_public_apis"),
    "test_template_injection.py": ("test_the_one_element_for_planner_html_never_compiles",),
    # the stack frames a warning names: mutmut's trampoline adds one inside the mutated module
    "test_rules_data_small.py": ("test_warnings_point_at_the_loader_caller",),
}


def _source_text_test(item) -> bool:
    names = _SOURCE_TEXT_TESTS.get(Path(str(item.fspath)).name, ())
    return any(item.name.startswith(n) for n in names)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PLANNER_SOURCE_TESTS") == "0":
        drop = [item for item in items if _source_text_test(item)]
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = [item for item in items if not _source_text_test(item)]
    if os.environ.get("PLANNER_NO_BROWSER") == "1":  # the suite as it runs without Chromium
        browser = [item for item in items if item.get_closest_marker("browser")]
        if browser:
            config.hook.pytest_deselected(items=browser)
            items[:] = [item for item in items if not item.get_closest_marker("browser")]
    if os.environ.get("PLANNER_MUTATION") != "1":
        return
    keep, drop = [], []
    for item in items:
        heavy = _MUTATION_SKIP_FIXTURES & set(getattr(item, "fixturenames", ()))
        (drop if heavy or any(n in item.name for n in _MUTATION_SKIP_NAMES) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="module")
def tiny(borders):
    """The hand-made optimisation study of test_rules_optimise_small.py and
    test_gaps28_analysis_optimise.py: four postal areas and five points on one line east of
    (X0, Y0) in central Helsinki, walked at 6 km/h straight-line (minutes = metres / 100)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import Point

    from planner.analysis.study import Study
    from planner.inputs.data import load_municipal_centres, load_municipalities
    from planner.settings import ModeParams
    from planner.traveltime import StraightLineModel, travel_time_matrix

    x0, y0 = 385_000.0, 6_672_000.0  # X0, Y0 of the test files
    model = StraightLineModel("walk", ModeParams(6.0, 1.0, 0.0, "hand-made test"))

    dx = [0, 2000, 4000, 0]
    units = gpd.GeoDataFrame({
        "unit_id": ["A", "B", "C", "U"], "unit_type": "postal_area", "name": ["A", "B", "C", "U"],
        "municipality_code": "091", "municipality": "Helsinki", "service_area": "S",
        "pop_fi": [90, 50, 30, 7], "pop_sv": [10, 0, 20, 3], "pop_sv_estimated": False,
        "located": [True, True, True, False], "x_m": [x0 + d for d in dx], "y_m": y0,
    }, geometry=[Point(x0 + d, y0) for d in dx], crs=3067)
    units["pop_total"] = units["pop_fi"] + units["pop_sv"]
    spec = [("k1", "kela", 500), ("k2", "kela", 3000), ("k3", "kela", 4000),
            ("fi1", "fi_walkin", 1000), ("sv1", "sv_walkin", 4000)]
    points = gpd.GeoDataFrame({
        "id": [s[0] for s in spec], "name": [f"point {s[0]}" for s in spec],
        "category": [s[1] for s in spec], "municipality_code": "091", "capacity": np.nan,
    }, geometry=[Point(x0 + s[2], y0) for s in spec], crs=3067)
    ttm = travel_time_matrix(model, units, points)
    return Study(units, points, load_municipalities(), borders, load_municipal_centres(),
                 pd.DataFrame({"municipality_code": ["091"], "service_area": ["S"]}), model, ttm,
                 {"model": model.model, "mode": "walk", "data_year": "test", "scenario": "baseline"})


# two hand-made points files (tests/test_points_diff.py worked out their answers by hand): a move of
# 150 m, a re-dated point 60 m off, a recategorised and retargeted one, a removed one whose name a
# spreadsheet would run, an added one with hostile text, one exactly 100 m off
_POINTS_HOSTILE = "Kela <img src=x onerror=alert(1)> [bold]Iso Omena[/bold]"
_POINTS_COLS = "id,name,category,municipality_code,x,y,location_precision,valid_from,valid_to,target_group\n"
_POINTS_OLD = _POINTS_COLS + (
    "a_walkin,\"Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Itä)\",fi_walkin,091,392730,6677226,"
    "address,,,\n"
    "b_kela,Kela palvelupiste Tikkurila,kela,092,391686,6685596,address,,,\n"
    "c_sv,Social- och krisjouren i Östra Nyland (Borgå),sv_appointment,638,425375,6695897,address,,,\n"
    "d_vok,=1+1 Luona – Vantaan vastaanottokeskus,reception_centre,092,387576,6685323,address,,,\n"
    "f_edge,Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä),fi_appointment,858,390531,6701176,address,,,\n")
_POINTS_NEW = _POINTS_COLS + (
    "a_walkin,\"Sosiaalineuvonta (Helsingin kaupunki, aikuissosiaalityö, Itä)\",fi_walkin,091,392820,6677346,"
    "address,,,\n"
    "b_kela,Kela palvelupiste Tikkurila,kela,092,391722,6685644,address,2024-01-01,,\n"
    "c_sv,Social- och krisjouren i Östra Nyland (Borgå),sv_walkin,638,425375,6695897,address,,,emergency\n"
    f"e_kela,{_POINTS_HOSTILE},kela,049,374712,6670528,address,,,\n"
    "f_edge,Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä),fi_appointment,858,390591,6701256,address,,,\n")


@pytest.fixture()
def points_files(tmp_path) -> tuple[Path, Path]:
    """``(old.csv, new.csv)``: the hand-made pair above, written to the test's folder."""
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(_POINTS_OLD, encoding="utf-8")
    new.write_text(_POINTS_NEW, encoding="utf-8")
    return old, new
