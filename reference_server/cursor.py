"""Opaque pagination cursors: base64url(JSON position) "." base64url(HMAC-SHA256 tag).

A cursor encodes a position (createdAt and id of the last run of the previous page) and
the runtime it was handed out for, which the server checks against the path; the client
resends filter and limit with it.
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
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64e(payload)}.{_b64e(_tag(payload, secret))}"


def decode(token: str, secret: bytes, verify: bool = True) -> Position:
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
    if not isinstance(data, dict) or not {"c", "i"} <= data.keys() <= {"c", "i", "n", "o", "r"}:
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
    return Position(created, run_id, page, offset, runtime)
