"""`planner points diff OLD NEW` on two hand-made files whose answers were worked out by hand.

Sites in EPSG:3067 metres (columns x, y) so the distances are exact:

| id | old | new | expected |
|---|---|---|---|
| a_walkin | (392730, 6677226) fi_walkin | (392820, 6677346): dx 90, dy 120 -> 150 m | moved 150.0 |
| b_kela | (391686, 6685596) kela | (391722, 6685644): 36, 48 -> 60 m; from 2024-01-01 | redated, not moved |
| c_sv | sv_appointment, everyday | sv_walkin, target_group emergency | recategorised, retargeted |
| d_vok | reception_centre | (gone) | removed |
| e_kela | (none) | kela, Espoo | added |
| f_edge | (390531, 6701176) | (390591, 6701256): 60, 80 -> exactly 100 m | nothing (moved means > 100 m) |
"""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from planner.cli.main import app
from planner.inputs.data import load_service_points
from planner.inputs.registers.diff import change_counts, diff_points

runner = CliRunner()
HOSTILE = "Kela <img src=x onerror=alert(1)> [bold]Iso Omena[/bold]"  # the added point's name


def test_diff_lists_added_removed_moved_recategorised_redated(points_files):
    old, new = (load_service_points(f) for f in points_files)
    d = diff_points(old, new)
    assert list(zip(d["change"], d["id"], strict=True)) == [
        ("added", "e_kela"), ("removed", "d_vok"), ("moved", "a_walkin"), ("recategorised", "c_sv"),
        ("redated", "b_kela"), ("retargeted", "c_sv")]
    by = d.set_index(["change", "id"])
    assert by.at[("moved", "a_walkin"), "distance_m"] == 150.0
    rec = by.loc[("recategorised", "c_sv")]
    assert (rec["category_old"], rec["category_new"]) == ("sv_appointment", "sv_walkin")
    assert by.at[("redated", "b_kela"), "detail"] == "valid_from (open) → 2024-01-01"
    assert by.at[("retargeted", "c_sv"), "detail"] == "target_group (everyday) → emergency"
    assert by.at[("added", "e_kela"), "name"] == HOSTILE
    assert change_counts(d) == {"added": 1, "removed": 1, "moved": 1, "recategorised": 1, "redated": 1,
                                "retargeted": 1}


def test_moved_is_strictly_more_than_the_threshold(points_files):
    old, new = (load_service_points(f) for f in points_files)
    moved = diff_points(old, new, threshold_m=50.0).query("change == 'moved'")
    # 60 m (b_kela) and exactly 100 m (f_edge) now count; 100 m did not at the default threshold
    assert dict(zip(moved["id"], moved["distance_m"], strict=True)) == {"a_walkin": 150.0, "b_kela": 60.0,
                                                                        "f_edge": 100.0}
    assert diff_points(old, new, threshold_m=99.9).query("change == 'moved'")["id"].tolist() == \
        ["a_walkin", "f_edge"]


def test_a_placeholder_becoming_a_site_is_a_move_without_a_distance(tmp_path, points_files):
    old_path, new_path = points_files
    text = old_path.read_text(encoding="utf-8")
    text = text.replace("f_edge,Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä),fi_appointment,858,390531,"
                        "6701176,address", "f_edge,Etelä-Tuusulan sosiaali- ja terveysasema (Hyrylä),"
                        "fi_appointment,858,,,unknown")
    old_path.write_text(text, encoding="utf-8")
    d = diff_points(load_service_points(old_path), load_service_points(new_path))
    row = d[(d["change"] == "moved") & (d["id"] == "f_edge")].iloc[0]
    assert row["detail"] == "site now known (was unknown)"
    assert pd.isna(row["distance_m"])  # a municipal centre is not a site: no distance claimed


def test_identical_files_have_no_change(points_files):
    old, _ = points_files
    pts = load_service_points(old)
    assert len(diff_points(pts, pts)) == 0


def test_cli_diff_writes_csv_map_and_a_readable_table(points_files, tmp_path):
    from planner.outputs.html import external_references

    old, new = points_files
    out = tmp_path / "diff"
    result = runner.invoke(app, ["points", "diff", str(old), str(new), "--out", str(out), "--no-tiles"])
    assert result.exit_code == 0, result.output
    assert "added 1, removed 1, moved 1, recategorised 1, redated 1, retargeted 1" in result.output
    for word in ("a_walkin", "moved 150 m", "sv_appointment → sv_walkin", "e_kela"):
        assert word in result.output
    assert HOSTILE in result.output  # the terminal shows the name as typed (rich Text: no markup)
    table = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    assert table["change"].tolist() == ["added", "removed", "moved", "recategorised", "redated", "retargeted"]
    # a name that a spreadsheet would run as a formula is written as text
    assert table.set_index("id").at["d_vok", "name"] == "'=1+1 Luona – Vantaan vastaanottokeskus"
    page = (out / "diff.html").read_text(encoding="utf-8")
    assert external_references(page) == []  # self-contained: opens offline
    assert "<img" not in page and "\\u003cimg" not in page  # the hostile name only escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.replace("\\u0026", "&")
    assert "Moved (1)" in page and "Recategorised (1)" in page


def test_cli_diff_names_a_bad_file(points_files, tmp_path):
    old, _ = points_files
    bad = tmp_path / "bad.csv"
    header = old.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(header + "\nz,Z,clinic,091,392730,6677226,address,,,\n", encoding="utf-8")
    result = runner.invoke(app, ["points", "diff", str(old), str(bad), "--out", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "row 1" in result.output and "category" in result.output
    assert not (tmp_path / "d").exists()


def test_cli_diff_map_shows_template_text_as_typed(points_files, tmp_path):
    old, new = points_files
    text = new.read_text(encoding="utf-8")
    new.write_text(text.replace(HOSTILE, "Plan {{ 7*7 }} Iso Omena"), encoding="utf-8")
    out = tmp_path / "diff"
    result = runner.invoke(app, ["points", "diff", str(old), str(new), "--out", str(out), "--no-tiles"])
    assert result.exit_code == 0, result.output
    page = (out / "diff.html").read_text(encoding="utf-8")
    assert "Plan 49" not in page and "7*7" in page
