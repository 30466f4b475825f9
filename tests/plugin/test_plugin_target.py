"""plugin/target.py: the fixtures every check may ask for, the contract at collection time, the target once."""

from __future__ import annotations

from conformance.outcomes import CONFORMS

FIXTURES = """
import pytest

def pytest_generate_tests(metafunc):
    if "status" in metafunc.fixturenames:
        contract = metafunc.config.hook.pytest_bctrl_contract(config=metafunc.config)
        metafunc.parametrize("status", contract.statuses)

def test_the_fixtures_name_one_target(settings, contract, target, api, http_session, unknown_runtime_id,
                                      shared_walk, run_ledger, answer_log):
    \"\"\"The fixtures describe the embedded target, through one polite session.\"\"\"
    assert settings.embedded and target.description.startswith("embedded reference server")
    assert api.session is http_session and api.runtime_id == target.runtime_id
    assert len(unknown_runtime_id) == len(target.other_runtime_id) and unknown_runtime_id != target.other_runtime_id
    assert shared_walk.complete and len(shared_walk.runs) == 130
    assert run_ledger.pages >= 2 and answer_log.answers

def test_each_status_is_a_case(status, contract):
    \"\"\"Collection-time parametrization reads the contract through the plugin's hook.\"\"\"
    assert status in contract.statuses
"""


def test_the_fixtures_and_the_collection_time_contract(suite):
    """Checks get settings, contract, target, client, session, ids and the run's records from the plugin; a
    module parametrizes by the contract without importing the plugin."""
    suite.makepyfile(test_fixtures=FIXTURES)
    result = suite.runpytest_inprocess()
    assert result.ret == CONFORMS, result.stdout.str()[-2000:]
    result.assert_outcomes(passed=4)
