"""live.py: churn-safe comparisons of two cursor walks, on hand-made Walk objects."""
from __future__ import annotations

from conformance.contract import load_contract
from conformance.transport.exchange import Exchange
from fractions import Fraction

from conformance.judge.live import covers, duplicates, lagging_until, missed_runs, out_of_order, \
    possible_statuses, unexplained_runs
from conformance.judge.walk import Walk
from conformance.representation import instant

CONTRACT = load_contract()
PAGE = Exchange(method="GET", url="http://127.0.0.1/v2/runtimes/rt/runs", sent_headers={}, status=200,
                headers={"Content-Type": "application/json"}, text='{"data": [], "nextCursor": null}')


def run(number: int, minute: int, status: str = "stopped") -> dict:
    """A run with a recognisable id (…000N) created at 10:MM."""
    return {"id": f"00000000-0000-4000-8000-{number:012d}", "createdAt": f"2026-03-01T10:{minute:02d}:00.000Z",
            "startedAt": f"2026-03-01T10:{minute:02d}:00.000Z", "status": status,
            "finishedAt": None if status == "active" else f"2026-03-01T10:{minute:02d}:30.000Z"}


def walk(*runs: dict, complete: bool = True) -> Walk:
    return Walk(runs=list(runs), pages=[PAGE], complete=complete)


R9, R8, R7, R6, R5 = run(9, 50), run(8, 40), run(7, 30), run(6, 20), run(5, 10)


def test_missed_runs_finds_a_run_the_later_walk_lost():
    """A run the earlier walk listed and a complete later walk does not is missed."""
    assert missed_runs(walk(R9, R8, R7), walk(R9, R7), CONTRACT) == [R8]


def test_missed_runs_ignores_runs_beyond_an_incomplete_later_walk():
    """Runs older than the last run of an incomplete later walk are not expected in it."""
    earlier = walk(R9, R8, R7, R6, R5)
    later = walk(R9, R8, complete=False)
    assert missed_runs(earlier, later, CONTRACT) == []
    assert missed_runs(earlier, walk(R9, R7, complete=False), CONTRACT) == [R8]


def test_missed_runs_excuses_the_newest_under_read_lag_and_the_oldest_under_deletion():
    """A run newer than everything the later walk listed (a lagging read), or older than everything it listed
    (deleted by a retention job), is not missed where the overlay allows it; a run between them is."""
    assert missed_runs(walk(R9, R8, R7), walk(R8), CONTRACT) == []
    strict = CONTRACT.with_line("liveData", {"readLagSeconds": 0, "oldestRunsMayBeDeleted": False})
    assert missed_runs(walk(R9, R8, R7), walk(R8), strict) == [R9, R7]


def test_missed_runs_is_empty_when_nothing_is_lost():
    """Two walks listing the same runs (the later with a new head) miss nothing."""
    assert missed_runs(walk(R8, R7), walk(run(10, 55), R8, R7), CONTRACT) == []


def test_covers_an_empty_incomplete_walk_covers_nothing():
    """An incomplete walk that saw no run covers no place in the list; a complete one covers all."""
    assert not covers(walk(complete=False), R9, CONTRACT)
    assert covers(walk(), R9, CONTRACT)


def test_unexplained_runs_ignores_new_runs_at_the_head():
    """A run created after the earlier walk's head is new, not unexplained."""
    newer = run(10, 55)
    assert unexplained_runs(walk(R9, R8), walk(newer, R9, R8), CONTRACT) == []


def test_unexplained_runs_flags_an_old_run_the_earlier_walk_did_not_list():
    """An old run inside the earlier walk's range that it did not list is unexplained."""
    assert unexplained_runs(walk(R9, R7), walk(R9, R8, R7), CONTRACT) == [R8]


def test_unexplained_runs_ignores_runs_beyond_an_incomplete_earlier_walk():
    """A run older than the last run of an incomplete earlier walk is outside what it covered."""
    assert unexplained_runs(walk(R9, R8, complete=False), walk(R9, R8, R7), CONTRACT) == []
    assert unexplained_runs(walk(), walk(R9), CONTRACT) == []


def test_possible_statuses_of_a_terminal_run_is_that_status():
    """A run terminal in the earlier walk, that ended before any read may lag to, can only show that status."""
    failed = dict(run(7, 30, "failed"), finishedAt="2026-03-01T10:31:00.000Z")
    long_after = instant("2026-03-01T11:00:00Z").value
    assert possible_statuses(failed["id"], walk(failed), walk(failed), CONTRACT, long_after) == {"failed"}


def test_a_run_that_ended_within_the_read_lag_may_still_show_as_running():
    """Where reads may lag, a run whose end is more recent than the lag (or whose time is unknown: no Date header)
    may still show as running in a lagging read."""
    failed = dict(run(7, 30, "failed"), finishedAt="2026-03-01T10:31:00.000Z")
    just_after = instant("2026-03-01T10:30:59Z").value
    for lagging in (just_after, None):
        assert possible_statuses(failed["id"], walk(failed), walk(failed), CONTRACT, lagging) == {"failed", "active"}


def test_lagging_until_is_the_earliest_server_time_less_the_lag_and_a_second():
    """The server's Date on the pages, less readLagSeconds and one second (Date's resolution); None without one."""
    dated = Exchange(method="GET", url=PAGE.url, sent_headers={}, status=200, text=PAGE.text,
                     headers={"date": "Sun, 01 Mar 2026 10:31:00 GMT"})
    expected = instant("2026-03-01T10:31:00Z").value - Fraction(CONTRACT.read_lag_seconds) - 1
    assert lagging_until([dated, dated], CONTRACT) == expected
    assert lagging_until([dated, PAGE], CONTRACT) is None


def test_possible_statuses_of_a_run_running_before_and_after():
    """A run running in both walks was running throughout."""
    active = run(7, 30, "active")
    assert possible_statuses(active["id"], walk(active), walk(active), CONTRACT) == {"active"}


def test_possible_statuses_of_a_run_that_ended_between_the_walks():
    """A run running before and terminal after may have been either."""
    before, after = run(7, 30, "active"), run(7, 30, "stopped")
    assert possible_statuses(before["id"], walk(before), walk(after), CONTRACT) == {"active", "stopped"}


def test_possible_statuses_of_a_running_run_absent_afterwards_is_any_status():
    """A run running before and not seen after may have had any status."""
    active = run(7, 30, "active")
    assert possible_statuses(active["id"], walk(active), walk(), CONTRACT) == {"active", "stopped", "failed"}


def test_possible_statuses_of_an_unknown_run_is_none():
    """A run the earlier walk did not see has unknown statuses (None)."""
    assert possible_statuses(R9["id"], walk(R8), walk(R9, R8), CONTRACT) is None


def test_out_of_order_is_none_for_a_walk_in_contract_order():
    """Runs newest first, ties by id descending, are in order."""
    tie_high, tie_low = run(8, 40), run(3, 40)
    assert out_of_order(walk(R9, tie_high, tie_low, R7), CONTRACT) is None
    assert out_of_order(walk(), CONTRACT) is None


def test_out_of_order_finds_a_tie_broken_the_wrong_way():
    """Two runs sharing createdAt listed with ids ascending are out of order at the second one."""
    tie_low, tie_high = run(3, 40), run(8, 40)
    assert out_of_order(walk(R9, tie_low, tie_high, R7), CONTRACT) == (2, tie_low, tie_high)


def test_out_of_order_finds_an_older_run_before_a_newer_one():
    """A run older than the one after it is out of order."""
    assert out_of_order(walk(R9, R7, R8), CONTRACT) == (2, R7, R8)


def test_out_of_order_flags_the_same_run_twice_in_a_row():
    """With a tie-break, two equal keys in a row (a repeated run) are out of order."""
    assert out_of_order(walk(R9, R8, R8), CONTRACT) == (2, R8, R8)


def test_duplicates_finds_repeats():
    """Every repeat of an id after its first appearance is reported, in walk order."""
    assert duplicates(walk(R9, R8, R9, R7, R8, R9)) == [R9["id"], R8["id"], R9["id"]]
    assert duplicates(walk(R9, R8, R7)) == []
