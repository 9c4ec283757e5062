"""The app's view in the page address, so that a link reproduces what the room sees.

``encode_view`` turns the choices (language, page, need, group, mode, model, demand units,
service areas, network date, weight, eligibility rule) and the builder's scenario into
short query parameters; ``decode_view`` reads them back, keeping every valid value and
reporting every invalid one in plain words (a tampered or truncated link never raises).
The scenario travels as its YAML text, zlib-compressed and base64url-encoded (``sc``); it
is parsed later like any uploaded file (safe YAML, every id checked).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import zlib
from collections.abc import Mapping

__all__ = ["FIELDS", "encode_view", "decode_view", "encode_scenario", "decode_scenario",
           "MAX_SCENARIO_CHARS"]

# query parameter -> (session key, allowed values or None for a date)
FIELDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "lang": ("lang", ("en", "fi", "sv")),
    "page": ("page", ("overview", "builder", "compare", "optimise", "export")),
    "need": ("need", ("kela", "social_walkin", "social_any", "english")),
    "group": ("group", ("fi", "sv", "all")),
    "mode": ("mode", ("walk", "drive", "drive_rush", "pt", "pt_rush")),
    "model": ("model", ("straight", "network")),
    "demand": ("demand", ("postal", "grid")),
    "areas": ("preset", ("six_areas", "wellbeing_counties_2023")),
    "date": ("net_date", None),
    "weight": ("net_weight", ("residents", "unemployed", "low_income_households")),
    "elig": ("net_elig", ("default", "any", "organiser")),
}
MAX_SCENARIO_CHARS = 20_000  # of decompressed YAML: a link, not a data dump


def encode_scenario(text: str) -> str:
    """Scenario YAML -> compact URL-safe text."""
    raw = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_scenario(code: str) -> str:
    """Inverse of :func:`encode_scenario`; ValueError in plain words for anything else."""
    try:
        raw = base64.b64decode(code + "=" * (-len(code) % 4), altchars=b"-_", validate=True)
        d = zlib.decompressobj()
        text = d.decompress(raw, MAX_SCENARIO_CHARS + 1)
        if len(text) > MAX_SCENARIO_CHARS or d.unconsumed_tail:
            raise ValueError(f"the scenario in the link is longer than {MAX_SCENARIO_CHARS:,} "
                             "characters")
        if not d.eof:  # cut short (a truncated link)
            raise zlib.error("incomplete data")
        return text.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"the scenario in the link is damaged ({type(exc).__name__}); "
                         "ask for the link again") from None


def encode_view(view: Mapping[str, object], scenario_text: str | None = None) -> dict[str, str]:
    """Session choices (keyed as in :data:`FIELDS`' session keys) -> query parameters."""
    out = {}
    for param, (key, allowed) in FIELDS.items():
        value = view.get(key)
        if value is None:
            continue
        value = value.isoformat() if isinstance(value, datetime.date) else str(value)
        if allowed is None or value in allowed:
            out[param] = value
    if scenario_text:
        out["sc"] = encode_scenario(scenario_text)
    return out


def decode_view(params: Mapping[str, str]) -> tuple[dict[str, object], str | None, list[str]]:
    """Query parameters -> (session choices, scenario YAML or None, problems in plain words).

    Unknown parameters are ignored; a known one with a value outside its choices is
    reported and left out, so the rest of the link still applies.
    """
    view: dict[str, object] = {}
    problems: list[str] = []
    for param, (key, allowed) in FIELDS.items():
        if param not in params:
            continue
        raw = params[param]
        if isinstance(raw, (list, tuple)):  # a parameter repeated in the address: the last one
            raw = raw[-1] if raw else ""
        value = str(raw)[:40]
        if allowed is None:
            try:
                view[key] = datetime.date.fromisoformat(value)
            except ValueError:
                problems.append(f"link: {param}={value!r} is not a date (YYYY-MM-DD); ignored")
        elif value in allowed:
            view[key] = value
        else:
            problems.append(f"link: {param}={value!r} is not one of {', '.join(allowed)}; ignored")
    scenario = None
    sc = params.get("sc")
    if isinstance(sc, (list, tuple)):
        sc = sc[-1] if sc else None
    if sc:
        try:
            scenario = decode_scenario(str(sc))
        except ValueError as exc:
            problems.append(f"link: {exc}")
    return view, scenario, problems
