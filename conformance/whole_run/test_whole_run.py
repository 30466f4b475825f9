"""Whole-run checks: what every other test (and the fuzzer) was shown, judged together at the end of the run.

They send no request but the gate's late look (conftest.py: two walks at least the contract's read lag after the
run's first reads): the polite session reports every exchange, retried answers included, to the run's ledger of
runs (judge/ledger.py) and its log of answers (transport/answers.py), and these tests read them. They run last, in
every profile.
"""

from __future__ import annotations

import pytest

from conformance.judge.http_rules import http_problems
from conformance.judge.http_rules import report as report_answers
from conformance.judge.ledger import report
from conformance.outcomes import ContractViolation, ToolError
from conformance.readiness import not_judged, runs

pytestmark = pytest.mark.whole_run

LISTED = 8  # runs whose violations are spelled out in a failure; the rest are counted
EXAMPLES = 3  # answers shown for each HTTP problem; the rest are counted
SOME_RUNS = runs()  # no run listed, nothing to compare (a runtime without runs is a gap, not a pass)


def _not_recorded(what: str, errors: list[str]) -> None:
    if errors:
        raise ToolError(f"the {what} could not record {len(errors)} answers (first: {errors[0]}); the whole-run "
                        "check cannot judge what it did not record")


@pytest.mark.rule("run.immutable", "run.one-runtime")
@pytest.mark.needs(SOME_RUNS)
def test_no_run_changes_what_cannot_change_across_the_whole_run(ledger_with_a_late_look, contract):
    """Across the whole run (every test, the fuzzer's answers included) no run changes its id, createdAt or
    startedAt, nor its finishedAt once set, nor its status once terminal, and no run is listed under two runtimes.

    Live data: runs start and end under the suite; only what cannot change is compared, timestamps as instants
    (another offset or precision is the same time), and an order (set then null, ended then running) only between
    requests that did not overlap."""
    run_ledger = ledger_with_a_late_look
    _not_recorded("run ledger", run_ledger.errors)
    if not run_ledger.runs:
        not_judged(SOME_RUNS, contract, "no run of BCTRL_RUNTIME_ID was listed in this run")
    if not run_ledger.repeated_runs:  # a subset of the suite was selected: not a gap in the data
        pytest.skip(f"the run saw {len(run_ledger.runs)} runs, none twice: run the whole suite, not a subset")
    violations = run_ledger.changes
    if violations:
        runs = len({violation.run_id for violation in violations})
        raise ContractViolation(
            f"{runs} of the {len(run_ledger.runs)} runs seen changed what cannot change "
            f"({run_ledger.change_count} sightings disagree with an earlier one)",
            expected="every sighting of a run agrees with the earlier ones on createdAt, startedAt, a set "
                     "finishedAt, a terminal status and its runtime",
            actual="\n" + "\n".join(report(violations, LISTED)),
        )


@pytest.mark.rule("http.retry-after", "http.shared-cache", "auth.never-echoed", "errors.envelope")
def test_every_answer_keeps_the_http_rules_the_contract_implies(answer_log, contract):
    """Every answer the run received, the ones the client retried and no test saw included, keeps the HTTP rules
    the contract implies: a 429 or a JSON 503 judged before it was retried like any error of the API, the headers
    its status requires (Retry-After with 429), no Cache-Control that lets a
    shared cache store an answer to an authenticated request (public, s-maxage), and no API key (nor an encoding or
    a piece of one) in any header or body, 200s included."""
    _not_recorded("answer log", answer_log.errors)
    judged = [answer for answer in answer_log.answers if answer.authenticated]
    if not judged:
        pytest.skip("the run received no answer to an authenticated request: nothing to judge")
    offending = [(rule, problem, answer) for answer in answer_log.answers
                 for rule, problem in http_problems(answer, contract)]
    if offending:
        raise ContractViolation(
            f"{len(offending)} of the run's {len(answer_log.answers)} answers break the HTTP rules the contract "
            "implies",
            expected=_http_rules(contract),
            actual="\n" + "\n".join(report_answers(offending, EXAMPLES)),
        )


def _http_rules(contract) -> str:
    required = [f"{', '.join(headers)} with {status}" for status, headers in contract.required_header_statuses.items()]
    forbidden = [f"no {name}" for name in contract.shared_cache_forbidden]
    return "; ".join(required + ([f"{', '.join(forbidden)} when the request carried Authorization"] if forbidden
                                 else []) + ["no API key in any answer"])
