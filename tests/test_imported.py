"""Imported travel-time matrices (issue 10, item 3): the model returns what the file says.

Real routed data: the Helsinki Region Travel Time Matrix 2015 to five destination cells,
bundled in geodata/helsinki_region/travel_times_2015_calibration.gpkg, written out here in
the two layouts users bring (a TravelTimes_to_<YKR_ID>.txt folder and an r5py-style long
table) and read back through the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest

from planner.errors import DataError
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime import TravelTimeModel
from planner.traveltime.imported import ImportedMatrixModel, ykr_cells

GPKG = DEFAULT_SETTINGS.geodata_dir / "helsinki_region" / "travel_times_2015_calibration.gpkg"


@pytest.fixture(scope="module")
def calib():
    table = pyogrio.read_dataframe(GPKG, layer="travel_times")
    dests = pyogrio.read_dataframe(GPKG, layer="destinations").to_crs(DEFAULT_SETTINGS.crs)
    cells = ykr_cells()
    return table, dests, cells


@pytest.fixture(scope="module")
def ttm_folder(calib, tmp_path_factory):
    table, _, _ = calib
    root = tmp_path_factory.mktemp("ttm")
    for to_id, part in table.groupby("to_id"):
        sub = root / f"{str(to_id)[:4]}xxx"  # the newer per-folder layout
        sub.mkdir(exist_ok=True)
        part.to_csv(sub / f"TravelTimes_to_{to_id}.txt", sep=";", index=False)
    return root


def _origins(cells, ids):
    c = cells.set_index("cell_id").loc[ids].geometry.representative_point()
    return np.column_stack([c.x, c.y])


@pytest.mark.parametrize("layout", ["folder", "csv", "parquet"])
def test_times_equal_the_file(calib, ttm_folder, tmp_path, layout):
    table, dests, cells = calib
    if layout == "folder":
        path, column = ttm_folder, "pt_r_t"
    else:
        long = table[["from_id", "to_id", "pt_r_t"]].rename(columns={"pt_r_t": "travel_time"})
        path = tmp_path / f"r5py.{layout}"
        (long.to_csv(path, index=False) if layout == "csv" else long.to_parquet(path))
        column = "travel_time"
    model = ImportedMatrixModel(path, column=column, cells=cells)
    assert isinstance(model, TravelTimeModel)
    ids = [5785640, 5785641, 5878070, 5944003]  # includes a destination cell itself
    got = model.times(_origins(cells, ids), np.column_stack([dests.geometry.x, dests.geometry.y]))
    want = table.pivot(index="from_id", columns="to_id", values="pt_r_t").loc[ids, dests["to_id"]]
    want = want.to_numpy(dtype=float).copy()
    want[want < 0] = np.inf  # -1 = no route
    assert np.array_equal(got, want)
    assert model.provenance()["model"] == "imported travel-time matrix"


def test_a_point_without_a_column_is_reported_not_dropped(calib, ttm_folder):
    _, dests, cells = calib
    model = ImportedMatrixModel(ttm_folder, column="walk_t", cells=cells)
    elsewhere = np.array([[385875.0, 6672125.0]])  # Helsinki station: a cell with no file here
    pts = np.vstack([np.column_stack([dests.geometry.x, dests.geometry.y]), elsewhere])
    with pytest.raises(DataError, match="1 service point") as err:
        model.times(_origins(cells, [5785640]), pts)
    assert "destination 5" in str(err.value)


def test_origins_outside_the_grid_are_inf_and_listed(calib, ttm_folder):
    _, dests, cells = calib
    model = ImportedMatrixModel(ttm_folder, column="car_m_t", cells=cells)
    far = np.array([[500000.0, 6700000.0]])  # Kotka, far outside the capital-region grid
    orig = np.vstack([_origins(cells, [5785640]), far])
    t = model.times(orig, np.column_stack([dests.geometry.x, dests.geometry.y]))
    assert np.isfinite(t[0]).all() and np.isinf(t[1]).all()
    assert model.unmatched(orig)["origin"].tolist() == [1]


def test_missing_column_is_a_located_error(tmp_path, calib):
    _, dests, cells = calib
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"from_id": [1], "to_id": [2], "minutes": [3]}).to_csv(bad, index=False)
    with pytest.raises(DataError, match="travel_time") as err:
        ImportedMatrixModel(bad, cells=cells).times(np.zeros((0, 2)), np.column_stack(
            [dests.geometry.x, dests.geometry.y])[:1])
    assert err.value.file == str(bad)


def test_cli_report_with_an_imported_matrix(calib, ttm_folder, tmp_path):
    """`planner report --matrix FOLDER --matrix-column pt_r_t`: Kela offices in the five
    destination cells, the HSY grid as demand; every time is one of the file's minutes."""
    from typer.testing import CliRunner

    from planner.cli import app

    _, dests, _ = calib
    munis = {"Jumbo": "092", "Dixi": "092", "Myyrmanni": "092", "Itis": "091", "Iso-omena": "049"}
    pts = tmp_path / "points.csv"
    pd.DataFrame({"id": [f"k{i}" for i in range(5)], "name": dests["name"], "category": "kela",
                  "municipality_code": dests["name"].map(munis),
                  "x": dests.geometry.x, "y": dests.geometry.y}).to_csv(pts, index=False)
    out = tmp_path / "rep"
    res = CliRunner().invoke(app, ["report", "--out", str(out), "--points", str(pts), "--demand", "grid",
                                   "--matrix", str(ttm_folder), "--matrix-column", "pt_r_t",
                                   "--need", "kela"])
    assert res.exit_code == 0, res.output
    acc = pd.read_csv(out / "access_units.csv", low_memory=False)
    assert (acc["model"] == "imported travel-time matrix").all()
    kela = acc[(acc["need"] == "kela") & (acc["group"] == "fi") & acc["located"]]
    finite = kela["time_min"][np.isfinite(kela["time_min"])]
    assert len(finite) > 0.95 * len(kela)  # the HSY grid lies inside the matrix's YKR grid
    # the matrix's whole minutes, not an estimate; only a grid cell holding an office averages
    # the matrix's minutes over the cell (its residents' intrazonal trips, planner.traveltime.intrazonal)
    assert 0 < (finite == finite.round()).sum() and (finite != finite.round()).sum() <= 5
