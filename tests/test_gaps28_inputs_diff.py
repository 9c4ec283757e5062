"""Issue 28: the points diff on hand-made frames (EPSG:3067 metres), every line worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from planner.inputs.registers.diff import CHANGES, DIFF_COLUMNS, change_counts, diff_points


def _pts(rows):
    """rows: (id, category, x, y, precision, valid_from, valid_to, target_group)."""
    df = pd.DataFrame(rows, columns=["id", "category", "x", "y", "location_precision", "valid_from",
                                     "valid_to",
                                     "target_group"])
    df["name"] = "N " + df["id"]
    df["municipality_code"] = "091"
    df["located"] = df["location_precision"] != "unknown"
    df["valid_from"] = pd.to_datetime(df["valid_from"])
    df["valid_to"] = pd.to_datetime(df["valid_to"])
    return gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=[Point(x, y) for x, y in zip(df.x, df.y,
                                                                                               strict=True)],
                            crs="EPSG:3067")


OLD = _pts([
    ("a", "kela", 385000, 6675000, "address", None, None, ""),
    ("b", "kela", 385000, 6675000, "address", "2024-01-01", None, "homeless"),
    ("c", "fi_walkin", 385000, 6675000, "municipality", None, None, ""),
    ("d", "kela", 385000, 6675000, "address", None, None, ""),
    ("e", "kela", 385000, 6675000, "address", None, "2025-12-31", ""),
])
NEW = _pts([
    ("z", "sv_walkin", 386000, 6675000, "address", None, None, ""),
    ("e", "kela", 385000, 6675000, "unknown", None, None, "emergency"),
    ("a", "kela", 385100.0, 6675000, "address", None, None, ""),      # exactly 100 m: not moved
    ("b", "fi_walkin", 385100.5, 6675000, "address", None, None, ""),  # 100.5 m: moved
    ("c", "fi_walkin", 385000, 6675000, "address", None, None, ""),
])


def test_every_change_kind_in_order_with_its_detail():
    d = diff_points(OLD, NEW)
    assert list(d.columns) == DIFF_COLUMNS
    got = list(zip(d["change"], d["id"], d["detail"], strict=True))
    assert got == [
        ("added", "z", "new sv_walkin point"),
        ("removed", "d", "kela point no longer in the file"),
        ("moved", "b", "moved 100 m"),
        ("moved", "c", "site now known (was municipality)"),
        ("moved", "e", "site no longer known (now unknown)"),
        ("recategorised", "b", "kela → fi_walkin"),
        ("redated", "b", "valid_from 2024-01-01 → (open)"),
        ("redated", "e", "valid_to 2025-12-31 → (open)"),
        ("retargeted", "b", "target_group homeless → (everyday)"),
        ("retargeted", "e", "target_group (everyday) → emergency"),
    ]
    moved_b = d[(d["change"] == "moved") & (d["id"] == "b")].iloc[0]
    assert moved_b["distance_m"] == 100.5
    assert math.isnan(d[(d["change"] == "moved") & (d["id"] == "c")]["distance_m"].iloc[0])
    added = d[d["change"] == "added"].iloc[0]
    assert (added["category_old"], added["category_new"], added["name"]) == ("", "sv_walkin", "N z")
    assert np.isnan(added["lon_old"]) and added["lon_new"] == pytest.approx(24.0, abs=2)
    removed = d[d["change"] == "removed"].iloc[0]
    assert (removed["category_old"], removed["category_new"], removed["valid_from_new"]) == ("kela", "", "")
    assert np.isnan(removed["lat_new"]) and not np.isnan(removed["lat_old"])
    red = d[(d["change"] == "redated") & (d["id"] == "b")].iloc[0]
    assert (red["valid_from_old"], red["valid_from_new"], red["target_group_old"],
            red["target_group_new"]) == (
        "2024-01-01", "", "homeless", "")
    assert (red["location_precision_old"], red["location_precision_new"]) == ("address", "address")
    assert change_counts(d) == {"added": 1, "removed": 1, "moved": 3, "recategorised": 1, "redated": 2,
                                "retargeted": 2}


def test_a_lower_threshold_makes_the_100_m_shift_a_move_and_zero_is_allowed():
    d = diff_points(OLD, NEW, threshold_m=99.9)
    assert d[d["change"] == "moved"]["id"].tolist() == ["a", "b", "c", "e"]
    assert d[(d["change"] == "moved") & (d["id"] == "a")]["detail"].iloc[0] == "moved 100 m"
    assert diff_points(OLD, OLD, threshold_m=0).empty


@pytest.mark.parametrize("bad", [-0.1, float("nan")])
def test_a_negative_or_missing_threshold_is_refused(bad):
    with pytest.raises(ValueError) as e:
        diff_points(OLD, NEW, threshold_m=bad)
    assert str(e.value) == f"the move threshold must be a distance in metres >= 0, got {bad}"


def test_counts_name_every_kind_even_at_zero():
    d = diff_points(OLD, OLD)
    assert d.empty and list(d.columns) == DIFF_COLUMNS
    assert change_counts(d) == dict.fromkeys(CHANGES, 0)


def test_a_move_of_thousands_of_metres_is_grouped():
    far = NEW.copy()
    far.loc[far["id"] == "a", "geometry"] = Point(386234.4, 6675000)
    d = diff_points(OLD, far)
    assert d[(d["change"] == "moved") & (d["id"] == "a")]["detail"].iloc[0] == "moved 1,234 m"
