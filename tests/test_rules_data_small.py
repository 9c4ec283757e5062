"""Loaders and validators of planner.inputs.data on small hand-made files (well under 10 s).

Every input is written to ``tmp_path`` here: a 3-cell population grid, 2-row tables,
two square municipalities. Each test states the domain rule and works the expected
answer out by hand in a comment; errors are checked for their file, row and field.

Geometry used throughout (EPSG:3067, metres): municipality 091 is the square
x 380000-390000, y 6670000-6680000; municipality 049 the square east of it,
x 390000-400000, same y. 1 km = 1000 m.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from planner.errors import DataError, PlannerWarning
from planner.inputs import data
from planner.settings import Settings

CRS = "EPSG:3067"
SQ091 = box(380000, 6670000, 390000, 6680000)
SQ049 = box(390000, 6670000, 400000, 6680000)


def _csv(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _vector(tmp_path, name, gdf):
    p = tmp_path / name
    gdf.to_file(p)
    return p


@pytest.fixture
def borders():
    return gpd.GeoDataFrame({"municipality_code": ["091", "049"]}, geometry=[SQ091, SQ049], crs=CRS)


def _err(exc_info):
    e = exc_info.value
    return e.file, e.row, e.field


# --- population grid -----------------------------------------------------------------


def _grid(pops, ids=(1, 2, 3), crs=CRS):
    # three 250 m cells side by side from x = 385000
    cells = [box(385000 + 250 * k, 6672000, 385250 + 250 * k, 6672250) for k in range(len(pops))]
    return gpd.GeoDataFrame({"INDEX": list(ids), "ASUKKAITA": list(pops)}, geometry=cells, crs=crs)


def test_population_grid_three_cells_typed_and_summed(tmp_path):
    p = _vector(tmp_path, "grid.geojson", _grid([10, 0, 25]))
    g = data.load_population_grid(p)
    assert isinstance(g, gpd.GeoDataFrame)
    assert list(g.columns) == ["cell_id", "population", "geometry"]
    assert g["cell_id"].tolist() == ["1", "2", "3"]
    assert g["population"].tolist() == [10, 0, 25]
    assert g["population"].dtype == np.int64
    # population in = population out: 10 + 0 + 25 = 35
    assert int(g["population"].sum()) == 35
    assert g.crs.to_epsg() == 3067
    assert g.geometry.iloc[0].bounds == (385000.0, 6672000.0, 385250.0, 6672250.0)


def test_population_grid_default_path_under_geodata_dir(tmp_path):
    (tmp_path / "helsinki_region").mkdir()
    _grid([4, 5, 6]).to_file(tmp_path / "helsinki_region" / "population_grid_2015.gpkg")
    g = data.load_population_grid(settings=Settings(geodata_dir=tmp_path))
    assert g["population"].tolist() == [4, 5, 6]


def test_population_grid_in_wgs84_is_reprojected_to_metres(tmp_path):
    p = _vector(tmp_path, "grid.geojson", _grid([1, 2, 3]).to_crs("EPSG:4326"))
    g = data.load_population_grid(p)
    assert g.crs.to_epsg() == 3067
    # back in metres: the first cell's west edge at x = 385000 (to well under 1 m)
    assert abs(g.geometry.iloc[0].bounds[0] - 385000) < 0.01


def test_population_grid_own_field_names(tmp_path):
    gdf = _grid([7, 8, 9]).rename(columns={"INDEX": "id", "ASUKKAITA": "pop"})
    p = _vector(tmp_path, "grid.geojson", gdf)
    g = data.load_population_grid(p, population_field="pop", id_field="id")
    assert g["cell_id"].tolist() == ["1", "2", "3"]
    assert g["population"].tolist() == [7, 8, 9]


def test_population_grid_errors_name_file_row_and_field(tmp_path):
    p = _vector(tmp_path, "grid.geojson", _grid([10, -1, 25]))
    with pytest.raises(DataError, match="not a non-negative whole number") as e:
        data.load_population_grid(p)
    assert _err(e) == (str(p), 2, "ASUKKAITA")
    p = _vector(tmp_path, "dup.geojson", _grid([1, 2, 3], ids=(1, 2, 1)))
    with pytest.raises(DataError, match="duplicate INDEX '1'") as e:
        data.load_population_grid(p)
    assert _err(e) == (str(p), 3, "INDEX")
    p = _vector(tmp_path, "nocol.geojson", _grid([1, 2, 3]).drop(columns="ASUKKAITA"))
    with pytest.raises(DataError, match="missing required column") as e:
        data.load_population_grid(p)
    assert _err(e) == (str(p), None, "ASUKKAITA")
    pts = gpd.GeoDataFrame({"INDEX": [1], "ASUKKAITA": [3]}, geometry=[Point(385000, 6672000)], crs=CRS)
    p = _vector(tmp_path, "pts.geojson", pts)
    with pytest.raises(DataError, match="geometry is a Point, expected Polygon or MultiPolygon") as e:
        data.load_population_grid(p)
    assert _err(e) == (str(p), 1, "geometry")


def test_population_grid_without_crs_is_refused(tmp_path):
    p = _csv(tmp_path, "grid.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
             '"properties": {"INDEX": 1, "ASUKKAITA": 2}, "geometry": {"type": "Polygon", "coordinates": '
             '[[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}')
    # a GeoJSON without "crs" is WGS84 by the standard, so it is read; a shapefile-like
    # layer with no CRS is refused by _to_metric
    gdf = gpd.read_file(p).set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="no CRS") as e:
        data._to_metric(gdf, "f.gpkg", Settings())
    assert _err(e) == ("f.gpkg", None, "geometry")


# --- population values ------------------------------------------------------------------


@pytest.mark.parametrize("values, row", [(["1", "x"], 2), (["-1", "2"], 1), (["1.5", "2"], 1),
                                         (["1", "10000001"], 2), (["", "3"], 1)])
def test_population_must_be_whole_non_negative_and_at_most_ten_million(values, row):
    with pytest.raises(DataError) as e:
        data._population(pd.Series(values), "f.csv", "pop")
    assert _err(e) == ("f.csv", row, "pop")


def test_population_limit_is_inclusive_and_message_names_it():
    # exactly 10 000 000 residents is allowed; one more is refused with the limit in the text
    out = data._population(pd.Series(["10000000", "2.0"]), "f.csv", "pop")
    assert out.tolist() == [10_000_000, 2] and out.dtype == np.int64
    with pytest.raises(DataError, match=r"\(at most 10,000,000\)"):
        data._population(pd.Series(["10000001"]), "f.csv", "pop")
    with pytest.raises(DataError) as e:
        data._population(pd.Series(["-3"]), "f.csv", "pop")
    assert "at most" not in str(e.value)


def test_population_of_booleans_is_refused():
    with pytest.raises(DataError) as e:
        data._population(pd.Series([True, False]), "f.csv", "pop")
    assert _err(e) == ("f.csv", 1, "pop")


# --- postal need --------------------------------------------------------------------------

NEED = ("postal_code,municipality_code,population_2016,unemployed_2016,households_total_2016,"
        "households_lowest_income_2016,note\n"
        "100,91,1000,50,400,60,a\n"
        "02100,049,200,10,90,9,b\n")


def test_postal_need_two_rows_typed(tmp_path):
    p = _csv(tmp_path, "need.csv", NEED)
    df = data.load_postal_need(p)
    # "100" -> "00100" (five digits), "91" -> "091" (three digits)
    assert df["postal_code"].tolist() == ["00100", "02100"]
    assert df["municipality_code"].tolist() == ["091", "049"]
    for c, want in (("population_2016", [1000, 200]), ("unemployed_2016", [50, 10]),
                    ("households_total_2016", [400, 90]), ("households_lowest_income_2016", [60, 9])):
        assert df[c].tolist() == want and df[c].dtype == np.int64
    assert df["note"].tolist() == ["a", "b"]
    assert df.index.tolist() == [0, 1]


def test_postal_need_default_path(tmp_path):
    (tmp_path / "uusimaa").mkdir()
    _csv(tmp_path / "uusimaa", "postal_need_2016.csv", NEED)
    df = data.load_postal_need(settings=Settings(geodata_dir=tmp_path))
    assert df["population_2016"].tolist() == [1000, 200]


def test_postal_need_errors(tmp_path):
    p = _csv(tmp_path, "need.csv", NEED.replace("200,10,90,9", "200,-10,90,9"))
    with pytest.raises(DataError) as e:
        data.load_postal_need(p)
    assert _err(e) == (str(p), 2, "unemployed_2016")
    p = _csv(tmp_path, "dup.csv", NEED.replace("02100", "00100"))
    with pytest.raises(DataError, match="duplicate postal_code '00100'") as e:
        data.load_postal_need(p)
    assert _err(e) == (str(p), 2, "postal_code")
    p = _csv(tmp_path, "code.csv", NEED.replace(",049,", ",4900,"))
    with pytest.raises(DataError) as e:
        data.load_postal_need(p)
    assert _err(e) == (str(p), 2, "municipality_code")
    p = _csv(tmp_path, "cols.csv", NEED.replace("unemployed_2016", "jobless_2016"))
    with pytest.raises(DataError) as e:
        data.load_postal_need(p)
    assert _err(e) == (str(p), None, "unemployed_2016")


# --- postal areas -------------------------------------------------------------------------


def _postal(codes=("100", "00200"), pops=(30, 12)):
    return gpd.GeoDataFrame({"postal_code": list(codes), "municipality_code": ["91", "091"],
                             "population_2022": list(pops)},
                            geometry=[box(381000, 6671000, 382000, 6672000),
                                      box(383000, 6671000, 384000, 6672000)], crs=CRS)


def test_postal_areas_two_rows_typed(tmp_path):
    p = _vector(tmp_path, "postal.geojson", _postal())
    g = data.load_postal_areas(p)
    assert list(g.columns) == ["postal_code", "municipality_code", "municipality_name", "population",
                               "geometry"]
    assert g["postal_code"].tolist() == ["00100", "00200"]
    assert g["municipality_code"].tolist() == ["091", "091"]
    assert g["municipality_name"].tolist() == ["", ""]
    assert g["population"].tolist() == [30, 12] and g["population"].dtype == np.int64
    assert g.crs.to_epsg() == 3067


def test_postal_areas_errors(tmp_path):
    p = _vector(tmp_path, "dup.geojson", _postal(codes=("00100", "100")))
    with pytest.raises(DataError, match="duplicate postal_code '00100'") as e:
        data.load_postal_areas(p)
    assert _err(e) == (str(p), 2, "postal_code")
    p = _vector(tmp_path, "bad.geojson", _postal(codes=("00100", "A0200")))
    with pytest.raises(DataError, match="not a postal code") as e:
        data.load_postal_areas(p)
    assert _err(e) == (str(p), 2, "postal_code")
    p = _vector(tmp_path, "pop.geojson", _postal(pops=(30, -1)))
    with pytest.raises(DataError) as e:
        data.load_postal_areas(p)
    assert _err(e) == (str(p), 2, "population_2022")


def test_postal_areas_repair_bowtie_with_warning(tmp_path):
    gdf = _postal()
    # a self-crossing "bow tie" is invalid; make_valid splits it into two triangles
    bowtie = Polygon([(381000, 6671000), (382000, 6672000), (382000, 6671000), (381000, 6672000)])
    gdf.loc[1, "geometry"] = bowtie
    p = _vector(tmp_path, "bow.geojson", gdf)
    # one repaired row: the list is complete, so no "..." after it
    with pytest.warns(PlannerWarning, match=r"repaired 1 invalid polygon\(s\) with shapely.make_valid "
                                            r"\(rows \[2\]\)$"):
        g = data.load_postal_areas(p)
    assert g.geometry.iloc[1].is_valid
    # two triangles of 1000 x 500 / 2 m2 each = 500 000 m2
    assert g.geometry.iloc[1].area == pytest.approx(500_000)


def test_check_postal_areas(borders):
    postal = gpd.GeoDataFrame({"postal_code": ["00100", "99999"], "municipality_code": ["091", "091"]},
                              geometry=[box(381000, 6671000, 382000, 6672000),
                                        box(500000, 6671000, 501000, 6672000)], crs=CRS)
    munis = pd.DataFrame({"municipality_code": ["091", "049"]})
    # the second area's centre x = 500500 is 100.5 km east of the region edge x = 400000
    with pytest.raises(DataError, match=r"'99999' lies outside Uusimaa \(100.5 km") as e:
        data.check_postal_areas(postal, munis, borders, "p.geojson")
    assert _err(e) == ("p.geojson", 2, "geometry")
    with pytest.raises(DataError, match="unknown municipality code '091'") as e:
        data.check_postal_areas(postal, pd.DataFrame({"municipality_code": ["049"]}), borders, "p.geojson")
    assert _err(e) == ("p.geojson", 1, "municipality_code")
    data.check_postal_areas(postal.iloc[:1], munis, borders, "p.geojson")  # inside: no error


def test_check_on_land():
    land = box(0, 0, 1000, 1000)
    pts = gpd.GeoDataFrame({"name": ["shore", "sea"]}, geometry=[Point(1400, 500), Point(1600, 500)],
                           crs=CRS)
    # 400 m off land is within the 500 m tolerance; 600 m is not (0.6 km)
    with pytest.raises(DataError, match=r"'sea' .* 0.6 km from land") as e:
        data.check_on_land(pts, land, "s.csv")
    assert _err(e) == ("s.csv", 2, "lon")
    data.check_on_land(pts.iloc[:1], land, "s.csv")
    data.check_on_land(pts.iloc[:1], land, "s.csv", tolerance_m=400)  # exactly 400 m: allowed
    data.check_on_land(pts.iloc[:0], land, "s.csv")


# --- municipalities -----------------------------------------------------------------------

MUNIS = ("municipality_code,name_fi,name_sv,language_status,population_2015,population_2022,"
         "swedish_speakers_median_2000_2022\n"
         "91,Helsinki,Helsingfors,Bilingual municipality with Finnish-speaking majority,600,700,60\n"
         "018,Askola,Askola,Monolingual Finnish-speaking municipality,0,5,0\n")


def test_municipalities_two_rows(tmp_path):
    p = _csv(tmp_path, "m.csv", MUNIS)
    df = data.load_municipalities(p)
    assert df["municipality_code"].tolist() == ["091", "018"]
    assert df["population_2015"].tolist() == [600, 0] and df["population_2015"].dtype == np.int64
    assert df["population_2022"].dtype == np.int64
    assert df["swedish_speakers_median_2000_2022"].dtype == np.int64
    assert df["bilingual"].tolist() == [True, False]
    # share = 60 / 600 (earliest year 2015) = 0.1; 0 residents -> share 0, not NaN
    assert df["sv_share"].tolist() == [0.1, 0.0]
    assert df["sv_share_estimated"].tolist() == [True, True]


def test_municipalities_errors(tmp_path):
    p = _csv(tmp_path, "m.csv", MUNIS.replace(",0,5,0", ",0,5,1"))
    # 1 Swedish speaker > 0 residents in 2015
    with pytest.raises(DataError, match=r"1 Swedish speakers is more than the population \(0 in "
                                        r"population_2015\)") as e:
        data.load_municipalities(p)
    assert _err(e) == (str(p), 2, "swedish_speakers_median_2000_2022")
    p = _csv(tmp_path, "d.csv", MUNIS.replace("018,", "091,"))
    with pytest.raises(DataError, match="duplicate municipality_code '091'") as e:
        data.load_municipalities(p)
    assert _err(e) == (str(p), 2, "municipality_code")
    p = _csv(tmp_path, "n.csv", MUNIS.replace(",600,700,", ",600,many,"))
    with pytest.raises(DataError, match="'many' is not a non-negative number") as e:
        data.load_municipalities(p)
    assert _err(e) == (str(p), 1, "population_2022")
    p = _csv(tmp_path, "big.csv", MUNIS.replace(",600,700,", ",600,10000001,"))
    with pytest.raises(DataError) as e:
        data.load_municipalities(p)
    assert _err(e) == (str(p), 1, "population_2022")


def test_municipalities_default_path(tmp_path):
    (tmp_path / "uusimaa").mkdir()
    _csv(tmp_path / "uusimaa", "municipalities.csv", MUNIS)
    assert data.load_municipalities(settings=Settings(geodata_dir=tmp_path))["municipality_code"].tolist() \
        == ["091", "018"]


# --- borders, centres, service areas ------------------------------------------------------


def test_municipal_borders_small(tmp_path, borders):
    gdf = borders.copy()
    gdf["municipality_code"] = ["91", "49"]
    p = _vector(tmp_path, "b.geojson", gdf)
    b = data.load_municipal_borders(p)
    assert list(b.columns) == ["municipality_code", "geometry"] and b.index.tolist() == [0, 1]
    assert b["municipality_code"].tolist() == ["091", "049"]
    assert b.crs.to_epsg() == 3067 and b.geometry.iloc[0].area == pytest.approx(1e8)
    gdf["municipality_code"] = ["91", "091"]
    p = _vector(tmp_path, "d.geojson", gdf)
    with pytest.raises(DataError, match="duplicate municipality_code") as e:
        data.load_municipal_borders(p)
    assert _err(e) == (str(p), 2, "municipality_code")
    (tmp_path / "uusimaa").mkdir()
    borders.to_file(tmp_path / "uusimaa" / "municipalities_2023.geojson")
    assert len(data.load_municipal_borders(settings=Settings(geodata_dir=tmp_path))) == 2


def test_municipal_borders_need_a_vector_file(tmp_path):
    p = _csv(tmp_path, "b.csv", "municipality_code\n091\n")
    with pytest.raises(DataError, match="expected a vector file") as e:
        data.load_municipal_borders(p)
    assert _err(e) == (str(p), None, "geometry")


def test_municipal_centres_small(tmp_path):
    p = _csv(tmp_path, "c.csv", "municipality_code,label,lon,lat\n91,HELSINKI,24.9,60.2\n")
    c = data.load_municipal_centres(p)
    assert c["municipality_code"].tolist() == ["091"] and c["label"].tolist() == ["HELSINKI"]
    assert c.crs.to_epsg() == 3067
    x, y = c.geometry.iloc[0].x, c.geometry.iloc[0].y
    back = gpd.GeoSeries([Point(x, y)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    assert (round(back.x, 6), round(back.y, 6)) == (24.9, 60.2)


SA = ("preset,municipality_code,service_area\n"
      "two,091,Helsinki\n"
      "two,049,Espoo\n"
      "one,091,All\n")


def test_service_areas_small(tmp_path):
    p = _csv(tmp_path, "sa.csv", SA)
    assert data.service_area_presets(p) == ["two", "one"]
    munis = pd.DataFrame({"municipality_code": ["091", "049"]})
    sa = data.load_service_areas(p, preset="two", municipalities=munis)
    assert sa.to_dict("list") == {"municipality_code": ["091", "049"], "service_area": ["Helsinki", "Espoo"]}
    with pytest.raises(DataError, match=r"preset 'one' leaves municipalities \['049'\]") as e:
        data.load_service_areas(p, preset="one", municipalities=munis)
    assert _err(e) == (str(p), None, "municipality_code")
    with pytest.raises(DataError, match="unknown municipality code '049'") as e:
        data.load_service_areas(p, preset="two", municipalities=munis.iloc[:1])
    assert _err(e) == (str(p), 2, "municipality_code")
    with pytest.raises(DataError, match="unknown service-area preset 'six'") as e:
        data.load_service_areas(p, preset="six")
    assert _err(e) == (str(p), None, "preset")
    p2 = _csv(tmp_path, "e.csv", SA.replace("Espoo", " "))
    with pytest.raises(DataError, match="empty service area") as e:
        data.load_service_areas(p2, preset="two")
    assert _err(e) == (str(p2), 2, "service_area")
    p3 = _csv(tmp_path, "d.csv", SA.replace("two,049", "two,091"))
    with pytest.raises(DataError, match="duplicate municipality_code") as e:
        data.load_service_areas(p3, preset="two")
    assert _err(e) == (str(p3), 2, "municipality_code")
    # the default preset comes from the settings
    sa = data.load_service_areas(p, settings=Settings(service_area_preset="one"))
    assert sa["service_area"].tolist() == ["All"]


# --- read_table ---------------------------------------------------------------------------


def test_semicolon_csv_with_decimal_commas(tmp_path):
    p = _csv(tmp_path, "s.csv", "\n a;b;c\n1,5;x,y;2\n2;z;3\n")
    df = data.read_table(p)
    # leading blank line: the header is " a;b;c" -> three ';' beat zero ','
    assert list(df.columns) == [" a", "b", "c"]
    assert df[" a"].tolist() == ["1.5", "2"]  # a column of numbers: 1,5 means 1.5
    assert df["b"].tolist() == ["x,y", "z"]  # text keeps its comma
    assert df["c"].tolist() == ["2", "3"]


def test_header_decides_the_separator(tmp_path):
    # header has 2 commas and 0 semicolons; a data row with semicolons does not count
    p = _csv(tmp_path, "c.csv", "a,b,c\n1;2;3;4,5,6\n")
    assert list(data.read_table(p).columns) == ["a", "b", "c"]


def test_windows_1252_csv_is_read_with_a_warning(tmp_path):
    p = _csv(tmp_path, "w.csv", "name\nMäntsälä\n", encoding="cp1252")
    with pytest.warns(PlannerWarning, match="not UTF-8"):
        df = data.read_table(p)
    assert df["name"].tolist() == ["Mäntsälä"]


def test_read_table_errors(tmp_path):
    for name, raw, msg in (("e.csv", b"", "the file is empty"), ("h.csv", b"a,b\n", "no data rows"),
                           ("n.csv", b"a\n\x00\n", "NUL bytes"), ("s.csv", b"\n\n", "the file is empty")):
        p = tmp_path / name
        p.write_bytes(raw)
        with pytest.raises(DataError, match=msg) as e:
            data.read_table(p)
        assert _err(e) == (str(p), None, None)
    with pytest.raises(DataError, match="file not found") as e:
        data.read_table(tmp_path / "none.csv")
    assert e.value.file == str(tmp_path / "none.csv")
    p = _csv(tmp_path, "broken.geojson", "{not json")
    with pytest.raises(DataError, match="cannot read the file") as e:
        data.read_table(p)
    assert e.value.file == str(p)


def test_geopackage_layers(tmp_path):
    p = tmp_path / "two.gpkg"
    _grid([1, 2, 3]).to_file(p, layer="a")
    _grid([4, 5, 6]).to_file(p, layer="b")
    with pytest.raises(DataError, match=r"the file has 2 layers \['a', 'b'\]") as e:
        data.read_table(p)
    assert _err(e) == (str(p), None, "layer")
    assert data.read_table(f"{p}|layername=b")["ASUKKAITA"].tolist() == [4, 5, 6]
    assert data.read_table(p, layer="a")["ASUKKAITA"].tolist() == [1, 2, 3]
    one = tmp_path / "one.gpkg"
    _grid([7, 8, 9]).to_file(one, layer="only")
    assert data.read_table(one)["ASUKKAITA"].tolist() == [7, 8, 9]


def test_parquet_is_read(tmp_path):
    p = tmp_path / "g.parquet"
    _grid([1, 2, 3]).to_parquet(p)
    assert data.read_table(p)["ASUKKAITA"].tolist() == [1, 2, 3]


# --- geometry checks ------------------------------------------------------------------------


def test_check_geometries_errors():
    ok = box(0, 0, 1, 1)
    line = LineString([(0, 0), (1, 1)])
    for geoms, row, msg in (([ok, None], 2, "missing or empty"), ([ok, Polygon()], 2, "missing or empty"),
                            ([line], 1, "geometry is a LineString, expected Polygon")):
        gdf = gpd.GeoDataFrame(geometry=geoms, crs=CRS)
        with pytest.raises(DataError, match=msg) as e:
            data._check_geometries(gdf, "g", ("Polygon", "MultiPolygon"), True)
        assert _err(e) == ("g", row, "geometry")
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    gdf = gpd.GeoDataFrame(geometry=[ok, bowtie], crs=CRS)
    with pytest.raises(DataError, match=r"invalid geometry \(Self-intersection") as e:
        data._check_geometries(gdf, "g", ("Polygon",), False)
    assert _err(e) == ("g", 2, "geometry")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = data._check_geometries(gpd.GeoDataFrame(geometry=[ok], crs=CRS), "g", ("Polygon",), True)
    assert out.geometry.iloc[0].equals(ok)


def test_polygonal_part_of_a_collection():
    from shapely.geometry import GeometryCollection
    coll = GeometryCollection([box(0, 0, 1, 1), LineString([(5, 5), (6, 6)])])
    assert data._polygonal(coll).equals(box(0, 0, 1, 1))
    assert data._polygonal(GeometryCollection([LineString([(5, 5), (6, 6)])])) is None
    assert data._polygonal(box(0, 0, 2, 2)).area == 4


# --- dates and the network of one day -------------------------------------------------------


def test_parse_date():
    assert data.parse_date("2022-12-31") == pd.Timestamp("2022-12-31")
    assert data.parse_date(" 2022-01-05 ") == pd.Timestamp("2022-01-05")
    assert data.parse_date(None) is None and data.parse_date(float("nan")) is None
    assert data.parse_date("  ") is None
    assert data.parse_date(pd.Timestamp("2022-03-04 15:00")) == pd.Timestamp("2022-03-04")
    for bad in ("2022-1-5", "2022-13-01", "31.12.2022", "2022-12-31T00"):
        with pytest.raises(DataError, match="is not a date") as e:
            data.parse_date(bad, "p.csv", 4, "valid_to")
        assert _err(e) == ("p.csv", 4, "valid_to")
    with pytest.raises(DataError) as e:
        data.parse_date("x")
    assert _err(e) == ("<date>", None, "date")


def _points():
    return gpd.GeoDataFrame({
        "id": ["a", "b", "c", "d"],
        "valid_from": pd.to_datetime(["2020-01-01", None, "2023-01-01", None]),
        "valid_to": pd.to_datetime([None, "2022-12-31", None, None]),
        "located": [True, True, True, False],
    }, geometry=[Point(0, 0)] * 4, crs=CRS)


def test_select_points_on_a_day():
    pts = _points()
    # 2022-12-31: a (from 2020), b (to 2022-12-31 inclusive); c opens 2023; d is a placeholder
    assert data.select_points(pts, "2022-12-31")["id"].tolist() == ["a", "b"]
    # 2023-01-01: a, c (from that day inclusive); b has closed
    assert data.select_points(pts, pd.Timestamp("2023-01-01"))["id"].tolist() == ["a", "c"]
    assert data.select_points(pts, "2019-06-01", include_unlocated=True)["id"].tolist() == ["b", "d"]
    assert data.select_points(pts)["id"].tolist() == ["a", "b", "c"]
    assert data.select_points(pts, include_unlocated=True).index.tolist() == [0, 1, 2, 3]
    import datetime as dt
    assert data.select_points(pts, dt.date(2021, 1, 1))["id"].tolist() == ["a", "b"]
    only_from = pts.drop(columns=["valid_to", "located"])
    assert data.select_points(only_from, "2021-01-01")["id"].tolist() == ["a", "b", "d"]
    only_to = pts.drop(columns=["valid_from", "located"])
    assert data.select_points(only_to, "2023-01-01")["id"].tolist() == ["a", "c", "d"]


# --- service points on the two-square borders -------------------------------------------------


def _wgs(x, y):
    p = gpd.GeoSeries([Point(x, y)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    return f"{p.x:.7f}", f"{p.y:.7f}"


def _points_csv(tmp_path, rows, extra_header=""):
    head = "id,name,category,municipality_code,lon,lat" + extra_header
    return _csv(tmp_path, "p.csv", head + "\n" + "\n".join(rows) + "\n")


def test_service_points_small(tmp_path, borders):
    lon1, lat1 = _wgs(385000, 6675000)  # centre of 091
    lon2, lat2 = _wgs(395000, 6675000)  # centre of 049
    p = _points_csv(tmp_path, [f" a ,Kela A,kela,91,{lon1},{lat1},5,2022-01-01,",
                               f"b,Kela B,kela,049,{lon2},{lat2},,,2023-06-30"],
                    ",capacity,valid_from,valid_to")
    g = data.load_service_points(p, borders=borders)
    assert list(g.columns) == ["id", "name", "category", "municipality_code", "address", "postal_code",
                               "location_precision", "located", "proxy", "target_group", "valid_from",
                               "valid_to", "source", "note", "capacity", "geometry"]
    assert g.crs.to_epsg() == 3067
    assert g["id"].tolist() == ["a", "b"]
    assert g["municipality_code"].tolist() == ["091", "049"]
    assert g["address"].tolist() == ["", ""] and g["note"].tolist() == ["", ""]
    assert g["location_precision"].tolist() == ["unspecified", "unspecified"]
    assert g["located"].tolist() == [True, True]
    assert g["capacity"].iloc[0] == 5.0 and np.isnan(g["capacity"].iloc[1])
    assert g["valid_from"].iloc[0] == pd.Timestamp("2022-01-01") and pd.isna(g["valid_from"].iloc[1])
    assert g["valid_to"].iloc[1] == pd.Timestamp("2023-06-30")
    assert g.geometry.iloc[0].distance(Point(385000, 6675000)) < 0.5


def test_service_point_errors(tmp_path, borders):
    lon1, lat1 = _wgs(385000, 6675000)
    lon_out, lat_out = _wgs(385000, 6660000)  # 10 km south of both squares
    lon2, lat2 = _wgs(395000, 6675000)  # inside 049, 5 km from 091's edge (> 2 km tolerance)
    cases = [
        ([f"a,A,kela,091,{lon1},{lat1}", f"a,B,kela,091,{lon1},{lat1}"], 2, "id", "duplicate id 'a'"),
        ([f" ,A,kela,091,{lon1},{lat1}"], 1, "id", "empty id"),
        ([f"a,A,bank,091,{lon1},{lat1}"], 1, "category", "unknown category 'bank'"),
        ([f"a,A,kela,091,{lon1},{lat1}", f"b,B,kela,092,{lon1},{lat1}"], 2, "municipality_code",
         "unknown municipality code '092'"),
        ([f"a,A,kela,091,{lon_out},{lat_out}"], 1, "lon", r"outside Uusimaa \(10.0 km"),
        ([f"a,A,kela,091,{lon2},{lat2}"], 1, "municipality_code", "5.0 km outside its municipality 091"),
        ([f"a,A,kela,091,{lat1},{lon1}"], 1, "lon", "look swapped"),
        (["a,A,kela,091,385000,6675000"], 1, "lon", "projected"),
        ([f"a,A,kela,091,{lon1},north"], 1, "lat", "'north' is not a number"),
    ]
    for rows, row, field, msg in cases:
        p = _points_csv(tmp_path, rows)
        with pytest.raises(DataError, match=msg) as e:
            data.load_service_points(p, borders=borders)
        assert _err(e) == (str(p), row, field), msg


def test_service_point_validity_and_capacity_errors(tmp_path, borders):
    lon1, lat1 = _wgs(385000, 6675000)
    p = _points_csv(tmp_path, [f"a,A,kela,091,{lon1},{lat1},2022-05-01,2022-04-30"], ",valid_from,valid_to")
    with pytest.raises(DataError, match="valid_to 2022-04-30 is before valid_from 2022-05-01") as e:
        data.load_service_points(p, borders=borders)
    assert _err(e) == (str(p), 1, "valid_to")
    p = _points_csv(tmp_path, [f"a,A,kela,091,{lon1},{lat1},2022-5-1"], ",valid_from")
    with pytest.raises(DataError, match="is not a date") as e:
        data.load_service_points(p, borders=borders)
    assert _err(e) == (str(p), 1, "valid_from")
    p = _points_csv(tmp_path, [f"a,A,kela,091,{lon1},{lat1},inf"], ",capacity")
    with pytest.raises(DataError, match="finite non-negative") as e:
        data.load_service_points(p, borders=borders)
    assert _err(e) == (str(p), 1, "capacity")


def test_service_points_in_metres(tmp_path, borders):
    p = _csv(tmp_path, "p.csv", "id,name,category,municipality_code,x,y\na,A,kela,091,385000,6675000\n")
    g = data.load_service_points(p, borders=borders)
    assert (g.geometry.iloc[0].x, g.geometry.iloc[0].y) == (385000.0, 6675000.0)
    assert "x" not in g.columns and "y" not in g.columns
    p = _csv(tmp_path, "q.csv", "id,name,category,municipality_code,x,y\na,A,kela,091,385000,?\n")
    with pytest.raises(DataError, match="not a number \\(metres") as e:
        data.load_service_points(p, borders=borders)
    assert _err(e) == (str(p), 1, "y")


def test_placeholder_points_take_the_centre_or_a_point_inside(tmp_path, borders):
    centres = gpd.GeoDataFrame({"municipality_code": ["091"]}, geometry=[Point(384000, 6674000)], crs=CRS)
    p = _csv(tmp_path, "p.csv", "id,name,category,municipality_code,x,y,location_precision\n"
             "a,A,kela,091,,,unknown\nb,B,kela,049,,,unknown\nc,C,kela,091,385000,6675000,address\n")
    g = data.load_service_points(p, borders=borders, centres=centres)
    assert g["located"].tolist() == [False, False, True]
    assert (g.geometry.iloc[0].x, g.geometry.iloc[0].y) == (384000.0, 6674000.0)
    # 049 has no centre: a point inside its square
    assert SQ049.contains(g.geometry.iloc[1])
    lonc, latc = _wgs(385000, 6675000)
    p = _points_csv(tmp_path, [f"a,A,kela,091,{lonc},{latc},unknown"], ",location_precision")
    g = data.load_service_points(p, borders=borders, centres=centres)
    # its own lon/lat are replaced by the centre
    assert g.geometry.iloc[0].distance(Point(384000, 6674000)) < 0.5


def test_shapefile_cut_column_names_are_restored(tmp_path):
    # a shapefile cuts names to 10 characters: "unemployed_2016" arrives as "unemployed"
    p = _csv(tmp_path, "cut.csv", NEED.replace("unemployed_2016", "unemployed"))
    df = data.load_postal_need(p)
    assert df["unemployed_2016"].tolist() == [50, 10] and "unemployed" not in df.columns


def test_warnings_point_at_the_loader_caller(tmp_path):
    # stacklevel=3: the warning is reported at the loader's caller, not inside planner/inputs/data.py,
    # so a user sees which of their calls read the bad file (the caller is this file, or
    # mutmut's trampoline when mutation testing wraps the loader)
    p = _csv(tmp_path, "w.csv", "name\nMäntsälä\n", encoding="cp1252")
    with pytest.warns(PlannerWarning) as rec:
        data.read_table(p)
    assert Path(rec[0].filename).name != "data.py"
    gdf = _postal()
    gdf.loc[1, "geometry"] = Polygon([(381000, 6671000), (382000, 6672000), (382000, 6671000),
                                      (381000, 6672000)])
    p = _vector(tmp_path, "bow.geojson", gdf)
    with pytest.warns(PlannerWarning) as rec:
        data.load_postal_areas(p)
    assert Path(rec[0].filename).name != "data.py"


def test_municipality_codes_from_numbers_and_blanks():
    # 91 -> "091", 91.0 (a number column) -> "091", " 5 " -> "005"
    assert data._codes(pd.Series([91, "91.0", " 5 "]), "f.csv") == ["091", "091", "005"]
    for bad, row in (([91, None], 2), ([float("nan")], 1), (["0910"], 1), (["9a"], 1)):
        with pytest.raises(DataError, match="is not a municipality code") as e:
            data._codes(pd.Series(bad, dtype=object), "f.csv", "code")
        assert _err(e) == ("f.csv", row, "code")


def test_point_text_columns_keep_values_and_fill_blanks(tmp_path, borders):
    p = _csv(tmp_path, "p.csv", "id,name,category,municipality_code,x,y,address,source,extra\n"
             "a,A,kela,091,385000,6675000,Katu 1,Kela,e1\nb,B,kela,091,385100,6675000,,,e2\n")
    g = data.load_service_points(p, borders=borders)
    assert g["address"].tolist() == ["Katu 1", ""]
    assert g["source"].tolist() == ["Kela", ""]
    assert g["postal_code"].tolist() == ["", ""]
    assert g["extra"].tolist() == ["e1", "e2"]
    assert list(g.columns)[-2:] == ["extra", "geometry"]
    assert np.isnan(g["capacity"]).all() and g["capacity"].dtype == float


def test_municipal_borders_invalid_polygon_is_repaired(tmp_path, borders):
    gdf = borders.copy()
    # a bow tie over 091's square: two triangles of 10 km x 5 km / 2 = 25 km2 each, 50 km2 in all
    gdf.loc[0, "geometry"] = Polygon([(380000, 6670000), (390000, 6680000), (390000, 6670000),
                                      (380000, 6680000)])
    p = _vector(tmp_path, "b.geojson", gdf)
    with pytest.warns(PlannerWarning, match=r"rows \[1\]"):
        b = data.load_municipal_borders(p)
    assert b.geometry.iloc[0].is_valid and b.geometry.iloc[0].area == pytest.approx(5e7)


def test_geopackage_with_two_layer_markers_is_a_located_error(tmp_path):
    # QGIS form file|layername=NAME: everything after the first marker is the layer name,
    # here "a|layername=b", which the file does not have -> a DataError naming the file
    p = tmp_path / "g.gpkg"
    _grid([1, 2, 3]).to_file(p, layer="a")
    with pytest.raises(DataError, match="cannot read the file") as e:
        data.read_table(f"{p}|layername=a|layername=b")
    assert e.value.file == str(p)


def test_many_repaired_rows_are_cut_to_ten():
    # 11 bow ties: the warning lists rows 1-10 and "..."
    bow = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    gdf = gpd.GeoDataFrame(geometry=[bow] * 11, crs=CRS)
    with pytest.warns(PlannerWarning, match=r"repaired 11 invalid polygon\(s\) .*"
                                            r"\(rows \[1, 2, 3, 4, 5, 6, 7, 8, 9, 10\]\.\.\.\)$"):
        data._check_geometries(gdf, "g", ("Polygon", "MultiPolygon"), True)


def test_check_on_land_without_a_name_column():
    # 1 km east of the 1 km square: 1.0 km from land; no name column -> the name is ''
    pts = gpd.GeoDataFrame(geometry=[Point(2000, 500)], crs=CRS)
    with pytest.raises(DataError, match=r"point '' \(.*\) lies in the sea: 1.0 km from land") as e:
        data.check_on_land(pts, box(0, 0, 1000, 1000), "s.csv")
    assert _err(e) == ("s.csv", 1, "lon")


def test_land_polygon_is_the_union_of_postal_areas():
    postal = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1), box(1, 0, 3, 1)], crs=CRS)
    # overlapping 2 x 1 rectangles: union 3 x 1 = 3 m2, not 2 + 2
    assert data.land_polygon(postal).area == 3


def test_select_points_keeps_the_columns_and_renumbers_rows():
    pts = _points()
    out = data.select_points(pts, "2023-01-01")
    # a, c kept; the index restarts at 0 and no "index" column is added
    assert list(out.columns) == list(pts.columns) and out.index.tolist() == [0, 1]


def test_placeholder_in_a_municipality_without_centre_or_border(tmp_path, borders):
    centres = gpd.GeoDataFrame({"municipality_code": ["091"]}, geometry=[Point(384000, 6674000)], crs=CRS)
    p = _csv(tmp_path, "p.csv", "id,name,category,municipality_code,x,y,location_precision\n"
             "a,A,kela,092,,,unknown\n")
    with pytest.raises(DataError, match="in municipality '092', which has no municipal centre") as e:
        data.load_service_points(p, borders=borders, centres=centres)
    assert _err(e) == (str(p), 1, "municipality_code")


def test_population_grid_invalid_cell_is_repaired(tmp_path):
    gdf = _grid([1, 2, 3])
    # a bow tie in a 250 m cell: two triangles of 250 x 125 / 2 m2 = 31 250 m2 in all
    gdf.loc[2, "geometry"] = Polygon([(385500, 6672000), (385750, 6672250), (385750, 6672000),
                                      (385500, 6672250)])
    p = _vector(tmp_path, "grid.geojson", gdf)
    with pytest.warns(PlannerWarning, match=r"rows \[3\]"):
        g = data.load_population_grid(p)
    assert g.geometry.iloc[2].area == pytest.approx(31_250) and g["population"].tolist() == [1, 2, 3]
