"""Opaque pagination cursors: base64url(JSON position) "." base64url(HMAC-SHA256 tag).

A cursor encodes a position (createdAt and id of the last run of the previous page) and
the runtime it was handed out for, which the server checks against the path; the client
resends filter and limit with it. Under the `filter` cursor binding it also carries the
status filter it was handed out with.

The `page-number` cursor style (Fastify preset): standard base64, padded, of {"page": N},
N the serial of the last run of the previous page (a number growing with createdAt and id),
so a keyset position that looks like a page number; not signed, no runtime in it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

_PART = re.compile(r"[A-Za-z0-9_-]+")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_MAX_TOKEN = 1024
_MAX_RUNTIME = 256


class CursorError(ValueError):
    """The cursor is malformed, truncated or tampered with."""


@dataclass(frozen=True)
class Position:
    created_at: str
    run_id: str
    page: int | None = None  # only used by the "cursor-loops" fault
    offset: int | None = None  # only used by the "offset-cursor" fault
    runtime: str | None = None  # the runtime the cursor was handed out for
    statuses: tuple[str, ...] | None = None  # the status filter it was handed out with (cursor_binding=filter)
    query: tuple[int, tuple[str, ...]] | None = None  # limit and filter of the first page (cursor-carries-query)
    scroll: str | None = None  # the server-side scroll it continues (scroll-expired-* faults)
    minted: float | None = None  # when the walk's first cursor was handed out (cursor-ttl-*, cursor-as-of-*)


# A position before every run: a cursor to it leads to the first page.
START = Position("9999-12-31T23:59:59.999Z", "ffffffff-ffff-ffff-ffff-ffffffffffff")


def secret_for_seed(seed: int) -> bytes:
    return hashlib.sha256(f"bctrl-reference-cursor:{seed}".encode()).digest()


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    if not _PART.fullmatch(text):
        raise CursorError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CursorError("not base64url") from exc


def _decode_into(text: str, buffer: memoryview) -> None:
    """base64url-decode `text` into `buffer` (pooled buffers, to spare allocations): a ValueError, not a
    CursorError, when it does not fit."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CursorError("not base64url") from exc
    buffer[:len(raw)] = raw  # ValueError: memoryview assignment: lvalue and rvalue have different structures


def _tag(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def encode(position: Position, secret: bytes) -> str:
    data = {"c": position.created_at, "i": position.run_id}
    if position.page is not None:
        data["n"] = position.page
    if position.offset is not None:
        data["o"] = position.offset
    if position.runtime is not None:
        data["r"] = position.runtime
    if position.statuses is not None:
        data["s"] = list(position.statuses)
    if position.query is not None:
        data["q"] = [position.query[0], list(position.query[1])]
    if position.scroll is not None:
        data["x"] = position.scroll
    if position.minted is not None:
        data["m"] = position.minted
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64e(payload)}.{_b64e(_tag(payload, secret))}"


def decode(token: str, secret: bytes, verify: bool = True, buffer_size: int | None = None) -> Position:
    """The position a cursor names; CursorError when it is not one this server signed. `buffer_size` (fault
    cursor-buffer-overflow-500): each part is first decoded into a preallocated buffer of that many bytes, before
    any length check."""
    if buffer_size is not None:
        for part in token.split("."):
            _decode_into(part, memoryview(bytearray(buffer_size)))
    if not token or len(token) > _MAX_TOKEN or token.count(".") != 1:
        raise CursorError("malformed cursor")
    payload_text, tag_text = token.split(".")
    payload, tag = _b64d(payload_text), _b64d(tag_text)
    if verify and not hmac.compare_digest(tag, _tag(payload, secret)):
        raise CursorError("cursor tag mismatch")
    return _position(payload)


def _position(payload: bytes) -> Position:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CursorError("cursor payload is not JSON") from exc
    if not isinstance(data, dict) or not {"c", "i"} <= data.keys() <= {"c", "i", "n", "o", "r", "s", "q", "x", "m"}:
        raise CursorError("cursor payload has the wrong shape")
    created, run_id, page, offset, runtime = data["c"], data["i"], data.get("n"), data.get("o"), data.get("r")
    if not isinstance(created, str) or not _TIMESTAMP.fullmatch(created):
        raise CursorError("cursor createdAt is invalid")
    if not isinstance(run_id, str) or not 0 < len(run_id) <= 64:
        raise CursorError("cursor id is invalid")
    if page is not None and (type(page) is not int or not 0 <= page < 1_000_000):
        raise CursorError("cursor page is invalid")
    if offset is not None and (type(offset) is not int or not 0 <= offset < 1_000_000_000):
        raise CursorError("cursor offset is invalid")
    if runtime is not None and (not isinstance(runtime, str) or not 0 < len(runtime) <= _MAX_RUNTIME):
        raise CursorError("cursor runtime is invalid")
    statuses = data.get("s")
    if statuses is not None and (not isinstance(statuses, list) or len(statuses) > 8
                                 or not all(isinstance(s, str) and len(s) <= 32 for s in statuses)):
        raise CursorError("cursor filter is invalid")
    query = data.get("q")
    if query is not None and not (isinstance(query, list) and len(query) == 2 and type(query[0]) is int
                                  and isinstance(query[1], list) and all(isinstance(s, str) for s in query[1])):
        raise CursorError("cursor query is invalid")
    scroll, minted = data.get("x"), data.get("m")
    if scroll is not None and (not isinstance(scroll, str) or not 0 < len(scroll) <= 64):
        raise CursorError("cursor scroll is invalid")
    if minted is not None and (isinstance(minted, bool) or not isinstance(minted, (int, float))):
        raise CursorError("cursor time is invalid")
    return Position(created, run_id, page, offset, runtime, None if statuses is None else tuple(statuses),
                    None if query is None else (query[0], tuple(query[1])), scroll, minted)


# ---- the page-number style ---------------------------------------------------
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def encode_page(serial: int, statuses: tuple[str, ...] | None = None) -> str:
    """base64 (standard, padded) of {"page": serial}, with the status filter under cursor_binding=filter."""
    data: dict = {"page": serial}
    if statuses is not None:
        data["status"] = list(statuses)
    return base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode("ascii")


def decode_page(token: str) -> tuple[int, tuple[str, ...] | None]:
    """The serial (and filter, if any) of a page-number cursor; CursorError unless it decodes to
    {"page": <non-negative integer>} (and a "status" list of strings)."""
    if not token or len(token) > _MAX_TOKEN or not _BASE64.fullmatch(token):
        raise CursorError("not base64")
    try:
        data = json.loads(base64.b64decode(token, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorError("cursor payload is not JSON") from exc
    if not isinstance(data, dict) or not {"page"} <= data.keys() <= {"page", "status"}:
        raise CursorError("cursor payload has the wrong shape")
    page, statuses = data["page"], data.get("status")
    if type(page) is not int or page < 0:
        raise CursorError("cursor page is invalid")
    if statuses is not None and (not isinstance(statuses, list) or len(statuses) > 8
                                 or not all(isinstance(s, str) and len(s) <= 32 for s in statuses)):
        raise CursorError("cursor filter is invalid")
    return page, None if statuses is None else tuple(statuses)


# ---- fault cursor-regex-backtracking-500: a shape rule written with nested quantifiers -----------------------
SHAPE_RULE = r"^(?:[A-Za-z0-9_-]+)*\.(?:[A-Za-z0-9_-]+)*$"
BACKTRACK_LIMIT = 1_000_000  # PCRE's default match limit (PHP's pcre.backtrack_limit)


class BacktrackLimitError(RuntimeError):
    """The regex engine gave up (PREG_BACKTRACK_LIMIT_ERROR): neither a match nor a non-match."""


def matches_shape_rule(text: str, limit: int = BACKTRACK_LIMIT) -> bool:
    """SHAPE_RULE matched as a backtracking engine (PCRE) matches it, counting its steps: each star tries its
    greedy piece at every length, longest first, before giving up a piece; on a long run of word characters that
    is not followed by what the rule needs, that is exponential, and the engine stops at `limit` steps (about half
    a second here) with BacktrackLimitError."""
    word = [0] * (len(text) + 1)  # length of the run of [A-Za-z0-9_-] starting at each position
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        word[index] = word[index + 1] + 1 if char.isascii() and (char.isalnum() or char in "_-") else 0
    stack, steps = [("first", 0)], 0  # states: inside the first or second star, the dot, the end anchor
    while stack:
        steps += 1
        if steps > limit:
            raise BacktrackLimitError("backtrack limit exhausted")
        state, at = stack.pop()
        if state == "end":
            if at == len(text):
                return True
        elif state == "dot":
            if text[at:at + 1] == ".":
                stack.append(("second", at + 1))
        else:  # a star: after every piece length (longest first), leaving the star
            stack.append(("dot" if state == "first" else "end", at))
            stack.extend((state, at + length) for length in range(1, word[at] + 1))
    return False
