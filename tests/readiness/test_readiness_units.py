"""Readiness without a server: the needs vocabulary against measured data, gaps and verdicts, accepted gaps."""

from __future__ import annotations

import pytest

from conformance.contract import load_contract
from conformance.outcomes import DataGap
from conformance.readiness import (
    Readiness, RuntimeAnswer, RuntimeData, crossing, empty_runtime, ended_runs, named_runtime, not_judged,
    other_tenant, require, runs, second_runtime, status_runs,
)
from conformance.outcomes import verdict as run_verdict
from conformance.readiness.gaps import GapBook
from conformance.readiness.vocabulary import GAP_NAMES, parse_accepted_gaps
from pipeline.gate_result import message_of, verdict_of

CONTRACT = load_contract()


def _runs(*statuses: str) -> list[dict]:
    return [{"id": f"run-{index}", "status": status} for index, status in enumerate(statuses)]


def _readiness(main: RuntimeData | None, other=None, empty=None, second=None) -> Readiness:
    return Readiness(walk_bound=400, main=main,
                     other=other or RuntimeAnswer("BCTRL_OTHER_RUNTIME_ID", "rt-other", 404),
                     empty=empty or RuntimeAnswer("BCTRL_EMPTY_RUNTIME_ID", "rt-empty", 200, 0),
                     second=second or RuntimeAnswer("BCTRL_SECOND_RUNTIME_ID", "rt-second", 200, 12))


THREE = RuntimeData.of(_runs("stopped", "active", "stopped"), complete=True)


def test_sizes_come_from_the_contract():
    """A crossing need reads its page size from the contract: more runs than the contract's largest page."""
    need = crossing("limit_max")
    assert f"more than {CONTRACT.limit_max} runs" in need.requirement(CONTRACT)
    page = _runs(*["stopped"] * CONTRACT.limit_max)
    assert need.unmet(_readiness(RuntimeData.of(page, complete=False)), CONTRACT) is None  # a nextCursor was left
    assert need.unmet(_readiness(RuntimeData.of(page, complete=True)), CONTRACT) is not None  # exactly one page


def test_three_runs_none_failed_is_named_with_its_counts():
    """The reason says what the data has (3 runs, 0 failed), what the check needs and what fixes it."""
    shortfall = status_runs("failed").unmet(_readiness(THREE), CONTRACT)
    assert shortfall.gap == "statuses"
    assert shortfall.have == "BCTRL_RUNTIME_ID has 3 runs (1 active, 2 stopped, 0 failed)"
    assert "pick a runtime with runs in every status" in shortfall.reason
    assert ended_runs(4).unmet(_readiness(THREE), CONTRACT) is not None
    assert ended_runs(2).unmet(_readiness(THREE), CONTRACT) is None
    assert runs().unmet(_readiness(THREE), CONTRACT) is None


def test_configured_runtimes_must_be_set_and_behave_as_such():
    """Unset settings are gaps; an empty runtime that lists runs or a second one that is not found too; another
    tenant's runtime that answers with runs is not a gap (the tenant-isolation checks judge it)."""
    unset = _readiness(THREE, other=RuntimeAnswer("BCTRL_OTHER_RUNTIME_ID", None))
    assert other_tenant().unmet(unset, CONTRACT).have == "BCTRL_OTHER_RUNTIME_ID is not set"
    leaking = _readiness(THREE, other=RuntimeAnswer("BCTRL_OTHER_RUNTIME_ID", "rt-b", 200, 30))
    assert other_tenant().unmet(leaking, CONTRACT) is None
    full = _readiness(THREE, empty=RuntimeAnswer("BCTRL_EMPTY_RUNTIME_ID", "rt-a", 200, 4))
    assert "lists 4 runs: it is not empty" in empty_runtime().unmet(full, CONTRACT).have
    lost = _readiness(THREE, second=RuntimeAnswer("BCTRL_SECOND_RUNTIME_ID", "rt-x", 404))
    assert "not found" in second_runtime().unmet(lost, CONTRACT).have


def test_a_named_runtime_not_found_is_a_gap_that_may_be_the_apis_and_cannot_be_accepted():
    """A runtime the settings name that answers 404 is a gap whose reason also says how it would be the API's failure
    and what tells the two apart; accepting its gap does not accept it (the run stays not green)."""
    lost = _readiness(THREE, empty=RuntimeAnswer("BCTRL_EMPTY_RUNTIME_ID", "rt-x", 404))
    shortfall = empty_runtime().unmet(lost, CONTRACT)
    assert shortfall.have == "BCTRL_EMPTY_RUNTIME_ID is not found with this key"
    assert "the API does not find it" in shortfall.suspect and "rt-x" in shortfall.suspect
    assert "or the API's failure" in shortfall.reason
    book = GapBook(accepted=frozenset({"empty-runtime", "statuses"}))
    book.add("a.py::test_empty", [shortfall])
    book.add("a.py::test_failed", [status_runs("failed").unmet(_readiness(THREE), CONTRACT)])
    assert [gap.name for gap in book.unaccepted] == ["empty-runtime"]
    assert "it could also be the API's failure" in book.unaccepted[0].line()
    assert book.unaccepted[0].as_json()["suspect"] == shortfall.suspect
    assert named_runtime("empty").unmet(lost, CONTRACT) is None  # the check that judges that 404 itself runs


def test_a_walk_that_could_not_be_made_leaves_the_checks_to_judge():
    """No readiness data (the first page was refused): no need on the main runtime is called unmet."""
    assert crossing("limit_max").unmet(_readiness(None), CONTRACT) is None


def test_runtime_guards_raise_the_same_generated_reason():
    """Inside a check, `require` and `not_judged` raise a DataGap (a skip) with the declaration's words."""
    need = crossing(7)
    with pytest.raises(DataGap) as raised:
        require(need, CONTRACT, THREE)
    assert str(raised.value.msg) == need.unmet(_readiness(THREE), CONTRACT).reason
    assert isinstance(raised.value, pytest.skip.Exception)
    with pytest.raises(DataGap):
        not_judged(need, CONTRACT, THREE.describe())


def verdict(book: GapBook) -> str:
    return run_verdict(failures=0, tool_errors=0, unaccepted_gaps=[gap.name for gap in book.unaccepted],
                       accepted_gaps=[gap.name for gap in book.gaps if gap.accepted])


def test_verdicts_of_gaps():
    """Unaccepted gaps: not judged; all accepted: conforms, with accepted gaps; none: conforms."""
    book = GapBook(accepted=frozenset({"other-tenant"}))
    assert verdict(book) == "conforms"
    book.add("check-a", [other_tenant().unmet(_readiness(THREE, other=RuntimeAnswer("BCTRL_OTHER_RUNTIME_ID", None)),
                                              CONTRACT)])
    assert verdict(book) == "conforms, with accepted gaps: other-tenant"
    book.add("check-b", [crossing(7).unmet(_readiness(THREE), CONTRACT)])
    assert verdict(book) == "not judged (data gaps: runs-to-page)" and [g.name for g in book.unaccepted] == [
        "runs-to-page"]


@pytest.mark.parametrize("text, accepted", [("other-tenant", {"other-tenant"}),
                                            (" empty-runtime , second-runtime ", {"empty-runtime", "second-runtime"}),
                                            (",".join(GAP_NAMES), set(GAP_NAMES))])
def test_accepted_gaps_are_read_by_name(text, accepted):
    assert parse_accepted_gaps(text) == accepted


@pytest.mark.parametrize("text", ["tenant", "other-tenant,,runs", ",", "other tenant"])
def test_an_unknown_or_malformed_gap_name_is_refused(text):
    with pytest.raises(ValueError):
        parse_accepted_gaps(text)


def test_the_gate_action_names_the_gaps():
    """The pipeline helper keeps exit 4 = not judged, names each unaccepted gap and its fix, passes accepted ones."""
    gaps = [{"name": "other-tenant", "reason": "BCTRL_OTHER_RUNTIME_ID is not set", "fix": "set it",
             "accepted": False}]
    line = message_of(4, "", gaps)
    assert line.startswith("::error") and "gap other-tenant: BCTRL_OTHER_RUNTIME_ID is not set; fix: set it" in line
    assert "with accepted gaps: other-tenant" in message_of(0, "", [{**gaps[0], "accepted": True}])
    run = {"exitStatus": 4, "verdict": "not judged (data gaps: other-tenant)"}
    assert verdict_of(4, run) == "not judged (data gaps: other-tenant)"
    assert verdict_of(1, run) == "the contract is broken"
