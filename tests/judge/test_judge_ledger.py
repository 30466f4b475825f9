"""ledger.py: the whole-run ledger of runs, on hand-made round trips (no server)."""
from __future__ import annotations

import json

from conformance.contract import load_contract
from conformance.judge.ledger import Ledger, report
from conformance.representation import instant, same_time
from conformance.transport.exchange import Exchange

CONTRACT = load_contract()
BASE = "http://127.0.0.1:1/api"
MAIN, EMPTY = "rt-main", "rt-empty"
RUN = "00000000-0000-4000-8000-000000000001"


def run(created="2026-03-01T10:15:00.000Z", started="2026-03-01T10:15:02.000Z", status="active", finished=None,
        run_id=RUN) -> dict:
    return {"id": run_id, "createdAt": created, "startedAt": started, "status": status, "finishedAt": finished}


ENDED = run(status="stopped", finished="2026-03-01T10:20:00.000Z")


def trip(*runs: dict, at: float, runtime: str = MAIN, path: str | None = None, status: int = 200,
         duration: float = 0.01) -> Exchange:
    """A GET of one page of `runs`, sent at `at` (monotonic) and answered `duration` later."""
    url = BASE + (path or f"/v2/runtimes/{runtime}/runs") + "?limit=7"
    body = json.dumps({"data": list(runs), "nextCursor": None})
    return Exchange("GET", url, {"Authorization": "Bearer k"}, status, {"Content-Type": "application/json"}, body,
                    sent=at, received=at + duration, wall=1_800_000_000 + at, test="conformance/x/test_x.py::test_x")


def ledger_of(*trips: Exchange) -> Ledger:
    ledger = Ledger(CONTRACT)
    ledger.know_runtimes(BASE, [MAIN, EMPTY, None])
    for exchange in trips:
        ledger.record(exchange)
    assert not ledger.errors
    return ledger


def whats(ledger: Ledger) -> list[str]:
    return [f"{violation.rule}: {violation.what}" for violation in ledger.changes]


def test_the_same_instant_in_another_offset_or_precision_is_the_same_time():
    """Offsets and precisions differ, the instant does not: equal at the coarser of the two precisions."""
    assert same_time("2026-03-01T10:15:00.123Z", "2026-03-01T11:15:00.123+01:00")
    assert same_time("2026-03-01T10:15:00.1234Z", "2026-03-01T10:15:00.123Z")
    assert same_time("2026-03-01T10:15:00.1236Z", "2026-03-01T10:15:00.124Z")  # rounded rather than truncated
    assert same_time("2026-03-01T10:15:00Z", "2026-03-01T10:15:00.999z")
    assert not same_time("2026-03-01T10:15:00.123Z", "2026-03-01T10:15:00.125Z")
    assert not same_time("2026-03-01T10:15:00.123Z", "2026-03-01T10:15:00.123+01:00")
    assert instant("2026-03-01 10:15:00Z") is None and instant(1772360100000) is None


def test_a_run_seen_the_same_every_time_is_no_violation():
    """Many sightings of one run, in other offsets and precisions, under one runtime: nothing to report."""
    same = run(created="2026-03-01T11:15:00.000000+01:00")
    ledger = ledger_of(trip(run(), at=1), trip(same, at=2), trip(run(), at=3))
    assert ledger.changes == [] and ledger.repeated_runs == 1 and ledger.sightings == 3


def test_a_run_that_ends_while_the_suite_runs_is_no_violation():
    """active with finishedAt null, then stopped with finishedAt set: the one change the lifecycle allows."""
    assert ledger_of(trip(run(), at=1), trip(ENDED, at=2), trip(ENDED, at=3)).changes == []


def test_created_at_or_started_at_changing_is_a_violation_naming_both_sightings():
    """A createdAt an hour off is reported once per run, with both values, tests, times and curl commands."""
    moved = run(created="2026-03-01T11:15:00.000Z", started="2026-03-01T11:15:02.000Z")
    ledger = ledger_of(trip(run(), at=1), trip(moved, at=2), trip(moved, at=3))
    assert whats(ledger) == ["run.immutable: createdAt changed", "run.immutable: startedAt changed"]
    lines = report(ledger.changes, limit=5)
    assert lines[0] == f"run {RUN} (run.immutable): createdAt changed; startedAt changed"
    assert lines[1].startswith('    first: createdAt "2026-03-01T10:15:00.000Z", startedAt "2026-03-01T10:15:02.000Z" in')
    assert lines[3].startswith('    later: createdAt "2026-03-01T11:15:00.000Z", startedAt "2026-03-01T11:15:02.000Z" in')
    text = "\n".join(lines)
    assert "conformance/x/test_x.py::test_x at 2027-01-15T08:00:01.000Z" in text
    assert "curl -sS -i -H 'Authorization: Bearer k' 'http://127.0.0.1:1/api/v2/runtimes/rt-main/runs?limit=7'" in text
    assert ledger.change_count == 2 + 0  # the third sighting agrees with a value already reported


def test_finished_at_changing_once_set_is_a_violation_in_either_order():
    """Two different finishedAt instants: wrong whichever came first."""
    later = run(status="stopped", finished="2026-03-01T10:21:00.000Z")
    assert whats(ledger_of(trip(ENDED, at=1), trip(later, at=2))) == ["run.immutable: finishedAt changed once set"]


def test_a_run_seen_ended_then_running_again_is_a_violation():
    """stopped with finishedAt, then active with finishedAt null, in a request sent longer than the read lag
    (liveData.readLagSeconds) after."""
    later = 2 + CONTRACT.read_lag_seconds
    assert whats(ledger_of(trip(ENDED, at=1), trip(run(), at=later))) == [
        "run.immutable: finishedAt was set, then null again",
        "run.immutable: it was 'stopped', then 'active' again (a terminal status is final)",
    ]


def test_a_read_within_the_read_lag_may_not_show_the_end_yet():
    """A read sent within readLagSeconds of one that showed the run ended may still show it running (a replica)."""
    assert ledger_of(trip(ENDED, at=1), trip(run(), at=1 + CONTRACT.read_lag_seconds / 2)).changes == []


def test_two_terminal_statuses_are_a_violation():
    """stopped, then failed (same finishedAt): a terminal status is final."""
    failed = dict(ENDED, status="failed")
    assert whats(ledger_of(trip(ENDED, at=1), trip(failed, at=2))) == ["run.immutable: its terminal status changed"]


def test_overlapping_requests_are_not_ordered():
    """An answer showing the run ended and one showing it running, from overlapping requests: not judged."""
    assert ledger_of(trip(ENDED, at=1, duration=1), trip(run(), at=1.5)).changes == []


def test_a_run_listed_under_two_runtimes_is_a_violation():
    """The same run id under the main and the empty runtime."""
    ledger = ledger_of(trip(run(), at=1), trip(run(), at=2, runtime=EMPTY))
    assert whats(ledger) == ["run.one-runtime: it is listed under two runtimes"]
    assert (ledger.changes[0].first_value, ledger.changes[0].later_value) == (MAIN, EMPTY)


def test_only_an_exact_known_runtime_path_attributes_a_run():
    """Another spelling of the path (upper case, trailing slash, an unknown id) is compared, not attributed."""
    ledger = ledger_of(trip(run(), at=1), trip(run(), at=2, path=f"/v2/runtimes/{MAIN.upper()}/runs"),
                       trip(run(), at=3, path=f"/v2/runtimes/{EMPTY}/runs/"), trip(run(), at=4, runtime="rt-other"))
    assert ledger.changes == [] and ledger.sightings == 4


def test_runs_that_break_the_schema_and_answers_that_are_not_pages_are_not_recorded():
    """Other checks report those: the ledger compares only runs it can read."""
    epoch = dict(run(), createdAt=1772360100000)
    no_id = {key: value for key, value in run().items() if key != "id"}
    error = trip(run(created="2026-03-01T11:15:00.000Z"), at=2, status=404)
    ledger = ledger_of(trip(run(), at=1), error, trip(epoch, no_id, "text", at=3))
    assert ledger.changes == [] and ledger.sightings == 1 and ledger.pages == 2


def test_recording_never_raises():
    """A broken round trip is counted in errors, not raised into the test that sent it."""
    ledger = Ledger(CONTRACT)
    ledger.record(object())  # type: ignore[arg-type]
    assert len(ledger.errors) == 1
