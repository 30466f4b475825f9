"""The order of runs and what cursors get (conformance/discover/points/pagination.py): what each set of answers
settles."""

from __future__ import annotations

import pytest

from conformance.discover.findings import AGREES, DECIDE, DIFFERS, NOT_SHOWN, REVIEW
from conformance.discover.points import pagination
from conformance.discover.probes import LimitProbe
from points_helpers import answer, page, run, settle


def _biggest_page(runs: list) -> dict:
    """A search whose biggest page served lists `runs` (where order and ties are read)."""
    return {"limit_search": [LimitProbe(100, page(runs)), LimitProbe(101, answer(400))]}


NEWEST_FIRST = [run(n) for n in range(6)]
OLDEST_FIRST = NEWEST_FIRST[::-1]
TIES_ID_DESCENDING = [run(n, minutes=n // 2) for n in (1, 0, 3, 2, 5, 4)]
TIES_ID_ASCENDING = [run(n, minutes=n // 2) for n in range(6)]


@pytest.mark.parametrize("runs, outcome", [
    (NEWEST_FIRST, AGREES), (OLDEST_FIRST, REVIEW), (NEWEST_FIRST[:1], NOT_SHOWN),
], ids=["createdAt-descending", "createdAt-ascending", "one-run"])
def test_the_order(runs, outcome):
    """Runs newest first agree; oldest first is for review (no line says it); one run shows nothing."""
    assert settle(pagination.order, **_biggest_page(runs)).outcome == outcome


@pytest.mark.parametrize("runs, outcome, change", [
    (TIES_ID_DESCENDING, AGREES, None),
    (TIES_ID_ASCENDING, DIFFERS, ("order.tieBreak", {"by": "id", "direction": "ascending"})),
    (NEWEST_FIRST, NOT_SHOWN, None),
], ids=["id-descending", "id-ascending", "no-ties"])
def test_the_tie_break(runs, outcome, change):
    """Runs sharing a createdAt in id order: descending agrees, ascending is written; no ties show nothing."""
    finding = settle(pagination.tie_break, **_biggest_page(runs))
    assert (finding.outcome, finding.change) == (outcome, change)


def test_no_tie_break_where_the_order_is_not_the_contracts():
    """Where the primary order is not shown or differs, the tie-break is not read (no finding)."""
    assert settle(pagination.tie_break, **_biggest_page(OLDEST_FIRST)) is None


@pytest.mark.parametrize("foreign, lines, outcome, change", [
    (answer(400), {}, AGREES, None),
    (page(3), {}, AGREES, None),
    (page(0, None), {"foreignCursor": ["refused"]}, DIFFERS, ("foreignCursor", ["empty", "refused"])),
    (answer(500), {}, REVIEW, None),
    (None, {}, NOT_SHOWN, None),
], ids=["refused", "own-runs", "empty-where-refused", "5xx", "not-asked"])
def test_a_cursor_on_another_runtime(foreign, lines, outcome, change):
    """A cursor sent to another runtime: refused, empty or its own runs agree where allowed, else are added."""
    finding = settle(pagination.foreign_cursor, lines, foreign_cursor=foreign)
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("answers, lines, outcome, change", [
    ({"another limit": page(7), "another filter": answer(400)}, {}, AGREES, None),
    ({"another limit": answer(400)}, {"cursorWithOtherQuery": ["served"]}, DIFFERS,
     ("cursorWithOtherQuery", ["refused", "served"])),
    ({"another limit": answer(500)}, {}, REVIEW, None),
    ({}, {}, NOT_SHOWN, None),
], ids=["served-and-refused", "refused-where-served", "5xx", "not-asked"])
def test_a_cursor_with_another_query(answers, lines, outcome, change):
    """A cursor with another filter or limit: served or refused, added to the line where it says otherwise."""
    finding = settle(pagination.cursor_with_other_query, lines, other_query_cursor=answers)
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("answers, outcome, change", [
    ({"altered": answer(400), "truncated": answer(400)}, AGREES, None),
    ({"altered": page(7), "truncated": answer(400)}, DECIDE, ("alteredCursor", ["refused", "served"])),
    ({}, NOT_SHOWN, None),
], ids=["refused", "served", "not-asked"])
def test_an_altered_cursor(answers, outcome, change):
    """An altered cursor refused agrees; served is a decision written for the API team (signed or not)."""
    finding = settle(pagination.altered_cursor, altered_cursor=answers)
    assert (finding.outcome, finding.change) == (outcome, change)
