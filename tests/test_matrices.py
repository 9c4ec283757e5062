"""Matrices uploaded to the app (`planner.inputs.matrices`): stored once, atomically, and an upload
never writes outside its own folder."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pyogrio
import pytest

from planner.errors import DataError
from planner.inputs.matrices import save_matrix, stored_matrices
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime.imported import ImportedMatrixModel, matrix_columns, ykr_cells

GPKG = DEFAULT_SETTINGS.geodata_dir / "helsinki_region" / "travel_times_2015_calibration.gpkg"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def table():
    return pyogrio.read_dataframe(GPKG, layer="travel_times")


def test_a_zipped_travel_time_matrix_is_stored_flat_and_read_back(table, tmp_path):
    """Members in sub-folders and hostile paths: only TravelTimes_to_*.txt files are written,
    under their base names, inside the matrix's own folder; the times equal the file's."""
    members = {f"2015/{str(k)[:4]}xxx/TravelTimes_to_{k}.txt": part.to_csv(sep=";", index=False).encode()
               for k, part in table.groupby("to_id")}
    members["../../evil.txt"] = b"x"
    members["../TravelTimes_to_1.txt.exe"] = b"x"
    store = tmp_path / "store"
    path = save_matrix(_zip(members), "TTM 2015 (five cells).zip", store)
    assert path.parent == store and path.is_dir() and path.name.startswith("ttm_2015_five_cells-")
    assert sorted(p.name for p in path.iterdir()) == sorted(f"TravelTimes_to_{k}.txt" for k in
                                                             table["to_id"].unique())
    assert not (tmp_path / "evil.txt").exists() and not any(store.glob("*.exe"))
    assert list(stored_matrices(store)) == [path.name]
    assert "pt_r_t" in matrix_columns(path) and "from_id" not in matrix_columns(path)
    cells = ykr_cells()
    model = ImportedMatrixModel(path, column="car_r_t", cells=cells)
    c = cells.set_index("cell_id").loc[[5785640]].geometry.representative_point()
    dest = table["to_id"].iloc[0]
    d = cells.set_index("cell_id").loc[[dest]].geometry.representative_point()
    want = table[(table["from_id"] == 5785640) & (table["to_id"] == dest)]["car_r_t"].iloc[0]
    assert model.times(np.column_stack([c.x, c.y]), np.column_stack([d.x, d.y]))[0, 0] == want


def test_the_same_bytes_are_stored_once(tmp_path):
    data = b"from_id,to_id,travel_time\n00100,kela_helsinki_kamppi,7\n"
    a = save_matrix(data, "r5py.csv", tmp_path)
    b = save_matrix(data, "r5py.csv", tmp_path)
    c = save_matrix(_zip({"out/r5py.csv": data}), "r5py.zip", tmp_path)
    assert a == b and a.read_bytes() == data and c.read_bytes() == data
    assert len(stored_matrices(tmp_path)) == 2 and not list(tmp_path.glob(".upload-*"))
    assert pd.read_csv(a, dtype=str)["from_id"].tolist() == ["00100"]


@pytest.mark.parametrize("name, data, message", [
    ("m.txt", b"a,b", "unknown kind of matrix file '.txt'"),
    ("m.csv", b"", "empty"),
    ("m.zip", b"not a zip", "not a readable ZIP"),
    ("m.zip", None, "holds no TravelTimes_to_"),
    ("m.zip", "two", "holds 2 tables"),
])
def test_bad_uploads_name_the_file(tmp_path, name, data, message):
    if data is None:
        data = _zip({"readme.md": b"hello"})
    elif data == "two":
        data = _zip({"a.csv": b"from_id,to_id,t\n", "b.csv": b"from_id,to_id,t\n"})
    with pytest.raises(DataError, match=message) as err:
        save_matrix(data, name, tmp_path)
    assert err.value.file == name
    assert not list(tmp_path.iterdir())  # nothing half-written is left behind
