"""The travel-time matrix and the functions that ask a model for times, errors and range, at
their boundaries (issue 28, tests that catch, round 2). Hand-made lines and matrices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planner.errors import DataError
from planner.settings import DEFAULT_SETTINGS, ModeParams
from planner.traveltime.estimate import DistanceCurveModel, EstimateParams
from planner.traveltime.model import (
    StraightLineModel,
    TravelTimeMatrix,
    check_matrix_cells,
    error_p90_min,
    extrapolated,
    model_times,
)

LINE = StraightLineModel("drive", ModeParams(60.0, 1.5, 2.0, "hand-made"))  # 1 km/min x 1.5 + 2 min


def test_a_straight_line_by_hand_and_its_provenance():
    t = LINE.times(np.array([[0.0, 0.0], [3000.0, 4000.0]]), np.array([[0.0, 0.0]]))
    assert t.tolist() == [[2.0], [9.5]]  # 5 km x 1.5 / 1000 m/min + 2 min
    assert LINE.provenance() == {"model": "straight-line estimate", "mode": "drive",
                                 "network_source": "none (straight-line distance)", "osm_date": "n/a",
                                 "model_parameters": "speed 60 km/h, circuity 1.5, access 2 min",
                                 "model_parameter_source": "hand-made"}
    err = LINE.error_p90_min(np.zeros((3, 2)), np.zeros((2, 2)))
    assert err.shape == (3, 2) and np.isnan(err).all()


def test_the_matrix_checks_its_shape_and_names_missing_points():
    with pytest.raises(ValueError, match=r"^matrix shape \(2, 1\) does not match 2 origins x 2 points$"):
        TravelTimeMatrix(np.array(["a", "b"]), np.array(["p", "q"]), np.zeros((2, 1)))
    m = TravelTimeMatrix(np.array(["a", "b"]), np.array(["p", "q"], dtype=object),
                         np.array([[1.0, 2.0], [3.0, np.inf]]), {"model": "x"})
    assert m.columns(["q", "p"]).tolist() == [[2.0, 1.0], [np.inf, 3.0]]
    with pytest.raises(KeyError, match=r"points not in the matrix: \['r', 's'\]"):
        m.columns(["p", "r", "s"])
    wider = m.with_points(["r"], [5.0, 6.0])
    assert wider.point_ids.tolist() == ["p", "q", "r"] and wider.time_min[:, 2].tolist() == [5.0, 6.0]
    assert wider.provenance == {"model": "x"} and wider.provenance is not m.provenance
    assert m.point_ids.tolist() == ["p", "q"]
    long = m.to_long()
    assert long.values.tolist() == [["a", "p", 1.0], ["a", "q", 2.0], ["b", "p", 3.0], ["b", "q", np.inf]]


@dataclasses.dataclass
class _WithSettings:
    settings: object
    model: str = "hand-made"
    mode: str = "drive"

    def times(self, origins, destinations):
        return LINE.times(origins, destinations)


def test_the_matrix_size_cap_lets_exactly_the_cap_through():
    s = dataclasses.replace(DEFAULT_SETTINGS, max_matrix_cells=6)
    check_matrix_cells(2, 3, s)
    with pytest.raises(DataError, match=r"^7 origins x 1 service points = 0\.0 M travel times, more than "
                                        r"the 0 M this planner computes at once \(0\.0 GB per copy"):
        check_matrix_cells(7, 1, s)
    with pytest.raises(DataError, match=r"^7,000 cells x 3,000 service points = 21\.0 M travel times, more "
                                        r"than the 20 M this planner computes at once \(0\.2 GB per copy, "
                                        r"and a run holds several\): use a smaller area"):
        check_matrix_cells(7000, 3000, rows="cells")
    capped = _WithSettings(s)  # a model carrying its settings: its cap applies
    with pytest.raises(DataError, match="3 origins x 3 service points"):
        model_times(capped, np.zeros((3, 2)), np.zeros((3, 2)))
    assert model_times(capped, np.zeros((2, 2)), np.zeros((3, 2))).shape == (2, 3)


def test_unlocated_origins_have_no_error_and_are_never_extrapolated():
    p = EstimateParams("walk", (250.0, 35000.0), (5.0, 50.0), (1.0, 2.0, 3.0, 4.0, 5.0), (1.0,) * 5, "w", "r")
    est = DistanceCurveModel("walk", p)
    o = np.array([[0.0, 0.0], [np.nan, np.nan], [0.0, 40000.0]])
    d = np.array([[0.0, 1000.0], [0.0, 3000.0]])
    err = error_p90_min(est, o, d)
    assert err[0].tolist() == [1.0, 2.0] and np.isnan(err[1]).all() and np.isnan(err[2]).all()
    ext = extrapolated(est, o, d)
    assert ext.tolist() == [[False, False], [False, False], [True, True]]
    assert extrapolated(LINE, o, d).tolist() == [[False] * 2] * 3  # no calibration range
    assert np.isnan(error_p90_min(None, o, d)).all()
    assert error_p90_min(est, o, np.empty((0, 2))).shape == (3, 0)
    assert extrapolated(est, o[1:2], d).tolist() == [[False, False]]
