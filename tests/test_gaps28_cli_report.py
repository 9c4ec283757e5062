"""Issue 28: what `planner report` and `planner evaluate` print and write (in-process, typer's
CliRunner): the model line naming model, mode, data year, network date, placeholders, proxies
and weight; the whole-region table of the 'all' group with 'no point' for a median among people
with no point; a 'wrote' line per file, the CSVs in --out itself in the asked CSV dialect; the map
of the asked need and group; an evaluate run's overview on the scenario's base."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "out"
    res = runner.invoke(app, ["report", "--out", str(out), "--need", "kela", "--group", "sv",
                              "--format", "csv,xlsx", "--csv-dialect", "excel-fi"])
    assert res.exit_code == 0, res.output
    return out, res.output


def test_report_model_line_names_every_input(report):
    _, output = report
    first = output.splitlines()[0]
    assert first == ("model: straight-line estimate (drive); population data year 2022; network of "
                     "2022-12-31; 8 placeholders with unknown site excluded; 46 points stand at a proxy "
                     "site (their municipal centre: site unknown; column nearest_location_precision); "
                     "weight: residents (head count, 2022); the English-service need counts all residents")


def test_report_region_table_of_everyone_with_no_point_in_words(report):
    _, output = report
    lines = output.splitlines()
    assert lines[1].split() == ["need", "group", "population", "pop_unlocated", "pop_no_point", "median_min",
                                "pct_within_30", "stats_note"]
    rows = [x.split() for x in lines[2:6]]
    assert [r[:2] for r in rows] == [["kela", "all"], ["social_walkin", "all"], ["social_any", "all"],
                                     ["english", "all"]]
    assert all(r[2] == "1704809" for r in rows)
    assert rows[0][3:7] == ["0", "0", "19.6", "78.4"]  # one decimal
    assert rows[1][5:7] == ["no", "point"] and "inf" not in output and "nan" not in output
    assert " ".join(rows[1]).endswith("median and p90 fall among the 1,436,597 residents with no point")


def test_report_writes_each_file_in_out_and_says_so(report):
    out, output = report
    wrote = [x[len("wrote "):] for x in output.splitlines() if x.startswith("wrote ")]
    files = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))  # not the manifest
    assert sorted(p.rsplit("/", 1)[-1] for p in wrote) == files
    assert all(p.startswith(str(out) + "/") and p.count("/") == str(out).count("/") + 1 for p in wrote)
    assert "results.xlsx" in files and "map.html" in files and "results.gpkg" not in files
    assert wrote[-1] == str(out / "map.html")
    raw = (out / "summary_region.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbflevel;area;need;group;")  # Finnish Excel: BOM and ';'
    region = pd.read_csv(out / "summary_region.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(region["group"]) == {"fi", "sv", "all"}


def test_report_map_shows_the_asked_need_and_group(report):
    out, _ = report
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Kela office — Swedish speakers · Scenario: baseline" in page
    assert "service_area" in page  # the service areas drawn
    assert "Nearest for" in page or "residents" in page


def test_evaluate_prints_the_overview_on_the_scenario_s_base(tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text("name: Walk to Kela\nbase: {demand: postal, mode: walk}\nchanges:\n"
                  "  - close: [kela_kerava]\n", encoding="utf-8")
    out = tmp_path / "ev"
    res = runner.invoke(app, ["evaluate", str(sc), "--out", str(out), "--format", "csv"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "model: straight-line estimate (walk); population data year 2022"
    assert lines[1].split()[:4] == ["scenario", "need", "pop_no_point_after", "pop_lost_access"]
    assert any(x.split()[:2] == ["Walk", "to"] and "kela" in x for x in lines[2:])
    wrote = [x for x in lines if x.startswith("wrote ")]
    assert wrote and all(str(out) in x for x in wrote)
    region = pd.read_csv(out / "csv" / "summary_region.csv") if (out / "csv").is_dir() else \
        pd.read_csv(out / "summary_region.csv")
    assert (region["mode"] == "walk").all() and (region["scenario"] == "Walk to Kela").all()
    # the command line wins over the base
    drive = runner.invoke(app, ["evaluate", str(sc), "--out", str(tmp_path / "d"), "--format", "csv",
                                "--mode", "drive"])
    assert drive.exit_code == 0 and drive.output.startswith("model: straight-line estimate (drive)")


def test_report_passes_every_study_option_through(tmp_path):
    """--preset, --date, --weight, --eligibility, --located-only and --include-target-groups each
    reach the study: the metadata says so and the service areas are the wellbeing counties."""
    out = tmp_path / "opts"
    res = runner.invoke(app, ["report", "--out", str(out), "--preset", "wellbeing_counties_2023", "--date",
                              "2023-06-01", "--weight", "unemployed", "--include-target-groups",
                              "--located-only", "--eligibility", "any", "--mode", "walk"])
    assert res.exit_code == 0, res.output
    meta = pd.read_csv(out / "metadata.csv").set_index("key")["value"]
    assert meta["service_area_preset"] == "wellbeing_counties_2023" and meta["network_date"] == "2023-06-01"
    assert meta["demand_weight"].startswith("unemployed") and meta["mode"] == "walk"
    assert meta["eligibility"].startswith("kela: any; social_walkin: any; social_any: any")
    assert meta["proxy_points"].startswith("located-only view") and "INCLUDED" in meta["target_groups"]
    areas = set(pd.read_csv(out / "summary_service_area.csv")["area"])
    assert "Vantaan ja Keravan hyvinvointialue" in areas and len(areas) == 5
    assert "network of 2023-06-01" in res.output.splitlines()[0] and "weight: unemployed" in res.output


def test_report_on_own_municipality_and_service_area_tables(tmp_path):
    """--municipalities and --service-areas are read (a bad one is an error naming the file)."""
    bad = tmp_path / "areas.csv"
    bad.write_text("municipality_code,service_area\n999,Nowhere\n", encoding="utf-8")
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--service-areas", str(bad)])
    assert res.exit_code == 2 and "areas.csv" in res.output
    munis = tmp_path / "munis.csv"
    munis.write_text("not,a,municipality,table\n", encoding="utf-8")
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "p"), "--municipalities", str(munis)])
    assert res.exit_code == 2 and "munis.csv" in res.output
    postal = tmp_path / "postal.geojson"
    postal.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "q"), "--postal-areas", str(postal)])
    assert res.exit_code == 2 and "postal.geojson" in res.output
    assert not any((tmp_path / d).exists() for d in ("o", "p", "q"))
