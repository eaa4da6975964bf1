"""A local map-tile server for tests (127.0.0.1 only): ``/<provider>/<z>/<x>/<y>.png``.

Every tile is one small solid-colour PNG (a colour per provider, so a screenshot shows which
layer is on); every request is recorded. Point the app at it with
``NEWSMAP_TILES_URL=http://127.0.0.1:<port>/{name}/{z}/{x}/{y}.png`` (geo/tiles.py).
"""

from __future__ import annotations

import contextlib
import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COLOURS = {"CartoDB.Positron": (236, 236, 236), "OpenStreetMap.Mapnik": (170, 211, 223),
           "Esri.WorldImagery": (60, 90, 50)}
TILE = re.compile(r"^/([A-Za-z.]+)/(\d+)/(\d+)/(\d+)\.png$")


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A solid ``size`` x ``size`` RGB PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * size
    head = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head)
            + chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))


class TileStub:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self._tiles = {k: png(c) for k, c in COLOURS.items()}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                with stub._lock:
                    stub.seen.append(self.path)
                m = TILE.match(self.path)
                body = stub._tiles.get(m.group(1)) if m else None
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                with contextlib.suppress(OSError):  # the browser cancelled (it moved on)
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/{{name}}/{{z}}/{{x}}/{{y}}.png"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TileStub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
