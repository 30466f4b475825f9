"""Every fault in the catalogue changes some observable response compared with the clean server."""
from __future__ import annotations

import base64
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from reference_server import FAULTS, ReferenceServer
from reference_server import cursor as cursor_module

from wire_client import exchange


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "requestId"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def observe(response: requests.Response):
    """What a client can see of one response, minus the per-request ids."""
    try:
        body = _strip(response.json())
    except ValueError:
        body = response.text
    return (response.status_code, response.headers.get("Content-Type"), response.headers.get("Allow"), body)


def page(params=(), auth="good", runtime="main", method="GET"):
    """A probe sending one request."""
    def probe(srv):
        info = srv.seed_info
        header = {"good": f"Bearer {info.api_key}", "none": None}.get(auth, auth)
        if header is not None:
            header = header.format(key=info.api_key)
        runtime_id = {"main": info.runtime_id, "empty": info.empty_runtime_id, "other": info.other_runtime_id,
                      "unknown": info.unknown_runtime_id, "second": info.second_runtime_id}[runtime]
        url = f"{srv.base_url}/v2/runtimes/{runtime_id}/runs"
        params_ = params(srv) if callable(params) else list(params)
        headers = {"Authorization": header} if header is not None else {}
        return observe(requests.request(method, url, headers=headers, params=params_))
    return probe


def framed(params=()):
    """A probe sending one request and saying whether its answer ended as its framing says, or was cut short."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        try:
            answer = requests.get(url, headers={"Authorization": f"Bearer {srv.seed_info.api_key}"}, params=params)
        except requests.exceptions.ChunkedEncodingError:  # requests' word for a body its connection cut short
            return "cut short"
        return ("whole", answer.status_code, len(answer.content))
    return probe


def walk(params=(), max_pages=40):
    """A probe following nextCursor for up to max_pages pages."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {srv.seed_info.api_key}"}
        seen, cursor = [], None
        for _ in range(max_pages):
            r = requests.get(url, headers=headers, params=list(params) + ([("cursor", cursor)] if cursor else []))
            if r.status_code != 200:
                seen.append(r.status_code)
                break
            body = r.json()
            seen.append([run["id"] for run in body["data"] or []])
            cursor = body.get("nextCursor")
            if not cursor:
                break
        return seen
    return probe


def forged_cursor(srv):
    """A decodable cursor signed with the wrong secret."""
    first = srv.store.all_runs(srv.seed_info.runtime_id)[9]
    position = cursor_module.Position(first.created_at, first.id, runtime=srv.seed_info.runtime_id)
    return [("limit", "5"), ("cursor", cursor_module.encode(position, b"wrong secret"))]


def foreign_cursor(runtime):
    """A probe sending a nextCursor of the main runtime, with its query, to another runtime."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {srv.seed_info.api_key}"}
        cursor = requests.get(url, headers=headers, params={"limit": 5}).json()["nextCursor"]
        return page([("limit", "5"), ("cursor", cursor)], runtime=runtime)(srv)
    return probe


CHURN_CLOCK = datetime(2026, 3, 2, tzinfo=timezone.utc)  # churn ticks at fixed times, so two servers churn alike


def churned(params=(("limit", "100"),), ticks=1, reads=1):
    """A probe on a fresh server with the probed server's faults: `ticks` churn ticks, then `reads` pages.
    (Its own server: churning the shared clean one would change what every other probe sees.)"""
    def probe(srv):
        with ReferenceServer(faults=srv.faults) as own:
            for tick in range(ticks):
                own.store.churn_tick(CHURN_CLOCK + timedelta(seconds=tick))
            return [page(params)(own) for _ in range(reads)]
    return probe


def walk_across_a_tick(srv):
    """Page 1 of 7, a churn tick (a run starts at the head), then page 2 from page 1's cursor: the run ids."""
    with ReferenceServer(faults=srv.faults) as own:
        url = f"{own.base_url}/v2/runtimes/{own.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {own.seed_info.api_key}"}
        first = requests.get(url, headers=headers, params={"limit": 7}).json()
        own.store.churn_tick(CHURN_CLOCK)
        second = requests.get(url, headers=headers, params={"limit": 7, "cursor": first["nextCursor"]}).json()
        return [run["id"] for run in first["data"] + second["data"]]


def main_then(runtime):
    """The main runtime's first page, then `runtime`'s with the same (empty) query."""
    def probe(srv):
        page()(srv)
        return page(runtime=runtime)(srv)
    return probe


def header(name, **request):
    """One request (as `page`), the value of one response header."""
    def probe(srv):
        info = srv.seed_info
        runtime_id = {"main": info.runtime_id, "unknown": info.unknown_runtime_id}[request.get("runtime", "main")]
        answer = requests.get(f"{srv.base_url}/v2/runtimes/{runtime_id}/runs",
                              headers={"Authorization": f"Bearer {info.api_key}"})
        return answer.status_code, answer.headers.get(name)
    return probe


def burst(srv):
    """100 requests as fast as one connection sends them: the statuses, and whether each 429 said Retry-After."""
    with requests.Session() as session:
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        answers = [session.get(url, headers={"Authorization": f"Bearer {srv.seed_info.api_key}"}, params={"limit": 1})
                   for _ in range(100)]
    return sorted({(answer.status_code, "Retry-After" in answer.headers) for answer in answers})


def path(spell):
    """A probe sending one request to a path spelled exactly, from the seed's runtime ids."""
    def probe(srv):
        prepared = requests.Request("GET", srv.base_url + "/",
                                    headers={"Authorization": f"Bearer {srv.seed_info.api_key}"}).prepare()
        prepared.url = srv.base_url + spell(srv.seed_info)  # as written: requests would re-quote it
        with requests.Session() as session:
            return observe(session.send(prepared, allow_redirects=False))
    return probe


def every_character_escaped(text):
    return "".join(f"%{ord(char):02X}" for char in text)


# ---- probes for issue 16 ------------------------------------------------------------------------------------

def sent(headers, params=(("limit", "3"),), method="GET", runtime="main"):
    """A probe sending one request with the headers `headers(seed_info)` gives (a dict; no Authorization unless
    it gives one), and params (a list, or a function of the server)."""
    def probe(srv):
        info = srv.seed_info
        runtime_id = {"main": info.runtime_id, "other": info.other_runtime_id}[runtime]
        params_ = params(srv) if callable(params) else list(params)
        return observe(requests.request(method, f"{srv.base_url}/v2/runtimes/{runtime_id}/runs",
                                        headers=headers(info), params=params_))
    return probe


def raw(headers, method="GET", query="limit=3"):
    """A probe sending one request over a socket, with header fields exactly as `headers(seed_info)` lists them
    (repeated ones too): the status and the body, minus request ids."""
    def probe(srv):
        answer = exchange(srv.port, method, f"/v2/runtimes/{srv.seed_info.runtime_id}/runs?{query}",
                          headers(srv.seed_info))
        try:
            return answer.status, _strip(json.loads(answer.body))
        except ValueError:
            return answer.status, answer.body
    return probe


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def revalidated(second_key=None, second_params=(("limit", "3"),), runtime="main"):
    """A page with the key (limit 3), then a request sending its ETag in If-None-Match (a placeholder when there
    is none) with `second_key` (None: no key; "good": the key; "other": the other tenant's) and `second_params`."""
    def probe(srv):
        info = srv.seed_info
        url = f"{srv.base_url}/v2/runtimes/{info.runtime_id}/runs"
        first = requests.get(url, headers={"Authorization": f"Bearer {info.api_key}"}, params={"limit": 3})
        headers = {"If-None-Match": first.headers.get("ETag", '"no-etag"')}
        key = {"good": info.api_key, "other": info.other_api_key}.get(second_key)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return observe(requests.get(url, headers=headers, params=list(second_params)))
    return probe


def revalidated_after_churn(field):
    """On a server of its own: page 2 (limit 100) after page 1 (limit 1), three churn ticks with the real clock
    (runs start, and end: some on that page), then page 2 again with its ETag in If-None-Match or its
    Last-Modified in If-Modified-Since (`field`)."""
    def probe(srv):
        with ReferenceServer(faults=srv.faults) as own:
            info = own.seed_info
            url = f"{own.base_url}/v2/runtimes/{info.runtime_id}/runs"
            auth = {"Authorization": f"Bearer {info.api_key}"}
            params = {"limit": 100, "cursor": requests.get(url, headers=auth, params={"limit": 1}).json()["nextCursor"]}
            first = requests.get(url, headers=auth, params=params)
            for _ in range(3):
                own.store.churn_tick(datetime.now(timezone.utc))
            validator = first.headers.get({"If-None-Match": "ETag", "If-Modified-Since": "Last-Modified"}[field])
            return observe(requests.get(url, headers={**auth, field: validator or "none"}, params=params))
    return probe


def with_cursor(first, then, repeat=()):
    """Page 1 with the params `first`, then a request with the params `then` and its nextCursor; with `repeat`,
    a request with those params and the cursor first (the cursor seen once already)."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {srv.seed_info.api_key}"}
        cursor = requests.get(url, headers=headers, params=list(first)).json()["nextCursor"]
        if repeat:
            requests.get(url, headers=headers, params=[*repeat, ("cursor", cursor)])
        return observe(requests.get(url, headers=headers, params=[*then, ("cursor", cursor)]))
    return probe


def overlapping(*spec, rounds=5):
    """A probe sending the requests of `spec` ((key, runtime, params): key "main" or "other", runtime "main",
    "second" or "other") one at a time, then all at once (each on its own connection, released together),
    `rounds` times: whether any answer to the burst differed from the same request's answer alone."""
    def probe(srv):
        info = srv.seed_info
        keys = {"main": info.api_key, "other": info.other_api_key}
        runtimes = {"main": info.runtime_id, "second": info.second_runtime_id, "other": info.other_runtime_id}

        def send(request, barrier=None):
            key, runtime, params = request
            if barrier:
                barrier.wait()
            return observe(requests.get(f"{srv.base_url}/v2/runtimes/{runtimes[runtime]}/runs",
                                        headers={"Authorization": f"Bearer {keys[key]}"}, params=list(params)))

        alone = [send(request) for request in spec]
        with ThreadPoolExecutor(len(spec)) as pool:
            for _ in range(rounds):
                barrier = threading.Barrier(len(spec))
                if list(pool.map(lambda request: send(request, barrier), spec)) != alone:
                    return "an answer changed under overlap"
        return "every answer as alone"
    return probe


def paused(seconds):
    """Page 1 (limit 5), a pause of `seconds`, then page 2 from its cursor: page 1's run ids, and page 2's
    status with its run ids."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        headers = {"Authorization": f"Bearer {srv.seed_info.api_key}"}
        first = requests.get(url, headers=headers, params={"limit": 5}).json()
        time.sleep(seconds)
        second = requests.get(url, headers=headers, params={"limit": 5, "cursor": first["nextCursor"]})
        ids = [run["id"] for run in second.json().get("data") or []] if second.status_code == 200 else []
        return [run["id"] for run in first["data"]], second.status_code, ids
    return probe


def ticks_between_pages(ticks=5):
    """On a server of its own: page 1 (limit 5), `ticks` churn ticks with the real clock (runs start, others end),
    then page 2 (limit 100) from page 1's cursor: the run ids of both pages."""
    def probe(srv):
        with ReferenceServer(faults=srv.faults) as own:
            get = _getter(own)
            first = get({"limit": 5})
            time.sleep(0.01)
            for _ in range(ticks):
                own.store.churn_tick(datetime.now(timezone.utc))
            second = get({"limit": 100, "cursor": first["nextCursor"]})
            return [run["id"] for run in first["data"] + second["data"]]
    return probe


def two_walks_across_a_tick(srv):
    """On a server of its own: pages 1 and 2 (limit 5), a churn tick (a run starts at the head), then pages 1 and
    2 again: the run ids of the second walk."""
    with ReferenceServer(faults=srv.faults) as own:
        get = _getter(own)
        get({"limit": 5, "cursor": get({"limit": 5})["nextCursor"]})
        own.store.churn_tick(datetime.now(timezone.utc))
        first = get({"limit": 5})
        second = get({"limit": 5, "cursor": first["nextCursor"]})
        return [run["id"] for run in first["data"] + second["data"]]


def _getter(srv):
    url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
    headers = {"Authorization": f"Bearer {srv.seed_info.api_key}"}
    return lambda params: requests.get(url, headers=headers, params=params).json()


L3, L7 = [("limit", "3")], [("limit", "7")]
PROBES = {
    "created-at-epoch": page(L7), "timestamp-without-offset": page(L7), "run-id-not-uuid": page(L7),
    "status-uppercase": page(L7), "next-cursor-omitted": page(runtime="empty"),
    "data-null-when-empty": page(runtime="empty"),
    "started-before-created": page([("limit", "20")]), "active-with-finished-at": page([("limit", "20")]),
    "terminal-without-finished-at": page([("limit", "20")]), "finished-before-started": page([("limit", "20")]),
    "duplicate-at-page-boundary": walk(L7), "skip-at-page-boundary": walk(L7), "cursor-loops": walk(L7),
    "cursor-on-last-page": walk([("limit", "50")]), "tie-break-ascending": page([("limit", "20")]),
    "cursor-ignores-tie": walk(L7), "order-ascending": page(L7),
    "filter-first-page-only": walk([("limit", "7"), ("status", "active")]), "limit-first-page-only": walk(L7),
    "cursor-not-validated": page([("cursor", "garbage")]), "cursor-tamper-accepted": page(forged_cursor),
    "limit-plus-one": page([("limit", "5")]), "default-limit-20": page(), "limit-clamped": page([("limit", "101")]),
    "limit-zero-means-default": page([("limit", "0")]), "limit-float-truncated": page([("limit", "1.5")]),
    "limit-repeated-last-wins": page([("limit", "2"), ("limit", "3")]),
    "limit-huge-500": page([("limit", "99999999999999999999999")]),
    "status-array-first-only": page([("limit", "100"), ("status", "active"), ("status", "failed")]),
    "status-case-insensitive": page([("status", "ACTIVE")]), "status-unknown-ignored": page([("status", "zzz")]),
    "status-empty-ignored": page([("status", "")]),
    "status-stopped-includes-failed": page([("limit", "100"), ("status", "stopped")]),
    "status-repeat-duplicates": page([("limit", "100"), ("status", "active"), ("status", "active")]),
    "auth-any-scheme": page(auth="Token {key}"), "auth-bearer-case-sensitive": page(auth="bearer {key}"),
    "auth-key-prefix": page(auth="Bearer {key}x"), "auth-key-without-scheme": page(auth="{key}"),
    "validate-before-auth": page([("limit", "0")], auth="none"), "tenant-leak": page(runtime="other"),
    "other-tenant-403": page(runtime="other"), "unknown-runtime-empty": page(runtime="unknown"),
    "error-stack-trace": page([("limit", "abc")]), "error-plain-text": page(runtime="unknown"),
    "invalid-query-422": page([("limit", "abc")]), "error-echoes-key": page(auth="Bearer {key}x"),
    "error-missing-code": page(auth="Bearer {key}x"),
    "content-type-text-html": page(), "post-served-as-get": page(method="POST"),
    "405-without-allow": page(method="DELETE"),
    # Blind spots (issue 8), by class: 1 inputs, 2 grammar
    "tenant-check-raw-path": path(lambda info: f"/v2/runtimes/{every_character_escaped(info.other_runtime_id)}/runs"),
    "trailing-slash-legacy-route": path(lambda info: f"/v2/runtimes/{info.other_runtime_id}/runs/"),
    "runtime-id-non-bmp-500": path(lambda info: f"/v2/runtimes/{info.runtime_id}%F0%9F%98%80/runs"),
    "runtime-id-cache-key-500": path(lambda info: f"/v2/runtimes/{info.runtime_id:0<300}/runs"),
    "limit-python-int": page([("limit", "\uff15")]), "limit-javascript-number": page([("limit", "5e0")]),
    "limit-go-base-prefix": page([("limit", "010")]), "limit-array-coerced": page([("limit[]", "5")]),
    "status-comma-split": page([("status", "active,failed")]), "status-whitespace-stripped": page([("status", " active")]),
    "status-bracket-array": page([("status[]", "failed")]),
    # 3 whole-run ledger, 6 HTTP semantics, 7 live data
    "filtered-listing-local-time": page([("limit", "5"), ("status", "stopped")]),
    "stale-status-cache": churned(reads=4), "finished-at-from-updated-at": churned(ticks=2),
    "page-cache-ignores-runtime": main_then("empty"),
    "rate-limit-without-retry-after": burst, "cache-control-public": header("Cache-Control"),
    "error-answers-s-maxage": header("Cache-Control", runtime="unknown"),
    "offset-cursor": walk_across_a_tick, "created-at-on-update": churned(), "started-at-reset-on-end": churned(),
    # 4 cursor scope, 5 boundaries
    "cursor-runtime-from-cursor": foreign_cursor("empty"),
    "cursor-skips-access-checks": foreign_cursor("other"), "cursor-page-drops-runtime-filter": walk([("limit", "100")]),
    "more-when-page-full": walk([("limit", "13")]), "more-counts-cursor-row": walk([("limit", "13")]),
    "filtered-more-from-unfiltered": page([("limit", "100"), ("status", "stopped")]),
    "default-limit-on-cursor-pages": walk(), "default-limit-with-filter": page([("status", "stopped")]),
    # 8 rules without a fault, 9 smoke
    # Issue 16, by class. 1 credentials
    "auth-query-access-token": page(lambda srv: [("limit", "3"), ("access_token", srv.seed_info.api_key)],
                                    auth="none"),
    "auth-cookie-key": sent(lambda info: {"Cookie": f"session={info.api_key}"}),
    "auth-basic-user-is-key": sent(lambda info: {"Authorization": basic(info.api_key)}),
    "auth-any-of-repeated-headers": raw(lambda info: [("Authorization", "Bearer bctrl_sk_test_wrong"),
                                                      ("Authorization", f"Bearer {info.api_key}")]),
    "auth-key-like-prefix": sent(lambda info: {"Authorization": f"Bearer {info.api_key[:-3]}"}),
    "auth-key-nocase-collation": sent(lambda info: {"Authorization": f"Bearer {info.api_key.upper()}"}),
    "auth-key-percent-decoded": sent(lambda info: {"Authorization": f"Bearer {every_character_escaped(info.api_key)}"}),
    "auth-key-whitespace-removed": sent(lambda info: bearer(f"{info.api_key[:9]} {info.api_key[9:]}")),
    "auth-key-environment-ignored": sent(lambda info: bearer(info.api_key.replace("test", "live"))),
    "session-cookie-echoes-key": header("Set-Cookie"),
    "validation-error-dumps-headers": page([("limit", "0")]),
    # 2 methods, conditional requests
    "head-health-check-200": page(auth="none", method="HEAD"),
    "head-skips-validation": page([("limit", "0")], method="HEAD"),
    "head-500": page(method="HEAD"),
    "trace-echoes-request": page(method="TRACE"),
    "options-serves-listing": page(method="OPTIONS"),
    "options-preflight-500": page(method="OPTIONS"),
    "etag-304-before-auth": revalidated(second_key=None),
    "etag-304-any-tenant": revalidated(second_key="other"),
    "etag-runtime-version": revalidated(second_key="good", second_params=[("limit", "4")]),
    "etag-from-page-ids": revalidated_after_churn("If-None-Match"),
    "last-modified-newest-created": revalidated_after_churn("If-Modified-Since"),
    # 3 every rule on every page
    "cursor-page-limit-unchecked": with_cursor([("limit", "5")], [("limit", "500")]),
    "cursor-carries-query": with_cursor([("limit", "5")], [("limit", "abc")]),
    "cursor-page-repeated-params": with_cursor([("limit", "5")], [("limit", "5"), ("limit", "6")]),
    "cursor-page-drops-unknown-status": with_cursor([("limit", "5"), ("status", "active")],
                                                    [("limit", "5"), ("status", "active"), ("status", "zzz")]),
    "cursor-page-status-normalised": with_cursor([("limit", "5"), ("status", "active")],
                                                 [("limit", "5"), ("status", "ACTIVE")]),
    "validated-query-memo-by-cursor": with_cursor([("limit", "5")], [("limit", "0")], repeat=[("limit", "5")]),
    # 4 every size
    "status-compound-select-500": page([("limit", "5")] + [("status", "active")] * 600),
    "query-max-fields-500": page([("limit", "5")] + [("status", "active")] * 150),
    "cursor-buffer-overflow-500": page([("cursor", "A" * 2000)]),
    "cursor-regex-backtracking-500": page([("cursor", "A" * 40)]),
    "audit-log-varchar-500": page([("limit", "5"), ("note", "x" * 3000)]),
    "auth-bcrypt-72-500": page(auth="Bearer {key}" + "0" * 40),
    # 5 overlap
    "current-tenant-global": overlapping(*[("main", "main", L3), ("other", "main", L3)] * 4),
    "current-runtime-global": overlapping(*[("main", "main", L3), ("main", "second", L3)] * 4),
    "parsed-query-shared": overlapping(*[("main", "main", [("limit", "1"), ("status", "failed")]),
                                         ("main", "main", [("limit", "9"), ("status", "active")])] * 4),
    "shared-db-cursor": overlapping(*[("main", "main", L3), ("main", "second", [("limit", "9")])] * 4),
    "last-page-memo-cursor": overlapping(*[("main", "main", L3), ("main", "second", L3)] * 4),
    # 6 time between pages
    "scroll-expired-restarts": paused(1.3), "scroll-expired-ends-walk": paused(1.3),
    "cursor-ttl-seconds": paused(2.3),
    "cursor-as-of-hides-ended": ticks_between_pages(),
    "page-cache-keyed-by-page-number": two_walks_across_a_tick,
    # Issue 23: 1 the wire
    "large-answer-cut-at-proxy-buffer": framed([("limit", "100")]),
    "last-page-chunk-missing": framed([("limit", "100"), ("status", "active")]),
    # 3 numbers where machine types break
    "limit-int32-wrap": page([("limit", str(2 ** 32 + 5))]), "limit-int64-wrap": page([("limit", str(2 ** 64 + 5))]),
    # 6 honest blame
    "dot-dot-path-502": path(lambda info: f"/v2/runtimes/conformance/%2E%2E/{info.runtime_id}/runs"),
    "multi-status-filter-503": page([("status", "active"), ("status", "failed")]),
}


def test_every_fault_has_a_probe():
    """The probe table covers the whole catalogue."""
    assert set(PROBES) == set(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_observable(server, name):
    """Switching the fault on changes what the probe request observes."""
    probe = PROBES[name]
    with ReferenceServer(faults=[name]) as faulty:
        assert probe(faulty) != probe(server)


OVERLAP_FAULTS = ["current-tenant-global", "current-runtime-global", "parsed-query-shared", "shared-db-cursor",
                  "last-page-memo-cursor"]


@pytest.mark.parametrize("name", OVERLAP_FAULTS)
def test_overlap_faults_show_only_under_overlap(server, name):
    """One request at a time, a server with an overlap fault answers as the clean one does."""
    info = server.seed_info
    requests_ = [(info.api_key, info.runtime_id, L3), (info.other_api_key, info.runtime_id, L3),
                 (info.api_key, info.second_runtime_id, [("limit", "9"), ("status", "active")])]
    with ReferenceServer(faults=[name]) as faulty:
        for key, runtime, params in requests_ * 2:
            answers = [observe(requests.get(f"{srv.base_url}/v2/runtimes/{runtime}/runs", params=params,
                                            headers={"Authorization": f"Bearer {key}"}))
                       for srv in (server, faulty)]
            assert answers[0] == answers[1]


@pytest.mark.parametrize("name", sorted(name for name, fault in FAULTS.items()
                                        if fault.issue == 16 and "churn" in fault.needs))
def test_churn_faults_show_only_with_live_data(server, name):
    """Without live data, a server with an issue-16 fault that needs churn walks as the clean one does, and
    revalidating an unchanged page gets what a correct server with validators gives (304)."""
    with ReferenceServer(faults=[name]) as faulty:
        assert walk(L7)(faulty) == walk(L7)(server)
        url = f"{faulty.base_url}/v2/runtimes/{faulty.seed_info.runtime_id}/runs"
        auth = {"Authorization": f"Bearer {faulty.seed_info.api_key}"}
        first = requests.get(url, headers=auth, params={"limit": 5})
        for field, validator in (("If-None-Match", "ETag"), ("If-Modified-Since", "Last-Modified")):
            if validator in first.headers:
                time.sleep(1.05)  # a Last-Modified that can be compared is at least a second old
                value = requests.get(url, headers=auth, params={"limit": 5}).headers[validator]
                assert requests.get(url, headers={**auth, field: value}, params={"limit": 5}).status_code == 304
