"""Every check has teeth: against the reference server with one catalogued fault on, the suite fails, and the
check meant for that kind of bug is among the failures. The clean server passes."""

from __future__ import annotations

import pytest

from conformance.settings import SETTINGS
from fault_matrix.designated import CATCHER, SMOKE_CATCHER
from fault_matrix.matrix import run_matrix
from fault_matrix.report import designated_check_failed, failed_checks
from reference_server import FAULTS


SMOKE_BUDGET = next(s.defaults["smoke"] for s in SETTINGS if s.env == "BCTRL_REQUEST_BUDGET")  # 60 GET requests
SMOKE_SHARE = 0.9  # of the faults a GET can reveal, the smoke profile catches at least this share


@pytest.fixture(scope="module")
def matrix():
    """The suite, gate and smoke profiles, against the clean server and every catalogued fault (four at a time); the
    gate focused on each fault's designated check (`python -m fault_matrix` runs the whole gate against each)."""
    return run_matrix(contenders=["suite", "smoke"], focused=True)


def test_every_catalogued_fault_has_a_designated_check():
    """The catalogue and this table name the same faults, so a new fault cannot go unproven."""
    assert set(CATCHER) == set(FAULTS)


@pytest.mark.parametrize("profile", ["suite", "smoke"])
def test_clean_server_passes(matrix, profile):
    """Against the clean reference server the suite, in either profile, reports no failure (no false alarm)."""
    clean = matrix.outcome(profile, None)
    assert clean.exit_code == 0 and not clean.failed_tests, clean.output_tail


def test_smoke_stays_within_its_request_budget_against_every_fault(matrix):
    """The smoke profile never sends more than its request budget, whatever fault the target has."""
    over = {fault: o.requests for fault in [None, *matrix.faults] if (o := matrix.outcome("smoke", fault)).requests
            > SMOKE_BUDGET}
    assert not over, over


def test_smoke_catches_nine_in_ten_faults_a_get_can_reveal(matrix):
    """Within its budget, GET only, the smoke profile catches at least nine in ten of the faults a GET can reveal."""
    revealable = [fault for fault in matrix.faults if FAULTS[fault].revealed_by_get]
    missed = [fault for fault in revealable if not matrix.outcome("smoke", fault).caught]
    caught = len(revealable) - len(missed)
    assert caught >= SMOKE_SHARE * len(revealable), f"smoke caught {caught} of {len(revealable)}; missed {missed}"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_caught_by_its_check(matrix, fault):
    """The check meant for this fault fails against the server with it (and so the suite fails)."""
    outcome = matrix.outcome("suite", fault)
    assert outcome.exit_code == 1, f"{fault}: exit {outcome.exit_code}\n{outcome.output_tail}"
    assert designated_check_failed(outcome), f"{fault} was caught by {outcome.failed_tests}, not by {CATCHER[fault]}"


@pytest.mark.parametrize("fault", sorted(SMOKE_CATCHER))
def test_fault_is_caught_in_smoke_by_its_smoke_check(matrix, fault):
    """A smoke check written for a fault (cheaper than the gate's check for it) fails against the server with it."""
    outcome = matrix.outcome("smoke", fault)
    assert SMOKE_CATCHER[fault] in failed_checks(outcome), f"{fault} was caught in smoke by {outcome.failed_tests}"
