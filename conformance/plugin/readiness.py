"""Readiness in the run: measured once before the first test, each selected check's declared needs checked
against it before the check runs, and every check not judged for data or settings booked as a gap."""

from __future__ import annotations

import pytest
import requests

from ..harness.client import ApiClient, to_exchange
from ..harness.exchange import sender
from ..harness.redaction import redact
from ..readiness.gaps import readiness_lines
from ..readiness.needs import needs_of, shortfalls
from ..readiness.probe import measure
from ..outcomes import NOT_JUDGED as TOOL_ERROR, DataGap, ToolError
from .state import STATE, RunState


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the target is up (options.py), before the first test: measure readiness and say what it allows."""
    state = session.config.stash.get(STATE, None)
    if state is None or state.target is None or session.config.option.collectonly or not session.items:
        return
    try:
        measure_readiness(state, session.items, state.first_page)
    except ToolError as error:  # unavailable target, spent budget: nothing can be judged
        state.tool_errors.append(str(error))
        pytest.exit(f"TOOL ERROR (the API was not judged): readiness probe: {redact(str(error))}",
                    returncode=TOOL_ERROR)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in readiness_report(state):
            reporter.write_line(f"bctrl {line}")


def measure_readiness(state: RunState, items: list[pytest.Item], first_page: requests.Response | None) -> None:
    """The readiness probe (its requests are logged and judged like any other, under the name `readiness`), then
    which selected checks its data leaves unjudged."""
    target, contract = state.target, state.contract
    api = ApiClient(state.session, target.base_url, target.api_key, target.runtime_id, contract)
    token = sender.set("readiness")
    page = None
    if first_page is not None:
        page = to_exchange(first_page)
    state.readiness = measure(api, walk_bound=state.settings.max_walk_runs, other=target.other_runtime_id,
                              empty=target.empty_runtime_id, second=target.second_runtime_id, first_page=page)
    sender.reset(token)
    state.gaps.accepted = state.settings.accept_gaps
    state.selected = len(items)
    state.predicted = {item.nodeid: found for item in items
                       if (found := shortfalls(item, state.readiness, contract))}
    state.page_sizes = sorted({getattr(contract, need.crosses) if isinstance(need.crosses, str) else need.crosses
                               for item in items for need in needs_of(item) if need.crosses is not None})


def readiness_report(state: RunState) -> list[str]:
    return readiness_lines(state.readiness, state.page_sizes, state.selected - len(state.predicted), state.selected,
                           state.contract.statuses)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A check whose declared needs the readiness probe found unmet is not run: it is not judged (a gap). Called
    before pytest's own setup (a plugin's hooks run before the built-in ones), so no fixture sends a request."""
    state = item.config.stash.get(STATE, None)
    if state is not None and item.nodeid in state.predicted:
        raise DataGap(state.predicted[item.nodeid])
