"""HTTP for the registers: polite (rate limit, retries), cached on disk, and loud on failure.

Every answer is stored in the cache folder with the URL and the time it was fetched, so
``--offline`` rebuilds the same file from the cache and still says when the data was
fetched. A request that fails after its retries is a :class:`RegisterError` naming the URL
and the HTTP status (or the connection error); :func:`RegisterClient.get_many` collects
every failure of a batch before stopping, so one run lists all broken requests.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ...errors import PlannerError

__all__ = ["RegisterError", "Answer", "RegisterClient", "USER_AGENT"]

USER_AGENT = "uusimaa-service-network-planner/0.1 (regional planning; planner points fetch)"
# statuses worth a retry: rate limited or a passing server fault
RETRY_STATUSES = (429, 500, 502, 503, 504)


class RegisterError(PlannerError, RuntimeError):
    """A register request that failed: the URL and the HTTP status or connection error."""


@dataclass(frozen=True)
class Answer:
    """One register answer: the parsed JSON, its URL and when it was fetched (UTC ISO time)."""

    url: str
    data: Any
    fetched_at: str

    @property
    def fetched_on(self) -> str:
        """The fetch date, YYYY-MM-DD."""
        return self.fetched_at[:10]


def full_url(url: str, params: dict[str, Any] | None = None) -> str:
    """``url`` with its query parameters in a fixed order (the cache key and the error text)."""
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(sorted(params.items()))


@dataclass
class RegisterClient:
    """GET JSON from the registers with retries, a minimum interval and a disk cache.

    ``offline``: answer from the cache only (a missing entry is a RegisterError). ``requests``
    counts network requests made (cache reads do not count); ``on_request`` is called after
    each one (the progress bar).
    """

    cache_dir: Path
    offline: bool = False
    min_interval_s: float = 0.5
    retries: int = 3
    backoff_s: float = 0.5
    timeout_s: float = 30.0
    user_agent: str = USER_AGENT
    on_request: Callable[[str], None] | None = None
    requests: int = 0
    _last: float = field(default=0.0, repr=False)
    _session: Any = field(default=None, repr=False)

    def _path(self, url: str) -> Path:
        return self.cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()}.json"

    def _cached(self, url: str) -> Answer | None:
        path = self._path(url)
        if not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            return Answer(entry["url"], entry["data"], entry["fetched_at"])
        except (OSError, ValueError, KeyError) as exc:
            raise RegisterError(f"cache entry {path} for {url} is unreadable ({exc}); delete it and "
                                "fetch again without --offline") from None

    def _store(self, answer: Answer) -> None:
        from ...atomic import write_atomic

        write_atomic(self._path(answer.url), json.dumps(
            {"url": answer.url, "fetched_at": answer.fetched_at, "data": answer.data}, ensure_ascii=False),
            "the register cache")

    def session(self):
        """A requests session retrying GETs on connection errors and 429/5xx (urllib3 Retry)."""
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            retry = Retry(total=self.retries, connect=self.retries, read=self.retries,
                          status=self.retries, backoff_factor=self.backoff_s,
                          status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
                          raise_on_status=False, respect_retry_after_header=True)
            s = requests.Session()
            s.headers.update({"User-Agent": self.user_agent, "Accept": "application/json"})
            adapter = HTTPAdapter(max_retries=retry)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            self._session = s
        return self._session

    def get(self, url: str, params: dict[str, Any] | None = None) -> Answer:
        """The JSON at ``url`` (+ ``params``): from the network, or the cache when offline."""
        key = full_url(url, params)
        if self.offline:
            cached = self._cached(key)
            if cached is None:
                raise RegisterError(f"GET {key}: not in the cache {self.cache_dir} (--offline); "
                                    "fetch once without --offline")
            return cached
        import requests

        wait = self.min_interval_s - (time.monotonic() - self._last)
        if wait > 0:
            time.sleep(wait)  # the registers' fair use: at most one request per interval
        try:
            resp = self.session().get(key, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise RegisterError(f"GET {key}: no answer after {self.retries} retries "
                                f"({type(exc).__name__}: {exc})") from None
        finally:
            self._last = time.monotonic()
            self.requests += 1
            if self.on_request is not None:
                self.on_request(key)
        if resp.status_code != 200:
            reason = f" {resp.reason}" if resp.reason else ""
            after = f" after {self.retries} retries" if resp.status_code in RETRY_STATUSES else ""
            raise RegisterError(f"GET {key}: HTTP {resp.status_code}{reason}{after}")
        try:
            data = resp.json()
        except ValueError:
            raise RegisterError(f"GET {key}: HTTP 200 but the answer is not JSON "
                                f"({resp.headers.get('Content-Type', 'no content type')})") from None
        answer = Answer(key, data, _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        self._store(answer)
        return answer

    def get_many(self, requests_: list[tuple[str, dict[str, Any] | None]]) -> list[Answer]:
        """Every request of a batch; all failures together in one RegisterError (one line each)."""
        answers, failures = [], []
        for url, params in requests_:
            try:
                answers.append(self.get(url, params))
            except RegisterError as exc:
                failures.append(str(exc))
        if failures:
            raise RegisterError(f"{len(failures)} register request(s) failed:\n  " + "\n  ".join(failures))
        return answers
