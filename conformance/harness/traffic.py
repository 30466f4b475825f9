"""What the run's whole-run records keep of one request: where it came from, when, and how to send it again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .exchange import Exchange
from .transport import Roundtrip

BEFORE_THE_TESTS = "(before the tests: the target probe)"


@dataclass(frozen=True)
class SeenRequest:
    method: str
    url: str  # as sent; the key travels in Authorization, never in the URL
    authorization: str | None  # kept only to write the curl command, which puts ${BCTRL_API_KEY} in its place
    test: str  # nodeid of the test that sent it
    sent: float  # monotonic, when the request left
    received: float  # monotonic, when its answer was in
    wall: float  # time.time() when its answer was in

    def precedes(self, other: "SeenRequest", by: float = 0.0) -> bool:
        """True if this request was answered before the other was sent, `by` seconds or more: only then is their
        order certain (for reads that may lag `by` seconds behind the data)."""
        return self.received + by <= other.sent

    def when(self) -> str:
        return datetime.fromtimestamp(self.wall, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def curl(self) -> str:
        headers = {"Authorization": self.authorization} if self.authorization is not None else {}
        return Exchange(self.method, self.url, headers, 0, {}, "").curl()

    def describe(self) -> str:
        """`test at time`, one line."""
        return f"{self.test or BEFORE_THE_TESTS} at {self.when()}"


def seen_request(roundtrip: Roundtrip, test: str) -> SeenRequest:
    request = roundtrip.request
    return SeenRequest(method=request.method or "GET", url=request.url or "",
                       authorization=request.headers.get("Authorization"), test=test, sent=roundtrip.sent,
                       received=roundtrip.received, wall=roundtrip.wall)
