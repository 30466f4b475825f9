"""The readiness feature: the target's data measured once, before the first test (readiness/measure.py); each
selected check's declared needs checked against it before the check runs; the readiness block every report opens
with. A check whose needs are unmet is not run: it is not judged (a DataGap, which the verdict books as a gap)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ..outcomes import NOT_JUDGED, DataGap, ToolError
from ..readiness.data import Readiness
from ..readiness.gaps import readiness_json, readiness_lines
from ..readiness.measure import measure
from ..readiness.needs import Shortfall, needs_of, shortfalls
from ..redaction import redact
from ..transport.exchange import sender
from .target import connection_of, settings_of

READINESS = pytest.StashKey["ReadinessState"]()


@dataclass
class ReadinessState:
    readiness: Readiness
    selected: int  # checks selected to run (after the profile and -k)
    predicted: dict[str, list[Shortfall]] = field(default_factory=dict)  # nodeid -> its unmet needs
    page_sizes: list[int] = field(default_factory=list)  # the page sizes the selected checks' walks must cross

    def lines(self, statuses: tuple[str, ...]) -> list[str]:
        return readiness_lines(self.readiness, self.page_sizes, self.selected - len(self.predicted), self.selected,
                               statuses)

    def as_json(self) -> dict:
        return readiness_json(self.readiness, self.selected - len(self.predicted), self.selected)


def readiness_of(config: pytest.Config) -> ReadinessState | None:
    return config.stash.get(READINESS, None)


@pytest.hookimpl
def pytest_bctrl_target_up(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Measure readiness (its requests logged and judged like any other, sent as `readiness`), then say which
    selected checks its data leaves unjudged. A tool error here means nothing can be judged: the run stops."""
    made = connection_of(config)
    token = sender.set("readiness")
    try:
        target = made.target
        readiness = measure(made.api, walk_bound=settings_of(config).max_walk_runs, other=target.other_runtime_id,
                            empty=target.empty_runtime_id, second=target.second_runtime_id,
                            first_page=made.first_page, other_key=target.other_api_key is not None,
                            in_flight=settings_of(config).concurrency)
    except ToolError as error:  # unavailable target, spent budget
        pytest.exit(f"TOOL ERROR (the API was not judged): readiness: {redact(str(error))}", returncode=NOT_JUDGED)
    finally:
        sender.reset(token)
    contract = made.contract
    state = ReadinessState(readiness, len(items))
    state.predicted = {item.nodeid: found for item in items if (found := shortfalls(item, readiness, contract))}
    state.page_sizes = sorted({getattr(contract, need.crosses) if isinstance(need.crosses, str) else need.crosses
                               for item in items for need in needs_of(item) if need.crosses is not None})
    config.stash[READINESS] = state
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in state.lines(contract.statuses):
            reporter.write_line(f"bctrl {line}")
    config.hook.pytest_bctrl_ready(config=config, items=items)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A check whose declared needs the readiness measure found unmet is not run: it is not judged (a gap). Called
    before pytest's own setup (a plugin's hooks run before the built-in ones), so no fixture sends a request."""
    state = readiness_of(item.config)
    if state is not None and item.nodeid in state.predicted:
        raise DataGap(state.predicted[item.nodeid])
