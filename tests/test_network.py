"""Road networks and network travel times, on real OpenStreetMap data.

The data: ``Helsinki.osm.pbf``, a real OSM extract of central Helsinki shipped in the
pyrosm package, and a hand-made six-node graph whose answers are worked out below. The
download path runs end to end against a local Overpass stand-in on 127.0.0.1
(tests/overpass_server.py) serving the same PBF: no test touches the internet.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import socket
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra as sparse_dijkstra

from planner.errors import DataError, NetworkError
from planner.settings import DEFAULT_SETTINGS
from planner.traveltime import TravelTimeModel, travel_time_matrix
from planner.traveltime.network import (
    NETWORK_MODEL,
    NetworkModel,
    component_table,
    helsinki_demo_grid,
    helsinki_demo_model,
    node_components,
)
from planner.traveltime.osm import (
    FALLBACK_SPEED_KMH,
    FI_DEFAULT_SPEEDS_KMH,
    area_polygon,
    compile_way_filter,
    fetch_network,
    fetch_network_in_parts,
    find_stored_network,
    load_network,
    merge_networks,
    network_from_edges,
    network_from_file,
    network_from_graph,
    osm_graph_from_file,
    save_network,
    stored_networks,
)

pyrosm = pytest.importorskip("pyrosm")


def _load_test_module(filename: str):
    """A helper module of tests/ by file (the tests run with --import-mode=importlib):
    overpass_server.py (the local Overpass server) and reference_network.py (the networkx
    reference, not part of the runtime package)."""
    name = "planner_tests_" + Path(filename).stem
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


overpass_server = _load_test_module("overpass_server.py")
reference = _load_test_module("reference_network.py")
reference_times, reference_nearest = reference.reference_times, reference.reference_nearest
PBF = pyrosm.get_data("helsinki_pbf")
TO_3067 = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
PROVENANCE_KEYS = {"model", "mode", "network_source", "osm_date", "model_parameters",
                   "model_parameter_source"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def networks(settings):
    """The walk and drive networks of the Helsinki PBF (pyrosm)."""
    return {mode: network_from_file(PBF, mode, settings=settings) for mode in ("walk", "drive")}


def _random_points(net, n, seed, outside=0):
    rng = np.random.default_rng(seed)
    pts = np.column_stack([rng.uniform(net.x.min(), net.x.max(), n),
                           rng.uniform(net.y.min(), net.y.max(), n)])
    if outside:
        pts[:outside, 0] = net.x.max() + 2500.0  # beyond the 1000 m snap limit
    return pts


# --- fast path == networkx reference, Helsinki PBF ----------------------------------------------


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_fast_times_equal_networkx_reference(networks, settings, mode):
    net = networks[mode]
    model = NetworkModel(net, settings)
    origins = _random_points(net, 80, seed=1, outside=3)
    dests = _random_points(net, 15, seed=2, outside=1)
    fast = model.times(origins, dests)
    ref = reference_times(net, origins, dests, settings)
    assert fast.shape == (80, 15)
    assert np.array_equal(np.isfinite(fast), np.isfinite(ref))
    finite = np.isfinite(fast)
    assert finite.sum() > 0.8 * fast.size
    assert np.abs(fast[finite] - ref[finite]).max() * 60 < 1e-6  # identical to the second (and far below)
    assert np.array_equal(np.round(fast[finite] * 60), np.round(ref[finite] * 60))
    # the points beyond the snap limit are inf, not dropped
    assert np.isinf(fast[:3]).all() and np.isinf(fast[:, 0]).all()
    # few origins, many destinations takes the forward sweeps: same answer
    back = model.times(dests, origins)
    rb = reference_times(net, dests, origins, settings)
    fb = np.isfinite(rb)
    assert np.array_equal(fb, np.isfinite(back)) and np.abs(back[fb] - rb[fb]).max() * 60 < 1e-6


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_nearest_and_matrix_equal_reference(networks, settings, mode):
    net = networks[mode]
    model = NetworkModel(net, settings)
    points = _random_points(net, 12, seed=3, outside=1)
    ref = reference_nearest(net, points, settings)
    near = model.nearest(points)
    assert np.array_equal(np.isfinite(near.time_min), np.isfinite(ref))
    ok = np.isfinite(ref)
    assert np.abs(near.time_min[ok] - ref[ok]).max() * 60 < 1e-6
    assert (near.point[~ok] == -1).all() and (near.point[ok] >= 1).all()  # point 0 is too far
    matrix = model.point_matrix(points)
    assert matrix.time_min.shape == (12, net.n_nodes)
    assert np.isinf(matrix.time_min[0]).all()
    full = matrix.nearest()
    assert np.abs(full.time_min[ok] - ref[ok]).max() * 60 < 1e-6
    # the multi-source sweep names the same nearest point as the matrix
    assert np.array_equal(near.point, full.point)
    # closing points: the incremental update equals a recomputation, and both equal networkx
    closed = [2, 5, 7]
    after = matrix.reevaluate(full, closed=closed)
    again = matrix.nearest(np.setdiff1d(np.arange(12), closed))
    assert np.array_equal(after.time_min, again.time_min) and np.array_equal(after.point, again.point)
    keep = np.setdiff1d(np.arange(12), closed)
    ref_closed = reference_nearest(net, points[keep], settings)
    ok = np.isfinite(ref_closed)
    assert np.array_equal(np.isfinite(after.time_min), ok)
    assert np.abs(after.time_min[ok] - ref_closed[ok]).max() * 60 < 1e-6
    # re-opening them restores the original answer
    back = matrix.reevaluate(after, opened=closed, open_points=np.arange(12))
    assert np.allclose(back.time_min[np.isfinite(full.time_min)], full.time_min[np.isfinite(full.time_min)])


def test_network_edges_match_the_osm_graph(settings):
    """CSR edges = the osmnx graph's edges, fastest of parallel edges, in seconds."""
    import osmnx as ox

    graph, _ = osm_graph_from_file(PBF, "drive")
    net = network_from_graph(graph, "drive", settings=settings)
    timed = ox.add_edge_travel_times(ox.add_edge_speeds(graph.copy(), hwy_speeds=FI_DEFAULT_SPEEDS_KMH,
                                                        fallback=FALLBACK_SPEED_KMH))
    expected = {}
    for u, v, d in timed.edges(data=True):
        if u != v:
            expected[(u, v)] = min(expected.get((u, v), np.inf), d["travel_time"])
    got = {(int(net.node_id[a]), int(net.node_id[b])): w
           for a, b, w in zip(net.tails(), net.indices, net.weight_s, strict=True)}
    assert got.keys() == expected.keys()
    assert max(abs(got[k] - expected[k]) for k in got) < 1e-9
    # walking: length / 4.2 km/h in both directions of every way
    walk = network_from_file(PBF, "walk", settings=settings)
    assert np.allclose(walk.weight_s, walk.length_m / (settings.network_walk_kmh / 3.6))
    pairs = set(zip(walk.tails().tolist(), walk.indices.tolist(), strict=True))
    assert all((b, a) in pairs for a, b in pairs)


# --- the store ----------------------------------------------------------------------------------


def test_store_round_trip(networks, tmp_path):
    net = networks["drive"]
    path = save_network(net, tmp_path / "helsinki-drive")
    assert path.suffix == ".npz"
    back = load_network(path)  # its speed is measured in benchmarks/bench_store.py
    for name in ("node_id", "x", "y", "indptr", "indices", "weight_s", "length_m"):
        assert np.array_equal(getattr(net, name), getattr(back, name)), name
    assert back.meta["mode"] == "drive"
    assert back.meta["source"] == "OpenStreetMap extract Helsinki.osm.pbf"
    assert back.meta["osm_date"].startswith("2019-")
    assert back.meta["crs"] == "EPSG:3067" and back.meta["created"]
    assert back.meta["n_nodes"] == net.n_nodes and back.meta["stored_at"] == str(path)
    # same times from the reloaded network
    pts = _random_points(net, 10, seed=4)
    assert np.array_equal(NetworkModel(net).times(pts, pts), NetworkModel(back).times(pts, pts))
    # node coordinates are EPSG:3067 metres inside central Helsinki
    assert 384_000 < back.x.min() < back.x.max() < 388_000
    assert 6_670_000 < back.y.min() < back.y.max() < 6_675_000


def test_store_rejects_other_files(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, a=np.arange(3))
    with pytest.raises(NetworkError, match="not a planner network"):
        load_network(bad)
    with pytest.raises(NetworkError, match="no stored network"):
        load_network(tmp_path / "missing.npz")


# --- snapping and unreachable places -------------------------------------------------------------


def test_snap_report_lists_too_far_points(networks, settings):
    net = networks["walk"]
    model = NetworkModel(net, settings)
    node = 100
    pts = np.array([[net.x[node], net.y[node]],
                    [net.x[node] + 30.0, net.y[node] + 40.0],
                    [net.x.max() + 5000.0, net.y.max()]])
    report = model.snap_report(pts)
    assert list(report.columns[:5]) == ["node", "node_index", "snap_m", "snap_min", "too_far"]
    assert report["too_far"].tolist() == [False, False, True]
    assert report["snap_m"].iloc[0] == 0.0 and report["snap_m"].iloc[1] <= 50.0
    assert report["snap_m"].iloc[2] > settings.snap_max_m
    assert report["node"].iloc[0] == net.node_id[node]
    assert report["snap_min"].iloc[1] == pytest.approx(report["snap_m"].iloc[1] / 70.0)
    times = model.times(pts, pts[:1])
    assert np.isinf(times[2, 0]) and times[0, 0] == 0.0
    # the walk of the snap leg is in the time: 50 m at 70 m/min on top of the network time
    assert times[1, 0] >= report["snap_m"].iloc[1] / 70.0
    why = model.unreachable_report(pts, pts[:1])
    assert why.to_dict("records")[0]["reason"] == "origin too far from the network"


def _hand_made():
    """Six nodes (x, y metres from a base point in Helsinki, EPSG:3067):

    0 (0,0) <-> 1 (100,0) <-> 2 (200,0) -> 3 (300,0)      4 (0,500) <-> 5 (100,500)
        60 s          60 s        30 s one-way                  60 s (an island)
    """
    bx, by = 385_000.0, 6_672_000.0
    x = bx + np.array([0, 100, 200, 300, 0, 100], float)
    y = by + np.array([0, 0, 0, 0, 500, 500], float)
    tail = [0, 1, 1, 2, 2, 4, 5]
    head = [1, 0, 2, 1, 3, 5, 4]
    w = [60, 60, 60, 60, 30, 60, 60]
    net = network_from_edges(np.arange(10, 16), x, y, tail, head, w, None,
                             {"mode": "walk", "source": "hand-made test graph"})
    return net, (bx, by)


def test_unreachable_hand_made_graph(settings):
    # the graph's logic (one-way dead end, island) with each point joined to its own node
    # only: the hand-made nodes stand closer together than the default snap radius
    settings = dataclasses.replace(settings, snap_radius_m=0.0)
    net, (bx, by) = _hand_made()
    model = NetworkModel(net, settings, min_component_nodes=1)
    pos = {int(v) - 10: i for i, v in enumerate(net.node_id)}  # hand-made node -> index (renumbered)
    at = lambda *nodes: np.array([[net.x[pos[n]], net.y[pos[n]]] for n in nodes])  # noqa: E731
    t = model.times(at(0, 3, 4), at(2, 0, 3, 5))
    # worked out by hand, minutes
    expected = np.array([
        [2.0, 0.0, 2.5, np.inf],       # from 0: 60+60 s to 2; 150 s to 3; island unreachable
        [np.inf, np.inf, 0.0, np.inf],  # from 3 (one-way dead end): nowhere but itself
        [np.inf, np.inf, np.inf, 1.0],  # from the island: only its other node
    ])
    assert np.array_equal(t, expected)
    # a snap leg of 70 m is one minute at 4.2 km/h (70 m/min)
    assert model.times(np.array([[bx, by - 70.0]]), at(2))[0, 0] == pytest.approx(3.0)
    near = model.nearest(at(0, 5))
    order = [pos[k] for k in range(6)]
    assert near.time_min[order].tolist() == [0.0, 1.0, 2.0, np.inf, 1.0, 0.0]
    assert near.point[order].tolist() == [0, 0, 0, -1, 1, 1]
    assert np.array_equal(reference_nearest(net, at(0, 5), settings, min_component_nodes=1),
                          near.time_min)
    lost = model.unreachable_nodes(near)
    assert lost["node"].tolist() == [13] and lost["component_size"].tolist() == [1]
    comps = component_table(net)
    assert comps["n_nodes"].tolist() == [3, 2, 1] and comps["largest"].tolist() == [True, False, False]
    why = model.unreachable_report(at(0, 3, 4), at(2, 0, 3, 5), t)
    assert set(why["reason"]) == {"no path between the nodes"} and len(why) == 7
    # by default a point does not snap onto a small fragment: from the island's node 4 the
    # nearest node of the largest component is node 0, 500 m away (500/70 min on foot)
    default = NetworkModel(net, settings)
    assert default.times(at(4), at(2))[0, 0] == pytest.approx(500 / 70 + 2.0)


def test_unreachable_nodes_in_helsinki_drive_network(networks, settings):
    """One-way streets leaving the extract make real dead ends: inf and listed."""
    net = networks["drive"]
    model = NetworkModel(net, settings)
    comps = component_table(net)
    assert len(comps) > 1 and comps["largest"].iloc[0]
    points = _random_points(net, 5, seed=5)
    near = model.nearest(points)
    lost = model.unreachable_nodes(near)
    main = comps["component"].iloc[0]
    assert len(lost) > 0 and np.isinf(near.time_min[lost["node_index"]]).all()
    assert (lost["component"] != main).all()
    _, labels = node_components(net)
    assert np.isfinite(near.time_min[labels == main]).all()
    # a point placed on a node of a small component (allowed with min_component_nodes=1)
    small = comps[~comps["largest"]].iloc[0]
    node = int(np.flatnonzero(labels == small["component"])[0])
    exact = NetworkModel(net, settings, min_component_nodes=1)
    t = exact.times(np.array([[net.x[node], net.y[node]]]), points)
    ref = reference_times(net, np.array([[net.x[node], net.y[node]]]), points, settings, 1)
    assert np.array_equal(np.isfinite(t), np.isfinite(ref))
    assert (~np.isfinite(t)).any()
    report = exact.unreachable_report(np.array([[net.x[node], net.y[node]]]), points, t)
    assert set(report["reason"]) == {"no path between the nodes"}


# --- the model behind the TravelTimeModel interface ----------------------------------------------


def test_network_model_is_a_travel_time_model(networks, settings):
    model = NetworkModel(networks["walk"], settings)
    assert isinstance(model, TravelTimeModel)
    assert model.model == NETWORK_MODEL == "road network (OSM)" and model.mode == "walk"
    prov = model.provenance()
    assert set(prov) == PROVENANCE_KEYS
    assert prov["network_source"] == "OpenStreetMap extract Helsinki.osm.pbf"
    assert prov["osm_date"].startswith("2019-04")
    assert "4.2 km/h" in prov["model_parameters"]
    drive = NetworkModel(networks["drive"], settings).provenance()
    assert drive["mode"] == "drive" and "maxspeed" in drive["model_parameter_source"]


def test_helsinki_demo_with_population_grid(settings):
    model = helsinki_demo_model("walk", settings)
    stored = stored_networks(settings)
    assert (stored["area"] == "Helsinki centre (pyrosm sample extract)").any()
    assert find_stored_network("walk", settings=settings) is not None
    assert find_stored_network("walk", "uusimaa", settings) is None
    again = helsinki_demo_model("walk", settings)  # from the store now
    assert again.network.meta.get("stored_at") and again.network.n_nodes == model.network.n_nodes
    grid = helsinki_demo_grid(settings)
    assert len(grid) == 92 and grid.crs.to_epsg() == 3067
    units = grid.assign(unit_id=grid["cell_id"])
    units = units.set_geometry(units.geometry.representative_point())
    points = units.iloc[[10, 40]][["cell_id", "geometry"]].rename(columns={"cell_id": "id"})
    ttm = travel_time_matrix(model, units, points)
    report = model.snap_report(np.column_stack([units.geometry.x, units.geometry.y]))
    # cells beyond the 1 x 1.7 km extract are reported too far and get inf, the rest times
    assert report["too_far"].any() and not report["too_far"].all()
    assert np.isinf(ttm.time_min[report["too_far"].to_numpy()]).all()
    assert ttm.provenance["model"] == "road network (OSM)"
    assert ttm.provenance["network_source"] == "OpenStreetMap extract Helsinki.osm.pbf"


# --- areas ---------------------------------------------------------------------------------------


def test_area_polygons(settings):
    label, poly = area_polygon("91", settings)
    assert label == "091" and poly.contains(shapely.Point(TO_3067.transform(24.945, 60.170)))
    label, west = area_polygon("länsi-uusimaa", settings)
    assert label == "Länsi-Uusimaa" and west.area > poly.area
    label, region = area_polygon("uusimaa", settings)
    assert region.area > west.area
    assert area_polygon("Vihti", settings)[0] == "927"  # a municipality name
    assert area_polygon("helsinki", settings)[0] == "Helsinki"  # the service area
    with pytest.raises(DataError, match="unknown area"):
        area_polygon("Narnia", settings)
    with pytest.raises(DataError, match="unknown municipality code"):
        area_polygon("999", settings)
    with pytest.raises(DataError, match="lon/lat"):
        area_polygon(shapely.box(24.9, 60.1, 25.0, 60.2), settings)


def test_way_filter():
    keep = compile_way_filter('["highway"]["area"!~"yes"]["highway"!~"footway|steps"]["foot"!="no"]')
    assert keep({"highway": "residential"})
    assert not keep({"highway": "footway"}) and not keep({"highway": "residential", "area": "yes"})
    assert not keep({"highway": "residential", "foot": "no"}) and not keep({"building": "yes"})
    with pytest.raises(ValueError, match="unsupported"):
        compile_way_filter('way["highway"]')


# --- the download path, end to end against a local Overpass server ------------------------------


@pytest.fixture(scope="module")
def helsinki_osm():
    return overpass_server.helsinki_highways()


@pytest.fixture
def overpass(helsinki_osm):
    """A local Overpass on 127.0.0.1; osmnx's module-global settings restored afterwards."""
    import osmnx as ox

    names = [n for n in dir(ox.settings) if not n.startswith("_")]
    saved = {n: getattr(ox.settings, n) for n in names}
    getaddrinfo = socket.getaddrinfo
    with overpass_server.OverpassServer(helsinki_osm) as server:
        yield server
    for n, v in saved.items():
        setattr(ox.settings, n, v)
    socket.getaddrinfo = getaddrinfo


@pytest.mark.slow
def test_an_overpass_address_with_a_trailing_slash_is_the_same_server(overpass, tmp_path):
    """`--overpass-url http://host/api/` and `http://host/api` name one server: one stored
    network, one request, and the address recorded once, without the slash."""
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    box = shapely.box(*TO_3067.transform(24.940, 60.168), *TO_3067.transform(24.944, 60.170))
    net = fetch_network(box, "walk", settings, overpass_url=overpass.url + "/")
    assert net.meta["overpass_url"] == overpass.url
    again = fetch_network(box, "walk", settings, overpass_url=overpass.url)
    assert len(overpass.queries) == 1 and again.meta["stored_at"] == net.meta["stored_at"]


@pytest.mark.slow
def test_a_download_is_built_with_the_callers_settings(overpass, tmp_path):
    """The walking speed of the caller's settings (not the defaults) times every downloaded edge,
    the stored network says so, and a stored network of another speed is built again (its file
    name does not carry the speed: a cache key that misses a parameter)."""
    slow = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, network_walk_kmh=3.0)
    box = shapely.box(*TO_3067.transform(24.940, 60.168), *TO_3067.transform(24.944, 60.170))
    net = fetch_network(box, "walk", slow, overpass_url=overpass.url)
    assert net.meta["speeds"]["walk_kmh"] == 3.0 != DEFAULT_SETTINGS.network_walk_kmh
    usual = dataclasses.replace(slow, network_walk_kmh=DEFAULT_SETTINGS.network_walk_kmh)
    messages: list[str] = []
    # the same cache folder: the stored 3 km/h network is not taken for a 4.5 km/h one
    normal = fetch_network(box, "walk", usual, overpass_url=overpass.url, progress=messages.append)
    assert any("walks at 3.0 km/h" in m and "building it again" in m for m in messages), messages
    assert normal.meta["speeds"]["walk_kmh"] == DEFAULT_SETTINGS.network_walk_kmh
    ratio = net.weight_s / normal.weight_s
    assert np.allclose(ratio, DEFAULT_SETTINGS.network_walk_kmh / 3.0)
    again = fetch_network(box, "walk", usual, overpass_url=overpass.url, progress=messages.append)
    assert messages[-1].startswith("using the stored network")  # now it fits: reused
    assert np.array_equal(again.weight_s, normal.weight_s)


@pytest.mark.slow
def test_fetch_polygon_end_to_end(overpass, helsinki_osm, tmp_path):
    import osmnx as ox

    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    box = shapely.box(*TO_3067.transform(24.938, 60.166), *TO_3067.transform(24.950, 60.176))
    messages = []
    net = fetch_network(box, "walk", settings, overpass_url=overpass.url, progress=messages.append)
    assert len(overpass.queries) == 1 and "poly:" in overpass.queries[0]
    assert any("Overpass response 1/1" in m for m in messages)
    assert net.n_nodes > 500 and net.mode == "walk"
    assert net.meta["osm_date"] == helsinki_osm.timestamp
    assert net.meta["source"].startswith("OpenStreetMap via osmnx/Overpass (127.0.0.1:")
    assert Path(net.meta["stored_at"]).is_file()
    assert list((tmp_path / "overpass").glob("*.json"))  # osmnx's response cache
    # osmnx's settings are the caller's again
    assert ox.settings.overpass_url == "https://overpass-api.de/api"
    # a second fetch reuses the stored network: no request
    again = fetch_network(box, "walk", settings, overpass_url=overpass.url)
    assert len(overpass.queries) == 1 and np.array_equal(again.weight_s, net.weight_s)
    # a refresh is answered from osmnx's response cache: still no request
    fetch_network(box, "walk", settings, overpass_url=overpass.url, refresh=True)
    assert len(overpass.queries) == 1
    # travel times on the downloaded network equal the networkx reference
    model = NetworkModel(net, settings)
    pts = _random_points(net, 20, seed=6)
    fast, ref = model.times(pts, pts[:5]), reference_times(net, pts, pts[:5], settings)
    assert np.array_equal(np.isfinite(fast), np.isfinite(ref))
    ok = np.isfinite(fast)
    assert np.abs(fast[ok] - ref[ok]).max() * 60 < 1e-6
    prov = model.provenance()
    assert prov["osm_date"] == helsinki_osm.timestamp and "osmnx/Overpass" in prov["network_source"]


@pytest.mark.slow
def test_fetch_drive_equals_osm_xml_of_the_same_data(overpass, helsinki_osm, tmp_path):
    """Overpass download and .osm file reader build the same drive network from the same data."""
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    net = fetch_network("091", "drive", settings, overpass_url=overpass.url)
    assert net.meta["area"] == "091" and net.meta["speeds"]["maxspeed_tagged_share"] > 0
    # every way of the extract as OSM XML, filtered by the reader itself
    everything = overpass_server.answer(
        '[out:json];(way["highway"](poly:"60.0 24.0 60.0 26.0 61.0 26.0 61.0 24.0");>;);out;',
        helsinki_osm)
    xml = tmp_path / "helsinki.osm"
    overpass_server.to_osm_xml(everything, xml)
    from_xml = network_from_file(xml, "drive", settings=settings)
    assert from_xml.meta["reader"] == "osmnx"
    assert np.array_equal(np.sort(net.node_id), np.sort(from_xml.node_id))
    order_a, order_b = np.argsort(net.node_id), np.argsort(from_xml.node_id)
    edges_a = {(net.node_id[a], net.node_id[b]): w
               for a, b, w in zip(net.tails(), net.indices, net.weight_s, strict=True)}
    edges_b = {(from_xml.node_id[a], from_xml.node_id[b]): w
               for a, b, w in zip(from_xml.tails(), from_xml.indices, from_xml.weight_s, strict=True)}
    assert edges_a.keys() == edges_b.keys()
    assert max(abs(edges_a[k] - edges_b[k]) for k in edges_a) < 1e-9
    assert np.allclose(net.x[order_a], from_xml.x[order_b])
    # and the pyrosm PBF reader, whose filters only resemble osmnx's, agrees on the main streets
    pbf = network_from_file(PBF, "drive", "091", settings)
    assert len(set(pbf.node_id) & set(net.node_id)) > 0.7 * pbf.n_nodes


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_fetch_in_parts_routes_across_borders_like_one_download(overpass, tmp_path, mode):
    """A large area fetched in parts and merged gives the travel times of one download.

    A 4.4 x 3.3 km box of central Helsinki split into west and east halves with 400 m of
    overlap: routes crossing the split (and every other route) take the same minutes on the
    merged network as on the network downloaded in one piece; the parts are stored, so a
    second run asks the server nothing.
    """
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path, boundary_tolerance_m=400.0)
    x0, y0 = TO_3067.transform(24.905, 60.160)
    x1, y1 = TO_3067.transform(24.985, 60.190)
    xm = (x0 + x1) / 2
    whole = shapely.box(x0, y0, x1, y1)
    parts = [("west", shapely.box(x0, y0, xm, y1)), ("east", shapely.box(xm, y0, x1, y1))]
    bars = []
    merged = fetch_network_in_parts("box", parts, mode, settings, overpass_url=overpass.url,
                                    on_part=lambda i, n, name: bars.append((i, n, name)))
    assert bars == [(1, 2, "west"), (2, 2, "east")]
    assert len(overpass.queries) == 2 and merged.meta["parts"] == ["west", "east"]
    one = fetch_network(whole, mode, settings, overpass_url=overpass.url)
    # 40 street nodes of the single download, 20 west and 20 east of the split, away from the edges
    rng = np.random.default_rng(11)
    inner = (one.y > y0 + 300) & (one.y < y1 - 300)
    west = np.flatnonzero(inner & (one.x > x0 + 300) & (one.x < xm - 300))
    east = np.flatnonzero(inner & (one.x > xm + 300) & (one.x < x1 - 300))
    ids = one.node_id[np.r_[rng.choice(west, 20, replace=False), rng.choice(east, 20, replace=False)]]

    def node_times(net):  # seconds between the chosen OSM nodes on net
        order = np.argsort(net.node_id)
        ix = order[np.searchsorted(net.node_id[order], ids)]
        assert np.array_equal(net.node_id[ix], ids)  # every chosen node is in net
        return sparse_dijkstra(net.csr(), indices=ix)[:, ix]

    a, b = node_times(merged), node_times(one)
    assert np.isfinite(b[:20, 20:]).sum() > 100  # many routes cross the split
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    ok = np.isfinite(a)
    # equal up to how simplification groups a street's speed limits (seconds, not minutes)
    assert np.abs(a[ok] - b[ok]).max() < 5.0
    # the seam nodes survive simplification: the merged network is one piece across the split
    queries = len(overpass.queries)
    again = fetch_network_in_parts("box", parts, mode, settings, overpass_url=overpass.url)
    assert len(overpass.queries) == queries and again.n_edges == merged.n_edges
    (tmp_path / "networks" / Path(merged.meta["stored_at"]).name).unlink()
    resumed = fetch_network_in_parts("box", parts, mode, settings, overpass_url=overpass.url)
    assert len(overpass.queries) == queries and resumed.n_edges == merged.n_edges  # from the stored parts


@pytest.mark.slow
def test_fetch_in_parts_keeps_a_long_road_across_the_border(tmp_path):
    """A 10 km road with no junction between its ends crosses the border of two parts.

    Each part keeps 2 km beyond its border, so neither holds both ends of the road; without
    the seam nodes (kept through simplification in both parts) the road would vanish from
    both. By hand: 10,000 m at the default 60 km/h of an unsigned ``primary`` way
    (:data:`FI_DEFAULT_SPEEDS_KMH`) is 600 s end to end, both ways (osmnx measures lengths
    on a sphere, 0.3 % short at 60° N: 598 s).
    """
    to_wgs = Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)
    xs = np.arange(380000.0, 390001.0, 100.0)  # 101 nodes, 100 m apart, west to east
    lon, lat = to_wgs.transform(xs, np.full(len(xs), 6700000.0))
    ids = np.arange(1, len(xs) + 1, dtype=np.int64)
    road = overpass_server.OSMData(ids, np.asarray(lat), np.asarray(lon), [
        {"type": "way", "id": 1, "nodes": ids.tolist(), "tags": {"highway": "primary"}, "timestamp": 0}],
        "2024-01-01T00:00:00Z")
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    parts = [("west", shapely.box(379000, 6699000, 385000, 6701000)),
             ("east", shapely.box(385000, 6699000, 391000, 6701000))]
    said: list[str] = []
    with overpass_server.OverpassServer(road) as server:
        net = fetch_network_in_parts("road", parts, "drive", settings, overpass_url=server.url,
                                     progress=said.append)
    # the merge is reported with the size of what was stored
    merged = [m for m in said if m.startswith("merged")]
    assert len(merged) == 1
    assert re.fullmatch(rf"merged 2 parts: {net.n_nodes:,} nodes, {net.n_edges:,} edges \(\d+ s\)", merged[0])
    ends = [int(np.flatnonzero(net.node_id == 1)[0]), int(np.flatnonzero(net.node_id == len(xs))[0])]
    t = sparse_dijkstra(net.csr(), indices=ends)[:, ends]
    assert t[0, 1] == pytest.approx(600.0, rel=0.005) and t[1, 0] == pytest.approx(600.0, rel=0.005)


@pytest.mark.parametrize("suffix", [".osm", ".osm.gz", ".osm.bz2", ".xml"])
def test_osm_xml_is_read_plain_and_compressed(tmp_path, suffix):
    """An OSM XML extract is read as it comes from a download site: plain, gzip or bzip2.
    By hand: one residential way of three nodes, walkable both ways: 3 nodes, 4 directed edges
    before simplification."""
    import bz2
    import gzip

    xml = (b'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="planner tests">\n'
           b'  <node id="1" lat="60.1700" lon="24.9400" timestamp="2024-03-01T00:00:00Z"/>\n'
           b'  <node id="2" lat="60.1700" lon="24.9420" timestamp="2024-03-01T00:00:00Z"/>\n'
           b'  <node id="3" lat="60.1710" lon="24.9420" timestamp="2024-03-02T00:00:00Z"/>\n'
           b'  <way id="7" timestamp="2024-03-01T00:00:00Z"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
           b'<tag k="highway" v="residential"/></way>\n</osm>\n')
    path = tmp_path / f"tiny{suffix}"
    opener = {".osm.gz": gzip.compress, ".osm.bz2": bz2.compress}.get(suffix, lambda b: b)
    path.write_bytes(opener(xml))
    said: list[str] = []
    graph, date = osm_graph_from_file(path, "walk", simplify=False, progress=said.append)
    assert sorted(graph.nodes) == [1, 2, 3] and graph.number_of_edges() == 4
    assert date == "2024-03-02T00:00:00Z (latest edit in the network)"
    assert said == [f"reading tiny{suffix} (OSM XML)"]


def test_merge_networks_hand_worked():
    """Two parts sharing node 2: the merge routes 1 -> 2 -> 3 and keeps the faster copy of 1 -> 2."""
    a = network_from_edges([1, 2], [0.0, 100.0], [0.0, 0.0], [0], [1], [60.0], meta={"mode": "walk"})
    b = network_from_edges([2, 3, 1], [100.0, 200.0, 0.0], [0.0, 0.0, 0.0], [0, 2], [1, 0], [30.0, 50.0],
                           meta={"mode": "walk"})
    m = merge_networks([a, b], {"mode": "walk"})
    assert sorted(m.node_id.tolist()) == [1, 2, 3] and m.n_edges == 2
    edges = {(int(m.node_id[t]), int(m.node_id[h])): w for t, h, w in zip(m.tails(), m.indices, m.weight_s,
                                                                             strict=True)}
    assert edges == {(1, 2): 50.0, (2, 3): 30.0}



@pytest.mark.parametrize("bad", [-1.0, np.inf, np.nan])
def test_network_refuses_a_negative_or_unknown_edge_time_and_says_so(bad):
    """An edge time below zero (or infinite, or missing) would break the shortest paths: the
    network is refused with a message naming what is wrong; zero seconds is a valid time."""
    net, _ = _hand_made()
    ok = net.weight_s.copy()
    ok[0] = 0.0
    assert dataclasses.replace(net, weight_s=ok).weight_s[0] == 0.0  # the boundary: 0 s is allowed
    w = net.weight_s.copy()
    w[0] = bad
    with pytest.raises(NetworkError, match="edge travel times must be finite and non-negative"):
        dataclasses.replace(net, weight_s=w)

@pytest.mark.slow
def test_cli_fetch_info_from_file(overpass, tmp_path):
    from typer.testing import CliRunner

    from planner.cli.network import network_app

    runner = CliRunner()
    res = runner.invoke(network_app, ["fetch", "--area", "091", "--mode", "walk", "--overpass-url",
                                      overpass.url, "--cache-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "OpenStreetMap via osmnx/Overpass" in res.output and "OSM date" in res.output
    stored = next((tmp_path / "networks").glob("*-091-walk.npz"))
    assert f"--network {stored}" in res.output
    res = runner.invoke(network_app, ["fetch", "--area", "091", "--mode", "walk", "--overpass-url",
                                      overpass.url, "--cache-dir", str(tmp_path)])
    assert res.exit_code == 0 and len(overpass.queries) == 1
    res = runner.invoke(network_app, ["info", str(stored)])
    assert res.exit_code == 0 and "mode        walk" in res.output and "components" in res.output
    res = runner.invoke(network_app, ["info", str(stored), "--json"])
    assert '"osm_date"' in res.output
    out = tmp_path / "hel-drive.npz"
    res = runner.invoke(network_app, ["from-file", PBF, "--mode", "drive", "--cache-dir", str(tmp_path),
                                      "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert load_network(out).meta["source"] == "OpenStreetMap extract Helsinki.osm.pbf"
    res = runner.invoke(network_app, ["list", "--cache-dir", str(tmp_path)])
    assert "Helsinki.osm.pbf" in res.output and "091" in res.output
    res = runner.invoke(network_app, ["fetch", "--area", "Narnia", "--cache-dir", str(tmp_path)])
    assert res.exit_code == 2 and "unknown area" in res.output


@pytest.mark.slow
def test_cli_fetch_uusimaa_goes_part_by_part(overpass, tmp_path):
    """``--area uusimaa`` fetches the six service areas one by one; a part without streets
    (the local server holds central Helsinki only) is an error naming the part."""
    from typer.testing import CliRunner

    from planner.cli.network import network_app

    res = CliRunner().invoke(network_app, ["fetch", "--area", "uusimaa", "--mode", "walk", "--overpass-url",
                                           overpass.url, "--cache-dir", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert "part 1/6: Espoo–Kauniainen" in res.output
    assert "error: part 1/6 (Espoo–Kauniainen) of uusimaa: downloading the walk network" in res.output
    assert "Helsinki" not in res.output  # it stopped at the first part


def test_part_progress_is_richs_bar_with_parts_done_and_messages_verbatim():
    """The split download's progress is rich's progress bar (issue 27: no hand-made bar):
    parts done of all and the part just finished; step messages print as typed (an area
    name in brackets is not read as rich markup)."""
    import io

    from rich.console import Console
    from rich.progress import Progress

    from planner.cli.network import _PartProgress

    buf = io.StringIO()
    with _PartProgress(Console(file=buf, width=100, force_terminal=False)) as bar:
        assert isinstance(bar.progress, Progress)
        bar.message("part 2/6: [bold]Helsinki[/bold]")
        bar(2, 6, "Helsinki")
    out = buf.getvalue()
    assert "  part 2/6: [bold]Helsinki[/bold]" in out
    last = [ln for ln in out.splitlines() if "parts" in ln][-1]
    assert "2/6" in last and "(Helsinki done)" in last, out


def test_fetch_unreachable_server_is_a_network_error(tmp_path):
    settings = dataclasses.replace(DEFAULT_SETTINGS, cache_dir=tmp_path)
    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = shapely.box(*TO_3067.transform(24.938, 60.166), *TO_3067.transform(24.950, 60.176))
    with pytest.raises(NetworkError, match="failed"):
        fetch_network(box, "drive", settings, overpass_url=f"http://127.0.0.1:{port}/api")


def test_reference_graph_is_plain_networkx(networks):
    reference_graph = reference.reference_graph

    g = reference_graph(networks["drive"])
    assert isinstance(g, nx.DiGraph) and g.number_of_edges() == networks["drive"].n_edges


# --- snapping that finds the real way in (issue 10, item 4) ------------------------------------

STATION_HALL = np.array([[385875.0, 6672125.0]])  # Helsinki railway station hall, EPSG:3067


def test_station_hall_is_reached_on_foot_in_minutes_not_through_a_detour(settings):
    """250 m east, west and south of the station hall: at most 8 min on foot. Joined to its
    single nearest node (a service way meeting the streets only through a ~1.8 km detour)
    the hall took 26-31 min; joined to every node within the snap radius it does not."""
    model = helsinki_demo_model("walk", settings)
    around = STATION_HALL + np.array([[250.0, 0.0], [-250.0, 0.0], [0.0, -250.0]])
    t = model.times(around, STATION_HALL)[:, 0]
    assert (t <= 8.0).all(), t
    assert (t >= 250.0 / model.walk_m_per_min).all()  # never faster than the straight line on foot
    single = NetworkModel(model.network, dataclasses.replace(settings, snap_radius_m=0.0))
    assert (single.times(around, STATION_HALL)[:, 0] > 20.0).all()  # the detour this fixes
    # the csgraph sweep equals the networkx reference on the same virtual-node graph
    ref = reference_times(model.network, around, STATION_HALL, settings)
    assert np.allclose(t, ref[:, 0], atol=1e-9)
    # the other code paths agree: the point x node matrix and the nearest-point sweep
    pm = model.point_matrix(STATION_HALL)
    start, node, leg_s = model.links(around)
    via_matrix = [min(pm.time_min[0, node[a:b]] + leg_s[a:b] / 60.0)
                  for a, b in zip(start[:-1], start[1:], strict=True)]
    assert np.allclose(via_matrix, t)
    assert np.allclose(model.nearest(STATION_HALL).time_min, pm.time_min[0])


def test_snap_legs_are_reported(settings):
    model = helsinki_demo_model("walk", settings)
    legs = model.snap_legs(STATION_HALL)
    assert len(legs) > 1 and (legs["point"] == 0).all()
    assert legs["snap_m"].min() == pytest.approx(model.snap_report(STATION_HALL)["snap_m"].iloc[0])
    # every link within the radius, except the nearest node, which is always linked
    assert (legs["snap_m"].nlargest(2).iloc[1] <= settings.snap_radius_m)
    assert legs["snap_min"].to_numpy() == pytest.approx(legs["snap_m"].to_numpy() / model.walk_m_per_min)


def test_parallel_sweeps_equal_the_in_process_ones(tmp_path):
    """Two forked workers give exactly the rows of the in-process sweeps (real Helsinki walk
    network), and the model's matrix is the same either way. Run in a fresh interpreter:
    forking is only used from a single-threaded process, and pytest's may hold threads."""
    import subprocess

    script = tmp_path / "par.py"
    script.write_text(
        "import dataclasses, numpy as np\n"
        "from scipy.sparse.csgraph import dijkstra\n"
        "from planner.settings import DEFAULT_SETTINGS\n"
        "from planner.traveltime.network import NetworkModel, helsinki_demo_model, parallel_sweeps\n"
        "m = helsinki_demo_model('walk')\n"
        "g, n = m._rev, m.network.n_nodes\n"
        "src = np.arange(0, n, n // 40)[:40]\n"
        "par = parallel_sweeps(g, src, n, 8, 2)\n"
        "assert par is not None and par.shape == (40, n)\n"
        "assert np.array_equal(par, dijkstra(g, directed=True, indices=src)), 'rows differ'\n"
        "rng = np.random.default_rng(3)\n"
        "pts = np.column_stack([rng.uniform(m.network.x.min(), m.network.x.max(), 30),\n"
        "                       rng.uniform(m.network.y.min(), m.network.y.max(), 30)])\n"
        "import planner.traveltime.network as N\n"
        "used = []\n"
        "def spy(*a):\n"
        "    rows = parallel_sweeps(*a)\n"
        "    used.append(rows is not None)\n"
        "    return rows\n"
        "N.parallel_sweeps = spy\n"
        "S = DEFAULT_SETTINGS\n"
        "one = NetworkModel(m.network, dataclasses.replace(S, sweep_workers=1), cache_bytes=0)\n"
        "two = NetworkModel(m.network, dataclasses.replace(S, sweep_workers=2), cache_bytes=0)\n"
        "a = one.point_matrix(pts).time_min\n"
        "assert used and not any(used), used  # one worker: every sweep in this process\n"
        "used.clear()\n"
        "assert np.array_equal(a, two.point_matrix(pts).time_min)\n"
        "assert used == [True], used  # the second model swept in two processes, in one pass\n"
        "f32 = NetworkModel(m.network, dataclasses.replace(S, sweep_workers=2), cache_bytes=0)\n"
        "assert np.array_equal(a.astype(np.float32), f32.point_matrix(pts, np.float32).time_min)\n"
        "print('ok')\n")
    import sys

    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parent.parent)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]
    # too few sweeps, or one worker: the caller sweeps in-process
    from planner.traveltime.network import helsinki_demo_model, parallel_sweeps

    m = helsinki_demo_model("walk")
    assert parallel_sweeps(m._rev, np.arange(8), m.network.n_nodes, 8, 2) is None
    assert parallel_sweeps(m._rev, np.arange(64), m.network.n_nodes, 8, 1) is None
