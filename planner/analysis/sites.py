"""Where a scenario's new site stands: an opened point or a mobile unit's stop, checked inside
Uusimaa, on land and in its municipality (points in EPSG:3067)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd

from ..errors import PlannerError, ScenarioError
from .changes import change_error as _err

if TYPE_CHECKING:
    from .study import Study

__all__ = ["open_site", "site_row"]

_LOOKUPS: dict[int, tuple] = {}


def _site_lookups(study: Study) -> tuple[set, dict, dict, Any]:
    """(municipality codes, code -> (centre, label), code -> polygon, region) of a study's
    borders and centres, built once per study instead of once per opened point."""
    hit = _LOOKUPS.get(id(study.borders))
    if hit is None or hit[0] is not study.borders or hit[1] is not study.centres:
        b, c = study.borders, study.centres
        polys = dict(zip(b["municipality_code"], b.geometry, strict=True))
        centres = {code: (g, label) for code, g, label in
                   zip(c["municipality_code"], c.geometry, c["label"], strict=True)}
        if len(_LOOKUPS) > 8:
            _LOOKUPS.clear()
        hit = _LOOKUPS[id(b)] = (b, c, set(polys), centres, polys, b.union_all())
    return hit[2:]


def site_row(arg: dict[str, Any], src: str, precision: str, address: str, note: str,
             capacity: float) -> dict[str, Any]:
    """The point columns (besides id and category) of a site a scenario proposes."""
    return {"name": arg["name"], "municipality_code": arg["municipality_code"], "address": address,
            "postal_code": "", "location_precision": precision, "source": f"scenario {src}",
            "note": note, "capacity": capacity}


def open_site(study: Study, arg: dict[str, Any], src: str, row: int, region=None) -> tuple[Any, str, str]:
    """Where an ``open`` change (or a mobile stop) stands, checked as :func:`_open_point` says:
    its point (EPSG:3067), ``location_precision`` and address."""
    code = arg["municipality_code"]
    codes, centres, polys, whole = _site_lookups(study)
    if code not in codes:
        raise _err(f"unknown municipality code {code!r}", src, row,
                   "at_centre" if "at_centre" in arg else "municipality_code")
    if "at_centre" in arg:
        if code not in centres:
            raise _err(f"the municipal-centre table has no centre for {code}; give lon and lat",
                       src, row, "at_centre")
        geom, label = centres[code]
        precision, address = "locality", f"municipal centre of {label.title()}"
    else:
        lon, lat = float(arg["lon"]), float(arg["lat"])
        if not (19 <= lon <= 32 and 59 <= lat <= 71):
            raise _err(f"lon/lat ({lon}, {lat}) are not WGS84 degrees in Finland"
                       + (" (swapped?)" if 19 <= lat <= 32 else ""), src, row, "lon")
        geom = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=study.settings.web_crs) \
            .to_crs(study.settings.crs).iloc[0]
        precision, address = "address", str(arg.get("address", ""))
    region = whole if region is None else region
    tol = study.settings.boundary_tolerance_m
    if region.distance(geom) > tol:
        raise _err(f"the new point lies outside Uusimaa ({region.distance(geom) / 1000:.1f} km away)",
                   src, row, "lon")
    if "at_centre" not in arg:  # municipal polygons include the sea: test against land
        from ..inputs.data import bundled_land, check_on_land

        try:
            check_on_land(gpd.GeoDataFrame({"name": [arg["name"]]}, geometry=[geom],
                                           crs=study.settings.crs),
                          bundled_land(study.settings), src, settings=study.settings)
        except ScenarioError:
            raise
        except PlannerError as exc:
            raise _err(getattr(exc, "reason", str(exc)), src, row, "lon") from None
    own = polys[code]
    if own.distance(geom) > tol:
        raise _err(f"the new point lies {own.distance(geom) / 1000:.1f} km outside municipality {code}",
                   src, row, "municipality_code")
    return geom, precision, address
