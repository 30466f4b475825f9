"""Fixtures of the fuzz area."""

from __future__ import annotations

from itertools import islice
from typing import Callable

import pytest

from conformance.judge.response import judged
from conformance.transport.client import pages
from conformance.transport.concurrency import Overlap

from .config import CURSOR_QUERY, fuzz_config, fuzz_schema

CURSORS_SAMPLED = 3
FUZZ_REQUESTS = pytest.StashKey["FuzzRequests"]()


@pytest.fixture(scope="session")
def handed_out_cursors(api) -> list[str]:
    """A few real nextCursor values (from pages of one run: CURSOR_QUERY), so positive cases can send valid
    cursors."""
    walk = islice(pages(api, **CURSOR_QUERY), CURSORS_SAMPLED)
    return [page.next_cursor for page in map(lambda page: judged(page, api.contract), walk) if page.next_cursor]


@pytest.fixture(scope="session")
def fuzz_target_schema(contract, target, settings, handed_out_cursors):
    config = fuzz_config(base_url=target.base_url, api_key=target.api_key, runtime_id=target.runtime_id,
                         seed=settings.seed, examples=settings.fuzz_examples, coverage=settings.fuzz_coverage)
    return fuzz_schema(contract, config, handed_out_cursors)


@pytest.fixture(scope="session", autouse=True)
def schemathesis_traffic_through_the_polite_session(http_session):
    """Send every Schemathesis request through the suite's session: retries, budget, rate cap and request log.

    Schemathesis drops the caller's session for the requests its auth checks re-send (so that session-level
    credentials cannot leak into them); ours carries none, so those go through it too. There is no public hook
    for the transport's session, hence this wrapper around the requests transport's `send`.
    """
    from schemathesis.transport.requests import REQUESTS_TRANSPORT

    original = REQUESTS_TRANSPORT.send

    def send(case, *, session=None, **kwargs):
        return original(case, session=session or http_session, **kwargs)

    REQUESTS_TRANSPORT.send = send
    yield
    del REQUESTS_TRANSPORT.send


class FuzzRequests:
    """The fuzzer's requests, a few in flight at once: each case Hypothesis generates is sent and judged on the
    transport's Overlap while it generates the next, and once all are answered the check fails with the first case
    (in the order generated) that broke the contract. Generation never depends on the answers, so the same cases
    go out either way. With one in flight (BCTRL_CONCURRENCY=1, the smoke profile) each case is sent and judged as
    it is generated, and Hypothesis shrinks a failure to its simplest case, as Schemathesis alone does."""

    def __init__(self, overlap: Overlap, seed: int):
        self.overlap, self.seed, self.sent = overlap, seed, []

    def send(self, call: Callable[[], object]) -> None:
        if self.overlap.in_flight < 2:
            self._sent_now(call)
        else:
            self.sent.append(self.overlap.submit(call))

    def judge(self) -> None:
        """Raise the first failure among the cases sent ahead, once every one has its answer."""
        failures = [error for error in (future.exception() for future in self.sent) if error is not None]
        if failures:
            failures[0].add_note(f"{len(failures)} of {len(self.sent)} fuzzed requests broke the contract; this "
                                 "is the first generated (BCTRL_CONCURRENCY=1 sends them one at a time, and "
                                 "Hypothesis then shrinks the failing case)")
            raise self._with_replay_note(failures[0])

    def _sent_now(self, call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as failure:
            raise self._with_replay_note(failure)

    def _with_replay_note(self, failure: BaseException) -> BaseException:
        """`failure` (Schemathesis raises an exception group) with a note on how to replay the run."""
        failure.add_note(f"Replay the whole fuzz run: BCTRL_SEED={self.seed} python -m pytest conformance/fuzz")
        return failure


@pytest.fixture
def fuzz_requests(request, overlap, settings) -> FuzzRequests:
    """Where the fuzz check sends each generated case (FuzzRequests); judged when the check's function returns."""
    request.node.stash[FUZZ_REQUESTS] = FuzzRequests(overlap, settings.seed)
    return request.node.stash[FUZZ_REQUESTS]


@pytest.hookimpl(wrapper=True, trylast=True)  # inside Schemathesis's own wrapper, which formats its failures
def pytest_pyfunc_call(pyfuncitem):
    """After Hypothesis has generated every case of the fuzz check, its cases sent ahead are judged."""
    outcome = yield
    if FUZZ_REQUESTS in pyfuncitem.stash:  # (Schemathesis hands its test the fixture, not pytest's funcargs)
        pyfuncitem.stash[FUZZ_REQUESTS].judge()
    return outcome
