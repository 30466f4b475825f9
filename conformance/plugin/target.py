"""The target feature: the settings (each an environment variable and an option), the connection to the target
(conformance/connection.py: session, contract, target) made once, and the fixtures every check may ask for.

The settings and the connection are made on first use, whichever feature asks first, and kept under this
feature's StashKeys; the embedded server's process is launched at configure time, to start while the checks are
collected (not to list them), the target is opened once they are, and the `pytest_bctrl_target_up` hook tells the
other features it is up.
"""

from __future__ import annotations

import os

import pytest

from ..contract import Contract, load_contract
from ..judge.ledger import Ledger
from ..outcomes import NOT_JUDGED, SettingsError
from ..readiness.needs import Need, empty_runtime, not_judged, other_key, other_tenant, second_runtime
from ..readiness.vocabulary import setting_of as need_setting
from ..settings import SETTINGS, Settings, read_settings
from ..connection import Connection, Target, connection, unknown_runtime_of
from ..transport.answers import AnswerLog
from ..transport.client import ApiClient
from ..transport.concurrency import Overlap
from ..transport.session import PoliteSession
from .markers import is_suite_run

SETTINGS_KEY = pytest.StashKey[Settings]()
CONNECTION = pytest.StashKey[Connection]()
RECORDS = pytest.StashKey[tuple[Ledger, AnswerLog]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bctrl", "bctrl conformance suite (each option overrides its environment variable)")
    for setting in SETTINGS:
        group.addoption(setting.option, dest=setting.dest, default=None, help=f"{setting.help} [{setting.env}]")


def settings_of(config: pytest.Config) -> Settings:
    """The run's settings (options over environment variables); a bad one ends the run with one line."""
    if SETTINGS_KEY not in config.stash:
        try:
            config.stash[SETTINGS_KEY] = read_settings(os.environ, {s.dest: config.getoption(s.dest)
                                                                   for s in SETTINGS})
        except SettingsError as error:
            pytest.exit(f"bad setting: {error}", returncode=NOT_JUDGED)
    return config.stash[SETTINGS_KEY]


def connection_of(config: pytest.Config) -> Connection:
    """The run's connection (session and contract; the target once collection is done), made on first use, with
    the whole-run records listening to its session."""
    if CONNECTION not in config.stash:
        try:
            made = connection(settings_of(config))
        except SettingsError as error:
            pytest.exit(f"bad setting: {error}", returncode=NOT_JUDGED)
        ledger, answers = Ledger(made.contract), AnswerLog()
        made.session.listen(ledger.record)
        made.session.listen(answers.record)
        config.stash[RECORDS] = (ledger, answers)
        config.stash[CONNECTION] = made
    return config.stash[CONNECTION]


def records_of(config: pytest.Config) -> tuple[Ledger, AnswerLog]:
    connection_of(config)
    return config.stash[RECORDS]


def target_of(config: pytest.Config) -> Target | None:
    """The target, once it is up (None before, or in a run that started none)."""
    return config.stash[CONNECTION].target if CONNECTION in config.stash else None


@pytest.hookimpl
def pytest_bctrl_contract(config: pytest.Config) -> Contract:
    return connection_of(config).contract if is_suite_run(config) else load_contract()


def pytest_configure(config: pytest.Config) -> None:
    if is_suite_run(config):
        made = connection_of(config)  # a bad setting or contract stops the run before collection, in one line
        if not config.option.collectonly:
            made.launch()  # the embedded server's process starts while the checks are collected


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if not is_suite_run(config) or config.option.collectonly or not session.items:
        return
    made = connection_of(config)
    try:
        made.open()
    except SettingsError as error:
        pytest.exit(f"bad setting: {error}", returncode=NOT_JUDGED)
    ledger, _ = records_of(config)
    target = made.target
    ledger.know_runtimes(target.base_url, (target.runtime_id, target.empty_runtime_id, target.other_runtime_id))
    config.hook.pytest_bctrl_target_up(config=config, items=session.items)


def pytest_unconfigure(config: pytest.Config) -> None:
    if CONNECTION in config.stash:
        config.stash[CONNECTION].close()


# -- fixtures -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def settings(request) -> Settings:
    return settings_of(request.config)


@pytest.fixture(scope="session")
def contract(request) -> Contract:
    return connection_of(request.config).contract


@pytest.fixture(scope="session")
def target(request) -> Target:
    return connection_of(request.config).target


@pytest.fixture(scope="session")
def http_session(request) -> PoliteSession:
    """The polite, budgeted session all suite traffic goes through (Schemathesis's too)."""
    return connection_of(request.config).session


@pytest.fixture(scope="session")
def run_ledger(request) -> Ledger:
    """Every run the whole run was shown so far, and what changed that cannot (for the whole-run checks)."""
    return records_of(request.config)[0]


@pytest.fixture(scope="session")
def answer_log(request) -> AnswerLog:
    """Every HTTP answer the whole run received so far, retried ones included (for the whole-run checks)."""
    return records_of(request.config)[1]


@pytest.fixture(scope="session")
def api(request) -> ApiClient:
    return connection_of(request.config).api


@pytest.fixture(scope="session")
def overlap(request) -> Overlap:
    """Independent requests in flight at once, BCTRL_CONCURRENCY at most (one after another in the smoke profile)."""
    return connection_of(request.config).overlap


@pytest.fixture(scope="session")
def max_walk_runs(settings: Settings) -> int:
    return settings.max_walk_runs


@pytest.fixture(scope="session")
def unknown_runtime_id(target: Target) -> str:
    """A runtime id that names nothing, shaped like the runtime ids the target uses (target.unknown_runtime_of)."""
    return unknown_runtime_of(target)


def _configured(runtime_id: str | None, contract: Contract, need: Need) -> str:
    """The runtime a need names; when unset, the check is not judged (a gap) with the reason its need generates.
    The check declares the same need, so this only fires for a check run without its declaration."""
    if not runtime_id:
        not_judged(need, contract, f"{need_setting(need)} is not set")
    return runtime_id


@pytest.fixture(scope="session")
def other_runtime_id(target: Target, contract: Contract) -> str:
    return _configured(target.other_runtime_id, contract, other_tenant())


@pytest.fixture(scope="session")
def empty_runtime_id(target: Target, contract: Contract) -> str:
    return _configured(target.empty_runtime_id, contract, empty_runtime())


@pytest.fixture(scope="session")
def second_runtime_id(target: Target, contract: Contract) -> str:
    return _configured(target.second_runtime_id, contract, second_runtime())


@pytest.fixture(scope="session")
def other_api(api: ApiClient, target: Target, contract: Contract) -> ApiClient:
    """The API as the other tenant's key (BCTRL_OTHER_API_KEY) sees it, on its own runtime (BCTRL_OTHER_RUNTIME_ID)."""
    _configured(target.other_api_key, contract, other_key())
    return ApiClient(api.session, target.base_url, target.other_api_key,
                     _configured(target.other_runtime_id, contract, other_tenant()), contract)
