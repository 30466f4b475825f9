"""What the run did, for its reports: every exchange (NDJSON, key redacted), every test's outcome, totals."""

from __future__ import annotations

import time
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from pathlib import Path

from ..redaction import dumps_redacted
from ..transport.exchange import Exchange

BODY_LOGGED = 4000  # characters of each body kept in the request log


@dataclass
class TestResult:
    nodeid: str
    area: str
    rule: str
    outcome: str  # passed | failed | skipped | error
    duration: float
    requests: int
    detail: str = ""


@dataclass
class RunRecord:
    log_path: Path
    started: float = field(default_factory=time.monotonic)
    requests: int = 0
    retries: int = 0
    retried: list[str] = field(default_factory=list)  # "test: GET /path… (503, 503)"
    results: list[TestResult] = field(default_factory=list)
    first_failure: dict | None = None
    by_sender: dict[str, int] = field(default_factory=dict)  # requests each check (or readiness) sent

    def __post_init__(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w", encoding="utf-8")

    def on_exchange(self, exchange: Exchange) -> None:
        # Without an answer, the last attempt is the one urllib3 gave up on: it was not sent again.
        retries = exchange.retries[:-1] if exchange.status is None else exchange.retries
        self.requests += 1 + len(retries)
        self.retries += len(retries)
        self.by_sender[exchange.test] = self.by_sender.get(exchange.test, 0) + 1 + len(retries)
        if retries:
            path = urlsplit(exchange.url).path
            self.retried.append(f"{exchange.test}: {exchange.method} {path} ({', '.join(retries)})")
        entry = {
            "n": self.requests,
            "t": round(time.monotonic() - self.started, 3),
            "test": exchange.test,
            "method": exchange.method,
            "url": exchange.url,
            "requestHeaders": {k: ("[redacted]" if k.lower() == "authorization" else v)
                               for k, v in exchange.sent_headers.items()},
            "retries": retries,
            "elapsedMs": round(exchange.elapsed * 1000, 1),
        }
        if exchange.ended:
            entry["ended"] = exchange.ended
        if exchange.status is None:
            entry["error"] = "no usable response after retries"
        else:
            entry.update(status=exchange.status, responseHeaders=dict(exchange.headers),
                         body=exchange.text[:BODY_LOGGED])
        self._log.write(dumps_redacted(entry) + "\n")
        self._log.flush()

    def add_result(self, result: TestResult) -> None:
        self.results.append(result)
        if result.outcome in ("failed", "error") and self.first_failure is None:
            self.first_failure = {"test": result.nodeid, "requests": self.requests,
                                  "seconds": round(time.monotonic() - self.started, 2)}

    def close(self) -> None:
        self._log.close()

    @property
    def duration(self) -> float:
        return time.monotonic() - self.started
