"""A local stand-in for the two service registers on 127.0.0.1, replaying recorded shapes.

Serves ``tests/data/registers/`` (see its README for where each shape comes from):

- TPR (Helsinki-region Service Map REST API, ``{tpr_url}``):
  ``v4/unit/?newfeatures=yes`` -> the unit list; ``vpalvelurekisteri/description/{id}?language=fi``
  -> one service description (404 for an unknown id).
- PTV (open API v11, ``{ptv_url}``):
  ``ServiceChannel/list/area/Municipality/code/{code}?includeWholeCountry=false&page=N`` -> the
  channels whose area names that municipality, in pages of ``page_size`` (``pageCount`` 0 and
  ``itemList`` null when there are none: the client must accept a null list);
  ``ServiceChannel/list/organization?code={business id}&page=N`` -> the organisation's channels.
  A malformed code -> 400.

``fail`` maps a path fragment to HTTP statuses answered (in order) before the real answer:
``{"code/638": [503, 503]}`` fails that request twice. ``requests`` logs every request path.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATA = Path(__file__).parent / "data" / "registers"


def recorded_units() -> list[dict]:
    return json.loads((DATA / "tpr_units.json").read_text(encoding="utf-8"))


def recorded_channels() -> tuple[dict[str, str], list[dict]]:
    doc = json.loads((DATA / "ptv_channels.json").read_text(encoding="utf-8"))
    return doc["organisations"], doc["channels"]


class FakeRegisters:
    """Both registers on one local port; edit ``units`` / ``channels`` before or while serving."""

    def __init__(self, page_size: int = 2):
        self.units = recorded_units()
        desc = json.loads((DATA / "tpr_description_7705.json").read_text(encoding="utf-8"))
        self.descriptions = {7705: desc}
        self.organisations, self.channels = recorded_channels()
        self.page_size = page_size
        self.fail: dict[str, list[int]] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- answers
    def _page(self, items: list[dict], page: int) -> dict:
        n = len(items)
        count = (n + self.page_size - 1) // self.page_size
        chunk = items[(page - 1) * self.page_size: page * self.page_size]
        return {"pageNumber": page, "pageSize": self.page_size, "pageCount": count,
                "itemList": copy.deepcopy(chunk) if chunk else None}

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        one = {k: v[0] for k, v in query.items()}
        if path.endswith("/palvelukarttaws/rest/v4/unit/"):
            return 200, copy.deepcopy(self.units)
        m = re.search(r"/palvelukarttaws/rest/vpalvelurekisteri/description/(\d+)$", path)
        if m:
            d = self.descriptions.get(int(m.group(1)))
            return (200, copy.deepcopy(d)) if d is not None else (404, {"detail": "Not found."})
        page = int(one.get("page", "1"))
        m = re.search(r"/api/v11/ServiceChannel/list/area/Municipality/code/([^/]+)$", path)
        if m:
            code = m.group(1)
            if not re.fullmatch(r"\d{3}", code):
                return 400, {"code": [f"The field is invalid: '{code}'."]}
            items = [c for c in self.channels if c.get("areaType") == "LimitedType"
                     and any(mm.get("code") == code for a in c.get("areas") or []
                             for mm in a.get("municipalities") or [])]
            return 200, self._page(items, page)
        if path.endswith("/api/v11/ServiceChannel/list/organization"):
            org = self.organisations.get(one.get("code", ""))
            items = [c for c in self.channels if org and c.get("organizationId") == org]
            return 200, self._page(items, page)
        return 404, {"error": "not found"}

    # ---------------------------------------------------------------- server
    def __enter__(self) -> FakeRegisters:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlparse(self.path)
                with outer._lock:
                    outer.requests.append(self.path)
                    status = None
                    for frag, statuses in outer.fail.items():
                        if frag in self.path and statuses:
                            status = statuses.pop(0)
                            break
                if status is not None:
                    body, code = b'{"error": "injected failure"}', status
                else:
                    code, obj = outer.answer(url.path, parse_qs(url.query))
                    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.tpr_url = f"{root}/palvelukarttaws/rest/"
        self.ptv_url = f"{root}/api/v11/"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
