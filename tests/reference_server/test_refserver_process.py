"""ServerProcess: the reference server in a process of its own (the suite's embedded target)."""
from __future__ import annotations

import pytest
import requests

from reference_server import ReferenceServer
from reference_server.process import ServerProcess


def test_a_server_process_serves_the_same_seed_as_one_in_this_process():
    """Started, it listens on a free port and serves the seed a ReferenceServer in this process would: the same
    key, runtimes and runs."""
    here = ReferenceServer(host="127.0.0.1", port=0)
    with ServerProcess(host="127.0.0.1", port=0) as elsewhere:
        assert elsewhere.seed_info == here.seed_info
        answer = requests.get(f"{elsewhere.base_url}/v2/runtimes/{elsewhere.seed_info.runtime_id}/runs",
                              headers={"Authorization": f"Bearer {elsewhere.seed_info.api_key}"}, timeout=5)
        assert answer.status_code == 200 and answer.json()["data"]


def test_a_stopped_server_process_is_gone_and_its_port_refuses():
    """stop() ends the process: its port refuses connections."""
    server = ServerProcess(host="127.0.0.1", port=0).start()
    process, base_url = server._process, server.base_url
    server.stop()
    assert not process.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url, timeout=2)


def test_a_server_that_cannot_start_is_a_runtime_error_at_once():
    """Options the server refuses end its process at start: ready() says so instead of waiting out the timeout."""
    with pytest.raises(RuntimeError, match="ended as it started"):
        ServerProcess(host="127.0.0.1", port=0, faults=("no-such-fault",)).start()
