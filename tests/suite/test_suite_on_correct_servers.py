"""The suite passes against correct implementations: the embedded default, and another one named by env vars."""

from __future__ import annotations

from fault_matrix.runners import clean_env, read_run, run_pytest, run_suite
from reference_server import ReferenceServer


REPORT_FILES = ("junit.xml", "report.html", "summary.md", "run.json", "requests.ndjson")


def test_readme_command_passes_against_the_embedded_server(reports):
    """`python -m pytest` with no settings starts the reference server, passes, and writes every report."""
    done = run_pytest([], clean_env(BCTRL_REPORTS_DIR=str(reports)))
    assert done.returncode == 0, done.stdout[-3000:]
    run = read_run(reports)
    assert run["verdict"] == "conforms" and run["counts"].get("passed", 0) >= 40, run["counts"]
    assert run["counts"].get("failed", 0) == 0 and run["counts"].get("skipped", 0) == 0, run["counts"]
    assert all((reports / name).is_file() for name in REPORT_FILES)
    assert "embedded reference server" in done.stdout


def test_suite_passes_against_another_implementation_named_by_environment(reports):
    """A correct server started elsewhere (flat error envelope this time) passes when named by BCTRL_* settings."""
    with ReferenceServer(error_envelope="flat") as server:
        outcome = run_suite(server, None, reports)
    assert outcome.exit_code == 0, outcome.output_tail
    assert outcome.requests > 200 and not outcome.failed_tests
