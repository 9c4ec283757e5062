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
from dataclasses import dataclass, field

from ..outputs.i18n import t

__all__ = ["FIELDS", "LinkProblem", "LinkError", "encode_view", "decode_view", "encode_scenario",
           "decode_scenario", "MAX_SCENARIO_CHARS"]

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


@dataclass(frozen=True)
class LinkProblem:
    """One part of a link that could not be used: an interface-string key (``link.*`` in
    :mod:`planner.outputs.i18n`) and its values, so the app words it in the reader's language.
    ``str()`` gives the English text."""

    key: str
    values: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.values)

    def __str__(self) -> str:
        return self.text("en")


class LinkError(ValueError):
    """A scenario in a link that cannot be read; ``problem`` words it in any language."""

    def __init__(self, problem: LinkProblem):
        super().__init__(str(problem))
        self.problem = problem


def encode_scenario(text: str) -> str:
    """Scenario YAML -> compact URL-safe text."""
    raw = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_scenario(code: str) -> str:
    """Inverse of :func:`encode_scenario`; :class:`LinkError` (a ValueError) in plain words for
    anything else."""
    try:
        raw = base64.b64decode(code + "=" * (-len(code) % 4), altchars=b"-_", validate=True)
        d = zlib.decompressobj()
        text = d.decompress(raw, MAX_SCENARIO_CHARS + 1)
        if len(text) > MAX_SCENARIO_CHARS or d.unconsumed_tail:
            raise LinkError(LinkProblem("link.too_long", {"n": f"{MAX_SCENARIO_CHARS:,}"}))
        if not d.eof:  # cut short (a truncated link)
            raise zlib.error("incomplete data")
        return text.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise LinkError(LinkProblem("link.damaged", {"what": type(exc).__name__})) from None


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


def decode_view(params: Mapping[str, str]) -> tuple[dict[str, object], str | None, list[LinkProblem]]:
    """Query parameters -> (session choices, scenario YAML or None, problems).

    Each problem is a :class:`LinkProblem` (``str()`` in English, ``.text(lang)`` in the
    interface language); the offending value is quoted, cut to 40 characters.

    Unknown parameters are ignored; a known one with a value outside its choices is
    reported and left out, so the rest of the link still applies.
    """
    view: dict[str, object] = {}
    problems: list[LinkProblem] = []
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
                problems.append(LinkProblem("link.not_date", {"param": param, "value": repr(value)}))
        elif value in allowed:
            view[key] = value
        else:
            problems.append(LinkProblem("link.not_one_of", {"param": param, "value": repr(value),
                                                            "choices": ", ".join(allowed)}))
    scenario = None
    sc = params.get("sc")
    if isinstance(sc, (list, tuple)):
        sc = sc[-1] if sc else None
    if sc:
        try:
            scenario = decode_scenario(str(sc))
        except LinkError as exc:
            problems.append(exc.problem)
    return view, scenario, problems
