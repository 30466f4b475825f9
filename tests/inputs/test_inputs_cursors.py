"""Cursors the API did not hand out: numbers the suite can see in a cursor, grown by where machine integers wrap."""
from __future__ import annotations

import base64
import json

from conformance.inputs.cursors import WRAPS, visible_numbers, wrapped


def test_the_specs_example_cursor_shows_its_page_number_and_each_wrap_keeps_its_encoding():
    """The published example (standard base64, padded, of {"page":2}) grows its page by 2^16, 2^32 and 2^64, each
    re-encoded in the same alphabet and padding."""
    made = wrapped("eyJwYWdlIjoyfQ==")
    assert sorted(made) == [f"page-{name}" for name in sorted(WRAPS)]
    assert json.loads(base64.b64decode(made["page-plus-2^32"])) == {"page": 2 + 2 ** 32}
    assert all(cursor.endswith("=") or len(cursor) % 4 == 0 for cursor in made.values())


def test_an_unpadded_url_safe_cursor_stays_so():
    """A URL-safe cursor without padding is re-encoded URL-safe and unpadded."""
    cursor = base64.urlsafe_b64encode(b'{"o":7,"k":"a?"}').decode().rstrip("=")
    made = wrapped(cursor)
    assert set(made) == {f"o-{name}" for name in WRAPS}
    assert all("=" not in value and "+" not in value and "/" not in value for value in made.values())


def test_a_cursor_the_suite_cannot_see_into_gives_no_numbers():
    """A signed or binary cursor, or JSON without a number, is left alone."""
    assert visible_numbers("v1.Zm9v.c2ln") is None
    assert wrapped(base64.b64encode(b'{"id":"abc"}').decode()) == {}
    assert wrapped(base64.b64encode(b"\x00\x01binary").decode()) == {}
