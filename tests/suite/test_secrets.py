"""The API key never leaks: not in any report, log or output, of a passing run or a failing one."""

from __future__ import annotations

import pytest

from fault_matrix.runners import run_pytest, target_env
from reference_server import ReferenceServer

CANARY = "bctrl_sk_canary_5f3c9e1d7a2b4c6e8f0a1b3c5d7e9f11"
# Faults that make failures which quote requests, responses and errors (one echoes the presented key).
LEAKY_FAULTS = ("error-echoes-key", "limit-clamped", "auth-key-prefix", "post-served-as-get")


def _run_with_canary(reports, faults=()):
    with ReferenceServer(api_key=CANARY, faults=faults) as server:
        return run_pytest(["-p", "no:cacheprovider"], target_env(server, reports))


def _files_with_canary(folder):
    return [path.name for path in folder.rglob("*") if path.is_file() and CANARY in path.read_text(errors="replace")]


@pytest.mark.parametrize("run", ["passing", "failing"])
def test_key_appears_in_no_output_and_no_report(run, reports):
    """The key is absent from stdout, stderr and every file under the reports folder."""
    done = _run_with_canary(reports, LEAKY_FAULTS if run == "failing" else ())
    assert done.returncode == (0 if run == "passing" else 1), done.stdout[-2000:]
    assert CANARY not in done.stdout and CANARY not in done.stderr
    assert sorted(path.name for path in reports.iterdir()) >= ["junit.xml", "report.html", "requests.ndjson",
                                                               "run.json", "summary.md"]
    assert _files_with_canary(reports) == []


def test_failures_reproduce_with_the_key_variable(reports):
    """A failure's curl command carries ${BCTRL_API_KEY} where the key would be."""
    done = _run_with_canary(reports, ("limit-clamped",))
    assert done.returncode == 1
    assert '-H "Authorization: Bearer ${BCTRL_API_KEY}"' in done.stdout
    assert '-H "Authorization: Bearer ${BCTRL_API_KEY}"' in (reports / "summary.md").read_text()
