"""Road networks from OpenStreetMap: building, storing and loading.

A :class:`Network` is a directed street graph ready for routing: nodes with
coordinates in metres (EPSG:3067) and edges in compressed sparse row (CSR) form
with a travel time in seconds per edge, plus a metadata record saying where the
data came from (OSM source, OSM date, mode, area). It is built

* from OpenStreetMap through osmnx and the Overpass API, for a municipality, a
  service area, all of Uusimaa or any polygon (:func:`fetch_network`), or
* from a local OpenStreetMap extract, ``.osm.pbf`` through pyrosm or ``.osm`` XML
  through osmnx (:func:`network_from_file`),

and stored in one uncompressed ``.npz`` file that reloads in milliseconds
(:func:`save_network`, :func:`load_network`). Travel times on a network are
computed by :mod:`planner.traveltime.network`.

Edge travel times
-----------------
walk
    edge length / ``settings.network_walk_kmh`` on every walkable way, both
    directions.
drive
    osmnx ``add_edge_speeds`` / ``add_edge_travel_times``: the way's ``maxspeed``
    (Finnish implicit values such as ``FI:urban`` understood), and where a way has
    none, the default of its highway type in :data:`FI_DEFAULT_SPEEDS_KMH`.
    One-way streets are respected. These are free-flow times at the speed limit,
    without junction delays, congestion or parking.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import sparse
from shapely.geometry.base import BaseGeometry

from ..errors import DataError, NetworkError
from ..inputs import data
from ..lazy import require
from ..settings import DEFAULT_SETTINGS, Settings

if TYPE_CHECKING:  # networkx comes with the [network] extra; the core only loads stored networks
    import networkx as nx

__all__ = [
    "MODES",
    "FI_DEFAULT_SPEEDS_KMH",
    "FALLBACK_SPEED_KMH",
    "merge_networks",
    "fetch_network_in_parts",
    "region_parts",
    "STORE_FORMAT",
    "Network",
    "Progress",
    "area_polygon",
    "fetch_network",
    "network_from_file",
    "built_with",
    "osm_graph_from_file",
    "network_from_graph",
    "network_from_edges",
    "save_network",
    "load_network",
    "network_cache_path",
    "stored_networks",
    "find_stored_network",
    "compile_way_filter",
    "osm_way_filter",
]

Progress = Callable[[str], None]
PartProgress = Callable[[int, int, str], None]
SEAM_SHARE = 0.5
"""Half-width of the band around part borders whose nodes every part keeps, as a share of
``settings.boundary_tolerance_m`` (the overlap of each part beyond its border), see
:func:`fetch_network_in_parts`: 1 km at the default 2 km."""
"""A progress callback: receives one human-readable line at a time."""

MODES = {"walk": ("walking", "walk"), "drive": ("driving", "drive")}
"""Planner mode -> (pyrosm network type, osmnx network type)."""

# Used only where a drivable way has no (parseable) maxspeed tag. Based on the Finnish
# general limits (Tieliikennelaki 729/2018 s. 26: 50 km/h in built-up areas, 80 km/h
# elsewhere) and the limits usually signed on each road class in Uusimaa.
FI_DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,
    "tertiary_link": 40.0,
    "unclassified": 50.0,
    "residential": 40.0,
    "living_street": 20.0,
    "road": 50.0,
}
FALLBACK_SPEED_KMH = 50.0
"""Speed for a drivable way of a highway type not in :data:`FI_DEFAULT_SPEEDS_KMH`."""

DRIVE_SPEED_SOURCE = (
    "OpenStreetMap maxspeed tags (osmnx add_edge_speeds, Finnish implicit FI:urban 50 / "
    "FI:rural 80 / FI:trunk 100 / FI:motorway 120 km/h); untagged ways: Finnish general limits "
    "by highway type (planner.traveltime.osm.FI_DEFAULT_SPEEDS_KMH)"
)

STORE_FORMAT = "uusimaa-planner road network"
STORE_VERSION = 1
_ARRAYS = ("node_id", "x", "y", "indptr", "indices", "weight_s", "length_m")
_DEFAULT_OVERPASS = "https://overpass-api.de/api"


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_from_unix(seconds: float) -> str:
    return datetime.fromtimestamp(float(seconds), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the network ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Network:
    """A directed street network in CSR form.

    Attributes
    ----------
    node_id : (N,) int64, OpenStreetMap node ids.
    x, y : (N,) float64, node coordinates in metres, EPSG:3067.
    indptr : (N + 1,) int64, CSR row pointers: the edges leaving node ``i`` are
        ``indptr[i]:indptr[i + 1]``.
    indices : (E,) int32, head node (index) of each edge.
    weight_s : (E,) float64, travel time along each edge, seconds (>= 0).
    length_m : (E,) float64, edge length, metres.
    meta : metadata record (JSON-serialisable): ``mode``, ``area``, ``source``,
        ``osm_date``, ``created``, ``crs``, speeds, ...

    Parallel edges are merged (fastest kept) and self-loops dropped, so each
    (tail, head) pair occurs at most once.
    """

    node_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weight_s: np.ndarray
    length_m: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.node_id)
        if not (len(self.x) == len(self.y) == n):
            raise NetworkError(f"node arrays differ in length: {n} ids, {len(self.x)} x, {len(self.y)} y")
        if len(self.indptr) != n + 1 or (n and (self.indptr[0] != 0 or np.any(np.diff(self.indptr) < 0))):
            raise NetworkError("CSR indptr must have N + 1 non-decreasing entries starting at 0")
        e = int(self.indptr[-1]) if len(self.indptr) else 0
        if not (len(self.indices) == len(self.weight_s) == len(self.length_m) == e):
            raise NetworkError(f"CSR edge arrays must hold {e} edges")
        if e and (self.indices.min() < 0 or self.indices.max() >= n):
            raise NetworkError("CSR indices point outside the node arrays")
        if e and not (np.isfinite(self.weight_s).all() and (self.weight_s >= 0).all()):
            raise NetworkError("edge travel times must be finite and non-negative")

    @property
    def n_nodes(self) -> int:
        return len(self.node_id)

    @property
    def n_edges(self) -> int:
        return len(self.indices)

    @property
    def mode(self) -> str:
        return str(self.meta.get("mode", "unknown"))

    def xy(self) -> np.ndarray:
        """(N, 2) node coordinates, metres, EPSG:3067."""
        return np.column_stack([self.x, self.y])

    def tails(self) -> np.ndarray:
        """(E,) tail node index of each edge (the CSR row expanded)."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int32), np.diff(self.indptr))

    def csr(self) -> sparse.csr_array:
        """Forward graph, (N, N) sparse, weights in seconds (explicit zeros are edges)."""
        n = self.n_nodes
        return sparse.csr_array((self.weight_s, self.indices, self.indptr), shape=(n, n))

    def reversed_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays ``(indptr, indices, weight_s)`` of the reversed graph.

        A shortest-path sweep from node ``t`` over the reversed graph gives the travel
        time from every node *to* ``t``.
        """
        heads = self.indices
        order = np.argsort(heads, kind="stable")
        counts = np.bincount(heads, minlength=self.n_nodes)
        indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return indptr, self.tails()[order], self.weight_s[order]

    def reversed_csr(self) -> sparse.csr_array:
        """Reversed graph, (N, N) sparse, weights in seconds."""
        n = self.n_nodes
        indptr, indices, weights = self.reversed_arrays()
        return sparse.csr_array((weights, indices, indptr), shape=(n, n))

    def describe(self) -> str:
        """A few lines a person can read: mode, area, source, OSM date, size."""
        m = self.meta
        lines = [
            f"mode        {self.mode}",
            f"area        {m.get('area', '?')}",
            f"source      {m.get('source', '?')}",
            f"OSM date    {m.get('osm_date', 'unknown')}",
            f"created     {m.get('created', '?')}",
            f"size        {self.n_nodes:,} nodes, {self.n_edges:,} directed edges "
            f"({float(self.length_m.sum()) / 1000:,.1f} km of directed edges)",
            f"speeds      {_speeds_text(m.get('speeds'))}",
        ]
        return "\n".join(lines)


def tagged_percent(share: float) -> str:
    """A share of edges as a whole percent ("62%"), but never "100%" while some edge lacks a tag
    nor "0%" while some has one (0.995 is "99%")."""
    pct = round(share * 100)
    return f"{min(max(pct, 1 if share > 0 else 0), 99 if share < 1 else 100)}%"


def _speeds_text(speeds: Any) -> str:
    if not isinstance(speeds, dict):
        return str(speeds or "?")
    if "walk_kmh" in speeds:
        return f"walking {speeds['walk_kmh']:g} km/h on every edge"
    share = speeds.get("maxspeed_tagged_share")
    tagged = f"{tagged_percent(share)} of edges with a maxspeed tag; " if share is not None else ""
    return f"drive: {tagged}{speeds.get('source', '')}"


def _morton_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Permutation sorting points along a Z-order (Morton) curve of 16-bit grid cells."""

    def cells(v: np.ndarray) -> np.ndarray:
        span = float(v.max() - v.min()) if len(v) else 0.0
        q = ((v - v.min()) / span * 65535.0) if span > 0 else np.zeros_like(v)
        q = q.astype(np.uint64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            q = (q | (q << np.uint64(shift))) & np.uint64(mask)
        return q

    return np.argsort(cells(x) | (cells(y) << np.uint64(1)), kind="stable")


def network_from_edges(node_id: np.ndarray, x: np.ndarray, y: np.ndarray, tail: np.ndarray,
                       head: np.ndarray, weight_s: np.ndarray, length_m: np.ndarray | None = None,
                       meta: dict[str, Any] | None = None, spatial_order: bool = True) -> Network:
    """Build a :class:`Network` from an edge list.

    Parameters
    ----------
    node_id : (N,) node ids (OSM ids or any unique integers).
    x, y : (N,) coordinates, metres, EPSG:3067.
    tail, head : (E,) node *indices* (0 .. N-1) of each directed edge.
    weight_s : (E,) travel time, seconds.
    length_m : (E,) length, metres (default: zeros).
    meta : metadata record.
    spatial_order : renumber the nodes along a Z-order curve, so that nodes near each
        other on the ground are near each other in memory. Shortest-path sweeps then
        touch memory in order (2.3x faster than a random order such as OSM's ids).

    Self-loops are dropped and, of parallel edges, the fastest is kept.
    """
    node_id = np.asarray(node_id, dtype=np.int64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    w = np.asarray(weight_s, dtype=np.float64)
    length = np.zeros_like(w) if length_m is None else np.asarray(length_m, dtype=np.float64)
    n = len(node_id)
    if spatial_order and n:
        perm = _morton_order(x, y)
        rank = np.empty(n, dtype=np.int64)
        rank[perm] = np.arange(n)
        node_id, x, y, tail, head = node_id[perm], x[perm], y[perm], rank[tail], rank[head]
    keep = tail != head
    tail, head, w, length = tail[keep], head[keep], w[keep], length[keep]
    order = np.lexsort((w, head, tail))  # by tail, then head, fastest first
    tail, head, w, length = tail[order], head[order], w[order], length[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, w, length = tail[first], head[first], w[first], length[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    return Network(
        node_id=node_id,
        x=x,
        y=y,
        indptr=indptr,
        indices=head.astype(np.int32),
        weight_s=w,
        length_m=length,
        meta=dict(meta or {}),
    )


# --- the compact store --------------------------------------------------------------------


def save_network(network: Network, path: str | Path) -> Path:
    """Write ``network`` to one uncompressed ``.npz`` file (atomically).

    The file holds the arrays ``node_id, x, y, indptr, indices, weight_s, length_m``
    and ``meta`` (a JSON string). Returns the path written.
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    from ..atomic import atomic_file

    meta = {"format": STORE_FORMAT, "format_version": STORE_VERSION, **network.meta,
            "n_nodes": network.n_nodes, "n_edges": network.n_edges}
    with atomic_file(path, "the network file") as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **{k: getattr(network, k) for k in _ARRAYS},
                 meta=np.array(json.dumps(meta, ensure_ascii=False)))
    return path


def load_network(path: str | Path) -> Network:
    """Read a network written by :func:`save_network`.

    Raises
    ------
    NetworkError
        The file is missing, not a planner network or of an unknown format version.
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"no stored network at {path}")
    import zipfile

    try:  # an .npz is a zip: check it as one first (np.load on a broken zip leaks the file)
        with zipfile.ZipFile(path) as zf:
            zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise NetworkError(f"{path} is not a planner network file (not a valid .npz: {exc})") from None
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in (*_ARRAYS, "meta") if k not in npz.files]
            if missing:
                raise NetworkError(f"{path} is not a planner network file (missing {missing})")
            meta = json.loads(str(npz["meta"]))
            arrays = {k: npz[k] for k in _ARRAYS}
    except NetworkError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise NetworkError(f"cannot read the network file {path}: {exc}") from exc
    if meta.get("format") != STORE_FORMAT:
        raise NetworkError(f"{path} is not a planner network file")
    if meta.get("format_version") != STORE_VERSION:
        raise NetworkError(f"{path} has network format version {meta.get('format_version')}; "
                           f"this planner reads version {STORE_VERSION}: rebuild the network")
    meta["stored_at"] = str(path)
    return Network(**arrays, meta=meta)


def _slug(text: str) -> str:
    text = text.lower().replace("–", "-").replace("—", "-")
    text = re.sub(r"[^0-9a-zåäö]+", "-", text).strip("-")
    return text or "area"


def built_with(network: Network, settings: Settings) -> bool:
    """Whether a stored ``network`` was built as ``settings`` would build it now: a walk network at
    ``settings.network_walk_kmh`` (its file name does not say the speed; one whose speed is not
    recorded, built elsewhere, is taken as it is); a drive network takes its speeds from OSM and
    the defaults in code."""
    if network.mode != "walk":
        return True
    walk = (network.meta.get("speeds") or {}).get("walk_kmh")
    return walk is None or walk == settings.network_walk_kmh


def network_cache_path(settings: Settings, source: str, area: str, mode: str) -> Path:
    """Where a built network is cached: ``<cache_dir>/networks/<source>-<area>-<mode>.npz``."""
    return Path(settings.cache_dir) / "networks" / f"{_slug(source)}-{_slug(area)}-{mode}.npz"


def stored_networks(settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """The networks in the cache folder: ``path, mode, area, source, osm_date, n_nodes, created``."""
    rows = []
    folder = Path(settings.cache_dir) / "networks"
    for path in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
        try:
            with np.load(path, allow_pickle=False) as npz:
                meta = json.loads(str(npz["meta"]))
        except (OSError, ValueError, KeyError):
            continue
        rows.append({"path": str(path), "mode": meta.get("mode"), "area": meta.get("area"),
                     "source": meta.get("source"), "osm_date": meta.get("osm_date"),
                     "n_nodes": meta.get("n_nodes"), "created": meta.get("created")})
    return pd.DataFrame(rows, columns=["path", "mode", "area", "source", "osm_date", "n_nodes", "created"])


def find_stored_network(mode: str, area: str | None = None,
                        settings: Settings = DEFAULT_SETTINGS) -> Path | None:
    """The stored network to use for ``mode`` (and ``area``), or ``None``.

    Without ``area``, a network of all of Uusimaa is preferred, else the largest one;
    among equals the newest. Lets the CLI and the app use the road network wherever one
    has been built, and fall back to the straight-line estimate otherwise.
    """
    table = stored_networks(settings)
    table = table[table["mode"] == _mode(mode)]
    if area is not None:
        table = table[table["area"].astype(str).str.lower() == str(area).lower()]
    if table.empty:
        return None
    table = table.assign(uusimaa=table["area"].astype(str).str.lower() == "uusimaa")
    best = table.sort_values(["uusimaa", "n_nodes", "created"], ascending=False).iloc[0]
    return Path(best["path"])


# --- areas ------------------------------------------------------------------------------


def area_polygon(area: str | BaseGeometry,
                 settings: Settings = DEFAULT_SETTINGS) -> tuple[str, BaseGeometry]:
    """The polygon (EPSG:3067) and label of an area.

    Parameters
    ----------
    area : a municipality code (``"091"`` or ``"91"``), a municipality name, a
        service-area name of any preset of the bundled service-area table
        (e.g. ``"Länsi-Uusimaa"``), ``"uusimaa"`` for the whole region, or a shapely
        (Multi)Polygon in metres, EPSG:3067.
    settings : where the bundled municipal borders are.

    Returns
    -------
    (label, polygon) : label is the code / name / ``polygon-<hash>``.

    Raises
    ------
    DataError
        Unknown area, or an empty / non-polygonal geometry.
    """
    if isinstance(area, BaseGeometry):
        if area.is_empty or area.geom_type not in ("Polygon", "MultiPolygon"):
            raise DataError(f"the area must be a Polygon or MultiPolygon, got {area.geom_type}",
                            field="area")
        if abs(area.bounds[0]) <= 180 and abs(area.bounds[3]) <= 90:
            raise DataError("the area polygon looks like lon/lat degrees: give it in EPSG:3067 metres",
                            field="area")
        digest = hashlib.sha1(shapely.to_wkb(area)).hexdigest()[:10]
        return f"polygon-{digest}", shapely.make_valid(area)
    text = str(area).strip()
    borders = data.load_municipal_borders(settings=settings)
    if text.lower() == "uusimaa":
        return "uusimaa", shapely.union_all(borders.geometry.to_numpy())
    if text.isdigit():
        code = text.zfill(3)
        sel = borders[borders["municipality_code"] == code]
        if sel.empty:
            raise DataError(f"unknown municipality code {code!r}; Uusimaa has "
                            f"{sorted(borders['municipality_code'])}", field="area")
        return code, sel.geometry.iloc[0]

    def norm(s: str) -> str:
        return s.lower().replace("–", "-").replace("—", "-").strip()

    areas = []
    for preset in data.service_area_presets(settings=settings):
        table = data.load_service_areas(preset=preset, settings=settings)
        areas.append(table)
        match = table[table["service_area"].map(norm) == norm(text)]
        if len(match):
            sel = borders[borders["municipality_code"].isin(match["municipality_code"])]
            return str(match["service_area"].iloc[0]), shapely.union_all(sel.geometry.to_numpy())
    for col in ("name_fi", "name_sv"):
        if col in borders.columns:
            sel = borders[borders[col].astype(str).map(norm) == norm(text)]
            if len(sel):
                return sel["municipality_code"].iloc[0], sel.geometry.iloc[0]
    names = sorted(set(pd.concat(areas)["service_area"])) if areas else []
    raise DataError(f"unknown area {text!r}: give a municipality code (e.g. 091), a municipality "
                    f"name, 'uusimaa' or a service area: {names}", field="area")


def _to_wgs84(geom: BaseGeometry, settings: Settings) -> BaseGeometry:
    tr = Transformer.from_crs(settings.crs, "EPSG:4326", always_xy=True)
    moved = shapely.transform(geom, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    return shapely.make_valid(moved)


# --- Overpass-style way filters (osmnx network types) ---------------------------------------

_BRACKET = re.compile(r'\[\s*"((?:[^"\\]|\\.)*)"\s*(?:(!?[~=])\s*"((?:[^"\\]|\\.)*)")?\s*\]')


def compile_way_filter(way_filter: str) -> Callable[[dict[str, str]], bool]:
    """A predicate on a way's tags for an Overpass QL tag filter such as osmnx's.

    Supports the forms osmnx uses: ``["k"]``, ``["k"="v"]``, ``["k"!="v"]``,
    ``["k"~"regex"]`` and ``["k"!~"regex"]``, all of which must hold. As in
    Overpass, a negated test also holds when the way lacks the key.

    >>> keep = compile_way_filter('["highway"]["access"!~"private"]')
    >>> keep({"highway": "residential"}), keep({"highway": "service", "access": "private"})
    (True, False)
    """
    tests = []
    pos = 0
    text = way_filter.strip()
    for m in _BRACKET.finditer(text):
        if text[pos:m.start()].strip():
            raise ValueError(f"unsupported filter syntax near {text[pos:m.start()]!r}")
        pos = m.end()
        key, op, value = m.group(1), m.group(2), m.group(3)
        tests.append((key, op, re.compile(value) if op and "~" in op else value))
    if text[pos:].strip():
        raise ValueError(f"unsupported filter syntax near {text[pos:]!r}")

    def keep(tags: dict[str, str]) -> bool:
        for key, op, value in tests:
            have = tags.get(key)
            if op is None:
                ok = have is not None
            elif op == "=":
                ok = have == value
            elif op == "!=":
                ok = have != value
            elif op == "~":
                ok = have is not None and value.search(have) is not None
            else:  # "!~"
                ok = have is None or value.search(have) is None
            if not ok:
                return False
        return True

    return keep


def osm_way_filter(mode: str) -> str:
    """osmnx's Overpass way filter for ``mode`` ('walk' or 'drive')."""
    _osmnx()
    from osmnx import _overpass  # osmnx keeps its network-type filters here

    return _overpass._get_network_filter(_check_mode(mode)[1])


def _osmnx():
    """osmnx, or a clear error naming the [network] extra (the core install has no osmnx)."""
    return require("osmnx", "network", "Building road networks from OpenStreetMap")


def _check_mode(mode: str) -> tuple[str, str]:
    if mode == "car":
        mode = "drive"
    if mode not in MODES:
        raise DataError(f"unknown mode {mode!r}: expected 'walk' or 'drive'", field="mode")
    return MODES[mode]


def _mode(mode: str) -> str:
    _check_mode(mode)
    return "drive" if mode == "car" else mode


# --- graphs -> networks -------------------------------------------------------------------


def network_from_graph(graph: nx.MultiDiGraph, mode: str, meta: dict[str, Any] | None = None,
                       settings: Settings = DEFAULT_SETTINGS) -> Network:
    """Edge travel times on an osmnx-style graph, then the :class:`Network` of it.

    Parameters
    ----------
    graph : MultiDiGraph with node ``x, y`` (in ``graph.graph["crs"]``, EPSG:4326 by
        default) and edge ``length`` (metres), ``highway`` and, for driving,
        ``maxspeed``. It is not modified.
    mode : 'walk' (``settings.network_walk_kmh`` on every edge) or 'drive'
        (osmnx ``add_edge_speeds`` with :data:`FI_DEFAULT_SPEEDS_KMH`, then
        ``add_edge_travel_times``).
    meta : metadata to store (source, osm_date, area, ...).
    settings : walking speed and target CRS.
    """
    mode = _mode(mode)
    if graph.number_of_edges() == 0:
        raise NetworkError(f"the {mode} network is empty: no streets in the area")
    meta = dict(meta or {})
    if mode == "drive":
        ox = _osmnx()

        graph = graph.copy()
        for _, _, d in graph.edges(data=True):
            if isinstance(d.get("maxspeed"), float) and np.isnan(d["maxspeed"]):
                del d["maxspeed"]
        tagged = sum(1 for _, _, d in graph.edges(data=True) if d.get("maxspeed") not in (None, ""))
        graph = ox.add_edge_speeds(graph, hwy_speeds=FI_DEFAULT_SPEEDS_KMH, fallback=FALLBACK_SPEED_KMH)
        graph = ox.add_edge_travel_times(graph)
        meta["speeds"] = {"source": DRIVE_SPEED_SOURCE,
                          "maxspeed_tagged_share": round(tagged / graph.number_of_edges(), 3),
                          "defaults_kmh": FI_DEFAULT_SPEEDS_KMH, "fallback_kmh": FALLBACK_SPEED_KMH}
        weight_key = "travel_time"
    else:
        meta["speeds"] = {"source": "walking speed from settings.network_walk_kmh",
                          "walk_kmh": settings.network_walk_kmh}
        weight_key = None
    ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    lon = np.array([graph.nodes[n]["x"] for n in ids], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in ids], dtype=float)
    tr = Transformer.from_crs(graph.graph.get("crs", "EPSG:4326"), settings.crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    m = graph.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    length = np.empty(m, dtype=np.float64)
    w = np.empty(m, dtype=np.float64)
    for i, (a, b, d) in enumerate(graph.edges(data=True)):
        u[i], v[i] = a, b
        length[i] = d.get("length", np.nan)
        w[i] = d.get(weight_key, np.nan) if weight_key else np.nan
    if not np.isfinite(length).all():
        raise NetworkError("some edges have no length")
    if weight_key is None:
        w = length / (settings.network_walk_kmh / 3.6)
    elif not np.isfinite(w).all():
        raise NetworkError("some drive edges have no travel time")
    index = pd.Index(ids)
    meta.update(mode=mode, crs=settings.crs, created=meta.get("created") or _utc_now())
    return network_from_edges(ids, np.asarray(x), np.asarray(y), index.get_indexer(u),
                              index.get_indexer(v), w, length, meta)


# --- local OSM files ----------------------------------------------------------------------


def _pyrosm_graph(path: Path, mode: str, polygon_wgs84: BaseGeometry | None, simplify: bool,
                  progress: Progress | None) -> tuple[nx.MultiDiGraph, str]:
    pyrosm = require("pyrosm", "network", "Reading .osm.pbf extracts")
    from pyrosm.pbf_export import read_header_block

    last = [-1]

    def pyrosm_progress(done: float, total: float) -> None:
        step = int(done * 100 / max(total, 1)) // 20
        if step > last[0]:
            last[0] = step
            _say(progress, f"reading {path.name}: {step * 20}%")

    osm = pyrosm.OSM(str(path), bounding_box=polygon_wgs84,
                     progress=pyrosm_progress if progress else False)
    graph = osm.get_graph(network_type=MODES[mode][0], graph_type="networkx", retain_all=True,
                          osmnx_compatible=True, simplify=simplify)
    if graph is None or graph.number_of_edges() == 0:
        raise NetworkError(f"no {mode} streets in {path.name}"
                           + (" inside the area" if polygon_wgs84 is not None else ""))
    header = read_header_block(str(path)).osmosis_replication_timestamp
    if header:
        date = _iso_from_unix(header)
    else:
        stamps = [d.get("timestamp") for _, _, d in graph.edges(data=True)]
        stamps += [d.get("timestamp") for _, d in graph.nodes(data=True)]
        stamps = [s for s in stamps if isinstance(s, (int, float, np.integer)) and s > 0]
        date = f"{_iso_from_unix(max(stamps))} (latest edit in the network)" if stamps else "unknown"
    return graph, date


def _xml_graph(path: Path, mode: str, simplify: bool) -> tuple[nx.MultiDiGraph, str]:
    ox = _osmnx()
    from osmnx import _osm_xml
    from osmnx.graph import _create_graph

    doc = _osm_xml._overpass_json_from_xml(path, "utf-8")
    keep = compile_way_filter(osm_way_filter(mode))
    ways = [e for e in doc["elements"] if e["type"] == "way" and keep(e.get("tags", {}))]
    used = {n for w in ways for n in w["nodes"]}
    nodes = [e for e in doc["elements"] if e["type"] == "node" and e["id"] in used]
    if not ways:
        raise NetworkError(f"no {mode} streets in {path.name}")
    graph = _create_graph([{"elements": nodes + ways}], mode in ox.settings.bidirectional_network_types)
    if simplify:
        graph = ox.simplify_graph(graph)
    stamps = [e["timestamp"] for e in nodes + ways if isinstance(e.get("timestamp"), str)]
    date = f"{max(stamps)} (latest edit in the network)" if stamps else "unknown"
    return graph, date


def osm_graph_from_file(path: str | Path, mode: str, polygon_wgs84: BaseGeometry | None = None,
                        simplify: bool = True,
                        progress: Progress | None = None) -> tuple[nx.MultiDiGraph, str]:
    """Read the street graph of ``mode`` from a local OSM extract.

    ``.osm.pbf`` is read with pyrosm (compiled PBF decoder, reads only the area's
    bounding box, network filters modelled on osmnx's); ``.osm`` / ``.osm.bz2`` /
    ``.osm.gz`` XML with osmnx and osmnx's own Overpass way filters. Every component
    is kept (islands are reported later, not dropped).

    Returns
    -------
    (graph, osm_date) : osmnx-style MultiDiGraph in EPSG:4326 truncated to
        ``polygon_wgs84`` if given, and the data date (file header replication
        timestamp, else the latest element timestamp).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", file=str(path))
    mode = _mode(mode)
    name = path.name.lower()
    if name.endswith(".pbf"):
        try:
            graph, date = _pyrosm_graph(path, mode, polygon_wgs84, simplify, progress)
        except Exception as exc:  # noqa: BLE001 - pyrosm's errors on a corrupt file share no base
            if type(exc).__module__.startswith("pyrosm") or isinstance(exc, (EOFError, OSError)):
                raise DataError(f"not a valid OpenStreetMap .osm.pbf file ({exc})",
                                file=str(path)) from None
            raise
    elif name.endswith((".osm", ".osm.bz2", ".osm.gz", ".xml")):
        _say(progress, f"reading {path.name} (OSM XML)")
        try:
            graph, date = _xml_graph(path, mode, simplify)
        except SyntaxError as exc:  # xml.etree ParseError: a truncated or corrupt file
            raise DataError(f"not valid OpenStreetMap XML ({exc})", file=str(path)) from None
    else:
        raise DataError("expected an OpenStreetMap extract (.osm.pbf or .osm)", file=str(path))
    if polygon_wgs84 is not None:
        graph = _truncate(graph, polygon_wgs84, mode)
    return graph, date


def _truncate(graph: nx.MultiDiGraph, polygon_wgs84: BaseGeometry, mode: str) -> nx.MultiDiGraph:
    ox = _osmnx()

    try:
        return ox.truncate.truncate_graph_polygon(graph, polygon_wgs84)
    except ValueError as exc:
        raise NetworkError(f"no {mode} network nodes inside the area: {exc}") from exc


def network_from_file(path: str | Path, mode: str, area: str | BaseGeometry | None = None,
                      settings: Settings = DEFAULT_SETTINGS, *, simplify: bool = True,
                      label: str | None = None, progress: Progress | None = None) -> Network:
    """Build a network from a local ``.osm.pbf`` / ``.osm`` file, optionally clipped.

    Parameters
    ----------
    path : the OSM extract (e.g. a Geofabrik Finland file).
    mode : 'walk' or 'drive'.
    area : clip to this area (see :func:`area_polygon`), buffered by
        ``settings.boundary_tolerance_m`` metres; ``None`` keeps the whole file.
    settings : walking speed, CRS, bundled borders.
    simplify : merge interstitial nodes (osmnx / pyrosm simplification).
    label : area label for the metadata (default: the area's, else the file name).
    progress : receives progress lines.
    """
    path = Path(path)
    mode = _mode(mode)
    poly = None
    area_label = label or path.name
    if area is not None:
        area_label, poly3067 = area_polygon(area, settings)
        area_label = label or area_label
        poly = _to_wgs84(poly3067.buffer(settings.boundary_tolerance_m), settings)
    t0 = time.perf_counter()
    graph, date = osm_graph_from_file(path, mode, poly, simplify=simplify, progress=progress)
    _say(progress, f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
                   f"read in {time.perf_counter() - t0:.1f} s; computing travel times")
    reader = "pyrosm" if path.name.lower().endswith(".pbf") else "osmnx"
    meta = {"source": f"OpenStreetMap extract {path.name}", "source_kind": "file",
            "source_file": str(path.resolve()), "reader": reader, "osm_date": date,
            "area": area_label, "simplified": simplify}
    return network_from_graph(graph, mode, meta, settings)


# --- download through osmnx / Overpass -------------------------------------------------------


@contextlib.contextmanager
def _osmnx_settings(**values: Any) -> Iterator[None]:
    """Set osmnx's module-global settings for a block and restore them afterwards."""
    ox = _osmnx()

    old = {k: getattr(ox.settings, k) for k in values}
    getaddrinfo = socket.getaddrinfo  # osmnx pins a resolved IP by replacing this
    try:
        for k, v in values.items():
            setattr(ox.settings, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(ox.settings, k, v)
        socket.getaddrinfo = getaddrinfo


def _download_graph(polygon_wgs84: BaseGeometry, mode: str, simplify: bool,
                    progress: Progress | None,
                    seams_wgs84: BaseGeometry | None = None) -> tuple[nx.MultiDiGraph, str]:
    """osmnx ``graph_from_polygon`` with every component kept, progress and the OSM date.

    It follows osmnx 2's ``graph_from_polygon`` step by step (buffer 500 m, download,
    truncate, simplify, truncate) so that each Overpass response can be counted and
    its ``osm3s.timestamp_osm_base`` (the OSM data date) read; if osmnx's internals
    change, it falls back to ``graph_from_polygon`` and reports the date as unknown.

    ``seams_wgs84``: nodes inside it stay nodes through simplification (see
    :func:`fetch_network_in_parts`: neighbouring parts then share them).
    """
    ox = _osmnx()

    network_type = MODES[mode][1]
    poly_proj, crs_utm = ox.projection.project_geometry(polygon_wgs84)
    poly_buff, _ = ox.projection.project_geometry(poly_proj.buffer(500), crs=crs_utm, to_latlong=True)
    try:
        from osmnx import _overpass
        from osmnx.graph import _create_graph

        download = _overpass._download_overpass_network
        n_requests = len(_overpass._make_overpass_polygon_coord_strs(poly_buff))
    except (ImportError, AttributeError):  # pragma: no cover - a future osmnx
        _say(progress, "downloading through osmnx.graph_from_polygon (no per-request progress)")
        graph = ox.graph_from_polygon(polygon_wgs84, network_type=network_type, simplify=simplify,
                                      retain_all=True)
        return graph, f"unknown (downloaded {_utc_now()})"

    stamps: list[str] = []
    t0 = time.perf_counter()
    _say(progress, f"downloading the {mode} network from Overpass in about {n_requests} request(s); "
                   "a large area takes minutes")

    def responses() -> Iterator[dict[str, Any]]:
        for i, response in enumerate(download(poly_buff, network_type, None), start=1):
            stamp = (response.get("osm3s") or {}).get("timestamp_osm_base")
            if stamp:
                stamps.append(stamp)
            count = len(response.get("elements", []))
            _say(progress, f"Overpass response {i}/{n_requests}: {count:,} elements "
                           f"({time.perf_counter() - t0:.0f} s)")
            yield response

    graph = _create_graph(responses(), network_type in ox.settings.bidirectional_network_types)
    graph = _truncate(graph, poly_buff, mode)
    if simplify:
        _say(progress, f"simplifying {graph.number_of_nodes():,} nodes")
        keep = None
        if seams_wgs84 is not None:  # seam nodes are endpoints in every part that holds them
            ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
            xs = np.array([graph.nodes[n]["x"] for n in ids], float)
            ys = np.array([graph.nodes[n]["y"] for n in ids], float)
            inside = shapely.contains_xy(seams_wgs84, xs, ys)
            for n in ids[inside]:  # what nx.set_node_attributes does, without importing networkx here
                graph.nodes[int(n)]["seam"] = True
            keep = ["seam"]
        graph = ox.simplify_graph(graph, node_attrs_include=keep)
    graph = _truncate(graph, polygon_wgs84, mode)
    return graph, (max(stamps) if stamps else f"unknown (downloaded {_utc_now()})")


def fetch_network(area: str | BaseGeometry, mode: str, settings: Settings = DEFAULT_SETTINGS, *,
                  overpass_url: str | None = None, simplify: bool = True, refresh: bool = False,
                  progress: Progress | None = None, split: bool = True,
                  on_part: PartProgress | None = None) -> Network:
    """Download the street network of an area from OpenStreetMap (osmnx + Overpass).

    The area (see :func:`area_polygon`) is buffered by
    ``settings.boundary_tolerance_m`` metres so that points near a generalised
    border still reach the network. The built network is stored under
    ``<settings.cache_dir>/networks/`` and reused by later calls (``refresh``
    rebuilds it); the raw Overpass responses are cached by osmnx under
    ``<settings.cache_dir>/overpass/`` and reused too. Every connected component is
    kept: islands without a road link stay in the network and come out unreachable.

    Parameters
    ----------
    area : municipality code / name, service area, ``"uusimaa"`` or an EPSG:3067 polygon.
    mode : 'walk' or 'drive'.
    settings : cache folder, walking speed, borders, buffer.
    overpass_url : Overpass API base URL (default osmnx's public server, with its rate
        limiting); any other server is queried without the status check.
    simplify : merge interstitial nodes (osmnx default).
    refresh : rebuild even if a stored network exists.
    progress : receives progress lines (requests, counts, timings).
    split : ``"uusimaa"`` is fetched one service area at a time and merged
        (:func:`fetch_network_in_parts`), so memory is bounded by the largest service
        area, not the region, and an interrupted fetch resumes from the stored parts.
    on_part : called ``(done, total, label)`` as each part is ready (a progress bar).

    Raises
    ------
    NetworkError
        The server cannot be reached or returns no streets for the area.
    """
    mode = _mode(mode)
    label, poly = area_polygon(area, settings)
    if split and label == "uusimaa":
        return fetch_network_in_parts(label, region_parts(settings), mode, settings,
                                      overpass_url=overpass_url, simplify=simplify, refresh=refresh,
                                      progress=progress, on_part=on_part)
    return _fetch_one(label, poly, mode, settings, overpass_url=overpass_url, simplify=simplify,
                      refresh=refresh, progress=progress)


def _source_key(url: str) -> str:
    return "osm" if url == _DEFAULT_OVERPASS else "osm-" + hashlib.sha1(url.encode()).hexdigest()[:8]


def _fetch_one(label: str, poly: BaseGeometry, mode: str, settings: Settings, *,
               overpass_url: str | None, simplify: bool, refresh: bool, progress: Progress | None,
               seams: BaseGeometry | None = None, store_label: str | None = None) -> Network:
    """Download, build and store the network of one polygon (EPSG:3067); see :func:`fetch_network`."""
    ox = _osmnx()
    import requests
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    url = (overpass_url or _DEFAULT_OVERPASS).rstrip("/")
    path = network_cache_path(settings, _source_key(url), store_label or label,
                              mode + ("" if simplify else "-full"))
    if path.is_file() and not refresh:
        stored = load_network(path)
        if built_with(stored, settings):
            _say(progress, f"using the stored network {path}")
            return stored
        was = (stored.meta.get("speeds") or {}).get("walk_kmh", "an unknown speed")
        _say(progress, f"the stored network {path} walks at {was} km/h, the settings at "
                       f"{settings.network_walk_kmh} km/h: building it again")
    poly_wgs = _to_wgs84(poly.buffer(settings.boundary_tolerance_m), settings)
    cache = Path(settings.cache_dir) / "overpass"
    try:
        with _osmnx_settings(overpass_url=url, overpass_rate_limit=url == _DEFAULT_OVERPASS,
                             use_cache=True, cache_folder=cache, log_console=False):
            graph, date = _download_graph(poly_wgs, mode, simplify, progress,
                                          None if seams is None else _to_wgs84(seams, settings))
    except (requests.RequestException, InsufficientResponseError, ResponseStatusCodeError) as exc:
        raise NetworkError(f"downloading the {mode} network of {label} from {url} failed: {exc}") from exc
    _say(progress, f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges; "
                   "computing travel times")
    host = re.sub(r"^https?://", "", url).split("/")[0]
    meta = {"source": f"OpenStreetMap via osmnx/Overpass ({host}), area {label}",
            "source_kind": "overpass", "overpass_url": url, "osm_date": date, "area": label,
            "simplified": simplify, "osmnx_version": ox.__version__}
    network = network_from_graph(graph, mode, meta, settings)
    stored = save_network(network, path)
    _say(progress, f"stored {stored}")
    return load_network(stored)


# --- large areas in parts ------------------------------------------------------------------


def region_parts(settings: Settings = DEFAULT_SETTINGS) -> list[tuple[str, BaseGeometry]]:
    """The six service areas of Uusimaa (default preset) as ``(name, polygon EPSG:3067)``."""
    borders = data.load_municipal_borders(settings=settings)
    table = data.load_service_areas(settings=settings)
    parts = []
    for name, g in table.groupby("service_area", sort=True):
        sel = borders[borders["municipality_code"].isin(g["municipality_code"])]
        parts.append((str(name), shapely.union_all(sel.geometry.to_numpy())))
    return parts


def merge_networks(networks: list[Network], meta: dict[str, Any] | None = None) -> Network:
    """One network from several that overlap: nodes united by OSM id, edges by (tail, head).

    An edge present in several parts is kept once (the fastest, see
    :func:`network_from_edges`); node coordinates come from the first part holding the node.
    """
    ids = np.concatenate([n.node_id for n in networks])
    uniq, first = np.unique(ids, return_index=True)
    xs = np.concatenate([n.x for n in networks])[first]
    ys = np.concatenate([n.y for n in networks])[first]
    tails, heads, ws, ls = [], [], [], []
    for n in networks:
        tails.append(np.searchsorted(uniq, n.node_id[n.tails()]))
        heads.append(np.searchsorted(uniq, n.node_id[n.indices]))
        ws.append(n.weight_s)
        ls.append(n.length_m)
    return network_from_edges(uniq, xs, ys, np.concatenate(tails), np.concatenate(heads),
                              np.concatenate(ws), np.concatenate(ls), meta)


def fetch_network_in_parts(label: str, parts: list[tuple[str, BaseGeometry]], mode: str,
                           settings: Settings = DEFAULT_SETTINGS, *, overpass_url: str | None = None,
                           simplify: bool = True, refresh: bool = False,
                           progress: Progress | None = None,
                           on_part: PartProgress | None = None) -> Network:
    """Download a large area part by part (EPSG:3067 polygons) and merge the parts.

    Each part is fetched like :func:`fetch_network` (its own Overpass requests, osmnx
    graph and stored ``.npz``: an interrupted run resumes with the parts not yet stored),
    so peak memory is that of the largest part's osmnx graph, not of the whole area.
    Parts overlap by ``settings.boundary_tolerance_m`` beyond their borders; nodes within
    half of that (:data:`SEAM_SHARE`) of a border between parts stay nodes through
    simplification in every part, so a street crossing a border joins the same nodes on
    both sides (even a road with no junction for kilometres, whose simplified edge would
    otherwise end outside both parts) and the merged network routes across it as a single
    download would, up to how simplification groups a street's speed limits (seconds).
    """
    mode = _mode(mode)
    if settings.boundary_tolerance_m <= 0:
        raise ValueError("parts must overlap: settings.boundary_tolerance_m must be positive")
    url = (overpass_url or _DEFAULT_OVERPASS).rstrip("/")
    path = network_cache_path(settings, _source_key(url), label, mode + ("" if simplify else "-full"))
    if path.is_file() and not refresh:
        _say(progress, f"using the stored network {path}")
        return load_network(path)
    # the borders between parts (not the outer edge, which behaves as in a single download)
    polys = [p for _, p in parts]
    outer = shapely.boundary(shapely.union_all(polys)).buffer(1.0)
    seams = shapely.union_all([shapely.boundary(p) for p in polys]).difference(outer).buffer(
        SEAM_SHARE * settings.boundary_tolerance_m)
    nets, t0 = [], time.perf_counter()
    for i, (name, poly) in enumerate(parts, start=1):
        _say(progress, f"part {i}/{len(parts)}: {name}")
        try:
            nets.append(_fetch_one(name, poly, mode, settings, overpass_url=overpass_url,
                                   simplify=simplify, refresh=refresh, progress=progress, seams=seams,
                                   store_label=f"{label}-part-{name}"))
        except NetworkError as exc:
            done = f"; the {i - 1} part(s) before it are stored and reused by the next run" if i > 1 else ""
            raise NetworkError(f"part {i}/{len(parts)} ({name}) of {label}: {exc}{done}") from exc
        if on_part is not None:
            on_part(i, len(parts), name)
    dates = sorted({n.meta.get("osm_date", "") for n in nets})
    host = re.sub(r"^https?://", "", url).split("/")[0]
    meta = {**{k: v for k, v in nets[0].meta.items() if k not in ("stored_at", "area", "n_nodes",
                                                                    "n_edges", "osm_date", "source")},
            "source": f"OpenStreetMap via osmnx/Overpass ({host}), area {label}, "
                      f"fetched in {len(parts)} parts: {', '.join(n for n, _ in parts)}",
            "area": label, "osm_date": dates[-1] if len(dates) == 1 else " to ".join([dates[0], dates[-1]]),
            "parts": [n for n, _ in parts]}
    merged = merge_networks(nets, meta)
    _say(progress, f"merged {len(parts)} parts: {merged.n_nodes:,} nodes, {merged.n_edges:,} edges "
                   f"({time.perf_counter() - t0:.0f} s)")
    stored = save_network(merged, path)
    _say(progress, f"stored {stored}")
    return load_network(stored)
