"""Location-allocation: which service points to keep and where to add new ones.

The inverse of the scenario workbench: instead of evaluating a hand-made network,
ask an established location-allocation model for one, and get it back as an
ordinary :class:`planner.analysis.scenario.Scenario` (closes the existing points not kept,
opens the new ones) that evaluates and compares like any other.

Models (all built with PySAL ``spopt`` and solved through PuLP, HiGHS via
``highspy`` when available, otherwise CBC):

=========== ==========================================================================
``pmedian``  keep ``k`` points minimising the population-weighted travel time
             (``spopt.locate.PMedian``).
``lscp``     the fewest points so that a share of residents is within ``T`` minutes:
             ``spopt.locate.LSCP`` for a share of 100 %, otherwise the smallest ``p``
             whose maximal-covering optimum (``spopt.locate.MCLP``) reaches the share,
             found by bisection on ``p`` (see :func:`solve`).
``mclp``     keep ``k`` points maximising the residents within ``T`` minutes
             (``spopt.locate.MCLP``).
``pcenter``  keep ``k`` points minimising the worst travel time
             (``spopt.locate.PCenter``), ties broken by the population-weighted time.
``add``      add up to ``k`` new points to today's network maximising the residents
             within ``T`` minutes (``MCLP`` with every existing point fixed open).
``mobile``   the ``K`` stops of one mobile unit covering the most residents not within
             ``T`` of a fixed point, its closed driving tour <= ``M`` minutes
             (:mod:`.mobile`: maximal covering with no-good cuts, tours by networkx
             and an exact TSP MILP; :func:`optimise_mobile`).
=========== ==========================================================================

Constraints that spopt's classes do not express are added to the model's
underlying ``pulp`` problem (``model.problem``) before it is solved:

* must-keep points: spopt's own ``predefined_facilities_arr`` (fixes ``y_j = 1``);
* at least one point per municipality / service area, and a Swedish-serving point in
  every bilingual municipality: ``sum(y_j for j in group) >= 1`` per group;
* forbidden assignments (a Finnish speaker to a Swedish-only point when both language
  groups are optimised together, or an unreachable pair): the assignment variable's
  upper bound is set to 0 (p-median, p-center); the coverage models see them as
  uncovered (``inf`` minutes);
* tie-breaks: among equally good covering solutions prefer existing points (a term
  ``eps * sum(y_j, existing j)`` too small to change the primary objective); the
  p-center is solved twice, the second time minimising the weighted travel time with
  the worst time held at its optimum (lexicographic).

Demand rows are the located demand units of the chosen language group, weighted by
its population (``pop_fi``, ``pop_sv``; ``pop_total`` when the need's categories are
the same for both groups, e.g. Kela). Group ``all`` for a need with language-specific
categories stacks a Finnish row and a Swedish row per unit. Unlocated units (no
origin) and units no candidate can reach are excluded and reported.

Modules: ``base`` (names, defaults, the error), ``solver`` (models on cost arrays),
``inputs`` (demand rows, candidates and costs from a study), ``run`` (the high-level
:func:`optimise_network`, its result, scenario and report), ``mobile`` and ``tour``
(the mobile-unit stops and their driving tour).
"""

from __future__ import annotations

from .base import CANDIDATE_KINDS, DEFAULT_MIN_POSTAL_POP, MODELS, OptimisationError
from .inputs import candidate_sites, cost_matrix, demand_rows
from .mobile import MobileResult, MobileSolution, mobile_yaml, optimise_mobile, solve_mobile
from .run import OptimisationResult, optimise_network
from .solver import Solution, available_solver, objective_value, solve

__all__ = [
    "MODELS",
    "CANDIDATE_KINDS",
    "DEFAULT_MIN_POSTAL_POP",
    "OptimisationError",
    "Solution",
    "OptimisationResult",
    "available_solver",
    "candidate_sites",
    "demand_rows",
    "cost_matrix",
    "objective_value",
    "solve",
    "optimise_network",
    "MobileResult",
    "MobileSolution",
    "mobile_yaml",
    "optimise_mobile",
    "solve_mobile",
]
