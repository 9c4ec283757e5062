"""Exceptions of the planner.

Each error also inherits the built-in it refines, so callers can catch either.
"""

from __future__ import annotations

__all__ = ["PlannerError", "DataError", "ScenarioError", "NetworkError", "PlannerWarning", "OutputError",
           "MissingExtraError"]


class PlannerError(Exception):
    """Base class of every planner error."""


class DataError(PlannerError, ValueError):
    """Bad input data, located by file, row and field.

    ``row`` is the 1-based data row (the header is row 0 in CSV terms, so row 1 is
    the first record); ``field`` the column name.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.reason = message
        where = []
        if file is not None:
            where.append(f"file {file}")
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class ScenarioError(DataError):
    """A scenario file that cannot be applied (unknown point, self-merge, ...)."""


class NetworkError(PlannerError, RuntimeError):
    """A road network that cannot be built, loaded or used."""


class PlannerWarning(UserWarning):
    """Something the user should know that does not stop the run (e.g. repaired geometry)."""


class OutputError(PlannerError, OSError):
    """An output that cannot be written where asked (a file where a folder is meant, read-only, ...)."""


class MissingExtraError(PlannerError, ImportError):
    """A feature whose optional dependency is not installed; the message names the extra to install."""
