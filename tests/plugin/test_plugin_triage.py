"""plugin/triage.py: the failures no overlay line is known to settle come first, then each decision with the checks
it would settle and the overlay action that records it (run.json, summary.md, the terminal summary)."""

from __future__ import annotations

from pathlib import Path

from conformance.outcomes import BROKEN

from plugin_helpers import run_json

DECIDED_AND_NOT = """
import pytest
from conformance.outcomes import ContractViolation, Decision

LENIENT = Decision("queryGrammar.limitOutsideGrammar", "lenient", "it reads limit='+5' as 5")

@pytest.mark.parametrize("spelling", ["plus-sign", "leading-space"])
def test_a_limit_spelled_otherwise_is_refused(spelling):
    \"\"\"A limit spelled otherwise gets 400.\"\"\"
    raise ContractViolation("limit refused", expected="400", actual="200", decision=LENIENT)

def test_the_last_page_has_no_cursor():
    \"\"\"The last page has no nextCursor.\"\"\"
    raise ContractViolation("no cursor on the last page", expected="null", actual="a cursor")

def test_a_check_that_fails_twice_once_without_a_decision(subtests):
    \"\"\"Two failures, one that no line settles: the check is a bug.\"\"\"
    with subtests.test("decided"):
        raise ContractViolation("decided", expected="400", actual="200", decision=LENIENT)
    with subtests.test("not decided"):
        raise ContractViolation("not decided", expected="a", actual="b")
"""


def test_failures_are_sorted_into_bugs_and_decisions(suite):
    """Checks whose failures name a decision are grouped under it; a check with any failure that names none is a bug,
    and the bugs are listed first."""
    suite.makepyfile(test_one=DECIDED_AND_NOT)
    result = suite.runpytest_inprocess()
    assert result.ret == BROKEN
    failures = run_json(suite)["failures"]
    assert sorted(failures["bugs"]) == ["test_one.py::test_a_check_that_fails_twice_once_without_a_decision",
                                        "test_one.py::test_the_last_page_has_no_cursor"]
    (decision,) = failures["decisions"]
    assert decision["setting"] == "x-bctrl-contract.queryGrammar.limitOutsideGrammar: lenient"
    assert decision["checks"] == ["test_one.py::test_a_limit_spelled_otherwise_is_refused[plus-sign]",
                                  "test_one.py::test_a_limit_spelled_otherwise_is_refused[leading-space]"]
    assert "limitOutsideGrammar: lenient" in decision["overlay"]
    summary = Path(suite.path, "reports", "summary.md").read_text(encoding="utf-8").splitlines()
    assert summary[2].startswith("## 2 failures no overlay line is known to settle"), summary[:6]
    assert any(line.startswith("## 2 failures are one decision: `x-bctrl-contract.queryGrammar.limitOutsideGrammar: "
                               "lenient`: the target reads limit='+5' as 5") for line in summary[:12]), summary[:12]
    result.stdout.fnmatch_lines(["2 failures no overlay line is known to settle (bugs to fix first): *",
                                 "2 failures are one decision: x-bctrl-contract.queryGrammar.limitOutsideGrammar: "
                                 "lenient: the target reads limit='+5' as 5. If that is intended, run discovery*",
                                 "  - target: $.paths*.get", "*limitOutsideGrammar: lenient"])


def test_without_a_decision_the_summary_opens_as_before(suite):
    """Failures none of which names a decision add no section: the summary opens with the verdict and readiness."""
    suite.makepyfile(test_one="""
from conformance.outcomes import ContractViolation

def test_the_last_page_has_no_cursor():
    \"\"\"The last page has no nextCursor.\"\"\"
    raise ContractViolation("no cursor on the last page", expected="null", actual="a cursor")
""")
    suite.runpytest_inprocess()
    assert run_json(suite)["failures"] == {"bugs": ["test_one.py::test_the_last_page_has_no_cursor"], "decisions": []}
    summary = Path(suite.path, "reports", "summary.md").read_text(encoding="utf-8")
    assert "no overlay line" not in summary and "one decision" not in summary
