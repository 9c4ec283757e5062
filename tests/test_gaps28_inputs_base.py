"""Issue 28: the base modules (lazy, numbers, settings, errors) at their edges.

Expected strings are CLDR's (Babel) number styles for en_GB / fi_FI / sv_FI, written out by hand,
and the defaults the README documents.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from planner import lazy, numbers, settings
from planner.errors import DataError, MissingExtraError, OutputError, PlannerError, ScenarioError

NBSP = "\xa0"


# --- errors ---------------------------------------------------------------------------------------


def test_a_data_error_names_file_row_and_field_in_that_order():
    e = DataError("bad", file="p.csv", row=3, field="lon")
    assert str(e) == "file p.csv, row 3, field 'lon': bad"
    assert (e.file, e.row, e.field, e.reason) == ("p.csv", 3, "lon", "bad")
    assert str(DataError("bad", row=0)) == "row 0: bad"  # row 0 (the header) is still a place
    assert str(DataError("bad", field="x")) == "field 'x': bad"
    assert str(DataError("bad")) == "bad"
    assert isinstance(ScenarioError("x"), DataError) and isinstance(DataError("x"), ValueError)
    assert isinstance(OutputError("x"), OSError) and isinstance(OutputError("x"), PlannerError)
    assert isinstance(MissingExtraError("x"), ImportError)


# --- lazy -----------------------------------------------------------------------------------------


def test_require_names_the_extra_to_install():
    with pytest.raises(MissingExtraError) as e:
        lazy.require("no_such_module_xyz.sub", "parquet", "GeoParquet output")
    assert str(e.value) == ("GeoParquet output needs the optional package 'no_such_module_xyz' (not in the "
                            "core "
                            "install): pip install 'uusimaa-planner[parquet]'")
    assert lazy.require("json", "app", "x").__name__ == "json"


def test_require_refuses_an_unknown_extra():
    with pytest.raises(ValueError) as e:
        lazy.require("json", "maps", "x")
    assert str(e.value) == ("unknown extra 'maps': expected one of "
                            "['app', 'fca', 'network', 'optimise', 'parquet']")


def test_a_broken_import_inside_an_installed_module_is_not_renamed(tmp_path, monkeypatch):
    (tmp_path / "planner_gap28_pkg.py").write_text("import planner_gap28_missing_dep\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as e:
        lazy.require("planner_gap28_pkg", "network", "x")
    assert not isinstance(e.value, MissingExtraError) and e.value.name == "planner_gap28_missing_dep"
    sys.modules.pop("planner_gap28_pkg", None)


def test_a_missing_submodule_of_a_present_package_is_the_extra_missing(tmp_path, monkeypatch):
    pkg = tmp_path / "planner_gap28_pkg2"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingExtraError, match="'planner_gap28_pkg2'"):
        lazy.require("planner_gap28_pkg2.parquet", "parquet", "x")
    sys.modules.pop("planner_gap28_pkg2", None)


def test_lazy_tables_build_once_on_first_read():
    calls = []

    def build(name):
        def f():
            calls.append(name)
            return name
        return f

    t = lazy.LazyTables({"a": build("a"), "b": build("b")})
    assert list(t) == ["a", "b"] and len(t) == 2 and "a" in t and "c" not in t
    assert t.built == [] and calls == []
    assert t["b"] == "b" and t["b"] == "b"
    assert calls == ["b"] and t.built == ["b"]
    assert dict(t.items()) == {"a": "a", "b": "b"} and t.built == ["a", "b"]
    with pytest.raises(KeyError):
        t["c"]


# --- numbers --------------------------------------------------------------------------------------


def test_whole_numbers_per_language():
    assert numbers.fmt_int(1704809) == "1,704,809"
    assert numbers.fmt_int(1704809, "fi") == f"1{NBSP}704{NBSP}809"
    assert numbers.fmt_int(1704809, "sv") == f"1{NBSP}704{NBSP}809"
    assert numbers.fmt_int(1704809, "de") == "1,704,809"  # an unknown language: English
    assert numbers.fmt_int(2.5) == "2" and numbers.fmt_int(3.5) == "4"  # round half to even
    assert numbers.fmt_int("12") == "12"
    for bad in (None, float("nan"), float("inf"), "x"):
        assert numbers.fmt_int(bad) == "–" and numbers.fmt_int(bad, missing="n/a") == "n/a"


def test_decimals_per_language_and_digits():
    assert numbers.fmt_num(1234.5678) == "1,234.6"
    assert numbers.fmt_num(1234.5678, "fi", 2) == f"1{NBSP}234,57"
    assert numbers.fmt_num(1234.5678, "sv", 0) == f"1{NBSP}235"
    assert numbers.fmt_num(0.05, digits=3) == "0.050"
    assert numbers.fmt_num(float("-inf")) == "–" and numbers.fmt_num(None, missing="") == ""


def test_negative_numbers_with_the_language_s_minus_and_no_sign_on_a_zero_shown():
    """CLDR writes a minus sign (U+2212) in Finnish and Swedish and '-' in English (Babel itself
    writes '-' everywhere); a negative figure that shows as zero has no sign (−0.04 is '0.0')."""
    minus = "\u2212"
    assert numbers.fmt_num(-1.54, "fi") == f"{minus}1,5" and numbers.fmt_num(-1.54, "sv") == f"{minus}1,5"
    assert numbers.fmt_num(-1.54) == "-1.5" and numbers.fmt_int(-1234, "en") == "-1,234"
    assert numbers.fmt_int(-1234, "fi") == f"{minus}1{NBSP}234"
    assert numbers.fmt_pct(-0.05, "sv") == f"{minus}5,0{NBSP}%"
    assert numbers.fmt_count(-1.5, "fi") == f"{minus}1,5"
    assert numbers.fmt_num(-0.04, "fi") == "0,0" and numbers.fmt_num(-0.04) == "0.0"
    assert numbers.fmt_int(-0.4, "sv") == "0" and numbers.fmt_num(-0.05, "fi", 2) == f"{minus}0,05"
    assert numbers.fmt_pct(-0.0004, "fi") == f"0,0{NBSP}%"


def test_percentages_per_language_and_digits():
    assert numbers.fmt_pct(0.243) == "24.3%"
    assert numbers.fmt_pct(0.243, "fi") == f"24,3{NBSP}%"
    assert numbers.fmt_pct(0.243, "sv", 0) == f"24{NBSP}%"
    assert numbers.fmt_pct(12.5, "en", 2) == "1,250.00%"
    assert numbers.fmt_pct(float("nan"), missing="?") == "?"
    assert numbers.LOCALES == {"en": "en_GB", "fi": "fi_FI", "sv": "sv_FI"}


# --- settings -------------------------------------------------------------------------------------


def test_the_documented_defaults():
    s = settings.Settings()
    assert (s.crs, s.web_crs, s.data_year) == ("EPSG:3067", "EPSG:4326", 2022)
    assert s.thresholds_min == (15, 30, 45, 60)
    assert (s.boundary_tolerance_m, s.unlocated_max_m, s.snap_max_m, s.snap_radius_m) == (2000.0, 1000.0,
                                                                                          1000.0, 100.0)
    assert (s.network_walk_kmh, s.sweep_workers, s.service_area_preset) == (4.2, 2, "six_areas")
    assert (s.mobile_threshold_min, s.mobile_day, s.mobile_first_start, s.mobile_stop_min) == (30.0, "tue",
                                                                                            "09:00", 60)
    assert (s.mobile_exact_tour_max, s.mobile_max_iterations, s.max_matrix_cells) == (12, 300, 20_000_000)
    assert s.geodata_dir == settings.GEODATA_DIR and (settings.GEODATA_DIR / "service_points.csv").is_file()


def test_speed_in_metres_per_minute():
    p = settings.ModeParams(speed_kmh=4.2, circuity=1.3, access_min=0.0, source="x")
    assert p.metres_per_minute() == pytest.approx(70.0)  # 4.2 km/h = 4200 m / 60 min


def test_cache_and_data_folders_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "c"))
    assert settings.default_cache_dir() == tmp_path / "c"
    assert settings.Settings().cache_dir == tmp_path / "c"
    monkeypatch.setenv("PLANNER_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert settings.default_cache_dir() == tmp_path / "xdg" / "uusimaa-planner"
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "d"))
    assert settings.DATA_DIR_ENV == "PLANNER_DATA_DIR"
    assert settings.user_data_dir() == tmp_path / "d"
    monkeypatch.delenv(settings.DATA_DIR_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    assert settings.user_data_dir() == tmp_path / "xd" / "uusimaa-planner"


def test_the_geodata_folder_is_found_in_the_package_or_beside_it():
    d = settings._geodata_dir()
    assert isinstance(d, Path) and (d / "service_areas.csv").is_file()


def test_a_checkout_without_the_package_link_finds_the_top_level_geodata(monkeypatch, tmp_path):
    import importlib.resources

    # a checkout without symlinks: planner/geodata is not a folder, the top-level geodata/ is used
    monkeypatch.setattr(importlib.resources, "files", lambda pkg: tmp_path / "planner")
    d = settings._geodata_dir()
    assert d == Path(settings.__file__).resolve().parent.parent / "geodata"
    assert (d / "service_points.csv").is_file()
