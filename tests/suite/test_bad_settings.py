"""Bad input to the suite gets one clear line naming the setting, runs no test, and exits 4 (not 1)."""

from __future__ import annotations

import pytest

from conformance.outcomes import NOT_JUDGED as TOOL_ERROR

from fault_matrix.runners import clean_env, run_pytest

CASES = {
    "base-url-without-key": ({"BCTRL_BASE_URL": "https://staging.example.test"}, "BCTRL_API_KEY"),
    "malformed-url": ({"BCTRL_BASE_URL": "staging.example.test", "BCTRL_API_KEY": "k", "BCTRL_RUNTIME_ID": "r"},
                      "BCTRL_BASE_URL"),
    "unreachable-host": ({"BCTRL_BASE_URL": "http://127.0.0.1:9", "BCTRL_API_KEY": "k", "BCTRL_RUNTIME_ID": "r",
                          "BCTRL_RETRIES": "0"}, "BCTRL_BASE_URL"),
    "unknown-profile": ({"BCTRL_PROFILE": "nightly"}, "BCTRL_PROFILE"),
    "budget-not-a-number": ({"BCTRL_REQUEST_BUDGET": "lots"}, "BCTRL_REQUEST_BUDGET"),
    "key-without-base-url": ({"BCTRL_API_KEY": "k"}, "BCTRL_BASE_URL"),
    "missing-contract": ({"BCTRL_CONTRACT": "/nonexistent/contract.overlay.yaml"}, "BCTRL_CONTRACT"),
    "unknown-gap-accepted": ({"BCTRL_ACCEPT_GAPS": "other-tenant,tenant"}, "BCTRL_ACCEPT_GAPS"),
    "malformed-gaps-accepted": ({"BCTRL_ACCEPT_GAPS": "other-tenant,,runs"}, "BCTRL_ACCEPT_GAPS"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_setting_is_one_clear_line_and_a_tool_error(case, reports):
    """A missing, malformed or unusable setting exits with the tool-error code and a line that names it."""
    settings, named = CASES[case]
    done = run_pytest(["-p", "no:cacheprovider"], clean_env(BCTRL_REPORTS_DIR=str(reports), **settings), timeout=120)
    assert done.returncode == TOOL_ERROR, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "bad setting:" in line]
    assert len(lines) == 1 and named in lines[0], done.stdout[-2000:] + done.stderr[-2000:]
    assert " passed" not in done.stdout and " failed" not in done.stdout


@pytest.mark.parametrize("wrong", ["BCTRL_API_KEY", "BCTRL_RUNTIME_ID"])
def test_a_key_or_runtime_the_target_refuses_is_a_bad_setting(wrong, reports):
    """A key the target refuses, or a runtime it does not know, is named as a bad setting (exit 4), not a failure."""
    from fault_matrix.runners import target_env
    from reference_server import ReferenceServer

    with ReferenceServer() as server:
        env = target_env(server, reports, {wrong: "conformance-typo"})
        done = run_pytest(["-p", "no:cacheprovider"], env, timeout=120)
    assert done.returncode == TOOL_ERROR, done.stdout[-2000:]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "bad setting:" in line]
    assert len(lines) == 1 and wrong in lines[0]
