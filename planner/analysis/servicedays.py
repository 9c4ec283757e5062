"""Days of service: how many days a week a point serves and the expected wait until the next one.

Fixed points are assumed open Monday to Friday; a mobile unit's stops are served on their
schedule's days (:mod:`planner.analysis.mobile`). Used by :mod:`planner.analysis.accessibility`.
"""

from __future__ import annotations

__all__ = ["DAYS", "FIXED_DAYS", "FIXED_VISITS_PER_WEEK", "FIXED_WAIT_DAYS", "expected_wait_days",
           "visits_per_week"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIXED_DAYS = DAYS[:5]  # assumption: a fixed office is open Monday to Friday


def visits_per_week(days) -> int:
    """Days of service a week: distinct visit days (two visits on one day count once).

    >>> visits_per_week(["tue", "tue", "fri"])
    2
    """
    return len(set(days))


def expected_wait_days(days) -> float:
    """Mean days until the next visit day, for a need arising on a uniformly random weekday.

    A need on a visit day is served that day (0). One visit a week gives (0+1+...+6)/7 = 3.0;
    Monday-Friday gives (0*5 + 2 + 1)/7 = 3/7.

    >>> expected_wait_days(["tue"]), round(expected_wait_days(FIXED_DAYS), 4)
    (3.0, 0.4286)
    """
    on = {DAYS.index(d) for d in days}
    if not on:
        raise ValueError("a schedule needs at least one visit day")
    return sum(min((v - d) % 7 for v in on) for d in range(7)) / 7


FIXED_VISITS_PER_WEEK = visits_per_week(FIXED_DAYS)  # 5
FIXED_WAIT_DAYS = expected_wait_days(FIXED_DAYS)  # 3/7 day
