"""The order in which pytest-xdist hands out the project's test files: longest first."""

from __future__ import annotations

import pytest

# pytest-xdist (`--dist loadfile`) hands whole files to its workers in collection order. These files run the suite
# or a server many times and each holds a worker for half a minute or more (`python -m pytest tests --durations=0`,
# longest first): started first, they end alongside the short files, not after them on one worker while the other
# idles. The order changes no test's outcome, only how long the whole run takes.
LONGEST_FIRST = (
    "suite/test_fault_matrix.py",
    "discover/test_discover_variants.py",
    "suite/test_live_data.py",
    "suite/test_suite_on_correct_servers.py",
    "suite/test_readiness.py",
    "stacks/test_suite_on_real_stacks.py",
    "reference_server/test_refserver_faults.py",
    "pipeline/test_gate_action.py",
    "suite/test_secrets.py",
    "suite/test_decisions.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable: files stay whole
