"""Transient trouble: with probability `rate`, a request gets one injected kind of trouble; and the faults of the
answers it gets (issue 23: every answer is judged before it is retried, so a 429 or 503 follows the error rules)."""
from __future__ import annotations

import random
import threading

from .checks import HTTP_RULES
from .fault import Fault
from .messages import ApiError, Response, new_request_id
from .probes import TROUBLED

FAULTS = [
    Fault("rate-limit-429-as-html", "http",
          "the rate limiter's 429 is its middleware's default page (text/html \"Too Many Requests\"), with "
          "Retry-After: a polite client waits and retries, and no test ever reads the answer it retried",
          rules=("errors.envelope",), issue=23, blind_spot=5, needs=("trouble",), check=HTTP_RULES,
          observe=TROUBLED),
    Fault("unavailable-503-leaks-internals", "http",
          "the 503 of a failed upstream call carries the driver's exception in its message (the database host and "
          "port, a Python exception name): clients retry it, and no test ever reads it",
          rules=("errors.envelope", "errors.hygiene"), issue=23, blind_spot=5, needs=("trouble",), check=HTTP_RULES,
          observe=TROUBLED),
]
_TOO_MANY = b"<html><head><title>Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>"

KINDS = ("429", "503", "drop", "slow")
ANSWERED_KINDS = ("429", "503")  # the kinds that are answers: all a stack that owns the connection can inject
SLOW_SECONDS = 0.5


class Trouble:
    def __init__(self, rate: float, seed: int, kinds: tuple[str, ...] = KINDS):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"trouble_rate must be within 0..1, got {rate}")
        self.rate, self.kinds = rate, kinds
        self._rng = random.Random(f"trouble:{seed}")
        self._lock = threading.Lock()

    def pick(self) -> str | None:
        """None (no trouble) or one of the kinds (KINDS unless told), chosen uniformly."""
        if self.rate <= 0.0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.kinds)


def trouble_answer(kind: str, app) -> Response:
    """The answer of the '429' and '503' kinds, as the app (and its faults) give it."""
    if kind == "429" and "rate-limit-429-as-html" in app.faults:
        return Response(429, [("Content-Type", "text/html"), ("Retry-After", "1")], _TOO_MANY)
    error = trouble_error(kind)
    if kind == "503" and "unavailable-503-leaks-internals" in app.faults:
        error.message = ("Upstream temporarily unavailable: OperationalError at /app/bctrl/db/pool.py:212: "
                         "connection to server at \"10.0.3.7\", port 5432 failed: timeout expired")
    return app.error_response(error, new_request_id())


def trouble_error(kind: str) -> ApiError:
    """The error answered for the '429' and '503' kinds."""
    retry = [("Retry-After", "1")]
    if kind == "429":
        return ApiError(429, "rate_limited", "Rate limit exceeded; retry later", headers=retry)
    return ApiError(503, "upstream.unavailable", "Upstream temporarily unavailable; retry later", headers=retry)
