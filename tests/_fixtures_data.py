"""Fixture builders for the data tests: tiny TLC/311 files and a local HTTP server.

The server is stdlib ``http.server`` on 127.0.0.1 in a thread; tests never reach the
outside network. Routes map a URL path to a reply:

* ``("bytes", body)``: 200 with the body;
* ``("status", code)``: an HTTP error;
* ``("truncate", body, n)``: announces ``len(body)`` bytes, sends ``n``, closes;
* ``("soql", rows)``: a minimal Socrata endpoint over ``rows`` (``count(*) AS n``,
  ``$limit``/``$offset``), recording each query string in ``server.queries``.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# One valid trip; tests override fields to push a row across one filter bound.
BASE_TRIP: dict[str, Any] = {
    "VendorID": 2,
    "pickup": datetime(2023, 1, 1, 0, 32, 10),  # a Sunday
    "minutes": 10.0,
    "passenger_count": 1.0,
    "trip_distance": 2.0,
    "RatecodeID": 1.0,
    "PULocationID": 161,
    "DOLocationID": 141,
    "payment_type": 1,
    "fare_amount": 12.5,
    "total_amount": 16.0,
}


def trip_table(rows: list[dict[str, Any]], color: str = "yellow", unit: str = "ns") -> pa.Table:
    """A TLC-shaped arrow table (official column names and types) from ``rows``.

    Each row overrides ``BASE_TRIP``; ``minutes`` sets the dropoff time. Green tables get
    ``lpep_*`` names, microsecond timestamps by default in TLC's files, and ``trip_type``.
    """
    prefix = "tpep" if color == "yellow" else "lpep"
    full = [{**BASE_TRIP, **r} for r in rows]
    ts = pa.timestamp(unit)
    cols: dict[str, pa.Array] = {
        "VendorID": pa.array([r["VendorID"] for r in full], pa.int64()),
        f"{prefix}_pickup_datetime": pa.array([r["pickup"] for r in full], ts),
        f"{prefix}_dropoff_datetime": pa.array(
            [r["pickup"] + timedelta(minutes=r["minutes"]) for r in full], ts
        ),
        "passenger_count": pa.array([r["passenger_count"] for r in full], pa.float64()),
        "trip_distance": pa.array([r["trip_distance"] for r in full], pa.float64()),
        "RatecodeID": pa.array([r["RatecodeID"] for r in full], pa.float64()),
        "store_and_fwd_flag": pa.array(["N"] * len(full), pa.string()),
        "PULocationID": pa.array([r["PULocationID"] for r in full], pa.int64()),
        "DOLocationID": pa.array([r["DOLocationID"] for r in full], pa.int64()),
        "payment_type": pa.array([r["payment_type"] for r in full], pa.int64()),
        "fare_amount": pa.array([r["fare_amount"] for r in full], pa.float64()),
        "total_amount": pa.array([r["total_amount"] for r in full], pa.float64()),
    }
    if color == "green":
        cols["trip_type"] = pa.array([1.0] * len(full), pa.float64())
    else:
        cols["airport_fee"] = pa.array([0.0] * len(full), pa.float64())
    return pa.table(cols)


def write_trips(
    path: Path, rows: list[dict[str, Any]], color: str = "yellow", unit: str = "ns"
) -> Path:
    """Write ``trip_table(rows, color, unit)`` to ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(trip_table(rows, color, unit), path)
    return path


def parquet_bytes(table: pa.Table) -> bytes:
    """The bytes of ``table`` written as parquet."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def zone_csv(n_zones: int = 265) -> str:
    """A zone lookup CSV with ``n_zones`` rows, the last two as in TLC's current revision."""
    lines = ['"LocationID","Borough","Zone","service_zone"']
    lines += [f'{i},"Manhattan","Zone {i}","Yellow Zone"' for i in range(1, n_zones - 1)]
    lines += ['264,"Unknown","N/A","N/A"', '265,"N/A","Outside of NYC","N/A"']
    return "\r\n".join(lines) + "\r\n"


def nyc311_rows(n: int = 7) -> list[dict[str, str]]:
    """Socrata-style JSON rows (all values text, as the API sends them)."""
    types = [("HEAT/HOT WATER", "HPD"), ("Noise - Residential", "NYPD"), ("Rodent", "DOHMH")]
    rows = []
    for i in range(n):
        created = datetime(2023, 1, 1 + i, 8, 0, 0)
        closed = created + timedelta(hours=1.5 * (i + 1))
        ctype, agency = types[i % len(types)]
        rows.append(
            {
                "unique_key": str(56000000 + n - i),  # reverse order: the API sorts by key
                "created_date": created.strftime("%Y-%m-%dT%H:%M:%S.000"),
                "closed_date": closed.strftime("%Y-%m-%dT%H:%M:%S.000"),
                "complaint_type": ctype,
                "agency": agency,
                "open_data_channel_type": "PHONE",
                "borough": "BRONX" if i % 2 else "MANHATTAN",
            }
        )
    return rows


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, body: bytes, status: int = 200, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        route = self.server.routes.get(url.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        kind = route[0]
        if kind == "bytes":
            self._send(route[1])
        elif kind == "status":
            self.send_error(route[1])
        elif kind == "truncate":
            body, n = route[1], route[2]
            self._send(body[:n], length=len(body))
            self.wfile.flush()
            self.close_connection = True
        elif kind == "soql":
            self._soql(route[1], url.query)

    def _soql(self, rows: list[dict[str, str]], query: str) -> None:
        params = dict(urllib.parse.parse_qsl(query))
        self.server.queries.append(params)
        if params.get("$select", "").lower().startswith("count("):
            count = self.server.count_override
            self._send(json.dumps([{"n": str(len(rows) if count is None else count)}]).encode())
            return
        ordered = sorted(rows, key=lambda r: int(r["unique_key"]))
        offset, limit = int(params.get("$offset", 0)), int(params.get("$limit", 1000))
        self._send(json.dumps(ordered[offset : offset + limit]).encode())


class LocalServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 whose replies are set by ``routes``."""

    daemon_threads = True

    def __init__(self, routes: dict[str, tuple]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.queries: list[dict[str, str]] = []
        self.count_override: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def serve(routes: dict[str, tuple]) -> Iterator[LocalServer]:
    """Run a LocalServer in a thread for the duration of the block."""
    server = LocalServer(routes)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def no_proxy(monkeypatch: Any) -> None:
    """Make urllib talk to 127.0.0.1 directly even where a proxy is configured."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def files_under(folder: Path) -> list[Path]:
    """Every file below ``folder`` (temporary files included), for no-leftover checks."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
