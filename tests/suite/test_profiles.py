"""Profiles and the polite client: smoke is read-only, small and quick; budgets and outages end as tool errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

from conformance.outcomes import NOT_JUDGED as TOOL_ERROR
from conformance.settings import week
from fault_matrix.matrix import WORKERS
from fault_matrix.runners import clean_env, run_pytest, run_suite
from reference_server import ReferenceServer


SMOKE_BUDGET = 60


def test_smoke_sends_only_gets_within_its_budget(reports):
    """The smoke profile passes against the reference server with only GETs, within its budget (its night pinned:
    `clean_env`; how long it takes is the machine's, not the profile's, so it is not asserted)."""
    with ReferenceServer() as server:
        outcome = run_suite(server, None, reports, extra_env={"BCTRL_PROFILE": "smoke"})
        methods = {record.method for record in server.request_log}
        sent = len(server.request_log)
    assert outcome.exit_code == 0, outcome.output_tail
    assert methods == {"GET"}, methods
    assert 0 < sent <= SMOKE_BUDGET, sent


def test_smoke_keeps_its_core_every_night():
    """Every night the smoke profile walks across pages (filtered, limited), refuses a missing and a wrong key,
    keeps another tenant's runtime invisible (canonical and spelled otherwise) and a cursor in its runtime, lists
    the empty runtime, and judges the whole run; never a gate-only check."""
    done = run_pytest(["--collect-only", "-q", "-p", "no:cacheprovider"], clean_env(BCTRL_PROFILE="smoke"))
    collected = done.stdout
    for expected in ("test_cursor_walk_ends_once_and_in_order", "test_following_a_cursor_keeps_the_filter_and_limit",
                     "test_bad_credentials_are_rejected[no-header]", "test_bad_credentials_are_rejected[wrong-key]",
                     "test_other_tenants_runtime_looks_like_an_unknown_one",
                     "test_another_tenants_runtime_stays_invisible_however_spelled[trailing-slash]",
                     "test_a_cursor_taken_to_another_runtime_of_the_key_lists_no_run_of_its_own_runtime",
                     "test_empty_runtime_gives_one_empty_page",
                     "test_no_run_changes_what_cannot_change_across_the_whole_run"):
        assert expected in collected, f"{expected} is not in the smoke profile"
    for gate_only in ("methods/test_methods.py", "test_the_key_in_a_query_parameter", "overlap/"):
        assert gate_only not in collected, f"{gate_only} must never reach production"


def test_every_night_of_a_week_passes_within_the_budget_with_gets_and_heads(tmp_path):
    """On seven dates in a row, each night's smoke run (the core and that night's share of the rotation) passes
    against the reference server, sends only GET and HEAD, and stays within its budget."""
    days = week()
    with ReferenceServer() as server:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            outcomes = list(pool.map(lambda day: run_suite(server, None, tmp_path / day.isoformat(), extra_env={
                "BCTRL_PROFILE": "smoke", "BCTRL_SMOKE_DAY": day.isoformat(), "BCTRL_RATE_LIMIT": "0"}), days))
        methods = {record.method for record in server.request_log}
    failed = {outcome.output_tail for outcome in outcomes if outcome.exit_code != 0}
    assert not failed, failed
    assert methods <= {"GET", "HEAD"}, methods
    assert all(outcome.requests <= SMOKE_BUDGET for outcome in outcomes), [outcome.requests for outcome in outcomes]


def test_whole_run_checks_come_last_in_both_profiles():
    """The whole-run checks judge what every other test saw: they are collected last, in gate and in smoke."""
    whole_run = ["conformance/whole_run/test_whole_run.py::test_no_run_changes_what_cannot_change_across_the_whole_run",
                 "conformance/whole_run/test_whole_run.py::test_every_answer_keeps_the_http_rules_the_contract_implies"]
    for profile in ("gate", "smoke"):
        done = run_pytest(["--collect-only", "-q", "-p", "no:cacheprovider"], clean_env(BCTRL_PROFILE=profile))
        items = [line for line in done.stdout.splitlines() if line.startswith("conformance/")]
        assert items[-2:] == whole_run and len(items) > 2, (profile, items[-3:])


def test_exhausted_budget_stops_the_run_as_a_tool_error(reports):
    """Reaching the request budget stops the run with a line naming BCTRL_REQUEST_BUDGET, a JUnit error, exit 4."""
    with ReferenceServer() as server:
        outcome = run_suite(server, None, reports, extra_env={"BCTRL_REQUEST_BUDGET": "25"})
        sent = len(server.request_log)
    assert outcome.exit_code == TOOL_ERROR, outcome.output_tail
    assert "TOOL ERROR: BCTRL_REQUEST_BUDGET" in outcome.output_tail
    assert sent <= 25
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert int(suite.get("errors")) >= 1 and int(suite.get("failures")) == 0


def test_target_unavailable_after_retries_is_a_tool_error_not_a_contract_failure(reports):
    """A target that keeps answering 503 after the retries ends the run as a tool error (exit 4), not exit 1."""
    with ReferenceServer(trouble_rate=0.6) as server:
        outcome = run_suite(server, None, reports, extra_env={"BCTRL_RETRIES": "0", "BCTRL_PROFILE": "smoke"})
    assert outcome.exit_code == TOOL_ERROR, outcome.output_tail
    assert "TOOL ERROR" in outcome.output_tail or "cannot be reached" in outcome.output_tail
