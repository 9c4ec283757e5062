"""The default travel-time estimate: a curve of straight-line distance fitted per mode.

``log(time) `` is a piecewise-linear, non-decreasing function of ``log(distance)``
with knots from 250 m to 45 km, fitted on the routed Helsinki Region Travel Time
Matrix 2015 (:mod:`planner.traveltime.calibration`, ``planner calibrate --write``).
Speed and access time therefore depend on trip length: short car trips carry the
walk to the car and parking, long ones the motorway speed. The fitted values and
the cross-validated error per distance band are data
(``geodata/travel_time_estimate.json``); at run time only that small file is read.

Below the first knot (250 m) time grows in proportion to distance from 0 min at
0 m (the matrix itself gives 0 min within a cell); beyond the last knot (35 km, the
longest calibration trip) it grows at the curve's mean speed over its last 20 km.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist

from ..settings import DEFAULT_SETTINGS, Settings

__all__ = [
    "BANDS_KM",
    "ESTIMATE_MODES",
    "MODE_ALIASES",
    "NETWORK_MODES",
    "EstimateParams",
    "DistanceCurveModel",
    "canonical_mode",
    "load_params",
    "estimate_model",
    "band_index",
]

STRAIGHT_LINE = "straight-line estimate"
# distance bands of the error table, km (upper bounds exclusive; trips over 40 km use the last band)
BANDS_KM = (0, 2, 5, 10, 20, 40)
ESTIMATE_MODES = ("walk", "drive", "drive_rush", "pt", "pt_rush")
MODE_ALIASES = {"car": "drive", "car_rush": "drive_rush"}
NETWORK_MODES = ("walk", "drive")  # what the OSM road-network model can route


def canonical_mode(mode: str) -> str:
    """``mode`` with aliases resolved (``car`` -> ``drive``); ValueError when unknown."""
    m = MODE_ALIASES.get(mode, mode)
    if m not in ESTIMATE_MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(ESTIMATE_MODES)} "
                         "(or 'car' for drive)")
    return m


def band_index(distance_m: np.ndarray) -> np.ndarray:
    """Index 0..4 of the distance band of each straight-line distance (metres)."""
    edges = np.asarray(BANDS_KM[1:-1], float) * 1000.0
    return np.searchsorted(edges, np.asarray(distance_m, float), side="right")


def band_labels() -> list[str]:
    return [f"{a}-{b} km" for a, b in zip(BANDS_KM[:-1], BANDS_KM[1:], strict=True)]


@dataclass(frozen=True)
class EstimateParams:
    """Fitted curve of one mode and its cross-validated error.

    ``knots_m``: straight-line distances (m); ``minutes``: travel time at each knot
    (non-decreasing); ``error_p90_min`` / ``error_median_min``: cross-validated
    absolute error per band of :data:`BANDS_KM` (minutes); ``label``: what the
    reference time is (e.g. coarsest estimate for public transport).
    """

    mode: str
    knots_m: tuple[float, ...]
    minutes: tuple[float, ...]
    error_p90_min: tuple[float, ...]
    error_median_min: tuple[float, ...]
    label: str
    reference: str

    def times_at(self, distance_m: np.ndarray) -> np.ndarray:
        """Minutes at straight-line distances (metres), any shape."""
        d = np.asarray(distance_m, float)
        k = np.asarray(self.knots_m, float)
        t = np.asarray(self.minutes, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = np.exp(np.interp(np.log(np.clip(d, k[0], k[-1])), np.log(k), np.log(t)))
        near = t[0] * d / k[0]
        # beyond the data: the mean speed over the last 20 km of the curve (m/min)
        j = int(np.searchsorted(k, k[-1] - 20000.0))
        far_speed = (k[-1] - k[j]) / max(t[-1] - t[j], 1e-9)
        far = t[-1] + (d - k[-1]) / far_speed
        out = np.where(d < k[0], near, np.where(d > k[-1], far, inner))
        return np.where(np.isnan(d), np.nan, out)

    @property
    def max_m(self) -> float:
        """The calibration's longest trip (m): the last knot; beyond it the error is not measured."""
        return float(self.knots_m[-1])

    def extrapolated_at(self, distance_m: np.ndarray, minutes: np.ndarray | None = None) -> np.ndarray:
        """True where a trip lies beyond the calibration range of the mode (issue 24): farther than
        its longest calibration trip, or longer in minutes than the curve's time there."""
        d = np.asarray(distance_m, float)
        out = np.nan_to_num(d) > self.max_m
        if minutes is not None:
            with np.errstate(invalid="ignore"):
                out = out | (np.asarray(minutes, float) > float(self.minutes[-1]))
        return out

    def error_at(self, distance_m: np.ndarray) -> np.ndarray:
        """Cross-validated p90 absolute error (min) of the band of each distance; NaN beyond the
        calibration range (issue 24: an error is stated only where it was measured)."""
        d = np.asarray(distance_m, float)
        err = np.asarray(self.error_p90_min, float)[band_index(np.nan_to_num(d))]
        return np.where(np.isnan(d) | self.extrapolated_at(d), np.nan, err)

    def summary(self) -> str:
        """One line: the error per band, e.g. '0-2 km ±1.6, 2-5 km ±2.9 ... min'; the last band
        ends at the longest calibration trip and longer trips are said to be not measured."""
        top = self.max_m / 1000.0
        labels = [f"{a}-{min(b, top):g} km" for a, b in zip(BANDS_KM[:-1], BANDS_KM[1:], strict=True)]
        parts = [f"{lab} ±{e:.1f}" for lab, e in zip(labels, self.error_p90_min, strict=True)]
        return ", ".join(parts) + f" min; beyond {top:g} km (extrapolated): not measured"


def default_params_path(settings: Settings = DEFAULT_SETTINGS) -> Path:
    return Path(settings.geodata_dir) / "travel_time_estimate.json"


@lru_cache(maxsize=8)
def _read(path: str) -> dict[str, EstimateParams]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for mode, p in raw["modes"].items():
        out[mode] = EstimateParams(mode, tuple(raw["knots_m"]), tuple(p["minutes"]),
                                   tuple(p["error_p90_min"]), tuple(p["error_median_min"]),
                                   p["label"], p["reference"])
    return out


def load_params(mode: str, path: str | Path | None = None,
                settings: Settings = DEFAULT_SETTINGS) -> EstimateParams:
    """Fitted parameters of ``mode`` from the shipped JSON (``planner calibrate --write``)."""
    return _read(str(path or default_params_path(settings)))[canonical_mode(mode)]


@dataclass(frozen=True)
class DistanceCurveModel:
    """Travel time from straight-line distance through the fitted per-mode curve.

    >>> m = estimate_model("walk")
    >>> bool(m.times(np.zeros((1, 2)), np.zeros((1, 2)))[0, 0] == 0.0)  # same place: 0 min
    True
    """

    mode: str
    params: EstimateParams
    model: str = STRAIGHT_LINE

    def distances(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        return cdist(np.asarray(origins, float).reshape(-1, 2),
                     np.asarray(destinations, float).reshape(-1, 2))

    def times(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) minutes between EPSG:3067 origins (n, 2) and destinations (m, 2)."""
        return self.params.times_at(self.distances(origins, destinations))

    def error_p90_min(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) cross-validated p90 absolute error (min) at each trip's distance band (NaN
        beyond the calibration range)."""
        return self.params.error_at(self.distances(origins, destinations))

    def extrapolated(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(n, m) True where the trip lies beyond the calibration range of the mode."""
        return self.params.extrapolated_at(self.distances(origins, destinations))

    def provenance(self) -> dict[str, str]:
        p = self.params
        wait = first_wait_note(self.mode)
        return {**({"pt_wait": wait} if wait else {}),
            "model": self.model,
            "mode": self.mode,
            "network_source": "none (straight-line distance)",
            "osm_date": "n/a",
            "model_parameters": f"time curve of straight-line distance fitted per distance band ({p.label})",
            "model_parameter_source": f"fitted on {p.reference} of the Helsinki Region Travel Time "
            "Matrix 2015 (Tenkanen & Toivonen 2020), 5 destinations, leave-one-destination-out "
            "cross-validated",
            "time_error_p90_min": p.summary(),
        }


# Issue 24: the PT reference (pt_m_t / pt_r_t) starts the clock when the traveller leaves home:
# the wait before the first leg is left out. Measured in the routed calibration set
# (geodata/helsinki_region/travel_times_2015_calibration.gpkg, 65,100 routed pairs per column):
# pt_m_tt - pt_m_t median 12, p90 25 min; pt_r_tt - pt_r_t median 11, p90 21 min
# (tests/test_rules_honest_errors.py recomputes them).
FIRST_WAIT_MIN = {"pt": (12.0, 25.0), "pt_rush": (11.0, 21.0)}


def first_wait_note(mode: str) -> str:
    """The provenance line saying that a PT estimate excludes the wait before the first leg."""
    if mode not in FIRST_WAIT_MIN:
        return ""
    med, p90 = FIRST_WAIT_MIN[mode]
    col = "pt_m_tt" if mode == "pt" else "pt_r_tt"
    return (f"excludes the wait before the first leg; the routed door-to-door time with that wait "
            f"({col}) is longer by a median of {med:g} min (p90 {p90:g} min) in the calibration set")


def estimate_model(mode: str, settings: Settings = DEFAULT_SETTINGS) -> DistanceCurveModel:
    """The calibrated estimate for ``mode`` (walk, drive/car, drive_rush, pt, pt_rush)."""
    m = canonical_mode(mode)
    return DistanceCurveModel(m, load_params(m, settings=settings))


def choose_model(network: str | Path | None, mode: str, demand: str,
                 settings: Settings = DEFAULT_SETTINGS):
    """The road-network model where one is available and routes ``mode``, else None (= the estimate).

    ``drive_rush``, ``pt`` and ``pt_rush`` exist only as estimates: asking for them with a
    stored network (``--network FILE``) is a ValueError saying so; with no ``--network`` they
    use the estimate even where a network exists (see
    :func:`planner.traveltime.network.resolve_model` for walk and drive).
    """
    m = canonical_mode(mode)
    if m not in NETWORK_MODES:
        if network is not None and str(network).lower() != "none":
            raise ValueError(f"the road-network model routes only {' and '.join(NETWORK_MODES)}: "
                             f"mode {mode!r} exists only as the straight-line estimate; "
                             "leave out --network or give --network none")
        return None
    from .network import resolve_model

    return resolve_model(network, m, demand, settings)
