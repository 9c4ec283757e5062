"""Every default of the planner in one place.

Settings are frozen dataclasses passed explicitly to the functions that need
them (no module-level mutable state). ``Settings()`` gives the documented
defaults; ``dataclasses.replace`` derives a variant.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ModeParams", "Settings", "DEFAULT_SETTINGS", "GEODATA_DIR", "default_cache_dir"]


def _geodata_dir() -> Path:
    """The bundled data folder: ``planner/geodata`` inside the installed package.

    In the repository ``planner/geodata`` is a symlink to the top-level ``geodata/``
    (which the wheel copies into the package); a checkout without symlinks falls back
    to the top-level folder.
    """
    from importlib.resources import files

    packaged = files("planner") / "geodata"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "geodata"


GEODATA_DIR = _geodata_dir()


def default_cache_dir() -> Path:
    """User cache folder: ``$PLANNER_CACHE_DIR``, else the platform's user cache folder
    (``platformdirs``: ``$XDG_CACHE_HOME/uusimaa-planner`` or ``~/.cache/uusimaa-planner`` on Linux)."""
    env = os.environ.get("PLANNER_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_path

    return user_cache_path("uusimaa-planner", appauthor=False)


DATA_DIR_ENV = "PLANNER_DATA_DIR"


def user_data_dir() -> Path:
    """The user's own planner files (saved scenarios, imported matrices): ``$PLANNER_DATA_DIR``,
    else the platform's user data folder (``platformdirs.user_data_dir``)."""
    base = os.environ.get(DATA_DIR_ENV)
    if not base:
        from platformdirs import user_data_dir as platform_data_dir

        base = platform_data_dir("uusimaa-planner", appauthor=False)
    return Path(base)


@dataclass(frozen=True)
class ModeParams:
    """Parameters of a plain straight-line travel-time line (hand-made cases, what-if tests).

    The planner's default estimate is fitted per distance band and mode instead
    (``geodata/travel_time_estimate.json``, :mod:`planner.traveltime.estimate`).

    time_min = distance_m * circuity / (speed_kmh / 60 * 1000) + access_min

    Attributes
    ----------
    speed_kmh : effective travel speed along the route, km/h.
    circuity : route length / straight-line length (dimensionless, >= 1).
    access_min : fixed time per trip, minutes (walking to and from the car,
        parking, waiting); 0 for walking.
    source : where the numbers come from.
    """

    speed_kmh: float
    circuity: float
    access_min: float
    source: str

    def metres_per_minute(self) -> float:
        return self.speed_kmh * 1000.0 / 60.0


@dataclass(frozen=True)
class Settings:
    """All tunables of the planner.

    Distances are metres, times minutes, CRS strings are EPSG codes.
    """

    crs: str = "EPSG:3067"  # ETRS-TM35FIN: all metric work
    web_crs: str = "EPSG:4326"  # only at the web-map edge
    data_year: int = 2022  # population year of the postal areas
    thresholds_min: tuple[int, ...] = (15, 30, 45, 60)
    # a service point may lie this far outside its generalised (1:4.5M) municipal polygon
    boundary_tolerance_m: float = 2000.0
    # grid cells whose centre is farther than this from every (land) postal area are
    # "unlocated" residents (HSY's bucket cell in the sea)
    unlocated_max_m: float = 1000.0
    # network model: walking speed for walk edges and for the snap leg, km/h
    network_walk_kmh: float = 4.2
    # demand / service points farther than this from any network node are reported
    snap_max_m: float = 1000.0
    # network model: each point joins the network through a virtual node linked to every
    # node within this radius (and always to its nearest node), each link its own walked
    # snap leg, so the sweep finds the real way in (not a platform or service way's detour)
    snap_radius_m: float = 100.0
    # processes sharing the shortest-path sweeps of a large request (scipy's dijkstra holds
    # the GIL, so threads would not help); 1 = in this process only
    sweep_workers: int = 2
    service_area_preset: str = "six_areas"
    # mobile-unit stop optimiser (issue 14): residents farther than this from a fixed point
    # of their need and language count as not served, and a stop covers them within it
    mobile_threshold_min: float = 30.0
    mobile_day: str = "tue"  # the day of the optimised unit's tour
    mobile_first_start: str = "09:00"  # the first stop opens at this time
    mobile_stop_min: int = 60  # minutes spent at each stop
    # tours through at most this many places (stops + depot) are solved to proven optimality
    # (a MILP through HiGHS/CBC); longer ones with networkx's threshold accepting only
    mobile_exact_tour_max: int = 12
    # maximal-covering solves (each followed by a tour check) before the search stops
    mobile_max_iterations: int = 300
    # the largest origin x destination matrix allocated at once (rows x points): 20 M cells are
    # 160 MB of float64 per copy, and a run holds a handful of copies (times, errors, per-need
    # blocks), so a run stays under 4 GB; more is refused before any allocation (issue 25)
    max_matrix_cells: int = 20_000_000
    geodata_dir: Path = GEODATA_DIR
    cache_dir: Path = field(default_factory=default_cache_dir)


DEFAULT_SETTINGS = Settings()
