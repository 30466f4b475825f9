"""The whole-run ledger: every run the suite is shown, by any test (the fuzzer's answers included), recorded, and
every later sighting compared with what cannot change.

What cannot change, whatever else happens to the data while the suite runs: a run's id, createdAt and startedAt;
its finishedAt once set (never another instant, never null again); its status once terminal (anything but the
contract's running status); the runtime it is listed under. Timestamps compare as instants: another offset or
precision is the same value (equal to within one unit of the coarser precision of the two texts). A change that
needs an order (set, then null; terminal, then running) is judged only between requests that did not overlap and,
where reads may lag (x-bctrl-contract.liveData.readLagSeconds), were further apart than that lag.

Only 200 answers with a page body are recorded, and only runs that match the contract's schema: other checks
report the rest. Recording never raises: what it cannot read is counted in `errors`, for the check to report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import quote, urlsplit

from ..contract import RUNS_PATH, Contract
from ..representation import instant, same_time
from ..transport.exchange import Exchange

TIMESTAMPS = ("createdAt", "startedAt")  # never change
FINISHED = "finishedAt"  # never changes once set


@dataclass(frozen=True)
class Sighting:
    """One run as one answer showed it."""

    run_id: str
    fields: dict  # createdAt, startedAt, finishedAt, status, as sent
    runtime: str | None  # the runtime the request named, when it named exactly one the suite knows
    exchange: Exchange  # the answer that showed it


@dataclass(frozen=True)
class Change:
    """A run changed what cannot change, between two sightings."""

    rule: str  # run.immutable or run.one-runtime
    run_id: str
    name: str  # what was compared: createdAt, startedAt, finishedAt, status or runtime
    what: str  # "createdAt changed", "it was 'stopped', then 'active' again (...)", ...
    first: Sighting
    later: Sighting
    first_value: object
    later_value: object


def report(changes: list[Change], limit: int) -> list[str]:
    """The changes, one block per run and pair of sightings (the fields that changed between them, both values,
    where and when each was seen, a curl command for each), the first `limit` blocks."""
    blocks: dict[tuple, list[Change]] = {}
    for change in changes:
        blocks.setdefault((change.run_id, id(change.first.exchange), id(change.later.exchange)),
                          []).append(change)
    lines = []
    for group in list(blocks.values())[:limit]:
        first, later = group[0].first, group[0].later
        rules = sorted({change.rule for change in group})
        lines += [f"run {group[0].run_id} ({', '.join(rules)}): {'; '.join(v.what for v in group)}",
                  f"    first: {_values(group, 'first')} in {first.exchange.where()}",
                  f"           {first.exchange.curl()}",
                  f"    later: {_values(group, 'later')} in {later.exchange.where()}",
                  f"           {later.exchange.curl()}"]
    if len(blocks) > limit:
        lines.append(f"... and {len(blocks) - limit} more")
    return lines


def _values(group: list[Change], which: str) -> str:
    return ", ".join(f"{change.name} {json.dumps(getattr(change, which + '_value'))}" for change in group)


@dataclass
class _History:
    """What the ledger remembers of one run: the first sighting of each distinct value, and the ones that order."""

    times: dict[str, list[Sighting]] = field(default_factory=lambda: {name: [] for name in TIMESTAMPS})
    finished: list[Sighting] = field(default_factory=list)  # first sighting of each distinct finishedAt instant
    terminal: Sighting | None = None  # the first sighting in a terminal status
    runtimes: dict[str, Sighting] = field(default_factory=dict)
    sightings: int = 0
    reported: set[str] = field(default_factory=set)  # kinds of change already listed for this run


class Ledger:
    """Every run the suite was shown during the run, and every change of what cannot change, as recorded."""

    def __init__(self, contract: Contract):
        self.running_status = contract.rules.get("runningStatus")  # None: no lifecycle stated, statuses not judged
        self.read_lag = contract.read_lag_seconds  # a read may show the data as it was this long ago
        self._page_validator = contract.body_validator(200)
        self._valid: dict[tuple, bool] = {}
        self._runtime_paths: dict[str, str] = {}
        self.runs: dict[str, _History] = {}
        self.pages = 0
        self.first_read: float | None = None  # when (time.monotonic) the first page recorded was answered
        self.sightings = 0
        self.change_count = 0
        self.changes: list[Change] = []  # the first of each kind per run; change_count counts them all
        self.errors: list[str] = []

    def know_runtimes(self, base_url: str, runtime_ids: Iterable[str | None]) -> None:
        """Runs are attributed to a runtime only when the request's path is exactly the runs path of one of these."""
        prefix = urlsplit(base_url).path.rstrip("/")
        self._runtime_paths = {prefix + RUNS_PATH.replace("{runtimeId}", quote(runtime_id, safe="")): runtime_id
                               for runtime_id in runtime_ids if runtime_id}

    @property
    def repeated_runs(self) -> int:
        """How many runs were seen more than once (what the comparisons stand on)."""
        return sum(history.sightings > 1 for history in self.runs.values())

    def describe(self) -> str:
        return (f"{len(self.runs)} runs seen {self.sightings} times in {self.pages} pages, {self.repeated_runs} of "
                f"them more than once; {self.change_count} violations")

    # -- recording --------------------------------------------------------------------------------------------
    def record(self, exchange: Exchange) -> None:
        """Record the runs of one answer and compare them with every earlier sighting. Never raises."""
        try:
            self._record(exchange)
        except Exception as error:  # a ledger bug must not break the test that sent the request
            self.errors.append(f"{type(error).__name__}: {error}")

    def _record(self, exchange: Exchange) -> None:
        body = exchange.json if exchange.status == 200 else None  # not a page: the checks that judge it say so
        runs = body.get("data") if isinstance(body, dict) else None
        if not isinstance(runs, list):
            return
        self.pages += 1
        if self.first_read is None or exchange.received < self.first_read:
            self.first_read = exchange.received
        runtime = self._runtime_paths.get(urlsplit(exchange.url).path)
        for run in runs:
            if self._comparable(run):
                self._see(Sighting(run["id"], {name: run.get(name) for name in (*TIMESTAMPS, FINISHED, "status")},
                                   runtime, exchange))

    def _comparable(self, run: object) -> bool:
        """A run that matches the contract's run schema (checked once per distinct content)."""
        if not isinstance(run, dict):
            return False
        try:
            key = tuple(run.items())
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._valid:
            return self._valid[key]
        valid = self._page_validator is None or self._page_validator.is_valid({"data": [run], "nextCursor": None})
        valid = valid and isinstance(run.get("id"), str) and all(instant(run.get(name)) for name in TIMESTAMPS) \
            and (run.get(FINISHED) is None or instant(run.get(FINISHED)) is not None)
        if key is not None:
            self._valid[key] = valid
        return valid

    def _see(self, sighting: Sighting) -> None:
        self.sightings += 1
        history = self.runs.setdefault(sighting.run_id, _History())
        history.sightings += 1
        for name in TIMESTAMPS:
            self._same_instant_always(history, sighting, name)
        self._finished_once(history, sighting)
        self._terminal_is_final(history, sighting)
        self._one_runtime(history, sighting)

    def _same_instant_always(self, history: _History, sighting: Sighting, name: str) -> None:
        seen = history.times[name]
        value = sighting.fields[name]
        if any(same_time(earlier.fields[name], value) for earlier in seen):
            return
        if seen:
            self._change(history, "run.immutable", f"{name} changed", seen[0], sighting, name)
        seen.append(sighting)

    def _finished_once(self, history: _History, sighting: Sighting) -> None:
        value = sighting.fields[FINISHED]
        if value is None:
            first = history.finished[0] if history.finished else None
            if first is not None and first.exchange.precedes(sighting.exchange, by=self.read_lag):
                self._change(history, "run.immutable", "finishedAt was set, then null again", first, sighting,
                                FINISHED)
            return
        if any(same_time(earlier.fields[FINISHED], value) for earlier in history.finished):
            return
        if history.finished:
            self._change(history, "run.immutable", "finishedAt changed once set", history.finished[0], sighting,
                            FINISHED)
        history.finished.append(sighting)

    def _terminal_is_final(self, history: _History, sighting: Sighting) -> None:
        status, terminal = sighting.fields["status"], history.terminal
        if self.running_status is None:
            return
        if status != self.running_status:
            if terminal is None:
                history.terminal = sighting
            elif terminal.fields["status"] != status:  # two terminal statuses: wrong in whichever order
                self._change(history, "run.immutable", "its terminal status changed", terminal, sighting, "status")
        elif terminal is not None and terminal.exchange.precedes(sighting.exchange, by=self.read_lag):
            self._change(history, "run.immutable", f"it was {terminal.fields['status']!r}, then "
                            f"{status!r} again (a terminal status is final)", terminal, sighting, "status")

    def _one_runtime(self, history: _History, sighting: Sighting) -> None:
        if sighting.runtime is None or sighting.runtime in history.runtimes:
            return
        if history.runtimes:
            first = next(iter(history.runtimes.values()))
            self._change(history, "run.one-runtime", "it is listed under two runtimes", first, sighting,
                            "runtime")
        history.runtimes[sighting.runtime] = sighting

    def _change(self, history: _History, rule: str, what: str, first: Sighting, later: Sighting,
                   name: str) -> None:
        self.change_count += 1
        if what in history.reported:
            return
        history.reported.add(what)
        values = (first.runtime, later.runtime) if name == "runtime" else (first.fields[name], later.fields[name])
        self.changes.append(Change(rule, first.run_id, name, what, first, later, *values))
