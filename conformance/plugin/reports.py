"""The reports feature: the request log (every exchange, key redacted), each check's outcome and rule (tool errors
filed as JUnit errors, apart from contract failures), the terminal summary, summary.md and run.json, and a last
pass that keeps the key out of every report file, whatever wrote it."""

from __future__ import annotations

import pytest

from ..outcomes import ContractViolation, DataGap, tool_error_in
from ..redaction import redact, redact_file_text
from ..transport.endings import NoAnswer
from ..transport.exchange import sender
from .markers import area, is_suite_run
from .readiness import readiness_of
from .record import RunRecord, TestResult
from .selection import night_of
from .summary import write_summary
from .target import connection_of, records_of, settings_of, target_of
from .triage import terminal_lines, triage
from .verdict import tally_of

RECORD = pytest.StashKey[RunRecord]()
ITEM_REPORTS = pytest.StashKey[list]()


@pytest.hookimpl(tryfirst=True)  # before junitxml's and pytest-html's own, which read the paths set here
def pytest_configure(config: pytest.Config) -> None:
    if not is_suite_run(config):
        return
    reports = settings_of(config).reports_dir
    if config.option.xmlpath is None:
        config.option.xmlpath = str(reports / "junit.xml")
    if getattr(config.option, "htmlpath", None) is None and config.pluginmanager.hasplugin("html"):
        config.option.htmlpath = str(reports / "report.html")
        config.option.self_contained_html = True
    record = RunRecord(reports / "requests.ndjson")
    connection_of(config).session.listen(record.on_exchange)
    config.stash[RECORD] = record
    sender.set("")  # what is sent before the first check (first contact) is nobody's: "(before the tests)"


def below_the_json(violation: ContractViolation) -> bool:
    """A failure of the wire or the transport (an answer's framing, a connection that ended it, no answer at all):
    reported as its rule, expected, actual and curl alone, without the frames of the code that read the bytes."""
    exchange = violation.exchange
    return isinstance(violation, NoAnswer) or bool(getattr(exchange, "framing", ()) or getattr(exchange, "ended", ""))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """From here on, what the session sends is this check's (the request log, the ledger and the reports say so)."""
    if RECORD in item.config.stash:
        sender.set(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if RECORD not in item.config.stash:
        return report
    tool_error = tool_error_in(call.excinfo.value) if call.excinfo is not None else None
    if tool_error is not None:
        # A JUnit "error", not a "failure": pytest files failures outside the call phase as errors.
        report.when = "setup"
        report.longrepr = f"TOOL ERROR (the API was not judged): {tool_error}"
    violation = call.excinfo.value if call.excinfo is not None else None
    if report.failed and isinstance(violation, ContractViolation) and below_the_json(violation):
        report.longrepr = str(violation)  # what was sent, how the connection ended or the bytes: no Python frames
    if report.failed:
        report.longrepr = redact(f"Rule: {rule_of(item)}\n\n{report.longrepr}")
    elif report.skipped and isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        reason = reason.replace(f"{DataGap.__module__}.{DataGap.__name__}: ", "Not judged: ")
        report.longrepr = (path, line, redact(reason))
    report.sections = [(title, redact(content)) for title, content in report.sections]
    item.stash.setdefault(ITEM_REPORTS, []).append(report)
    return report


def rule_of(item: pytest.Item) -> str:
    """The rule a check enforces: the first paragraph of its docstring (through Hypothesis's wrapper, if any)."""
    function = getattr(item, "function", None)
    inner = getattr(getattr(function, "hypothesis", None), "inner_test", None)  # Schemathesis/Hypothesis tests
    doc = (inner or function).__doc__ if function is not None else None
    return " ".join((doc or item.name).split("\n\n")[0].split())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    yield
    record = item.config.stash.get(RECORD, None)
    if record is None:
        return
    outcome, detail, duration = _outcome(item.stash.get(ITEM_REPORTS, []))
    record.add_result(TestResult(
        nodeid=item.nodeid, area=area(item), rule=rule_of(item), outcome=outcome, duration=round(duration, 3),
        requests=record.by_sender.get(item.nodeid, 0), detail=detail,
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


def _readiness_lines(config: pytest.Config) -> list[str]:
    state = readiness_of(config)
    return state.lines(connection_of(config).contract.statuses) if state is not None else []


def _whole_run(config: pytest.Config) -> dict[str, str]:
    """What the whole-run checks stood on: how many runs and answers the run's ledger and log hold."""
    ledger, answers = records_of(config)
    return {"runs": ledger.describe(), "answers": answers.describe()}


def _sorted_failures(config: pytest.Config) -> dict:
    """The run's failures, bugs apart from the decisions that would settle the rest (triage.py)."""
    tally = tally_of(config)
    return triage(tally.failed if tally is not None else {}, connection_of(config).contract)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    record, target, tally = config.stash.get(RECORD, None), target_of(config), tally_of(config)
    if record is None or target is None or tally is None:
        return
    settings = settings_of(config)
    terminalreporter.write_sep("-", "bctrl conformance")
    for line in _readiness_lines(config):
        terminalreporter.write_line(line)
    night = night_of(config)
    for line in night.lines() if night is not None else []:
        terminalreporter.write_line(line)
    for gap in tally.gaps.gaps:
        terminalreporter.write_line(("" if gap.accepted else "NOT JUDGED: ") + redact(gap.line()),
                                    red=not gap.accepted, bold=not gap.accepted)
    terminalreporter.write_line(f"target: {target.description}; profile: {settings.profile}; seed: {settings.seed}")
    terminalreporter.write_line(f"requests: {record.requests} ({record.retries} retried); "
                                f"reports: {settings.reports_dir}/")
    for line in record.retried:
        terminalreporter.write_line(f"retried: {line}")
    whole = _whole_run(config)
    terminalreporter.write_line(f"whole run: {whole['runs']}; {whole['answers']}")
    for line in terminal_lines(_sorted_failures(config)):
        terminalreporter.write_line(redact(line))
    if tally.tool_errors:
        terminalreporter.write_line(f"TOOL ERROR: {redact(tally.tool_errors[0])}", red=True, bold=True)
    if tally.verdict:
        terminalreporter.write_line(f"verdict: {tally.verdict}", bold=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The summaries, then the last line of defence: no file under the reports folder keeps the key."""
    record = config.stash.get(RECORD, None)
    if record is None:
        return
    record.close()
    settings, target, tally, readiness = settings_of(config), target_of(config), tally_of(config), readiness_of(config)
    if target is not None and tally is not None:
        write_summary(record, settings.reports_dir, target=target.description, profile=settings.profile,
                      seed=settings.seed, exit_status=tally.status, verdict=tally.verdict,
                      whole_run=_whole_run(config), readiness=_readiness_lines(config), gaps=tally.gaps.gaps,
                      readiness_data=readiness.as_json() if readiness is not None else None,
                      failures=_sorted_failures(config),
                      night=night.as_json() if (night := night_of(config)) is not None else None)
    if settings.reports_dir.is_dir():
        for path in settings.reports_dir.rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                if redact(text) != text:  # a key, an encoding or a piece of one, or Schemathesis's masked header
                    path.write_text(redact_file_text(text, path.suffix), encoding="utf-8")


