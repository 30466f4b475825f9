"""The whole-run checks' one look of their own: BCTRL_RUNTIME_ID read again at the end of a gate run, once the
contract's read lag has passed since the run's first reads (waiting for it in a run shorter than that)."""

from __future__ import annotations

import time
from itertools import islice

import pytest

from conformance.judge.walk import page_budget
from conformance.transport.client import pages

LATE_WALKS = 2  # walks in the late look: behind a load balancer, each may meet another instance of the API
FIRST_READS = 0.5  # seconds: the run's first reads (the readiness walk) fall within this of the first


@pytest.fixture(scope="session")
def ledger_with_a_late_look(run_ledger, api, contract, settings):
    """The run's ledger, after the gate has walked BCTRL_RUNTIME_ID LATE_WALKS more times, at least the contract's
    read lag after the run's first reads. An order (a run ended, then running again; finishedAt set, then null) is
    judged only between reads further apart than the lag: a run shorter than that would judge none, so it waits
    out the rest. Always taken in the gate, so the run's requests do not depend on its speed. The smoke spends no
    request on it: paced, it outlasts a read lag."""
    lag = contract.read_lag_seconds
    if settings.profile != "gate" or not lag or run_ledger.first_read is None:
        return run_ledger
    time.sleep(max(0.0, run_ledger.first_read + FIRST_READS + lag - time.monotonic()))
    for _ in range(LATE_WALKS):
        # Not judged here: the ledger records the pages, and every other check judges pages like them.
        for _ in islice(pages(api, limit=contract.limit_max),
                        page_budget(settings.max_walk_runs, contract.limit_max)):
            pass
    return run_ledger
