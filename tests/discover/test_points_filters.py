"""The status filter (conformance/discover/points/filters.py): what each set of answers settles."""

from __future__ import annotations

import pytest

from conformance.discover.findings import AGREES, DECIDE, DIFFERS, NOT_SHOWN, REVIEW
from conformance.discover.points import filters
from points_helpers import answer, page, run, settle

BOTH = page([run(0, "active"), run(1, "failed")])
ACTIVE_ONLY = page([run(0, "active")])


@pytest.mark.parametrize("union, outcome", [
    (BOTH, AGREES), (ACTIVE_ONLY, REVIEW), (None, NOT_SHOWN),
], ids=["both-listed", "one-listed", "not-asked"])
def test_several_statuses_as_repeated_keys(union, outcome):
    """status=active&status=failed listing runs of both agrees; otherwise review (no line says another way)."""
    finding = settle(filters.status_list, status_union=union, union_statuses=("active", "failed"))
    assert finding.outcome == outcome


@pytest.mark.parametrize("first_page, outcome", [
    (BOTH, AGREES), (page([run(0, "paused")]), REVIEW),
], ids=["published-statuses", "unknown-status"])
def test_the_run_statuses(first_page, outcome):
    """Runs in the published statuses agree (an unseen one is kept); a status outside the enum is for review."""
    assert settle(filters.statuses, first_page=first_page).outcome == outcome


@pytest.mark.parametrize("answered, lines, outcome, change", [
    (answer(400), {}, AGREES, None),
    (ACTIVE_ONLY, {}, DECIDE, ("queryGrammar.statusOutsideGrammar", "lenient")),
    (ACTIVE_ONLY, {"queryGrammar.statusOutsideGrammar": "lenient"}, AGREES, None),
    (page([run(0, "failed")]), {}, REVIEW, None),
], ids=["refused", "read-as-active", "read-where-lenient", "read-as-another"])
def test_statuses_spelled_outside_the_grammar(answered, lines, outcome, change):
    """status=ACTIVE refused agrees; filtered as active is a decision; filtered as another status is review."""
    finding = settle(filters.status_outside_grammar, lines, status_spellings={"upper-case": answered},
                     status_spelling_values={"upper-case": ["ACTIVE"]})
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("answered, lines, outcome, change", [
    (page(50), {}, AGREES, None),
    (answer(400), {}, AGREES, None),
    (page(50), {"queryGrammar.unknownParameters": "refused"}, DIFFERS,
     ("queryGrammar.unknownParameters", "ignored")),
    (answer(404), {}, REVIEW, None),
    (None, {}, NOT_SHOWN, None),
], ids=["ignored", "refused", "ignored-where-refused", "another-status", "not-asked"])
def test_unknown_parameters(answered, lines, outcome, change):
    """status[]=active ignored or refused agrees where allowed; otherwise what was seen is written."""
    finding = settle(filters.unknown_parameters, lines,
                     unknown_parameters={} if answered is None else {"status[]": answered})
    assert (finding.outcome, finding.change) == (outcome, change)
