"""The command line: python -m reference_server."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

from reference_server import FAULTS

REPO = Path(__file__).resolve().parents[2]


def _cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "reference_server", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=20, **kwargs)


def test_list_faults():
    """--list-faults prints name, area and description per fault, tab separated, and exits 0."""
    result = _cli("--list-faults")
    assert result.returncode == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == len(FAULTS) and all(len(row) == 3 for row in rows)
    assert {row[0] for row in rows} == set(FAULTS)


def test_unknown_fault_is_an_argparse_error():
    """An unknown --fault name exits 2 with an error naming it."""
    result = _cli("--fault", "no-such-fault")
    assert result.returncode == 2 and "no-such-fault" in result.stderr


def test_banner_exports_and_request_log(tmp_path):
    """Started with --port 0, the CLI prints paste-able exports that work, and writes the NDJSON request log."""
    log = tmp_path / "requests.ndjson"
    proc = subprocess.Popen([sys.executable, "-m", "reference_server", "--port", "0", "--request-log", str(log),
                             "--fault", "status-uppercase"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(8)]
        assert re.fullmatch(r"bctrl reference server on http://127\.0\.0\.1:\d+ "
                            r"\(faults: status-uppercase, churn: off\)", lines[0])
        env = dict(line[len("export "):].split("=", 1) for line in lines[1:5])
        assert list(env) == ["BCTRL_BASE_URL", "BCTRL_API_KEY", "BCTRL_RUNTIME_ID", "BCTRL_OTHER_RUNTIME_ID"]
        assert lines[5].startswith("export BCTRL_EMPTY_RUNTIME_ID=")
        assert lines[6].startswith("export BCTRL_SECOND_RUNTIME_ID=")
        assert lines[7].startswith("# other tenant's key: bctrl_sk_test_")
        r = requests.get(f"{env['BCTRL_BASE_URL']}/v2/runtimes/{env['BCTRL_RUNTIME_ID']}/runs",
                         headers={"Authorization": f"Bearer {env['BCTRL_API_KEY']}"}, params={"limit": 2})
        assert r.status_code == 200 and r.json()["data"][0]["status"].isupper()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0
    record = json.loads(log.read_text().splitlines()[0])
    assert record == {"method": "GET", "path": f"/v2/runtimes/{env['BCTRL_RUNTIME_ID']}/runs", "query": "limit=2",
                      "status": 200, "trouble": None}
