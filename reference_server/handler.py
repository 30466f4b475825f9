"""The transport: a BaseHTTPRequestHandler that reads a request, injects trouble, and writes the response.

Why the standard library and not an ASGI server: http.server gives full control of the
connection, so transport faults (a connection dropped without a response byte) can be
injected, and it adds no dependency.
"""
from __future__ import annotations

import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import ApiError, Response, new_request_id, status_phrase
from .trouble import SLOW_SECONDS, trouble_error

MAX_DISCARDED_BODY = 1 << 20


class RunsHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer (daemon threads) that tracks open connections so stop() can close them."""

    daemon_threads = True

    def __init__(self, address, reference):
        self.reference = reference  # the ReferenceServer: app, trouble, record()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RunsHandler)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            print(f"reference_server: connection error: {type(exc).__name__}: {exc}", file=sys.stderr)


class RunsHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bctrl-reference"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this many seconds

    def __getattr__(self, name: str):
        # Every method (GET, POST, TRACE, FOO, ...) reaches the same dispatcher.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and delayed ACKs add
        # ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):  # quiet: the request log is the record
        pass

    def _dispatch(self) -> None:
        reference = self.server.reference
        self._discard_body()
        kind = reference.trouble.pick()
        if kind == "drop":
            self.close_connection = True  # return without writing a byte; the socket is then closed
            reference.record(self.command, self.path, None, kind)
            return
        if kind == "slow":
            time.sleep(SLOW_SECONDS)
        if kind in ("429", "503"):
            response = reference.app.error_response(trouble_error(kind), new_request_id())
        else:
            response = reference.app.handle(self.command, self.path, self.headers)
        # Recorded before the answer is written, so a client that has its answer finds it in the request log.
        reference.record(self.command, self.path, response.status, kind)
        self._write(response)

    def _discard_body(self) -> None:
        """Read and drop a request body so the keep-alive connection stays in sync."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return
        length = self.headers.get("Content-Length")
        if length is None:
            return
        if not length.strip().isdigit() or int(length) > MAX_DISCARDED_BODY:
            self.close_connection = True
            return
        remaining = int(length)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code, message=None, explain=None):
        """Malformed requests rejected by http.server itself also get a JSON error body."""
        app = self.server.reference.app
        error = ApiError(code, "request.invalid" if code < 500 else "server.error", status_phrase(code))
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # unparseable request line: still answer with a status line
            self.request_version = "HTTP/1.0"
        self._write(app.error_response(error, new_request_id()))
