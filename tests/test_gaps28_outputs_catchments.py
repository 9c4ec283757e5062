"""Catchments at their boundaries (planner/outputs/catchments.py, issue 28): a point without a
name or category in the points table, a weighted median between two times, a point closed
in the scenario (its name kept from before), the palette's order and cycling, the layer's
look, tooltip and default name."""

from __future__ import annotations

import json
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from planner.outputs import catchments as K


def _units() -> gpd.GeoDataFrame:
    x0, y0 = 380_000, 6_670_000
    return gpd.GeoDataFrame({"unit_id": list("ABCD")},
                            geometry=[box(x0 + i * 1000, y0, x0 + (i + 1) * 1000, y0 + 1000)
                                      for i in range(4)],
                            crs="EPSG:3067")


def _access(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["unit_id", "group", "population", "located", "point_id", "time_min"])
    return df.assign(need="kela")


ROWS = [("A", "fi", 40, True, "P1", 5.0), ("B", "fi", 60, True, "P1", 15.0),
        ("C", "fi", 0, True, "P9", 7.0), ("D", "fi", 5, True, None, math.inf)]


def test_weighted_median_names_and_empty_catchment():
    pts = pd.DataFrame({"id": ["P1", "P1"], "name": ["First", "Duplicate"], "category": ["kela", "x"]})
    c = K.catchment_areas(_units(), _access(ROWS), pts, "kela", "fi")
    a = c.areas.set_index("point_id")
    # 40 at 5 min, 60 at 15: the resident in the middle travels 15 min
    assert a.loc["P1", "median_min"] == 15.0 and a.loc["P1", "residents"] == 100
    assert a.loc["P1", "name"] == "First" and a.loc["P1", "category"] == "kela"   # first row of an id
    # a point the table does not know: named by its id, no category; nobody lives in its unit
    assert a.loc["P9", "name"] == "P9" and a.loc["P9", "category"] == ""
    assert a.loc["P9", "residents"] == 0 and math.isnan(a.loc["P9", "median_min"])
    assert a.loc["P9", "units"] == 1
    assert list(c.areas.columns) == ["point_id", "name", "category", "residents", "median_min", "units",
                                     "geometry"]
    assert (c.population, c.unreached, c.unlocated, c.in_catchments) == (105, 5, 0, 100)
    bare = K.catchment_areas(_units(), _access(ROWS), pd.DataFrame({"id": ["P1"]}), "kela", "fi")
    assert bare.areas.set_index("point_id").loc["P1", ["name", "category"]].tolist() == ["P1", ""]


def test_no_rows_of_the_need_or_group_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no access rows for need 'social_any' and group 'fi'"):
        K.catchment_areas(_units(), _access(ROWS), pd.DataFrame({"id": []}), "social_any", "fi")
    with pytest.raises(ValueError, match=r"no access rows for need 'kela' and group 'sv'"):
        K.catchment_areas(_units(), _access(ROWS), pd.DataFrame({"id": []}), "kela", "sv")


def test_a_closed_points_catchment_keeps_its_name_and_is_empty_after():
    pts = pd.DataFrame({"id": ["P1", "P2"], "name": ["Closed one", "Kept"], "category": ["kela", "kela"]})
    after = [("A", "fi", 40, True, "P2", 8.0), ("B", "fi", 60, True, "P2", 9.0),
             ("C", "fi", 0, True, "P2", 7.0), ("D", "fi", 5, True, None, math.inf)]
    t = K.catchment_change(_units(), _access(ROWS), _access(after), pts, "kela", "fi")
    assert t["point_id"].tolist() == ["P1", "P2", "P9"]
    p1, p2 = t.iloc[0], t.iloc[1]
    assert (p1["name"], p1["category"], p1["residents_before"], p1["residents_after"],
            p1["residents_change"]) == ("Closed one", "kela", 100, 0, -100)
    assert (p2["name"], p2["residents_before"], p2["residents_after"], p2["residents_change"]) == \
        ("Kept", 0, 100, 100)
    assert p2["median_min_after"] == 9.0 and math.isnan(p2["median_min_before"])
    assert t["residents_before"].dtype == np.int64 and t["residents_after"].dtype == np.int64


def test_palette_in_sorted_order_and_cycling():
    ids = [f"p{i:02d}" for i in range(len(K.PALETTE) + 2)]
    colours = K.catchment_colours(reversed(ids))
    assert [colours[p] for p in ids[:3]] == list(K.PALETTE[:3])
    assert colours[ids[len(K.PALETTE)]] == K.PALETTE[0] and colours[ids[-1]] == K.PALETTE[1]
    assert K.catchment_colours(["b", "a", "b"]) == {"a": K.PALETTE[0], "b": K.PALETTE[1]}


def test_layer_look_tooltip_and_default_name():
    import folium

    pts = pd.DataFrame({"id": ["P1", "P9"], "name": ["First", "Ninth"], "category": ["kela", "kela"]})
    c = K.catchment_areas(_units(), _access(ROWS), pts, "kela", "fi")
    layer = K.catchment_layer(c)
    assert layer.layer_name == "Catchment areas of the points" or layer.layer_name == K._t("layer", "en")
    assert layer.show is False
    assert K.catchment_layer(c.areas, name="X", show=True).layer_name == "X"
    m = folium.Map(tiles=None)
    K.catchment_layer(c, lang="fi").add_to(m)
    page = m.get_root().render()
    styles = {json.dumps(json.loads(x), sort_keys=True)
              for x in re.findall(r"return (\{\"color\"[^}]*\})", page)}
    assert styles == {json.dumps({"color": "#222", "fillColor": K.PALETTE[i], "fillOpacity": 0.55,
                                  "weight": 1.4}, sort_keys=True) for i in (0, 1)}
    assert json.loads(re.search(r"let fields = (\[.*?\]);", page).group(1)) == \
        ["point", "residents_label", "median_label"]
    assert json.loads(re.search(r"let aliases = (\[.*?\]);", page).group(1)) == \
        [K._t("point", "fi"), K._t("residents", "fi"), K._t("median", "fi")]
    feats = {f["properties"]["point"]: f["properties"] for f in layer.data["features"]}
    assert feats["First"]["residents_label"] == "100" and feats["First"]["median_label"] == "15.0 min"
    assert feats["Ninth"]["median_label"] == "–" and feats["Ninth"]["residents_label"] == "0"
    fi = {f["properties"]["point"]: f["properties"] for f in K.catchment_layer(c, lang="fi").data["features"]}
    assert fi["First"]["median_label"] == "15,0 min"


def test_layer_names_before_after_now():
    assert [K.catchment_layer_name(w) for w in ("before", "after")] == [
        "Catchment areas before", "Catchment areas after"]
    assert K.catchment_layer_name("now", "fi") == K._t("now", "fi") != K.catchment_layer_name("now")
