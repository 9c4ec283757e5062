"""One register unit or service channel, in the same form whichever register it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Record"]


@dataclass
class Record:
    """A unit (TPR) or ServiceLocation channel (PTV) as the mapping rules read it.

    ``x, y``: EPSG:3067 metres when the register gives them; ``lon, lat``: WGS84 degrees
    otherwise (the builder projects them). ``names``, ``street``, ``post_office`` are keyed by
    language (fi, sv, en). ``hours_text`` and ``booking_text``: the register's opening-hours
    and description texts the walk-in / appointment rule reads; ``reservation_hours``: the
    register marks service hours as by reservation (PTV ``isReservation``); ``plain_hours``:
    it gives opening hours that are not by reservation.
    """

    register: str  # 'tpr' | 'ptv'
    register_id: str
    url: str
    fetched_on: str  # YYYY-MM-DD
    names: dict[str, str]
    street: dict[str, str] = field(default_factory=dict)
    postal_code: str = ""
    post_office: dict[str, str] = field(default_factory=dict)
    municipality_code: str = ""
    municipality_names: list[str] = field(default_factory=list)
    x: float | None = None
    y: float | None = None
    lon: float | None = None
    lat: float | None = None
    languages: list[str] = field(default_factory=list)
    languages_from: str = ""
    services: list[str] = field(default_factory=list)
    service_ids: list[str] = field(default_factory=list)
    organisation: str = ""
    organisation_codes: list[str] = field(default_factory=list)
    hours_text: list[str] = field(default_factory=list)
    booking_text: list[str] = field(default_factory=list)
    reservation_hours: bool = False
    plain_hours: bool = False
    kind: str = "ServiceLocation"

    def name(self, lang: str = "fi") -> str:
        """The name in ``lang``, else Finnish, else any."""
        return self.names.get(lang) or self.names.get("fi") or next(iter(self.names.values()), "")

    def address(self, lang: str = "fi") -> str:
        """'Street 1, 00100 City' in ``lang`` (Finnish where the register has no such text)."""
        street = self.street.get(lang) or self.street.get("fi") or ""
        office = self.post_office.get(lang) or self.post_office.get("fi") or ""
        town = " ".join(p for p in (self.postal_code, office.title() if office.isupper() else office) if p)
        return ", ".join(p for p in (street.strip(), town) if p)
