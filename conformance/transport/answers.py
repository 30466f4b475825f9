"""Every HTTP answer the run received, the ones the polite client retried and hid included: what the whole-run HTTP
checks judge. Recording never raises."""

from __future__ import annotations

from .exchange import Exchange

SHOWN_HEADERS = ("cache-control", "retry-after", "content-type")


class AnswerLog:
    def __init__(self):
        self.answers: list[Exchange] = []
        self.errors: list[str] = []

    def record(self, exchange: Exchange) -> None:
        """Keep the exchange's answer, and every answer retried before it."""
        try:
            self.answers += [answer for answer in (*exchange.attempts, exchange) if answer.status is not None]
        except Exception as error:  # a recording bug must not break the test that sent the request
            self.errors.append(f"{type(error).__name__}: {error}")

    @property
    def retried(self) -> int:
        return sum(answer.retried for answer in self.answers)

    def refused_in_flight(self) -> dict[int, int]:
        """Answers 429 or 503 (retried ones included) to requests sent while others were in flight: status -> count.
        Within BCTRL_CONCURRENCY, what a front end's connection or rate limit refuses shows here."""
        refused: dict[int, int] = {}
        for answer in self.answers:
            if answer.status in (429, 503) and answer.in_flight > 1:
                refused[answer.status] = refused.get(answer.status, 0) + 1
        return refused

    def describe(self) -> str:
        refused = self.refused_in_flight()
        together = (f"; {sum(refused.values())} refused while others were in flight "
                    f"({', '.join(f'{count} × {status}' for status, count in sorted(refused.items()))})"
                    if refused else "")
        return f"{len(self.answers)} answers ({self.retried} of them retried by the client){together}"


def describe_answer(answer: Exchange) -> str:
    """`STATUS [the headers that matter] to METHOD in test at time`, one line."""
    shown = ", ".join(f"{name.lower()}: {value}" for name, value in sorted(answer.headers.items())
                      if name.lower() in SHOWN_HEADERS)
    return (f"{answer.status}{' (retried by the client, never seen by a test)' if answer.retried else ''} "
            f"[{shown or 'no Cache-Control, Retry-After or Content-Type'}] to {answer.method} in {answer.where()}")
