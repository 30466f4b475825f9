"""plugin/ahead.py: checks marked `ahead` run ahead of their turn, a few at once, and report in their turn exactly
what they would have reported run one after another."""

from __future__ import annotations

import pytest

from conformance.outcomes import BROKEN
from conformance.connection import reference_target
from reference_server import ReferenceServer

from plugin_helpers import run_json

CHECKS = """
import threading

import pytest

from conformance.outcomes import ContractViolation

pytestmark = pytest.mark.ahead


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6])
def test_a_page_of_each_size(api, size):
    '''A page holds what was asked.'''
    assert len(api.list_runs(params=[("limit", size)]).runs) == size
    print("thread", threading.current_thread().name)


def test_a_broken_rule(api):
    '''A rule this target breaks.'''
    answer = api.list_runs(params=[("limit", 1)])
    raise ContractViolation("one run is too few", expected="more", actual="1", exchange=answer)


def test_not_judged_here(api):
    '''A check that stops as not judged.'''
    pytest.skip("no data for it")
"""


def _outcomes(pytester) -> dict[str, tuple[str, int]]:
    return {test["nodeid"]: (test["outcome"], test["requests"]) for test in run_json(pytester)["tests"]}


def test_checks_run_ahead_report_what_they_report_one_after_another(suite, monkeypatch):
    """The same checks pass, fail and skip, with the same requests each, ahead (BCTRL_CONCURRENCY=6) as one at a
    time (1), and a failure raised ahead is reported in its check's turn."""
    suite.makepyfile(test_checks=CHECKS)
    runs = {}
    for concurrency in ("1", "6"):
        monkeypatch.setenv("BCTRL_CONCURRENCY", concurrency)
        result = suite.runpytest_inprocess("-s")
        assert result.ret == BROKEN
        runs[concurrency] = (_outcomes(suite), result)
    assert runs["1"][0] == runs["6"][0]
    assert runs["6"][0]["test_checks.py::test_a_broken_rule"] == ("failed", 1)
    assert any("thread bctrl" in line for line in runs["6"][1].outlines)  # ran on the Overlap's threads
    assert not any("thread bctrl" in line for line in runs["1"][1].outlines)  # ran in turn, on pytest's


def test_a_check_run_ahead_may_ask_only_for_session_fixtures(suite, monkeypatch):
    """A check marked `ahead` that asks for a function-scoped fixture is a usage error, named, before anything runs."""
    monkeypatch.setenv("BCTRL_CONCURRENCY", "6")
    suite.makepyfile(test_checks="""
import pytest

@pytest.fixture
def fresh():
    return 1

@pytest.mark.ahead
def test_uses_a_fresh_value(api, fresh):
    '''A check.'''
""")
    result = suite.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any("test_uses_a_fresh_value is marked ahead but `fresh` is a function-scoped fixture" in line
               for line in result.errlines + result.outlines)


WALK_CHECKS = '''
import pytest

pytestmark = pytest.mark.ahead


@pytest.mark.parametrize("n", [1, 2])
def test_needs_the_walk(shared_walk, n):
    """A check that needs the shared walk."""
'''


def test_a_violation_met_by_the_shared_walk_is_reported_without_the_walking_threads_frames(suite, monkeypatch):
    """Every check that needs the run's shared walk reports the violation the walk met: its message whole (what
    was sent, what came back, the curl), from the fixture, without the frames of the thread that walked."""
    suite.makepyfile(test_checks=WALK_CHECKS)
    with ReferenceServer(faults=("status-uppercase",)) as server:
        for name, value in reference_target(server).env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("BCTRL_CONCURRENCY", "6")
        result = suite.runpytest_inprocess("--tb=short")  # as the suite's pytest.ini runs it
    assert result.ret == BROKEN
    output = "\n".join(result.outlines)
    assert output.count("ERROR at setup of test_needs_the_walk") == 2, output
    assert output.count("in shared_walk") >= 2 and output.count("reproduce: curl") >= 2, output
    assert "concurrency.py" not in output and "futures" not in output, output
