"""Every error (and warning) a planner gets from a bad input file, compared IN FULL.

Each table below is a family of bad files for one loader of planner.inputs.data; every case's
message (file name, row, field and wording) is compared against the reviewed approved file under
tests/test_gaps30_inputs_messages/. The messages are the planner's only guide to fixing a file, so
a changed word, a row off by one or a wrong field is a regression.

Geometry (EPSG:3067, metres), as in tests/test_gaps28_inputs_data.py: municipality 091 is the square
x 380000-390000, y 6670000-6680000; 049 the square east of it (x 390000-400000).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from planner.errors import DataError, PlannerWarning
from planner.inputs import data

CRS = "EPSG:3067"
SQ091 = box(380000, 6670000, 390000, 6680000)
SQ049 = box(390000, 6670000, 400000, 6680000)
HEAD = "id,name,category,municipality_code,lon,lat"


@pytest.fixture(scope="module")
def borders():
    return gpd.GeoDataFrame({"municipality_code": ["091", "049"]}, geometry=[SQ091, SQ049], crs=CRS)


@pytest.fixture(scope="module")
def centres():
    return gpd.GeoDataFrame({"municipality_code": ["091"], "label": ["Helsinki"]},
                            geometry=[Point(385000, 6675000)], crs=CRS)


def _wgs(x, y):
    p = gpd.GeoSeries([Point(x, y)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    return f"{p.x:.7f},{p.y:.7f}"


IN091 = _wgs(385000, 6675000)
IN049 = _wgs(395000, 6675000)
FAR = _wgs(480000, 6675000)  # 80 km east of 049


def _outcome(tmp_path, call, path):
    """'file row field: message' of the DataError (tmp folder cut), plus every warning's text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call(path)
            error = None
        except DataError as exc:
            assert exc.file is None or exc.file == str(path)
            error = {"file": None if exc.file is None else path.name, "row": exc.row, "field": exc.field,
                     "message": str(exc).replace(f"{tmp_path}/", "")}
    said = [str(w.message).replace(f"{tmp_path}/", "") for w in caught
            if issubclass(w.category, PlannerWarning)]
    return {"error": error, "warnings": said}


def _run(tmp_path, cases, call, suffix=".csv"):
    out = {}
    for name, content in cases.items():
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        out[name] = _outcome(tmp_path, call, path)
    return out


POINT_CASES = {
    "missing_category_column": f"id,name,municipality_code,lon,lat\n1,A,091,{IN091}\n",
    "empty_id": f"{HEAD}\n1,A,fi_walkin,091,{IN091}\n ,B,fi_walkin,091,{IN091}\n",
    "duplicate_id": (f"{HEAD}\n1,A,fi_walkin,091,{IN091}\n2,B,fi_walkin,091,{IN091}\n"
                     f"1,C,fi_walkin,091,{IN091}\n"),
    "unknown_category": f"{HEAD}\n1,A,fi_walkin,091,{IN091}\n2,B,library,091,{IN091}\n",
    "bad_municipality_code": f"{HEAD}\n1,A,fi_walkin,9a,{IN091}\n",
    "long_municipality_code": f"{HEAD}\n1,A,fi_walkin,0091,{IN091}\n",
    "unknown_precision": (f"{HEAD},location_precision\n1,A,fi_walkin,091,{IN091},address\n"
                          f"2,B,fi_walkin,091,{IN091},exact\n"),
    "bad_valid_from": f"{HEAD},valid_from\n1,A,fi_walkin,091,{IN091},2022-13-01\n",
    "short_valid_to": f"{HEAD},valid_to\n1,A,fi_walkin,091,{IN091},2022-1-1\n",
    "valid_to_before_valid_from": (f"{HEAD},valid_from,valid_to\n1,A,fi_walkin,091,{IN091},,\n"
                                   f"2,B,fi_walkin,091,{IN091},2024-03-02,2024-03-01\n"),
    "bad_target_group": f"{HEAD},target_group\n1,A,fi_walkin,091,{IN091},Homeless people\n",
    "negative_capacity": f"{HEAD},capacity\n1,A,fi_walkin,091,{IN091},-1\n",
    "text_capacity": f"{HEAD},capacity\n1,A,fi_walkin,091,{IN091},5\n2,B,fi_walkin,091,{IN091},many\n",
    "infinite_capacity": f"{HEAD},capacity\n1,A,fi_walkin,091,{IN091},inf\n",
    "text_lat": f"{HEAD}\n1,A,fi_walkin,091,{IN091}\n2,B,fi_walkin,091,24.9,north\n",
    "metres_as_lon_lat": f"{HEAD}\n1,A,fi_walkin,091,385000,6675000\n",
    "swapped_lon_lat": f"{HEAD}\n1,A,fi_walkin,091,60.2,24.9\n",
    "text_x": "id,name,category,municipality_code,x,y\n1,A,fi_walkin,091,385000,6675000\n"
              "2,B,fi_walkin,091,385 000,6675000\n",
    "no_lon_lat_nor_x_y": "id,name,category,municipality_code\n1,A,fi_walkin,091\n",
    "municipality_not_in_uusimaa": f"{HEAD}\n1,A,fi_walkin,092,{IN091}\n",
    "outside_uusimaa": f"{HEAD}\n1,A,fi_walkin,091,{IN091}\n2,B,fi_walkin,049,{FAR}\n",
    "outside_its_municipality": f"{HEAD}\n1,A,fi_walkin,091,{IN049}\n",
    "placeholder_without_centre": (f"{HEAD},location_precision\n1,A,fi_walkin,091,,,unknown\n"
                                   "2,B,fi_walkin,092,,,municipality\n"),
    "empty_file": "",
    "header_only": f"{HEAD}\n",
    "nul_bytes": b"PK\x03\x04\x00\x00" + b"x" * 20,
    "damaged_utf8": f"{HEAD}\n1,Järvi,fi_walkin,091,{IN091}\n".encode() + b"2,M\xe4ki,x\n",
    "windows_1252": f"{HEAD}\n1,Järvenpää,library,091,{IN091}\n".encode("cp1252"),
}


def test_every_error_of_a_bad_points_file_names_file_row_field(tmp_path, borders, centres, data_regression):
    out = _run(tmp_path, POINT_CASES,
               lambda p: data.load_service_points(p, borders=borders, centres=centres))
    assert all(v["error"] for v in out.values())
    data_regression.check(out)


def _geojson(features, crs=None):
    import json

    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


P = {"id": "1", "name": "A", "category": "fi_walkin", "municipality_code": "091"}
VECTOR_POINT_CASES = {
    "metres_without_crs": _geojson([(P, {"type": "Point", "coordinates": [385000, 6675000]})]),
    "degrees_labelled_metres": _geojson([(P, {"type": "Point", "coordinates": [24.9, 60.2]})],
                                        crs="urn:ogc:def:crs:EPSG::3067"),
    "a_line_not_a_point": _geojson([(P, {"type": "LineString",
                                         "coordinates": [[24.9, 60.2], [24.95, 60.2]]})]),
    "no_geometry": _geojson([(P, {"type": "Point", "coordinates": [24.9, 60.2]}), ({**P, "id": "2"}, None)]),
}


def test_every_error_of_a_bad_points_layer_names_file_row_field(tmp_path, borders, centres, data_regression):
    out = _run(tmp_path, VECTOR_POINT_CASES,
               lambda p: data.load_service_points(p, borders=borders, centres=centres), ".geojson")
    assert all(v["error"] for v in out.values())
    data_regression.check(out)


MHEAD = ("municipality_code,name_fi,name_sv,language_status,wellbeing_county_2023,population_2015,"
         "population_2022,swedish_speakers_median_2000_2022")
MROW = "091,Helsinki,Helsingfors,Bilingual,Helsingin kaupunki,628000,656000,36000"
MUNICIPALITY_CASES = {
    "missing_columns": "municipality_code,name_fi\n091,Helsinki\n",
    "bad_code": f"{MHEAD}\n{MROW}\nx1,Espoo,Esbo,Bilingual,Länsi,1,1,0\n",
    "duplicate_code": f"{MHEAD}\n{MROW}\n{MROW}\n",
    "negative_population": f"{MHEAD}\n{MROW}\n049,Espoo,Esbo,Bilingual,Länsi,-5,1,0\n",
    "text_speakers": f"{MHEAD}\n049,Espoo,Esbo,Bilingual,Länsi,5,1,many\n",
    "population_over_ten_million": f"{MHEAD}\n049,Espoo,Esbo,Bilingual,Länsi,10000001,1,0\n",
    "no_organiser": f"{MHEAD}\n{MROW}\n049,Espoo,Esbo,Bilingual, ,5,6,0\n",
    "more_swedish_speakers_than_residents": f"{MHEAD}\n{MROW}\n049,Espoo,Esbo,Bilingual,Länsi,100,200,101\n",
}


def test_every_error_of_a_bad_municipality_table_names_file_row_field(tmp_path, data_regression):
    out = _run(tmp_path, MUNICIPALITY_CASES, data.load_municipalities)
    assert all(v["error"] for v in out.values())
    data_regression.check(out)


AHEAD = "preset,municipality_code,service_area"
AREA_CASES = {
    "unknown_preset": f"{AHEAD}\nother,091,Helsinki\nthird,049,Länsi\n",
    "empty_area": f"{AHEAD}\nmain,091,Helsinki\nmain,049, \n",
    "municipality_left_out": f"{AHEAD}\nmain,091,Helsinki\n",
    "unknown_municipality": f"{AHEAD}\nmain,091,Helsinki\nmain,049,Länsi\nmain,092,Itä\n",
    "listed_twice": f"{AHEAD}\nmain,091,Helsinki\nmain,049,Länsi\nmain,049,Itä\n",
    "spaces_cleaned": f"{AHEAD}\nmain,091,Helsinki\nmain,049,Länsi \nmain,018,Itä  Uusimaa\n",
}


def test_every_error_of_a_bad_service_area_table_names_file_row_field(tmp_path, data_regression):
    import pandas as pd

    munis = pd.DataFrame({"municipality_code": ["091", "049"]})
    wide = pd.DataFrame({"municipality_code": ["091", "049", "018"]})
    out = {}
    for name, text in AREA_CASES.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        out[name] = _outcome(tmp_path, lambda p, n=name: data.load_service_areas(
            p, preset="main", municipalities=wide if n == "spaces_cleaned" else munis), path)
    data_regression.check(out)


def _square(x, y, side=1000.0):
    return box(x, y, x + side, y + side).__geo_interface__


def _wgs_square(x, y, side=1000.0):
    g = gpd.GeoSeries([box(x, y, x + side, y + side)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    return {"type": "Polygon", "coordinates": [[[round(v, 7) for v in c] for c in g.exterior.coords]]}


def _area(code, pop, x=381000, muni="091"):
    return ({"postal_code": code, "municipality_code": muni, "population_2022": pop}, _wgs_square(x, 6671000))


POSTAL_CASES = {
    "missing_population_column": _geojson([({"postal_code": "00100", "municipality_code": "091"},
                                            _wgs_square(381000, 6671000))]),
    "letters_in_postal_code": _geojson([_area("00100", 5), _area("0O200", 5, 383000)]),
    "postal_code_six_digits": _geojson([_area("001000", 5)]),
    "duplicate_postal_code": _geojson([_area("00100", 5), _area("00200", 5, 383000),
                                       _area("100", 5, 385000)]),
    "fractional_residents": _geojson([_area("00100", 5), _area("00200", 2.5, 383000)]),
    "too_many_residents": _geojson([_area("00100", 10_000_001)]),
    "no_residents": _geojson([_area("00100", 0), _area("00200", 0, 383000)]),
    "bad_municipality_code": _geojson([_area("00100", 5, muni="Helsinki")]),
    "a_point_not_an_area": _geojson([({"postal_code": "00100", "municipality_code": "091",
                                       "population_2022": 5},
                                      {"type": "Point", "coordinates": [24.9, 60.2]})]),
    "bow_tie_repaired": _geojson([_area("00100", 5), ({"postal_code": "00200", "municipality_code": "091",
                                  "population_2022": 5}, {"type": "Polygon", "coordinates": [[
                                      [24.90, 60.20], [24.92, 60.22], [24.92, 60.20], [24.90, 60.22],
                                      [24.90, 60.20]]]})]),
}


def test_every_error_of_a_bad_postal_area_layer_names_file_row_field(tmp_path, data_regression):
    out = _run(tmp_path, POSTAL_CASES, data.load_postal_areas, ".geojson")
    data_regression.check(out)


def test_the_plausibility_checks_of_postal_areas_and_points_name_area_row_field(borders, data_regression):
    import pandas as pd

    def postal(codes, xs, munis):
        return gpd.GeoDataFrame({"postal_code": codes, "municipality_code": munis},
                                geometry=[box(x, 6671000, x + 1000, 6672000) for x in xs], crs=CRS)

    munis = pd.DataFrame({"municipality_code": ["091", "049"]})
    out = {}
    for name, gdf in {
        "overlap": postal(["00100", "00200"], [381000, 381500], ["091", "091"]),
        "unknown_municipality": postal(["00100", "00200"], [381000, 383000], ["091", "092"]),
        "outside_uusimaa": postal(["00100", "00200"], [381000, 420000], ["091", "049"]),
    }.items():
        with pytest.raises(DataError) as e:
            data.check_postal_areas(gdf, munis, borders, "postal.geojson")
        out[name] = str(e.value)
    land = box(380000, 6670000, 390000, 6680000)
    pts = gpd.GeoDataFrame({"name": ["On land", "Saari"]},
                           geometry=[Point(385000, 6675000), Point(390600, 6675000)], crs=CRS)
    with pytest.raises(DataError) as e:
        data.check_on_land(pts, land, "points.csv")
    out["in_the_sea"] = str(e.value)
    data_regression.check(out)


GHEAD = "INDEX,ASUKKAITA"
NEED_HEAD = ("postal_code,municipality_code,population_2016,unemployed_2016,households_total_2016,"
             "households_lowest_income_2016")
NEED_CASES = {
    "missing_column": "postal_code,municipality_code,population_2016\n00100,091,5\n",
    "negative_count": f"{NEED_HEAD}\n00100,091,5,1,3,1\n00200,091,5,-1,3,1\n",
    "duplicate_postal_code": f"{NEED_HEAD}\n00100,091,5,1,3,1\n100,091,5,1,3,1\n",
    "bad_municipality": f"{NEED_HEAD}\n00100,Helsinki,5,1,3,1\n",
}


def test_every_error_of_a_bad_need_table_names_file_row_field(tmp_path, data_regression):
    out = _run(tmp_path, NEED_CASES, data.load_postal_need)
    assert all(v["error"] for v in out.values())
    data_regression.check(out)


CENTRE_CASES = {
    "text_lon": "municipality_code,label,lon,lat\n091,Helsinki,24.94,60.17\n049,Espoo,east,60.2\n",
    "missing_label": "municipality_code,lon,lat\n091,24.94,60.17\n",
}


def test_every_error_of_a_bad_centre_table_names_file_row_field(tmp_path, data_regression):
    out = _run(tmp_path, CENTRE_CASES, data.load_municipal_centres)
    data_regression.check(out)


def test_the_errors_of_a_population_grid_name_cell_row_field(tmp_path, data_regression):
    out = {}
    cases = {
        "overlapping_cells": gpd.GeoDataFrame({"INDEX": [1, 2], "ASUKKAITA": [5, 6]},
                                              geometry=[box(381000, 6671000, 381250, 6671250),
                                                        box(381000, 6671100, 381250, 6671350)], crs=CRS),
        "duplicate_cell": gpd.GeoDataFrame({"INDEX": [1, 1], "ASUKKAITA": [5, 6]},
                                           geometry=[box(381000, 6671000, 381250, 6671250),
                                                     box(382000, 6671000, 382250, 6671250)], crs=CRS),
        "missing_id_field": gpd.GeoDataFrame({"ID": [1], "ASUKKAITA": [5]},
                                             geometry=[box(381000, 6671000, 381250, 6671250)], crs=CRS),
    }
    for name, gdf in cases.items():
        path = tmp_path / f"{name}.geojson"
        gdf.to_file(path, driver="GeoJSON")
        out[name] = _outcome(tmp_path, data.load_population_grid, path)
    data_regression.check(out)


def test_a_table_where_a_layer_is_expected_and_a_line_where_polygons_are(tmp_path, data_regression):
    csv = tmp_path / "borders.csv"
    csv.write_text("municipality_code\n091\n")
    line = tmp_path / "line.geojson"
    line.write_text(_geojson([({"municipality_code": "091"},
                               LineString([(24.9, 60.2), (25.0, 60.2)]).__geo_interface__)]))
    nocrs = tmp_path / "nocrs.gpkg"
    with warnings.catch_warnings():  # pyogrio warns that the layer has no CRS: that is the case
        warnings.simplefilter("ignore", UserWarning)
        gpd.GeoDataFrame({"municipality_code": ["091"]}, geometry=[SQ091]).to_file(nocrs, driver="GPKG")
    data_regression.check({p.name: _outcome(tmp_path, data.load_municipal_borders, p)
                           for p in (csv, line, nocrs)})


def test_utf16_is_guessed_only_when_more_than_nine_in_ten_of_its_high_bytes_are_nul():
    # ten UTF-16 code units; nine have a NUL high byte: exactly 90 %, not more -> no guess
    be = b"\x00a" * 9 + b"\x01\x00"  # big-endian 'aaaaaaaaa' + U+0100
    le = b"a\x00" * 9 + b"\x00\x01"  # little-endian 'aaaaaaaaa' + U+0100
    assert data._utf16(be) is None and data._utf16(le) is None
    # all ten NUL: clearly UTF-16
    assert data._utf16(b"\x00a" * 10) == "a" * 10 and data._utf16(b"a\x00" * 10) == "a" * 10


def _zip(members):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_every_refused_matrix_upload_names_the_file_and_why(tmp_path, data_regression):
    from planner.inputs.matrices import save_matrix

    ttm = b"from_id;to_id;walk_t\n5785640;5785640;0\n"
    cases = {
        "no_extension": (b"a,b\n", "matrix"),
        "a_text_file": (b"a,b\n", "m.txt"),
        "empty_csv": (b"", "m.csv"),
        "readme_only_zip": (_zip({"readme.md": b"hello"}), "m.zip"),
        "three_tables_in_a_zip": (_zip({"a.csv": b"x\n", "b.csv": b"x\n", "c.parquet": b"x"}), "m.zip"),
        "one_matrix_file_twice": (_zip({"a/TravelTimes_to_5785640.txt": ttm,
                                        "b/TravelTimes_to_5785640.txt": ttm}), "ttm.zip"),
    }
    out = {}
    for case, (content, name) in cases.items():
        with pytest.raises(DataError) as e:
            save_matrix(content, name, tmp_path)
        out[case] = {"file": e.value.file, "row": e.value.row, "message": str(e.value)}
    data_regression.check(out)


def test_a_good_points_file_loads_to_the_approved_columns_types_and_values(tmp_path, borders, centres,
                                                                           data_regression):
    """Every column the loader gives (order, type, defaults of the optional ones), row by row."""
    import math

    path = tmp_path / "good.csv"
    path.write_text(
        f"{HEAD},location_precision,valid_from,valid_to,target_group,capacity,address,note,extra\n"
        f"1.0,Site,fi_walkin,91,{IN091},address,2024-01-01,2024-01-01, Homeless ,12,Katu 1,n,x\n"
        f"2,Proxy,kela,091,,,municipality,,,,,,,\n"
        f"3,Placeholder,sv_walkin,049,{IN049},unknown,,2030-12-31,,0,,,\n"
        f"4,No precision,en_service,049,{IN049},,,,,,,,\n", encoding="utf-8")
    pts = data.load_service_points(path, borders=borders, centres=centres)

    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if hasattr(v, "date"):
            return "NaT" if str(v) == "NaT" else v.date().isoformat()
        return v.item() if hasattr(v, "item") else v

    rows = [{c: cell(v) for c, v in r.items() if c != "geometry"} for r in pts.to_dict("records")]
    xy = [f"{g.x:.0f} {g.y:.0f}" for g in pts.geometry]
    data_regression.check({"columns": list(pts.columns), "crs": str(pts.crs), "rows": rows, "xy": xy,
                           "dtypes": {c: str(t) for c, t in pts.dtypes.items()
                                      if c in ("located", "proxy", "capacity", "valid_from", "valid_to")}})
