"""What the target's data allows, as measured: the main runtime's runs (up to the walk bound) and the answers of
the other configured runtimes. Plain values, built by the readiness measure or, inside a check, from its own walk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RuntimeData:
    """The runs of one runtime as one walk saw them: how many (complete: all of them), and how many per status."""

    runs: int
    complete: bool
    statuses: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, runs: list[dict], complete: bool) -> "RuntimeData":
        unique = {run.get("id"): run for run in runs if isinstance(run, dict)}
        return cls(len(unique), complete, Counter(str(run.get("status")) for run in unique.values()))

    @property
    def at_least(self) -> int:
        """Runs there certainly are: all of them, or one more than seen when a nextCursor was left to follow."""
        return self.runs if self.complete else self.runs + 1

    def count(self, statuses) -> int:
        return sum(self.statuses.get(status, 0) for status in statuses)

    def describe(self, setting: str = "BCTRL_RUNTIME_ID", statuses=()) -> str:
        """"BCTRL_RUNTIME_ID has 3 runs (1 active, 2 stopped, 0 failed)" (the statuses named, when given)."""
        size = f"{self.runs} runs" if self.complete else f"more than {self.runs} runs (a walk stops at " \
                                                         f"BCTRL_MAX_WALK_RUNS)"
        counted = ", ".join(f"{self.statuses.get(status, 0)} {status}" for status in statuses)
        return f"{setting} has {size}" + (f" ({counted})" if counted and self.runs else "")


@dataclass(frozen=True)
class RuntimeAnswer:
    """One GET of a configured runtime (other-tenant, empty, second): its status and what it listed."""

    setting: str
    runtime_id: str | None  # None: the setting is not set
    status: int | None = None  # None: not asked (unset) or no usable answer
    runs: int = 0
    more: bool = False  # a nextCursor came with it
    data: RuntimeData | None = None  # its first page's runs (all of them unless `more`)

    @property
    def configured(self) -> bool:
        return self.runtime_id is not None

    def describe(self) -> str:
        if not self.configured:
            return f"{self.setting} is not set"
        if self.status is None:
            return f"{self.setting} got no usable answer"
        if self.status == 200:
            return f"{self.setting} answers 200 with {self.runs}{'+' if self.more else ''} runs"
        return f"{self.setting} answers {self.status}"


@dataclass(frozen=True)
class Readiness:
    """What the readiness measure measured before any check ran."""

    walk_bound: int  # BCTRL_MAX_WALK_RUNS
    main: RuntimeData | None  # None: the walk could not be made (the checks then judge it themselves)
    other: RuntimeAnswer
    empty: RuntimeAnswer
    second: RuntimeAnswer
    requests: int = 0
    problem: str = ""  # why `main` is None
    other_key: bool = False  # BCTRL_OTHER_API_KEY is set
    in_flight: int = 1  # BCTRL_CONCURRENCY: requests in flight at once at most
