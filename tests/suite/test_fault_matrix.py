"""Every check has teeth: against the reference server with one catalogued fault on, the suite fails, and the
check meant for that kind of bug is among the failures. The clean server passes."""

from __future__ import annotations

import pytest

from concurrent.futures import ThreadPoolExecutor

from conformance.profiles import NIGHTS
from conformance.settings import SETTINGS
from fault_matrix.designated import CATCHER, SMOKE_CATCHER
from fault_matrix.matrix import WORKERS, run_matrix
from fault_matrix.report import designated_check_failed, failed_checks
from fault_matrix.week import smoke_run
from reference_server import FAULTS, checks

SMOKE_BUDGET = next(s.defaults["smoke"] for s in SETTINGS if s.env == "BCTRL_REQUEST_BUDGET")  # 60 GET requests
# Of the faults a GET can reveal, the smoke catches at least this share on the night it meets each (the faults take
# the week's nights in turn). Measured with `python -m fault_matrix.week`: 35-43% a night, 67% over a week.
SMOKE_NIGHT_SHARE = 0.3


@pytest.fixture(scope="module")
def matrix():
    """The suite, gate and smoke profiles, against the clean server and every catalogued fault (four at a time); the
    gate focused on each fault's designated check (`python -m fault_matrix` runs the whole gate against each); the
    smoke on one night of the week per fault, in turn."""
    return run_matrix(contenders=["suite", "smoke"], focused=True)


@pytest.fixture(scope="module")
def clean_nights():
    """The smoke profile against the clean server on each night of a week."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda night: smoke_run(None, night), range(NIGHTS)))


def test_every_catalogued_fault_has_a_designated_check():
    """Every catalogue entry names its designated check, one of the checks named in reference_server/checks.py (and
    so does its smoke check, if it has one), so a new fault cannot go unproven."""
    named = {value for name, value in vars(checks).items() if name.isupper()}
    assert not [name for name, fault in FAULTS.items()
                if fault.check not in named or fault.smoke_check not in (None, *named)]


@pytest.mark.parametrize("profile", ["suite", "smoke"])
def test_clean_server_passes(matrix, profile):
    """Against the clean reference server the suite, in either profile, reports no failure (no false alarm)."""
    clean = matrix.outcome(profile, None)
    assert clean.exit_code == 0 and not clean.failed_tests, clean.output_tail


def test_every_night_of_the_smoke_passes_the_clean_server(clean_nights):
    """Whichever night of the week it is, the smoke profile reports no failure against the clean server."""
    failing = {night + 1: (run.exit_code, run.failed_tests) for night, run in enumerate(clean_nights) if run.exit_code}
    assert not failing, failing


def test_smoke_judges_every_fault_within_its_request_budget(matrix, clean_nights):
    """Against the clean server and every fault, on the nights they meet, the smoke reaches a verdict (0 or 1, or a
    gap it names as possibly the API's failure) within its request budget: it never runs out of requests (a hard
    cap: running out is "not judged", exit 4)."""
    runs = [*clean_nights, *(matrix.outcome("smoke", fault) for fault in matrix.faults)]
    unjudged = {run.fault or "(clean)": (run.exit_code, run.requests) for run in runs
                if not (run.exit_code in (0, 1) or run.suspect_gaps) or run.requests > SMOKE_BUDGET}
    assert not unjudged, unjudged


def test_smoke_catches_a_share_of_the_faults_a_get_can_reveal(matrix):
    """Within its budget, GET and HEAD only, the smoke profile catches at least SMOKE_NIGHT_SHARE of the faults a
    GET can reveal, each on the night it meets it."""
    revealable = [fault for fault in matrix.faults if FAULTS[fault].revealed_by_get]
    missed = [fault for fault in revealable if not matrix.outcome("smoke", fault).caught]
    caught = len(revealable) - len(missed)
    assert caught >= SMOKE_NIGHT_SHARE * len(revealable), f"smoke caught {caught} of {len(revealable)}"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_caught_by_its_check(matrix, fault):
    """The check meant for this fault fails against the server with it (and so the suite fails); for a bug the suite
    cannot tell from a wrong setting, the run names that gap as possibly the API's failure and is not green."""
    outcome = matrix.outcome("suite", fault)
    assert outcome.caught, f"{fault}: exit {outcome.exit_code}\n{outcome.output_tail}"
    assert designated_check_failed(outcome), f"{fault} was caught by {outcome.failed_tests}, not by {CATCHER[fault]}"


@pytest.mark.parametrize("fault", sorted(SMOKE_CATCHER))
def test_fault_is_caught_in_smoke_by_its_smoke_check(matrix, fault):
    """A smoke check written for a fault (cheaper than the gate's check for it) fails against the server with it."""
    outcome = matrix.outcome("smoke", fault)
    assert SMOKE_CATCHER[fault] in failed_checks(outcome), f"{fault} was caught in smoke by {outcome.failed_tests}"
