"""The Helsinki-region Service Map / TPR REST API (palvelukarttaws): units and service descriptions.

Shapes as the City of Helsinki's own clients read them (smbackend's TPR importer,
``services/management/commands/services_import``; drupal-module-helfi-tpr's fixtures):

- ``{base}v4/unit/?newfeatures=yes``: a JSON list of units with ``id``, ``name_fi|sv|en``,
  ``street_address_fi|sv``, ``address_zip``, ``address_city_fi|sv``, WGS84 ``latitude`` /
  ``longitude`` and (most units) ``easting_etrs_tm35fin`` / ``northing_etrs_tm35fin``
  (EPSG:3067), ``connections`` (``section_type`` OPENING_HOURS, LINK, ... with
  ``name_fi|sv|en``), ``created_time``, ``modified_time``.
- ``{base}vpalvelurekisteri/description/{id}?language=fi``: one service description with
  ``title``, ``provided_languages``, ``unit_ids`` and its texts.

The units cover Helsinki, Espoo, Vantaa, Kerava, Kauniainen and Länsi-Uusimaa.
"""

from __future__ import annotations

from typing import Any

from .client import Answer, RegisterClient
from .record import Record

__all__ = ["DEFAULT_BASE", "fetch_tpr", "unit_records"]

DEFAULT_BASE = "https://www.hel.fi/palvelukarttaws/rest/"


def _base(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def fetch_tpr(client: RegisterClient, service_ids: list[int], base: str = DEFAULT_BASE
              ) -> tuple[Answer, list[Answer]]:
    """The unit list and the service descriptions ``service_ids`` (Finnish text)."""
    b = _base(base)
    units = client.get_many([(f"{b}v4/unit/", {"newfeatures": "yes"})])[0]
    descs = client.get_many([(f"{b}vpalvelurekisteri/description/{sid}", {"language": "fi"})
                             for sid in service_ids])
    return units, descs


def _texts(unit: dict[str, Any], key: str) -> list[str]:
    return [str(unit[f"{key}_{lang}"]) for lang in ("fi", "sv", "en") if unit.get(f"{key}_{lang}")]


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out else None


def unit_records(units: Answer, descriptions: list[Answer], base: str = DEFAULT_BASE) -> list[Record]:
    """One :class:`Record` per TPR unit: names, address, EPSG:3067 site, hours text, services."""
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for d in descriptions:
        for uid in d.data.get("unit_ids") or []:
            by_unit.setdefault(int(uid), []).append(d.data)
    if not isinstance(units.data, list):
        from .client import RegisterError

        raise RegisterError(f"GET {units.url}: expected a JSON list of units, "
                            f"got {type(units.data).__name__}")
    out = []
    for u in units.data:
        uid = u.get("id")
        if uid is None:
            continue
        descs = by_unit.get(int(uid), [])
        x, y = _num(u.get("easting_etrs_tm35fin")), _num(u.get("northing_etrs_tm35fin"))
        lon, lat = _num(u.get("longitude")), _num(u.get("latitude"))
        hours = [str(c.get(f"name_{lang}")) for c in u.get("connections") or []
                 if c.get("section_type") in ("OPENING_HOURS", "OPENING_HOUR_OBJECT")
                 for lang in ("fi", "sv", "en") if c.get(f"name_{lang}")]
        languages = sorted({str(lang) for d in descs for lang in d.get("provided_languages") or []})
        out.append(Record(
            register="tpr",
            register_id=str(uid),
            url=f"{_base(base)}v4/unit/{uid}",
            fetched_on=units.fetched_on,
            names={lang: str(u[f"name_{lang}"]) for lang in ("fi", "sv", "en") if u.get(f"name_{lang}")},
            street={lang: str(u[f"street_address_{lang}"]) for lang in ("fi", "sv")
                    if u.get(f"street_address_{lang}")},
            postal_code=str(u.get("address_zip") or ""),
            post_office={lang: str(u[f"address_city_{lang}"]) for lang in ("fi", "sv")
                         if u.get(f"address_city_{lang}")},
            municipality_code="",  # TPR names the city: matched to a code by the builder
            municipality_names=_texts(u, "address_city"),
            x=x, y=y, lon=lon, lat=lat,
            languages=languages,
            languages_from=(f"TPR service description {', '.join(str(d.get('id')) for d in descs)}"
                            if languages else ""),
            services=[str(d.get("title") or "") for d in descs],
            service_ids=[str(d.get("id")) for d in descs],
            organisation=str(u.get("dept_id") or u.get("org_id") or ""),
            hours_text=hours,
            booking_text=[str(d.get(k) or "") for d in descs
                          for k in ("description_short", "description_long")],
            reservation_hours=False,
            plain_hours=any(_has_time(t) for t in hours),
        ))
    return out


def _has_time(text: str) -> bool:
    """Opening-hours text with a time range such as 'ma-pe 8.15-16' or '00-24'."""
    import re

    return re.search(r"\d{1,2}(?:[.:]\d{2})?\s*[-–]\s*\d{1,2}", text) is not None
