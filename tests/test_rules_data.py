"""Loader and demand rules: impossible values are refused with file, row and field.

Each test is named after the fault it catches; the bad files are the bundled ones with one
value changed, so everything else in them is known to be valid.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from planner.errors import DataError
from planner.inputs.data import load_municipalities, load_service_points
from planner.inputs.demand import grid_demand, postal_demand, split_language
from planner.settings import DEFAULT_SETTINGS, GEODATA_DIR

MUNI = GEODATA_DIR / "uusimaa" / "municipalities.csv"
HEADER = "id,name,category,municipality_code,lon,lat"
HELSINKI = "24.9529,60.1682"


def bad_municipalities(tmp_path: Path, code: str, column: str, value: str) -> Path:
    df = pd.read_csv(MUNI, dtype=str, keep_default_na=False)
    df.loc[df["municipality_code"] == code, column] = value
    out = tmp_path / "municipalities.csv"
    df.to_csv(out, index=False)
    return out


def points_file(tmp_path: Path, *rows: str, extra_header: str = "") -> Path:
    out = tmp_path / "points.csv"
    out.write_text("\n".join([HEADER + extra_header, *rows]) + "\n", encoding="utf-8")
    return out


# --- municipalities ----------------------------------------------------------------------


@pytest.mark.parametrize("column", ["population_2022", "population_2015",
                                    "swedish_speakers_median_2000_2022"])
def test_negative_municipal_population_is_refused(tmp_path, column):
    path = bad_municipalities(tmp_path, "091", column, "-5")
    with pytest.raises(DataError, match="non-negative") as err:
        load_municipalities(path)
    # Helsinki (091) is the 8th row of the alphabetical-by-code table
    row = pd.read_csv(MUNI, dtype=str)["municipality_code"].tolist().index("091") + 1
    assert (err.value.file, err.value.row, err.value.field) == (str(path), row, column)


def test_zero_municipal_population_is_a_valid_number(tmp_path):
    m = load_municipalities(bad_municipalities(tmp_path, "018", "swedish_speakers_median_2000_2022", "0"))
    assert m.loc[m["municipality_code"] == "018", "sv_share"].iloc[0] == 0.0


@pytest.mark.parametrize("code", ["0091", "1091", "91.5", "", "09"])
def test_municipality_code_that_is_not_three_digits_is_refused(tmp_path, code):
    path = bad_municipalities(tmp_path, "091", "municipality_code", code)
    if code == "09":  # two digits are zero-padded ("09" -> "009"), a valid-looking code
        assert "009" in set(load_municipalities(path)["municipality_code"])
        return
    with pytest.raises(DataError, match="municipality code") as err:
        load_municipalities(path)
    assert err.value.field == "municipality_code"


def test_swedish_share_uses_the_earliest_population_year():
    m = load_municipalities().set_index("municipality_code")
    # Raasepori (710): median Swedish speakers / population 2015
    raw = pd.read_csv(MUNI, dtype={"municipality_code": str}).set_index("municipality_code")
    expected = raw.loc["710", "swedish_speakers_median_2000_2022"] / raw.loc["710", "population_2015"]
    assert m.loc["710", "sv_share"] == pytest.approx(expected)
    assert 0.5 < m.loc["710", "sv_share"] < 1.0


# --- service points -----------------------------------------------------------------------


def test_four_digit_municipality_code_on_a_point_is_refused(tmp_path, borders):
    path = points_file(tmp_path, f"a,A,kela,0091,{HELSINKI}")
    with pytest.raises(DataError, match="not a municipality code") as err:
        load_service_points(path, borders=borders)
    assert (err.value.row, err.value.field) == (1, "municipality_code")


def test_three_digit_code_written_as_a_number_is_read_as_text(tmp_path, borders):
    # spreadsheets turn "091" into 91 or 91.0: both mean Helsinki
    path = points_file(tmp_path, f"a,A,kela,91,{HELSINKI}", f"b,B,kela,91.0,{HELSINKI}")
    assert load_service_points(path, borders=borders)["municipality_code"].tolist() == ["091", "091"]


@pytest.mark.parametrize("value", ["-1", "-0.5", "many"])
def test_negative_or_text_capacity_is_refused(tmp_path, borders, value):
    path = points_file(tmp_path, f"a,A,kela,091,{HELSINKI},10", f"b,B,kela,091,{HELSINKI},{value}",
                       extra_header=",capacity")
    with pytest.raises(DataError, match="non-negative number") as err:
        load_service_points(path, borders=borders)
    assert (err.value.row, err.value.field) == (2, "capacity")


def test_zero_and_missing_capacity_are_accepted(tmp_path, borders):
    path = points_file(tmp_path, f"a,A,kela,091,{HELSINKI},0", f"b,B,kela,091,{HELSINKI},",
                       extra_header=",capacity")
    cap = load_service_points(path, borders=borders)["capacity"]
    assert cap.iloc[0] == 0.0 and np.isnan(cap.iloc[1])


@pytest.mark.parametrize("value", ["approximate", "Address", "gps"])
def test_unknown_location_precision_is_refused(tmp_path, borders, value):
    path = points_file(tmp_path, f"a,A,kela,091,{HELSINKI},address", f"b,B,kela,091,{HELSINKI},{value}",
                       extra_header=",location_precision")
    with pytest.raises(DataError, match="location_precision") as err:
        load_service_points(path, borders=borders)
    assert (err.value.row, err.value.field) == (2, "location_precision")


def test_missing_location_precision_means_unspecified(tmp_path, borders):
    path = points_file(tmp_path, f"a,A,kela,091,{HELSINKI},", extra_header=",location_precision")
    assert load_service_points(path, borders=borders)["location_precision"].tolist() == ["unspecified"]


# --- demand: the language table -----------------------------------------------------------


def _areas(codes: list[str], pops: list[int]) -> gpd.GeoDataFrame:
    x0, y0 = 385_000, 6_672_000
    return gpd.GeoDataFrame({
        "postal_code": [f"00{k:03d}" for k in range(len(codes))], "municipality_code": codes,
        "population": pops,
    }, geometry=[box(x0 + 1000 * k, y0, x0 + 1000 * k + 900, y0 + 900) for k in range(len(codes))],
        crs=3067)


@pytest.fixture(scope="module")
def tables():
    from planner.inputs.data import load_service_areas

    m = load_municipalities()
    return m, load_service_areas(municipalities=m)


def test_municipality_missing_from_the_language_table_is_an_error_not_100_percent_swedish(tables):
    m, areas = tables
    with pytest.raises(DataError, match="'999'.*municipality table lacks") as err:
        postal_demand(_areas(["091", "999"], [100, 200]), m, areas)
    assert (err.value.row, err.value.field) == (2, "municipality_code")
    # the same unit is fine once its municipality is in the table (as Raasepori, 710)
    units = postal_demand(_areas(["091", "710"], [100, 200]), m, areas)
    share = m.set_index("municipality_code")["sv_share"]
    assert units["pop_sv"].tolist() == [round(100 * share["091"]), round(200 * share["710"])]
    assert (units["pop_fi"] + units["pop_sv"]).tolist() == [100, 200]


def test_unlocated_grid_cell_has_no_municipality_and_the_located_residents_swedish_share(tables):
    m, areas = tables
    postal = _areas(["091"], [0])
    x0, y0 = 385_000, 6_672_000
    grid = gpd.GeoDataFrame({"cell_id": ["near", "sea"], "population": [50, 30]},
                            geometry=[box(x0, y0, x0 + 250, y0 + 250),
                                      box(x0 + 50_000, y0, x0 + 50_250, y0 + 250)], crs=3067)
    units = grid_demand(grid, postal, m, areas).set_index("unit_id")
    assert units.loc["sea", "located"] == False  # noqa: E712 - numpy bool
    assert units.loc["sea", "municipality"] == "(unlocated)"
    # issue 24: not all counted as Finnish speakers: the Swedish share of the grid's located
    # residents (here all in Helsinki: Helsinki's share), 30 x share rounded
    sv = round(30 * m.set_index("municipality_code").loc["091", "sv_share"])
    assert sv > 0 and (units.loc["sea", "pop_fi"], units.loc["sea", "pop_sv"]) == (30 - sv, sv)
    assert np.isnan(units.loc["sea", "x_m"])
    assert units.loc["near", "municipality"] == "Helsinki" and units["pop_total"].sum() == 80


def test_language_split_sums_to_the_population_and_rounds_to_nearest():
    fi, sv = split_language(np.array([10, 10, 3, 0]), np.array([0.26, 0.24, 1.0, 0.5]))
    assert sv.tolist() == [3, 2, 3, 0] and (fi + sv).tolist() == [10, 10, 3, 0]


def test_postal_units_are_named_typed_and_keep_integer_population(tables):
    m, areas = tables
    units = postal_demand(_areas(["091", "049"], [100, 7]), m, areas)
    assert units["unit_id"].tolist() == ["00000", "00001"]
    assert units["name"].tolist() == ["00000 Helsinki", "00001 Espoo"]
    assert (units["unit_type"] == "postal_area").all() and units["located"].all()
    assert units["pop_total"].dtype == "int64" and units["pop_total"].tolist() == [100, 7]
    assert units["service_area"].tolist() == ["Helsinki", "Espoo–Kauniainen"]
    assert units["pop_sv_estimated"].all() and units.crs.to_epsg() == 3067


def test_grid_cell_exactly_at_the_unlocated_distance_is_located(tables):
    m, areas = tables
    postal = _areas(["091"], [0])  # square (x0, y0) - (x0 + 900, y0 + 900)
    x0, y0 = 385_000, 6_672_000
    d = DEFAULT_SETTINGS.unlocated_max_m  # 1000 m
    # centres exactly d and d + 1 m east of the square's edge (cells 250 m wide)
    grid = gpd.GeoDataFrame({"cell_id": ["edge", "beyond"], "population": [4, 6]}, geometry=[
        box(x0 + 900 + d - 125, y0, x0 + 900 + d + 125, y0 + 250),
        box(x0 + 900 + d + 1 - 125, y0 + 300, x0 + 900 + d + 1 + 125, y0 + 550)], crs=3067)
    units = grid_demand(grid, postal, m, areas).set_index("unit_id")
    assert units.loc["edge", "located"] and not units.loc["beyond", "located"]
    assert units.loc["beyond", "service_area"] == "(unlocated)"
    assert (units["unit_type"] == "grid_cell").all() and units.loc["edge", "name"] == "cell edge"


def test_grid_cell_equidistant_from_two_postal_areas_is_counted_once(tables):
    m, areas = tables
    postal = _areas(["091", "091"], [0, 0])  # squares 100 m apart: x0..x0+900 and x0+1000..x0+1900
    x0, y0 = 385_000, 6_672_000
    grid = gpd.GeoDataFrame({"cell_id": ["mid"], "population": [12]},
                            geometry=[box(x0 + 900, y0 + 1000, x0 + 1000, y0 + 1100)], crs=3067)
    units = grid_demand(grid, postal, m, areas)
    assert units["unit_id"].tolist() == ["mid"] and units["pop_total"].tolist() == [12]


def test_loader_errors_name_the_file_and_field(tmp_path, borders):
    from planner.inputs.data import load_municipal_centres, load_service_areas, read_table

    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="the file is empty") as err:
        read_table(empty)
    assert err.value.file == str(empty)
    with pytest.raises(DataError, match="unknown service-area preset") as err:
        load_service_areas(preset="seven")
    assert err.value.field == "preset" and err.value.file.endswith("service_areas.csv")
    from planner.inputs.data import load_municipal_borders

    csv = tmp_path / "borders.csv"
    csv.write_text("municipality_code\n091\n", encoding="utf-8")
    with pytest.raises(DataError, match="expected a vector file") as err:
        load_municipal_borders(csv)
    assert (err.value.file, err.value.field) == (str(csv), "geometry")
    centres = tmp_path / "centres.csv"
    centres.write_text("municipality_code,label,lon,lat\n091,HELSINKI,east,60.17\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a number") as err:
        load_municipal_centres(centres)
    assert (err.value.file, err.value.row, err.value.field) == (str(centres), 1, "lon")


def test_extra_point_columns_are_kept_and_coordinates_dropped(tmp_path, borders):
    path = points_file(tmp_path, f"a,A,kela,091,{HELSINKI},Mon-Fri", extra_header=",opening_hours")
    pts = load_service_points(path, borders=borders)
    assert pts.columns.tolist() == ["id", "name", "category", "municipality_code", "address", "postal_code",
                                    "location_precision", "located", "proxy", "target_group", "valid_from",
                                    "valid_to", "source", "note", "capacity", "opening_hours",
                                    "geometry"]
    assert pts["opening_hours"].tolist() == ["Mon-Fri"]
