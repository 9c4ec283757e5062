"""A mapping of tables built on first access (the click path builds only what it shows)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pandas as pd

__all__ = ["LazyTables"]


class LazyTables(Mapping[str, pd.DataFrame]):
    """``{name: table}`` whose tables are computed the first time they are read, then kept.

    Iterating, ``len`` and ``in`` need no table; ``items()`` / ``values()`` build them all
    (an export reads every table, the app's click path one or two).

    >>> t = LazyTables({"a": lambda: pd.DataFrame({"x": [1]})})
    >>> t.built, int(t["a"]["x"].iloc[0]), t.built
    ([], 1, ['a'])
    """

    def __init__(self, builders: Mapping[str, Callable[[], pd.DataFrame]]) -> None:
        self._builders = dict(builders)
        self._tables: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            self._tables[name] = self._builders[name]()  # KeyError for an unknown name
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    @property
    def built(self) -> list[str]:
        """Names of the tables computed so far."""
        return [k for k in self._builders if k in self._tables]
