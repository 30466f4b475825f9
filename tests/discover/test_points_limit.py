"""Page sizes and limit spellings (conformance/discover/points/limit.py): what each set of answers settles."""

from __future__ import annotations

import pytest

from conformance.discover.findings import AGREES, DECIDE, DIFFERS, NOT_SHOWN, REVIEW
from conformance.discover.points import limit
from conformance.discover.probes import LimitProbe
from points_helpers import answer, page, settle

CLAMPED_AT_100 = [LimitProbe(101, page(100))]
MAXIMUM_80 = [LimitProbe(80, page(80)), LimitProbe(81, answer(400))]
CLAMPED_AT_80 = [LimitProbe(100, page(80))]


@pytest.mark.parametrize("first_page, outcome, change", [
    (page(50), AGREES, None),
    (page(20), DIFFERS, ("limit.default", 20)),
    (page(10, None), NOT_SHOWN, None),
    (page(60, None), REVIEW, None),
    (answer(400), REVIEW, None),
], ids=["50-while-more-remain", "20-while-more-remain", "all-fit", "all-on-one-page", "refused"])
def test_the_default_limit(first_page, outcome, change):
    """The page without a limit settles the default only while more runs remain."""
    finding = settle(limit.default_limit, first_page=first_page)
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("limit_one, zero, outcome", [
    (page(1), answer(400), AGREES), (page(1), page(0), REVIEW), (answer(400), answer(400), REVIEW),
], ids=["one-served-zero-refused", "zero-served", "one-refused"])
def test_the_minimum(limit_one, zero, outcome):
    """limit=1 served and limit=0 refused agree with a minimum of 1; anything else is for review."""
    bad = {"limit-zero": zero, "limit-word": answer(400)}
    assert settle(limit.minimum, limit_one=limit_one, bad_queries=bad).outcome == outcome


@pytest.mark.parametrize("search, maximum, above", [
    (None, (AGREES, None), (AGREES, None)),
    (CLAMPED_AT_100, (AGREES, None), (DIFFERS, ("limitAboveMaximum", "clamp"))),
    (MAXIMUM_80, (DIFFERS, ("limit.maximum", 80)), (AGREES, None)),
    (CLAMPED_AT_80, (DIFFERS, ("limit.maximum", 80)), (DIFFERS, ("limitAboveMaximum", "clamp"))),
    ([LimitProbe(100, page(30, None)), LimitProbe(101, page(30, None))], (REVIEW, None), (REVIEW, None)),
], ids=["refuse-above-100", "clamp-at-100", "refuse-above-80", "clamp-at-80", "all-served"])
def test_the_maximum_and_above_it(search, maximum, above):
    """The search's answers settle the maximum and refuse-or-clamp together; served all the way, neither."""
    changes = {} if search is None else {"limit_search": search}
    found = settle(limit.maximum, **changes), settle(limit.above_maximum, **changes)
    assert [(f.outcome, f.change) for f in found] == [maximum, above]


@pytest.mark.parametrize("answered, lines, outcome, change", [
    (page(10), {}, AGREES, None),
    (answer(400), {}, AGREES, None),
    (answer(400), {"queryGrammar.limitLeadingZeros": "accepted"}, DIFFERS,
     ("queryGrammar.limitLeadingZeros", "accepted-or-refused")),
    (page(10), {"queryGrammar.limitLeadingZeros": "refused"}, DIFFERS,
     ("queryGrammar.limitLeadingZeros", "accepted-or-refused")),
    (page(8), {}, REVIEW, None),
], ids=["read-as-10", "refused", "refused-where-accepted", "read-where-refused", "read-otherwise"])
def test_leading_zeros(answered, lines, outcome, change):
    """limit=010 read as 10 or refused agrees where the contract allows it; otherwise either is allowed."""
    finding = settle(limit.leading_zeros, lines, limit_spellings={"leading-zero": answered},
                     limit_spelling_pairs={"leading-zero": [("limit", "010")]})
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("answered, lines, outcome, change", [
    (answer(400), {}, AGREES, None),
    (page(5), {}, DECIDE, ("queryGrammar.limitOutsideGrammar", "lenient")),
    (page(5), {"queryGrammar.limitOutsideGrammar": "lenient"}, AGREES, None),
    (page(9), {}, REVIEW, None),
], ids=["refused", "read-as-a-number", "read-where-lenient", "read-as-no-parser-does"])
def test_limits_spelled_outside_the_grammar(answered, lines, outcome, change):
    """limit=+5 refused agrees; read as 5 is a decision written for review; read as 9, no parser's reading."""
    finding = settle(limit.limit_outside_grammar, lines, limit_spellings={"plus": answered},
                     limit_spelling_pairs={"plus": [("limit", "+5")]})
    assert (finding.outcome, finding.change) == (outcome, change)


def test_limit_spellings_not_asked_are_not_shown():
    """No spelling asked: neither grammar line is shown."""
    assert settle(limit.limit_outside_grammar).outcome == settle(limit.leading_zeros).outcome == NOT_SHOWN
