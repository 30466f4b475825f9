"""The wire: requests sent one after another on one kept-alive HTTP/1.1 connection, each answer read byte by byte
with h11, a strict parser of RFC 9112's framing, and what its bytes broke of it kept with the answer.

Why not urllib3 here: through http.client it reads what RFC 9112 forbids without a word. The body of a HEAD
answer, or bytes past a Content-Length, stay in the socket and become the start of the next answer on that
connection, which urllib3 then fails to read and silently retries on a new one. A frame's broken header line is
often forgiven. h11 reads only what the framing says, and keeps what follows (`trailing_data`).

Why a requests adapter: the polite session sends through it unchanged (the budget, the rate cap, the records,
their listeners), so only the reading differs. A cut-short answer goes where urllib3's do (`ended`, judged against
the size refusals the contract allows); anything else the bytes break is a framing problem (`framing`). An answer
too broken to read at all raises WireBroken, a ConnectionError, with the bytes that came.
"""

from __future__ import annotations

import io
import select
import socket
import ssl
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import h11
import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPHeaderDict, HTTPResponse

from ..outcomes import SettingsError
from ..redaction import redact

GRACE = 0.05  # seconds to wait, after an answer, for bytes that must not come (a slow leftover shows on the next)
RECEIVE = 65536
SHOWN = 120  # bytes of a stray piece shown in a report


@dataclass
class Connection:
    sock: socket.socket
    parser: h11.Connection
    last: str = ""  # the previous request sent on it ("HEAD /v2/…"), to say what left bytes behind


class NoBytes(Exception):
    """The connection ended (closed or reset) before a byte of the answer came."""


class WireBroken(requests.exceptions.ConnectionError):
    """An answer whose bytes h11 could not read as an HTTP/1.1 response at all: the reason, and the bytes that came."""

    def __init__(self, reason: str, raw: bytes):
        super().__init__(f"the answer's bytes are no HTTP/1.1 response ({reason}); they begin {shown(raw)}")
        self.raw = raw


def shown(data: bytes) -> str:
    """A piece of the wire for a report: its first SHOWN bytes as a Python bytes literal, redacted."""
    more = f"… ({len(data):,} bytes)" if len(data) > SHOWN else ""
    return redact(repr(data[:SHOWN])) + more


class WireAdapter(BaseAdapter):
    """A requests adapter that keeps one connection per origin and reads each answer with h11 (no retries: each
    answer comes back as it came). The response it builds carries `framing` (what the bytes broke) and
    `ended_on_wire` (how the connection ended it early, "" when it did not)."""

    def __init__(self, tries: int = 1, again: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._connections: dict[tuple[str, str, int], Connection] = {}
        self._builder = HTTPAdapter()
        self.tries = tries  # a request whose connection ends before a byte of its answer is sent again, so often
        self.again = again  # called before it is (the session's budget and pacing)

    def send(self, request: requests.PreparedRequest, stream=False, timeout=None, verify=True, cert=None,
             proxies=None) -> requests.Response:
        parts = urlsplit(request.url)
        origin = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        if (proxies or {}).get(parts.scheme):  # requests' own adapter would go through it; this one cannot
            raise SettingsError(f"{parts.scheme.upper()}_PROXY: the checks that read answers from their bytes "
                                "speak to the target directly; unset it, or name the target in NO_PROXY")
        framing: list[str] = []
        for attempt in range(1, self.tries + 1):
            connection = self._connection(origin, timeout, verify, framing)
            try:
                response, ended = self._exchange(connection, request, framing)
                break
            except WireBroken:  # (a ConnectionError, so an OSError: first)
                self._drop(origin)
                raise
            except NoBytes as error:  # no byte of an answer: sent again on a new connection (RFC 9112 §9.3.1)
                self._drop(origin)
                if attempt == self.tries:
                    failed = requests.exceptions.ConnectionError(f"{error}, on each of {self.tries} tries",
                                                                 request=request)
                    failed.tries = self.tries  # type: ignore[attr-defined]
                    raise failed from None
                if self.again is not None:
                    self.again()
            except (OSError, h11.LocalProtocolError) as error:
                self._drop(origin)
                raise requests.exceptions.ConnectionError(error, request=request) from None
        if (ended or framing or connection.parser.our_state is not h11.DONE
                or connection.parser.their_state is not h11.DONE):  # not to be used again
            self._drop(origin)
        else:
            connection.parser.start_next_cycle()
        response.framing = tuple(framing)  # type: ignore[attr-defined]
        response.ended_on_wire = ended  # type: ignore[attr-defined]
        return response

    def _connection(self, origin, timeout, verify, framing: list[str]) -> Connection:
        """The origin's kept-alive connection, or a new one when there is none or it is no longer usable (closed by
        the server, which may close an idle one; or carrying bytes nobody asked for, named in `framing`)."""
        connection = self._connections.get(origin)
        if connection is not None:
            stray = _waiting(connection.sock, 0)
            if stray:  # bytes nobody asked for: the previous answer went on past its end
                framing.append(f"{len(stray):,} bytes came on the kept-alive connection after the answer to "
                               f"{connection.last} ended, before this request was sent: {shown(stray)}")
            if stray is not None:
                self._drop(origin)
                connection = None
        if connection is None:
            connection = self._connections[origin] = _connect(origin, timeout, verify)
        return connection

    def close(self) -> None:
        for origin in list(self._connections):
            self._drop(origin)

    def _drop(self, origin) -> None:
        connection = self._connections.pop(origin, None)
        if connection is not None:
            connection.sock.close()

    def _exchange(self, connection: Connection, request: requests.PreparedRequest,
                  framing: list[str]) -> tuple[requests.Response, str]:
        """Send the request, read its answer; append to `framing` what the bytes break. The response, and how the
        connection ended it early ("" when it did not)."""
        parser, host = connection.parser, urlsplit(request.url).netloc
        headers = [("Host", host)] + [(name, value) for name, value in request.headers.items()
                                      if name.lower() != "host"]
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        if body and not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        connection.sock.sendall(parser.send(h11.Request(method=request.method, target=request.path_url,
                                                        headers=headers)))
        if body:
            connection.sock.sendall(parser.send(h11.Data(data=body)))
        connection.sock.sendall(parser.send(h11.EndOfMessage()))
        connection.last = f"{request.method} {request.path_url.split('?')[0]}"
        raw, head, content, ended, closed = bytearray(), None, bytearray(), "", ""
        while True:
            try:
                event = parser.next_event()
            except h11.RemoteProtocolError as error:
                if head is None and not raw and closed:
                    raise NoBytes(closed) from None
                if head is None:
                    raise WireBroken(closed or str(error), bytes(raw)) from None
                if closed:
                    ended = f"the connection ended the answer after {len(content):,} bytes of its body ({closed})"
                else:
                    framing.append(f"the answer's bytes break HTTP/1.1 framing after {len(content):,} bytes of its "
                                   f"body ({error}): {shown(bytes(raw[-SHOWN:]))}")
                break
            if event is h11.NEED_DATA:
                try:
                    data = connection.sock.recv(RECEIVE)
                except OSError as error:  # reset (a timeout too): as the end of the stream, said how
                    if head is None and not raw:
                        raise NoBytes(f"{type(error).__name__}: {error}") from None
                    data, closed = b"", f"{type(error).__name__}: {error}"
                closed = closed or ("" if data else "closed with no more bytes")
                raw += data
                parser.receive_data(data)
                continue
            if isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                content += event.data
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                break
        if not ended and parser.their_state is h11.DONE:
            left, _ = parser.trailing_data
            late = _waiting(connection.sock, GRACE) or b""
            if left or late:
                framing.append(f"{len(left) + len(late):,} bytes followed the answer on its connection, past the end "
                               f"its framing gives{' (a HEAD answer has no body)' if request.method == 'HEAD' else ''}"
                               f": {shown(bytes(left) + late)}")
        return self._response(request, head, bytes(content)), ended

    def _response(self, request: requests.PreparedRequest, head: h11.Response, content: bytes) -> requests.Response:
        """The answer as requests builds one from urllib3 (so a Content-Encoding is decoded as it would be)."""
        headers = HTTPHeaderDict()
        for name, value in head.headers:
            headers.add(name.decode("latin-1"), value.decode("latin-1"))
        raw = HTTPResponse(body=io.BytesIO(content), headers=headers, status=head.status_code,
                           reason=head.reason.decode("latin-1"), preload_content=False, decode_content=True,
                           enforce_content_length=False,  # the body is what h11 read: its framing is judged above
                           request_method=request.method, version=11)
        return self._builder.build_response(request, raw)


def _connect(origin: tuple[str, str, int], timeout: float | None, verify) -> Connection:
    scheme, host, port = origin
    sock = socket.create_connection((host, port), timeout=timeout)
    if scheme == "https":
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        if verify is False:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        context.set_alpn_protocols(["http/1.1"])
        sock = context.wrap_socket(sock, server_hostname=host)
    return Connection(sock, h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=1 << 20))


def _waiting(sock: socket.socket, seconds: float) -> bytes | None:
    """The bytes waiting on the socket within `seconds` (b"" when the peer closed it), or None when none came."""
    pending = isinstance(sock, ssl.SSLSocket) and sock.pending()
    if not pending and not select.select([sock], [], [], seconds)[0]:
        return None
    previous = sock.gettimeout()
    try:
        sock.setblocking(False)
        return sock.recv(RECEIVE)
    except (BlockingIOError, ssl.SSLWantReadError):
        return None
    except OSError:
        return b""
    finally:
        sock.settimeout(previous)
