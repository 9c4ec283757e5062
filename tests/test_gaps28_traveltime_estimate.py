"""The straight-line estimate's curve, error and range at their boundaries (issue 28, round 2).

A hand-made curve: 5 min at 250 m, 10 min at 1 km, 30 min at 15 km, 50 min at 35 km (the
longest calibration trip); every value below is worked out by hand from it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.traveltime.estimate import EstimateParams, choose_model, estimate_model, first_wait_note

P = EstimateParams("walk", (250.0, 1000.0, 15000.0, 35000.0), (5.0, 10.0, 30.0, 50.0),
                   (1.0, 2.0, 3.0, 4.0, 5.0), (0.5, 1.0, 1.5, 2.0, 2.5), "walking", "walk_t")


def test_times_below_inside_and_beyond_the_curve():
    d = np.array([0.0, 125.0, 250.0, 500.0, 1000.0, 35000.0, 45000.0, np.nan])
    t = P.times_at(d)
    # below the first knot: proportional (5 min per 250 m); 500 m: log-log halfway, sqrt(5 * 10)
    assert t[:5].tolist() == pytest.approx([0.0, 2.5, 5.0, math.sqrt(50.0), 10.0])
    # beyond 35 km: the mean speed of the last 20 km (15 -> 35 km in 20 min: 1000 m/min)
    assert t[5:7].tolist() == pytest.approx([50.0, 60.0])
    assert math.isnan(t[7])
    assert P.times_at(np.array([[1000.0], [15000.0]])).shape == (2, 1)


def test_the_far_speed_starts_at_the_knot_20_km_before_the_last():
    # knots 20 km and 25 km before the end: the speed is over the 20 km from the knot at 15 km
    p = EstimateParams("drive", (250.0, 10000.0, 15000.0, 35000.0), (1.0, 10.0, 15.0, 35.0),
                       (1.0,) * 5, (1.0,) * 5, "car", "car_m_t")
    assert p.times_at(np.array([36000.0]))[0] == pytest.approx(36.0)  # 20 km in 20 min: 1 km/min


def test_the_error_is_stated_only_inside_the_calibration_range():
    d = np.array([1000.0, 1999.0, 2000.0, 34999.0, 35000.0, 35001.0, np.nan])
    err = P.error_at(d)
    assert err[:5].tolist() == [1.0, 1.0, 2.0, 5.0, 5.0]
    assert np.isnan(err[5:]).all()
    assert P.max_m == 35000.0


def test_a_trip_is_extrapolated_beyond_the_longest_trip_or_its_minutes():
    ext = P.extrapolated_at(np.array([35000.0, 35000.5, 100.0, 100.0, np.nan]),
                            np.array([50.0, 1.0, 50.5, np.nan, np.nan]))
    assert ext.tolist() == [False, True, True, False, False]
    assert P.extrapolated_at(np.array([35000.0, 35001.0])).tolist() == [False, True]


def test_the_summary_names_each_band_and_the_end_of_the_calibration():
    assert P.summary() == ("0-2 km ±1.0, 2-5 km ±2.0, 5-10 km ±3.0, 10-20 km ±4.0, 20-35 km ±5.0 min; "
                           "beyond 35 km (extrapolated): not measured")


def test_the_public_transport_estimate_states_the_first_wait_it_leaves_out():
    assert first_wait_note("pt") == (
        "excludes the wait before the first leg; the routed door-to-door time with that wait (pt_m_tt) "
        "is longer by a median of 12 min (p90 25 min) in the calibration set")
    assert first_wait_note("pt_rush").endswith("(pt_r_tt) is longer by a median of 11 min (p90 21 min) "
                                               "in the calibration set")
    assert first_wait_note("walk") == "" and first_wait_note("drive_rush") == ""
    prov = estimate_model("pt").provenance()
    assert prov["pt_wait"] == first_wait_note("pt")
    assert "pt_wait" not in estimate_model("walk").provenance()
    assert prov["network_source"] == "none (straight-line distance)" and prov["osm_date"] == "n/a"


def test_modes_without_a_network_refuse_a_network_file(tmp_path):
    with pytest.raises(ValueError, match=r"^the road-network model routes only walk and drive: mode "
                                         r"'pt_rush' exists only as the straight-line estimate"):
        choose_model(tmp_path / "walk.npz", "pt_rush", "grid")
    assert choose_model(None, "pt", "grid") is None and choose_model("None", "drive_rush", "grid") is None


def test_mode_names_and_their_aliases():
    from planner.traveltime.estimate import canonical_mode

    names = [canonical_mode(m) for m in ("car", "car_rush", "walk", "pt_rush")]
    assert names == ["drive", "drive_rush", "walk", "pt_rush"]
    with pytest.raises(ValueError, match=r"^unknown mode 'bike': expected one of walk, drive, drive_rush, "
                                         r"pt, pt_rush \(or 'car' for drive\)$"):
        canonical_mode("bike")
    assert estimate_model("car_rush").mode == "drive_rush"
    assert estimate_model("car_rush").params.reference.endswith("(`car_r_t`)")
