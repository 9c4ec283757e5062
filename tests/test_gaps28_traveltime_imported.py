"""Imported travel-time matrices (planner.traveltime.imported) at their boundaries.

Issue 28 (tests that catch, round 2): hand-made matrices over two hand-made 250 m cells, with
every answer worked out by hand: the refusals name the file and field, the keys by location
and by id, the coverage line, the columns a matrix offers and the fallback policies.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.errors import DataError
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime.imported import Coverage, ImportedMatrixModel, matrix_columns, matrix_model, ykr_cells

BX, BY = 385_000.0, 6_672_000.0
# two 250 m cells side by side: 101 west, 102 east
CELLS = gpd.GeoDataFrame({"cell_id": [101, 102]},
                         geometry=[shapely.box(BX, BY, BX + 250, BY + 250),
                                   shapely.box(BX + 250, BY, BX + 500, BY + 250)], crs="EPSG:3067")
WEST, EAST, OUTSIDE = [BX + 100, BY + 100], [BX + 400, BY + 100], [BX + 2000, BY + 100]


def _ttm(folder, to_id, rows, column="walk_t"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"TravelTimes_to_{to_id}.txt"
    path.write_text(f"from_id;to_id;{column}\n" + "".join(f"{f};{to_id};{m}\n" for f, m in rows))
    return path


def test_a_missing_matrix_or_unknown_keys_are_refused(tmp_path):
    with pytest.raises(DataError, match=r"^file .*nowhere\.csv: no such matrix file or folder$"):
        ImportedMatrixModel(tmp_path / "nowhere.csv", cells=CELLS)
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,travel_time\n101,102,5\n")
    with pytest.raises(ValueError, match=r"^unknown matrix keys 'cell': expected one of \['cells', 'ids'\]$"):
        ImportedMatrixModel(path, keys="cell", cells=CELLS)
    with pytest.raises(ValueError, match=r"^unknown matrix fallback 'always': expected one of "
                                         r"\['gaps', 'estimate', 'none'\]$"):
        matrix_model(path, fallback="always")


def test_a_grid_layer_without_the_id_field_is_a_data_error():
    gpkg = DEFAULT_SETTINGS.geodata_dir / "helsinki_region" / "travel_times_2015_calibration.gpkg"
    with pytest.raises(DataError, match=r"field 'cell': no column 'cell' in the grid layer 'cells'$"):
        ykr_cells(gpkg, id_field="cell")


@pytest.mark.parametrize(("column", "mode"), [
    ("walk_t", "walk"), ("car_r_t", "drive_rush"), ("pt_m_tt", "pt"), ("car_x", "drive"),
    ("walk_min", "walk"), ("pt_total", "pt"), ("travel_time", "travel_time")])
def test_the_mode_follows_the_column_name(tmp_path, column, mode):
    path = tmp_path / "m.csv"
    path.write_text(f"from_id,to_id,{column}\n101,102,5\n")
    model = ImportedMatrixModel(path, column=column, cells=CELLS)
    assert model.mode == mode
    assert ImportedMatrixModel(path, column=column, cells=CELLS, mode="bike").mode == "bike"


def test_cells_are_found_by_location_and_outside_is_minus_one(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,travel_time\n101,102,5\n")
    model = ImportedMatrixModel(path, cells=CELLS)
    assert model.cell_of(np.array([WEST, EAST, OUTSIDE])).tolist() == [101, 102, -1]
    assert model.cell_of(np.empty((0, 2))).tolist() == []
    # a point on the border of both cells takes the first cell
    assert model.cell_of(np.array([[BX + 250, BY + 100]])).tolist() == [101]
    assert model.unmatched(np.array([WEST, OUTSIDE])).to_dict("records") == [
        {"origin": 1, "x_m": OUTSIDE[0], "y_m": OUTSIDE[1]}]
    assert not model.needs_destination_ids and model.bind(None, None) is model


def test_a_table_with_a_header_only_has_no_rows(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("from_id,to_id,travel_time\n")
    model = ImportedMatrixModel(path, cells=CELLS)
    with pytest.raises(DataError, match=r"empty\.csv: the matrix has no rows$"):
        model.read_all()


def test_read_all_checks_every_file_of_a_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    model = ImportedMatrixModel(empty, column="walk_t", cells=CELLS)
    with pytest.raises(DataError, match=r"the folder holds no TravelTimes_to_<YKR_ID>\.txt file$"):
        model.read_all()
    with pytest.raises(DataError, match=r"no TravelTimes_to_<YKR_ID>\.txt file in the folder$"):
        matrix_columns(empty)
    folder = tmp_path / "ttm"
    _ttm(folder, 101, [(101, 0), (102, 4)])
    _ttm(folder / "sub", 102, [(101, 3), (102, "x")])  # a bad value in the second file
    with pytest.raises(DataError,
                       match=r"TravelTimes_to_102\.txt, row 2, field 'walk_t': 'x' is not a number"):
        ImportedMatrixModel(folder, column="walk_t", cells=CELLS).read_all()
    _ttm(folder / "sub", 102, [(101, 3), (102, 0)])
    model = ImportedMatrixModel(folder, column="walk_t", cells=CELLS)
    assert model.read_all() is model
    assert sorted(model._columns) == ["101", "102"]
    assert model.times(np.array([WEST, EAST]), np.array([WEST, EAST])).tolist() == [[0.0, 3.0], [4.0, 0.0]]
    assert matrix_columns(folder) == ["walk_t"]


def test_a_folder_file_without_the_column_is_a_data_error_naming_it(tmp_path):
    folder = tmp_path / "ttm"
    _ttm(folder, 101, [(101, 0)], column="car_m_t")
    model = ImportedMatrixModel(folder, column="walk_t", cells=CELLS)
    with pytest.raises(DataError, match=r"TravelTimes_to_101\.txt, field 'walk_t': cannot read the file \("):
        model.times(np.array([WEST]), np.array([WEST]))


def test_matrix_columns_of_a_table_and_a_parquet_file(tmp_path):
    csv = tmp_path / "m.csv"
    csv.write_text("from_id;to_id;walk;drive\n101;102;5;2\n")
    assert matrix_columns(csv) == ["walk", "drive"]
    pq = tmp_path / "m.parquet"
    pd.DataFrame({"Unnamed: 0": [0], "from_id": [101], "to_id": [102], "travel_time": [5.0]}).to_parquet(pq)
    assert matrix_columns(pq) == ["travel_time"]
    model = ImportedMatrixModel(pq, cells=CELLS)
    assert model.times(np.array([WEST]), np.array([EAST])).tolist() == [[5.0]]


def test_destinations_keyed_by_id_count_and_site(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("from_id,to_id,travel_time\nu1,p1,5\nu1,p2,7\nu2,p1,9\n")
    units = gpd.GeoDataFrame({"unit_id": ["u1", "u2"]}, geometry=list(CELLS.geometry), crs="EPSG:3067")
    points = gpd.GeoDataFrame({"id": ["p1", "p2", "p3"]},
                              geometry=shapely.points([WEST, EAST, EAST]), crs="EPSG:3067")
    model = ImportedMatrixModel(path, keys="ids")
    assert model.needs_destination_ids
    with pytest.raises(ValueError, match="must be bound to the study's units and points first"):
        model.destination_keys(np.array([WEST]))
    bound = model.bind(units, points)
    assert bound is not model and model._origin_tree is None
    with pytest.raises(ValueError, match=r"^2 destination ids for 1 destinations$"):
        bound.destination_keys(np.array([WEST]), np.array(["p1", "p2"]))
    assert bound.destination_keys(np.array([WEST, OUTSIDE])).tolist() == ["p1", None]
    with pytest.raises(ValueError, match=r"service points \['p2', 'p3'\] share the site \(385400, 6672100\)"):
        bound.destination_keys(np.array([EAST]))
    t = bound.times(np.array([WEST, EAST]), np.array([WEST, EAST]), destination_ids=np.array(["p1", "p2"]))
    assert t[0].tolist() == [5.0, 7.0] and t[1, 0] == 9.0 and np.isposinf(t[1, 1])


def test_the_coverage_line_counts_points_and_origins(tmp_path):
    cov = Coverage(390, 150, np.arange(146), np.arange(10), 0.026)
    assert cov.note("straight-line estimate (drive)") == (
        "4 of 150 service points and 380 of 390 origins in the matrix (2.6 % of pairs); the other pairs: "
        "straight-line estimate (drive)")
    assert Coverage(2, 3, np.arange(3), np.arange(2), 0.0).note(None) == (
        "none of the 3 service points has a column in the matrix; the other pairs: unreachable (inf)")
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,travel_time\n101,101,0\n101,102,-1\n")
    model = ImportedMatrixModel(path, cells=CELLS, fallback=None)
    cov = model.coverage(np.array([WEST, EAST, OUTSIDE]), np.array([WEST, EAST]))
    # both points have a column; only origin 101 has rows; 2 of 6 pairs answered (-1 is an answer)
    assert cov.points_without_column.tolist() == [] and cov.origins_without_row.tolist() == [1, 2]
    assert cov.pairs_from_matrix == pytest.approx(2 / 6)
    empty = model.coverage(np.empty((0, 2)), np.array([WEST]))
    assert empty.pairs_from_matrix == 0.0
    model.check_coverage(empty)  # no pairs: nothing to complain about


def test_a_matrix_answering_nothing_is_an_error_unless_the_estimate_is_asked_for(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,travel_time\n555,101,5\n")
    strict = ImportedMatrixModel(path, cells=CELLS)
    cov = strict.coverage(np.array([WEST]), np.array([WEST]))
    assert cov.pairs_from_matrix == 0.0
    with pytest.raises(DataError, match=r"field 'travel_time': the matrix answers 0 % of the pairs: none of "
                                        r"the 1 service points and 1 origins matches a value of column "
                                        r"travel_time \(keys 'cells': YKR grid cells by location\); "
                                        r"check the file"):
        strict.check_coverage(cov)
    ImportedMatrixModel(path, cells=CELLS, answer_none=True).check_coverage(cov)
    assert strict.fallback_text() is None
    fb = matrix_model(path, fallback="estimate")
    assert fb.answer_none and fb.fallback is not None and fb.fallback_text().endswith("(drive)")
    assert matrix_model(path, fallback=False).fallback is None
    assert not matrix_model(path, fallback=True).answer_none
    assert matrix_model(path, column="car_r_t", fallback="none").mode == "drive_rush"


def test_a_compressed_matrix_is_never_unpacked_past_the_size_cap(tmp_path):
    """The size cap counts a matrix file's own bytes, so a gzip named .csv.gz (or a TravelTimes
    file that is really gzip) is read as the bytes it is: an error naming the file, never a
    silent unpacking of whatever size."""
    import gzip

    data = gzip.compress(b"from_id,to_id,travel_time\n101,102,5\n")
    table = tmp_path / "m.csv.gz"
    table.write_bytes(data)
    with pytest.raises(DataError, match=r"m\.csv\.gz: cannot read the matrix as a UTF-8 CSV"):
        ImportedMatrixModel(table, cells=CELLS).read_all()
    with pytest.raises(DataError, match=r"m\.csv\.gz: cannot read the header as a UTF-8 CSV"):
        matrix_columns(table)
    folder = tmp_path / "ttm"
    folder.mkdir()
    (folder / "TravelTimes_to_101.txt").write_bytes(gzip.compress(b"from_id;to_id;walk_t\n101;101;0\n"))
    with pytest.raises(DataError, match=r"TravelTimes_to_101\.txt, field 'walk_t': cannot read the file"):
        ImportedMatrixModel(folder, column="walk_t", cells=CELLS).read_all()
    with pytest.raises(DataError, match=r"TravelTimes_to_101\.txt: cannot read the header as a UTF-8 CSV"):
        matrix_columns(folder)


def test_parse_minutes_numbers_rows_from_one_by_default():
    from planner.traveltime.imported import parse_minutes

    with pytest.raises(DataError, match=r"^file m\.csv, row 2, field 't': 'x' is not a number of minutes$"):
        parse_minutes(pd.Series(["1", "x"]), "m.csv", "t")
    with pytest.raises(DataError, match=r"row 3, field 't': -2 is not a travel time"):
        parse_minutes(pd.Series([1.0, 0.0, -2.0]), "m.csv", "t")
    minutes, comma = parse_minutes(pd.Series(["1,5", "", "-1"]), "m.csv", "t")
    assert comma and minutes[0] == 1.5 and np.isnan(minutes[1]) and np.isposinf(minutes[2])


def test_an_empty_folder_is_named_as_the_reason_nothing_matches(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    model = ImportedMatrixModel(empty, column="walk_t", cells=CELLS, fallback=None)
    cov = Coverage(1, 1, np.array([0]), np.array([0]), 0.0)
    with pytest.raises(DataError, match=r"the matrix answers 0 % of the pairs: the folder holds no "
                                        r"TravelTimes_to_<YKR_ID>\.txt file; check the file"):
        model.check_coverage(cov)


def test_points_without_a_column_are_listed_by_place_and_cell_never_dropped(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("from_id,to_id,travel_time\n101,101,0\n102,101,4\n")
    model = ImportedMatrixModel(path, cells=CELLS)
    with pytest.raises(DataError, match=r"field 'to_id': 2 service point\(s\) have no column in the matrix "
                                        r"\(no TravelTimes_to_<cell> / to_id for them\): destination 1 at "
                                        r"\(385400, 6672100\) cell 102; destination 2 at \(387000, 6672100\) "
                                        r"cell outside the grid$"):
        model.times(np.array([WEST, EAST]), np.array([WEST, EAST, OUTSIDE]))
    assert model.times(np.array([WEST, EAST]), np.array(WEST)).tolist() == [[0.0], [4.0]]
