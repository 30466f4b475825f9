"""No false alarms on live data: the suite passes, run after run, while runs start and end under it, and while
the target answers with transient trouble (429, 503, dropped connections, slow answers)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from fault_matrix.matrix import WORKERS
from fault_matrix.runners import run_suite
from reference_server import ReferenceServer

# Runs in a row per condition: 5 in CI (its ten-minute budget); `LIVE_DATA_RUNS=10` for the figures in the notes.
RUNS_IN_A_ROW = int(os.environ.get("LIVE_DATA_RUNS", "5"))
TROUBLE_RATE = 0.02  # of requests; with three retries each, a false alarm would need four troubles in a row


def _runs_in_a_row(server, tmp_path, name):
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda n: run_suite(server, None, tmp_path / f"{name}-{n}"), range(RUNS_IN_A_ROW)))


def test_suite_passes_run_after_run_while_runs_start_and_end(tmp_path):
    """With churn on (a run starts and another ends every 0.2 s), every run of the suite in a row passes."""
    with ReferenceServer(churn=True) as server:
        outcomes = _runs_in_a_row(server, tmp_path, "churn")
        started = len(server.store.all_runs(server.seed_info.runtime_id))
    failures = [outcome.output_tail for outcome in outcomes if outcome.exit_code != 0]
    assert not failures, f"{len(failures)} of {RUNS_IN_A_ROW} runs failed; the first:\n{failures[0]}"
    assert started > 130, "churn added no runs: the test proved nothing"


def test_suite_passes_run_after_run_through_transient_trouble_and_churn(tmp_path):
    """With churn and transient trouble on, every run in a row passes, retrying politely, and says what it retried."""
    with ReferenceServer(churn=True, trouble_rate=TROUBLE_RATE) as server:
        outcomes = _runs_in_a_row(server, tmp_path, "stress")
        troubles = [record.trouble for record in server.request_log if record.trouble]
    failures = [outcome.output_tail for outcome in outcomes if outcome.exit_code != 0]
    assert not failures, f"{len(failures)} of {RUNS_IN_A_ROW} runs failed; the first:\n{failures[0]}"
    assert {"429", "503", "drop", "slow"} <= set(troubles), f"not every kind of trouble happened: {set(troubles)}"
    assert any("retried: " in outcome.output_tail for outcome in outcomes), "no run said what it retried"
    summaries = [(tmp_path / f"stress-{n}" / "summary.md").read_text() for n in range(RUNS_IN_A_ROW)]
    assert any("## Retried requests" in summary for summary in summaries)
