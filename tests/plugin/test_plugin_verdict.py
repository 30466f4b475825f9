"""plugin/verdict.py: contract failures, tool errors and gaps make the exit status and the verdict."""

from __future__ import annotations

import pytest

from conformance.outcomes import BROKEN, CONFORMS, NOT_JUDGED

from plugin_helpers import run_json

PASSING = """
def test_the_first_page_is_served(api):
    \"\"\"The first page is a 200.\"\"\"
    assert api.list_runs().status == 200
"""
BROKEN_CHECK = """
from conformance.outcomes import ContractViolation

def test_the_api_broke_it():
    \"\"\"A rule the API broke.\"\"\"
    raise ContractViolation("A rule", expected="this", actual="that")
"""
TOOL_ERROR_CHECK = """
from conformance.outcomes import TargetUnavailable

def test_the_target_went_away():
    \"\"\"A check that could not reach the target.\"\"\"
    raise TargetUnavailable("target unavailable (GET /v2/...): no answer after 3 retries")
"""
GAP_CHECK = """
from conformance.readiness import not_judged, other_tenant

def test_tenant_isolation(contract):
    \"\"\"A check whose data is missing.\"\"\"
    not_judged(other_tenant(), contract, "BCTRL_OTHER_RUNTIME_ID is not set")
"""


def test_a_passing_run_conforms(suite):
    """Every check passed: exit 0, verdict `conforms`, in the terminal and in run.json."""
    suite.makepyfile(test_one=PASSING)
    result = suite.runpytest_inprocess()
    assert result.ret == CONFORMS
    result.stdout.fnmatch_lines(["verdict: conforms"])
    assert run_json(suite)["verdict"] == "conforms" and run_json(suite)["exitStatus"] == CONFORMS


def test_a_contract_failure_breaks_the_contract_whatever_else_happened(suite):
    """A ContractViolation is exit 1 and `the contract is broken`, a tool error and a gap beside it included."""
    suite.makepyfile(test_one=PASSING, test_two=BROKEN_CHECK, test_three=TOOL_ERROR_CHECK, test_four=GAP_CHECK)
    result = suite.runpytest_inprocess()
    assert result.ret == BROKEN
    result.stdout.fnmatch_lines(["verdict: the contract is broken"])


def test_a_violation_met_setting_a_check_up_breaks_the_contract(suite):
    """A ContractViolation raised by a fixture (the run's shared walk meeting a broken page, say) is the API's: exit
    1, not a tool error."""
    suite.makepyfile(test_one="""
import pytest
from conformance.outcomes import ContractViolation

@pytest.fixture
def broken_walk():
    raise ContractViolation("A page the walk met", expected="this", actual="that")

def test_needs_the_walk(broken_walk):
    \"\"\"A check set up with a walk.\"\"\"
""")
    result = suite.runpytest_inprocess()
    assert result.ret == BROKEN
    result.stdout.fnmatch_lines(["verdict: the contract is broken"])


def test_a_tool_error_is_not_judged_and_filed_as_an_error(suite):
    """A ToolError in a check: exit 4, `not judged (tool error)`, a JUnit error (not a failure) saying so."""
    suite.makepyfile(test_one=PASSING, test_two=TOOL_ERROR_CHECK)
    result = suite.runpytest_inprocess()
    assert result.ret == NOT_JUDGED
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*TOOL ERROR (the API was not judged): target unavailable*",
                                 "verdict: not judged (tool error)"])
    junit = (suite.path / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert "<error" in junit and "<failure" not in junit


def test_a_gap_is_never_green(suite):
    """A check not judged for data is a gap: exit 4 and `not judged (data gaps: ...)`, naming the gap and its fix."""
    suite.makepyfile(test_one=PASSING, test_two=GAP_CHECK)
    result = suite.runpytest_inprocess()
    assert result.ret == NOT_JUDGED
    result.stdout.fnmatch_lines(["NOT JUDGED: gap other-tenant (not accepted, 1 check not judged)*",
                                 "verdict: not judged (data gaps: other-tenant)"])
    assert [gap["name"] for gap in run_json(suite)["gaps"]] == ["other-tenant"]


def test_an_accepted_gap_passes_and_the_verdict_names_it(suite, monkeypatch):
    """BCTRL_ACCEPT_GAPS names the gap: exit 0, `conforms, with accepted gaps: other-tenant`."""
    monkeypatch.setenv("BCTRL_ACCEPT_GAPS", "other-tenant")
    suite.makepyfile(test_one=PASSING, test_two=GAP_CHECK)
    result = suite.runpytest_inprocess()
    assert result.ret == CONFORMS
    result.stdout.fnmatch_lines(["verdict: conforms, with accepted gaps: other-tenant"])


@pytest.mark.parametrize("env, named", [({"BCTRL_PROFILE": "nightly"}, "BCTRL_PROFILE"),
                                        ({"BCTRL_BASE_URL": "ftp://x"}, "BCTRL_BASE_URL"),
                                        ({"BCTRL_CONTRACT": "missing.yaml"}, "BCTRL_CONTRACT")])
def test_a_bad_setting_is_one_line_naming_it_and_not_judged(suite, monkeypatch, env, named):
    """A missing or malformed setting ends the run before any check, with one line naming it, exit 4."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    suite.makepyfile(test_one=PASSING)
    result = suite.runpytest_inprocess()
    assert result.ret == NOT_JUDGED
    assert any(line.startswith("Exit: bad setting: " + named) or f"bad setting: {named}" in line
               for line in result.outlines + result.errlines)
