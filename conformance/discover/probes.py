"""The probes: a small, GET-only set of requests, each kept as evidence; the only place discovery talks HTTP.

Most probes are fixed (one request each). Two adapt to what they see: the search for the maximum limit (a few
status codes and page sizes, bisected) and a short cursor walk. Everything goes through the suite's polite session
(retries, Retry-After, rate cap, a hard budget), so the count the command prints is the count on the wire.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ..contract import Contract
from ..harness.client import USE_KEY, ApiClient, page_params, to_exchange
from ..harness.exchange import Exchange

BUDGET = 60  # requests at most, retries included; less if the profile's budget is smaller
LIMIT_CEILING = 1000  # the largest limit discovery asks for: bigger pages are not worth a production's load
HUGE_LIMIT = "9" * 30  # beyond 64-bit integers
WALK_PAGE_SIZE = 7  # a prime, so page boundaries fall inside groups of runs sharing a createdAt
WALK_PAGES = 4  # enough for a cursor that loops back after a few pages to show it
WRONG_KEY = "Bearer conformance-not-a-key"
UNKNOWN_STATUS = "conformance-unknown"
GARBAGE_CURSOR = "not-a-cursor!"


@dataclass
class LimitProbe:
    """One answer to `limit=asked`, and what it says about the maximum."""

    asked: int
    exchange: Exchange

    @property
    def answer(self) -> str:
        """refused | full (asked-for runs) | short (fewer, last page: the runtime ran out) | clamped (fewer while
        more remain) | over (more than asked) | error (5xx)."""
        status, runs = self.exchange.status, len(self.exchange.runs)
        if status >= 500:
            return "error"
        if status != 200:
            return "refused"
        if runs > self.asked:
            return "over"
        if runs == self.asked:
            return "full"
        return "short" if self.exchange.next_cursor is None else "clamped"


@dataclass
class Observations:
    """Every probe's exchange, by what it asked."""

    first_page: Exchange  # no limit: the default page size
    limit_one: Exchange
    limit_search: list[LimitProbe]  # in the order sent
    bad_queries: dict[str, Exchange]  # limit-zero, limit-word, limit-huge, status-unknown, cursor-garbage
    no_key: Exchange
    wrong_key: Exchange
    key_with_extra: Exchange  # the real key and one more character: refused, and the key must not come back
    scheme_words: dict[str, Exchange]  # "bearer", "BEARER" -> `<word> <key>`
    unknown_runtime: Exchange
    other_runtime: Exchange | None  # None: no other tenant's runtime given
    status_union: Exchange | None  # two statuses as repeated keys; None: the data has not two to ask for
    status_comma: Exchange | None  # the same two as one comma list, sent only when repeated keys did not work
    union_statuses: tuple[str, ...] = ()
    walk: list[Exchange] = field(default_factory=list)
    walk_limit: int = WALK_PAGE_SIZE

    @property
    def reference_page(self) -> LimitProbe | None:
        """The biggest page the limit search was served: where order, ties and statuses are read."""
        pages = [probe for probe in self.limit_search + [LimitProbe(1, self.limit_one)]
                 if probe.exchange.status == 200 and probe.answer != "over"]
        return max(pages, key=lambda probe: len(probe.exchange.runs), default=None)

    def all_exchanges(self) -> list[Exchange]:
        singles = [self.first_page, self.limit_one, self.no_key, self.wrong_key, self.key_with_extra,
                   self.unknown_runtime,
                   self.other_runtime, self.status_union, self.status_comma]
        return ([e for e in singles if e is not None] + [p.exchange for p in self.limit_search]
                + list(self.bad_queries.values()) + list(self.scheme_words.values()) + self.walk)


class Prober:
    """Sends the probes for one target; keeps no judgement (findings.py does that)."""

    def __init__(self, api: ApiClient, other_runtime_id: str | None):
        self.api = api
        self.contract: Contract = api.contract
        self.other_runtime_id = other_runtime_id

    def get(self, params=(), *, runtime_id: str | None = None, authorization: object = USE_KEY) -> Exchange:
        return self.api.list_runs(runtime_id, list(params), authorization, judge=False)

    def limit(self, asked: int) -> LimitProbe:
        return LimitProbe(asked, self.get(page_params(limit=asked)))

    def observe(self, limit_one_response) -> Observations:
        """Every probe, in an order that spends the budget on what matters most first."""
        limit_one = to_exchange(limit_one_response, {"Authorization": f"Bearer {self.api.api_key}"})
        first_page = self.get()
        search = self.search_maximum(limit_one)
        observations = Observations(
            first_page=first_page,
            limit_one=limit_one,
            limit_search=search,
            bad_queries={
                "limit-zero": self.get([("limit", self.contract.limit_min - 1)]),
                "limit-word": self.get([("limit", "abc")]),
                "limit-huge": self.get([("limit", HUGE_LIMIT)]),
                "status-unknown": self.get([("status", UNKNOWN_STATUS)]),
                "cursor-garbage": self.get(page_params(limit=1, cursor=GARBAGE_CURSOR)),
            },
            no_key=self.get(page_params(limit=1), authorization=None),
            wrong_key=self.get(page_params(limit=1), authorization=WRONG_KEY),
            key_with_extra=self.get(page_params(limit=1), authorization=f"Bearer {self.api.api_key}x"),
            scheme_words={word: self.get(page_params(limit=1), authorization=f"{word} {self.api.api_key}")
                          for word in ("bearer", "BEARER")},
            unknown_runtime=self.get(page_params(limit=1), runtime_id=f"rt-conformance-{uuid.uuid4()}"),
            other_runtime=(self.get(page_params(limit=1), runtime_id=self.other_runtime_id)
                           if self.other_runtime_id else None),
            status_union=None,
            status_comma=None,
        )
        self.ask_status_union(observations)
        self.walk(observations)
        return observations

    # -- the maximum limit --------------------------------------------------------------------------------------
    def search_maximum(self, limit_one: Exchange) -> list[LimitProbe]:
        """Ask the contract's maximum and one above it; then, if the target's maximum is elsewhere, find it: a
        bisection on status codes below, a doubling (to LIMIT_CEILING) then a bisection above. A clamp shows at
        once: a page with fewer runs than asked while nextCursor is set holds the maximum."""
        probes: list[LimitProbe] = []

        def ask(asked: int) -> str:
            probes.append(self.limit(asked))
            return probes[-1].answer

        contract_max = self.contract.limit_max
        answer = ask(contract_max)
        if answer == "refused":
            accepted = 1 if limit_one.status == 200 else None
            if accepted is not None:
                self._bisect(ask, accepted, contract_max)
            return probes
        if answer not in ("full", "short"):
            return probes  # clamped (the maximum is that page's size), over or error: nothing more to learn here
        answer = ask(contract_max + 1)
        if answer not in ("full", "short"):
            return probes  # refused: the contract's maximum holds; clamped: the page's size is the maximum
        accepted = contract_max + 1
        while accepted < LIMIT_CEILING:
            asked = min(accepted * 2, LIMIT_CEILING)
            answer = ask(asked)
            if answer == "refused":
                self._bisect(ask, accepted, asked)
                break
            if answer not in ("full", "short"):
                break
            accepted = asked
        return probes

    @staticmethod
    def _bisect(ask, accepted: int, refused: int) -> None:
        """Narrow `accepted < maximum < refused` to the maximum by status codes (a clamp ends it early)."""
        while refused - accepted > 1:
            middle = (accepted + refused) // 2
            answer = ask(middle)
            if answer == "refused":
                refused = middle
            elif answer in ("full", "short"):
                accepted = middle
            else:
                return

    # -- several statuses -----------------------------------------------------------------------------------------
    def ask_status_union(self, observations: Observations) -> None:
        """Two statuses the data shows, as repeated keys (bctrl's SDKs send them so); as one comma list only if
        that did not work, to say how the target wants them. Terminal statuses first: a run keeps its terminal
        status, so the answer can be judged while runs end."""
        reference = observations.reference_page
        seen = {run.get("status") for run in (runs_of(reference.exchange) if reference else [])}
        ordered = list(self.contract.terminal_statuses) + [self.contract.running_status]
        pair = tuple(status for status in ordered if status in seen)[:2]
        if len(pair) < 2:
            return
        limit = reference.asked
        observations.union_statuses = pair
        observations.status_union = self.get(page_params(limit=limit, status=pair))
        if not union_applied(observations.status_union, pair):
            observations.status_comma = self.get([("limit", limit), ("status", ",".join(pair))])

    # -- a short walk -------------------------------------------------------------------------------------------
    def walk(self, observations: Observations) -> None:
        """A few pages of a small size: a run listed twice, skipped, or a cursor handed out again shows here."""
        reference = observations.reference_page
        limit = min(WALK_PAGE_SIZE, reference.asked if reference else self.contract.limit_max)
        observations.walk_limit = limit
        cursor = None
        for _ in range(WALK_PAGES):
            page = self.get(page_params(limit=limit, cursor=cursor))
            observations.walk.append(page)
            cursor = page.next_cursor
            if page.status != 200 or not cursor:
                return


def union_applied(exchange: Exchange, statuses: tuple[str, ...]) -> bool:
    """The answer lists runs of every one of `statuses`, and of no other."""
    seen = {run.get("status") for run in runs_of(exchange)}
    return exchange.status == 200 and seen == set(statuses)


def runs_of(exchange: Exchange) -> list[dict]:
    """The page's runs that can be judged (objects with an id); the schema check reports any other."""
    return [run for run in exchange.runs if isinstance(run, dict) and "id" in run]
