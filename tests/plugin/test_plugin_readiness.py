"""plugin/readiness.py: the target's data is measured before the first check; a check whose needs it leaves unmet
is not run."""

from __future__ import annotations

from conformance.outcomes import NOT_JUDGED

NEEDY = """
import pytest
from conformance.readiness import runs

@pytest.mark.needs(runs(10_000))
def test_needs_more_runs_than_there_are(api):
    \"\"\"Needs ten thousand runs.\"\"\"
    raise AssertionError("never run: its need is unmet")

def test_plain(api):
    \"\"\"Needs nothing.\"\"\"
    assert api.list_runs().status == 200
"""


def test_the_readiness_block_opens_the_run_and_an_unmet_need_is_a_gap(suite):
    """The readiness block says what the data has and how many checks it lets the suite judge; the check whose
    need is unmet is not run, and the run is not judged."""
    suite.makepyfile(test_needy=NEEDY)
    result = suite.runpytest_inprocess()
    result.stdout.fnmatch_lines(["bctrl readiness (*BCTRL_RUNTIME_ID has 130 runs*",
                                 "bctrl 1 of 2 checks can be judged with this data"])
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == NOT_JUDGED
    result.stdout.fnmatch_lines(["NOT JUDGED: gap runs (*at least 10000 runs*"])


def test_a_check_that_needs_requests_in_flight_together_is_a_gap_one_at_a_time(suite, monkeypatch):
    """With BCTRL_CONCURRENCY=1 a check that needs requests in flight together is not judged (gap in-flight, named
    with its fix), never skipped as if it passed."""
    monkeypatch.setenv("BCTRL_CONCURRENCY", "1")
    suite.makepyfile(test_burst="""
import pytest
from conformance.readiness import in_flight

@pytest.mark.needs(in_flight(2))
def test_a_burst(overlap):
    \"\"\"Needs two requests in flight together.\"\"\"
    raise AssertionError("never run: its need is unmet")
""")
    result = suite.runpytest_inprocess()
    assert result.ret == NOT_JUDGED
    result.stdout.fnmatch_lines(["NOT JUDGED: gap in-flight (*BCTRL_CONCURRENCY is 1*fix: set BCTRL_CONCURRENCY to 2*"])
