"""The suite's pytest plugin: settings in, target up, fixtures out, reports and an honest exit status.

Registered by the root conftest.py. It only acts on runs that collect the suite (`conformance/`), so the
project's own tests (`tests/`) run untouched beside it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from ..contract import ROOT, Contract, load_contract
from ..harness.client import ApiClient
from ..harness.redaction import redact, register_secret
from ..harness.transport import BudgetExhausted, PoliteSession, ToolError
from ..settings import SETTINGS, TOOL_ERROR, Settings, SettingsError, read_settings
from .record import RunRecord, TestResult
from .summary import write_summary
from .target import Target, external_target, probe, start_embedded

SUITE_DIR = ROOT / "conformance"
AREAS = ("schema", "pagination", "limit", "filters", "auth", "fuzz")


@dataclass
class RunState:
    settings: Settings
    contract: Contract
    session: PoliteSession
    record: RunRecord
    target: Target | None = None
    server: object = None
    tool_errors: list[str] = field(default_factory=list)
    contract_failures: int = 0
    requests_at_test_start: int = 0


STATE = pytest.StashKey[RunState]()
REPORTS = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bctrl", "bctrl conformance suite (each option overrides its environment variable)")
    for setting in SETTINGS:
        group.addoption(setting.option, dest=setting.dest, default=None, help=f"{setting.help} [{setting.env}]")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _is_suite_run(config):
        return
    try:
        settings = read_settings(os.environ, {s.dest: config.getoption(s.dest) for s in SETTINGS})
    except SettingsError as error:
        pytest.exit(f"bad setting: {error}", returncode=TOOL_ERROR)
    register_secret(settings.api_key)
    reports = settings.reports_dir
    if config.option.xmlpath is None:
        config.option.xmlpath = str(reports / "junit.xml")
    if getattr(config.option, "htmlpath", None) is None and config.pluginmanager.hasplugin("html"):
        config.option.htmlpath = str(reports / "report.html")
        config.option.self_contained_html = True
    session = PoliteSession(budget=settings.request_budget, rate=settings.rate_limit, timeout=settings.timeout,
                            retries=settings.retries, retry_after_max=settings.retry_after_max)
    record = RunRecord(reports / "requests.ndjson")
    session.on_exchange = record.on_exchange
    config.stash[STATE] = RunState(settings, _load_contract(settings.contract), session, record)


def _load_contract(path: Path) -> Contract:
    try:
        return load_contract(path)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as error:  # OverlayError is a ValueError
        pytest.exit(f"bad setting: BCTRL_CONTRACT {str(path)!r} cannot be used: {error}", returncode=TOOL_ERROR)


def contract_of(config: pytest.Config) -> Contract:
    """The run's effective contract, for collection-time parametrization (the `contract` fixture, at run time)."""
    state = config.stash.get(STATE, None)
    return state.contract if state is not None else load_contract()


def _is_suite_run(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    for item in items:
        item.add_marker(_area(item))
    if state.settings.profile == "smoke":
        kept = [item for item in items if item.get_closest_marker("smoke")]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def _area(item: pytest.Item) -> str:
    relative = Path(item.path).resolve().relative_to(SUITE_DIR)
    return relative.parts[0] if relative.parts[0] in AREAS else "other"


def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or session.config.option.collectonly or not session.items:
        return
    try:
        if state.settings.embedded:
            state.server, state.target = start_embedded()
        else:
            state.target = external_target(state.settings)
            probe(state.session, state.target)
    except SettingsError as error:
        pytest.exit(f"bad setting: {error}", returncode=TOOL_ERROR)
    register_secret(state.target.api_key)


# -- fixtures -------------------------------------------------------------------------------------------------
def _state(request: pytest.FixtureRequest) -> RunState:
    return request.config.stash[STATE]


@pytest.fixture(scope="session")
def settings(request) -> Settings:
    return _state(request).settings


@pytest.fixture(scope="session")
def contract(request) -> Contract:
    return _state(request).contract


@pytest.fixture(scope="session")
def target(request) -> Target:
    return _state(request).target


@pytest.fixture(scope="session")
def http_session(request) -> PoliteSession:
    """The polite, budgeted session all suite traffic goes through (Schemathesis's too)."""
    return _state(request).session


@pytest.fixture(scope="session")
def api(request, target: Target, contract: Contract) -> ApiClient:
    return ApiClient(_state(request).session, target.base_url, target.api_key, target.runtime_id, contract)


@pytest.fixture(scope="session")
def max_walk_runs(settings: Settings) -> int:
    return settings.max_walk_runs


@pytest.fixture
def other_runtime_id(target: Target) -> str:
    if not target.other_runtime_id:
        pytest.skip("needs BCTRL_OTHER_RUNTIME_ID (a runtime of another tenant) to check tenant isolation")
    return target.other_runtime_id


@pytest.fixture
def empty_runtime_id(target: Target) -> str:
    if not target.empty_runtime_id:
        pytest.skip("needs BCTRL_EMPTY_RUNTIME_ID (a runtime of the key with no runs)")
    return target.empty_runtime_id


@pytest.fixture
def second_runtime_id(target: Target) -> str:
    if not target.second_runtime_id:
        pytest.skip("needs BCTRL_SECOND_RUNTIME_ID (another runtime of the key, with runs)")
    return target.second_runtime_id


# -- reports --------------------------------------------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = item.config.stash.get(STATE, None)
    if state is not None:
        state.record.current_test = item.nodeid
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
    if report.failed:
        report.longrepr = redact(f"Rule: {_rule(item)}\n\n{report.longrepr}")
    elif report.skipped and isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
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
        nodeid=item.nodeid, area=_area(item), rule=_rule(item), outcome=outcome, duration=round(duration, 3),
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
    if state.tool_errors and not state.contract_failures:
        session.exitstatus = TOOL_ERROR
    if state.server is not None:
        state.server.stop()
    state.record.close()
    if state.target is not None:
        write_summary(state.record, state.settings.reports_dir, target=state.target.description,
                      profile=state.settings.profile, seed=state.settings.seed, exit_status=int(session.exitstatus),
                      verdict=_verdict(state, int(session.exitstatus)))


def _verdict(state: RunState, exit_status: int) -> str:
    if state.contract_failures:
        return "the contract is broken"
    if state.tool_errors:
        return "not judged (tool error)"
    return "conforms" if exit_status == 0 else f"exit status {exit_status}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None or state.target is None:
        return
    record = state.record
    terminalreporter.write_sep("-", "bctrl conformance")
    terminalreporter.write_line(f"target: {state.target.description}; profile: {state.settings.profile}; "
                                f"seed: {state.settings.seed}")
    terminalreporter.write_line(f"requests: {record.requests} ({record.retries} retried); "
                                f"reports: {state.settings.reports_dir}/")
    for line in record.retried:
        terminalreporter.write_line(f"retried: {line}")
    if state.tool_errors:
        terminalreporter.write_line(f"TOOL ERROR: {redact(state.tool_errors[0])}", red=True, bold=True)


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
