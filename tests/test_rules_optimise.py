"""Solver rules on hand-made instances: demand weights and the existing-site preference.

Each test is named after the fault it catches. Rows are demand units (weights =
residents), columns candidate sites, entries minutes (``inf`` = cannot use the site).
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimise import OptimisationError, solve

INF = np.inf


@pytest.mark.parametrize("model", ["pmedian", "pcenter", "mclp", "lscp", "add"])
@pytest.mark.parametrize("weights", [[3.0, 0.0, 2.0], [3.0, -1.0, 2.0], [3.0, 2.0]])
def test_zero_negative_or_missing_demand_weights_are_refused(model, weights):
    cost = np.array([[1.0, 5.0], [2.0, 2.0], [5.0, 1.0]])
    kw = {"k": 1, "max_minutes": 10.0}
    if model == "add":
        kw["existing"] = kw["forced"] = np.array([True, False])
    with pytest.raises(OptimisationError, match="weights must be positive"):
        solve(model, cost, np.array(weights), **kw)


def test_existing_site_preference_never_outweighs_one_covered_resident():
    # one site to keep within 10 min: the existing site covers 5 residents, the new one 6
    cost = np.array([[5.0, INF], [INF, 5.0]])
    sol = solve("mclp", cost, np.array([5.0, 6.0]), k=1, max_minutes=10, existing=np.array([True, False]))
    assert sol.selected.tolist() == [False, True] and sol.objective == 6


def test_existing_site_preference_decides_only_ties():
    cost = np.array([[5.0, INF], [INF, 5.0]])
    for existing in ([True, False], [False, True]):
        sol = solve("mclp", cost, np.array([6.0, 6.0]), k=1, max_minutes=10, existing=np.array(existing))
        assert sol.selected.tolist() == existing and sol.objective == 6


def test_existing_site_preference_is_off_for_fractional_weights():
    # shares of residents (0.2 vs 0.3): a tie-break bonus of any fixed size could outweigh them
    cost = np.array([[5.0, INF], [INF, 5.0]])
    sol = solve("mclp", cost, np.array([0.2, 0.3]), k=1, max_minutes=10, existing=np.array([True, False]))
    assert sol.selected.tolist() == [False, True] and sol.objective == pytest.approx(0.3)


def test_existing_site_preference_never_outweighs_coverage_with_many_existing_sites():
    # 6 existing sites each cover one resident; 2 new sites each cover 2 residents (k = 2):
    # the new pair covers 4, any pair with an existing site at most 3
    m_old = 6
    n = m_old + 4
    cost = np.full((n, m_old + 2), INF)
    for j in range(m_old):
        cost[j, j] = 1.0
    cost[m_old:m_old + 2, m_old] = 1.0
    cost[m_old + 2:, m_old + 1] = 1.0
    existing = np.array([True] * m_old + [False, False])
    sol = solve("mclp", cost, np.ones(n), k=2, max_minutes=5, existing=existing)
    assert sol.objective == 4 and sol.selected[m_old:].all()


def test_lscp_preference_for_existing_sites_never_adds_a_site():
    # both rows are covered by the single new site; two existing sites would also cover them
    cost = np.array([[1.0, INF, 2.0], [INF, 1.0, 2.0]])
    sol = solve("lscp", cost, np.array([1.0, 1.0]), max_minutes=5, existing=np.array([True, True, False]))
    assert sol.selected.tolist() == [False, False, True]
