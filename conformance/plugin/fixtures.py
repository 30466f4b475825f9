"""The fixtures every check may ask for: settings, contract, target, the polite session, the API client."""

from __future__ import annotations

import pytest

from ..contract import Contract
from ..harness.answers import AnswerLog
from ..harness.client import ApiClient
from ..harness.ledger import Ledger
from ..harness.transport import PoliteSession
from ..harness.walk import Walk, walk_runs
from ..readiness.needs import Need, empty_runtime, not_judged, other_tenant, second_runtime
from ..readiness.vocabulary import setting_of as need_setting
from ..representation import unknown_like
from ..settings import Settings
from .state import STATE, RunState
from .target import Target


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
def run_ledger(request) -> Ledger:
    """Every run the whole run was shown so far, and what changed that cannot (for the whole-run checks)."""
    return _state(request).ledger


@pytest.fixture(scope="session")
def answer_log(request) -> AnswerLog:
    """Every HTTP answer the whole run received so far, retried ones included (for the whole-run checks)."""
    return _state(request).answers


@pytest.fixture(scope="session")
def api(request, target: Target, contract: Contract) -> ApiClient:
    return ApiClient(_state(request).session, target.base_url, target.api_key, target.runtime_id, contract)


@pytest.fixture(scope="session")
def max_walk_runs(settings: Settings) -> int:
    return settings.max_walk_runs


@pytest.fixture(scope="session")
def newest_walk(api: ApiClient, contract: Contract, max_walk_runs: int) -> Walk:
    """The key's runtime walked once, at the largest page size up to the walk bound: the run's own view of which
    runs exist, shared by the checks that only need one from before they start (a run it lists stays a run of
    this runtime for ever; a run that started since is newer than its head). Checks that compare two walks of
    changing data make their own."""
    return walk_runs(api, limit=contract.limit_max, max_runs=max_walk_runs)


@pytest.fixture(scope="session")
def unknown_runtime_id(target: Target) -> str:
    """A runtime id that names nothing, shaped like the runtime ids the target uses (another tenant's, else the
    key's): a server that checks an id's shape before looking it up must still answer it as an unknown runtime."""
    known = {target.runtime_id, target.other_runtime_id, target.empty_runtime_id, target.second_runtime_id}
    return unknown_like(target.other_runtime_id or target.runtime_id, avoid=known - {None})


def _configured(runtime_id: str | None, contract: Contract, need: Need) -> str:
    """The runtime a need names; when unset, the check is not judged (a gap) with the reason its need generates.
    The check declares the same need, so this only fires for a check run without its declaration."""
    if not runtime_id:
        not_judged(need, contract, f"{need_setting(need)} is not set")
    return runtime_id


@pytest.fixture
def other_runtime_id(target: Target, contract: Contract) -> str:
    return _configured(target.other_runtime_id, contract, other_tenant())


@pytest.fixture
def empty_runtime_id(target: Target, contract: Contract) -> str:
    return _configured(target.empty_runtime_id, contract, empty_runtime())


@pytest.fixture
def second_runtime_id(target: Target, contract: Contract) -> str:
    return _configured(target.second_runtime_id, contract, second_runtime())
