"""The probes: a small, GET-only set of requests, each kept as evidence; the only place discovery talks HTTP.

Most probes are fixed (one request each). A few adapt to what they see: the search for the maximum limit (a few
status codes and page sizes, bisected), a short cursor walk, and the cursor probes, which use the walk's first
cursor. Everything goes through the suite's polite session (retries, Retry-After, rate cap, a hard budget), so the
count the command prints is the count on the wire. The order spends the budget on what matters most first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from ..contract import Contract
from ..inputs.cursors import GARBAGE, altered, truncated
from ..inputs.path_spellings import OTHER, UNKNOWN, telling_spelling
from ..inputs.query_spellings import invalid_filters, limit_spellings, size_other_than_default, status_spelling
from ..representation import unknown_like
from ..transport.client import USE_KEY, ApiClient, exact_query, page_params
from ..transport.client import pages
from ..transport.exchange import Exchange

BUDGET = 60  # requests at most, retries included; less if the profile's budget is smaller
LIMIT_CEILING = 1000  # the largest limit discovery asks for: bigger pages are not worth a production's load
HUGE_LIMIT = "9" * 30  # beyond 64-bit integers
WALK_PAGE_SIZE = 7  # a prime, so page boundaries fall inside groups of runs sharing a createdAt
WALK_PAGES = 4  # enough for a cursor that loops back after a few pages to show it
WRONG_KEY = "Bearer conformance-not-a-key"
UNKNOWN_STATUS = "conformance-unknown"
MALFORMED_RUNTIME_ID = "conformance-not-a-runtime-id"
# The spellings of each query value discovery sends: one of every kind a common lenient parser reads (JavaScript
# Number() as Ajv coerces, parseInt, Python's int()), and leading zeros; the checks send these and more.
LIMIT_PROBES = ("plus-sign", "leading-space", "decimal-point", "exponent", "hexadecimal", "digits-then-letters",
                "underscore-separator", "fullwidth-digits", "repeated-identical", "leading-zero")
STATUS_PROBES = ("wrong-case", "leading-space", "comma-list", "fullwidth")
UNKNOWN_PARAMETERS = ("status[]", "limit[]")
PATH_PROBES = ("trailing-slash", "first-character-escaped", "upper-case-path")


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
    key_of_the_same_shape: Exchange  # another key shaped like the real one
    scheme_words: dict[str, Exchange]  # "bearer", "BEARER" -> `<word> <key>`
    unknown_runtime: Exchange  # an id shaped like the runtime ids the target uses
    other_runtime: Exchange | None  # None: no other tenant's runtime given
    status_union: Exchange | None = None  # two statuses as repeated keys; None: the data has not two to ask for
    status_comma: Exchange | None = None  # the same two as one comma list, sent only when repeated keys did not work
    union_statuses: tuple[str, ...] = ()
    walk: list[Exchange] = field(default_factory=list)
    walk_limit: int = WALK_PAGE_SIZE
    limit_spellings: dict[str, Exchange] = field(default_factory=dict)  # query_spellings names
    limit_spelling_pairs: dict[str, list] = field(default_factory=dict)  # what each sent
    status_spellings: dict[str, Exchange] = field(default_factory=dict)
    status_spelling_values: dict[str, list[str]] = field(default_factory=dict)
    unknown_parameters: dict[str, Exchange] = field(default_factory=dict)  # status[]=X, limit[]=N
    foreign_cursor: Exchange | None = None  # the walk's first cursor, with its query, on another runtime of the key
    foreign_runtime: str = ""  # which: "the key's second runtime" or "the key's empty runtime"
    other_query_cursor: dict[str, Exchange] = field(default_factory=dict)  # that cursor with another limit, filter
    altered_cursor: dict[str, Exchange] = field(default_factory=dict)  # tampered, truncated
    malformed_runtime: Exchange | None = None  # a runtime id of another shape than the target's
    path_spellings: dict[str, Exchange] = field(default_factory=dict)  # "<family> <spelling>" -> the answer

    @property
    def reference_page(self) -> LimitProbe | None:
        """The biggest page the limit search was served: where order, ties and statuses are read."""
        pages = [probe for probe in self.limit_search + [LimitProbe(1, self.limit_one)]
                 if probe.exchange.status == 200 and probe.answer != "over"]
        return max(pages, key=lambda probe: len(probe.exchange.runs), default=None)

    def all_exchanges(self) -> list[Exchange]:
        singles = [self.first_page, self.limit_one, self.no_key, self.wrong_key, self.key_with_extra,
                   self.key_of_the_same_shape, self.unknown_runtime, self.other_runtime, self.status_union,
                   self.status_comma, self.foreign_cursor, self.malformed_runtime]
        groups = [self.bad_queries, self.scheme_words, self.limit_spellings, self.status_spellings,
                  self.unknown_parameters, self.other_query_cursor, self.altered_cursor, self.path_spellings]
        return ([e for e in singles if e is not None] + [p.exchange for p in self.limit_search] + self.walk
                + [e for group in groups for e in group.values()])

    def api_refusals(self) -> list[Exchange]:
        """The refusals the API itself answers (bad queries and keys, an unknown runtime): in a bctrl envelope.
        Refusals of odd path spellings may come from a router or proxy with a body of its own: not these."""
        spelled = {id(e) for e in self.path_spellings.values()} | {id(self.malformed_runtime)}
        return [e for e in self.all_exchanges() if 400 <= e.status < 500 and e.status != 429 and id(e) not in spelled]


class Prober:
    """Sends the probes for one target; keeps no judgement (the settling functions, points/, do that)."""

    def __init__(self, api: ApiClient, other_runtime_id: str | None, empty_runtime_id: str | None = None,
                 second_runtime_id: str | None = None):
        self.api = api
        self.contract: Contract = api.contract
        self.other_runtime_id = other_runtime_id
        self.empty_runtime_id = empty_runtime_id
        self.second_runtime_id = second_runtime_id

    def get(self, params=(), *, runtime_id: str | None = None, authorization: object = USE_KEY) -> Exchange:
        return self.api.list_runs(runtime_id, params if isinstance(params, str) else list(params), authorization)

    def limit(self, asked: int) -> LimitProbe:
        return LimitProbe(asked, self.get(page_params(limit=asked)))

    def observe(self, limit_one: Exchange) -> Observations:
        """Every probe, in an order that spends the budget on what matters most first. `limit_one`: the first
        contact's answer (a page of one run)."""
        api, contract = self.api, self.contract
        known = {api.runtime_id, self.other_runtime_id, self.empty_runtime_id, self.second_runtime_id} - {None}
        first_page = self.get()
        search = self.search_maximum(limit_one)
        observations = Observations(
            first_page=first_page,
            limit_one=limit_one,
            limit_search=search,
            bad_queries={
                "limit-zero": self.get([("limit", contract.limit_min - 1)]),
                "limit-word": self.get([("limit", "abc")]),
                "limit-huge": self.get([("limit", HUGE_LIMIT)]),
                "status-unknown": self.get([("status", UNKNOWN_STATUS)]),
                "cursor-garbage": self.get(page_params(limit=1, cursor=GARBAGE)),
            },
            no_key=self.get(page_params(limit=1), authorization=None),
            wrong_key=self.get(page_params(limit=1), authorization=WRONG_KEY),
            key_with_extra=self.get(page_params(limit=1), authorization=f"Bearer {api.api_key}x"),
            key_of_the_same_shape=self.get(page_params(limit=1), authorization=f"Bearer {unknown_like(api.api_key)}"),
            scheme_words={word: self.get(page_params(limit=1), authorization=f"{word} {api.api_key}")
                          for word in ("bearer", "BEARER")},
            unknown_runtime=self.get(page_params(limit=1), runtime_id=unknown_like(self.other_runtime_id
                                                                                   or api.runtime_id, known)),
            other_runtime=(self.get(page_params(limit=1), runtime_id=self.other_runtime_id)
                           if self.other_runtime_id else None),
        )
        self.ask_status_union(observations)
        self.walk(observations)
        self.ask_cursors(observations)
        self.ask_spellings(observations)
        self.ask_paths(observations, known)
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
        observations.walk = list(islice(pages(self.api, limit=limit), WALK_PAGES))

    # -- what a cursor may get elsewhere --------------------------------------------------------------------------
    def ask_cursors(self, observations: Observations) -> None:
        """The walk's first cursor: on another runtime of the key (foreignCursor), with another limit and another
        filter (cursorWithOtherQuery), and altered (alteredCursor)."""
        first = observations.walk[0] if observations.walk else None
        cursor = first.next_cursor if first is not None and first.status == 200 else None
        if not isinstance(cursor, str) or not cursor:
            return
        limit = observations.walk_limit
        elsewhere = [(self.second_runtime_id, "the key's second runtime"),
                     (self.empty_runtime_id, "the key's empty runtime")]
        runtime_id, label = next(((rid, label) for rid, label in elsewhere if rid), (None, ""))
        if runtime_id:
            observations.foreign_cursor = self.get(page_params(limit=limit, cursor=cursor), runtime_id=runtime_id)
            observations.foreign_runtime = label
        other_limit = next(size for size in (limit + 1, limit - 1) if self.contract.limit_min <= size)
        observations.other_query_cursor = {
            "another limit": self.get(page_params(limit=other_limit, cursor=cursor)),
            "another filter": self.get(page_params(limit=limit, status=self.contract.terminal_statuses[0],
                                                   cursor=cursor)),
        }
        observations.altered_cursor = {
            "altered": self.get(page_params(limit=limit, cursor=altered(cursor))),
            "truncated": self.get(page_params(limit=limit, cursor=truncated(cursor))),
        }

    # -- spellings of the query values ----------------------------------------------------------------------------
    def ask_spellings(self, observations: Observations) -> None:
        """One of each kind of limit spelling a lenient parser reads, the status spellings, and the bracketed keys:
        every line of queryGrammar."""
        spellings = limit_spellings(self.contract)
        for name in LIMIT_PROBES:
            observations.limit_spelling_pairs[name] = spellings[name]
            observations.limit_spellings[name] = self.get(exact_query(spellings[name]))
        for name in STATUS_PROBES:
            values = ([value for _, value in invalid_filters(self.contract)[name]] if name == "wrong-case"
                      else [status_spelling(self.contract, name)])
            observations.status_spelling_values[name] = values
            observations.status_spellings[name] = self.get(exact_query([("status", value) for value in values]
                                                                       + [("limit", self.contract.limit_max)]))
        size = size_other_than_default(self.contract)
        observations.unknown_parameters = {
            "status[]": self.get(exact_query([("status[]", self.contract.terminal_statuses[0]),
                                              ("limit", self.contract.limit_max)])),
            "limit[]": self.get(exact_query([("limit[]", size)])),
        }

    # -- spellings of the path ------------------------------------------------------------------------------------
    def ask_paths(self, observations: Observations, known: set[str]) -> None:
        """A runtime id of another shape, and a few spellings of a runtime the key cannot see (another tenant's, else
        an unknown one): which statuses refuse them (pathSpellings.refusals)."""
        observations.malformed_runtime = self.get(page_params(limit=1), runtime_id=MALFORMED_RUNTIME_ID)
        family, runtime_id = ((OTHER, self.other_runtime_id) if self.other_runtime_id
                              else (UNKNOWN, unknown_like(self.api.runtime_id, known)))
        for name in PATH_PROBES:
            spelling = telling_spelling(name, family, runtime_id)
            observations.path_spellings[f"{family} {name}"] = self.api.get_exactly(self.api.base_url + spelling.path)


def union_applied(exchange: Exchange, statuses: tuple[str, ...]) -> bool:
    """The answer lists runs of every one of `statuses`, and of no other."""
    seen = {run.get("status") for run in runs_of(exchange)}
    return exchange.status == 200 and seen == set(statuses)


def runs_of(exchange: Exchange) -> list[dict]:
    """The page's runs that can be judged (objects with an id); the schema check reports any other."""
    return [run for run in exchange.runs if isinstance(run, dict) and "id" in run]
