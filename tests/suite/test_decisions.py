"""A run's failures sorted by what settles them: the ones no overlay line is known to settle come first, as the bugs
they are; then each decision (an overlay line the API team may choose otherwise) with its failures and the overlay
action that records it, in the terminal summary, summary.md and run.json."""

from __future__ import annotations

from fault_matrix.runners import read_run, run_pytest, target_env
from reference_server import FAULTS, ReferenceServer
from reference_server.variants import PERSONALITIES

LENIENT_LIMIT = "x-bctrl-contract.queryGrammar.limitOutsideGrammar: lenient"
REAL_BUG = "cursor-on-last-page"  # a nextCursor on the last page: no overlay line allows it


def _gate(reports, faults=()):
    """The gate against Express's parseInt personality (a lenient limit), with `faults` on."""
    options = {key: value for fault in faults for key, value in FAULTS[fault].server_options.items()}
    with ReferenceServer(variants=PERSONALITIES["express-parseint"], faults=faults, **options) as server:
        done = run_pytest(["-q", "-p", "no:cacheprovider"], target_env(server, reports, {"BCTRL_RATE_LIMIT": "0"}))
    return done, read_run(reports), (reports / "summary.md").read_text(encoding="utf-8")


def test_failures_of_one_leniency_are_named_as_one_decision_with_the_line_that_settles_them(tmp_path):
    """Against a server that reads the limit as parseInt does, every failure is one decision: run.json groups them
    under `queryGrammar.limitOutsideGrammar: lenient` with the overlay action that records it, and summary.md and
    the terminal summary say so first, with no failure left over as a bug."""
    done, run, summary = _gate(tmp_path / "reports")
    assert done.returncode == 1, done.stdout[-3000:]
    (decision,) = run["failures"]["decisions"]
    assert decision["setting"] == LENIENT_LIMIT and run["failures"]["bugs"] == []
    assert sorted(decision["checks"]) == sorted(test["nodeid"] for test in run["tests"] if test["outcome"] == "failed")
    assert "limitOutsideGrammar: lenient" in decision["overlay"] and "x-bctrl-contract:" in decision["overlay"]
    opening = summary.splitlines()[:20]
    assert any(LENIENT_LIMIT in line and f"{len(decision['checks'])} failures are one decision" in line
               for line in opening), opening
    assert any(line.strip() == "limitOutsideGrammar: lenient" for line in opening), opening
    assert f"{len(decision['checks'])} failures are one decision: {LENIENT_LIMIT}" in done.stdout


def test_a_real_failure_is_listed_before_the_decision(tmp_path):
    """With a real bug in the same run (a nextCursor on the last page), its failures are listed first as bugs, in
    summary.md and the terminal summary; the leniency's failures still follow as one decision."""
    done, run, summary = _gate(tmp_path / "reports", faults=(REAL_BUG,))
    bugs, decisions = run["failures"]["bugs"], run["failures"]["decisions"]
    assert bugs and all("limit/" not in nodeid for nodeid in bugs), bugs
    assert [decision["setting"] for decision in decisions] == [LENIENT_LIMIT]
    opening = summary.splitlines()[:20]
    bug_line = next(index for index, line in enumerate(opening) if "no overlay line is known to settle" in line)
    decision_line = next(index for index, line in enumerate(opening) if LENIENT_LIMIT in line)
    assert bug_line < decision_line, opening
    terminal = done.stdout[done.stdout.index("bctrl conformance"):]  # the terminal summary, after each failure's block
    assert terminal.index("no overlay line is known to settle") < terminal.index(LENIENT_LIMIT)

