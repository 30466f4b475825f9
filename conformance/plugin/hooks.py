"""The hooks the suite's plugin defines, so its features and the checks need not import one another."""

from __future__ import annotations

import pytest


@pytest.hookspec
def pytest_bctrl_target_up(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The target is up and first contact made, before the first test (the readiness feature measures it)."""


@pytest.hookspec
def pytest_bctrl_ready(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Readiness is measured: the checks its data leaves unjudged are known (the ahead feature sends the others'
    requests)."""


@pytest.hookspec(firstresult=True)
def pytest_bctrl_contract(config: pytest.Config):
    """The run's effective contract, for collection-time parametrization (the `contract` fixture at run time)."""
