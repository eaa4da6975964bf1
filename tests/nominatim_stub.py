"""A local HTTP server that speaks Nominatim's search JSON, for tests (127.0.0.1 only).

Tests register what a query gets: ``stub.route("Embassy of Sweden", status=200, body=[...])``
or a failure (``status=429``, ``delay=1.0``, ``raw=b"{not json"``). Unrouted queries get
``[]``. Every request is recorded with its arrival time (``time.monotonic()``), its query
string and its User-Agent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Route:
    status: int = 200
    body: object = field(default_factory=list)
    raw: bytes | None = None  # sent as-is instead of JSON(body)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    at: float
    path: str
    params: dict[str, str]
    user_agent: str


def result(lat: float, lon: float, name: str, country_code: str, *, osm_class: str = "amenity",
           osm_type: str = "embassy", addresstype: str = "amenity") -> dict:
    """One Nominatim search result as the real service shapes it (format=json)."""
    return {
        "place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "node", "osm_id": 1, "lat": str(lat), "lon": str(lon),
        "class": osm_class, "type": osm_type, "addresstype": addresstype,
        "place_rank": 30, "importance": 0.3, "name": name.split(",")[0],
        "display_name": name,
        "address": {"country_code": country_code.lower()},
        "boundingbox": [str(lat - 0.001), str(lat + 0.001), str(lon - 0.001), str(lon + 0.001)],
    }


class NominatimStub:
    """``prefix`` serves the API under a path (``/nominatim/search``), like a proxied instance."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix.rstrip("/")
        self.routes: dict[str, Route] = {}
        self.default = Route()
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                with stub._lock:
                    stub.seen.append(Seen(time.monotonic(), url.path, params,
                                          self.headers.get("User-Agent", "")))
                route = stub.routes.get(params.get("q", "").casefold(), stub.default)
                if url.path != stub.prefix + "/search":
                    route = Route(status=404, body={"error": "not found"})
                if route.delay:
                    time.sleep(route.delay)
                payload = route.raw if route.raw is not None else json.dumps(route.body).encode()
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in route.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.domain = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.domain}{self.prefix}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def route(self, q: str, **kw) -> None:
        self.routes[q.casefold()] = Route(**kw)

    def start(self) -> NominatimStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queries(self) -> list[str]:
        return [s.params.get("q", "") for s in self.seen]


def closed_port() -> int:
    """A local port with nothing listening on it (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
