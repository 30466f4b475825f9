"""What makes the session polite: a hard request budget, a rate cap with room for a Retry-After, urllib3's Retry made to
report every answer it consumes (and to cap Retry-After), and the retried answers kept to be judged."""

from __future__ import annotations

import threading
import time
from typing import Callable

from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from ..outcomes import BudgetExhausted, TargetUnavailable
from ..representation import headers_of
from .exchange import Exchange, chosen_headers, sender

RETRY_STATUSES = frozenset({429, 502, 503, 504})  # 500 is not retried: no input may cause one
IDEMPOTENT_METHODS = Retry.DEFAULT_ALLOWED_METHODS | {"QUERY"}  # RFC 9110 idempotent methods, and QUERY (safe)
BACKOFF_FACTOR = 0.25  # 250 ms, then doubling, as bctrl's own clients do
BACKOFF_MAX = 8.0
BACKOFF_JITTER = 0.25
RETRIED_BODY = 65536  # bytes of a retried answer's body kept to judge it (an error body is far smaller)


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


def attempt_of(request, response, error, body: bytes | None = None) -> Exchange:
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


def retry_after(response) -> float | None:
    """The seconds a 429 or 503 answer says to wait (Retry-After, seconds or an HTTP date); None if it says none."""
    if response is None or response.status not in (429, 503):
        return None
    value = response.headers.get("Retry-After")
    try:
        return Retry().parse_retry_after(value) if value else None
    except Exception:  # a Retry-After urllib3 cannot read: it backs off instead, so does everyone else
        return None
