"""Things built or imported on first use: a mapping of tables built on first access (the click
path builds only what it shows) and optional dependencies imported where a feature needs them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType

import pandas as pd

from .errors import MissingExtraError

__all__ = ["LazyTables", "EXTRAS", "require"]

DIST = "uusimaa-planner"

# extra -> what it adds (pyproject.toml [project.optional-dependencies]; README "Set-up" lists the same)
EXTRAS = {
    "network": "road networks from OpenStreetMap (osmnx, pyrosm, networkx) and online geocoding (geopy)",
    "optimise": "location optimisation and mobile-service tours (spopt, PuLP, HiGHS, networkx)",
    "fca": "floating-catchment (2SFCA) scores where service points carry a capacity (access)",
    "parquet": "GeoParquet output and Parquet travel-time matrices (pyarrow)",
    "app": "the Streamlit web app (streamlit, streamlit-folium; with network, optimise, fca, parquet)",
}


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming the pip extra that installs it.

    ``feature`` says what needs it, in words ("Building road networks", "GeoParquet output").

    >>> require("json", "network", "a test").__name__
    'json'
    >>> require("no_such_module_xyz", "network", "Building road networks")
    Traceback (most recent call last):
    ...
    planner.errors.MissingExtraError: Building road networks needs the optional package \
'no_such_module_xyz' (not in the core install): pip install 'uusimaa-planner[network]'
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}: expected one of {sorted(EXTRAS)}")
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise  # the module is there but one of its own imports is broken: not ours to rename
        raise MissingExtraError(f"{feature} needs the optional package {top!r} (not in the core "
                                f"install): pip install '{DIST}[{extra}]'") from exc


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

    def __contains__(self, name: object) -> bool:
        # Mapping's own ``in`` reads the item, which would build the table
        return name in self._builders

    @property
    def built(self) -> list[str]:
        """Names of the tables computed so far."""
        return [k for k in self._builders if k in self._tables]
