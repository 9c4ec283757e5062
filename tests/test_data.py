"""Loading and validating inputs: the bundled data and one small bad file per error."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import DataError, PlannerWarning
from planner.inputs.data import (
    load_municipal_borders,
    load_municipal_centres,
    load_municipalities,
    load_postal_areas,
    load_service_areas,
    load_service_points,
    service_area_presets,
)

DATA = Path(__file__).parent / "data"
HEADER = "id,name,category,municipality_code,lon,lat\n"
GOOD = "a,Point A,fi_walkin,091,24.9529,60.1682\n"


def write(tmp_path: Path, text: str, name: str = "points.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_service_points_are_valid_and_metric(borders):
    pts = load_service_points(borders=borders)
    assert pts.crs.to_epsg() == 3067
    assert pts["municipality_code"].map(len).eq(3).all()
    assert pts["id"].is_unique
    assert set(pts["location_precision"]) <= {"address", "postal_area", "municipality", "unknown"}
    assert (pts["located"] == (pts["location_precision"] != "unknown")).all()
    # issue 23: a proxy (municipality) row stands exactly at its municipal centre
    proxy = pts[pts["location_precision"] == "municipality"]
    centres = load_municipal_centres().set_index("municipality_code").geometry
    assert len(proxy) and all(g.distance(centres[c]) < 1 for c, g in zip(proxy["municipality_code"],
                                                                         proxy.geometry, strict=True))
    assert (pts["source"].str.len() > 0).all()


def test_municipalities_codes_are_strings_and_shares_flagged():
    m = load_municipalities()
    assert len(m) == 26 and m["municipality_code"].tolist()[:2] == ["018", "049"]
    assert m["bilingual"].sum() == 15
    assert m["sv_share_estimated"].all()
    # Raasepori and Inkoo have a Swedish-speaking majority
    maj = m.loc[m["sv_share"] > 0.5, "name_fi"].tolist()
    assert sorted(maj) == ["Inkoo", "Raasepori"]


def test_service_area_presets():
    assert service_area_presets() == ["six_areas", "wellbeing_counties_2023"]
    six = load_service_areas(municipalities=load_municipalities())
    assert six["service_area"].nunique() == 6 and len(six) == 26
    five = load_service_areas(preset="wellbeing_counties_2023")
    assert five["service_area"].nunique() == 5
    with pytest.raises(DataError, match="unknown service-area preset"):
        load_service_areas(preset="seven")


def test_postal_areas_population_and_shipped_polygons_valid():
    import warnings

    with warnings.catch_warnings():  # made valid at build time (issue 27): nothing to repair
        warnings.simplefilter("error", PlannerWarning)
        pa = load_postal_areas()
    assert len(pa) == 390 and pa["population"].sum() == 1_704_809
    assert pa.is_valid.all() and pa.crs.to_epsg() == 3067


def test_small_points_file(borders):
    pts = load_service_points(DATA / "points_small.csv", borders=borders)
    assert pts["id"].tolist() == ["h_fi", "h_sv", "e_kela", "p_fi"]
    # EPSG:3067 coordinates of Helsinki centre, in metres
    assert 385_000 < pts.geometry.x.iloc[0] < 387_000
    assert 6_671_000 < pts.geometry.y.iloc[0] < 6_673_000


def test_xy_columns_in_metres_are_accepted(tmp_path, borders):
    p = write(tmp_path, "id,name,category,municipality_code,x,y\na,A,kela,091,385800,6672000\n")
    assert load_service_points(p, borders=borders).geometry.x.iloc[0] == 385800


@pytest.mark.parametrize(
    ("text", "row", "field", "message"),
    [
        ("id,name,category,lon,lat\na,A,kela,24.95,60.17\n", None, "municipality_code", "missing required"),
        (HEADER + "a,A,social_office,091,24.95,60.17\n", 1, "category", "unknown category"),
        (HEADER + GOOD + "b,B,kela,091,east,60.17\n", 2, "lon", "not a number"),
        (HEADER + GOOD + "b,B,kela,091,60.17,24.95\n", 2, "lon", "swapped"),
        (HEADER + "a,A,kela,091,385800,6672000\n", 1, "lon", "projected"),
        (HEADER + GOOD + "b,B,kela,091,27.68,62.89\n", 2, "lon", "outside Uusimaa"),
        (HEADER + GOOD + "a,Again,kela,091,24.95,60.17\n", 2, "id", "duplicate id 'a'"),
        (HEADER + "a,A,kela,999,24.95,60.17\n", 1, "municipality_code", "unknown municipality"),
        (HEADER + "a,A,kela,638,24.95,60.17\n", 1, "municipality_code", "outside its municipality"),
        (HEADER + "a,A,kela,09x,24.95,60.17\n", 1, "municipality_code", "not a municipality code"),
        (HEADER + ",A,kela,091,24.95,60.17\n", 1, "id", "empty id"),
    ],
)
def test_bad_points_files(tmp_path, borders, text, row, field, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=message) as err:
        load_service_points(path, borders=borders)
    assert err.value.file == str(path)
    assert err.value.row == row
    assert err.value.field == field
    assert str(path) in str(err.value)


def test_empty_and_header_only_files(tmp_path, borders):
    with pytest.raises(DataError, match="empty"):
        load_service_points(write(tmp_path, ""), borders=borders)
    with pytest.raises(DataError, match="no data rows"):
        load_service_points(write(tmp_path, HEADER), borders=borders)
    with pytest.raises(DataError, match="not found"):
        load_service_points(tmp_path / "nope.csv", borders=borders)


def test_geojson_points_wrong_crs_and_broken_geometry(tmp_path, borders):
    import geopandas as gpd
    from shapely.geometry import Point, Polygon

    base = {"id": ["a"], "name": ["A"], "category": ["kela"], "municipality_code": ["091"]}
    # metres written without a CRS: refused, not guessed
    no_crs = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning, match="crs"):
        gpd.GeoDataFrame(base, geometry=[Point(385800, 6672000)]).to_file(no_crs)
    with pytest.raises(DataError, match="no CRS"):
        load_service_points(no_crs, borders=borders)
    # a polygon where a point is expected
    poly = tmp_path / "poly.gpkg"
    gpd.GeoDataFrame(base, geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs=3067).to_file(poly)
    with pytest.raises(DataError, match="expected Point") as err:
        load_service_points(poly, borders=borders)
    assert (err.value.row, err.value.field) == (1, "geometry")
    # a real point in EPSG:3067 is accepted and kept in metres
    ok = tmp_path / "ok.gpkg"
    gpd.GeoDataFrame(base, geometry=[Point(385800, 6672000)], crs=3067).to_file(ok)
    assert load_service_points(ok, borders=borders).geometry.y.iloc[0] == 6672000


def test_postal_areas_bad_geometry_and_population(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    square = Polygon([(385000, 6672000), (386000, 6672000), (386000, 6673000), (385000, 6673000)])
    empty = Polygon()
    gdf = gpd.GeoDataFrame({"postal_code": ["00100", "00120"], "municipality_code": ["091", "091"],
                            "population_2022": [10, 5]}, geometry=[square, empty], crs=3067)
    p = tmp_path / "areas.gpkg"
    gdf.to_file(p)
    with pytest.raises(DataError, match="empty geometry") as err:
        load_postal_areas(p)
    assert (err.value.row, err.value.field) == (2, "geometry")
    gdf = gdf.set_geometry([square, square]).assign(population_2022=[10, -5])
    gdf.to_file(p)
    with pytest.raises(DataError, match="non-negative whole number") as err:
        load_postal_areas(p)
    assert (err.value.row, err.value.field) == (2, "population_2022")


def test_borders_are_26_polygons():
    b = load_municipal_borders()
    assert len(b) == 26 and b.crs.to_epsg() == 3067
