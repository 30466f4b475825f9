"""Transient trouble: with probability `rate`, a request gets one injected kind of trouble."""
from __future__ import annotations

import random
import threading

from .messages import ApiError

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


def trouble_error(kind: str) -> ApiError:
    """The error answered for the '429' and '503' kinds."""
    retry = [("Retry-After", "1")]
    if kind == "429":
        return ApiError(429, "rate_limited", "Rate limit exceeded; retry later", headers=retry)
    return ApiError(503, "upstream.unavailable", "Upstream temporarily unavailable; retry later", headers=retry)
