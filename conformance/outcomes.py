"""How a run of the suite ends, in one place: the API broke the contract, or the tool could not judge it.

As Schemathesis keeps "the API is wrong" (core/failures.py) apart from "the tool is wrong" (core/errors.py), a
`ContractViolation` is the API's; a `ToolError` (a bad setting, an unreachable target, a spent budget) and a
`DataGap` (a check the target's data or settings leave unjudged) are never read as a broken contract. The exit
codes and the verdict's words are defined here; `pipeline/gate_result.py` keeps a standard-library copy of the
exit codes' words, pinned to these by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pytest

from .redaction import redact

CONFORMS = 0
BROKEN = 1
NOT_JUDGED = 4  # pytest's own USAGE_ERROR: the run did not judge the API. 1 stays "the contract is broken".
VERDICTS = {CONFORMS: "conforms", BROKEN: "the contract is broken", NOT_JUDGED: "not judged (tool error)"}


class _Reproducible(Protocol):
    def curl(self) -> str: ...


@dataclass(frozen=True)
class Decision:
    """One overlay line under which a failure would have passed: a choice the contract leaves to the API team, made
    otherwise by the target than the overlay in force says. The failure stands (the overlay is what the team
    reviewed); the reports group the failures one line would settle, after the ones no line settles."""

    line: str  # the x-bctrl-contract key, dotted: queryGrammar.limitOutsideGrammar
    value: object  # what the line would say: lenient
    reading: str  # what the target did, in one line: "it reads limit='+5' as a size, as a number parser does"

    @property
    def setting(self) -> str:
        """`x-bctrl-contract.<line>: <value>`, as the reports name the decision."""
        return f"x-bctrl-contract.{self.line}: {self.value}"


class ContractViolation(AssertionError):
    """The target answered something the contract forbids: what was expected, what came back, how to reproduce, and
    (`decision`) the overlay line under which it would have passed, where one would."""

    def __init__(self, what: str, *, expected: str, actual: str, exchange: _Reproducible | None = None,
                 decision: Decision | None = None):
        self.what, self.expected, self.actual, self.exchange, self.decision = what, expected, actual, exchange, decision
        lines = [what, f"  expected:  {expected}", f"  actual:    {actual}"]
        if exchange is not None:
            lines.append(f"  reproduce: {exchange.curl()}")
        if decision is not None:
            lines.append(f"  decision:  passes under `{decision.setting}` ({decision.reading}): a choice the "
                         "contract leaves to the API team")
        super().__init__(redact("\n".join(lines)))

    def decided(self, decision: Decision) -> "ContractViolation":
        """The same violation, with the overlay line that would settle it."""
        return ContractViolation(self.what, expected=self.expected, actual=self.actual, exchange=self.exchange,
                                 decision=decision)


def by_decision(failed: dict[str, Decision | None]) -> tuple[list[str], list[tuple[Decision, list[str]]]]:
    """The failed checks (node id -> its decision, None: no overlay line settles it) as the reports list them: the
    ones no line settles (the bugs) first, then each decision with its checks, the most failures first."""
    bugs = [nodeid for nodeid, decision in failed.items() if decision is None]
    groups: dict[tuple[str, str], tuple[Decision, list[str]]] = {}
    for nodeid, decision in failed.items():
        if decision is not None:
            groups.setdefault((decision.line, repr(decision.value)), (decision, []))[1].append(nodeid)
    return bugs, sorted(groups.values(), key=lambda group: -len(group[1]))


@dataclass
class Forbidden:
    """What a target did that no contract may allow, seen outside a check (by discovery): the rule it breaks (an id
    of conformance/contract/rules.py), what was seen, and the exchange that shows it. Never written into an
    overlay; discovery exits BROKEN on one."""

    rule: str
    what: str
    exchange: _Reproducible


class ToolError(Exception):
    """The run could not judge the API (as opposed to the API breaking the contract)."""


class SettingsError(ToolError):
    """A setting is missing or malformed; the message names it."""


class BudgetExhausted(ToolError):
    """The profile's request budget is spent."""


class TargetUnavailable(ToolError):
    """The target did not answer usefully, even after retries."""


class DataGap(pytest.skip.Exception):
    """A check not judged for missing data or a missing setting: a skip that keeps the run from going green.
    `shortfalls` say what is missing (readiness/needs.py)."""

    def __init__(self, shortfalls: list):
        super().__init__("; ".join(shortfall.reason for shortfall in shortfalls))
        self.shortfalls = list(shortfalls)


def tool_error_in(error: BaseException | None, depth: int = 0) -> ToolError | None:
    """The ToolError behind an exception, looking through exception groups, causes and contexts."""
    if error is None or depth > 8:
        return None
    if isinstance(error, ToolError):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = tool_error_in(inner, depth + 1)
        if found:
            return found
    return tool_error_in(error.__cause__ or error.__context__, depth + 1)


def verdict(*, failures: int, tool_errors: int, unaccepted_gaps: list[str], accepted_gaps: list[str]) -> str:
    """The verdict of a finished run, in the words the reports, the gate action and the nightly alert use."""
    if failures:
        return VERDICTS[BROKEN]
    if tool_errors:
        return VERDICTS[NOT_JUDGED]
    if unaccepted_gaps:
        return f"not judged (data gaps: {', '.join(unaccepted_gaps)})"
    if accepted_gaps:
        return f"conforms, with accepted gaps: {', '.join(accepted_gaps)}"
    return VERDICTS[CONFORMS]


def exit_status(*, failures: int, tool_errors: int, unaccepted_gaps: list[str], pytest_status: int) -> int:
    """The run's exit status: BROKEN on any contract failure; else NOT_JUDGED on a tool error or a gap not
    accepted; else what pytest says (0 when every selected check passed or was deselected)."""
    if failures:
        return BROKEN
    if tool_errors or unaccepted_gaps:
        return NOT_JUDGED
    return pytest_status
