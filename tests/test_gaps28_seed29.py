"""Issue 28: tests for the mutants that survived the fresh sample across planner/ (seed 29,
docs/mutation_history.md). Each is written from the rule the mutant broke and fails with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from io import BytesIO

import pytest

from planner.errors import DataError, MissingExtraError
from planner.inputs.registers.mapping import load_rules

OK_RULE = '[[rule]]\nid = "k"\ncategory = "kela"\nname = ["kela"]\n'


@pytest.mark.parametrize("mode", ["walkin", "appointment"])
def test_a_bad_service_mode_pattern_names_its_own_field(tmp_path, mode):
    p = tmp_path / "rules.toml"
    p.write_text(f'[service_mode]\n{mode} = ["(unclosed"]\n\n' + OK_RULE, encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_rules(p)
    assert (e.value.file, e.value.field) == (str(p), f"service_mode.{mode}")
    assert e.value.reason.startswith("'(unclosed' is not a regular expression (")


def test_a_zip_too_large_to_unpack_names_the_upload(tmp_path, monkeypatch):
    from planner.inputs import matrices

    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m.csv", "from_id,to_id,travel_time\n" + "00100,k,7\n" * 50)
    monkeypatch.setattr(matrices, "MAX_BYTES", 100)
    with pytest.raises(DataError) as e:
        matrices.save_matrix(buf.getvalue(), "pt_2023.zip", folder=tmp_path)
    assert e.value.file == "pt_2023.zip"
    assert e.value.reason == "the ZIP unpacks to more than the 1e-07 GB an imported matrix may have"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module, call, feature", [
    ("pyrosm", lambda osm: osm._pyrosm_graph(None, "walk", None, True, None), "Reading .osm.pbf extracts"),
    ("osmnx", lambda osm: osm._osmnx(), "Building road networks from OpenStreetMap"),
])
def test_a_missing_network_package_says_what_needs_it_and_how_to_install_it(monkeypatch, module, call,
                                                                            feature):
    from planner.traveltime import osm

    monkeypatch.setitem(sys.modules, module, None)  # as if the [network] extra were not installed
    with pytest.raises(MissingExtraError) as e:
        call(osm)
    assert str(e.value) == (f"{feature} needs the optional package {module!r} (not in the core install): "
                            "pip install 'uusimaa-planner[network]'")


def test_a_side_by_side_page_is_written_as_utf8_whatever_the_locale(tmp_path):
    """A workshop laptop with a non-UTF-8 locale (the C locale here, ASCII) writes the same
    bytes: the page declares UTF-8, so any other encoding would garble ä, å and €."""
    from planner.outputs.sidebyside import save_side_by_side

    page = "<meta charset='utf-8'><h1>Järvenpää – Borgå: 5 €</h1>"
    save_side_by_side(page, tmp_path / "here.html")  # in this process too: mutmut maps the test to it
    src = tmp_path / "page.txt"
    src.write_bytes(page.encode("utf-8"))
    code = ("import sys; from planner.outputs.sidebyside import save_side_by_side; "
            "save_side_by_side(open(sys.argv[1], encoding='utf-8').read(), sys.argv[2])")
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-X", "utf8=0", "-c", code, str(src), str(tmp_path / "c.html")],
                         env={**env, "PYTHONPATH": ":".join(p for p in sys.path if p)},
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-800:]
    assert (tmp_path / "c.html").read_bytes() == page.encode("utf-8")
    assert (tmp_path / "here.html").read_bytes() == page.encode("utf-8")


def test_a_folder_that_cannot_be_created_says_the_operating_systems_reason_in_words(tmp_path):
    import errno
    import os

    from planner import atomic
    from planner.errors import OutputError

    with pytest.raises(OutputError) as e:  # /proc is a folder in which nothing can be created
        atomic.write_atomic("/proc/planner-no-such/x.csv", "a")
    reason = os.strerror(errno.ENOENT)
    assert str(e.value) == f"cannot create the folder /proc/planner-no-such: {reason}"
    assert e.value.strerror == reason


def test_with_no_points_at_all_every_located_resident_has_none_not_an_unknown_time():
    import numpy as np

    from planner.analysis.accessibility import nearest

    idx, best = nearest(np.empty((3, 0)), np.array([], bool))
    assert idx.tolist() == [-1, -1, -1]
    assert np.isinf(best).all()  # no point exists: "no point", a finding, never NaN (unknown)


def test_no_point_inside_any_area_gives_empty_index_arrays_that_still_index():
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import Point, box

    from planner.traveltime.intrazonal import intrazonal_pairs

    areas = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000), Point(5000, 5000)], crs=3067)
    pts = np.array([[2000.0, 2000.0]])  # outside the square
    geom = areas.geometry.to_numpy()
    rows, cols = intrazonal_pairs(areas, pts)
    assert len(rows) == len(cols) == 0
    assert geom[rows].shape == (0,) and pts[cols].shape == (0, 2)  # numpy indexes with ints only
    rows, cols = intrazonal_pairs(areas.iloc[[1]], pts)  # no polygon at all: the early answer
    assert geom[rows].shape == (0,) and pts[cols].shape == (0, 2)
    rows, cols = intrazonal_pairs(areas, np.empty((0, 2)))  # no point at all: the early answer
    assert geom[rows].shape == (0,) and pts[cols].shape == (0, 2)
