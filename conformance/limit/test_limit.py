"""Page sizes: the default, the bounds, and the refusal of every limit outside them."""

from __future__ import annotations

import pytest

from conformance.inputs.query_spellings import (
    LIMIT_SPELLINGS, MACHINE_LIMITS, invalid_limits, lenient_sizes, limit_spellings, size_other_than_default,
)
from conformance.judge.expect import expect, expect_judged, expect_status
from conformance.judge.response import judged
from conformance.profiles import cases
from conformance.transport.client import exact_query, page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)


INVALID_LIMITS = ("zero", "negative", "above-maximum", "huge", "fraction", "word", "empty", "repeated")


def _expect_page_size(page, size, what):
    """`size` runs while more remain; at most `size` (all that is left) on the last page. `size` may be a set of
    sizes, any of which will do (a value a lenient parser may read several ways)."""
    sizes = {size} if isinstance(size, int) else set(size)
    last = page.next_cursor is None
    fits = any(len(page.runs) <= one if last else len(page.runs) == one for one in sizes)
    shown = " or ".join(map(str, sorted(sizes)))
    expect(fits, what, expected=f"{'at most ' if last else ''}{shown} runs{' (last page)' if last else ' (more remain)'}",
           actual=f"{len(page.runs)} runs, nextCursor {'null' if last else 'set'}", exchange=page)


def _choices(pairs, answer) -> tuple[tuple[str, str, str], ...]:
    """The overlay lines under which a limit's failure may be the API team's choice rather than a bug."""
    shown = "&".join(f"limit={value!r}" for _, value in pairs)
    served = f"a page of {len(answer.runs)} runs" if answer.status == 200 else str(answer.status)
    return (("limitAboveMaximum", "clamp", f"it serves {shown} as {served}, clamped to the maximum"),
            ("queryGrammar.limitOutsideGrammar", "lenient", f"it serves {shown} as {served}, as a common number "
                                                            "parser reads it"))


def _expect_refused_or_lenient(answer, contract, pairs, what):
    """Refused with invalidQuery; or, where the overlay is lenient and a parser reads a size, served as one."""
    sizes = lenient_sizes(contract, pairs)
    refused = contract.error_status("invalidQuery")
    if not sizes:
        expect_status(answer, refused, f"{what} is refused")
        return
    expect_status(answer, {refused, 200}, f"{what} is refused, or read leniently (limitOutsideGrammar: lenient)")
    if answer.status == 200:
        _expect_page_size(answer, sizes, f"{what} is read as a number a common parser reads from it")


@pytest.mark.rule("limit.default")
def test_absent_limit_gives_the_default_page_size(api, contract):
    """Without a limit, a page holds the default number of runs (or all of them when there are fewer)."""
    page = judged(api.list_runs(), contract)
    expect_status(page, 200, "The first page is served without a limit")
    _expect_page_size(page, contract.limit_default, f"An unlimited page holds the default {contract.limit_default}")


@pytest.mark.rule("limit.bounds", "http.framing")
@pytest.mark.parametrize("bound", ["minimum", "maximum"])
def test_limit_at_each_bound_gives_exactly_that_many(api, contract, bound):
    """limit=1 and limit=maximum give exactly that many runs while runs remain."""
    size = contract.limit_min if bound == "minimum" else contract.limit_max
    page = judged(api.list_runs(params=page_params(limit=size)), contract)
    expect_status(page, 200, f"limit={size} is accepted")
    _expect_page_size(page, size, f"A limit={size} page holds {size} runs while more remain")


@pytest.mark.rule("limit.refusal", "server.no-5xx")
@pytest.mark.parametrize("case", cases([*INVALID_LIMITS, *MACHINE_LIMITS]))
def test_invalid_limit_is_rejected(api, contract, case):
    """A limit outside the bounds (at and around the widths machine integers wrap at among them), not an integer,
    empty or given twice gets the contract's 400, never a 5xx and never a page of another size; above the maximum,
    a contract that clamps serves a page of at most the maximum instead; a contract lenient about other spellings
    may serve a fraction or a repeated key as a size a common number parser reads from it."""
    pairs = invalid_limits(contract)[case]
    answer = judged(api.list_runs(params=pairs), contract)
    expect_judged(lambda under: _judge_limit(answer, under, case, pairs, f"An invalid limit ({case})"), contract,
                  *_choices(pairs, answer))


@pytest.mark.rule("limit.grammar", "server.no-5xx")
@pytest.mark.parametrize("case", cases(LIMIT_SPELLINGS))
def test_limit_is_read_only_as_plain_decimal_digits(api, contract, case):
    """A limit is read only as the overlay's grammar spells it (plain ASCII decimal digits, given once): a sign,
    space, point, exponent, prefix, separator, list or another script's digits gets the contract's 400 (or, where
    the overlay is lenient, a page of a size a common number parser reads from it); leading zeros are read as the
    same decimal number or refused, as the overlay says (queryGrammar)."""
    pairs = limit_spellings(contract)[case]
    answer = judged(api.list_runs(params=exact_query(pairs)), contract)
    shown = "&".join(f"limit={value!r}" for _, value in pairs)
    value = pairs[0][1]
    if len(pairs) > 1 or not contract.limit_grammar.fullmatch(value):
        what = f"{shown} ({case}), not spelled as x-bctrl-contract.queryGrammar.limit says,"
        expect_judged(lambda under: _expect_refused_or_lenient(answer, under, pairs, what), contract,
                      *_choices(pairs, answer))
        return
    size = int(value)
    allowed = contract.leading_zeros_limit_statuses if value != str(size) else {200}
    expect_status(answer, allowed, f"{shown} ({case}) is read as {size}, or refused as the overlay allows")
    if answer.status == 200:
        _expect_page_size(answer, size, f"{shown} is read as the decimal number {size}")


@pytest.mark.rule("query.every-page", "limit.refusal", "limit.grammar", "server.no-5xx")
@pytest.mark.parametrize("case", cases([*INVALID_LIMITS, *LIMIT_SPELLINGS]))
def test_a_limit_is_judged_the_same_on_every_page(api, contract, case, cursor_pages, cursor_page):
    """With a cursor (plain, or from a filtered walk), an invalid limit or one spelled otherwise gets what it gets
    on the first page: the contract's 400 (or, where the overlay allows, a clamp or a lenient reading); a cursor may
    also be refused with another limit than it was handed out with, where the overlay says it is bound."""
    pairs = {**invalid_limits(contract), **limit_spellings(contract)}[case]
    after = cursor_pages[cursor_page]
    answer = judged(api.list_runs(params=exact_query(after.with_values(pairs))), contract)
    what = f"{'&'.join(f'limit={value!r}' for _, value in pairs)} ({case}) {after.name}"
    expect_judged(lambda under: _judge_limit(answer, under, case, pairs, what), contract, *_choices(pairs, answer))


def _judge_limit(answer, contract, case, pairs, what):
    """What an invalid limit, or one spelled otherwise, may get under `contract`."""
    if contract.limit_clamped and case in ABOVE_MAXIMUM:
        _expect_clamped(answer, contract, case)
    elif len(pairs) > 1 or not contract.limit_grammar.fullmatch(str(pairs[0][1])):
        _expect_refused_or_lenient(answer, contract, pairs, what)
    elif not contract.limit_min <= int(pairs[0][1]) <= contract.limit_max:
        expect_status(answer, contract.error_status("invalidQuery"), f"{what} is refused")
    else:  # within the grammar and the bounds (leading zeros): read as decimal, or refused (zeros, a bound cursor)
        expect_status(answer, {200, contract.error_status("invalidQuery")}, f"{what} is read as decimal or refused")
        if answer.status == 200:
            _expect_page_size(answer, int(pairs[0][1]), f"{what} is read as the decimal number {int(pairs[0][1])}")


@pytest.mark.rule("limit.grammar")
@pytest.mark.parametrize("key", cases(["limit[]", "limit[0]"]))
def test_bracketed_limit_key_is_never_read_as_the_limit(api, contract, key):
    """limit[]=N is a parameter the contract does not name: ignored (a page of the default size) or refused, as
    the overlay says (queryGrammar.unknownParameters), never read as the page size."""
    size = size_other_than_default(contract)
    answer = judged(api.list_runs(params=exact_query([(key, size)])), contract)
    expect_status(answer, contract.unknown_parameter_statuses, f"{key}={size}, a parameter the contract does not name, is ignored or refused")
    if answer.status == 200:
        _expect_page_size(answer, contract.limit_default,
                          f"{key}={size} is ignored: the page holds the default {contract.limit_default} runs")


ABOVE_MAXIMUM = ("above-maximum", "huge", *MACHINE_LIMITS)
INT64_MAX = 2 ** 63 - 1


def _expect_clamped(answer, contract, case):
    """Served as the maximum: exactly that many runs while more remain. A limit beyond 64-bit integers (`huge`,
    2^63 and past) may also be refused as not an integer: which, the contract leaves open."""
    beyond_int64 = int(invalid_limits(contract)[case][0][1]) > INT64_MAX
    if beyond_int64 and answer.status == contract.error_status("invalidQuery"):
        return
    expect_status(answer, 200, f"A limit above the maximum ({case}) is clamped, not refused")
    _expect_page_size(answer, contract.limit_max, f"A limit above the maximum ({case}) gives a page of the maximum "
                                                  f"{contract.limit_max}")
