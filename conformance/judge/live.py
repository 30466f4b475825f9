"""What may be compared across requests while the data changes under the suite.

Assumptions (true of the contract, and of a live bctrl runtime): new runs appear at the head (a createdAt no
earlier than any run already listed); a run's id, createdAt and order key never change; a run leaves the running
status once, for a terminal one, and keeps it. Everything else may change between two requests, so nothing else
is compared. Two more are the overlay's (x-bctrl-contract.liveData): a read may lag behind the newest data by up to
readLagSeconds (it may not list the newest runs yet, nor show that a run ended), and where oldestRunsMayBeDeleted,
the oldest runs may vanish for good.
"""

from __future__ import annotations

from fractions import Fraction

from ..contract import Contract
from ..representation import instant, server_time
from ..transport.exchange import Exchange
from .walk import Walk


def covers(walk: Walk, run: dict, contract: Contract) -> bool:
    """True if `run` lies in the part of the list the walk saw: all of it, or down to its last run."""
    if walk.complete:
        return True
    if not walk.runs:
        return False
    return contract.order.key(run) <= contract.order.key(walk.runs[-1])


def missed_runs(earlier: Walk, later: Walk, contract: Contract) -> list[dict]:
    """Runs seen by `earlier` that `later` should have seen (it covers their place) but did not. Not counted: runs
    newer than everything `later` listed, where a read may lag (it does not see them yet); runs older than
    everything it listed, where the oldest runs may be deleted (they are gone)."""
    seen, key = set(later.ids), contract.order.key
    head, tail = (key(later.runs[0]), key(later.runs[-1])) if later.runs else (None, None)

    def excused(run: dict) -> bool:
        if head is None:
            return False
        newest = contract.read_lag_seconds > 0 and key(run) < head
        oldest = contract.oldest_runs_may_be_deleted and tail < key(run)
        return newest or oldest

    return [run for run in earlier.runs if run["id"] not in seen and covers(later, run, contract) and not excused(run)]


def unexplained_runs(earlier: Walk, later: Walk, contract: Contract) -> list[dict]:
    """Runs seen by `later` that `earlier` covered but did not see, and that are not new (created before the
    head of `earlier`): a run the earlier walk skipped, or one that should not be in the list at all."""
    if not earlier.runs:
        return []
    seen = set(earlier.ids)
    head = contract.order.key(earlier.runs[0])[:1]
    return [run for run in later.runs
            if run["id"] not in seen and covers(earlier, run, contract) and head < contract.order.key(run)[:1]]


def possible_statuses(run_id: str, before: Walk, after: Walk, contract: Contract,
                      lagging_until: Fraction | None = None) -> set[str] | None:
    """The statuses a run may have shown at any moment between the two walks; None when unknown (a new run).
    `lagging_until`: where reads may lag, the instant (server time) before which a run's end shows in every read;
    a run that ended later may still show as running (None: any may)."""
    seen_before = before.by_id().get(run_id)
    if seen_before is None:
        return None
    if seen_before["status"] != contract.running_status:
        ended = instant(seen_before.get("finishedAt"))
        if contract.read_lag_seconds > 0 and (lagging_until is None or ended is None
                                              or ended.value >= lagging_until):
            return {seen_before["status"], contract.running_status}  # a lagging read may not show its end yet
        return {seen_before["status"]}  # terminal: it stays so
    seen_after = after.by_id().get(run_id)
    if seen_after is None:
        return set(contract.statuses)
    return {contract.running_status, seen_after["status"]}


def lagging_until(pages: list[Exchange], contract: Contract) -> Fraction | None:
    """The instant (by the server's clock, its Date header) before which a run's end shows in any of these reads,
    however far behind they lag (readLagSeconds, and one second of Date's resolution); None when unknown."""
    times = [server_time(page.headers.get("Date")) for page in pages]
    if not times or None in times:
        return None
    return min(times) - Fraction(contract.read_lag_seconds) - 1


def out_of_order(walk: Walk, contract: Contract) -> tuple[int, dict, dict] | None:
    """The first place where the walk breaks the contract's order (ties included), or None."""
    key = contract.order.key
    for index in range(1, len(walk.runs)):
        previous, current = walk.runs[index - 1], walk.runs[index]
        if not key(previous) < key(current) and not (contract.order.tie_by is None and key(previous) == key(current)):
            return index, previous, current
    return None


def duplicates(walk: Walk) -> list[str]:
    seen, repeated = set(), []
    for run_id in walk.ids:
        if run_id in seen:
            repeated.append(run_id)
        seen.add(run_id)
    return repeated
