"""Model names, candidate kinds, defaults and the error of the optimisation package."""

from __future__ import annotations

from ..errors import PlannerError

MODELS: dict[str, str] = {
    "pmedian": "p-median (minimise the population-weighted travel time)",
    "lscp": "set covering (fewest points so that a share of residents is within T minutes)",
    "mclp": "maximal covering (most residents within T minutes with k points)",
    "pcenter": "p-center (minimise the worst travel time)",
    "add": "add points (most residents within T minutes by adding up to k new points)",
}
CANDIDATE_KINDS = ("existing", "centres", "postal")
DEFAULT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "pmedian": ("existing",), "lscp": ("existing",), "mclp": ("existing",), "pcenter": ("existing",),
    "add": ("existing", "centres", "postal"),
}
DEFAULT_MIN_POSTAL_POP = 5000
"""Postal areas with at least this many residents give a candidate site (about 140 of 390)."""
PER_OPTIONS = ("municipality", "service_area")
_SOLVER_LABEL = {"HiGHS": "HiGHS (highspy) via PuLP", "HiGHS_CMD": "HiGHS (command line) via PuLP",
                 "PULP_CBC_CMD": "CBC via PuLP"}


class OptimisationError(PlannerError, ValueError):
    """An optimisation that cannot be set up or has no solution (infeasible constraints, ...)."""
