"""Every check has teeth: against the reference server with one catalogued fault on, the suite fails, and the
check meant for that kind of bug is among the failures. The clean server passes."""

from __future__ import annotations

import pytest

from fault_matrix.designated import CATCHER
from fault_matrix.matrix import run_matrix
from reference_server import FAULTS


@pytest.fixture(scope="module")
def matrix():
    """The suite against the clean server and every catalogued fault (two at a time; about two minutes)."""
    return run_matrix(contenders=["suite"])


def test_every_catalogued_fault_has_a_designated_check():
    """The catalogue and this table name the same faults, so a new fault cannot go unproven."""
    assert set(CATCHER) == set(FAULTS)


def test_clean_server_passes(matrix):
    """Against the clean reference server the suite reports no failure (no false alarm)."""
    clean = matrix.outcome("suite", None)
    assert clean.exit_code == 0 and not clean.failed_tests, clean.output_tail


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_caught_by_its_check(matrix, fault):
    """The suite fails against the server with this fault, and the check meant for it is among the failures."""
    outcome = matrix.outcome("suite", fault)
    assert outcome.exit_code == 1, f"{fault}: exit {outcome.exit_code}\n{outcome.output_tail}"
    caught_by = [test.split("::", 1)[0].removeprefix("conformance/") + "::" + test.split("::")[1].split("[")[0]
                 for test in outcome.failed_tests]
    assert CATCHER[fault] in caught_by, f"{fault} was caught by {caught_by}, not by {CATCHER[fault]}"
