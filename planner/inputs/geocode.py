"""Geocoding a planner's own address list into service points (issue 11, item 2).

Input: a CSV with ``address``, ``postal_code`` and ``municipality`` (name or code) and
any other columns (kept). Each row is resolved through a real geocoder — Nominatim via
geopy (usage policy: at most one request per second and an identifying user agent) or
Digitransit's Pelias geocoding API (key from ``$DIGITRANSIT_SUBSCRIPTION_KEY``) — and
gets ``lon, lat`` (WGS84), ``location_precision`` from the answer (``address`` /
``street`` / ``postal_area`` / ``locality``) and ``geocode_source``. Every answer
(also "nothing found") is cached on disk, so a rerun asks nothing twice. When the
geocoder cannot be reached or finds nothing, the row falls back offline to the
representative point of its postal area (``postal_area``); without a known postal area
it becomes a placeholder (``unknown``, no coordinates), never an invented site.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import DataError
from ..lazy import require
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = ["Geocoder", "nominatim", "digitransit", "precision_of", "geocode_table",
           "postal_points", "USER_AGENT"]

USER_AGENT = "uusimaa-service-network-planner/0.1 (regional planning; geopy)"
DIGITRANSIT_KEY_ENV = "DIGITRANSIT_SUBSCRIPTION_KEY"
# Finland's bounding box (lon, lat): an answer outside it is not a Finnish address
_FINLAND = (19.0, 59.5, 31.6, 70.1)

_NOMINATIM_PRECISION = {
    "building": "address", "house": "address", "amenity": "address", "office": "address",
    "shop": "address", "place": "address",
    "road": "street", "street": "street", "pedestrian": "street",
    "postcode": "postal_area",
    "suburb": "locality", "quarter": "locality", "neighbourhood": "locality", "city": "locality",
    "town": "locality", "village": "locality", "hamlet": "locality", "municipality": "locality",
    "city_district": "locality", "borough": "locality",
}
_PELIAS_PRECISION = {
    "address": "address", "venue": "address", "street": "street", "postalcode": "postal_area",
    "neighbourhood": "locality", "locality": "locality", "localadmin": "locality",
    "borough": "locality", "county": "locality",
}


def precision_of(service: str, raw: dict[str, Any]) -> str:
    """``location_precision`` of a geocoder answer (its raw JSON).

    >>> precision_of("nominatim", {"addresstype": "road", "address": {"road": "Mannerheimintie"}})
    'street'
    >>> precision_of("nominatim", {"addresstype": "building", "address": {"house_number": "4"}})
    'address'
    >>> precision_of("digitransit", {"properties": {"layer": "postalcode"}})
    'postal_area'
    """
    if service == "nominatim":
        if (raw.get("address") or {}).get("house_number"):
            return "address"
        kind = raw.get("addresstype") or raw.get("type") or ""
        return _NOMINATIM_PRECISION.get(kind, "locality")
    layer = (raw.get("properties") or {}).get("layer", "")
    return _PELIAS_PRECISION.get(layer, "locality")


@dataclass
class Geocoder:
    """A geocoding service with a disk cache: ``lookup(query)`` -> raw answer or None."""

    service: str  # 'nominatim' | 'digitransit'
    ask: Callable[[str], dict[str, Any] | None]  # one network request (rate-limited)
    cache_dir: Path
    requests: int = 0  # network requests made (cache hits do not count)

    def _path(self, query: str) -> Path:
        key = hashlib.sha256(f"{self.service}\n{query.strip().lower()}".encode()).hexdigest()
        return self.cache_dir / self.service / f"{key}.json"

    def lookup(self, query: str) -> dict[str, Any] | None:
        path = self._path(query)
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))["answer"]
        answer = self.ask(query)
        self.requests += 1
        from ..atomic import write_atomic

        write_atomic(path, json.dumps({"query": query, "answer": answer}, ensure_ascii=False),
                     "the geocoding cache")
        return answer


def nominatim(domain: str = "nominatim.openstreetmap.org", scheme: str = "https",
              user_agent: str = USER_AGENT, min_delay_seconds: float = 1.0,
              cache_dir: Path | None = None, timeout: float = 10.0,
              settings: Settings = DEFAULT_SETTINGS) -> Geocoder:
    """Nominatim through geopy, at most one request per ``min_delay_seconds`` (usage policy)."""
    require("geopy", "network", "Online geocoding")
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    geo = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout)
    call = RateLimiter(geo.geocode, min_delay_seconds=min_delay_seconds, max_retries=0,
                       swallow_exceptions=False)

    def ask(query: str) -> dict[str, Any] | None:
        loc = call(query, exactly_one=True, addressdetails=True, country_codes="fi")
        return None if loc is None else dict(loc.raw)

    return Geocoder("nominatim", ask, Path(cache_dir or settings.cache_dir / "geocode"))


def digitransit(api_key: str | None = None, domain: str = "api.digitransit.fi/geocoding",
                scheme: str = "https", user_agent: str = USER_AGENT,
                min_delay_seconds: float = 0.2, cache_dir: Path | None = None,
                timeout: float = 10.0, settings: Settings = DEFAULT_SETTINGS) -> Geocoder:
    """Digitransit's Pelias geocoder (the Finnish standard); key from the environment.

    geopy's public ``Pelias.geocode`` asks the service (``boundary.country=FIN`` through its
    ``countries`` argument); the subscription key travels as Digitransit's
    ``digitransit-subscription-key`` request header, added to the headers geopy sends.
    """
    require("geopy", "network", "Online geocoding")
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Pelias

    key = api_key or os.environ.get(DIGITRANSIT_KEY_ENV)
    if not key:
        raise ValueError(f"Digitransit needs a subscription key: set ${DIGITRANSIT_KEY_ENV}")
    geo = Pelias(domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout)
    geo.headers = {**geo.headers, "digitransit-subscription-key": key}

    def one(query: str) -> dict[str, Any] | None:
        loc = geo.geocode(query, exactly_one=True, countries=["FIN"])
        return None if loc is None else dict(loc.raw)

    call = RateLimiter(one, min_delay_seconds=min_delay_seconds, max_retries=0,
                       swallow_exceptions=False)
    return Geocoder("digitransit", call, Path(cache_dir or settings.cache_dir / "geocode"))


def _lonlat(service: str, raw: dict[str, Any]) -> tuple[float, float]:
    if service == "nominatim":
        return float(raw["lon"]), float(raw["lat"])
    lon, lat = raw["geometry"]["coordinates"][:2]
    return float(lon), float(lat)


def _label(service: str, raw: dict[str, Any]) -> str:
    if service == "nominatim":
        return str(raw.get("display_name", ""))
    return str((raw.get("properties") or {}).get("label", ""))


def postal_points(postal_areas: gpd.GeoDataFrame, settings: Settings = DEFAULT_SETTINGS,
                  ) -> pd.DataFrame:
    """Representative point of every postal area (computed in EPSG:3067), as WGS84 lon/lat."""
    rp = postal_areas.to_crs(settings.crs).geometry.representative_point().to_crs(settings.web_crs)
    return pd.DataFrame({"lon": rp.x.to_numpy(), "lat": rp.y.to_numpy(),
                         "municipality_code": postal_areas["municipality_code"].to_numpy()},
                        index=postal_areas["postal_code"].astype(str).str.zfill(5).to_numpy())


def geocode_table(df: pd.DataFrame, geocoder: Geocoder | None,
                  postal_areas: gpd.GeoDataFrame | None = None, file: str = "<addresses>",
                  settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Rows of ``df`` with ``lon, lat, location_precision, geocode_source`` filled in.

    ``geocoder`` None = offline: every row falls back to its postal area. A geocoder
    error (service down, timeout, refused) also falls back, row by row, and says so in
    ``geocode_source``; nothing is dropped.
    """
    missing = [c for c in ("address", "postal_code", "municipality") if c not in df.columns]
    if missing:
        raise DataError(f"missing required column(s) {missing}; the file has {list(df.columns)}",
                        file=file, field=missing[0])
    if postal_areas is None:
        from .data import load_postal_areas

        postal_areas = load_postal_areas(settings=settings)
    reps = postal_points(postal_areas, settings)
    service_errors: tuple[type[Exception], ...] = ()  # offline (no geocoder) runs without geopy
    if geocoder is not None:
        from geopy.exc import GeopyError

        service_errors = (GeopyError,)
    out = df.copy().reset_index(drop=True)
    lons, lats, precs, srcs = [], [], [], []
    for i, row in out.iterrows():
        address = "" if pd.isna(row["address"]) else str(row["address"]).strip()
        code = "" if pd.isna(row["postal_code"]) else str(row["postal_code"]).strip()
        if code and not (code.isdigit() and len(code) <= 5):
            raise DataError(f"{code!r} is not a Finnish postal code (five digits)", file=file,
                            row=int(i) + 1, field="postal_code")
        code = code.zfill(5) if code else ""
        muni = "" if pd.isna(row["municipality"]) else str(row["municipality"]).strip()
        query = ", ".join(p for p in (address, f"{code} {muni}".strip(), "Finland") if p)
        raw, why = None, "offline"
        if geocoder is not None:
            try:
                raw = geocoder.lookup(query)
                why = "no match"
            except service_errors as exc:
                why = f"geocoder unavailable ({type(exc).__name__})"
        if raw is not None:
            lon, lat = _lonlat(geocoder.service, raw)
            if _FINLAND[0] <= lon <= _FINLAND[2] and _FINLAND[1] <= lat <= _FINLAND[3]:
                lons.append(lon)
                lats.append(lat)
                precs.append(precision_of(geocoder.service, raw))
                srcs.append(f"{geocoder.service}: {_label(geocoder.service, raw)}")
                continue
            why = "answer outside Finland"
        if code in reps.index:
            # a stand-in position: 6 decimals (about 0.1 m), not the float's 15 spurious digits
            lons.append(round(float(reps.at[code, "lon"]), 6))
            lats.append(round(float(reps.at[code, "lat"]), 6))
            precs.append("postal_area")
            srcs.append(f"{why}: representative point of postal area {code}")
        else:
            lons.append(None)
            lats.append(None)
            precs.append("unknown")
            srcs.append(f"{why}: no known postal area, left as a placeholder (site unknown)")
    out["lon"], out["lat"] = lons, lats
    out["location_precision"] = precs
    out["geocode_source"] = srcs
    return out
