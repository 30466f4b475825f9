"""Gaps of one run: the data the checks needed and did not find, grouped by gap name, accepted or not (their words
in the verdict: outcomes.verdict); and the readiness block that opens the terminal summary, summary.md and run.json."""

from __future__ import annotations

from dataclasses import dataclass, field

from .data import Readiness
from .needs import Shortfall
from .vocabulary import GAP_NAMES, fix_of


@dataclass
class Gap:
    name: str
    accepted: bool
    shortfalls: list[Shortfall] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """What the data has, and the largest of what the checks needed (the rest are smaller)."""
        haves = list(dict.fromkeys(shortfall.have for shortfall in self.shortfalls))
        needs = sorted({(shortfall.weight, shortfall.requirement) for shortfall in self.shortfalls})
        more = f" (and {len(needs) - 1} smaller need{'s' * (len(needs) > 2)})" if len(needs) > 1 else ""
        return f"{'; '.join(haves)}: {needs[-1][1]}{more}"

    @property
    def needs(self) -> list[str]:
        """Every distinct need of the checks this gap left unjudged, the largest last."""
        return [requirement for _, requirement in sorted({(short.weight, short.requirement)
                                                          for short in self.shortfalls})]

    @property
    def fix(self) -> str:
        return fix_of(self.name)

    @property
    def suspect(self) -> str:
        """How the observation behind this gap would be the API's failure ("" when it could not be)."""
        return next((short.suspect for short in self.shortfalls if short.suspect), "")

    def line(self) -> str:
        state = "accepted" if self.accepted else "not accepted"
        also = f"; it could also be the API's failure: {self.suspect}" if self.suspect else ""
        return (f"gap {self.name} ({state}, {len(self.checks)} check{'s' * (len(self.checks) != 1)} not judged): "
                f"{self.reason}; fix: {self.fix}{also}")

    def as_json(self) -> dict:
        return {"name": self.name, "reason": self.reason, "fix": self.fix, "accepted": self.accepted,
                "needs": self.needs, "checks": self.checks, **({"suspect": self.suspect} if self.suspect else {})}


class GapBook:
    """Every check the run could not judge for data or settings, by gap."""

    def __init__(self, accepted: frozenset[str] = frozenset()):
        self.accepted = accepted
        self._gaps: dict[str, Gap] = {}

    def add(self, check: str, shortfalls: list[Shortfall]) -> None:
        for shortfall in shortfalls:
            gap = self._gaps.setdefault(shortfall.gap, Gap(shortfall.gap, shortfall.gap in self.accepted))
            gap.shortfalls.append(shortfall)
            gap.accepted = gap.accepted and not shortfall.suspect  # what may be a bug is not the data's to accept
            if check not in gap.checks:
                gap.checks.append(check)

    @property
    def gaps(self) -> list[Gap]:
        return sorted(self._gaps.values(), key=lambda gap: GAP_NAMES.index(gap.name))

    @property
    def unaccepted(self) -> list[Gap]:
        return [gap for gap in self.gaps if not gap.accepted]


def readiness_lines(readiness: Readiness | None, sizes: list[int], judgeable: int, selected: int,
                    statuses: tuple[str, ...] = ()) -> list[str]:
    """The readiness block: what the data allows, then how many checks it lets the suite judge."""
    if readiness is None:
        return []
    if readiness.main is None:
        main = f"BCTRL_RUNTIME_ID could not be walked ({readiness.problem}): its checks judge it themselves"
    else:
        data = readiness.main
        main = data.describe(statuses=statuses or sorted(data.statuses))
        crossed = [f"{size} {'yes' if data.at_least > size else 'no'}" for size in sizes]
        if crossed:
            main += f"; a walk crosses pages at page size {', '.join(crossed)}"
    others = "; ".join(answer.describe() for answer in (readiness.other, readiness.empty, readiness.second))
    return [f"readiness ({readiness.requests} requests, walks up to BCTRL_MAX_WALK_RUNS={readiness.walk_bound}): "
            f"{main}; {others}",
            f"{judgeable} of {selected} checks can be judged with this data"]


def readiness_json(readiness: Readiness | None, judgeable: int, selected: int) -> dict:
    if readiness is None:
        return {}
    data = readiness.main
    return {
        "requests": readiness.requests,
        "walkBound": readiness.walk_bound,
        "runs": None if data is None else {"seen": data.runs, "complete": data.complete,
                                           "byStatus": dict(data.statuses)},
        "problem": readiness.problem,
        "runtimes": {answer.setting: answer.describe() for answer in (readiness.other, readiness.empty,
                                                                     readiness.second)},
        "judgeable": judgeable,
        "selected": selected,
    }
