"""Fixtures for the reference server's own tests."""
from __future__ import annotations

import pytest
from reference_server import ReferenceServer


@pytest.fixture(scope="session")
def server():
    with ReferenceServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def runs_url(server):
    return f"{server.base_url}/v2/runtimes/{server.seed_info.runtime_id}/runs"


@pytest.fixture()
def auth(server):
    return {"Authorization": f"Bearer {server.seed_info.api_key}"}
