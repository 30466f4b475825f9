"""Churn (live data) and transient trouble injection."""
from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from reference_server import ReferenceServer


def test_churn_adds_and_ends_runs():
    """With churn on, new active runs appear on top and active runs end, without touching terminal runs."""
    with ReferenceServer(churn=True) as srv:
        runtime = srv.seed_info.runtime_id
        before = {r.id: r for r in srv.store.all_runs(runtime)}
        time.sleep(0.9)
        after = srv.store.all_runs(runtime)
        url = f"{srv.base_url}/v2/runtimes/{runtime}/runs"
        top = requests.get(url, headers={"Authorization": f"Bearer {srv.seed_info.api_key}"},
                           params={"limit": 1}).json()["data"][0]
    assert len(after) >= len(before) + 3
    assert top["id"] not in before and top["createdAt"] > max(r.created_at for r in before.values())
    ended = [r for r in after if r.id in before and before[r.id].status == "active" and r.status != "active"]
    assert len(ended) >= 1
    for run in after:
        old = before.get(run.id)
        if old is not None:
            assert (run.created_at, run.started_at) == (old.created_at, old.started_at)
            if old.status != "active":
                assert run == old
        if run.finished_at is not None:
            assert run.finished_at >= run.started_at
    created = [r.created_at for r in after if r.id not in before]
    assert len(set(created)) == len(created)


def _fetch(url, headers):
    try:
        r = requests.get(url, headers=headers, timeout=5)
        return r.status_code, r.headers.get("Retry-After"), r.json()
    except requests.ConnectionError:
        return "dropped", None, None


def test_trouble_kinds_at_rate_one():
    """At trouble_rate 1.0 every request gets trouble, and all four kinds occur with their documented shape."""
    with ReferenceServer(trouble_rate=1.0) as srv:
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {srv.seed_info.api_key}", "Connection": "close"}
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: _fetch(url, headers), range(24)))
        log = srv.request_log
    kinds = Counter(rec.trouble for rec in log)
    assert set(kinds) == {"429", "503", "drop", "slow"} and sum(kinds.values()) == 24
    statuses = Counter(status for status, _, _ in results)
    assert statuses == {429: kinds["429"], 503: kinds["503"], "dropped": kinds["drop"], 200: kinds["slow"]}
    for status, retry_after, body in results:
        if status in (429, 503):
            assert retry_after == "1"
            assert body["error"]["code"] == {429: "rate_limited", 503: "upstream.unavailable"}[status]
            assert body["error"]["reasonClass"] == {429: "rate_limited", 503: "upstream"}[status]
    assert all(rec.status is None for rec in log if rec.trouble == "drop")


def test_no_trouble_by_default(server, runs_url, auth):
    """The clean server injects no trouble."""
    for _ in range(10):
        assert requests.get(runs_url, headers=auth, params={"limit": 1}).status_code == 200
    assert all(rec.trouble is None for rec in server.request_log)
