"""Issue 28: the study the app loads for each model (options passed through, no library warning
shown), the baseline's export files (names, types, every table inside), a scenario's quick view
and a map click at the region's edge (the boundary tolerance)."""

from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np
import pytest

from planner.app import state as S
from planner.errors import PlannerWarning


def test_straight_line_study_takes_every_option():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)  # the app shows no library warning
        s = S.load_app_study("straight", mode="walk", demand="postal", preset="wellbeing_counties_2023",
                             located_only=True)
    p = s.provenance
    assert p["model"] == "straight-line estimate" and p["mode"] == "walk"
    assert p["service_area_preset"] == "wellbeing_counties_2023" and "located-only" in p["proxy_points"]
    assert len(s.units) == 390 and p["data_year"] == "2022"
    d = S.load_app_study()
    assert d.provenance["mode"] == "drive" and d.provenance["service_area_preset"] == "six_areas"
    assert len(d.points) > len(s.points)  # the proxy sites are back


def test_road_network_study_is_the_helsinki_centre_demo():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)
        s = S.load_app_study("network", mode="walk", demand="postal", preset="wellbeing_counties_2023")
    p = s.provenance
    assert p["model"] == "road network (OSM)" and p["mode"] == "walk"
    assert len(s.units) == 92 and p["data_year"] == "2020"  # its own 250 m grid, whatever demand says
    assert p["service_area_preset"] == "wellbeing_counties_2023"


def test_imported_matrix_study_uses_the_matrix_and_says_its_coverage(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,minutes\n00100,kela_helsinki_kamppi,7\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)
        s = S.load_app_study("matrix", mode="walk", matrix=(str(path), "minutes", "ids"),
                             preset="wellbeing_counties_2023")
    p = s.provenance
    assert p["model"] == "imported travel-time matrix"
    assert p["network_source"].startswith("imported matrix m.csv, column minutes")
    assert "ids" in p["model_parameters"] or "service-point ids" in p["model_parameters"]
    assert p["matrix_coverage"].startswith("1 of 71 service points and 1 of 390 origins")
    assert p["matrix_coverage"].endswith("straight-line estimate (walk)") and p["mode"] == "walk"
    assert p["service_area_preset"] == "wellbeing_counties_2023"


def test_baseline_export_files_names_types_and_tables(study, baseline):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlannerWarning)
        files = S.export_files(study, baseline, None, "kela", "sv", "en")
    assert set(files) == {"csv", "xlsx", "gpkg", "html"}  # no scenario file for the baseline
    assert files["csv"][0] == "baseline_tables.zip" and files["csv"][2] == "application/zip"
    assert files["xlsx"][0] == "baseline.xlsx"
    assert files["xlsx"][2] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert files["gpkg"] == ("baseline.gpkg", files["gpkg"][1], "application/geopackage+sqlite3")
    assert files["html"][0] == "baseline_map_kela_sv.html" and files["html"][2] == "text/html"
    zf = zipfile.ZipFile(io.BytesIO(files["csv"][1]))
    names = zf.namelist()
    assert names == sorted(names) and all(n.startswith("baseline/") and n.endswith(".csv") for n in names)
    assert {"baseline/summary_region.csv", "baseline/access_units.csv", "baseline/metadata.csv"} <= set(names)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    assert files["xlsx"][1][:2] == b"PK" and files["gpkg"][1][:16] == b"SQLite format 3\x00"
    page = files["html"][1].decode("utf-8")
    assert "<script src=" not in page and "Kela office" in page


def test_a_scenario_s_quick_view_compares_the_same_residents(study, baseline):
    sc = S.build_scenario(study.points, "Close Kerava", "", S.Selections(close=("kela_kerava",)))
    eff = S.effect(study, baseline, sc)
    assert eff.scenario is sc and "kela_kerava" not in set(eff.results.load["id"])
    assert eff.applied is not None
    reg = eff.region
    assert set(reg["level"]) == {"region"}
    kela = reg[(reg["need"] == "kela") & (reg["group"] == "all")].iloc[0]
    assert kela["population"] == 1_704_809 and kela["pop_worse"] > 0 and kela["pop_better"] == 0
    areas = eff.service_area
    assert set(areas["level"]) == {"service_area"} and len(set(areas["area"])) == 6
    k = areas[(areas["need"] == "kela") & (areas["group"] == "all")]
    assert k["population"].sum() == kela["population"]
    assert len(eff.changes) == len(baseline.access)
    th = study.settings.thresholds_min
    assert all(f"pop_within_{x}_after" in reg.columns for x in th)


def test_bundled_scenarios_by_name():
    sc = S.bundled_scenarios()
    assert "Concentrate Kela offices in five towns" in sc and len(sc) == 4
    assert all(v.name == k and v.changes for k, v in sc.items())


def _offshore(study, lon: float, lat0: float, want_min: float, want_max: float) -> tuple[float, float]:
    """A point due south of (lon, lat0) whose distance to the nearest border is in the range."""
    import geopandas as gpd

    lats = np.arange(lat0, lat0 - 0.5, -0.0005)
    pts = gpd.GeoSeries(gpd.points_from_xy([lon] * len(lats), lats), crs=4326).to_crs(study.settings.crs)
    union = study.borders.geometry.union_all() if hasattr(study.borders.geometry, "union_all") \
        else study.borders.geometry.unary_union
    d = pts.distance(union).to_numpy()
    i = int(np.argmax((d > want_min) & (d < want_max)))
    assert want_min < d[i] < want_max
    return lon, float(lats[i])


def test_a_click_offshore_within_the_boundary_tolerance_is_in_the_nearest_municipality(study):
    tol = study.settings.boundary_tolerance_m
    assert tol == 2000.0
    lon, lat = _offshore(study, 24.95, 60.16, 0.5 * tol, 0.9 * tol)
    assert S.municipality_at(study, lon, lat) == "091"
    lon, lat = _offshore(study, 24.95, 60.16, 1.1 * tol, 1.5 * tol)
    assert S.municipality_at(study, lon, lat) is None
    assert S.municipality_at(study, 24.94, 60.17) == "091"  # inside Helsinki
    assert S.municipality_at(study, 25.66, 60.39) == "638"  # Porvoo


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_area_figures_of_the_real_baseline_account_for_everyone(baseline, lang):
    from planner.outputs.i18n import t

    tab = S.area_figures(baseline, "kela", "all", lang)
    res = tab[t("col.residents", lang)]
    assert res.iloc[0] == 1_704_809 and res.iloc[1:].sum() == res.iloc[0]
