"""The database's schema and the deterministic seed every server starts with: two tenants, their runtimes (one
empty, one with tie groups across page boundaries, one with a few runs) and their runs."""
from __future__ import annotations

import random
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .times import UTC, fmt_time

STATUSES = ("active", "stopped", "failed")

SCHEMA = """
CREATE TABLE tenants (id TEXT PRIMARY KEY, api_key TEXT NOT NULL UNIQUE);
CREATE TABLE runtimes (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id));
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    runtime_id TEXT NOT NULL REFERENCES runtimes(id),
    created_at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'stopped', 'failed')),
    finished_at TEXT,
    serial INTEGER,  -- a position number growing with (created_at, id): page-number cursors
    listed_at REAL,  -- wall-clock time churn added the run (NULL: seeded): a lagging replica lists it later
    ended_at REAL  -- wall-clock time churn ended the run: a lagging replica shows it active until then
);
CREATE INDEX runs_page ON runs (runtime_id, created_at DESC, id DESC);
"""

# Tie groups in runtime A-main as (first position, size), positions counted newest first.
# Several straddle the page boundaries of limit 1, 7 and 50.
_A_TIES = [(5, 3), (13, 2), (19, 4), (30, 2), (34, 3), (41, 2), (48, 4),
           (62, 3), (76, 2), (89, 3), (98, 4), (111, 2), (120, 3)]
_B_TIES = [(3, 2), (10, 3)]
A_RUN_COUNT, B_RUN_COUNT = 130, 30
A_STATUS_COUNTS = {"active": 40, "stopped": 50, "failed": 40}
A_BASE = datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
B_BASE = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)
# A-second: another runtime of tenant A with a few runs spread across A-main's time span (a cursor position of
# A-main falls between them), so a cursor taken to the wrong runtime has runs on both sides of it.
A2_RUN_COUNT = 12
A2_BASE = A_BASE - timedelta(minutes=17)
A2_GAP_MINUTES = (25, 45)


@dataclass(frozen=True)
class SeedInfo:
    api_key: str
    runtime_id: str
    empty_runtime_id: str
    other_api_key: str
    other_runtime_id: str
    unknown_runtime_id: str
    second_runtime_id: str  # another runtime of tenant A, with a few runs
    small_runtime_id: str | None = None  # a runtime of tenant A with only a few runs (RunStore(small_runtime_runs=N))


_INSERT_RUN = "INSERT INTO runs (id, runtime_id, created_at, started_at, status, finished_at) VALUES (?, ?, ?, ?, ?, ?)"


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _new_key(rng: random.Random) -> str:
    return f"bctrl_sk_test_{rng.getrandbits(128):032x}"


def _slots(count: int, ties: list[tuple[int, int]]) -> list[int]:
    """Slot number (distinct createdAt) per position; tied positions share one slot."""
    tied_with_previous = {start + k for start, size in ties for k in range(1, size)}
    slots, slot = [], -1
    for pos in range(count):
        if pos not in tied_with_previous:
            slot += 1
        slots.append(slot)
    return slots


def _seed_runs(rng, count, ties, base, statuses, gap_minutes=(1, 6)):
    """Rows (id, created_at, started_at, status, finished_at), newest first."""
    times, t = [], base
    for _ in range(_slots(count, ties)[-1] + 1):
        times.append(t)
        t -= timedelta(minutes=rng.randint(*gap_minutes))
    rows = []
    for pos, slot in enumerate(_slots(count, ties)):
        created = times[slot]
        started = created + timedelta(seconds=rng.randint(1, 9), milliseconds=rng.randint(0, 999))
        status = statuses[pos]
        finished = None
        if status != "active":  # under an hour, so the one-hour time-zone fault always inverts it
            finished = fmt_time(started + timedelta(seconds=rng.randint(5, 3000), milliseconds=rng.randint(0, 999)))
        rows.append((new_uuid(rng), fmt_time(created), fmt_time(started), status, finished))
    return rows


def seed_runs(db: sqlite3.Connection, rng: random.Random, api_key: str | None) -> SeedInfo:
    """Seed the tenants, runtimes and runs every server starts with (the same for the same `rng` seed)."""
    key_a, key_b = _new_key(rng), _new_key(rng)
    key_a = key_a if api_key is None else api_key
    a_main, a_empty, b_main, unknown = (new_uuid(rng) for _ in range(4))
    a_statuses = [s for s, n in A_STATUS_COUNTS.items() for _ in range(n)]
    rng.shuffle(a_statuses)
    b_statuses = [rng.choice(STATUSES) for _ in range(B_RUN_COUNT)]
    a_runs = _seed_runs(rng, A_RUN_COUNT, _A_TIES, A_BASE, a_statuses)
    b_runs = _seed_runs(rng, B_RUN_COUNT, _B_TIES, B_BASE, b_statuses)
    # Drawn after everything above, so adding A-second shifted no earlier id, time or status.
    a_second = new_uuid(rng)
    a2_statuses = [rng.choice(STATUSES) for _ in range(A2_RUN_COUNT)]
    a2_runs = _seed_runs(rng, A2_RUN_COUNT, [], A2_BASE, a2_statuses, A2_GAP_MINUTES)
    with db:
        db.executemany("INSERT INTO tenants VALUES (?, ?)", [("tenant-a", key_a), ("tenant-b", key_b)])
        db.executemany("INSERT INTO runtimes VALUES (?, ?)",
                       [(a_main, "tenant-a"), (a_empty, "tenant-a"), (b_main, "tenant-b"),
                        (a_second, "tenant-a")])
        db.executemany(_INSERT_RUN,
                       [(r[0], a_main, *r[1:]) for r in a_runs] + [(r[0], b_main, *r[1:]) for r in b_runs]
                       + [(r[0], a_second, *r[1:]) for r in a2_runs])
    return SeedInfo(key_a, a_main, a_empty, key_b, b_main, unknown, a_second)


def seed_small_runtime(db: sqlite3.Connection, rng: random.Random, count: int, info: SeedInfo) -> SeedInfo:
    """A runtime of tenant A with `count` runs, none failed (too small a target for the suite to judge fully),
    from its own random stream: the rest of the seed is the same with or without it."""
    small = new_uuid(rng)
    statuses = [("stopped", "active")[index % 2] for index in range(count)]
    rows = _seed_runs(rng, count, [], A2_BASE - timedelta(days=3), statuses)
    with db:
        db.execute("INSERT INTO runtimes VALUES (?, ?)", (small, "tenant-a"))
        db.executemany(_INSERT_RUN, [(r[0], small, *r[1:]) for r in rows])
    return replace(info, small_runtime_id=small)
