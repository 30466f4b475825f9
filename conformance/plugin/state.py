"""What the plugin keeps for one run of the suite (settings, contract, session, record, target), and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..contract import ROOT, Contract, load_contract
from ..harness.answers import AnswerLog
from ..harness.ledger import Ledger
from ..harness.transport import PoliteSession
from ..readiness.data import Readiness
from ..readiness.gaps import GapBook
from ..readiness.needs import Shortfall
from ..settings import Settings
from .record import RunRecord
from .target import Target

SUITE_DIR = ROOT / "conformance"
AREAS = ("schema", "pagination", "limit", "filters", "auth", "methods", "fuzz")


@dataclass
class RunState:
    settings: Settings
    contract: Contract
    session: PoliteSession
    record: RunRecord
    ledger: Ledger  # every run seen, for the whole-run checks
    answers: AnswerLog  # every HTTP answer received, retried ones included
    target: Target | None = None
    server: object = None
    tool_errors: list[str] = field(default_factory=list)
    contract_failures: int = 0
    requests_at_test_start: int = 0
    first_page: object = None  # the target probe's answer (a requests.Response), reused by the readiness probe
    readiness: Readiness | None = None  # measured once, before the first test
    predicted: dict[str, list[Shortfall]] = field(default_factory=dict)  # nodeid -> its needs readiness leaves unmet
    page_sizes: list[int] = field(default_factory=list)  # the page sizes the selected checks' walks must cross
    selected: int = 0  # checks selected to run (after the profile and -k)
    gaps: GapBook = field(default_factory=GapBook)  # checks not judged for data or settings, by gap
    verdict: str = ""  # set when the session finishes


STATE = pytest.StashKey[RunState]()
REPORTS = pytest.StashKey[list]()


def contract_of(config: pytest.Config) -> Contract:
    """The run's effective contract, for collection-time parametrization (the `contract` fixture, at run time)."""
    state = config.stash.get(STATE, None)
    return state.contract if state is not None else load_contract()


def is_suite_run(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False


def area(item: pytest.Item) -> str:
    relative = Path(item.path).resolve().relative_to(SUITE_DIR)
    return relative.parts[0] if relative.parts[0] in AREAS else "other"
