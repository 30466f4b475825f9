"""How a Response goes on the wire under the transport personalities: header name case, gzip, chunked framing.

Both stacks (http.server in handler.py, uvicorn in asgi.py) write what `prepare` returns; each adds only what its
server writes itself (http.server: Server, Date, Connection; uvicorn: server, date, and h11's framing headers).
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass

from .messages import Response
from .validators import gzip_etag
from .variants import Variants

CHUNKS = 3  # chunked framing: the body in this many chunks (fewer when it is shorter)


@dataclass(frozen=True)
class Wire:
    status: int
    headers: list[tuple[str, str]]  # named as header_case says, framing headers included
    pieces: list[bytes]  # the body as written: one piece, or one per chunk; none for HEAD
    chunked: bool  # Transfer-Encoding: chunked (each piece one chunk)


def header_name(name: str, case: str) -> str:
    """A header name as the header_case personality writes it."""
    if case == "lower":
        return name.lower()
    if case == "canonical":  # Go's textproto.CanonicalMIMEHeaderKey: X-Request-Id
        return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))
    return name


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding field value (RFC 9110 §12.5.3) allows gzip: listed with a non-zero weight, or not
    listed and `*` is (x-gzip is gzip's alias)."""
    if not accept_encoding:
        return False
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, *params = [part.strip() for part in item.split(";")]
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        if coding:
            weights.setdefault(coding.lower(), weight)
    for name in ("gzip", "x-gzip", "*"):
        if name in weights:
            return weights[name] > 0
    return False


def split(body: bytes, count: int = CHUNKS) -> list[bytes]:
    """The body in up to `count` non-empty pieces of (nearly) equal size."""
    if not body:
        return []
    size = -(-len(body) // count)
    return [body[start:start + size] for start in range(0, len(body), size)]


def prepare(response: Response, variants: Variants, method: str | None, accept_encoding: str | None,
            http_10: bool = False) -> Wire:
    """The status, headers and body pieces to write for `response` to a `method` request. HEAD gets the headers
    the GET would (Content-Length or Transfer-Encoding, Content-Encoding) and no body. An HTTP/1.0 client cannot
    read chunked framing: it gets Content-Length."""
    headers, body = list(response.headers), response.body
    not_modified = response.status == 304  # no content, so no framing headers (RFC 9110 §15.4.5)
    if variants.compression == "gzip":
        headers.append(("Vary", "Accept-Encoding"))
        if (body or not_modified) and accepts_gzip(accept_encoding):
            if body:
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            # The gzip-coded page is another representation: its strong validator differs (validators.py).
            headers = [(name, gzip_etag(value) if name.lower() == "etag" else value) for name, value in headers]
    chunked = variants.framing == "chunked" and not http_10 and not not_modified
    if not_modified:
        pieces = []
    elif chunked:
        headers.append(("Transfer-Encoding", "chunked"))
        pieces = split(body)
    else:
        headers.append(("Content-Length", str(len(body))))
        pieces = [body] if body else []
    if method == "HEAD":
        pieces = []
    headers = [(header_name(name, variants.header_case), value) for name, value in headers]
    return Wire(response.status, headers, pieces, chunked)
