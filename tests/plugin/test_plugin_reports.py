"""plugin/reports.py: the request log, each check's outcome and rule, summary.md and run.json, and the key kept
out of all of them."""

from __future__ import annotations

import json

from conformance.outcomes import BROKEN

from plugin_helpers import run_json

LEAKY = """
from conformance.outcomes import ContractViolation

def test_a_failure_that_quotes_the_key(api):
    \"\"\"A rule whose failure message quotes the key.\"\"\"
    answer = api.list_runs()
    print("sent", api.api_key)
    raise ContractViolation(f"saw {api.api_key}", expected="no key", actual=api.api_key, exchange=answer)
"""


def test_every_report_is_written_and_none_keeps_the_key(suite):
    """junit.xml, report.html, summary.md, run.json and requests.ndjson are written; the key appears in none of
    them nor in the terminal, and the failure's curl carries ${BCTRL_API_KEY} in its place."""
    from reference_server.store import RunStore

    key = RunStore(seed=7).seed_info.api_key  # the embedded server's key
    suite.makepyfile(test_leaky=LEAKY)
    result = suite.runpytest_inprocess()
    assert result.ret == BROKEN
    reports = suite.path / "reports"
    names = {path.name for path in reports.iterdir()}
    assert {"junit.xml", "report.html", "summary.md", "run.json", "requests.ndjson"} <= names
    for path in reports.iterdir():
        assert key not in path.read_text(encoding="utf-8", errors="replace"), path.name
    assert key not in "\n".join(result.outlines + result.errlines)
    (failed,) = [test for test in run_json(suite)["tests"] if test["outcome"] == "failed"]
    assert failed["rule"] == "A rule whose failure message quotes the key."
    assert "${BCTRL_API_KEY}" in failed["detail"] and "curl" in failed["detail"]


def test_the_request_log_attributes_each_request_to_its_sender(suite):
    """Each line of requests.ndjson names the check that sent it (`readiness`, or none for the first contact), with
    the key redacted."""
    suite.makepyfile(test_one="def test_one(api):\n    '''One request.'''\n    api.list_runs()\n")
    suite.runpytest_inprocess()
    lines = [json.loads(line) for line in (suite.path / "reports" / "requests.ndjson").read_text().splitlines()]
    senders = {line["test"] for line in lines}
    assert senders == {"", "readiness", "test_one.py::test_one"}
    assert all(line["requestHeaders"].get("Authorization") == "[redacted]" for line in lines)
    assert run_json(suite)["requests"] == len(lines)


CUT_SHORT = """

from conformance.outcomes import ContractViolation

def _read_bytes(api):
    answer = api.list_runs()
    answer.framing = ("2 bytes followed the answer on its connection, past the end its framing gives: b'\\\\r\\\\n'",)
    raise ContractViolation("The answer ends where its framing says", expected="nothing after it",
                            actual=answer.framing[0], exchange=answer)

def test_a_wire_failure(api):
    \"\"\"Every answer ends where its framing says.\"\"\"
    _read_bytes(api)
"""


def test_a_wire_failure_reads_as_rule_expected_actual_and_curl_without_python_frames(suite):
    """A failure below the JSON (an answer's framing, how its connection ended it) is reported as its rule, what was
    expected, what came back and a curl command: none of the frames of the code that read the bytes."""
    suite.makepyfile(test_wire=CUT_SHORT)
    suite.runpytest_inprocess()
    (failed,) = [test for test in run_json(suite)["tests"] if test["outcome"] == "failed"]
    assert failed["detail"].startswith("Rule: Every answer ends where its framing says.\n\n"
                                       "The answer ends where its framing says\n  expected:  nothing after it")
    assert "reproduce: curl" in failed["detail"]
    assert "_read_bytes" not in failed["detail"] and "test_wire.py:" not in failed["detail"]
