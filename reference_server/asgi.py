"""The same RunsApp as an ASGI application, and uvicorn (h11) running it in a background thread.

A real production HTTP stack in front of the app: uvicorn parses the requests (h11), writes the status line and
its own headers (`server`, `date`, and h11's framing headers), and keeps connections alive its own way. The app
gets the request target exactly as sent (`raw_path` and `query_string`: percent-escapes untouched) and the
headers case-insensitively. ASGI requires lower-case response header names, so under uvicorn every header name
the app writes is lower-case whatever header_case says (`canonical` is refused: uvicorn cannot write it).

Transport trouble that drops a connection cannot be injected here (the server owns the connection): under
uvicorn, `trouble_rate` injects only the answered kinds, 429 and 503 (trouble.ANSWERED_KINDS).
"""
from __future__ import annotations

import asyncio
import socket
import threading
import time

from .trouble import SLOW_SECONDS, trouble_answer
from .wire import prepare

START_TIMEOUT_SECONDS = 10.0
GRACEFUL_SHUTDOWN_SECONDS = 2


class Headers:
    """ASGI request headers (lower-case byte names) read case-insensitively: `get` gives the first of repeated ones,
    `get_all` all of them, as http.server's headers do."""

    def __init__(self, raw: list[tuple[bytes, bytes]]):
        self._items = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw]

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self._items if key == wanted), default)

    def get_all(self, name: str, failobj=None) -> list[str] | None:
        """Every value of a header, in order, as http.server's `headers.get_all`; `failobj` when there is none."""
        wanted = name.lower()
        return [value for key, value in self._items if key == wanted] or failobj

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)


def request_target(scope: dict) -> str:
    """The request target as sent: the raw path and the raw query string, as latin-1 text (like http.server)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    return raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


class RunsAsgiApp:
    """ASGI 3 application serving the ReferenceServer's RunsApp with its trouble, request log and personalities."""

    def __init__(self, reference):
        self.reference = reference  # the ReferenceServer: app, trouble, variants, record()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        await self._discard_body(receive)
        reference = self.reference
        method, target, headers = scope["method"], request_target(scope), Headers(scope["headers"])
        kind = reference.trouble.pick()
        if kind == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if kind in ("429", "503"):
            response = trouble_answer(kind, reference.app)
        else:
            response = reference.app.handle(method, target, headers)
        # Recorded before the answer is written, so a client that has its answer finds it in the request log.
        reference.record(method, target, response.status, kind)
        wire = prepare(response, reference.variants, method, headers.get("Accept-Encoding"),
                       http_10=scope.get("http_version") in ("1.0", "0.9"))
        if reference.variants.latency_ms:
            await asyncio.sleep(reference.variants.latency_ms / 1000)
        await send({"type": "http.response.start", "status": wire.status,
                    "headers": [(name.lower().encode("latin-1"), value.encode("latin-1"))
                                for name, value in wire.headers]})
        for piece in wire.pieces[:-1]:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": wire.pieces[-1] if wire.pieces else b""})

    @staticmethod
    async def _discard_body(receive) -> None:
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                return

    @staticmethod
    async def _lifespan(receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


class UvicornThread:
    """uvicorn (h11, asyncio) serving an ASGI app from a background thread, on a socket bound here: the port is
    known once constructed (0 picks a free one); start() returns once uvicorn accepts connections, stop() stops it
    and releases the port."""

    def __init__(self, app, host: str, port: int):
        try:
            import uvicorn  # only this stack needs it: a dev extra (pip install -c constraints.txt -e '.[dev]')
        except ImportError as exc:
            raise RuntimeError("stack='uvicorn' needs uvicorn: pip install -c constraints.txt uvicorn") from exc

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it (Linux): headers and body go out in two writes, and without it Nagle's
        # algorithm and the client's delayed ACK add ~40 ms to every keep-alive answer (as in handler.py).
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.socket.bind((host, port))
        except OSError:
            self.socket.close()
            raise
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, http="h11", loop="asyncio", lifespan="off", ws="none", interface="asgi3",
                                log_config=None, log_level="warning", access_log=False,
                                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="reference-server-uvicorn", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.socket])
        except BaseException as exc:  # noqa: BLE001 (reported by start())
            self._error = exc

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start: {self._error or 'timed out'}")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 5)
        self.socket.close()
