"""Make the shipped postal-area polygons valid, once, at build time (issue 27).

The simplified Paavo polygons (``uusimaa/postal_areas.geojson``, via JoniHonkanen/kartta_suomi)
hold two self-intersecting polygons (postal areas 00180 and 07750, rows 8 and 319). The loader
repairs such polygons of a user's file at run time with a warning; the shipped file is repaired
here instead, so a default run warns of nothing. This is a modification of the CC BY 4.0 data,
stated in ``geodata/SOURCES.md`` and in every output's attribution notice.

Run from the repository root (idempotent: a valid file is left as it is)::

    python tools/geodata/make_valid_postal_areas.py [SOURCE] [TARGET]

SOURCE defaults to TARGET, which defaults to ``geodata/uusimaa/postal_areas.geojson``. Every
feature line of the GDAL-written GeoJSON (one feature a line) is copied unchanged except the
invalid ones: their geometry becomes ``shapely.make_valid``'s polygonal part, snapped to the
file's 1e-8 degree grid, and valid both in WGS84 and after projection to EPSG:3067 (the
planner's metric CRS).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

GRID_DEG = 1e-8  # the source's precision (8 decimals)
DEFAULT = Path(__file__).resolve().parents[2] / "geodata" / "uusimaa" / "postal_areas.geojson"
_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)


def _metric(g: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(g, lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def valid_everywhere(g: shapely.Geometry) -> bool:
    """Valid in WGS84 and after projection to EPSG:3067."""
    return bool(g.is_valid and _metric(g).is_valid)


def repaired(g: shapely.Geometry) -> shapely.Geometry:
    """``make_valid``'s polygonal part on the 1e-8 degree grid; raises when none stays valid."""
    fixed = shapely.make_valid(g)
    if fixed.geom_type not in ("Polygon", "MultiPolygon"):
        parts = [p for p in getattr(fixed, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(parts)
    fixed = shapely.set_precision(fixed, GRID_DEG)
    if fixed.is_empty or not valid_everywhere(fixed):
        raise ValueError("make_valid gave no valid polygon")
    return fixed


def _rounded(obj):
    if isinstance(obj, float):
        return round(obj, 8)
    if isinstance(obj, list | tuple):
        return [_rounded(x) for x in obj]
    return obj


def make_valid_file(source: Path, target: Path) -> list[str]:
    """Copy ``source`` to ``target`` with its invalid polygons made valid; the repaired rows'
    descriptions (row, postal code, area change in m² in EPSG:3067)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    out, notes, row = [], [], 0
    for line in lines:
        body = line.rstrip().rstrip(",")
        feature = json.loads(body) if body.startswith("{") and body.endswith("}") else None
        if not (isinstance(feature, dict) and feature.get("type") == "Feature"):
            out.append(line)
            continue
        row += 1
        g = shape(feature["geometry"])
        if valid_everywhere(g):
            out.append(line)
            continue
        fixed = repaired(g)
        geom = mapping(fixed)
        feature["geometry"] = {"type": geom["type"], "coordinates": _rounded(geom["coordinates"])}
        assert valid_everywhere(shape(feature["geometry"]))
        ending = line[len(line.rstrip()):]
        comma = "," if line.rstrip().endswith(",") else ""
        out.append(json.dumps(feature, ensure_ascii=False) + comma + ending)
        before = shapely.make_valid(_metric(g)).area
        notes.append(f"row {row} postal_code {feature['properties'].get('postal_code')}: "
                     f"{shapely.is_valid_reason(g)} -> valid {fixed.geom_type}, area "
                     f"{_metric(fixed).area - before:+.0f} m2 against a run-time repair")
    target.write_text("".join(out), encoding="utf-8")
    return notes


def main(argv: list[str]) -> int:
    target = Path(argv[2]) if len(argv) > 2 else DEFAULT
    source = Path(argv[1]) if len(argv) > 1 else target
    notes = make_valid_file(source, target)
    for n in notes:
        print(n)
    print(f"wrote {target} ({len(notes)} polygon(s) made valid)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
