"""The transport: a BaseHTTPRequestHandler that reads a request, injects trouble, and writes the response.

Why the standard library by default: http.server gives full control of the connection, so
transport faults (a connection dropped without a response byte) can be injected, and it adds
no dependency. asgi.py serves the same app under uvicorn, a production ASGI stack.
"""
from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .messages import ApiError, Response, new_request_id, status_phrase
from .trouble import SLOW_SECONDS, trouble_answer
from .wire import header_name, prepare
from .wire_faults import as_written, dropped

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

    def handle_one_request(self) -> None:
        """As http.server reads a request; with a head_limit (a Node personality), a head over it is refused as
        Node's parser refuses it: `431` with no body, then the connection reset with the rest of the request unread."""
        limit = self.server.reference.variants.head_limit
        if not limit:
            super().handle_one_request()
            return
        self.raw_requestline = self.rfile.readline(limit + 1)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > limit or not self.parse_request():
            if len(self.raw_requestline) > limit:
                self._reset_after(b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n")
            return
        head = len(self.raw_requestline) + sum(len(f"{name}: {value}\r\n") for name, value in self.headers.items())
        if head > limit:
            self._reset_after(b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n")
            return
        getattr(self, f"do_{self.command}")()
        self.wfile.flush()

    def _reset_after(self, raw: bytes) -> None:
        """Write `raw`, then close with a reset (SO_LINGER 0), as a server that destroys the socket does."""
        self.wfile.write(raw)
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()  # now: socketserver would first shut the writing side down (a FIN, not a reset)
        self.close_connection = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):  # quiet: the request log is the record
        pass

    def _dispatch(self) -> None:
        reference = self.server.reference
        self._discard_body()
        kind = reference.trouble.pick()
        if kind == "drop" or dropped(self.path, reference.app.faults):
            self.close_connection = True  # return without writing a byte; the socket is then closed
            reference.record(self.command, self.path, None, kind)
            return
        if kind == "slow":
            time.sleep(SLOW_SECONDS)
        if kind in ("429", "503"):
            response = trouble_answer(kind, reference.app)
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

    def send_header(self, keyword: str, value: str) -> None:
        # Every header name, Server and Date from send_response included, in the header_case personality's case.
        super().send_header(header_name(keyword, self.server.reference.variants.header_case), value)

    def _write(self, response: Response) -> None:
        reference = self.server.reference
        headers = getattr(self, "headers", None)  # None when the request line itself was refused
        wire = prepare(response, reference.variants, self.command, headers.get("Accept-Encoding") if headers else None,
                       http_10=self.request_version in ("HTTP/1.0", "HTTP/0.9"))
        wire, unfinished = as_written(wire, response, self.command, reference.app.faults)
        if reference.variants.latency_ms:
            time.sleep(reference.variants.latency_ms / 1000)
        self.send_response(wire.status)
        for name, value in wire.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        for piece in wire.pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if wire.chunked else piece)
        if unfinished:  # a wire fault: the connection closes where the framing says the answer goes on
            self.close_connection = True
        elif wire.chunked and self.command != "HEAD":
            self.wfile.write(b"0\r\n\r\n")

    def send_error(self, code, message=None, explain=None):
        """Malformed requests rejected by http.server itself also get a JSON error body."""
        app = self.server.reference.app
        error = ApiError(code, "request.invalid" if code < 500 else "server.error", status_phrase(code))
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # unparseable request line: still answer with a status line
            self.request_version = "HTTP/1.0"
        self._write(app.error_response(error, new_request_id()))
