"""Requests in flight at the same time must each get their own answer: request-scoped state kept where another
request can reach it (a module-level "current tenant", a shared parsed query, a connection reused across threads) is
a classic cross-tenant leak that requests one after another never show. A small burst, a few in flight at once
(BCTRL_CONCURRENCY), mixes the key's runtimes, another tenant's, and refusals; each answer is judged by what its own
request alone must get. Gate only: the smoke profile sends one request at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from conformance.judge.expect import expect, refusal_decision
from conformance.judge.live import missed_runs, unexplained_runs
from conformance.judge.walk import Walk, walk_runs
from conformance.readiness import empty_runtime, ended_runs, in_flight, other_tenant, second_runtime
from conformance.transport.client import ApiClient, page_params

pytestmark = pytest.mark.gate_only("the smoke profile sends one request at a time: nothing overlaps")

ROUNDS = 3  # bursts in a row: a race shows in some, not all
COPIES = 2  # of each request in a burst


@dataclass
class Asked:
    """One kind of request in the burst, and what its answer alone must be."""

    name: str
    send: Callable[[], object]
    status: int
    runs_of: Walk | None = None  # the runtime whose runs alone a 200 may list (None: no runs at all)
    statuses: frozenset[str] | None = None  # the statuses a 200 may list (a filter)
    limit: int | None = None
    follow: Callable[[str], object] | None = None  # the same request for the page after a cursor


def _burst(api, other_api, contract, shared_walk, unknown_runtime_id, target, second, others):
    size = contract.limit_min + 2
    counts = {status: sum(run["status"] == status for run in shared_walk.runs) for status in contract.terminal_statuses}
    ended = max(counts, key=counts.get)
    plain, filtered = page_params(limit=size), page_params(limit=size, status=ended)
    asked = [
        Asked("the key's runtime", lambda: api.list_runs(params=plain), 200, shared_walk, limit=size,
              follow=lambda cursor: api.list_runs(params=[*plain, ("cursor", cursor)])),
        Asked(f"the key's runtime, status={ended}", lambda: api.list_runs(params=filtered), 200,
              shared_walk, frozenset({ended}), size,
              follow=lambda cursor: api.list_runs(params=[*filtered, ("cursor", cursor)])),
        Asked("an unknown runtime", lambda: api.list_runs(unknown_runtime_id),
              contract.error_status("notVisible")),
        Asked("no key", lambda: api.list_runs(authorization=None), contract.error_status("unauthenticated")),
        Asked("a bad limit", lambda: api.list_runs(params=[("limit", contract.limit_min - 1)]),
              contract.error_status("invalidQuery")),
        Asked("another tenant's runtime", lambda: api.list_runs(target.other_runtime_id),
              contract.error_status("notVisible")),
        Asked("the key's empty runtime", lambda: api.list_runs(target.empty_runtime_id), 200),
        Asked("another runtime of the key", lambda: api.list_runs(target.second_runtime_id, plain),
              200, second, limit=size, follow=lambda cursor: api.list_runs(
                  target.second_runtime_id, [*plain, ("cursor", cursor)])),
    ]
    if other_api is not None:  # a second principal in the same burst: the other tenant's key
        asked += [
            Asked("the other tenant's key, its own runtime", lambda: other_api.list_runs(params=plain),
                  200, others, limit=size),
            Asked("the other tenant's key, the key's runtime",
                  lambda: other_api.list_runs(target.runtime_id, plain),
                  contract.error_status("notVisible")),
        ]
    return asked


def _problems(asked: Asked, answer, contract, before=None) -> list[str]:
    """What is wrong with `answer` for what `asked` alone must get (`before`: the page whose nextCursor it
    followed)."""
    problems = []
    if answer.status != asked.status:
        problems.append(f"status {answer.status}, not {asked.status}")
    if asked.runs_of is None and answer.runs:
        problems.append(f"{len(answer.runs)} runs where there are none")
    if asked.runs_of is not None and answer.status == 200:
        listed = Walk(runs=answer.runs, pages=[answer], complete=answer.next_cursor is None)
        foreign = unexplained_runs(asked.runs_of, listed, contract)
        if foreign:
            problems.append(f"{len(foreign)} runs of another runtime, first {foreign[0].get('id')}")
        others = {run.get("status") for run in answer.runs} - (asked.statuses or set(contract.statuses))
        if others:
            problems.append(f"runs in {sorted(map(str, others))}")
        if asked.limit is not None and len(answer.runs) > asked.limit:
            problems.append(f"{len(answer.runs)} runs on a page of {asked.limit}")
        problems += _skipped(asked, answer, contract, before)
    return problems


def _skipped(asked: Asked, answer, contract, before) -> list[str]:
    """Runs of its list that the page (with the page it follows) passes over: its nextCursor, or its lack of one,
    must not skip any run that was already listed."""
    listed = Walk(runs=[*(before.runs if before is not None else []), *answer.runs],
                  complete=answer.next_cursor is None)
    skipped = missed_runs(asked.runs_of.restricted(asked.statuses), listed, contract)
    return [f"{len(skipped)} runs of its list passed over, first {skipped[0].get('id')}"] if skipped else []


@pytest.mark.rule("tenant.overlap", "tenant.isolation", "run.one-runtime", "limit.bounds", "status.single",
                  "cursor.scope")
@pytest.mark.needs(other_tenant(), empty_runtime(), second_runtime(1), ended_runs(1), in_flight(2))
def test_requests_in_flight_together_each_get_their_own_answer(api, contract, overlap, shared_walk,
                                                              unknown_runtime_id, target, max_walk_runs):
    """In a burst of requests in flight together (the key's runtime, plain and filtered, another runtime of the
    key, its empty one, another tenant's, an unknown one, no key, a bad limit, and the other tenant's key where it is
    set), each gets what its own request alone must: its status, and only the runs of the runtime, status and limit
    it names, passing over none of them; and each page's nextCursor, followed in a second burst, continues that
    page."""
    second = walk_runs(api, limit=contract.limit_max, runtime_id=target.second_runtime_id, max_runs=max_walk_runs)
    other_api = ApiClient(api.session, target.base_url, target.other_api_key, target.other_runtime_id,
                          contract) if target.other_api_key else None
    others = walk_runs(other_api, limit=contract.limit_max, max_runs=max_walk_runs) if other_api else None
    asked = _burst(api, other_api, contract, shared_walk, unknown_runtime_id, target, second, others)
    # Neighbours differ: the requests in flight at one moment are of different kinds, whose answers a leak mixes.
    sent = [kind for _ in range(ROUNDS * COPIES) for kind in asked]
    answers = overlap.all([kind.send for kind in sent])
    _expect_their_own(sent, answers, contract, "")
    pages = [(kind, answer) for kind, answer in zip(sent, answers)
             if kind.follow is not None and answer.status == 200 and answer.next_cursor and answer.runs]
    followed = overlap.all([lambda kind=kind, answer=answer: kind.follow(answer.next_cursor) for kind, answer in pages])
    nexts = [Asked(f"{kind.name}, the page after", kind.send, 200, kind.runs_of, kind.statuses, kind.limit)
             for kind, _ in pages]
    _expect_their_own(nexts, followed, contract, " (each after its own page)", [answer for _, answer in pages])


def _expect_their_own(sent, answers, contract, which, previous=None):
    __tracebackhide__ = True
    wrong = []
    for index, (kind, answer) in enumerate(zip(sent, answers)):
        problems = _problems(kind, answer, contract, previous[index] if previous is not None else None)
        if previous is not None and answer.runs and previous[index].runs:
            position = contract.order.key(previous[index].runs[-1])
            if any(not position < contract.order.key(run) for run in answer.runs if "createdAt" in run):
                problems.append("runs that are not after its page's last run")
        if problems:
            wrong.append((kind, answer, problems))
    kind, answer, problems = wrong[0] if wrong else (None, None, [])
    # Wrong only in their refusal's status, all one other conventional status: that errorStatus line's decision.
    decisions = {refusal_decision({asked.status}, got.status) if len(found) == 1 and got.status != asked.status
                 else None for asked, got, found in wrong}
    expect(not wrong, f"Each of {len(sent)} requests in flight together gets its own answer{which}",
           expected="what each request alone gets",
           actual=f"{len(wrong)} wrong; the first, {kind.name}: {'; '.join(problems)}" if wrong else "",
           exchange=answer, decision=decisions.pop() if len(decisions) == 1 else None)
