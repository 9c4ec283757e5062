"""An imported matrix is validated like any input (issue 25, item 2).

Hand-made long tables keyed by the bundled postal codes and service-point ids: every value a
test expects is written into the file by the test itself.
"""

from __future__ import annotations

import re
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.errors import DataError, PlannerWarning
from planner.traveltime.imported import ImportedMatrixModel, matrix_model, parse_minutes

runner = CliRunner()
K = "kela_helsinki_kamppi"


def _study(model=None):
    from planner.analysis.study import load_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return load_study(model=model)


def _write(path, rows, sep=","):
    path.write_text("\n".join(sep.join(map(str, r)) for r in [("from_id", "to_id", "travel_time"), *rows])
                    + "\n", encoding="utf-8")
    return path


# --- minutes must be numbers -------------------------------------------------------------------


def test_minutes_text_is_an_error_naming_row_and_column():
    with pytest.raises(DataError) as err:
        parse_minutes(pd.Series(["7", "12 min", "9"]), "m.csv", "travel_time")
    assert (err.value.file, err.value.row, err.value.field) == ("m.csv", 2, "travel_time")
    assert "'12 min' is not a number of minutes" in str(err.value)


def test_decimal_commas_only_when_the_whole_column_uses_them():
    got, comma = parse_minutes(pd.Series(["12,5", "7", "", "-1"]), "m.csv", "t")
    assert comma and got[0] == 12.5 and got[1] == 7 and np.isnan(got[2]) and np.isinf(got[3])
    got, comma = parse_minutes(pd.Series(["12.5", "7"]), "m.csv", "t")
    assert not comma and got.tolist() == [12.5, 7.0]
    with pytest.raises(DataError, match="decimal comma") as err:  # a comma among points: ambiguous
        parse_minutes(pd.Series(["12.5", "7,5"]), "m.csv", "t")
    assert err.value.row == 2


@pytest.mark.parametrize("value", ["-5", "-0.5", "inf", "-inf"])
def test_negative_or_infinite_minutes_are_errors_but_minus_one_is_no_route(value):
    with pytest.raises(DataError) as err:
        parse_minutes(pd.Series(["3", value]), "m.csv", "t")
    assert err.value.row == 2 and err.value.field == "t"
    assert np.isinf(parse_minutes(pd.Series(["-1"]), "m.csv", "t")[0][0])


def test_a_finnish_excel_matrix_is_read_and_its_decimal_commas_stated(tmp_path):
    path = _write(tmp_path / "excel.csv", [("00100", K, "12,5"),
                                           ("00120", K, "3,25")], sep=";")
    st = _study(matrix_model(path, keys="ids"))
    col = pd.Series(st.ttm.columns([K])[:, 0], index=st.ttm.origin_ids)
    assert col["00120"] == 3.25  # not 325, not the estimate
    assert "column travel_time read with decimal commas" in st.provenance["matrix_coverage"]


def test_conflicting_duplicate_pairs_are_an_error_identical_ones_are_read_once(tmp_path):
    bad = _write(tmp_path / "dup.csv", [("00100", K, 7), ("00120", K, 8),
                                        ("00100", K, 9)])
    with pytest.raises(DataError) as err:
        _study(matrix_model(bad, keys="ids"))
    assert err.value.file == str(bad) and err.value.row == 3 and err.value.field == "travel_time"
    assert "rows 1 and 3" in str(err.value) and "7 and 9" in str(err.value)
    same = _write(tmp_path / "same.csv", [("00100", K, 7), ("00100", K, 7.0)])
    st = _study(matrix_model(same, keys="ids"))
    assert "1 repeated pair with the same minutes read once" in st.provenance["matrix_coverage"]


def test_cli_matrix_errors_name_file_row_and_column(tmp_path):
    path = _write(tmp_path / "text.csv", [("00100", K, 7), ("00120", K,
                                                                              "12 min")])
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--matrix", str(path),
                              "--matrix-keys", "ids"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"file {path}, row 2, field 'travel_time': '12 min' is not a number" in res.output
    assert not (tmp_path / "o").exists()


# --- a matrix answering nothing ----------------------------------------------------------------


def test_empty_travel_time_matrix_folder_is_an_error_unless_the_estimate_is_asked_for(tmp_path):
    empty = tmp_path / "ttm"
    empty.mkdir()
    (empty / "README.txt").write_text("nothing here")
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--matrix", str(empty),
                              "--matrix-column", "car_m_t"])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert "answers 0 % of the pairs" in res.output and "no TravelTimes_to_" in res.output
    assert "--matrix-fallback estimate" in res.output and not (tmp_path / "o").exists()
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--matrix", str(empty),
                              "--matrix-column", "car_m_t", "--matrix-fallback", "estimate"])
    assert res.exit_code == 0, res.output
    assert "imported matrix: none of the" in res.output and "straight-line estimate (drive)" in res.output


def test_ids_matching_nothing_are_an_error(tmp_path):
    path = _write(tmp_path / "other.csv", [("99999", "no_such_point", 7)])
    with pytest.raises(DataError, match="answers 0 % of the pairs"):
        _study(matrix_model(path, keys="ids"))
    st = _study(matrix_model(path, keys="ids", fallback="estimate"))
    assert st.provenance["matrix_coverage"].startswith("none of the")


def test_matrix_fallback_options_contradicting_are_an_error(tmp_path):
    path = _write(tmp_path / "m.csv", [("00100", K, 7)])
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--matrix", str(path), "--matrix-keys",
                              "ids", "--no-matrix-fallback", "--matrix-fallback", "estimate"])
    assert res.exit_code == 2 and "--no-matrix-fallback contradicts --matrix-fallback estimate" in res.output
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--matrix", str(path), "--matrix-keys",
                              "ids", "--matrix-fallback", "sometimes"])
    # a choice: Click's own message, the box of its error panel taken away
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", res.output).split())
    assert res.exit_code == 2 and "Invalid value for '--matrix-fallback'" in said and "'sometimes'" in said


# --- destinations keyed by id ------------------------------------------------------------------


def test_points_sharing_a_site_keep_their_own_times(tmp_path):
    """Jorvi hosts three points at one site; the file gives each its own minutes (1, 2, 3 from
    every postal area). Keyed by rounded coordinates they all took one point's column."""
    base = _study()
    p = base.points
    site = p.geometry.x.round(1).astype(str) + "," + p.geometry.y.round(1).astype(str)
    shared = p[site.duplicated(keep=False)]
    assert len(shared) >= 12  # the bundled data has shared sites (12 of 42 points stand at one)
    # the largest group of points at one site on the default date (Jorvi's desks, say)
    groups = shared.groupby(site[shared.index])["id"].apply(list)
    group = max(groups, key=len)
    jorvi = group[:3]
    assert len(jorvi) >= 2
    codes = base.units["unit_id"].tolist()
    rows = [(c, pid, i + 1) for i, pid in enumerate(jorvi) for c in codes]
    st = _study(matrix_model(_write(tmp_path / "jorvi.csv", rows), keys="ids"))
    got = st.ttm.columns(jorvi)
    assert (got == np.arange(1.0, len(jorvi) + 1)).all()
    n = len(st.points)
    assert st.provenance["matrix_coverage"].startswith(
        f"{len(jorvi)} of {n} service points and 390 of 390 origins")
    # coordinates alone cannot say which of the three is meant: a clear error, not the first id
    model = st.model
    g = p.loc[p["id"] == jorvi[0], "geometry"].iloc[0]
    xy = np.array([[g.x, g.y]])
    with pytest.raises(ValueError, match="share the site"):
        model.times(xy, xy)


# --- the size cap: the CLI as the app ----------------------------------------------------------


def test_cli_matrix_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    from planner.inputs import matrices

    monkeypatch.setattr(matrices, "MAX_BYTES", 1_000_000)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("m.csv", "from_id,to_id,travel_time\n" + "0" * 5_000_000)
    assert bomb.stat().st_size < 50_000
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "o"), "--matrix", str(bomb)])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert "the ZIP unpacks to 0.0 GB, more than the 0.001 GB" in res.output
    assert not (tmp_path / "data").exists()  # nothing unpacked
    with pytest.raises(DataError, match="more than the 0.001 GB"):
        matrices.save_matrix(bomb.read_bytes(), "bomb.zip", tmp_path / "store")


def test_cli_matrix_zip_is_read_like_an_app_upload(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    path = _write(tmp_path / "m.csv", [("00100", K, 7)])
    z = tmp_path / "m.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(path, "m.csv")
    model = matrix_model(z, keys="ids")
    assert isinstance(model, ImportedMatrixModel) and model.path.suffix == ".csv"
    st = _study(model)
    assert st.ttm.columns([K])[list(st.ttm.origin_ids).index("00100"), 0] == 7
