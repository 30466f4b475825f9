"""What discovery reports: for each line of the overlay, what the contract says and what the target did (a
Finding); and, apart, what no contract may allow (violations: outcomes.Forbidden), never written into an overlay.

Outcomes: `agrees` (the target does what the contract says), `differs` (another legitimate choice: written to the
overlay), `decide` (the target is lenient where the contract is strict, a choice the overlay has a line for but
that is the API team's decision, not a fact: written, and listed for a person to confirm), `not shown` (the data
cannot tell: the contract's line is kept), `review` (the target differs in a way the overlay has no line for, or
the data cannot pin down: kept, and listed for a person to decide), `not probed` (discovery cannot probe it with a
few GETs: the contract's line is kept, and says what it allows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contract.choices import CHOICES
from ..outcomes import Forbidden
from ..transport.exchange import Exchange

AGREES, DIFFERS, DECIDE, NOT_SHOWN, REVIEW, NOT_PROBED = (
    "agrees", "differs", "decide", "not shown", "review", "not probed")
WRITTEN = (DIFFERS, DECIDE)  # the outcomes whose line is written to the overlay


@dataclass
class Finding:
    line: str  # the overlay line it settles: its key in the registry (conformance/contract/choices.py)
    contract: str  # what the contract in force says
    target: str  # what the target did
    outcome: str
    evidence: list[Exchange] = field(default_factory=list)
    change: tuple[str, object] | None = None  # (line, value) written to the overlay when it differs

    @property
    def point(self) -> str:
        """The line as the report names it."""
        return CHOICES[self.line].point if self.line in CHOICES else self.line


@dataclass
class Discovery:
    findings: list[Finding]
    violations: list[Forbidden]

    @property
    def changes(self) -> dict[str, object]:
        return dict(finding.change for finding in self.findings if finding.change is not None)

    @property
    def unsettled(self) -> list[Finding]:
        """The lines discovery could not settle: for review, not shown by the data, or not probed."""
        return [finding for finding in self.findings if finding.outcome in (REVIEW, NOT_SHOWN, NOT_PROBED)]

    def by_outcome(self, outcome: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.outcome == outcome]


def said(value: object) -> str:
    """A line's value as the reports write it."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, (set, frozenset)):
        return " or ".join(sorted(map(str, value)))
    if isinstance(value, (list, tuple)):
        return " or ".join(map(str, value))
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())
    return f"{value:g}" if isinstance(value, float) else str(value)
