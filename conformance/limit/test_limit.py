"""Page sizes: the default, the bounds, and the refusal of every limit outside them."""

from __future__ import annotations

import pytest

from conformance.harness.client import page_params
from conformance.harness.expect import expect, expect_status


def _expect_page_size(page, size, what):
    """`size` runs while more remain; at most `size` (all that is left) on the last page."""
    last = page.next_cursor is None
    expect(len(page.runs) <= size if last else len(page.runs) == size, what,
           expected=f"{'at most ' if last else ''}{size} runs{' (last page)' if last else ' (more remain)'}",
           actual=f"{len(page.runs)} runs, nextCursor {'null' if last else 'set'}", exchange=page)


@pytest.mark.rule("limit.default")
@pytest.mark.smoke
def test_absent_limit_gives_the_default_page_size(api, contract):
    """Without a limit, a page holds the default number of runs (or all of them when there are fewer)."""
    page = api.list_runs()
    expect_status(page, 200, "The first page is served without a limit")
    _expect_page_size(page, contract.limit_default, f"An unlimited page holds the default {contract.limit_default}")


@pytest.mark.rule("limit.bounds")
@pytest.mark.parametrize("bound", ["minimum", pytest.param("maximum", marks=pytest.mark.smoke)])
def test_limit_at_each_bound_gives_exactly_that_many(api, contract, bound):
    """limit=1 and limit=maximum give exactly that many runs while runs remain."""
    size = contract.limit_min if bound == "minimum" else contract.limit_max
    page = api.list_runs(params=page_params(limit=size))
    expect_status(page, 200, f"limit={size} is accepted")
    _expect_page_size(page, size, f"A limit={size} page holds {size} runs while more remain")


def _invalid_limits(contract):
    return {
        "zero": [("limit", contract.limit_min - 1)],
        "negative": [("limit", -1)],
        "above-maximum": [("limit", contract.limit_max + 1)],
        "huge": [("limit", "9" * 30)],
        "fraction": [("limit", "1.5")],
        "word": [("limit", "abc")],
        "empty": [("limit", "")],
        "repeated": [("limit", contract.limit_min), ("limit", contract.limit_max)],
    }


@pytest.mark.rule("limit.refusal", "server.no-5xx")
@pytest.mark.parametrize(
    "case", ["zero", "negative", pytest.param("above-maximum", marks=pytest.mark.smoke), "huge", "fraction", "word",
             "empty", "repeated"]
)
def test_invalid_limit_is_rejected(api, contract, case):
    """A limit outside the bounds, not an integer, empty or given twice gets the contract's 400, never a 5xx; above
    the maximum, a contract that clamps serves a page of at most the maximum instead."""
    answer = api.list_runs(params=_invalid_limits(contract)[case])
    if contract.limit_clamped and case in ABOVE_MAXIMUM:
        _expect_clamped(answer, contract, case)
        return
    expect_status(answer, contract.error_status("invalidQuery"), f"An invalid limit ({case}) is refused")


ABOVE_MAXIMUM = ("above-maximum", "huge")


def _expect_clamped(answer, contract, case):
    """Served as the maximum: exactly that many runs while more remain. A limit beyond 64-bit integers (`huge`)
    may also be refused as not an integer: which, the contract leaves open."""
    if case == "huge" and answer.status == contract.error_status("invalidQuery"):
        return
    expect_status(answer, 200, f"A limit above the maximum ({case}) is clamped, not refused")
    _expect_page_size(answer, contract.limit_max, f"A limit above the maximum ({case}) gives a page of the maximum "
                                                  f"{contract.limit_max}")
