"""``KrakenDouble``: a loopback HTTP server that the unmodified ``ccxt.kraken`` class talks to.

Example::

    with KrakenDouble(DoubleConfig()) as double:      # port 0: a free port
        ex = ccxt.kraken({"apiKey": double.key, "secret": double.secret})
        ex.urls["api"]["public"] = ex.urls["api"]["private"] = double.url
        ex.fetch_ticker("BTC/USDT")
        double.requests                                 # every request, for assertions

Control endpoints: ``GET /__control/requests``, ``POST /__control/faults`` (a ``Fault`` or a list),
``DELETE /__control/faults``, ``POST /__control/clock`` (``{"advance_s": 3600}`` or ``{"now_s": ...}``).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from pydantic import BaseModel, ConfigDict, Field

from peak.exchange.double.auth import DEFAULT_KEY, DEFAULT_SECRET, Authenticator
from peak.exchange.double.book import DEFAULT_BALANCES, Book, KrakenReject
from peak.exchange.double.endpoints import Endpoints, load_pairs
from peak.exchange.double.faults import KRAKEN_ERRORS, Fault, FaultPlan


class DoubleConfig(BaseModel):
    """The double's settings. ``now_s`` freezes the clock (``None``: wall time at start, then frozen)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    key: str = DEFAULT_KEY
    secret: str = DEFAULT_SECRET
    now_s: int | None = None
    balances: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_BALANCES))
    faults: list[Fault] = Field(default_factory=list)


class KrakenDouble:
    """The server, its account and its request log. Start with ``start()`` or as a context manager."""

    def __init__(self, cfg: DoubleConfig | None = None) -> None:
        self.cfg = cfg or DoubleConfig()
        self.now_s = self.cfg.now_s or int(time.time()) // 60 * 60
        self.book = Book(load_pairs(), dict(self.cfg.balances), checked_s=self.now_s)
        self.endpoints = Endpoints(self.book)
        self.auth = Authenticator(self.cfg.key, self.cfg.secret)
        self.faults = FaultPlan(list(self.cfg.faults))
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def key(self) -> str:
        """The API key the double accepts."""
        return self.cfg.key

    @property
    def secret(self) -> str:
        """The base64 API secret the double accepts."""
        return self.cfg.secret

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ccxt's ``urls['api']`` and ``exchange.base_url``."""
        if self._server is None:
            raise RuntimeError("KrakenDouble.url: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> KrakenDouble:
        """Serve in a daemon thread; returns self."""
        server = ThreadingHTTPServer((self.cfg.host, self.cfg.port), _Handler)
        server.daemon_threads = True
        server.double = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="kraken-double", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> KrakenDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_fault(self, kind: str, endpoint: str = "*", count: int = 1, delay_s: float = 0.0) -> None:
        """Inject a fault (see ``peak.exchange.double.faults``)."""
        self.faults.add(Fault(kind=kind, endpoint=endpoint, count=count, delay_s=delay_s))  # type: ignore[arg-type]

    def advance(self, seconds: int) -> None:
        """Move the clock forward; open limit orders the path crosses fill."""
        with self.lock:
            self.now_s += int(seconds)
            self.book.advance(self.now_s)

    def calls(self, endpoint: str) -> list[dict[str, Any]]:
        """Recorded requests to ``endpoint`` (e.g. ``"AddOrder"``)."""
        return [r for r in list(self.requests) if r["endpoint"] == endpoint]

    def answer(self, method: str, path: str, body: str, headers: dict[str, str]) -> dict[str, Any]:
        """The Kraken envelope for one API request (no faults applied)."""
        parts = path.split("/")
        endpoint = parts[-1]
        form = dict(parse_qsl(body if method == "POST" else urlparse(path).query, keep_blank_values=True))
        try:
            with self.lock:
                if len(parts) == 4 and parts[2] == "private":
                    self.auth.check(
                        path, body, form.get("nonce"), headers.get("API-Key"), headers.get("API-Sign")
                    )
                    return {"error": [], "result": self.endpoints.private(endpoint, form, self.now_s)}
                return {
                    "error": [],
                    "result": self.endpoints.public(endpoint.split("?")[0], form, self.now_s),
                }
        except KrakenReject as exc:
            return {"error": [str(exc)]}
        except (ValueError, KeyError):
            return {"error": ["EGeneral:Invalid arguments"]}

    def control(self, method: str, path: str, body: str) -> Any:
        """Answer a ``/__control/...`` request."""
        if path == "/__control/requests":
            return list(self.requests)
        if path == "/__control/faults" and method == "DELETE":
            self.faults.clear()
            return {"cleared": True}
        if path == "/__control/faults":
            data = json.loads(body or "[]")
            for item in data if isinstance(data, list) else [data]:
                self.faults.add(Fault.model_validate(item))
            return {"added": len(data) if isinstance(data, list) else 1}
        if path == "/__control/clock":
            data = json.loads(body or "{}")
            self.advance(
                int(data["now_s"]) - self.now_s if "now_s" in data else int(data.get("advance_s", 0))
            )
            return {"now_s": self.now_s}
        raise KeyError(path)


class _Handler(BaseHTTPRequestHandler):
    """One request: control, or record → fault → answer."""

    protocol_version = "HTTP/1.1"  # keep-alive: ccxt's requests session reuses the connection

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr line."""

    def _handle(self, method: str) -> None:
        double: KrakenDouble = self.server.double  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path
        if path.startswith("/__control/"):
            try:
                self._send(200, json.dumps(double.control(method, path, body)))
            except (KeyError, ValueError) as exc:
                self._send(404 if isinstance(exc, KeyError) else 400, json.dumps({"error": str(exc)}))
            return
        endpoint = urlparse(path).path.rsplit("/", 1)[-1]
        form = dict(parse_qsl(body if method == "POST" else urlparse(path).query))
        form.pop("nonce", None)
        double.requests.append(
            {"method": method, "path": urlparse(path).path, "endpoint": endpoint, "params": form}
        )
        fault = double.faults.take(endpoint)
        if fault is not None and self._pre_fault(fault):
            return
        headers = {"API-Key": self.headers.get("API-Key", ""), "API-Sign": self.headers.get("API-Sign", "")}
        answer = double.answer(method, urlparse(path).path if method == "POST" else path, body, headers)
        if fault is not None and fault.kind == "ambiguous_create":
            self._drop()  # accepted and recorded, but the client never learns the result
            return
        self._send(200, json.dumps(answer))

    def _pre_fault(self, fault: Fault) -> bool:
        """Apply ``fault`` before processing; True when the request is finished (answered or dropped)."""
        time.sleep(fault.delay_s)
        if fault.kind == "timeout":
            self._drop()
            return True
        if fault.kind == "http_500":
            self._send(500, "Internal Server Error", "text/plain")
            return True
        if fault.kind in KRAKEN_ERRORS:
            self._send(200, json.dumps({"error": [KRAKEN_ERRORS[fault.kind]]}))
            return True
        return False

    def _drop(self) -> None:
        self.close_connection = True

    def _send(self, status: int, text: str, content_type: str = "application/json") -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
