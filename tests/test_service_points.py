"""The bundled service network meets the coverage the planner relies on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.inputs.categories import CATEGORY_CODES
from planner.inputs.data import load_municipalities, load_service_points


def test_coverage_rules(borders):
    pts = load_service_points(borders=borders)
    munis = load_municipalities()
    fi = pts[pts["category"].isin(["fi_walkin", "fi_appointment"])]
    assert set(munis["municipality_code"]) <= set(fi["municipality_code"])
    bilingual = munis.loc[munis["bilingual"], "municipality_code"]
    sv = pts[pts["category"].isin(["sv_walkin", "sv_appointment"])]
    assert set(bilingual) <= set(sv["municipality_code"])
    counts = pts["category"].value_counts()
    assert counts.get("en_service", 0) >= 1
    assert counts.get("reception_centre", 0) >= 1
    assert counts.get("kela", 0) >= 3
    assert set(pts["category"]) <= set(CATEGORY_CODES)


def test_every_point_has_a_source_and_honest_precision(borders):
    pts = load_service_points(borders=borders)
    assert pts["source"].str.strip().ne("").all()
    compiled = pts[pts["source"] == "compiled"]
    # a compiled (unsourced) point is never presented as an exact address
    assert (compiled["location_precision"] != "address").all()
    raw = pd.read_csv(Path(__file__).parent.parent / "geodata" / "service_points.csv", dtype=str)
    assert raw["municipality_code"].str.len().eq(3).all()
