"""The readiness measure: a few GETs before any check, telling what the target's data lets the suite judge.

One walk of BCTRL_RUNTIME_ID at the contract's largest page size up to BCTRL_MAX_WALK_RUNS (on the default seed,
two pages in gate, one in smoke), and one GET of each configured other-tenant, empty and second runtime. The
answers go through the run's polite session like any other, so the whole-run checks judge them too; the measure
itself judges nothing (a broken answer is the checks' to fail).
"""

from __future__ import annotations

from ..judge.walk import page_budget
from ..transport.client import ApiClient, page_params
from ..transport.client import pages
from ..transport.exchange import Exchange
from .data import Readiness, RuntimeAnswer, RuntimeData


def measure(api: ApiClient, *, walk_bound: int, other: str | None, empty: str | None, second: str | None,
            first_page: Exchange | None = None, other_key: bool = False, in_flight: int = 1) -> Readiness:
    """Measure the target's data. `first_page`: an answer to the main runtime's first page at the largest page
    size already received (first contact's), so it is not asked twice."""
    before = _sent(api)
    main, problem = _walk(api, walk_bound, first_page)
    # The same query as the walk's first page: the measure adds no query of its own that a server's cache could keep
    # and later serve to a check (a page cache keyed without the runtime then shows as a run under two runtimes).
    query = page_params(limit=api.contract.limit_max)
    answers = {name: _ask(api, f"BCTRL_{name.upper()}_RUNTIME_ID", runtime_id, query)
               for name, runtime_id in (("other", other), ("empty", empty), ("second", second))}
    requests = _sent(api) - before + (1 if first_page is not None else 0)
    return Readiness(walk_bound=walk_bound, main=main, requests=requests, problem=problem, other_key=other_key,
                     in_flight=in_flight, **answers)


def _walk(api: ApiClient, walk_bound: int, first_page: Exchange | None) -> tuple[RuntimeData | None, str]:
    size = api.contract.limit_max
    runs: list[dict] = []
    for number, page in enumerate(pages(api, limit=size, first=first_page), start=1):
        if page.status != 200 or not isinstance(page.json, dict) or not isinstance(page.json.get("data"), list):
            return None, f"page {number} of BCTRL_RUNTIME_ID at limit={size} was not a page of runs ({page.status})"
        runs.extend(page.runs)
        if page.next_cursor is None:
            return RuntimeData.of(runs, complete=True), ""
        if len(runs) >= walk_bound or number >= page_budget(walk_bound, size):
            break
    return RuntimeData.of(runs, complete=False), ""


def _ask(api: ApiClient, setting: str, runtime_id: str | None, params) -> RuntimeAnswer:
    if runtime_id is None:
        return RuntimeAnswer(setting, None)
    page = api.list_runs(runtime_id, params)
    more = page.next_cursor is not None
    data = RuntimeData.of(page.runs, complete=not more) if page.status == 200 else None
    return RuntimeAnswer(setting, runtime_id, page.status, len(page.runs), more, data)


def _sent(api: ApiClient) -> int:
    return api.session.requests_sent if hasattr(api.session, "requests_sent") else 0
