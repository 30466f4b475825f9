"""plugin/selection.py: the profile chooses the checks; the whole-run checks run last."""

from __future__ import annotations

from conformance.outcomes import CONFORMS

CHECKS = """
import pytest

@pytest.mark.smoke
def test_in_smoke(api):
    \"\"\"Runs in every profile.\"\"\"
    assert api.list_runs().status == 200

def test_gate_only(api):
    \"\"\"Runs in the gate profile only.\"\"\"
    assert api.list_runs().status == 200

@pytest.mark.whole_run
def test_judges_the_whole_run(run_ledger):
    \"\"\"Runs last, in every profile.\"\"\"
    assert run_ledger.pages > 0
"""


def test_the_gate_runs_every_check_and_the_whole_run_checks_last(suite):
    """In the gate profile every check runs, the whole-run ones after the others."""
    suite.makepyfile(test_checks=CHECKS)
    result = suite.runpytest_inprocess("-v")
    assert result.ret == CONFORMS
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*test_in_smoke PASSED*", "*test_gate_only PASSED*",
                                 "*test_judges_the_whole_run PASSED*"])


def test_the_smoke_profile_runs_only_its_checks_and_the_whole_run_ones(suite, monkeypatch):
    """BCTRL_PROFILE=smoke keeps the checks marked smoke and the whole-run checks; the rest are deselected."""
    monkeypatch.setenv("BCTRL_PROFILE", "smoke")
    suite.makepyfile(test_checks=CHECKS)
    result = suite.runpytest_inprocess("-v")
    assert result.ret == CONFORMS
    result.assert_outcomes(passed=2, deselected=1)


def test_listing_the_checks_starts_no_target(suite):
    """--collect-only lists the checks without a target: no readiness, no request."""
    suite.makepyfile(test_checks=CHECKS)
    result = suite.runpytest_inprocess("--collect-only", "-q")
    assert result.ret == 0
    assert not any("readiness" in line for line in result.outlines)
