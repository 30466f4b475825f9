"""The verdict feature: every check's outcome sorted into a contract failure (the API's), a tool error (the
suite's: the API was not judged) or a gap (a check the target's data or settings left unjudged), and from them the
exit status and the verdict's words (outcomes.py). A run with a tool error or an unaccepted gap is never green."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ..outcomes import (
    BROKEN, CONFORMS, NOT_JUDGED, VERDICTS, BudgetExhausted, ContractViolation, DataGap, Decision, exit_status,
    tool_error_in, verdict,
)
from ..readiness.gaps import GapBook
from .markers import is_suite_run
from .target import settings_of

TALLY = pytest.StashKey["Tally"]()


@dataclass
class Tally:
    gaps: GapBook
    failures: int = 0
    failed: dict[str, Decision | None] = field(default_factory=dict)  # check -> the line that settles it (None: none)
    tool_errors: list[str] = field(default_factory=list)
    verdict: str = ""  # set when the session finishes
    status: int = NOT_JUDGED  # the run's exit status, set when the session finishes

    def finish(self, pytest_status: int) -> int:
        """The run's exit status; sets the verdict."""
        unaccepted = [gap.name for gap in self.gaps.unaccepted]
        status = exit_status(failures=self.failures, tool_errors=len(self.tool_errors), unaccepted_gaps=unaccepted,
                             pytest_status=pytest_status)
        if status in (CONFORMS, BROKEN) or self.tool_errors or unaccepted:
            self.verdict = verdict(failures=self.failures, tool_errors=len(self.tool_errors),
                                   unaccepted_gaps=unaccepted,
                                   accepted_gaps=[gap.name for gap in self.gaps.gaps if gap.accepted])
        else:  # pytest ended it otherwise: pytest.exit (a bad setting found once the target was up), no tests, ...
            self.verdict = VERDICTS[NOT_JUDGED] if status == NOT_JUDGED else f"exit status {status}"
        self.status = status
        return status


def tally_of(config: pytest.Config) -> Tally | None:
    if TALLY not in config.stash and is_suite_run(config):
        config.stash[TALLY] = Tally(GapBook(settings_of(config).accept_gaps))
    return config.stash.get(TALLY, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    tally = tally_of(item.config)
    if tally is None:
        return report
    error = call.excinfo.value if call.excinfo is not None else None
    tool_error = tool_error_in(error)
    if tool_error is not None:
        tally.tool_errors.append(str(tool_error))
        if isinstance(tool_error, BudgetExhausted):
            item.session.shouldstop = str(tool_error)
    elif isinstance(error, DataGap):
        tally.gaps.add(item.nodeid, error.shortfalls)
    elif report.failed and (call.when == "call" or isinstance(error, ContractViolation)):
        tally.failures += 1  # (a violation met setting a check up, in the run's shared walk say, is the API's too)
        decision = getattr(error, "decision", None)  # one failure no line settles makes the check a bug
        tally.failed[item.nodeid] = decision if tally.failed.get(item.nodeid, decision) == decision else None
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    tally = tally_of(session.config)
    if tally is not None:
        session.exitstatus = tally.finish(int(exitstatus))
