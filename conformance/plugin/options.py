"""Settings in, contract loaded, items marked and chosen by profile, target up (before any test runs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from ..contract import Contract, load_contract
from ..harness.answers import AnswerLog
from ..harness.ledger import Ledger
from ..harness.redaction import register_secret
from ..harness.transport import PoliteSession
from ..outcomes import NOT_JUDGED as TOOL_ERROR, SettingsError
from ..settings import SETTINGS, read_settings
from .record import RunRecord
from .state import STATE, RunState, area, is_suite_run
from .target import external_target, probe, start_embedded


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bctrl", "bctrl conformance suite (each option overrides its environment variable)")
    for setting in SETTINGS:
        group.addoption(setting.option, dest=setting.dest, default=None, help=f"{setting.help} [{setting.env}]")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """`--bctrl-contract PATH` (value after a space) works like `--bctrl-contract=PATH`.

    pytest picks its rootdir and ini file before it loads any installed plugin, so it takes the detached value
    for a test path: an overlay outside the checkout would make that folder the rootdir, lose pytest.ini and
    collect the wrong tests. When a suite option was given that way, run pytest again with the value attached.
    """
    args = list(config.invocation_params.args)
    attached = attach_option_values(args, {setting.option for setting in SETTINGS})
    if attached == args:
        return None
    return pytest.main(attached, plugins=list(config.invocation_params.plugins or ()))


def attach_option_values(args: list[str], options: set[str]) -> list[str]:
    """`[..., "--opt", "value", ...]` -> `[..., "--opt=value", ...]` for each of `options`; "--" ends options."""
    result: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return result + args[index:]
        if arg in options and index + 1 < len(args):
            result.append(f"{arg}={args[index + 1]}")
            index += 2
        else:
            result.append(arg)
            index += 1
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not is_suite_run(config):
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
    contract = _load_contract(settings.contract)
    ledger, answers = Ledger(contract), AnswerLog()
    for listener in (record.on_exchange, ledger.record, answers.record):
        session.listen(listener)
    config.stash[STATE] = RunState(settings, contract, session, record, ledger, answers)


def _load_contract(path: Path) -> Contract:
    try:
        return load_contract(path)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as error:  # OverlayError is a ValueError
        pytest.exit(f"bad setting: BCTRL_CONTRACT {str(path)!r} cannot be used: {error}", returncode=TOOL_ERROR)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    for item in items:
        item.add_marker(area(item))
    if state.settings.profile == "smoke":
        kept = [item for item in items if item.get_closest_marker("smoke") or item.get_closest_marker("whole_run")]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    # The whole-run checks judge what every other test saw: they run last, in every profile (they send nothing).
    items.sort(key=lambda item: item.get_closest_marker("whole_run") is not None)


def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or session.config.option.collectonly or not session.items:
        return
    try:
        if state.settings.embedded:
            state.server, state.target = start_embedded()
        else:
            state.target = external_target(state.settings)
        target = state.target
        state.ledger.know_runtimes(target.base_url, (target.runtime_id, target.empty_runtime_id,
                                                     target.other_runtime_id))
        if not state.settings.embedded:  # its page of the largest size is the readiness probe's first page
            state.first_page = probe(state.session, target, state.contract.limit_max)
    except SettingsError as error:
        pytest.exit(f"bad setting: {error}", returncode=TOOL_ERROR)
    register_secret(state.target.api_key)
