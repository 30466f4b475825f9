"""Nightly alerts: one issue while the nightly smoke fails, a comment per failing night, closed on the first pass."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline import nightly_alert
from pipeline.nightly_alert import (CLOSE, COMMENT, FAIL, LABEL, NOTHING, OPEN, PASS, TITLES, TOOL_ERROR, classify,
                                    decide, gh_commands)

CANARY_KEY = "canary-key-must-never-appear-0123456789"

# (open issue, result) -> action: the whole decision table.
TABLE = {
    (None, PASS): NOTHING,
    (None, FAIL): OPEN,
    (None, TOOL_ERROR): OPEN,
    (17, PASS): CLOSE,
    (17, FAIL): COMMENT,
    (17, TOOL_ERROR): COMMENT,
}


@pytest.mark.parametrize(("open_issue", "result"), sorted(TABLE, key=str), ids=lambda v: str(v))
def test_decision_for_each_previous_state_and_result(open_issue, result):
    """Each (open issue or none) x (pass, fail, tool error) pair gets the action of the table in the module's doc."""
    assert decide(open_issue, result) == TABLE[(open_issue, result)]


def test_a_tool_error_never_closes_an_open_issue():
    """A night that could not judge the API leaves an open issue open (it comments instead)."""
    assert decide(5, classify(4)) == COMMENT and decide(5, classify("")) == COMMENT


@pytest.mark.parametrize(("code", "result"), [(0, PASS), ("0", PASS), (1, FAIL), (" 1\n", FAIL), (4, TOOL_ERROR),
                                              (2, TOOL_ERROR), (5, TOOL_ERROR), ("", TOOL_ERROR), (None, TOOL_ERROR),
                                              ("x", TOOL_ERROR)])
def test_exit_codes_map_to_results(code, result):
    """Exit 0 is a pass, 1 a contract failure, and anything else (4, interrupted, no tests, no code) a tool error."""
    assert classify(code) == result


def _reports(tmp_path, exit_status=1, verdict="the contract is broken", tests=None):
    reports = tmp_path / "reports"
    reports.mkdir()
    tests = tests if tests is not None else [
        {"nodeid": "conformance/limit/test_limit.py::test_limit_max[maximum]", "outcome": "failed",
         "rule": "A limit at a bound gives exactly that many runs.", "detail": "expected 100 runs, got 101"},
        {"nodeid": "conformance/schema/test_schema.py::test_ok", "outcome": "passed", "rule": "r", "detail": ""},
    ]
    run = {"target": "https://api.bctrl.ai", "profile": "smoke", "verdict": verdict, "exitStatus": exit_status,
           "counts": {"failed": 1, "passed": 1}, "tests": tests}
    (reports / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return reports


def _dry_run(*args: str, env_key: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"}
    if env_key:
        env["BCTRL_API_KEY"] = env_key
    return subprocess.run([sys.executable, "-m", "pipeline.nightly_alert", "--dry-run", "--repo", "acme/suite",
                           "--run-url", "https://github.test/acme/suite/actions/runs/9", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def test_dry_run_open_prints_label_and_issue_commands_with_the_failures(tmp_path):
    """A first failing night prints `gh label create` and `gh issue create` with the label, title and failures."""
    done = _dry_run("--exit-code", "1", "--reports", str(_reports(tmp_path)), "--open-issue", "none")
    assert done.returncode == 0, done.stderr
    commands = [line for line in done.stdout.splitlines() if line.startswith("gh ")]
    assert commands[0].startswith(f"gh label create {LABEL} --repo acme/suite")
    assert commands[1].startswith("gh issue create --repo acme/suite") and f"--label {LABEL}" in commands[1]
    assert TITLES[FAIL] in commands[1] and "--body-file -" in commands[1]
    assert "test_limit_max[maximum]" in done.stdout and "expected 100 runs, got 101" in done.stdout
    assert "A limit at a bound gives exactly that many runs." in done.stdout
    assert "https://github.test/acme/suite/actions/runs/9" in done.stdout
    assert "test_ok" not in done.stdout  # passed tests are not listed


def test_dry_run_open_on_a_tool_error_says_not_judged(tmp_path):
    """A first night with a tool error opens an issue titled "not judged", never "breaks the contract"."""
    reports = _reports(tmp_path, exit_status=4, verdict="not judged (tool error)", tests=[
        {"nodeid": "conformance/auth/test_auth.py::test_x", "outcome": "error", "rule": "r",
         "detail": "TOOL ERROR (the API was not judged): request budget spent"}])
    done = _dry_run("--exit-code", "4", "--reports", str(reports), "--open-issue", "none")
    assert done.returncode == 0, done.stderr
    assert TITLES[TOOL_ERROR] in done.stdout and TITLES[FAIL] not in done.stdout
    assert "not a contract failure" in done.stdout and "request budget spent" in done.stdout


def test_dry_run_comment_when_still_failing(tmp_path):
    """A failing night with an open issue comments on that issue and opens nothing."""
    done = _dry_run("--exit-code", "1", "--reports", str(_reports(tmp_path)), "--open-issue", "42")
    commands = [line for line in done.stdout.splitlines() if line.startswith("gh ")]
    assert commands == ["gh issue comment 42 --repo acme/suite --body-file -"]
    assert "test_limit_max[maximum]" in done.stdout


def test_dry_run_close_on_the_first_green_night(tmp_path):
    """A passing night with an open issue closes it, with a comment linking the run."""
    done = _dry_run("--exit-code", "0", "--reports", str(_reports(tmp_path, 0, "conforms", [])), "--open-issue", "42")
    commands = [line for line in done.stdout.splitlines() if line.startswith("gh ")]
    assert len(commands) == 1 and commands[0].startswith("gh issue close 42 --repo acme/suite --reason completed")
    assert "actions/runs/9" in commands[0]


def test_dry_run_nothing_on_a_green_night_without_issue(tmp_path):
    """A passing night without an open issue runs no gh command at all."""
    done = _dry_run("--exit-code", "0", "--reports", str(_reports(tmp_path, 0, "conforms", [])), "--open-issue", "none")
    assert done.returncode == 0 and not [line for line in done.stdout.splitlines() if line.startswith("gh ")]


def test_missing_reports_still_alert(tmp_path):
    """A run that stopped before writing run.json (no exit code either) opens a "not judged" issue saying so."""
    done = _dry_run("--exit-code", "", "--reports", str(tmp_path / "absent"), "--open-issue", "none")
    assert done.returncode == 0 and TITLES[TOOL_ERROR] in done.stdout and "No `run.json`" in done.stdout


def test_the_key_never_appears_in_what_it_sends(tmp_path):
    """Even if a failure's detail held the key in the environment, the issue text carries [REDACTED] instead."""
    reports = _reports(tmp_path, tests=[{"nodeid": "n", "outcome": "failed", "rule": "r",
                                         "detail": f"Authorization: Bearer {CANARY_KEY}"}])
    done = _dry_run("--exit-code", "1", "--reports", str(reports), "--open-issue", "none", env_key=CANARY_KEY)
    assert CANARY_KEY not in done.stdout + done.stderr and "[REDACTED]" in done.stdout


def test_long_failures_are_cut():
    """A failure's detail is cut, and at most MAX_FAILURES failures are listed, so the issue stays readable."""
    tests = [{"nodeid": f"t{i}", "outcome": "failed", "rule": "r", "detail": "x" * 5000} for i in range(30)]
    text = nightly_alert.failures_markdown({"tests": tests})
    assert "x" * (nightly_alert.MAX_DETAIL + 1) not in text
    assert "and 10 more" in text and text.count("### FAILED") == nightly_alert.MAX_FAILURES


def test_gh_commands_run_for_real_without_dry_run(tmp_path, monkeypatch):
    """Without --dry-run it looks the open issue up with `gh issue list` and runs the commands, body on stdin."""
    calls = []

    def fake_run(command, **kwargs):
        calls.append((command, kwargs.get("input")))
        stdout = json.dumps([{"number": 8}, {"number": 3}]) if command[:3] == ["gh", "issue", "list"] else ""
        return subprocess.CompletedProcess(command, 0, stdout=stdout, stderr="")

    monkeypatch.setattr(nightly_alert.subprocess, "run", fake_run)
    assert nightly_alert.main(["--exit-code", "1", "--reports", str(_reports(tmp_path)), "--repo", "acme/suite"]) == 0
    assert calls[0][0][:3] == ["gh", "issue", "list"] and "--label" in calls[0][0]
    assert calls[1][0] == ["gh", "issue", "comment", "3", "--repo", "acme/suite", "--body-file", "-"]
    assert "test_limit_max[maximum]" in calls[1][1]


def test_a_failing_gh_is_exit_4(tmp_path, monkeypatch):
    """When gh fails (no token, no permission), the module says so in one line and exits 4."""
    def failing_run(command, **kwargs):
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(nightly_alert.subprocess, "run", failing_run)
    assert nightly_alert.main(["--exit-code", "1", "--reports", str(_reports(tmp_path))]) == 4


def test_every_action_has_its_commands():
    """open creates the label then the issue; comment and close touch only the open issue; nothing runs nothing."""
    assert [c[0][:3] for c in gh_commands(OPEN, FAIL, None, "b", "", None)] == [["gh", "label", "create"],
                                                                               ["gh", "issue", "create"]]
    assert gh_commands(COMMENT, FAIL, 4, "b", "", None) == [(["gh", "issue", "comment", "4", "--body-file", "-"],
                                                             "b")]
    assert gh_commands(CLOSE, PASS, 4, "", "", None)[0][0][:4] == ["gh", "issue", "close", "4"]
    assert gh_commands(NOTHING, PASS, None, "", "", None) == []
