"""How a run of the suite ends, in one place: the API broke the contract, or the tool could not judge it.

As Schemathesis keeps "the API is wrong" (core/failures.py) apart from "the tool is wrong" (core/errors.py), a
`ContractViolation` is the API's; a `ToolError` (a bad setting, an unreachable target, a spent budget) and a
`DataGap` (a check the target's data or settings leave unjudged) are never read as a broken contract. The exit
codes and the verdict's words are defined here; `pipeline/gate_result.py` keeps a standard-library copy of the
exit codes' words, pinned to these by a test.
"""

from __future__ import annotations

from typing import Protocol

import pytest

from .redaction import redact

CONFORMS = 0
BROKEN = 1
NOT_JUDGED = 4  # pytest's own USAGE_ERROR: the run did not judge the API. 1 stays "the contract is broken".
VERDICTS = {CONFORMS: "conforms", BROKEN: "the contract is broken", NOT_JUDGED: "not judged (tool error)"}


class _Reproducible(Protocol):
    def curl(self) -> str: ...


class ContractViolation(AssertionError):
    """The target answered something the contract forbids: what was expected, what came back, how to reproduce."""

    def __init__(self, what: str, *, expected: str, actual: str, exchange: _Reproducible | None = None):
        lines = [what, f"  expected:  {expected}", f"  actual:    {actual}"]
        if exchange is not None:
            lines.append(f"  reproduce: {exchange.curl()}")
        super().__init__(redact("\n".join(lines)))


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
