"""Issue 28: planner.inputs.data at its boundaries, on small hand-made files.

Geometry (EPSG:3067, metres), as in tests/test_rules_data_small.py: municipality 091 is the
square x 380000-390000, y 6670000-6680000; 049 the square east of it. Every expected row,
byte offset and message was worked out by hand.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from planner.errors import DataError, PlannerWarning
from planner.inputs import data

CRS = "EPSG:3067"
SQ091 = box(380000, 6670000, 390000, 6680000)
SQ049 = box(390000, 6670000, 400000, 6680000)


@pytest.fixture
def borders():
    return gpd.GeoDataFrame({"municipality_code": ["091", "049"]}, geometry=[SQ091, SQ049], crs=CRS)


def _wgs(x, y):
    p = gpd.GeoSeries([Point(x, y)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    return f"{p.x:.7f}", f"{p.y:.7f}"


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def _where(e):
    return e.value.file, e.value.row, e.value.field


# --- decoding -------------------------------------------------------------------------------------


def test_utf16_with_and_without_byte_order_mark_is_read():
    text = "id,name\n1,Järvenpää\n"
    assert data.decode_text(text.encode("utf-16"), "f.csv") == text  # BOM: 'utf-16'
    assert data.decode_text(text.encode("utf-16-le"), "f.csv") == text  # every 2nd byte NUL
    assert data.decode_text(text.encode("utf-16-be"), "f.csv") == text  # every 1st byte NUL
    assert data.decode_text("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), "f.csv") == text


def test_text_with_a_few_nul_bytes_is_not_taken_for_utf16():
    # 'ab\x00cdefgh': 1 NUL of 4 odd bytes, well under 90 %: not UTF-16, read as it is
    raw = b"ab\x00cdefgh"
    assert data._utf16(raw) is None
    assert data._utf16(b"a\x00") is None  # under 4 bytes: never guessed
    assert data._utf16(b"\xff\xfe\x00\xd8") is None  # a lone surrogate: not decodable


def test_a_damaged_byte_in_a_utf8_file_is_located_by_row_and_offset():
    # header 'id,name\n' is 8 bytes (row 0); row 1 'a,Järvi\n' (UTF-8, 9 bytes) ends at 17;
    # row 2 'b,M\xe4ki' has the bad byte at 17 + 3 = 20
    raw = "id,name\na,Järvi\n".encode() + b"b,M\xe4ki\nc,\xe4\n"
    with pytest.raises(DataError) as e:
        data.decode_text(raw, "f.csv")
    assert e.value.reason == ("byte 20 (0xe4) is not UTF-8 while the rest of the file is UTF-8 (and 1 more "
                              "line(s)): fix that character, or save the file as 'CSV UTF-8'")
    assert (e.value.file, e.value.row) == ("f.csv", 2)
    one = "id,name\na,Järvi\n".encode() + b"b,M\xe4ki\n"
    with pytest.raises(DataError) as e:
        data.decode_text(one, "f.csv")
    assert "(and" not in e.value.reason and e.value.reason.startswith("byte 20 (0xe4) is not UTF-8")


def test_a_windows_1252_file_is_read_with_a_warning():
    raw = "id,name\n1,Järvenpää\n".encode("cp1252")
    with pytest.warns(PlannerWarning, match=r"^f\.csv: not UTF-8; read as Windows-1252"):
        assert data.decode_text(raw, "f.csv") == "id,name\n1,Järvenpää\n"


def test_semicolon_file_with_decimal_commas_gets_decimal_points_only_in_number_columns(tmp_path):
    p = _write(tmp_path, "s.csv", "id;name;value;mixed\n1;Espoo, keskus;24,93;3,5\n2;Vantaa;-1;x,1\n")
    df = data.read_table(p)
    assert df["value"].tolist() == ["24.93", "-1"]
    assert df["name"].tolist() == ["Espoo, keskus", "Vantaa"]
    assert df["mixed"].tolist() == ["3,5", "x,1"]  # not all numbers: left as typed
    # a comma-separated file with more commas than semicolons keeps its commas
    q = _write(tmp_path, "c.csv", "id,name\n1,a;b\n")
    assert data.read_table(q)["name"].tolist() == ["a;b"]


def test_a_semicolon_column_of_whole_numbers_is_left_alone(tmp_path):
    p = _write(tmp_path, "s.csv", "id;n\n1; 7 \n2;8\n")
    assert data.read_table(p)["n"].tolist() == [" 7 ", "8"]


def test_read_table_errors_name_the_file(tmp_path):
    with pytest.raises(DataError) as e:
        data.read_table(tmp_path / "none.csv")
    assert (e.value.reason, e.value.file) == ("file not found", str(tmp_path / "none.csv"))
    empty = _write(tmp_path, "e.csv", "")
    with pytest.raises(DataError) as e:
        data.read_table(empty)
    assert (e.value.reason, e.value.file) == ("the file is empty", str(empty))
    header = _write(tmp_path, "h.csv", "id,name\n")
    with pytest.raises(DataError) as e:
        data.read_table(header)
    assert (e.value.reason, e.value.file) == ("the file has a header but no data rows", str(header))
    blank = _write(tmp_path, "b.csv", "\n\n")
    with pytest.raises(DataError) as e:
        data.read_table(blank)
    assert (e.value.reason, e.value.file) == ("the file is empty", str(blank))
    nul = _write(tmp_path, "n.csv", b"PK\x03\x04\x00\x00binary" + b"\xe4" * 3)
    with pytest.raises(DataError) as e:
        data.read_table(nul)
    assert e.value.reason.startswith("the file contains NUL bytes: not a text CSV")


def test_a_corrupt_geopackage_is_a_located_read_error(tmp_path):
    p = _write(tmp_path, "bad.gpkg", b"this is not a GeoPackage at all")
    with pytest.raises(DataError) as e:
        data.read_table(p)
    assert e.value.reason.startswith("cannot read the file: ") and e.value.file == str(p)


def test_a_geopackage_with_two_layers_needs_one_named(tmp_path):
    p = tmp_path / "two.gpkg"
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(385000, 6675000)], crs=CRS)
    g.to_file(p, layer="first")
    g.assign(a=[2]).to_file(p, layer="second", mode="a")
    with pytest.raises(DataError) as e:
        data.read_table(p)
    assert e.value.reason == (f"the file has 2 layers ['first', 'second']; say which one, e.g. "
                              f"'{p}|layername=first'")
    assert (e.value.file, e.value.field) == (str(p), "layer")
    assert data.read_table(f"{p}|layername=second")["a"].tolist() == [2]
    assert data.read_table(p, layer="first")["a"].tolist() == [1]


# --- codes, ids, uniqueness -----------------------------------------------------------------------


@pytest.mark.parametrize("value, code", [(91, "091"), ("91.0", "091"), (91.0, "091"), (" 5 ", "005"),
                                         ("999", "999")])
def test_municipality_codes_are_three_digits(value, code):
    assert data._normalise_code(value, "f", 1) == code


@pytest.mark.parametrize("value", ["1000", "", None, float("nan"), "9a", "-91"])
def test_a_code_that_is_not_three_digits_is_refused_with_its_row(value):
    with pytest.raises(DataError) as e:
        data._normalise_code(value, "f.csv", 4, "kunta")
    assert ("f.csv", 4, "kunta") == _where(e)
    assert e.value.reason.endswith("is not a municipality code (three digits, e.g. '091')")


def test_codes_number_rows_from_one():
    with pytest.raises(DataError) as e:
        data._codes(pd.Series(["091", "049", "x"]), "f.csv")
    assert _where(e) == ("f.csv", 3, "municipality_code")


@pytest.mark.parametrize("value, text", [(None, ""), (float("nan"), ""), (True, "True"), (np.bool_(False),
                                                                                          "False"),
                                         (1.0, "1"), (np.float64(12.0), "12"), (1.5, "1.5"), (7, "7"),
                                         (" a ", " a ")])
def test_id_text(value, text):
    assert data._id_text(value) == text


def test_a_duplicate_names_its_first_two_rows():
    s = pd.Series(["a", "b", "c", "b", "a"])
    with pytest.raises(DataError) as e:
        data._check_unique(s, "f.csv", "id")
    # 'a' is the first duplicated value: rows 1 and 5; the error points at the second
    assert e.value.reason == "duplicate id 'a' (rows [1, 5])"
    assert _where(e) == ("f.csv", 5, "id")
    data._check_unique(pd.Series(["a", "b"]), "f.csv", "id")


def test_a_shapefile_cut_column_name_is_recognised():
    df = pd.DataFrame({"municipali": ["091"], "name": ["x"]})
    data._require_columns(df, ["municipality_code", "name"], "f.shp")
    assert list(df.columns) == ["municipality_code", "name"]
    with pytest.raises(DataError) as e:
        data._require_columns(pd.DataFrame({"name": [1]}), ["id", "name", "category"], "f.csv")
    assert e.value.reason == "missing required column(s) ['id', 'category']; the file has ['name']"
    assert _where(e) == ("f.csv", None, "id")


# --- CRS and geometry -----------------------------------------------------------------------------


def test_a_layer_without_crs_is_refused():
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(385000, 6675000)])
    with pytest.raises(DataError) as e:
        data._to_metric(g, "f.geojson", data.DEFAULT_SETTINGS)
    assert e.value.reason == "the layer has no CRS; save it with EPSG:3067 or EPSG:4326"
    assert _where(e) == ("f.geojson", None, "geometry")


def test_metres_labelled_as_degrees_are_refused():
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(385000, 6675000), Point(390000, 6680000)],
                         crs="EPSG:4326")
    with pytest.raises(DataError) as e:
        data._to_metric(g, "f.geojson", data.DEFAULT_SETTINGS)
    assert e.value.reason == ("the coordinates (x 385000..390000, y 6675000..6680000) are not degrees "
                              "although the layer's CRS is EPSG:4326 (a GeoJSON without a 'crs' is read as "
                              "WGS84): they look like projected metres (EPSG:3067?); save the file with its "
                              "real CRS")
    assert _where(e) == ("f.geojson", None, "geometry")


def test_degrees_labelled_as_metres_are_refused_and_edges_of_finland_count():
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(19, 59), Point(32, 71)], crs=CRS)
    with pytest.raises(DataError) as e:
        data._to_metric(g, "f.gpkg", data.DEFAULT_SETTINGS)
    assert e.value.reason == ("the coordinates (x 19.000..32.000, y 59.000..71.000) look like degrees "
                              "although the layer's CRS is EPSG:3067 (metres); save the file with its real "
                              "CRS (EPSG:4326?)")
    # just outside Finland's degree box on one side: taken as the metres it says it is
    for pts in ([Point(18.9, 60), Point(25, 60)], [Point(25, 60), Point(32.1, 60)],
                [Point(25, 58.9), Point(25, 60)], [Point(25, 60), Point(25, 71.1)]):
        out = data._to_metric(gpd.GeoDataFrame(geometry=pts, crs=CRS), "f", data.DEFAULT_SETTINGS)
        assert out.crs.to_epsg() == 3067


def test_degrees_at_the_edges_of_the_globe_are_degrees():
    g = gpd.GeoDataFrame(geometry=[Point(-180, -90), Point(180, 90)], crs="EPSG:4326")
    data._to_metric(g.iloc[[0]].assign(geometry=[Point(25, 60)]), "f", data.DEFAULT_SETTINGS)
    for bad in ([Point(-180.5, 0)], [Point(180.5, 0)], [Point(0, -90.5)], [Point(0, 90.5)]):
        with pytest.raises(DataError, match="are not degrees"):
            data._to_metric(gpd.GeoDataFrame(geometry=bad, crs="EPSG:4326"), "f", data.DEFAULT_SETTINGS)


def test_missing_or_wrong_geometry_names_the_row():
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(0, 0), None], crs=CRS)
    with pytest.raises(DataError) as e:
        data._check_geometries(g, "f", ("Point",), False)
    assert (e.value.reason, e.value.row, e.value.field) == ("missing or empty geometry", 2, "geometry")
    g = gpd.GeoDataFrame({"a": [1]}, geometry=[LineString([(0, 0), (1, 1)])], crs=CRS)
    with pytest.raises(DataError) as e:
        data._check_geometries(g, "f", ("Polygon", "MultiPolygon"), True)
    assert e.value.reason == "geometry is a LineString, expected Polygon or MultiPolygon"
    assert e.value.row == 1


def test_an_invalid_polygon_is_refused_or_repaired_with_its_rows():
    from shapely.geometry import Polygon

    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # self-crossing: two triangles of 1 m² each
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[box(0, 0, 1, 1), bowtie], crs=CRS)
    with pytest.raises(DataError) as e:
        data._check_geometries(g, "f", ("Polygon", "MultiPolygon"), False)
    assert e.value.reason.startswith("invalid geometry (Self-intersection")
    assert (e.value.row, e.value.field) == (2, "geometry")
    with pytest.warns(PlannerWarning,
                      match=r"f: repaired 1 invalid polygon\(s\) with shapely.make_valid \(rows \[2\]\)$"):
        fixed = data._check_geometries(g, "f", ("Polygon", "MultiPolygon"), True)
    assert fixed.geometry.iloc[1].is_valid and fixed.geometry.iloc[1].area == pytest.approx(2.0)
    assert g.geometry.iloc[1].equals(bowtie)  # the input frame is not changed


def test_polygonal_keeps_the_polygon_parts_of_a_collection():
    from shapely.geometry import GeometryCollection

    gc = GeometryCollection([box(0, 0, 1, 1), LineString([(5, 5), (6, 6)]), box(1, 0, 2, 1)])
    assert data._polygonal(gc).area == pytest.approx(2.0)
    assert data._polygonal(GeometryCollection([LineString([(0, 0), (1, 1)])])) is None
    sq = box(0, 0, 1, 1)
    assert data._polygonal(sq) is sq


# --- service points -------------------------------------------------------------------------------


def _points(tmp_path, rows, head="id,name,category,municipality_code,lon,lat"):
    return _write(tmp_path, "p.csv", head + "\n" + "\n".join(rows) + "\n")


def test_points_in_metres_are_read_from_x_y(tmp_path, borders):
    p = _points(tmp_path, ["a,A,kela,091,385000,6675000", "b,B,kela,049,395000.5,6675000"],
                "id,name,category,municipality_code,x,y")
    g = data.load_service_points(p, borders=borders)
    assert (g.geometry.iloc[1].x, g.geometry.iloc[1].y) == (395000.5, 6675000)
    bad = _points(tmp_path, ["a,A,kela,091,385000,6675000", "b,B,kela,049,east,6675000"],
                  "id,name,category,municipality_code,x,y")
    with pytest.raises(DataError) as e:
        data.load_service_points(bad, borders=borders)
    assert e.value.reason == "'east' is not a number (metres, EPSG:3067)"
    assert _where(e) == (str(bad), 2, "x")
    bad_y = _points(tmp_path, ["a,A,kela,091,385000,"], "id,name,category,municipality_code,x,y")
    with pytest.raises(DataError) as e:
        data.load_service_points(bad_y, borders=borders)
    assert _where(e)[1:] == (1, "y")


def test_swapped_lon_lat_boundaries(tmp_path, borders):
    # lon 59..71 with lat 19..32 is swapped; the edges count
    with pytest.raises(DataError) as e:
        data._lonlat(pd.DataFrame({"lon": ["1", "59"], "lat": ["1", "32"]}), "f")
    assert e.value.reason == "lon/lat (59.0, 32.0) look swapped: in Finland lon is 19-32 and lat 59-71"
    assert _where(e) == ("f", 2, "lon")
    with pytest.raises(DataError, match="look swapped"):
        data._lonlat(pd.DataFrame({"lon": ["71"], "lat": ["19"]}), "f")
    lon, lat = data._lonlat(pd.DataFrame({"lon": ["58.9", "71.1", "60"], "lat": ["25", "25", "18.9"]}), "f")
    assert lon.tolist() == [58.9, 71.1, 60.0] and lat.tolist() == [25.0, 25.0, 18.9]
    # |lon| 180 and |lat| 90 are still degrees; beyond is projected metres
    data._lonlat(pd.DataFrame({"lon": ["-180", "180"], "lat": ["-90", "90"]}), "f")
    for lon_, lat_ in (("180.5", "0"), ("-180.5", "0"), ("0", "90.5"), ("0", "-90.5")):
        with pytest.raises(DataError) as e:
            data._lonlat(pd.DataFrame({"lon": [lon_], "lat": [lat_]}), "f")
        assert e.value.reason.startswith(f"lon/lat ({float(lon_)}, {float(lat_)}) are not WGS84 degrees")
        assert _where(e) == ("f", 1, "lon")


def test_unknown_precision_and_bad_target_group_are_located(tmp_path, borders):
    lon, lat = _wgs(385000, 6675000)
    p = _points(tmp_path, [f"a,A,kela,091,{lon},{lat},address,", f"b,B,kela,091,{lon},{lat},roughly,"],
                "id,name,category,municipality_code,lon,lat,location_precision,target_group")
    with pytest.raises(DataError) as e:
        data.load_service_points(p, borders=borders)
    assert e.value.reason.startswith("unknown location_precision 'roughly'; expected one of [")
    assert _where(e) == (str(p), 2, "location_precision")
    q = _points(tmp_path, [f"a,A,kela,091,{lon},{lat},, Homeless ", f"b,B,kela,091,{lon},{lat},,two words"],
                "id,name,category,municipality_code,lon,lat,location_precision,target_group")
    with pytest.raises(DataError) as e:
        data.load_service_points(q, borders=borders)
    assert e.value.reason.startswith("'two words' is not a target group (one lower-case word")
    assert _where(e) == (str(q), 2, "target_group")


def test_target_group_is_one_lower_case_word_or_empty():
    df = pd.DataFrame({"target_group": [" Homeless ", None, "", "group_2"]})
    assert data._target_groups(df, "f").tolist() == ["homeless", "", "", "group_2"]
    for bad in ("2group", "_x", "a-b"):
        with pytest.raises(DataError) as e:
            data._target_groups(pd.DataFrame({"target_group": ["ok", bad]}), "f")
        assert e.value.row == 2
    assert data._target_groups(pd.DataFrame({"x": [1, 2]}), "f").tolist() == ["", ""]


def test_a_capacity_that_is_negative_text_or_infinite_is_refused(tmp_path, borders):
    lon, lat = _wgs(385000, 6675000)
    for cap, row in (("-1", 2), ("many", 2), ("inf", 2)):
        p = _points(tmp_path, [f"a,A,kela,091,{lon},{lat},0", f"b,B,kela,091,{lon},{lat},{cap}"],
                    "id,name,category,municipality_code,lon,lat,capacity")
        with pytest.raises(DataError) as e:
            data.load_service_points(p, borders=borders)
        assert e.value.reason == f"{cap!r} is not a finite non-negative number"
        assert _where(e) == (str(p), row, "capacity")
    ok = _points(tmp_path, [f"a,A,kela,091,{lon},{lat},0", f"b,B,kela,091,{lon},{lat},"],
                 "id,name,category,municipality_code,lon,lat,capacity")
    g = data.load_service_points(ok, borders=borders)
    assert g["capacity"].iloc[0] == 0.0 and np.isnan(g["capacity"].iloc[1])


def test_extra_columns_are_kept_after_the_standard_ones(tmp_path, borders):
    lon, lat = _wgs(385000, 6675000)
    p = _points(tmp_path, [f"a,A,kela,091,{lon},{lat},blue"],
                "id,name,category,municipality_code,lon,lat,colour")
    g = data.load_service_points(p, borders=borders)
    assert list(g.columns)[-2:] == ["colour", "geometry"] and g["colour"].tolist() == ["blue"]
    assert "lon" not in g.columns and "lat" not in g.columns


def test_nfc_and_nfd_spellings_of_one_id_are_one_id(tmp_path, borders):
    lon, lat = _wgs(385000, 6675000)
    p = _points(tmp_path, [f"p\u00e4,A,kela,091,{lon},{lat}", f"pa\u0308,B,kela,091,{lon},{lat}"])
    with pytest.raises(DataError) as e:
        data.load_service_points(p, borders=borders)
    assert e.value.reason == "duplicate id 'p\u00e4' (rows [1, 2])"


# --- dates and selection --------------------------------------------------------------------------


def test_parse_date_forms():
    assert data.parse_date(None) is None and data.parse_date(float("nan")) is None
    assert data.parse_date("  ") is None
    assert data.parse_date(" 2024-02-29 ") == pd.Timestamp("2024-02-29")
    assert data.parse_date(pd.Timestamp("2024-03-01 13:45")) == pd.Timestamp("2024-03-01")
    for bad in ("2023-02-29", "2024-3-01", "20240301", "2024-03-01T00:00"):
        with pytest.raises(DataError) as e:
            data.parse_date(bad, "f.csv", 7, "valid_from")
        assert e.value.reason == f"{bad!r} is not a date (YYYY-MM-DD, e.g. 2022-12-31)"
        assert _where(e) == ("f.csv", 7, "valid_from")


def test_parse_date_names_a_date_by_default():
    with pytest.raises(DataError) as e:
        data.parse_date("31.12.2024")
    assert _where(e) == ("<date>", None, "date")


def test_a_layer_with_no_geometry_at_all_is_left_to_the_geometry_check():
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[None, None], crs="EPSG:4326")
    out = data._to_metric(g, "f", data.DEFAULT_SETTINGS)  # nothing to judge the CRS by: no CRS error
    assert out.crs.to_epsg() == 3067
    with pytest.raises(DataError, match="missing or empty geometry"):
        data._check_geometries(out, "f", ("Point",), False)


def test_the_repair_warning_lists_at_most_ten_rows():
    from shapely.geometry import Polygon

    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    g = gpd.GeoDataFrame({"a": range(12)}, geometry=[box(0, 0, 1, 1)] + [bowtie] * 11, crs=CRS)
    with pytest.warns(PlannerWarning) as w:
        data._check_geometries(g, "f", ("Polygon", "MultiPolygon"), True)
    assert str(w[0].message) == ("f: repaired 11 invalid polygon(s) with shapely.make_valid "
                                 "(rows [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]...)")
    g10 = g.iloc[:11]
    with pytest.warns(PlannerWarning) as w:
        data._check_geometries(g10, "f", ("Polygon", "MultiPolygon"), True)
    assert str(w[0].message).endswith("(rows [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])")


def test_a_point_valid_for_a_single_day_is_valid_on_that_day_only():
    pts = pd.DataFrame({"id": ["a", "b"], "valid_from": pd.to_datetime(["2024-05-02", None]),
                        "valid_to": pd.to_datetime(["2024-05-02", "2024-05-01"])})
    assert data.select_points(pts, "2024-05-02")["id"].tolist() == ["a"]
    assert data.select_points(pts, "2024-05-01")["id"].tolist() == ["b"]
    assert data.select_points(pts, "2024-05-03")["id"].tolist() == []
    assert data.select_points(pts, pd.Timestamp("2024-05-02"))["id"].tolist() == ["a"]
    import datetime as dt
    assert data.select_points(pts, dt.date(2024, 5, 1))["id"].tolist() == ["b"]
    assert data.select_points(pts)["id"].tolist() == ["a", "b"]


def test_valid_to_before_valid_from_names_the_row():
    df = pd.DataFrame({"valid_from": ["2024-01-01", "2024-05-02"], "valid_to": ["", "2024-05-01"]})
    with pytest.raises(DataError) as e:
        data._validity(df, "f.csv")
    assert e.value.reason == "valid_to 2024-05-01 is before valid_from 2024-05-02"
    assert _where(e) == ("f.csv", 2, "valid_to")
    vf, vt = data._validity(pd.DataFrame({"valid_from": ["2024-05-02"], "valid_to": ["2024-05-02"]}), "f")
    assert vf.iloc[0] == vt.iloc[0]
    vf, vt = data._validity(pd.DataFrame({"x": [1]}), "f")
    assert vf.isna().all() and vt.isna().all()


def test_select_points_placeholders_and_proxies():
    pts = pd.DataFrame({"id": ["a", "b", "c"], "located": [True, False, None],
                        "proxy": [False, False, True]})
    assert data.select_points(pts)["id"].tolist() == ["a", "c"]  # a missing 'located' is located
    assert data.select_points(pts, include_unlocated=True)["id"].tolist() == ["a", "b", "c"]
    assert data.select_points(pts, located_only=True)["id"].tolist() == ["a"]


def test_proxy_and_targeted_masks_from_their_columns():
    assert data.proxy_mask(pd.DataFrame({"proxy": [True, None, False]})).tolist() == [True, False, False]
    prec = pd.DataFrame({"location_precision": ["municipality", "address", "postal_area"]})
    assert data.proxy_mask(prec).tolist() == [True, False, False]
    assert data.proxy_mask(pd.DataFrame({"x": [1, 2]})).tolist() == [False, False]
    tg = pd.DataFrame({"target_group": ["homeless", " ", None, ""]})
    assert data.targeted_mask(tg).tolist() == [True, False, False, False]
    assert data.targeted_mask(pd.DataFrame({"x": [1]})).tolist() == [False]


def test_placeholders_stand_at_their_municipal_centre_in_metres(tmp_path, borders):
    centres = gpd.GeoDataFrame({"municipality_code": ["091"]}, geometry=[Point(384000, 6674000)], crs=CRS)
    p = _points(tmp_path, ["a,A,kela,091,1,1,unknown", "b,B,kela,049,2,2,municipality",
                           "c,C,kela,091,386000,6676000,address"],
                "id,name,category,municipality_code,x,y,location_precision")
    g = data.load_service_points(p, borders=borders, centres=centres)
    assert (g.geometry.iloc[0].x, g.geometry.iloc[0].y) == (384000, 6674000)
    # 049 has no centre row: a point inside its square stands in
    assert SQ049.contains(g.geometry.iloc[1])
    assert (g.geometry.iloc[2].x, g.geometry.iloc[2].y) == (386000, 6676000)
    assert g["located"].tolist() == [False, True, True]
    assert g["proxy"].tolist() == [True, True, False]  # both stand at a centre, not a site


# --- inside Uusimaa and the municipality; on land; overlaps; residents ---------------------------


def _gpts(xy, codes, names=None):
    df = {"municipality_code": codes}
    if names is not None:
        df["name"] = names
    return gpd.GeoDataFrame(df, geometry=[Point(x, y) for x, y in xy], crs=CRS)


def test_the_municipality_tolerance_is_inclusive_at_2_km(borders):
    # 2000 m south of both squares, and 2000 m into 049 while labelled 091: both allowed
    data._check_inside(_gpts([(385000, 6668000), (392000, 6675000)], ["091", "091"]), borders, "f",
                       data.DEFAULT_SETTINGS)
    with pytest.raises(DataError) as e:
        data._check_inside(_gpts([(385000, 6675000), (385000, 6667999)], ["091", "091"]), borders, "f",
                           data.DEFAULT_SETTINGS)
    assert e.value.reason.endswith(") lies outside Uusimaa (2.0 km from the region)")
    assert e.value.reason.startswith("point (")
    assert (e.value.row, e.value.field) == (2, "lon")
    with pytest.raises(DataError) as e:
        data._check_inside(_gpts([(392001, 6675000)], ["091"]), borders, "f", data.DEFAULT_SETTINGS)
    assert e.value.reason == ("point lies 2.0 km outside its municipality 091; check municipality_code or "
                              "the coordinates")
    assert (e.value.row, e.value.field) == (1, "municipality_code")
    with pytest.raises(DataError) as e:
        data._check_inside(_gpts([(385000, 6675000)], ["092"]), borders, "f", data.DEFAULT_SETTINGS)
    assert e.value.reason == "unknown municipality code '092' (not one of Uusimaa's 2 municipalities)"


def test_the_land_tolerance_is_inclusive_at_500_m():
    land = box(385000, 6670000, 386000, 6671000)
    data.check_on_land(_gpts([(386500, 6670500)], ["091"], ["Shore"]), land, "f")
    data.check_on_land(_gpts([], []), land, "f")
    with pytest.raises(DataError) as e:
        data.check_on_land(_gpts([(385500, 6670500), (386600, 6670500)], ["091", "091"], ["A", "Isle"]),
                           land, "p.csv")
    assert e.value.reason.startswith("point 'Isle' (")
    assert e.value.reason.endswith(") lies in the sea: 0.6 km from land (the postal-area polygons, "
                                   "simplified, "
                                   "so 500 m are allowed); check the coordinates")
    assert _where(e) == ("p.csv", 2, "lon")
    with pytest.raises(DataError, match=r": point '' \("):
        data.check_on_land(_gpts([(386600, 6670500)], ["091"]), land, "p.csv")
    with pytest.raises(DataError, match="0.2 km from land .* so 100 m are allowed"):
        data.check_on_land(_gpts([(386200, 6670500)], ["091"], ["x"]), land, "p.csv", tolerance_m=100)


def test_overlap_of_exactly_a_tenth_is_allowed_more_is_refused():
    ok = gpd.GeoDataFrame({"cell_id": ["a", "b"]}, geometry=[box(0, 0, 1000, 1000), box(900, 0, 1900, 1000)],
                          crs=CRS)
    data.check_overlaps(ok, "cell_id", "g.gpkg")  # 0.1 km² of 1 km²: exactly 10 %
    bad = gpd.GeoDataFrame({"cell_id": ["a", "c", "b"]},
                           geometry=[box(0, 0, 1000, 1000), box(5000, 0, 6000, 1000), box(700, 0, 1700,
                                                                                          1000)],
                           crs=CRS)
    with pytest.raises(DataError) as e:
        data.check_overlaps(bad, "cell_id", "g.gpkg")
    assert e.value.reason == ("cell_id 'b' (row 3) overlaps 'a' (row 1) over 0.30 km² (30 % of the larger): "
                              "the same residents would be counted twice. Each place must belong to one unit "
                              "(1 overlapping pair(s) in all)")
    assert _where(e) == ("g.gpkg", 3, "geometry")
    touching = gpd.GeoDataFrame({"cell_id": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=CRS)
    data.check_overlaps(touching, "cell_id", "g")


def test_a_small_unit_inside_a_big_one_is_measured_against_the_larger():
    # 0.2 km² wholly inside 1 km²: 20 % of the larger, refused (100 % of the smaller would be too)
    g = gpd.GeoDataFrame({"postal_code": ["big", "small"]},
                         geometry=[box(0, 0, 1000, 1000), box(0, 0, 200, 1000)], crs=CRS)
    with pytest.raises(DataError, match=r"over 0.20 km² \(20 % of the larger\)"):
        data.check_overlaps(g, "postal_code", "p")


@pytest.mark.parametrize("value, tail", [("-1", ""), ("2.5", ""), ("x", ""), ("", ""),
                                         ("10000001", " (at most 10,000,000)")])
def test_residents_are_whole_non_negative_numbers_up_to_ten_million(value, tail):
    with pytest.raises(DataError) as e:
        data._population(pd.Series(["5", value], dtype=object), "f", "pop")
    assert e.value.reason == f"{value!r} is not a non-negative whole number of residents{tail}"
    assert (e.value.row, e.value.field) == (2, "pop")


def test_residents_at_the_limits_are_counted():
    out = data._population(pd.Series(["0", "10000000", "3.0"]), "f", "pop")
    assert out.tolist() == [0, 10_000_000, 3] and out.dtype == "int64"
    with pytest.raises(DataError) as e:
        data._population(pd.Series([True, False]), "f", "pop")
    assert e.value.row == 1


def test_no_residents_at_all_is_an_error():
    with pytest.raises(DataError) as e:
        data._check_some_residents(pd.Series([0, 0, 0]), "f", "pop")
    assert e.value.reason == ("all 3 areas have 0 residents: there is no one whose travel times could be "
                              "measured")
    assert _where(e) == ("f", None, "pop")
    data._check_some_residents(pd.Series([0, 1]), "f", "pop")


def test_postal_area_checks_name_the_area(borders):
    munis = pd.DataFrame({"municipality_code": ["091", "049"]})
    postal = gpd.GeoDataFrame({"postal_code": ["00100", "02100"], "municipality_code": ["091", "092"]},
                              geometry=[box(385000, 6671000, 386000, 6672000),
                                        box(391000, 6671000, 392000, 6672000)], crs=CRS)
    with pytest.raises(DataError) as e:
        data.check_postal_areas(postal, munis, borders, "p.geojson")
    assert e.value.reason == ("unknown municipality code '092' (not one of the 2 municipalities of the "
                              "municipality table)")
    assert _where(e) == ("p.geojson", 2, "municipality_code")
    # 2 km off the region (inclusive) passes; a representative point 2.5 km off does not
    postal["municipality_code"] = ["091", "049"]
    postal.loc[1, "geometry"] = box(385000, 6667000, 386000, 6668000)  # its middle 2.5 km south
    with pytest.raises(DataError) as e:
        data.check_postal_areas(postal, munis, borders, "p.geojson")
    assert e.value.reason == "postal area '02100' lies outside Uusimaa (2.5 km from the region)"
    assert _where(e) == ("p.geojson", 2, "geometry")
    postal.loc[1, "geometry"] = box(385000, 6668000 - 1, 386000, 6668001 + 0)  # middle 2.0 km south
    data.check_postal_areas(postal, munis, borders, "p.geojson")


def test_postal_codes_of_the_area_layer_are_five_ascii_digits(tmp_path):
    def layer(codes):
        g = gpd.GeoDataFrame({"postal_code": codes, "municipality_code": ["091"] * len(codes),
                              "population_2022": [5] * len(codes)},
                             geometry=[box(385000 + 1000 * i, 6671000, 386000 + 1000 * i, 6672000)
                                       for i in range(len(codes))], crs=CRS)
        p = tmp_path / "p.gpkg"
        g.to_file(p)
        return p

    out = data.load_postal_areas(layer(["100", "02100"]))
    assert out["postal_code"].tolist() == ["00100", "02100"]
    assert out["municipality_name"].tolist() == ["", ""]
    for bad in ("123456", "0010A", "٠٠١٠٠"):  # Arabic-Indic digits are digits, but not ASCII
        with pytest.raises(DataError) as e:
            data.load_postal_areas(layer(["00100", bad]))
        assert e.value.reason == f"{bad!r} is not a postal code (five digits, e.g. '00100')"
        assert (e.value.row, e.value.field) == (2, "postal_code")


# --- municipality and service-area tables ---------------------------------------------------------


MUNI_HEAD = "municipality_code,name_fi,name_sv,language_status,population_2015,population_2022," \
            "swedish_speakers_median_2000_2022"


def test_swedish_share_uses_the_earliest_population_year(tmp_path):
    # 091: 200 Swedish speakers / 1000 residents in 2015 = 0.2 (2022's 2000 would give 0.1);
    # 049: no residents in 2015 -> share 0, not NaN
    p = _write(tmp_path, "m.csv",
               MUNI_HEAD + "\n91,Helsinki,Helsingfors,bilingual (Finnish majority),1000,2000,"
                                              "200\n049,Espoo,Esbo,finnish,0,5,0\n")
    m = data.load_municipalities(p)
    assert m["sv_share"].tolist() == [0.2, 0.0]
    assert m["bilingual"].tolist() == [True, False]  # the status is matched in any case
    assert m["sv_share_estimated"].tolist() == [True, True]
    assert m["municipality_code"].tolist() == ["091", "049"]
    assert m["population_2022"].dtype == "int64"


@pytest.mark.parametrize("row, field, reason", [
    ("049,Espoo,Esbo,Finnish,-1,5,0", "population_2015", "'-1' is not a non-negative number"),
    ("049,Espoo,Esbo,Finnish,10,10000001,0", "population_2022",
     "'10000001' is not a non-negative number (at most 10,000,000)"),
    ("049,Espoo,Esbo,Finnish,10,5,many", "swedish_speakers_median_2000_2022",
     "'many' is not a non-negative number"),
    ("049,Espoo,Esbo,Finnish,10,5,11", "swedish_speakers_median_2000_2022",
     "11 Swedish speakers is more than the population (10 in population_2015)"),
])
def test_municipality_counts_are_checked_row_by_row(tmp_path, row, field, reason):
    p = _write(tmp_path, "m.csv", MUNI_HEAD + "\n091,Helsinki,Helsingfors,Bilingual,10,10,10\n" + row + "\n")
    with pytest.raises(DataError) as e:
        data.load_municipalities(p)
    assert e.value.reason == reason
    assert _where(e) == (str(p), 2, field)


def test_a_municipality_without_organiser_is_refused(tmp_path):
    p = _write(tmp_path, "m.csv", MUNI_HEAD + ",wellbeing_county_2023\n091,H,H,Bilingual,10,10,1, Helsinki \n"
                                              "049,E,E,Finnish,10,10,1,  \n")
    with pytest.raises(DataError) as e:
        data.load_municipalities(p)
    assert e.value.reason == ("municipality 049 has no organiser (its wellbeing services county, or the City "
                              "of Helsinki)")
    assert _where(e) == (str(p), 2, "wellbeing_county_2023")
    ok = _write(tmp_path, "m2.csv",
                MUNI_HEAD + ",wellbeing_county_2023\n091,H,H,Bilingual,10,10,1, Helsinki \n")
    assert data.load_municipalities(ok)["wellbeing_county_2023"].tolist() == ["Helsinki"]


def test_service_areas_of_a_preset_cleaned_and_complete(tmp_path):
    p = _write(tmp_path, "a.csv", "preset,municipality_code,service_area\n"
                                  "two, 91 ,Etelä\nother,091,X\ntwo,049,  Länsi   Uusimaa \n")
    munis = pd.DataFrame({"municipality_code": ["091", "049"]})
    with pytest.warns(PlannerWarning, match=r"1 service-area name\(s\) had surrounding or repeated spaces or "
                                            r"another Unicode form and were cleaned \(rows \[3\]\)"):
        sel = data.load_service_areas(p, "two", munis)
    assert sel.values.tolist() == [["091", "Etelä"], ["049", "Länsi Uusimaa"]]
    assert data.service_area_presets(p) == ["two", "other"]
    with pytest.raises(DataError) as e:
        data.load_service_areas(p, "three")
    assert e.value.reason == "unknown service-area preset 'three'; the file has ['two', 'other']"
    assert _where(e) == (str(p), None, "preset")
    with pytest.raises(DataError) as e:
        data.load_service_areas(p, "other", munis)
    assert e.value.reason == "preset 'other' leaves municipalities ['049'] without a service area"
    with pytest.raises(DataError) as e:
        data.load_service_areas(p, "two", pd.DataFrame({"municipality_code": ["091", "049", "092"]}))
    assert e.value.reason == "preset 'two' leaves municipalities ['092'] without a service area"
    with pytest.raises(DataError) as e:
        data.load_service_areas(p, "two", pd.DataFrame({"municipality_code": ["049"]}))
    assert e.value.reason == "unknown municipality code '091'"
    assert e.value.row == 1
    blank = _write(tmp_path, "b.csv", "preset,municipality_code,service_area\ntwo,091,A\ntwo,049,\n")
    with pytest.raises(DataError) as e:
        data.load_service_areas(blank, "two")
    assert (e.value.reason, e.value.row, e.value.field) == ("empty service area", 2, "service_area")


def test_municipal_centres_are_projected_to_metres(tmp_path):
    lon, lat = _wgs(385000, 6675000)
    p = _write(tmp_path, "c.csv", f"municipality_code,label,lon,lat\n91,Keskusta,{lon},{lat}\n")
    c = data.load_municipal_centres(p)
    assert c.crs.to_epsg() == 3067 and c["municipality_code"].tolist() == ["091"]
    assert c.geometry.iloc[0].distance(Point(385000, 6675000)) < 0.5


def test_a_one_byte_file_is_not_empty_and_an_empty_geopackage_is(tmp_path):
    one = _write(tmp_path, "one.csv", "x")
    with pytest.raises(DataError) as e:
        data.read_table(one)
    assert e.value.reason == "the file has a header but no data rows"
    gpkg = _write(tmp_path, "none.gpkg", b"")
    with pytest.raises(DataError) as e:
        data.read_table(gpkg)
    assert (e.value.reason, e.value.file) == ("the file is empty", str(gpkg))


def test_bundled_borders_keep_their_own_columns_only():
    b = data.load_municipal_borders()
    assert list(b.columns) == ["municipality_code", "name_fi", "name_sv", "land_area_km2", "total_area_km2",
                               "geometry"]
    assert list(b.index) == list(range(len(b))) and len(b) == 26


def test_a_municipality_listed_twice_is_named(tmp_path):
    p = _write(tmp_path, "m.csv", MUNI_HEAD + "\n091,H,H,Bilingual,10,10,1\n91,H2,H2,Bilingual,10,10,1\n")
    with pytest.raises(DataError) as e:
        data.load_municipalities(p)
    assert e.value.reason == "duplicate municipality_code '091' (rows [1, 2])"
    assert _where(e) == (str(p), 2, "municipality_code")


def test_a_table_where_a_layer_is_expected_is_named(tmp_path):
    p = _write(tmp_path, "borders.csv", "municipality_code\n091\n")
    with pytest.raises(DataError) as e:
        data.load_municipal_borders(p)
    assert e.value.reason == "expected a vector file (GeoJSON / GeoPackage)"
    assert _where(e) == (str(p), None, "geometry")


def test_a_bad_municipality_code_of_a_point_is_located(tmp_path, borders):
    lon, lat = _wgs(385000, 6675000)
    p = _points(tmp_path, [f"a,A,kela,091,{lon},{lat}", f"b,B,kela,Espoo,{lon},{lat}"])
    with pytest.raises(DataError) as e:
        data.load_service_points(p, borders=borders)
    assert e.value.reason == "'Espoo' is not a municipality code (three digits, e.g. '091')"
    assert _where(e) == (str(p), 2, "municipality_code")


def test_need_indicators_are_whole_counts_keyed_by_five_digit_code(tmp_path):
    p = _write(tmp_path, "n.csv", "postal_code,municipality_code,population_2016,unemployed_2016,"
                                  "households_total_2016,households_lowest_income_2016,note\n"
                                  "100,91,120,12.0,60,9,x\n")
    n = data.load_postal_need(p)
    assert list(n.columns) == ["postal_code", "municipality_code", "population_2016", "unemployed_2016",
                               "households_total_2016", "households_lowest_income_2016", "note"]
    assert n.iloc[0].tolist() == ["00100", "091", 120, 12, 60, 9, "x"]
    bad = _write(tmp_path, "b.csv", "postal_code,municipality_code,population_2016,unemployed_2016,"
                                    "households_total_2016,households_lowest_income_2016\n100,91,120,-1,60,9\n")
    with pytest.raises(DataError) as e:
        data.load_postal_need(bad)
    assert _where(e) == (str(bad), 1, "unemployed_2016")


def test_a_polygon_that_collapses_to_a_line_cannot_be_repaired():
    from shapely.geometry import Polygon

    flat = Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])  # no area: make_valid gives a line
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[box(0, 0, 1, 1), flat], crs=CRS)
    with pytest.raises(DataError) as e:
        data._check_geometries(g, "f", ("Polygon", "MultiPolygon"), True)
    assert e.value.reason == "invalid geometry that cannot be repaired"
    assert _where(e) == ("f", 2, "geometry")
