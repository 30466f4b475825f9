"""Every fault in the catalogue changes some observable response compared with the clean server: each entry says how
to observe it (Fault.observe, a probe described in reference_server/probes.py), carried out here."""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from conformance.transport.endings import ConnectionEnded, NoAnswer
from conformance.transport.session import PoliteSession
from reference_server import FAULTS, Fault, ReferenceServer
from reference_server.probes import L3, L7

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
    """A probe sending one request and saying whether its answer ended as its framing says, was cut short, or never
    came (`params` may be a function of the server)."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        try:
            answer = requests.get(url, headers={"Authorization": f"Bearer {srv.seed_info.api_key}"},
                                  params=params(srv) if callable(params) else params)
        except requests.exceptions.ChunkedEncodingError:  # requests' word for a body its connection cut short
            return "cut short"
        except requests.exceptions.ConnectionError:
            return "no answer"
        return ("whole", answer.status_code, len(answer.content))
    return probe


def one_connection(*asks):
    """A probe sending (method, query) requests one after another on one kept-alive connection, each answer read
    from its bytes (the suite's wire adapter), a query given as a string sent exactly as written (no client
    re-escapes it): each answer's status, its number of runs, whether its bytes broke the framing, whether it ended
    early."""
    def probe(srv):
        url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
        session = PoliteSession(budget=50, rate=0, timeout=5, retries=0, retry_after_max=5)
        seen = []
        with session.on_one_connection():
            for method, query in asks:
                prepared = session.prepare_request(requests.Request(
                    method, url, params=None if isinstance(query, str) else query,
                    headers={"Authorization": f"Bearer {srv.seed_info.api_key}"}))
                if isinstance(query, str):
                    prepared.url = f"{url}?{query}"
                try:
                    answer = session.send(prepared).exchange
                except (ConnectionEnded, NoAnswer) as ending:
                    answer = ending.exchange
                seen.append((answer.status, len(answer.runs), bool(answer.framing), bool(answer.ended)))
        return seen
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


def main_then(runtime, auth="good"):
    """The main runtime's first page, then `runtime`'s with the same (empty) query (and `auth`, as `page` takes it)."""
    def probe(srv):
        page()(srv)
        return page(runtime=runtime, auth=auth)(srv)
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


def troubled(srv):
    """Requests until the server's transient trouble has answered both a 429 and a 503 (each sent once, no retries):
    what a client sees of those answers."""
    url = f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs"
    seen: dict[int, tuple] = {}
    with requests.Session() as session:
        for _ in range(1000):
            try:
                answer = session.get(url, headers={"Authorization": f"Bearer {srv.seed_info.api_key}"},
                                     params={"limit": 1})
            except requests.exceptions.ConnectionError:  # the trouble's dropped connections
                continue
            if answer.status_code in (429, 503):
                seen.setdefault(answer.status_code, observe(answer))
            if len(seen) == 2:
                break
    return sorted(seen.items())


def path(spell):
    """A probe sending one request to a path spelled exactly, from the seed's runtime ids."""
    def probe(srv):
        prepared = requests.Request("GET", srv.base_url + "/",
                                    headers={"Authorization": f"Bearer {srv.seed_info.api_key}"}).prepare()
        prepared.url = srv.base_url + spell(srv.seed_info)  # as written: requests would re-quote it
        with requests.Session() as session:
            return observe(session.send(prepared, allow_redirects=False))
    return probe


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


# The kinds of probe a catalogue entry may describe, each carried out by the function of its name above; the probes
# that take no arguments are kinds of their own.
KINDS = {**{kind.__name__: kind for kind in (page, framed, one_connection, walk, foreign_cursor, churned, main_then,
                                              header, path, sent, raw, revalidated, revalidated_after_churn,
                                              with_cursor, overlapping, paused, ticks_between_pages)},
         **{probe.__name__: (lambda probe=probe: probe)
            for probe in (burst, troubled, walk_across_a_tick, two_walks_across_a_tick)}}


def probe_of(fault: Fault):
    """The probe its catalogue entry describes for the fault, ready to send to a server."""
    described = fault.observe
    return KINDS[described.kind](*described.args, **dict(described.options))


def test_every_fault_has_a_probe():
    """Every catalogue entry describes a probe, of a kind carried out here."""
    assert not [name for name, fault in FAULTS.items() if fault.observe is None or fault.observe.kind not in KINDS]


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_observable(server, name):
    """Switching the fault on changes what the probe request observes (against a clean server under the same
    conditions: a fault that lives in transient trouble is observed with the same trouble, seeded alike)."""
    probe, options = probe_of(FAULTS[name]), FAULTS[name].server_options
    with ReferenceServer(faults=[name], **options) as faulty:
        if not options:
            assert probe(faulty) != probe(server)
            return
        with ReferenceServer(**options) as clean:
            assert probe(faulty) != probe(clean)


OVERLAP_FAULTS = sorted(name for name, fault in FAULTS.items() if "tenant.overlap" in fault.rules)


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
