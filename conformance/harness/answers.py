"""Every HTTP answer the run received, the ones the polite client retried and hid included, with the request
that got it: what the whole-run HTTP checks judge. Recording never raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .traffic import SeenRequest, seen_request
from .transport import Roundtrip


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased
    request: SeenRequest
    retried: bool  # consumed by the polite client's retries: no test saw it

    @property
    def authenticated(self) -> bool:
        """The request carried credentials (RFC 9111 §3.5 speaks of any Authorization header, valid or not)."""
        return self.request.authorization is not None

    def describe(self) -> str:
        shown = ", ".join(f"{name}: {value}" for name, value in sorted(self.headers.items())
                          if name in ("cache-control", "retry-after", "content-type"))
        return (f"{self.status}{' (retried by the client, never seen by a test)' if self.retried else ''} "
                f"[{shown or 'no Cache-Control, Retry-After or Content-Type'}] to {self.request.method} in "
                f"{self.request.describe()}")


class AnswerLog:
    def __init__(self, current_test: Callable[[], str] = lambda: ""):
        self._current_test = current_test
        self.answers: list[Answer] = []
        self.errors: list[str] = []

    def record(self, roundtrip: Roundtrip) -> None:
        try:
            request = seen_request(roundtrip, self._current_test())
            for attempt in [*roundtrip.retried, *([roundtrip.gave_up] if roundtrip.gave_up else [])]:
                if attempt.status:
                    self.answers.append(Answer(attempt.status, _lower(attempt.headers), request, retried=True))
            if roundtrip.response is not None:
                response = roundtrip.response
                self.answers.append(Answer(response.status_code, _lower(response.headers), request, retried=False))
        except Exception as error:  # a recording bug must not break the test that sent the request
            self.errors.append(f"{type(error).__name__}: {error}")

    @property
    def retried(self) -> int:
        return sum(answer.retried for answer in self.answers)

    def describe(self) -> str:
        return f"{len(self.answers)} answers ({self.retried} of them retried by the client)"


def _lower(headers) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}
