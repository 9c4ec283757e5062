"""The national service register Palvelutietovaranto (PTV open API v11): service locations.

Shapes as smbackend's PTV importer reads them (``ptv/importers``, recorded answers in
``ptv/tests/test_data/municipality_channels*.json``) and as the API's own source
(vrk-kpa/ptv-releases, ``V11ServiceChannelController``) declares them:

- ``{base}ServiceChannel/list/area/Municipality/code/{code}?includeWholeCountry=false&page=N``
  and ``{base}ServiceChannel/list/organization?code={business id}&page=N``: pages
  ``{pageNumber, pageSize, pageCount, itemList}`` of channels.
- A channel: ``id``, ``serviceChannelType`` (only ``ServiceLocation`` is a site),
  ``organizationId``, ``serviceChannelNames[] {language, value, type}``, ``languages``,
  ``addresses[] {type: Location, streetAddress {street[], streetNumber, postalCode,
  postOffice[], municipality {code}, latitude, longitude}}`` where **latitude is the
  northing and longitude the easting in EPSG:3067** (metres, as text), ``serviceHours[]
  {serviceHourType, isClosed, isAlwaysOpen, isReservation, openingHour[],
  additionalInformation[]}``, ``services[] {service {id, name}}``, ``modified``.

Every Uusimaa municipality is asked for its channels; organisations whose service locations
are marked for the whole country (Kela) are asked by business id.
"""

from __future__ import annotations

from typing import Any

from .client import Answer, RegisterClient, RegisterError
from .record import Record

__all__ = ["DEFAULT_BASE", "fetch_ptv", "channel_records"]

DEFAULT_BASE = "https://api.palvelutietovaranto.suomi.fi/api/v11/"
MAX_PAGES = 1000  # a register answer claiming more pages than this is an error, not a loop


def _base(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def _paged(client: RegisterClient, url: str, params: dict[str, Any]) -> list[Answer]:
    first = client.get(url, {**params, "page": 1})
    if not isinstance(first.data, dict):
        raise RegisterError(f"GET {first.url}: expected a page object, got {type(first.data).__name__}")
    count = first.data.get("pageCount") or 1
    if not isinstance(count, int) or count < 0 or count > MAX_PAGES:
        raise RegisterError(f"GET {first.url}: implausible pageCount {count!r}")
    rest = client.get_many([(url, {**params, "page": n}) for n in range(2, count + 1)])
    return [first, *rest]


def fetch_ptv(client: RegisterClient, municipality_codes: list[str], organisation_codes: list[str],
              base: str = DEFAULT_BASE) -> list[tuple[Answer, str]]:
    """Every page of channels of the municipalities and organisations: (answer, org code or '')."""
    b = _base(base)
    out: list[tuple[Answer, str]] = []
    failures: list[str] = []
    jobs = [(f"{b}ServiceChannel/list/area/Municipality/code/{code}", {"includeWholeCountry": "false"}, "")
            for code in municipality_codes]
    jobs += [(f"{b}ServiceChannel/list/organization", {"code": org}, org) for org in organisation_codes]
    for url, params, org in jobs:
        try:
            out += [(a, org) for a in _paged(client, url, params)]
        except RegisterError as exc:
            failures.append(str(exc))
    if failures:
        raise RegisterError(f"{len(failures)} register request(s) failed:\n  " + "\n  ".join(failures))
    return out


def _lang_values(items: list[dict[str, Any]] | None, kind: str | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items or []:
        if kind is not None and it.get("type") not in (kind, None):
            continue
        lang, value = it.get("language"), it.get("value")
        if lang and value and lang not in out:
            out[str(lang)] = str(value)
    return out


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out else None


def _location(ch: dict[str, Any]) -> dict[str, Any]:
    for a in ch.get("addresses") or []:
        if a.get("type") == "Location" and a.get("streetAddress"):
            return a["streetAddress"]
    return {}


def channel_records(pages: list[tuple[Answer, str]], base: str = DEFAULT_BASE) -> list[Record]:
    """One :class:`Record` per channel id (first seen wins; organisation codes accumulate)."""
    seen: dict[str, Record] = {}
    for answer, org in pages:
        for ch in answer.data.get("itemList") or []:
            cid = str(ch.get("id") or "")
            if not cid:
                continue
            if cid in seen:
                if org and org not in seen[cid].organisation_codes:
                    seen[cid].organisation_codes.append(org)
                continue
            street = _location(ch)
            hours = ch.get("serviceHours") or []
            open_hours = [h for h in hours if not h.get("isClosed")
                          and str(h.get("serviceHourType") or "DaysOfTheWeek") == "DaysOfTheWeek"]
            number = str(street.get("streetNumber") or "").strip()
            streets = {k: f"{v} {number}".strip() for k, v in _lang_values(street.get("street")).items()
                       if v.strip()}
            muni = street.get("municipality") or {}
            code = str(muni.get("code") or "").strip()
            seen[cid] = Record(
                register="ptv",
                register_id=cid,
                url=f"{_base(base)}ServiceChannel/{cid}",
                fetched_on=answer.fetched_on,
                names=_lang_values(ch.get("serviceChannelNames"), "Name"),
                street=streets,
                postal_code=str(street.get("postalCode") or ""),
                post_office=_lang_values(street.get("postOffice")),
                municipality_code=code.zfill(3) if code.isdigit() else "",
                municipality_names=list(_lang_values(muni.get("name")).values()),
                # PTV: 'latitude' is the northing and 'longitude' the easting, EPSG:3067
                x=_num(street.get("longitude")), y=_num(street.get("latitude")),
                languages=sorted({str(x) for x in ch.get("languages") or []}),
                languages_from="PTV channel languages" if ch.get("languages") else "",
                services=[str((s.get("service") or {}).get("name") or "") for s in ch.get("services") or []],
                service_ids=[str((s.get("service") or {}).get("id") or "") for s in ch.get("services") or []],
                organisation=str(ch.get("organizationId") or ""),
                organisation_codes=[org] if org else [],
                hours_text=[v for h in hours for v in _lang_values(h.get("additionalInformation")).values()],
                booking_text=[str(d["value"]) for d in ch.get("serviceChannelDescriptions") or []
                              if d.get("value")],
                reservation_hours=any(h.get("isReservation") for h in open_hours),
                plain_hours=any(not h.get("isReservation") and (h.get("openingHour") or h.get("isAlwaysOpen"))
                                for h in open_hours),
                kind=str(ch.get("serviceChannelType") or ""),
            )
    return list(seen.values())
