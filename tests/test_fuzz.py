"""Standing fuzz suite (Hypothesis) for the loaders and the scenario parser.

Properties, for any input: the planner answers with data or with a PlannerError (DataError /
ScenarioError) — never another exception — and never changes the population total silently.

Runs with the "ci" profile registered in conftest.py (few examples, derandomised) inside
`make test`; for a long hunt: `pytest tests/test_fuzz.py --hypothesis-profile=thorough`
(or HYPOTHESIS_PROFILE=thorough).
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from planner.errors import PlannerError, PlannerWarning
from planner.inputs.categories import CATEGORY_CODES

GEO = Path(__file__).resolve().parent.parent / "geodata"
HELSINKI_CODE = "091"

# --- strategies ------------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(['"><img src=x onerror=alert(1)>', "=1+1", "+1", "-1", "@x", "\t=1", "\r=1",
                     "a;b", 'a,"b', "Järvenpää", "Ekenäs/Tammisaari", "", " ", "nan", "None", "0x1F",
                     "1e400", "-0", "\u202e", "\x00"]),
)
number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**7).map(str),
    st.sampled_from(["", " ", "24,93", "60.17", "inf", "-inf", "nan", "1e400", "abc", "-1", "0"]),
)
lon = st.one_of(st.floats(24.0, 26.5), st.floats(allow_nan=True, allow_infinity=True), st.just(60.17))
lat = st.one_of(st.floats(59.7, 60.9), st.floats(allow_nan=True, allow_infinity=True), st.just(24.94))
category = st.one_of(st.sampled_from(list(CATEGORY_CODES)), hostile_text)
code = st.one_of(st.just(HELSINKI_CODE), st.sampled_from(["049", "92", "91.0", "837", "0919", ""]),
                 hostile_text)


@st.composite
def point_rows(draw):
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        rows.append({
            "id": draw(st.one_of(st.just(f"p{i}"), hostile_text)),
            "name": draw(hostile_text),
            "category": draw(category),
            "municipality_code": draw(code),
            "lon": draw(st.one_of(lon.map(repr), number_text)),
            "lat": draw(st.one_of(lat.map(repr), number_text)),
            "capacity": draw(st.one_of(st.just(""), number_text)),
        })
    return rows


def _write_csv(rows: list[dict], sep: str, encoding: str, folder: Path) -> Path | None:
    df = pd.DataFrame(rows)
    try:
        data = df.to_csv(index=False, sep=sep, lineterminator="\r\n").encode(encoding)
    except UnicodeEncodeError:
        return None
    path = folder / "points.csv"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def borders():
    from planner.inputs.data import load_municipal_borders

    return load_municipal_borders()


# --- service points -----------------------------------------------------------------------------


@given(rows=point_rows(), sep=st.sampled_from([",", ";"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
def test_points_loader_answers_data_or_a_located_error(borders, rows, sep, encoding):
    from planner.inputs.data import load_service_points

    with tempfile.TemporaryDirectory() as tmp:
        path = _write_csv(rows, sep, encoding, Path(tmp))
        assume(path is not None)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PlannerWarning)
                pts = load_service_points(path, borders=borders)
        except PlannerError:
            return
        # accepted: every row is there, none dropped or added
        assert len(pts) == len(rows)
        assert pts.crs.to_epsg() == 3067 and pts.geometry.is_valid.all()


@given(lon=lon, lat=lat)
def test_any_coordinate_is_a_point_in_uusimaa_or_a_located_error(borders, lon, lat):
    from planner.inputs.data import load_service_points

    rows = [{"id": "a", "name": "A", "category": "kela", "municipality_code": HELSINKI_CODE,
             "lon": repr(lon), "lat": repr(lat)}]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_csv(rows, ",", "utf-8", Path(tmp))
        try:
            pts = load_service_points(path, borders=borders)
        except PlannerError as exc:
            assert "row 1" in str(exc)
            return
        assert len(pts) == 1


# --- population: postal areas, municipalities ----------------------------------------------------


@pytest.fixture(scope="module")
def postal_features():
    gj = json.loads((GEO / "uusimaa" / "postal_areas.geojson").read_text(encoding="utf-8"))
    return gj["features"][:8]


population_value = st.one_of(st.integers(0, 60_000), st.integers(-5, -1), st.floats(allow_nan=True),
                             st.sampled_from(["12", "1,5", "x", "", None, "1e3", True]))


@given(values=st.lists(population_value, min_size=8, max_size=8))
def test_postal_population_total_is_kept_or_refused(postal_features, values):
    from planner.inputs.data import load_postal_areas

    feats = json.loads(json.dumps(postal_features))
    for f, v in zip(feats, values, strict=True):
        f["properties"]["population_2022"] = v
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "postal.geojson"
        try:
            path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
        except ValueError:  # NaN is not JSON
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PlannerWarning)
                postal = load_postal_areas(path)
        except PlannerError:
            return
    assert len(postal) == 8
    assert int(postal["population"].sum()) == sum(int(float(v)) for v in values)


@given(sv=st.one_of(st.integers(-10, 400_000), st.sampled_from(["", "x", "1.5", "nan", "inf"])),
       pop=st.one_of(st.integers(-10, 700_000), st.sampled_from(["", "x", "nan"])))
def test_municipality_table_population_kept_or_refused(sv, pop):
    from planner.inputs.data import load_municipalities

    df = pd.read_csv(GEO / "uusimaa" / "municipalities.csv", dtype=str, keep_default_na=False)
    df.loc[0, "swedish_speakers_median_2000_2022"] = str(sv)
    df.loc[0, "population_2015"] = str(pop)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.csv"
        df.to_csv(path, index=False)
        try:
            munis = load_municipalities(path)
        except PlannerError:
            return
    assert len(munis) == len(df)
    assert munis["sv_share"].between(0, 1).all()
    assert int(munis["population_2022"].sum()) == int(df["population_2022"].astype(int).sum())


def test_postal_demand_keeps_every_resident():
    """The whole chain: loader -> demand units -> Finnish/Swedish split, total unchanged."""
    from planner.inputs.data import load_municipalities, load_postal_areas, load_service_areas
    from planner.inputs.demand import postal_demand

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        postal = load_postal_areas()
    munis = load_municipalities()
    units = postal_demand(postal, munis, load_service_areas(municipalities=munis))
    assert int(units["pop_total"].sum()) == int(postal["population"].sum())
    assert (units["pop_fi"] + units["pop_sv"] == units["pop_total"]).all()


# --- scenario parser -----------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text)
structures = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(hostile_text, st.integers()), inner, max_size=4)),
    max_leaves=25)
change = st.one_of(
    st.fixed_dictionaries({"close": st.one_of(hostile_text, st.lists(hostile_text, max_size=3), structures)}),
    st.fixed_dictionaries({"merge": st.one_of(structures, st.fixed_dictionaries(
        {"into": hostile_text, "from": st.lists(hostile_text, max_size=3)}))}),
    st.fixed_dictionaries({"open": st.one_of(structures, st.fixed_dictionaries({
        "id": hostile_text, "name": hostile_text, "category": category,
        "municipality_code": code, "lon": st.one_of(lon, hostile_text), "lat": st.one_of(lat, hostile_text),
    }, optional={"capacity": st.one_of(st.floats(), st.integers(), hostile_text),
                 "at_centre": code, "addres": hostile_text}))}),
    st.dictionaries(hostile_text, structures, max_size=2),
)
scenario_docs = st.one_of(
    structures,
    st.fixed_dictionaries({"name": st.one_of(hostile_text, structures)}, optional={
        "description": st.one_of(hostile_text, structures),
        "base": st.one_of(structures, st.dictionaries(st.sampled_from(["mode", "moed", "demand", "points"]),
                                                      st.one_of(hostile_text, structures), max_size=3)),
        "changes": st.one_of(structures, st.lists(change, max_size=4)),
    }),
)


def _parse(data: bytes):
    from planner.app.state import scenario_from_text

    try:
        return scenario_from_text(data, "fuzz.yaml")
    except PlannerError as exc:
        assert "fuzz.yaml" in str(exc)
        return None


@given(doc=scenario_docs)
def test_scenario_structures_parse_or_give_a_scenario_error(doc):
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    sc = _parse(text.encode("utf-8"))
    if sc is not None:
        from planner.analysis.scenario import scenario_to_yaml

        again = _parse(scenario_to_yaml(sc).encode("utf-8"))  # what the app offers for download
        assert again is not None and again.to_dict() == sc.to_dict()


@given(text=st.text(max_size=300), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
def test_scenario_text_in_any_encoding_never_a_traceback(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    _parse(data)


@given(data=st.binary(max_size=400))
def test_scenario_bytes_never_a_traceback(data):
    _parse(data)


@given(depth=st.integers(1, 3000), kind=st.sampled_from(["[", "{a: ", "- "]))
def test_deep_or_aliased_yaml_is_refused_quickly(depth, kind):
    closing = {"[": "]", "{a: ": "}", "- ": ""}[kind]
    body = kind * depth + "x" + closing * depth if kind != "- " else \
        "".join("  " * i + "- " for i in range(min(depth, 300))) + "x"
    _parse(("name: n\ndescription: " + body + "\n").encode())
    laughs = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ["x"] * 9) + "]\n"
                     for i in range(min(depth, 12)))
    assert _parse((laughs + "name: n\n").encode()) is None
