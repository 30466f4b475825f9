"""What sits in front of the data in a real deployment: a gateway rate limiter, a page cache, another app instance
with its own status cache. The clean server uses none of them; faults switch them on (see faults.py)."""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from itertools import count

RATE_LIMIT_PER_SECOND = 25  # requests per key and one-second window: the gateway setting in the fault
PAGE_CACHE_SECONDS = 60.0
SCROLL_KEEP_ALIVE_SECONDS = 1.0  # faults scroll-expired-*: `scroll=1s` (meant: 1m)
STALE_INSTANCE_EVERY = 4  # one request in this many lands on the instance with a stale status cache


class FixedWindowLimiter:
    """At most `limit` requests per key in each one-second window (nginx limit_req-style, without a burst)."""

    def __init__(self, limit: int = RATE_LIMIT_PER_SECOND):
        self.limit = limit
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        second = int(time.monotonic())
        with self._lock:
            window, used = self._windows.get(key, (second, 0))
            used = used + 1 if window == second else 1
            self._windows[key] = (second, used)
        return used <= self.limit


class PageCache:
    """Bodies of answered pages for `ttl` seconds, under whatever key the caller chooses."""

    def __init__(self, ttl: float = PAGE_CACHE_SECONDS):
        self.ttl = ttl
        self._entries: dict[tuple, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            stored = self._entries.get(key)
        return stored[1] if stored and time.monotonic() - stored[0] < self.ttl else None

    def put(self, key: tuple, body: bytes) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), body)


class Instances:
    """Which app instance answers each request: round robin, the last of `size` being the stale one."""

    def __init__(self, size: int = STALE_INSTANCE_EVERY):
        self.size = size
        self._counter = count()
        self._lock = threading.Lock()

    def next_is_stale(self) -> bool:
        with self._lock:
            return next(self._counter) % self.size == self.size - 1


class BoundedMemo:
    """A least-recently-used memo of at most `size` entries, shared by all request threads."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class Scrolls:
    """Server-side scroll contexts (Elasticsearch-style): each walk opens one; every page renews its keep-alive;
    one not renewed within `keep_alive` seconds is gone."""

    def __init__(self, keep_alive: float):
        self.keep_alive = keep_alive
        self._last_used: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def open(self) -> str:
        scroll = secrets.token_hex(8)
        with self._lock:
            self._last_used[scroll] = time.monotonic()
            self._purge()
        return scroll

    def renew(self, scroll: str) -> bool:
        """Whether the scroll is still open (and then its keep-alive starts again)."""
        now = time.monotonic()
        with self._lock:
            self._purge()
            if scroll not in self._last_used:
                return False
            self._last_used[scroll] = now
            self._last_used.move_to_end(scroll)
            return True

    def _purge(self) -> None:
        limit = time.monotonic() - self.keep_alive
        while self._last_used and next(iter(self._last_used.values())) < limit:
            self._last_used.popitem(last=False)


class Redeemed:
    """The cursors redeemed so far (fault cursor-single-use), shared by every request thread."""

    def __init__(self):
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def add(self, cursor: str) -> bool:
        """Whether this is the cursor's first redemption (and remember it)."""
        with self._lock:
            first = cursor not in self._seen
            self._seen.add(cursor)
            return first
