"""Shared fixtures: the bundled Uusimaa data, loaded once per session."""

from __future__ import annotations

import os
import tempfile
import warnings

import pytest

# Tests never write to the user's cache folder (networks, Overpass responses).
os.environ.setdefault("PLANNER_CACHE_DIR", tempfile.mkdtemp(prefix="planner-test-cache-"))

from planner.errors import PlannerWarning


@pytest.fixture(scope="session")
def study():
    from planner.study import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return load_study()


@pytest.fixture(scope="session")
def baseline(study):
    from planner.study import evaluate_points

    return evaluate_points(study)


@pytest.fixture(scope="session")
def borders():
    from planner.data import load_municipal_borders

    return load_municipal_borders()
