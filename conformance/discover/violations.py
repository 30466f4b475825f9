"""What no contract may allow, seen in discovery's answers: reported with the rule it breaks
(conformance/contract/rules.py), never written into an overlay."""

from __future__ import annotations

from ..contract import Contract, Order
from ..judge.live import duplicates
from ..judge.response import error_body_problems, response_problems
from ..judge.walk import Walk
from ..outcomes import Forbidden
from ..redaction import contains_secret
from .points.shared import is_refusal, own_pages, runs_said
from .probes import LimitProbe, Observations, runs_of


def scan(obs: Observations, contract: Contract, order: Order | None) -> list[Forbidden]:
    """Every violation the probes' answers show, each (rule, what) once; the walk is judged by `order` (None: the
    data did not show the contract's order)."""
    found: list[Forbidden] = []
    for exchange in obs.all_exchanges():
        if exchange.status >= 500:
            found.append(Forbidden("server.no-5xx", f"a client's request got {exchange.status}", exchange))
        if exchange.status >= 400:
            found += [Forbidden("errors.hygiene", problem, exchange) for problem in
                      error_body_problems(exchange.text, contract, exchange.url)]
        elif contains_secret(exchange.text):
            found.append(Forbidden("errors.hygiene", "the answer echoes the API key", exchange))
    broken = [(page, problem) for page in own_pages(obs) for problem in list(response_problems(page, contract))[:1]]
    if broken:
        page, problem = broken[0]
        more = f" (and {len(broken) - 1} more of the {len(own_pages(obs))} pages)" if len(broken) > 1 else ""
        found.append(Forbidden(_page_rule(problem), f"a page breaks the published schema or a run's invariants: "
                                                    f"{problem}{more}", page))
    for page in own_pages(obs):
        repeated = duplicates(Walk(runs=runs_of(page)))
        if repeated:
            found.append(Forbidden("cursor.walk", f"one page lists run {repeated[0]} twice", page))
    found += _auth_violations(obs)
    found += _page_size_violations(obs)
    found += _walk_violations(obs, order)
    found += _scope_violations(obs)
    unique: dict[tuple[str, str], Forbidden] = {}
    for violation in found:
        unique.setdefault((violation.rule, violation.what), violation)
    return list(unique.values())


def _scope_violations(obs: Observations) -> list[Forbidden]:
    """A cursor of the key's runtime that lists its runs on another runtime; another tenant's runtime served under
    another spelling of its path."""
    found = []
    own = {run["id"] for page in own_pages(obs) for run in runs_of(page)}
    answer = obs.foreign_cursor
    leaked = [run for run in runs_of(answer) if run["id"] in own] if answer is not None else []
    if leaked:
        found.append(Forbidden("cursor.scope", f"a cursor of BCTRL_RUNTIME_ID, sent to {obs.foreign_runtime}, lists "
                               f"{runs_said(leaked)} of BCTRL_RUNTIME_ID there", answer))
    for name, answer in obs.path_spellings.items():
        if name.startswith("other ") and 200 <= answer.status < 300:
            found.append(Forbidden("tenant.isolation", f"another tenant's runtime, spelled {name.split(' ', 1)[1]}, "
                                   f"is served ({answer.status}, {runs_said(answer.runs)})", answer))
    return found


def _page_rule(problem: str) -> str:
    """The rule a problem of response_problems() breaks: a run's invariants, a run's schema, or the page's."""
    if problem.startswith("data["):
        return "run.lifecycle"
    return "run.schema" if problem.startswith("schema: at data/") else "page.schema"


def _auth_violations(obs: Observations) -> list[Forbidden]:
    found = []
    for name, exchange in (("without a key", obs.no_key), ("with a wrong key", obs.wrong_key),
                           ("with the key and one more character", obs.key_with_extra),
                           ("with another key of the same shape", obs.key_of_the_same_shape)):
        if exchange.status == 200:
            found.append(Forbidden("auth.bearer", f"a request {name} is served ({runs_said(exchange.runs)})", exchange))
    other, unknown = obs.other_runtime, obs.unknown_runtime
    if other is not None and other.status == 200:
        found.append(Forbidden("tenant.isolation", f"another tenant's runtime is served (200, {runs_said(other.runs)})",
                               other))
    elif other is not None and is_refusal(unknown) and (other.status, other.error_code) != (
            unknown.status, unknown.error_code):
        found.append(Forbidden("tenant.isolation", f"another tenant's runtime is answered {other.status} "
                               f"{other.error_code!r}, an unknown one {unknown.status} {unknown.error_code!r}: the "
                               "difference tells that it exists", other))
    return found


def _page_size_violations(obs: Observations) -> list[Forbidden]:
    asked = [LimitProbe(1, obs.limit_one), *obs.limit_search]
    asked += [LimitProbe(obs.walk_limit, page) for page in obs.walk]
    return [Forbidden("limit.bounds", f"limit={probe.asked} got a page of {runs_said(probe.exchange.runs)}",
                      probe.exchange) for probe in asked if probe.answer == "over"]


def _walk_violations(obs: Observations, order: Order | None) -> list[Forbidden]:
    """The short walk: no run twice, no cursor twice, none skipped of the runs the biggest page listed before it."""
    pages = [page for page in obs.walk if page.status == 200]
    if not pages:
        return []
    walk = Walk(runs=[run for page in pages for run in runs_of(page)], pages=pages,
                complete=pages[-1].next_cursor is None)
    found = []
    repeated = duplicates(walk)
    if repeated:
        found.append(Forbidden("cursor.walk", f"a walk of pages of {obs.walk_limit} lists run {repeated[0]} twice",
                               walk.page_of(repeated[0])))
    cursors = [page.next_cursor for page in pages if page.next_cursor]
    if len(set(cursors)) < len(cursors):
        found.append(Forbidden("cursor.walk", "a walk is handed the same nextCursor twice (it would never end)",
                               pages[-1]))
    reference = obs.reference_page
    if order is None or reference is None or not walk.runs or repeated:
        return found
    primary = Order(order.by, order.descending, None, False).key
    last, listed = walk.runs[-1], set(walk.ids)
    try:
        skipped = [run for run in runs_of(reference.exchange)
                   if run.get("id") not in listed and (walk.complete or primary(run) < primary(last))]
    except (TypeError, KeyError):  # a broken page: the schema check reports it
        return found
    if skipped:
        found.append(Forbidden("cursor.walk", f"a walk of pages of {obs.walk_limit} skips run {skipped[0].get('id')}, "
                               f"which the page of {reference.asked} listed before it", pages[-1]))
    return found
