"""Issue 28: geocoding rules at their edges (precision table, cache key, Finland's box, fallbacks).

The geocoding service is replaced by a plain answer table (the ``ask`` a Geocoder takes);
tests/test_geocode.py drives the real geopy clients against local servers. Postal areas
are two hand-made squares in EPSG:3067.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from planner.errors import DataError
from planner.inputs import geocode as g

CRS = "EPSG:3067"


@pytest.fixture
def postal():
    return gpd.GeoDataFrame({"postal_code": ["100", "02100"], "municipality_code": ["091", "049"]},
                            geometry=[box(385000, 6671000, 386000, 6672000),
                                      box(375000, 6671000, 376000, 6672000)], crs=CRS)


def _geocoder(tmp_path, answers, service="nominatim"):
    asked = []

    def ask(query):
        asked.append(query)
        a = answers.get(query)
        if isinstance(a, Exception):
            raise a
        return a

    geo = g.Geocoder(service, ask, tmp_path / "cache")
    return geo, asked


@pytest.mark.parametrize("kind, precision", [
    ("building", "address"), ("house", "address"), ("amenity", "address"), ("office", "address"),
    ("shop", "address"), ("place", "address"), ("road", "street"), ("street", "street"),
    ("pedestrian", "street"), ("postcode", "postal_area"), ("suburb", "locality"),
    ("quarter", "locality"), ("neighbourhood", "locality"), ("city", "locality"), ("town", "locality"),
    ("village", "locality"), ("hamlet", "locality"), ("municipality", "locality"),
    ("city_district", "locality"), ("borough", "locality"), ("river", "locality"),
])
def test_nominatim_precision_by_address_type(kind, precision):
    assert g.precision_of("nominatim", {"addresstype": kind}) == precision
    assert g.precision_of("nominatim", {"type": kind, "address": None}) == precision  # older answers
    # a house number makes it an address whatever the type says
    assert g.precision_of("nominatim", {"addresstype": kind, "address": {"house_number": "4"}}) == "address"


def test_nominatim_addresstype_wins_over_type_and_nothing_is_locality():
    assert g.precision_of("nominatim", {"addresstype": "road", "type": "postcode"}) == "street"
    assert g.precision_of("nominatim", {}) == "locality"
    assert g.precision_of("nominatim", {"address": {"house_number": ""}, "addresstype": "road"}) == "street"


@pytest.mark.parametrize("layer, precision", [
    ("address", "address"), ("venue", "address"), ("street", "street"), ("postalcode", "postal_area"),
    ("neighbourhood", "locality"), ("locality", "locality"), ("localadmin", "locality"),
    ("borough", "locality"), ("county", "locality"), ("region", "locality"),
])
def test_pelias_precision_by_layer(layer, precision):
    assert g.precision_of("digitransit", {"properties": {"layer": layer}}) == precision


def test_pelias_without_properties_is_locality():
    assert g.precision_of("digitransit", {"properties": None}) == "locality"
    assert g.precision_of("digitransit", {}) == "locality"


def test_the_cache_key_ignores_case_and_spaces_but_not_the_service(tmp_path):
    geo, asked = _geocoder(tmp_path, {"Mannerheimintie 1, Finland": {"lon": "24.9", "lat": "60.2"}})
    assert geo.lookup("Mannerheimintie 1, Finland") == {"lon": "24.9", "lat": "60.2"}
    assert geo.lookup("  MANNERHEIMINTIE 1, finland ") == {"lon": "24.9", "lat": "60.2"}
    assert asked == ["Mannerheimintie 1, Finland"] and geo.requests == 1
    other, asked2 = _geocoder(tmp_path, {"Mannerheimintie 1, Finland": None}, service="digitransit")
    assert other.lookup("Mannerheimintie 1, Finland") is None  # its own cache: asked again
    assert asked2 == ["Mannerheimintie 1, Finland"]
    assert other.lookup("mannerheimintie 1, finland") is None and other.requests == 1  # "nothing" is cached
    files = sorted(p.relative_to(tmp_path / "cache").parts[0] for p in (tmp_path / "cache").rglob("*.json"))
    assert files == ["digitransit", "nominatim"]


def test_postal_points_are_representative_points_keyed_by_five_digit_code(postal):
    pts = g.postal_points(postal)
    assert list(pts.index) == ["00100", "02100"]
    assert list(pts["municipality_code"]) == ["091", "049"]
    back = gpd.GeoSeries(gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326").to_crs(CRS)
    assert postal.geometry.iloc[0].contains(back.iloc[0]) and postal.geometry.iloc[1].contains(back.iloc[1])


def test_queries_fallbacks_and_sources_row_by_row(tmp_path, postal):
    from geopy.exc import GeocoderTimedOut

    answers = {
        "Työpajankatu 14, 00100 Helsinki, Finland": {"lon": "24.97", "lat": "60.19",
                                                     "addresstype": "building",
                                                     "display_name": "Työpajankatu 14"},
        "Kauppakatu 1, 02100 Espoo, Finland": {"lon": "18.99", "lat": "60.19"},  # west of Finland
        "Rantatie 2, Finland": None,
        "Asema, 00100, Finland": GeocoderTimedOut("slow"),
        "Espoo, Finland": {"lon": "31.6", "lat": "70.1", "addresstype": "town", "display_name": "E"},
    }
    geo, asked = _geocoder(tmp_path, answers)
    df = pd.DataFrame({"name": ["a", "b", "c", "d", "e"],
                       "address": [" Työpajankatu 14 ", "Kauppakatu 1", "Rantatie 2", "Asema", None],
                       "postal_code": ["100", "02100", None, " 00100", ""],
                       "municipality": ["Helsinki", "Espoo", "", None, " Espoo"]})
    out = g.geocode_table(df, geo, postal, file="a.csv")
    assert asked == list(answers)
    reps = g.postal_points(postal)
    assert out["name"].tolist() == ["a", "b", "c", "d", "e"]
    assert out["location_precision"].tolist() == ["address", "postal_area", "unknown", "postal_area",
                                                  "locality"]
    assert out["geocode_source"].tolist() == [
        "nominatim: Työpajankatu 14",
        "answer outside Finland: representative point of postal area 02100",
        "no match: no known postal area, left as a placeholder (site unknown)",
        "geocoder unavailable (GeocoderTimedOut): representative point of postal area 00100",
        "nominatim: E",  # the north-east corner of Finland's box is inside it
    ]
    assert (out["lon"].iloc[0], out["lat"].iloc[0]) == (24.97, 60.19)
    # the stand-in position of a postal area: its representative point to 6 decimals (about 0.1 m)
    assert (out["lon"].iloc[1], out["lat"].iloc[1]) == (round(reps.at["02100", "lon"], 6),
                                                        round(reps.at["02100", "lat"], 6))
    assert pd.isna(out["lon"].iloc[2]) and pd.isna(out["lat"].iloc[2])
    assert out["lon"].iloc[3] == round(reps.at["00100", "lon"], 6)


@pytest.mark.parametrize("lon, lat, inside", [
    (19.0, 59.5, True), (31.6, 70.1, True), (18.999, 60, False), (31.601, 60, False),
    (25, 59.499, False), (25, 70.101, False),
])
def test_finlands_box_edges(tmp_path, postal, lon, lat, inside):
    geo, _ = _geocoder(tmp_path, {"X, Finland": {"geometry": {"coordinates": [lon, lat, 0]},
                                                 "properties": {"layer": "venue", "label": "X"}}},
                       service="digitransit")
    out = g.geocode_table(pd.DataFrame({"address": ["X"], "postal_code": [None], "municipality": [None]}),
                          geo, postal)
    if inside:
        assert (out["lon"].iloc[0], out["lat"].iloc[0]) == (lon, lat)
        assert out["geocode_source"].iloc[0] == "digitransit: X"
        assert out["location_precision"].iloc[0] == "address"
    else:
        assert out["location_precision"].iloc[0] == "unknown"
        assert out["geocode_source"].iloc[0].startswith("answer outside Finland: ")


def test_offline_rows_fall_back_and_bad_codes_are_located(postal):
    df = pd.DataFrame({"address": ["A 1", "B 2"], "postal_code": ["2100", "99999"], "municipality": ["x",
                                                                                                     "y"]})
    out = g.geocode_table(df, None, postal)
    assert out["geocode_source"].tolist() == [
        "offline: representative point of postal area 02100",
        "offline: no known postal area, left as a placeholder (site unknown)"]
    for bad in ("123456", "00-100", "1a"):
        with pytest.raises(DataError) as e:
            g.geocode_table(pd.DataFrame({"address": ["a", "b"], "postal_code": ["00100", bad],
                                          "municipality": ["x", "y"]}), None, postal, file="a.csv")
        assert e.value.reason == f"{bad!r} is not a Finnish postal code (five digits)"
        assert (e.value.file, e.value.row, e.value.field) == ("a.csv", 2, "postal_code")
    with pytest.raises(DataError) as e:
        g.geocode_table(pd.DataFrame({"address": ["a"], "town": ["x"]}), None, postal, file="a.csv")
    assert e.value.reason == ("missing required column(s) ['postal_code', 'municipality']; "
                              "the file has ['address', 'town']")
    assert e.value.field == "postal_code"


def test_digitransit_needs_a_key(monkeypatch):
    monkeypatch.delenv(g.DIGITRANSIT_KEY_ENV, raising=False)
    with pytest.raises(ValueError) as e:
        g.digitransit()
    assert str(e.value) == "Digitransit needs a subscription key: set $DIGITRANSIT_SUBSCRIPTION_KEY"


def test_clients_send_the_identifying_user_agent_and_key(tmp_path):
    nom = g.nominatim(cache_dir=tmp_path)
    assert nom.service == "nominatim" and nom.cache_dir == tmp_path
    dig = g.digitransit(api_key="k", cache_dir=tmp_path)
    assert dig.service == "digitransit" and dig.cache_dir == tmp_path


def test_the_geocoding_cache_defaults_to_the_settings_cache(tmp_path):
    import dataclasses

    from planner.settings import DEFAULT_SETTINGS

    s = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path / "c")
    assert g.nominatim(settings=s).cache_dir == tmp_path / "c" / "geocode"
    assert g.digitransit(api_key="k", settings=s).cache_dir == tmp_path / "c" / "geocode"
    assert g.USER_AGENT.startswith("uusimaa-service-network-planner/")


def test_an_answer_without_a_label_has_an_empty_one():
    assert g._label("digitransit", {"properties": {"layer": "venue"}}) == ""
    assert g._label("digitransit", {}) == ""
    assert g._label("nominatim", {}) == ""
    assert g._label("nominatim", {"display_name": "Oodi"}) == "Oodi"
    assert g._lonlat("nominatim", {"lon": "24.9", "lat": "60.1"}) == (24.9, 60.1)
    assert g._lonlat("digitransit", {"geometry": {"coordinates": [24.9, 60.1]}}) == (24.9, 60.1)
