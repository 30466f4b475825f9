"""How a fault shows on the wire: each catalogue entry names a probe (Fault.observe), a request or a few that the
server with the fault answers otherwise than the clean one. The probe is described here, as data; the fault tests
(tests/reference_server/test_refserver_faults.py) carry it out, each kind by the same-named function there.

Arguments may be functions of the server's seed (SeedInfo) or of the server itself, for what only the running
server knows (its keys, its runtime ids, a cursor of its own).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from . import cursor as cursor_module


@dataclass(frozen=True)
class Probe:
    """A probe of one kind with its arguments, as the fault tests' function of that name takes them."""
    kind: str
    args: tuple = ()
    options: tuple[tuple[str, object], ...] = ()  # keyword arguments, as (name, value) pairs


def _kind(name: str):
    """The describer of probes of one kind: called as the fault tests' function of that name is."""
    def describe(*args, **options) -> Probe:
        return Probe(name, args, tuple(options.items()))
    describe.__name__ = name
    return describe


page = _kind("page")  # one request
framed = _kind("framed")  # one request: did its answer end as its framing says?
one_connection = _kind("one_connection")  # requests on one kept-alive connection, each answer read from its bytes
walk = _kind("walk")  # follow nextCursor
foreign_cursor = _kind("foreign_cursor")  # a cursor of the main runtime taken to another
churned = _kind("churned")  # pages after churn ticks, on a server of its own
main_then = _kind("main_then")  # the main runtime's page, then another runtime's
header = _kind("header")  # one response header
path = _kind("path")  # a path spelled exactly
sent = _kind("sent")  # a request with the headers given
raw = _kind("raw")  # a request over a socket, header fields exactly as listed (repeated ones too)
revalidated = _kind("revalidated")  # a page, then its ETag in If-None-Match
revalidated_after_churn = _kind("revalidated_after_churn")  # the same across churn ticks
with_cursor = _kind("with_cursor")  # page 1, then a request with its cursor
overlapping = _kind("overlapping")  # requests alone, then in flight together
paused = _kind("paused")  # page 2 redeemed after a pause
ticks_between_pages = _kind("ticks_between_pages")  # page 2 after churn ticks
BURST = Probe("burst")  # 100 requests as fast as one connection sends them
TROUBLED = Probe("troubled")  # requests until the server's transient trouble has answered 429 and 503
WALK_ACROSS_A_TICK = Probe("walk_across_a_tick")  # pages 1 and 2 with a churn tick between them
TWO_WALKS_ACROSS_A_TICK = Probe("two_walks_across_a_tick")  # two walks with a churn tick between them

L3, L7 = [("limit", "3")], [("limit", "7")]


def forged_cursor(srv) -> list[tuple[str, str]]:
    """Query parameters with a decodable cursor signed with the wrong secret."""
    first = srv.store.all_runs(srv.seed_info.runtime_id)[9]
    position = cursor_module.Position(first.created_at, first.id, runtime=srv.seed_info.runtime_id)
    return [("limit", "5"), ("cursor", cursor_module.encode(position, b"wrong secret"))]


def handed_cursor(status: str):
    """Query parameters for the page after the first run of a status filter, with the cursor the server hands out
    for it (signed with its own secret)."""
    def params(srv) -> list[tuple[str, str]]:
        first = next(run for run in srv.store.all_runs(srv.seed_info.runtime_id) if run.status == status)
        position = cursor_module.Position(first.created_at, first.id, runtime=srv.seed_info.runtime_id)
        return [("status", status), ("cursor", cursor_module.encode(position, srv.app.cursors.secret))]
    return params


def every_character_escaped(text: str) -> str:
    return "".join(f"%{ord(char):02X}" for char in text)


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
