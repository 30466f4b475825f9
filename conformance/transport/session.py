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
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from ..outcomes import BudgetExhausted, ContractViolation, TargetUnavailable
from ..representation import headers_of
from .exchange import Exchange, chosen_headers, chosen_lines, exchange_of, sender
from .wire import WireAdapter, WireBroken

RETRY_STATUSES = frozenset({429, 502, 503, 504})  # 500 is not retried: no input may cause one
IDEMPOTENT_METHODS = Retry.DEFAULT_ALLOWED_METHODS | {"QUERY"}  # RFC 9110 idempotent methods, and QUERY (safe)
BACKOFF_FACTOR = 0.25  # 250 ms, then doubling, as bctrl's own clients do
BACKOFF_MAX = 8.0
BACKOFF_JITTER = 0.25
RETRIED_BODY = 65536  # bytes of a retried answer's body kept to judge it (an error body is far smaller)
BODY_CHUNK = 4096  # read in small pieces: urllib3 drops the piece a connection cuts short, so keep them small


class RequestBudget:
    def __init__(self, limit: int):
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def spend(self) -> None:
        with self._lock:
            if self.spent >= self.limit:
                raise BudgetExhausted(
                    f"BCTRL_REQUEST_BUDGET: the budget of {self.limit} requests is spent; the run stops unfinished"
                )
            self.spent += 1


class Pacer:
    """At most `rate` requests a second on the wire (0: no cap), across every thread; and none at all while the
    target said to wait (`hold`: a Retry-After). A few lines, so no rate-limiter dependency."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)

    def hold(self, seconds: float) -> None:
        """No request leaves, from any thread, for `seconds` from now."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


def _attempt(request, response, error, body: bytes | None = None) -> Exchange:
    """One answer (or failure) that urllib3's Retry consumed: the caller never sees it, the run's records do, body and
    all (read here unless given: urllib3 drains it after this), so that it is judged like any answer."""
    now = time.monotonic()
    if response is not None and response.status:
        body = _retried_body(response) if body is None else body
        return Exchange(request.method or "GET", request.url or "", chosen_headers(request.headers),
                        response.status, headers_of(response.headers), body.decode("utf-8", errors="replace"), body,
                        sent=now, received=now, wall=time.time(), test=sender.get(), retried=True)
    return Exchange(request.method or "GET", request.url or "", chosen_headers(request.headers), None, sent=now,
                    received=now, wall=time.time(), test=sender.get(), retried=True,
                    error=type(error).__name__ if error is not None else "error")


def _retried_body(response) -> bytes:
    """The body of an answer urllib3 is about to retry, up to RETRIED_BODY bytes ("" when it cannot be read: the
    retry goes on all the same)."""
    try:
        return response.read(RETRIED_BODY, decode_content=True) or b""
    except Exception:  # a body cut short or undecodable: the answer is still recorded, without it
        return b""


class PoliteRetry(Retry):
    """urllib3 Retry that reports each answer it consumes, caps Retry-After, and passes both through its copies."""

    # Not urllib3's own `retry_after_max`: that one silently clamps a long Retry-After, and this cap must not.
    def __init__(self, *args, on_retry: Callable[[object, object, bool], None] | None = None,
                 retry_after_max: float = 30.0, **kw):
        super().__init__(*args, **kw)
        # (the consumed answer or None, the error or None, whether another request follows[, the backoff before it])
        self.on_retry = on_retry
        self.wait_cap = retry_after_max

    def new(self, **kw) -> "PoliteRetry":
        copy = super().new(**kw)
        copy.on_retry, copy.wait_cap = self.on_retry, self.wait_cap
        return copy

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        try:
            new = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError:
            if self.on_retry is not None:  # the last answer, after which urllib3 gives up: recorded all the same
                self.on_retry(response, error, False)
            raise
        if self.on_retry is not None:
            self.on_retry(response, error, True, new.get_backoff_time())
        return new

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Idempotent requests are retried on RETRY_STATUSES. A non-idempotent one (only the gate's checks of
        unsupported methods) only when the target answered 429 or 503 with Retry-After: it said it did not handle
        the request, and when to come back."""
        if not self._is_method_retryable(method):
            return bool(self.total) and has_retry_after and status_code in (429, 503)
        return super().is_retry(method, status_code, has_retry_after)

    def get_retry_after(self, response) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is not None and seconds > self.wait_cap:
            raise TargetUnavailable(
                f"BCTRL_RETRY_AFTER_MAX: the target asks to wait {seconds:.0f} s (Retry-After), "
                f"longer than the {self.wait_cap:.0f} s this run may wait"
            )
        return seconds


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
        self._call.attempts.append(_attempt(self._call.request, response, error))
        if not retrying:
            return  # urllib3 gives up on a connection: the last attempt is kept, nothing more is sent
        self._call.retried += 1
        self.budget.spend()
        wait = _retry_after(response)
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
                self._call.attempts.append(_attempt(request, response.raw, None, response.content))  # the last
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
            self._call.attempts.append(_attempt(request, response.raw, None, response.content))
            self._call.retried += 1
            self._heed(response.status_code, response.raw)
            if _retry_after(response.raw) is None:
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
        wait = _retry_after(response)
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


class ConnectionEnded(TargetUnavailable):
    """The connection ended with no answer, retries spent. A tool error (the target may be gone), unless the caller
    sent a request the server may refuse for its size: `exchange` (status None, `ended` saying how) is then its
    answer (ApiClient.list_runs(refusable_for_size=True))."""

    def __init__(self, message: str, exchange: Exchange):
        super().__init__(message)
        self.exchange = exchange


class NoAnswer(ContractViolation):
    """The connection ended with no answer to one request on each of its tries, while the target answered others: the
    API's failure on that request (a crash, a reset), not the target gone. Its `exchange` says how it ended; for a
    request the server may refuse for its size, that ending may be the refusal (ApiClient.list_runs decides)."""

    def __init__(self, exchange: Exchange, tries: int):
        super().__init__("The request gets an answer", expected="an answer: a page, or a refusal the contract allows",
                         actual=f"{exchange.ended}, on each of its {tries} tries, while the target answered other "
                                "requests", exchange=exchange)


def read_body(response: requests.Response) -> str:
    """Read the answer's body now, as requests would, keeping what came even when the connection ends it early; how
    it ended, or "" when it did not. (requests' own `content` drops a partial body and raises: a traceback where the
    run wants evidence. Setting `_content` is how requests itself keeps a body once read.)"""
    chunks: list[bytes] = []
    ended = ""
    try:
        for chunk in response.iter_content(BODY_CHUNK):
            chunks.append(chunk)
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
            requests.exceptions.ContentDecodingError) as exc:
        ended = f"the connection ended the answer after {sum(map(len, chunks)):,} bytes of its body ({cause(exc)})"
        response.close()
    response._content, response._content_consumed = b"".join(chunks), True
    return ended


def cause(error: BaseException) -> str:
    """The innermost reason requests and urllib3 wrap: `ConnectionResetError: [Errno 104] …`, `IncompleteRead(…)`."""
    for _ in range(8):
        inner = next((arg for arg in reversed(error.args) if isinstance(arg, BaseException)), None) or error.__cause__
        if inner is None or inner is error:
            break
        error = inner
    text = str(error)
    return text if text.startswith(type(error).__name__) else f"{type(error).__name__}: {text}".rstrip(": ")


def head_size(request: requests.PreparedRequest) -> int:
    """The bytes of a request's head on the wire: its request line and header lines."""
    line = f"{request.method} {request.path_url} HTTP/1.1\r\n"
    return len(line.encode()) + sum(len(f"{name}: {value}\r\n".encode()) for name, value in request.headers.items()) + 2


def _headers_as_built(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """The session's auth: the request keeps the Authorization header the check built, or none. Without a session
    auth, requests looks every request's host up in ~/.netrc (or $NETRC) and on a match replaces that header with
    Basic credentials: the checks would send a key other than the one under test, the missing-key checks one."""
    return request


def _retry_after(response) -> float | None:
    """The seconds a 429 or 503 answer says to wait (Retry-After, seconds or an HTTP date); None if it says none."""
    if response is None or response.status not in (429, 503):
        return None
    value = response.headers.get("Retry-After")
    try:
        return Retry().parse_retry_after(value) if value else None
    except Exception:  # a Retry-After urllib3 cannot read: it backs off instead, so does everyone else
        return None


def _where(request: requests.PreparedRequest) -> str:
    return f"target unavailable ({request.method} {request.path_url.split('?')[0]})"
