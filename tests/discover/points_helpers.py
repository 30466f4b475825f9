"""Hand-made observations for the point functions' tests: what a target answering as the default contract says
would show discovery, and answers to put in its place."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from conformance.discover.probes import LimitProbe, Observations
from conformance.transport.exchange import Exchange

NESTED = {"error": {"code": "request.invalid", "message": "m", "requestId": "r"}}
START = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)


def answer(status: int, body: object = None, content_type: str = "application/json",
           request_id: str | None = "r") -> Exchange:
    """An answer: a bctrl error in the nested envelope (with x-request-id) unless a body is given."""
    headers = {"Content-Type": content_type, **({"x-request-id": request_id} if request_id else {})}
    return Exchange("GET", "http://api.test/v2/runtimes/rt/runs", {}, status, headers,
                    json.dumps(NESTED if body is None else body))


def run(number: int, status: str = "active", minutes: int | None = None) -> dict:
    """A run, newer the smaller its number (createdAt descending, as the contract orders runs)."""
    created = (START - timedelta(minutes=number if minutes is None else minutes)).isoformat().replace("+00:00", "Z")
    return {"id": f"{number:08d}-0000-4000-8000-000000000000", "createdAt": created, "status": status}


def page(runs: int | list, cursor: str | None = "c") -> Exchange:
    """A 200 page of `runs` runs (or these runs) and a nextCursor (None: the last page)."""
    data = [run(n) for n in range(runs)] if isinstance(runs, int) else runs
    return answer(200, {"data": data, "nextCursor": cursor})


def observed(**changes) -> Observations:
    """What discovery sees of a target that does what the default contract says, with `changes` in its place."""
    refused = answer(400)
    base = Observations(
        first_page=page(50), limit_one=page(1),
        limit_search=[LimitProbe(100, page(100)), LimitProbe(101, refused)],
        bad_queries={name: refused for name in ("limit-zero", "limit-word", "limit-huge", "status-unknown",
                                                "cursor-garbage")},
        no_key=answer(401), wrong_key=answer(401), key_with_extra=answer(401), key_of_the_same_shape=answer(401),
        scheme_words={"bearer": page(50), "BEARER": page(50)},
        unknown_runtime=answer(404), other_runtime=answer(404),
        foreign_cursor=refused, foreign_runtime="the key's second runtime",
        other_query_cursor={"another limit": page(7), "another filter": page(7)},
        altered_cursor={"altered": refused, "truncated": refused},
    )
    return replace(base, **changes)


def settle(function, lines: dict | None = None, **changes):
    """The finding `function` makes of the default observations with `changes`, under the default contract with
    `lines` (x-bctrl-contract key -> value) said instead."""
    from conformance.contract import load_contract

    contract = load_contract()
    for key, value in (lines or {}).items():
        contract = contract.with_line(key, value)
    return function(observed(**changes), contract)
