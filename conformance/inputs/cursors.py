"""Cursors the API did not hand out, made from one it did: for the checks that send them and for discovery.

A cursor is opaque: the suite relies on no format. To make one the API did not hand out, it only needs a change that
certainly makes the cursor decode to another value, whatever its encoding (base64 of either alphabet, padded or
not, base32, hex of either case, a UUID, decimal digits), so that a server that checks what it handed out refuses
it, and one whose cursor is an unsigned position reads another position. Where a cursor happens to be base64 of a
JSON object with numbers in it (as the spec's own example is: {"page": 2}), those numbers are also sent where machine
integers wrap (`wrapped`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

GARBAGE = "not-a-cursor!"  # no encoding decodes it to anything a server could have handed out


def altered(cursor: str) -> str:
    """The cursor with one character near its end (where a signature or checksum usually sits) changed: the
    second-to-last character before any `=` padding (in base64 and base32 every bit of it counts; only the last may
    carry padding bits), made a digit of another value than it has in base64, base32, hex (of either case) or
    decimal."""
    body = cursor.rstrip("=")
    if not body:
        return "2"
    place = max(len(body) - 2, 0)
    replacement = "3" if body[place] == "2" else "2"  # "2" and "3": digits of base64, base32 (2-7), hex, decimal
    return cursor[:place] + replacement + cursor[place + 1:]


# Offsets at which machine integers wrap: a number that grows by one of them reads as the same number where it wraps.
WRAPS = {"plus-2^16": 2 ** 16, "plus-2^32": 2 ** 32, "plus-2^64": 2 ** 64}


def visible_numbers(cursor: str) -> tuple[dict, bool, bool] | None:
    """The cursor's JSON object, if it is base64 of one (either alphabet, padded or not), with whether it was
    URL-safe and padded; None when the suite cannot see into it (the usual, signed or binary, case)."""
    for urlsafe in (True, False):
        try:
            raw = (base64.urlsafe_b64decode if urlsafe else base64.b64decode)(
                cursor + "=" * (-len(cursor) % 4), **({} if urlsafe else {"validate": True}))
            data = json.loads(raw)
        except ValueError:
            continue
        if isinstance(data, dict) and _numeric_keys(data):
            return data, urlsafe, cursor.endswith("=")
    return None


def wrapped(cursor: str) -> dict[str, str]:
    """For a cursor the suite can see numbers in (visible_numbers): each number plus each of WRAPS, re-encoded as
    the cursor was. A server that reads the number into a machine integer of that width reads the cursor it was
    handed; one that reads it as the number it is reads a position past every run, or refuses it. {} otherwise."""
    seen = visible_numbers(cursor)
    if seen is None:
        return {}
    data, urlsafe, padded = seen
    made = {}
    for key in _numeric_keys(data):
        for name, offset in WRAPS.items():
            text = json.dumps({**data, key: data[key] + offset}, separators=(",", ":")).encode()
            encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(text).decode()
            made[f"{key}-{name}"] = encoded if padded else encoded.rstrip("=")
    return made


def _numeric_keys(data: dict) -> list[str]:
    return [key for key, value in data.items() if type(value) is int]


def truncated(cursor: str) -> str:
    """The first half of the cursor (at least one character)."""
    return cursor[: max(1, len(cursor) // 2)]


@dataclass(frozen=True)
class CursorPage:
    """A nextCursor the API handed out, and the query it was handed out with: what asking for the page after it
    resends (bctrl's SDK iterators resend every other parameter with the cursor)."""

    name: str  # where it was taken, for messages
    query: list[tuple[str, object]]
    cursor: str

    def with_values(self, pairs: list[tuple[str, object]]) -> list[tuple[str, object]]:
        """The page after the cursor, asked with `pairs` in place of the query's same-named parameters."""
        replaced = {key for key, _ in pairs}
        return [pair for pair in self.query if pair[0] not in replaced] + list(pairs) + [("cursor", self.cursor)]
