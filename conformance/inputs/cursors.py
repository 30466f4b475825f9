"""Cursors the API did not hand out, made from one it did: for the checks that send them and for discovery.

A cursor is opaque: the suite never reads one. To make one the API did not hand out, it only needs a change that
certainly makes the cursor decode to another value, whatever its encoding (base64 of either alphabet, padded or
not, base32, hex of either case, a UUID, decimal digits), so that a server that checks what it handed out refuses
it, and one whose cursor is an unsigned position reads another position.
"""

from __future__ import annotations

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
