"""Reports: each test's outcome and rule, tool errors kept apart from contract failures, the summary, the exit
status, and a last pass that keeps the key out of every report file."""

from __future__ import annotations

import pytest

from ..harness.redaction import redact
from ..readiness.gaps import readiness_json, verdict as gaps_verdict
from ..outcomes import NOT_JUDGED as TOOL_ERROR, BudgetExhausted, DataGap, ToolError
from .readiness import readiness_report
from .record import TestResult
from .state import REPORTS, STATE, RunState, area
from .summary import write_summary
from ..harness.exchange import sender


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = item.config.stash.get(STATE, None)
    if state is not None:
        sender.set(item.nodeid)
        state.requests_at_test_start = state.record.requests


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    state = item.config.stash.get(STATE, None)
    if state is None:
        return report
    tool_error = _tool_error(call.excinfo.value) if call.excinfo is not None else None
    if tool_error is not None:
        # A JUnit "error", not a "failure": pytest files failures outside the call phase as errors.
        report.when = "setup"
        report.longrepr = f"TOOL ERROR (the API was not judged): {tool_error}"
        state.tool_errors.append(str(tool_error))
        if isinstance(tool_error, BudgetExhausted):
            item.session.shouldstop = str(tool_error)
    elif report.failed and report.when == "call":
        state.contract_failures += 1
    elif call.excinfo is not None and isinstance(call.excinfo.value, DataGap):
        state.gaps.add(item.nodeid, call.excinfo.value.shortfalls)
    if report.failed:
        report.longrepr = redact(f"Rule: {_rule(item)}\n\n{report.longrepr}")
    elif report.skipped and isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        reason = reason.replace(f"{DataGap.__module__}.{DataGap.__name__}: ", "Not judged: ")
        report.longrepr = (path, line, redact(reason))
    report.sections = [(title, redact(content)) for title, content in report.sections]
    item.stash.setdefault(REPORTS, []).append(report)
    return report


def _tool_error(error: BaseException | None, depth: int = 0) -> ToolError | None:
    """The ToolError behind an exception, looking through exception groups, causes and contexts."""
    if error is None or depth > 8:
        return None
    if isinstance(error, ToolError):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _tool_error(inner, depth + 1)
        if found:
            return found
    return _tool_error(error.__cause__ or error.__context__, depth + 1)


def _rule(item: pytest.Item) -> str:
    """The rule a test enforces: the first paragraph of its docstring (through Hypothesis's wrapper, if any)."""
    function = getattr(item, "function", None)
    inner = getattr(getattr(function, "hypothesis", None), "inner_test", None)  # Schemathesis/Hypothesis tests
    doc = (inner or function).__doc__ if function is not None else None
    return " ".join((doc or item.name).split("\n\n")[0].split())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    yield
    state = item.config.stash.get(STATE, None)
    if state is None:
        return
    reports = item.stash.get(REPORTS, [])
    outcome, detail, duration = _outcome(reports)
    state.record.add_result(TestResult(
        nodeid=item.nodeid, area=area(item), rule=_rule(item), outcome=outcome, duration=round(duration, 3),
        requests=state.record.requests - state.requests_at_test_start, detail=detail,
    ))


def _outcome(reports: list) -> tuple[str, str, float]:
    # Subtest reports (Schemathesis's per-operation ones) are nested in their phase: count each phase once.
    phases: dict[str, float] = {}
    for report in reports:
        phases[report.when] = max(phases.get(report.when, 0.0), report.duration)
    duration = sum(phases.values())
    for report in reports:
        if report.failed:
            return ("failed" if report.when == "call" else "error"), str(report.longrepr), duration
    for report in reports:
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            return "skipped", reason.removeprefix("Skipped: "), duration
    return "passed", "", duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    if not state.contract_failures and (state.tool_errors or state.gaps.unaccepted):
        session.exitstatus = TOOL_ERROR  # a check not judged for data or settings is never green
    if state.server is not None:
        state.server.stop()
    state.record.close()
    state.verdict = _verdict(state, int(session.exitstatus))
    if state.target is not None:
        write_summary(state.record, state.settings.reports_dir, target=state.target.description,
                      profile=state.settings.profile, seed=state.settings.seed, exit_status=int(session.exitstatus),
                      verdict=state.verdict, whole_run=_whole_run(state),
                      readiness=readiness_report(state), gaps=state.gaps.gaps,
                      readiness_data=readiness_json(state.readiness, state.selected - len(state.predicted),
                                                    state.selected))


def _whole_run(state: RunState) -> dict[str, str]:
    """What the whole-run checks stood on: how many runs and answers the run's ledger and log hold."""
    return {"runs": state.ledger.describe(), "answers": state.answers.describe()}


def _verdict(state: RunState, exit_status: int) -> str:
    if state.contract_failures:
        return "the contract is broken"
    if state.tool_errors:
        return "not judged (tool error)"
    if exit_status == 0 or (exit_status == TOOL_ERROR and state.gaps.unaccepted):
        return gaps_verdict(state.gaps)
    if exit_status == TOOL_ERROR:  # a bad setting found once the target was up (pytest.exit)
        return "not judged (tool error)"
    return f"exit status {exit_status}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None or state.target is None:
        return
    record = state.record
    terminalreporter.write_sep("-", "bctrl conformance")
    for line in readiness_report(state):
        terminalreporter.write_line(line)
    for gap in state.gaps.gaps:
        terminalreporter.write_line(("" if gap.accepted else "NOT JUDGED: ") + redact(gap.line()),
                                    red=not gap.accepted, bold=not gap.accepted)
    terminalreporter.write_line(f"target: {state.target.description}; profile: {state.settings.profile}; "
                                f"seed: {state.settings.seed}")
    terminalreporter.write_line(f"requests: {record.requests} ({record.retries} retried); "
                                f"reports: {state.settings.reports_dir}/")
    for line in record.retried:
        terminalreporter.write_line(f"retried: {line}")
    terminalreporter.write_line(f"whole run: {state.ledger.describe()}; {state.answers.describe()}")
    if state.tool_errors:
        terminalreporter.write_line(f"TOOL ERROR: {redact(state.tool_errors[0])}", red=True, bold=True)
    if state.verdict:
        terminalreporter.write_line(f"verdict: {state.verdict}", bold=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Last line of defence: no file under the reports folder keeps the key, whatever wrote it."""
    state = config.stash.get(STATE, None)
    if state is None or not state.settings.reports_dir.is_dir():
        return
    for path in state.settings.reports_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if redact(text) != text:
                path.write_text(redact(text), encoding="utf-8")
