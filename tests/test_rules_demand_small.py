"""Demand units on a small hand-made study: postal areas, grid cells, language split, need weights.

Two square postal areas 1 km wide in EPSG:3067 (x0, y0 = 385000, 6672000):

    postal  municipality  box (m from x0, y0)      population  sv_share
    00100   091 Helsinki  x 0..1000,    y 0..1000         100       0.1
    02100   049 Espoo     x 2000..3000, y 0..1000           7       0.5

Every answer below is worked out by hand in the comments.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from planner.errors import DataError
from planner.inputs.demand import (
    DEMAND_COLUMNS,
    UNLOCATED,
    grid_demand,
    need_shares,
    postal_demand,
    split_language,
    weight_units,
)

X0, Y0 = 385000.0, 6672000.0
CRS = "EPSG:3067"


def _box(x1: float, y1: float, x2: float, y2: float):
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def _municipalities() -> pd.DataFrame:
    return pd.DataFrame({"municipality_code": ["091", "049"], "name_fi": ["Helsinki", "Espoo"],
                         "sv_share": [0.1, 0.5]})


def _service_areas() -> pd.DataFrame:
    return pd.DataFrame({"municipality_code": ["091", "049"],
                         "service_area": ["Helsinki", "Länsi-Uusimaa"]})


def _postal(codes=("091", "049")) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"postal_code": ["00100", "02100"], "municipality_code": list(codes),
                             "population": [100, 7]},
                            geometry=[_box(0, 0, 1000, 1000), _box(2000, 0, 3000, 1000)], crs=CRS)


@pytest.mark.filterwarnings("error")
def test_postal_demand_full_output():
    out = postal_demand(_postal(), _municipalities(), _service_areas())
    assert list(out.columns) == DEMAND_COLUMNS + ["geometry"]
    assert out.crs == CRS
    assert out["unit_id"].tolist() == ["00100", "02100"]
    assert out["unit_type"].tolist() == ["postal_area", "postal_area"]
    assert out["name"].tolist() == ["00100 Helsinki", "02100 Espoo"]
    assert out["municipality"].tolist() == ["Helsinki", "Espoo"]
    assert out["service_area"].tolist() == ["Helsinki", "Länsi-Uusimaa"]
    # 100 x 0.1 = 10 sv, 90 fi; 7 x 0.5 = 3.5 -> rint (half to even) 4 sv, 3 fi
    assert out["pop_total"].tolist() == [100, 7]
    assert out["pop_sv"].tolist() == [10, 4]
    assert out["pop_fi"].tolist() == [90, 3]
    for col in ("pop_total", "pop_fi", "pop_sv"):
        assert out[col].dtype == np.int64
    assert out["pop_sv_estimated"].tolist() == [True, True]
    assert out["located"].tolist() == [True, True]
    # the origin lies inside its own polygon
    for i, poly in enumerate(_postal().geometry):
        assert poly.contains(gpd.points_from_xy([out["x_m"][i]], [out["y_m"][i]])[0])


def test_postal_demand_unknown_municipality_names_row_and_field():
    # the second row (row 2) lies in "999", which the municipality table lacks
    with pytest.raises(DataError) as exc:
        postal_demand(_postal(codes=("091", "999")), _municipalities(), _service_areas())
    assert exc.value.row == 2
    assert exc.value.field == "municipality_code"
    assert exc.value.reason == ("demand unit '02100' lies in municipality '999', which the "
                                "municipality table lacks (no name and no Swedish-speaker share "
                                "for it)")


@pytest.mark.filterwarnings("error")
def test_grid_demand_located_by_distance_to_postal_areas():
    # 250 m cells; centres (m from x0, y0) and the distance to the nearest postal area:
    #   c1 (500, 500)   inside 00100                -> 091, 20 x 0.1 = 2 sv, 18 fi
    #   c2 (2500, 500)  inside 02100                -> 049, 9 x 0.5 = 4.5 -> 4 sv, 5 fi
    #   c3 (4000, 500)  1000 m east of 02100 (<= 1000 m: located) -> 049, 3 x 0.5 = 1.5 -> 2 sv
    #   c4 (4250, 500)  1250 m east (> 1000 m: unlocated) -> no municipality; issue 24: the
    #       municipal shares of the located residents, (20 x 0.1 + 12 x 0.5) / 32 = 0.25,
    #       5 x 0.25 = 1.25 -> 1 sv, 4 fi (not all 5 counted as Finnish speakers)
    grid = gpd.GeoDataFrame(
        {"cell_id": ["c1", "c2", "c3", "c4"], "population": [20, 9, 3, 5]},
        geometry=[_box(375, 375, 625, 625), _box(2375, 375, 2625, 625),
                  _box(3875, 375, 4125, 625), _box(4125, 375, 4375, 625)], crs=CRS)
    out = grid_demand(grid, _postal(), _municipalities(), _service_areas())
    assert list(out.columns) == DEMAND_COLUMNS + ["geometry"]
    assert out.crs == CRS
    assert out["unit_id"].tolist() == ["c1", "c2", "c3", "c4"]
    assert out["unit_type"].tolist() == ["grid_cell"] * 4
    assert out["name"].tolist() == ["cell c1", "cell c2", "cell c3", "cell c4"]
    assert out["municipality_code"].tolist()[:3] == ["091", "049", "049"]
    assert pd.isna(out["municipality_code"].iloc[3])
    assert out["municipality"].tolist() == ["Helsinki", "Espoo", "Espoo", UNLOCATED]
    assert out["service_area"].tolist() == ["Helsinki", "Länsi-Uusimaa", "Länsi-Uusimaa",
                                            UNLOCATED]
    assert out["located"].tolist() == [True, True, True, False]
    assert out["pop_total"].tolist() == [20, 9, 3, 5]  # population in = population out
    assert out["pop_total"].dtype == np.int64
    assert out["pop_sv"].tolist() == [2, 4, 2, 1]
    assert out["pop_fi"].tolist() == [18, 5, 1, 4]
    # a square cell's representative point is inside it; the unlocated cell has no origin
    assert out["x_m"].iloc[0] == pytest.approx(X0 + 500, abs=125)
    assert out["y_m"].iloc[2] == pytest.approx(Y0 + 500, abs=125)
    assert np.isnan(out["x_m"].iloc[3]) and np.isnan(out["y_m"].iloc[3])


def test_split_language_sums_exactly_and_clips_share():
    # 10 x 1.2 = 12 sv clipped to the 10 residents; NaN share -> 0; -0.5 share -> -2.5 -> 0 sv;
    # 5 x 0.5 = 2.5 -> rint 2 sv, 3 fi
    fi, sv = split_language(np.array([10, 4, 5, 5]), np.array([1.2, np.nan, -0.5, 0.5]))
    assert sv.tolist() == [10, 0, 0, 2]
    assert fi.tolist() == [0, 4, 5, 3]
    assert fi.dtype == np.int64 and sv.dtype == np.int64


def test_need_shares_own_municipal_and_regional_fallback():
    # usable = >= 30 residents in 2016 and population_2016 > 0:
    #   00100 091  60/40 = 1.5 -> clipped to 1.0 (own)
    #   00200 049 -10/50       -> clipped to 0.0 (own)
    #   00300 049   5/29       -> 29 < 30 residents: not usable, falls back to 049
    #   00400 049   5/30 = 1/6 (own; 30 residents is enough)
    # municipal: 091 60/40 -> 1.0; 049 (-10 + 5)/(50 + 30) < 0 -> 0.0
    # region: (60 - 10 + 5)/(40 + 50 + 30) = 55/120 for a unit in a municipality with no area
    need = pd.DataFrame({"postal_code": ["00100", "00200", "00300", "00400"],
                         "municipality_code": ["091", "049", "049", "049"],
                         "unemployed_2016": [60, -10, 5, 5],
                         "population_2016": [40, 50, 29, 30]})
    units = pd.DataFrame({"unit_id": ["00100", "00200", "00300", "00400", "g1", "g2"],
                          "municipality_code": ["091", "049", "049", "049", "091", "999"]})
    share, fallback = need_shares(units, need, "unemployed")
    assert share.dtype == np.float64
    assert share.tolist() == pytest.approx([1.0, 0.0, 0.0, 1 / 6, 1.0, 55 / 120])
    assert fallback.tolist() == [False, False, True, False, True, True]


def test_need_shares_zero_denominator_is_not_usable():
    # 00100 has no households in 2016 -> not usable; 00200 2/10 = 0.2, so 091's share is 0.2
    need = pd.DataFrame({"postal_code": ["00100", "00200"], "municipality_code": ["091", "091"],
                         "households_lowest_income_2016": [3, 2],
                         "households_total_2016": [0, 10], "population_2016": [100, 100]})
    units = pd.DataFrame({"unit_id": ["00100", "00200"], "municipality_code": ["091", "091"]})
    share, fallback = need_shares(units, need, "low_income_households")
    assert share.tolist() == pytest.approx([0.2, 0.2])
    assert fallback.tolist() == [True, False]


def test_need_shares_no_usable_area_gives_zero_region():
    need = pd.DataFrame({"postal_code": ["00100"], "municipality_code": ["091"],
                         "unemployed_2016": [1], "population_2016": [10]})
    units = pd.DataFrame({"unit_id": ["00100"], "municipality_code": ["091"]})
    share, fallback = need_shares(units, need, "unemployed")
    assert share.tolist() == [0.0] and fallback.tolist() == [True]


def _units() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": ["00100", "00200"], "municipality_code": ["091", "091"],
                         "pop_total": np.array([100, 7], dtype="int64"),
                         "pop_fi": np.array([90, 3], dtype="int64"),
                         "pop_sv": np.array([10, 4], dtype="int64")})


def test_weight_units_residents_keeps_the_head_count():
    out = weight_units(_units(), "residents")
    assert out["pop_residents"].tolist() == [100, 7]
    assert out["pop_residents"].dtype == np.int64
    assert out["pop_total"].tolist() == [100, 7] and out["pop_sv"].tolist() == [10, 4]
    assert out["weight_share"].tolist() == [1.0, 1.0]
    assert out["weight_fallback"].tolist() == [False, False]
    assert list(out.columns) == list(_units().columns) + [
        "pop_residents", "weight_share", "weight_fallback"]


def test_weight_units_unemployed_counts_people_in_need():
    # shares 10/100 = 0.1 and 25/50 = 0.5
    # 00100: total 100 x 0.1 = 10, sv 10 x 0.1 = 1, fi 9
    # 00200: total 7 x 0.5 = 3.5 -> 4 (half to even), sv 4 x 0.5 = 2, fi 2
    need = pd.DataFrame({"postal_code": ["00100", "00200"], "municipality_code": ["091", "091"],
                         "unemployed_2016": [10, 25], "population_2016": [100, 50]})
    out = weight_units(_units(), "unemployed", need)
    assert out["pop_residents"].tolist() == [100, 7]
    assert out["pop_residents"].dtype == np.int64
    assert out["pop_total"].tolist() == [10, 4]
    assert out["pop_sv"].tolist() == [1, 2]
    assert out["pop_fi"].tolist() == [9, 2]
    for col in ("pop_total", "pop_fi", "pop_sv"):
        assert out[col].dtype == np.int64
    assert out["weight_share"].tolist() == pytest.approx([0.1, 0.5])
    assert out["weight_fallback"].tolist() == [False, False]
    assert list(out.columns) == list(_units().columns) + [
        "pop_residents", "weight_share", "weight_fallback"]


def test_weight_units_sv_never_exceeds_total():
    # share 1/3: total 2 x 1/3 = 0.67 -> 1; sv 2 x 1/3 -> 1 as well, fi 0 (a 2-sv unit)
    need = pd.DataFrame({"postal_code": ["00100"], "municipality_code": ["091"],
                         "unemployed_2016": [10], "population_2016": [30]})
    units = pd.DataFrame({"unit_id": ["00100"], "municipality_code": ["091"],
                          "pop_total": [2], "pop_fi": [0], "pop_sv": [2]})
    out = weight_units(units, "unemployed", need)
    assert out["pop_total"].tolist() == [1] and out["pop_sv"].tolist() == [1]
    assert out["pop_fi"].tolist() == [0]


def test_weight_units_unknown_weight():
    with pytest.raises(ValueError, match="unknown weight 'income'"):
        weight_units(_units(), "income")
