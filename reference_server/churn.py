"""Live-data simulation: a daemon thread that adds and ends runs while the server is up."""
from __future__ import annotations

import sys
import threading
import time
from datetime import datetime, timezone

from .store import RunStore

INTERVAL_SECONDS = 0.2
RETENTION_SECONDS = 2.0  # the retention personality deletes the main runtime's oldest run this often


class Churn:
    def __init__(self, store: RunStore, interval: float = INTERVAL_SECONDS, retention: bool = False,
                 retention_interval: float | None = None):
        self.store, self.interval = store, interval
        self.retention = retention
        self.retention_interval = RETENTION_SECONDS if retention_interval is None else retention_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reference-server-churn", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        next_retention = time.monotonic() + self.retention_interval
        while not self._stop.wait(self.interval):
            try:
                self.store.churn_tick(datetime.now(timezone.utc))
                if self.retention and time.monotonic() >= next_retention:
                    next_retention += self.retention_interval
                    self.store.retention_tick()
            except Exception as exc:  # keep churning; report briefly
                print(f"reference_server: churn tick failed: {type(exc).__name__}: {exc}", file=sys.stderr)
