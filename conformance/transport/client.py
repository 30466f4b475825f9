"""The API as the hand-written checks see it: list a runtime's runs (a page, or the pages of a walk), or send any
method on the runs path, and get the Exchange. Nothing here judges an answer: the checks call conformance/judge/ on
what comes back, as Schemathesis's checks judge what its transport brought."""

from __future__ import annotations

import time
from typing import Iterable, Iterator, Mapping, Sequence
from urllib.parse import quote

import requests
from urllib3 import HTTPHeaderDict

from ..contract import RUNS_PATH, Contract
from ..outcomes import TargetUnavailable
from .endings import ConnectionEnded, NoAnswer
from .exchange import Exchange, exchange_of

USE_KEY = object()  # the default: `Authorization: Bearer <the configured key>`
Params = Sequence[tuple[str, object]]


class ApiClient:
    def __init__(self, session: requests.Session, base_url: str, api_key: str, runtime_id: str, contract: Contract):
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.runtime_id = runtime_id
        self.contract = contract

    def runs_url(self, runtime_id: str | None = None) -> str:
        runtime = quote(runtime_id or self.runtime_id, safe="")
        return self.base_url + RUNS_PATH.replace("{runtimeId}", runtime)

    def list_runs(
        self,
        runtime_id: str | None = None,
        params: Params | dict | str | None = None,
        authorization: object = USE_KEY,
        *,
        headers: Mapping[str, str] | None = None,
        refusable_for_size: bool = False,
    ) -> Exchange:
        """GET the runs; `params` may repeat keys ([("status", "a"), ("status", "b")]) or be an encoded query
        (exact_query); `authorization` is the exact header value to send, None for no header; `headers`: others
        to send (a Cookie, a conditional request's validator). The answer is not judged: judge.response.judged does.
        `refusable_for_size`: the request is one a server may refuse for its size, so a connection it ends with no
        answer is returned as the answer (status None, `ended` says how), not raised as the target being gone."""
        __tracebackhide__ = True
        headers = {**self._headers(authorization), **(headers or {})}
        try:
            response = self.session.get(self.runs_url(runtime_id), params=_as_pairs(params), headers=headers)
        except (ConnectionEnded, NoAnswer) as ending:  # no answer: the refusal, for a request refusable for its size
            if not refusable_for_size:
                raise
            return ending.exchange
        return to_exchange(response)

    def send(self, method: str, runtime_id: str | None = None, params: Params | dict | str | None = None,
             authorization: object = USE_KEY, headers: Mapping[str, str] | None = None,
             resend_if_lost: bool = False) -> Exchange:
        """Any method on the runs path, the answer not judged (the caller knows what the method may get).

        A method that is not idempotent is not retried when its connection is lost before an answer (it may have
        been handled). `resend_if_lost`: send it once more all the same, for a method the contract gives no route
        (a correct server changes nothing for it, so a second copy changes nothing either)."""
        headers = {**self._headers(authorization), **(headers or {})}
        copies = 2 if resend_if_lost else 1
        for copy in range(copies):
            try:
                return to_exchange(self.session.request(method, self.runs_url(runtime_id), params=_as_pairs(params),
                                                        headers=headers))
            except TargetUnavailable:
                if copy + 1 == copies:
                    raise

    def get_with_header_lines(self, lines: Sequence[tuple[str, str]]) -> Exchange:
        """GET the runs (no query) with exactly these header lines, a name given twice sent twice (requests keeps
        one value per name; urllib3 sends what it is given). The answer is not judged."""
        prepared = self.session.prepare_request(requests.Request("GET", self.runs_url()))
        for name, _ in lines:
            prepared.headers.pop(name, None)
        sent = HTTPHeaderDict(prepared.headers)
        for name, value in lines:
            sent.add(name, value)
        prepared.headers = sent
        environment = self.session.merge_environment_settings(prepared.url, {}, None, None, None)
        return to_exchange(self.session.send(prepared, **environment))

    def get_exactly(self, url: str, authorization: object = USE_KEY) -> Exchange:
        """GET `url` as written, percent-escapes and all: no redirect followed, the answer not judged.

        requests re-quotes a URL it prepares (it decodes escaped unreserved characters, so %2E becomes a dot);
        the prepared URL is set here after that. What still changes on the wire is urllib3's: percent-escapes
        are upper-cased, and a character a request target cannot hold is escaped."""
        headers = self._headers(authorization)
        prepared = self.session.prepare_request(requests.Request("GET", self.base_url + "/", headers=headers))
        prepared.url = url
        environment = self.session.merge_environment_settings(url, {}, None, None, None)
        response = self.session.send(prepared, allow_redirects=False, **environment)
        return to_exchange(response)

    def on_one_connection(self):
        """A context in which this thread's requests go on one kept-alive connection, each answer read from its bytes
        (PoliteSession.on_one_connection)."""
        return self.session.on_one_connection()

    def _headers(self, authorization: object) -> dict[str, str]:
        if authorization is USE_KEY:
            return {"Authorization": f"Bearer {self.api_key}"}
        return {} if authorization is None else {"Authorization": str(authorization)}


def page_params(limit: int | None = None, status: str | Iterable[str] | None = None,
                cursor: str | None = None) -> list[tuple[str, object]]:
    """Query pairs for one page; several statuses become repeated keys, as bctrl's SDKs send them."""
    pairs: list[tuple[str, object]] = []
    if limit is not None:
        pairs.append(("limit", limit))
    if status is not None:
        pairs += [("status", value) for value in ([status] if isinstance(status, str) else status)]
    if cursor is not None:
        pairs.append(("cursor", cursor))
    return pairs


def pages(api: ApiClient, *, limit: int | None = None, status: str | Iterable[str] | None = None,
          runtime_id: str | None = None, first: Exchange | None = None) -> Iterator[Exchange]:
    """The pages of one walk, first to last, following nextCursor the way bctrl's SDK iterators do (resending
    filter and limit), lazily: the caller stops when it has seen enough. It ends after a page that is not a 200
    or has no nextCursor; no page is judged (judge/walk.py's walk_runs judges each). `first`: the first page,
    already received."""
    status = list(status) if status is not None and not isinstance(status, str) else status
    page, cursor = first, None
    while True:
        if page is None:
            page = api.list_runs(runtime_id, page_params(limit, status, cursor))
        yield page
        cursor = page.next_cursor
        if page.status != 200 or cursor is None:
            return
        page = None


def exact_query(pairs: Params) -> str:
    """A query string that sends each key and value exactly: everything but unreserved characters
    percent-escaped (a space is %20, never the `+` a form encoder writes), for `list_runs(params=...)`."""
    return "&".join(f"{quote(str(key), safe='')}={quote(str(value), safe='')}" for key, value in pairs)


def to_exchange(response: requests.Response) -> Exchange:
    """The record of a response: the one the polite session made, else (a plain session) one made now."""
    return getattr(response, "exchange", None) or exchange_of(response, sent=time.monotonic())


def _as_pairs(params: Params | dict | str | None) -> list[tuple[str, object]] | str | None:
    if params is None or isinstance(params, str):
        return params  # a string is an already encoded query (exact_query)
    return list(params.items()) if isinstance(params, dict) else list(params)
