"""judge/expect.py: a violation names the overlay line under which it would have passed, and only then."""

from __future__ import annotations

import pytest

from conformance.contract import load_contract
from conformance.contract.model import ErrorStatus
from conformance.judge.expect import expect, expect_judged, refusal_decision, undocumented_refusal
from conformance.outcomes import ContractViolation, Decision, by_decision

CONTRACT = load_contract()
INVALID_QUERY = CONTRACT.error_status("invalidQuery")
LENIENT = ("queryGrammar.limitOutsideGrammar", "lenient", "it reads limit='+5' as 5")


def test_an_error_status_knows_its_line():
    """contract.error_status(kind) is the int the overlay says, knowing its kind."""
    assert INVALID_QUERY == 400 and isinstance(INVALID_QUERY, ErrorStatus) and INVALID_QUERY.kind == "invalidQuery"
    assert {INVALID_QUERY, 200} == {400, 200}


@pytest.mark.parametrize("allowed, status, line", [
    ({INVALID_QUERY}, 422, "errorStatus.invalidQuery"),  # another status bctrl uses for a bad query
    ({INVALID_QUERY, 200}, 422, "errorStatus.invalidQuery"),
    ({CONTRACT.error_status("unauthenticated")}, 403, "errorStatus.unauthenticated"),
    ({INVALID_QUERY}, 404, None),  # not a status bctrl uses for a bad query
    ({INVALID_QUERY}, 500, None),
    ({INVALID_QUERY}, 200, None),  # served where refused: no status line settles that
    ({400}, 422, None),  # a plain status, not the overlay's line
    ({INVALID_QUERY, CONTRACT.error_status("notVisible")}, 403, None),  # two kinds: which line is unknowable
])
def test_a_refusal_with_another_conventional_status_is_its_error_status_decision(allowed, status, line):
    """Refused with another status bctrl's conventions use for that one kind of refusal: errorStatus.<kind>."""
    decision = refusal_decision(allowed, status)
    assert (decision.line if decision else None) == line
    assert decision is None or decision.value == status


def test_an_undocumented_status_of_one_kind_of_refusal_is_its_decision():
    """422 (only ever a bad query) is errorStatus.invalidQuery's; 403 (two kinds) and a documented status are none."""
    assert undocumented_refusal(422, CONTRACT) == Decision("errorStatus.invalidQuery", 422,
                                                           "it refuses with 422 where the overlay says 400")
    assert undocumented_refusal(403, CONTRACT) is None and undocumented_refusal(400, CONTRACT) is None


def _lenient_only(contract):
    expect(contract.limit_outside_grammar == "lenient", "limit='+5' is refused", expected="400", actual="200")


def test_a_failure_that_passes_under_another_choice_names_it():
    """The judge fails under the overlay in force and passes with the line lenient: the violation names that line."""
    with pytest.raises(ContractViolation) as raised:
        expect_judged(_lenient_only, CONTRACT, LENIENT)
    assert raised.value.decision == Decision(*LENIENT)
    assert "decision:  passes under `x-bctrl-contract.queryGrammar.limitOutsideGrammar: lenient`" in str(raised.value)


def test_a_failure_no_choice_settles_names_none():
    """A judge that fails under every choice tried names no decision."""
    def never(contract):
        expect(False, "never", expected="a", actual="b")

    with pytest.raises(ContractViolation) as raised:
        expect_judged(never, CONTRACT, LENIENT, ("limitAboveMaximum", "clamp", "it clamps"))
    assert raised.value.decision is None and "decision:" not in str(raised.value)


def test_failures_sort_bugs_first_then_decisions_by_size():
    """by_decision: the checks with no decision, then each (line, value) with its checks, the largest group first."""
    clamp, lenient = Decision("limitAboveMaximum", "clamp", "x"), Decision(*LENIENT)
    bugs, groups = by_decision({"a": lenient, "b": None, "c": clamp, "d": lenient})
    assert bugs == ["b"] and [(decision.line, checks) for decision, checks in groups] == [
        ("queryGrammar.limitOutsideGrammar", ["a", "d"]), ("limitAboveMaximum", ["c"])]
