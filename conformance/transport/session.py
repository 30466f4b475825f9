"""The one HTTP client all suite traffic goes through: polite (timeouts, retries, a rate cap) and bounded.

Retries use urllib3's Retry through a requests HTTPAdapter (backoff with jitter, Retry-After honoured); this
module only adds what Retry lacks: a cap on Retry-After, a hard request budget that counts retries too, a rate
cap between any two requests on the wire, and a record of what was retried. With several requests in flight
(BCTRL_CONCURRENCY), a 429 slows all of them: its Retry-After (or, without one, the backoff) holds every thread, and
the rest of the run sends one request at a time.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from ..outcomes import TargetUnavailable
from .endings import ConnectionEnded, NoAnswer, cause, head_size, read_body
from .exchange import Exchange, chosen_headers, chosen_lines, exchange_of, sender
from .politeness import (BACKOFF_FACTOR, BACKOFF_JITTER, BACKOFF_MAX, IDEMPOTENT_METHODS, RETRY_STATUSES, Pacer,
                         PoliteRetry, RequestBudget, attempt_of, retry_after)
from .wire import WireAdapter, WireBroken

class PoliteSession(requests.Session):
    """A requests Session whose every request is paced, budgeted, retried politely and timed out.

    Every call of `send` makes one Exchange (its retried answers in `attempts`), reported to each listener
    (`listen`, one exchange at a time) and attached to the response as `response.exchange`: the run's records hear
    all traffic, Schemathesis's included, retried answers included. What one call retries is kept per thread, so
    several threads may send at once, `in_flight` of them at most."""

    def __init__(self, *, budget: int, rate: float, timeout: float, retries: int, retry_after_max: float,
                 in_flight: int = 1):
        super().__init__()
        self._in_flight = threading.BoundedSemaphore(in_flight)
        self._listening = threading.Lock()
        self.budget = RequestBudget(budget)
        self.pacer = Pacer(rate)
        self.timeout = timeout
        self.retry_after_max = retry_after_max
        self.retries = retries
        self.retry_count = 0
        self._flying = 0  # requests in flight now (each Exchange records how many were when it was sent)
        self._count_lock = threading.Lock()
        self._call = threading.local()  # the request being sent on this thread, and the answers retried so far
        self._environment: dict[tuple[str, str], dict] = {}  # origin -> what the environment says for it
        self._environment_lock = threading.Lock()
        self.listeners: list[Callable[[Exchange], None]] = []
        self.throttled = False  # the target answered 429 once: from then on, one request in flight at a time
        self._one_at_a_time = threading.Lock()
        self._last_served: tuple[requests.PreparedRequest, dict] | None = None  # a GET answered without a 5xx
        self._served_at = 0.0  # time.monotonic() of that answer
        retry = PoliteRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=BACKOFF_FACTOR,
            backoff_max=BACKOFF_MAX,
            backoff_jitter=BACKOFF_JITTER,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last answer comes back: _send decides whose failure it is
            on_retry=self._count_retry,
            retry_after_max=retry_after_max,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=max(10, in_flight))
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.auth = _headers_as_built

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        """What requests reads from the environment (proxies, NO_PROXY, the CA bundle), read once per origin.

        requests reads it on every request, iterating os.environ, which pytest rewrites between tests
        (PYTEST_CURRENT_TEST) while requests sent ahead are in flight on other threads: a read then fails with
        "dictionary changed size during iteration" or a KeyError. The environment does not change during a run."""
        origin = tuple(urlsplit(url)[:2])
        with self._environment_lock:
            if origin not in self._environment:
                self._environment[origin] = super().merge_environment_settings(url, {}, None, None, None)
        known = self._environment[origin]
        return {"proxies": {**known["proxies"], **(proxies or {})},
                "stream": known["stream"] if stream is None else stream,
                "verify": known["verify"] if verify is None or verify is True else verify,
                "cert": known["cert"] if cert is None else cert}

    def listen(self, listener: Callable[[Exchange], None]) -> None:
        """Report every Exchange to `listener` too (in the order listeners were added)."""
        self.listeners.append(listener)

    def _count_retry(self, response, error, retrying: bool, backoff: float = 0.0) -> None:
        if response is not None and response.status == 429:
            self.throttled = True  # too many requests: the rest of the run sends them one at a time
        if not retrying and response is not None:
            return  # urllib3 gives up and hands this last answer back: it is the call's own exchange
        self._call.attempts.append(attempt_of(self._call.request, response, error))
        if not retrying:
            return  # urllib3 gives up on a connection: the last attempt is kept, nothing more is sent
        self._call.retried += 1
        self.budget.spend()
        wait = retry_after(response)
        if wait is not None:  # every other thread waits too; this one sleeps it in urllib3
            self.pacer.hold(wait)
        elif response is not None and response.status == 429:  # no Retry-After: everyone backs off, this one too
            self.pacer.hold(max(backoff, BACKOFF_FACTOR))  # (urllib3 retries the first time without a backoff)
            self.pacer.wait()
        else:
            self.pacer.wait()
        with self._count_lock:
            self.retry_count += 1

    def _report(self, request, response, started: float, error: str = "", ended: str = "",
                framing: tuple[str, ...] = ()) -> Exchange:
        attempts = list(self._call.attempts)
        if response is None:
            exchange = Exchange(request.method or "GET", request.url or "", chosen_headers(request.headers), None,
                                sent=started, received=time.monotonic(), wall=time.time(), test=sender.get(),
                                error=error, attempts=attempts, ended=ended, framing=framing,
                                sent_lines=chosen_lines(request.headers))
        else:
            exchange = exchange_of(response, started, attempts, ended)
        for answer in (*attempts, exchange):  # how many were in flight with it, itself included
            answer.in_flight = max(self._flying, 1)
        with self._listening:
            for listener in self.listeners:
                listener(exchange)
        return exchange

    @property
    def requests_sent(self) -> int:
        return self.budget.spent

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        self.budget.spend()
        with self._in_flight, (self._one_at_a_time if self.throttled else contextlib.nullcontext()):
            self.pacer.wait()
            with self._count_lock:
                self._flying += 1
            try:
                return self._send(request, **kwargs)
            finally:
                with self._count_lock:
                    self._flying -= 1

    def _send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        self._call.request, self._call.attempts, self._call.retried = request, [], 0
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        streamed = kwargs.get("stream")
        started = time.monotonic()
        try:
            response = super().send(request, **{**kwargs, "stream": True})  # the body is read below, by read_body
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            ended = f"the connection ended with no answer to a request of {head_size(request):,} bytes ({cause(exc)})"
            framing = (str(exc),) if isinstance(exc, WireBroken) else ()  # bytes came, but no answer h11 can read
            exchange = self._report(request, None, started, type(exc).__name__, ended, framing)
            tries = getattr(exc, "tries", self._call.retried + 1)
            answered = any(attempt.status is not None for attempt in self._call.attempts)  # (a 429, say, between)
            if tries > 1 and not answered and self._serves_others(started, kwargs):  # no answer every time, while
                # others were served: the API's failure on this request, not the tool's
                raise NoAnswer(exchange, tries) from None
            raise ConnectionEnded(f"{_where(request)}: no answer after {tries - 1} retries "
                                  f"({type(exc).__name__})", exchange) from None
        ended = ("" if streamed else read_body(response)) or getattr(response, "ended_on_wire", "")
        if self._on_the_wire():
            response, ended = self._retried_on_the_wire(request, response, ended, kwargs)
        if self._given_up_on(request, response):  # retries spent on a 429, 502, 503 or 504
            if response.status_code == 429 or not self._serves_others(started, kwargs):
                self._call.attempts.append(attempt_of(request, response.raw, None, response.content))  # the last
                self._report(request, None, started, "gave up")
                raise TargetUnavailable(f"{_where(request)}: still {response.status_code} after "
                                        f"{self._call.retried} retries")
            response.exchange = self._report(request, response, started, ended=ended)  # type: ignore[attr-defined]
            # Sent once more: a 5xx again is the API's failure on this request, judged like any answer; a served
            # answer ends it as transient trouble.
            return self._probe(request, kwargs)
        response.exchange = self._report(request, response, started, ended=ended)  # type: ignore[attr-defined]
        if response.status_code < 500 and request.method == "GET":
            self._last_served, self._served_at = (request, kwargs), time.monotonic()
        return response

    def _given_up_on(self, request: requests.PreparedRequest, response: requests.Response) -> bool:
        """The answer urllib3 hands back once a retryable request's retries are spent (a request sent to judge the
        target's state is not judged so again)."""
        return (request.method in IDEMPOTENT_METHODS and response.status_code in RETRY_STATUSES
                and not getattr(self._call, "probing", False))

    @contextlib.contextmanager
    def on_one_connection(self):
        """While inside, this thread's requests go one after another on one kept-alive connection, each answer read
        byte by byte (wire.WireAdapter), its framing judged from its bytes; retried as anywhere else
        (_retried_on_the_wire)."""
        self._call.wire = WireAdapter(tries=self.retries + 1, again=self._again)
        try:
            yield
        finally:
            self._call.wire.close()
            self._call.wire = None

    def _again(self) -> None:
        """A request sent once more on the wire (no byte of an answer came): budgeted, paced and counted like a retry."""
        self.budget.spend()
        self.pacer.wait()
        with self._count_lock:
            self.retry_count += 1

    def get_adapter(self, url: str):
        return self._call.wire if self._on_the_wire() else super().get_adapter(url)

    def _on_the_wire(self) -> bool:
        return getattr(self._call, "wire", None) is not None

    def _retried_on_the_wire(self, request: requests.PreparedRequest, response: requests.Response, ended: str,
                             kwargs: dict) -> tuple[requests.Response, str]:
        """On the wire urllib3 retries nothing: a 429, 502, 503 or 504 to an idempotent request is retried here as it
        is there (the answer kept as a retried attempt, judged with the rest; its Retry-After, or else the backoff,
        waited out; within the budget). The last answer, and how its connection ended it."""
        for retry in range(self.retries):
            if request.method not in IDEMPOTENT_METHODS or response.status_code not in RETRY_STATUSES:
                break
            self._call.attempts.append(attempt_of(request, response.raw, None, response.content))
            self._call.retried += 1
            self._heed(response.status_code, response.raw)
            if retry_after(response.raw) is None:
                time.sleep(min(BACKOFF_MAX, BACKOFF_FACTOR * 2 ** retry))
            self._again()
            response = super().send(request, **{**kwargs, "stream": True})
            ended = read_body(response) or getattr(response, "ended_on_wire", "")
        self._heed(response.status_code, response.raw)
        return response, ended

    def _heed(self, status: int, response) -> None:
        """What a 429 or 503 says to every thread when it is not retried: wait its Retry-After; after a 429, one request
        at a time."""
        if status == 429:
            self.throttled = True
        wait = retry_after(response)
        if wait is not None and wait > self.retry_after_max:
            raise TargetUnavailable(f"BCTRL_RETRY_AFTER_MAX: the target asks to wait {wait:.0f} s (Retry-After), "
                                    f"longer than the {self.retry_after_max:.0f} s this run may wait")
        if wait is not None:
            self.pacer.hold(wait)

    def _serves_others(self, started: float, kwargs: dict) -> bool:
        """After its retries one request still gets a 502, 503 or 504: is the target up, serving the others? Yes when
        a GET was answered without a 5xx since this request was first sent, or when the last GET so answered, sent
        again now, still is (a request the run already made, recorded like any other). Else it is unavailable."""
        if self._served_at > started:
            return True
        if self._last_served is None:
            return False
        try:
            return self._probe(*self._last_served).status_code < 500
        except TargetUnavailable:  # its connection ended too
            return False

    def _probe(self, request: requests.PreparedRequest, options: dict) -> requests.Response:
        """`request` sent now, within the budget and the rate cap (with its own retries), its answer returned as it
        is, whatever its status: it is sent to learn the target's state, not judged as given up on."""
        saved = self._call.request, self._call.attempts, self._call.retried
        self._call.probing = True
        try:
            self.budget.spend()
            self.pacer.wait()  # (not send(): this thread already holds its place among the requests in flight)
            return self._send(request.copy(), **options)
        finally:
            self._call.probing = False
            self._call.request, self._call.attempts, self._call.retried = saved


def _headers_as_built(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """The session's auth: the request keeps the Authorization header the check built, or none. Without a session
    auth, requests looks every request's host up in ~/.netrc (or $NETRC) and on a match replaces that header with
    Basic credentials: the checks would send a key other than the one under test, the missing-key checks one."""
    return request


def _where(request: requests.PreparedRequest) -> str:
    return f"target unavailable ({request.method} {request.path_url.split('?')[0]})"
