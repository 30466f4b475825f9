"""Faults below the JSON: answers whose framing the connection breaks (issue 23, the wire). Each is a bug a real
deployment has (a proxy's buffer, a streaming serializer), caught only by reading how the answer ended, never by its
JSON alone. The catalogue entries and the code that does the damage are kept together here; handler.py asks
`cut_short` how to write an answer.
"""
from __future__ import annotations

import json
from dataclasses import replace

from .checks import LIMIT_BOUNDS, WALK_END
from .fault import Fault
from .messages import Response
from .probes import framed
from .wire import Wire

PROXY_BUFFER = 16 * 1024  # the bytes of an answer's body the faulty proxy passes on before it gives up

FAULTS = [
    Fault("large-answer-cut-at-proxy-buffer", "wire",
          "a proxy between the app and the client has a 16 KiB response buffer and, on an upstream that writes "
          "faster than the client reads, drops the connection once it is full: an answer over 16 KiB (a page of 100 "
          "runs) arrives with its full Content-Length but only 16 KiB of body, then the connection closes",
          rules=("http.framing",), issue=23, check=LIMIT_BOUNDS,
          observe=framed([("limit", "100")])),
    Fault("last-page-chunk-missing", "wire",
          "the page serializer streams the last page of a walk (nextCursor null) with chunked transfer coding and "
          "the response is closed before the terminating zero-length chunk is written: the last page's body ends "
          "with its connection, not with its framing",
          rules=("http.framing", "cursor.walk"), issue=23, check=WALK_END,
          observe=framed([("limit", "100"), ("status", "active")])),
]


def cut_short(wire: Wire, response: Response, faults: frozenset[str]) -> tuple[Wire, bool]:
    """The answer as the faulty server writes it, and whether its framing is left unfinished (the connection then
    closes without the rest)."""
    body_size = sum(len(piece) for piece in wire.pieces)
    if "large-answer-cut-at-proxy-buffer" in faults and not wire.chunked and body_size > PROXY_BUFFER:
        return replace(wire, pieces=[b"".join(wire.pieces)[:PROXY_BUFFER]]), True
    if "last-page-chunk-missing" in faults and wire.pieces and _last_page(response):
        headers = [(name, value) for name, value in wire.headers if name.lower() != "content-length"]
        return replace(wire, headers=headers + [("Transfer-Encoding", "chunked")], chunked=True), True
    return wire, False


def _last_page(response: Response) -> bool:
    """A 200 page with runs and no nextCursor."""
    if response.status != 200:
        return False
    try:
        page = json.loads(response.body)
    except ValueError:
        return False
    return isinstance(page, dict) and bool(page.get("data")) and page.get("nextCursor") is None
