"""walk_runs: a cursor walk over the reference server, and its guards against endless walks."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from reference_server import ReferenceServer

from conformance.contract import load_contract
from conformance.judge.live import duplicates, out_of_order
from conformance.judge.walk import empty_page_after_cursor, walk_runs
from conformance.outcomes import ContractViolation
from conformance.redaction import KEY_PLACEHOLDER, register_secret
from conformance.transport.client import ApiClient, page_params
from conformance.transport.session import PoliteSession

CONTRACT = load_contract()
SEEDED_RUNS = 130  # runs of the reference server's main runtime (reference_server/store.py, A_RUN_COUNT)


def client(srv: ReferenceServer) -> ApiClient:
    session = PoliteSession(budget=500, rate=0, timeout=5, retries=0, retry_after_max=30)
    return ApiClient(session, srv.base_url, srv.seed_info.api_key, srv.seed_info.runtime_id, CONTRACT)


@pytest.fixture(scope="module")
def clean_server():
    with ReferenceServer() as srv:
        yield srv


def test_a_complete_walk_sees_every_run_once_in_order(clean_server):
    """A walk with limit 7 reaches the last page and lists every run exactly once, in contract order."""
    api = client(clean_server)
    walk = walk_runs(api, max_runs=1000, limit=7)
    assert walk.complete
    assert len(walk.runs) == SEEDED_RUNS == len(set(walk.ids))
    assert duplicates(walk) == [] and out_of_order(walk, CONTRACT) is None
    assert walk.runs == sorted(walk.runs, key=CONTRACT.order.key)
    assert len(walk.pages) == -(-SEEDED_RUNS // 7)
    assert all(len(page.runs) == 7 for page in walk.pages[:-1]) and walk.pages[-1].next_cursor is None
    assert api.session.requests_sent == len(walk.pages)


def test_a_complete_walk_matches_one_big_page(clean_server):
    """The runs of a limit-7 walk are the runs of a single limit-100 walk, in the same order."""
    api = client(clean_server)
    assert walk_runs(api, max_runs=1000, limit=7).ids == walk_runs(api, max_runs=1000, limit=100).ids


def test_a_walk_resends_limit_and_status_on_every_page(clean_server):
    """Every page request of a filtered walk carries the limit and the status filter, like bctrl's SDKs."""
    walk = walk_runs(client(clean_server), max_runs=1000, limit=9, status=["stopped", "failed"])
    queries = [urlsplit(page.url).query for page in walk.pages]
    assert walk.complete and len(walk.pages) > 2
    assert {run["status"] for run in walk.runs} == {"stopped", "failed"}
    assert all(query.startswith("limit=9&status=stopped&status=failed") for query in queries)
    assert all("&cursor=" in query for query in queries[1:]) and "cursor=" not in queries[0]


def test_max_runs_bounds_an_incomplete_walk(clean_server):
    """A walk stops once it holds max_runs runs: incomplete, with at least max_runs runs, whole pages only."""
    walk = walk_runs(client(clean_server), max_runs=10, limit=7)
    assert not walk.complete
    assert len(walk.runs) >= 10 and len(walk.pages) == 2 and len(walk.runs) == 14
    assert walk.pages[-1].next_cursor is not None


def test_a_looping_cursor_is_a_contract_violation():
    """With the cursor-loops fault, a small-limit walk fails with a ContractViolation instead of hanging."""
    with ReferenceServer(faults=("cursor-loops",)) as srv:
        register_secret(srv.seed_info.api_key)  # as the suite's plugin does with the configured key
        api = client(srv)
        with pytest.raises(ContractViolation) as raised:
            walk_runs(api, max_runs=1000, limit=2)
        message = str(raised.value)
    assert ("A cursor walk never sees the same nextCursor twice" in message
            or "A cursor walk ends" in message)
    assert srv.seed_info.api_key not in message
    assert f'reproduce: curl -sS -i -H "Authorization: Bearer {KEY_PLACEHOLDER}"' in message
    assert api.session.requests_sent < 1000 // 2 + 10


def test_page_params_repeat_status_keys():
    """page_params sends limit, each status as a repeated key, then the cursor."""
    assert page_params(7, ["active", "failed"], "c") == [("limit", 7), ("status", "active"),
                                                          ("status", "failed"), ("cursor", "c")]
    assert page_params() == [] and page_params(status="active") == [("status", "active")]


def test_empty_page_after_cursor_names_the_first_empty_page_served_for_a_cursor(clean_server):
    """A clean walk has no empty page after a cursor; with the more-when-page-full fault, a walk whose last page
    is exactly full has one, after its last full page."""
    assert empty_page_after_cursor(walk_runs(client(clean_server), max_runs=1000, limit=13)) is None
    with ReferenceServer(faults=("more-when-page-full",)) as srv:
        walk = walk_runs(client(srv), max_runs=1000, limit=13)
    number, page = empty_page_after_cursor(walk)
    assert number == len(walk.pages) == SEEDED_RUNS // 13 + 1 and page.runs == [] and page.next_cursor is None
