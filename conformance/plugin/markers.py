"""The suite's markers, and what a run of the suite is.

The markers are registered in every run of the environment, so a module of the suite imported elsewhere (the
coverage table collects the suite under tests/pytest.ini) keeps its marks under --strict-markers. A run is a run of
the suite when it collects `conformance/`, or when its ini file says `bctrl_suite = true` (the plugin's own tests).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..catalogue import AREAS
from ..contract import ROOT

SUITE_DIR = ROOT / "conformance"
MARKERS = (
    *AREAS.items(),
    ('smoke', 'also runs in the smoke profile (production: read-only, budgeted)'),
    ('other', 'not in a contract area'),
    ('rule(*ids)', 'the contract rules (conformance/contract/rules.py) the check enforces'),
    ('gate_only(reason)', 'never sent to production, not even in the smoke profile (another method, the key in a URL)'),
    ('late', 'redeems what the run handed out early: runs after the other checks, before the whole-run ones'),
    ('redeems_early_cursors', 'redeems the cursors handed out when the run started (conformance/conftest.py)'),
    ('ahead', 'asks only for session fixtures and its parameters: runs ahead of its turn, a few at once, its outcome '
              'reported in its turn (conformance/plugin/ahead.py)'),
    ('needs(*needs)', 'the data the check needs from the target (conformance/readiness/needs.py); unmet, it is '
                      'not judged (a gap)'),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("bctrl_suite", "run the bctrl suite's plugin on the tests of this run", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS:
        config.addinivalue_line("markers", f"{name}: {description}")


def is_suite_run(config: pytest.Config) -> bool:
    if config.getini("bctrl_suite"):
        return True
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False


def area(item: pytest.Item) -> str:
    """The contract area of a check: the folder of conformance/ it lives in."""
    path = Path(item.path).resolve()
    relative = path.relative_to(SUITE_DIR).parts if SUITE_DIR in path.parents else ()
    return relative[0] if relative and relative[0] in AREAS else "other"
