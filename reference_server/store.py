"""SQLite storage: schema, deterministic seed, and the run queries.

One in-memory connection shared by all request threads, guarded by a lock.
"""
from __future__ import annotations

import hashlib
import random
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from .cursor import START, Position

STATUSES = ("active", "stopped", "failed")
UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)
DB_ROUND_TRIP = 0.005  # seconds: a database or service round trip, where the overlap faults have their window

_SCHEMA = """
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


@dataclass(frozen=True)
class Run:
    id: str
    created_at: str
    started_at: str
    status: str
    finished_at: str | None
    # Position number, growing with (createdAt, id) (the page-number cursor style): bookkeeping, not the run's data
    # (another seeded runtime renumbers the runs), so equality ignores it.
    serial: int | None = field(default=None, compare=False)

_RUN_COLUMNS = "r.id, r.created_at, r.started_at, r.status, r.finished_at, r.serial"
_INSERT_RUN = "INSERT INTO runs (id, runtime_id, created_at, started_at, status, finished_at) VALUES (?, ?, ?, ?, ?, ?)"
# A read replica `as_of` a wall-clock time: runs churn added later are not there yet, runs it ended later still
# show as active.
_AS_OF = ("(SELECT id, runtime_id, created_at, started_at, serial, "
          "CASE WHEN ended_at > ? THEN 'active' ELSE status END AS status, "
          "CASE WHEN ended_at > ? THEN NULL ELSE finished_at END AS finished_at "
          "FROM runs WHERE listed_at IS NULL OR listed_at <= ?)")


def fmt_time(dt: datetime) -> str:
    """RFC 3339 UTC with milliseconds, fixed width: 2026-03-01T10:15:00.000Z."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


OFFSET = timedelta(hours=1)  # the zone of the `offset` renderings: +01:00 (Europe/Paris in winter)


def render_time(text: str, style: str) -> str:
    """A stored instant (fmt_time's form) written as the `timestamps` personality says; the same instant."""
    if style == "milliseconds":
        return text
    if style == "nanoseconds":
        return text[:-1] + "000000Z"
    if style == "lower-case":
        return text.lower()
    local = parse_time(text) + OFFSET
    fraction = f"{local.microsecond // 1000:03d}" + ("000000" if style == "nanoseconds-offset" else "")
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "+01:00"


def epoch_ms(text: str) -> int:
    return (parse_time(text) - EPOCH) // MS


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


def _memcached_key(key: str) -> str:
    """A memcached key as pymemcache checks it (fault runtime-id-cache-key-500: the runtime lookup is cached under
    a key made from the unvalidated path parameter, and the client's check raises)."""
    data = key.encode("utf-8")
    if len(data) > 250:
        raise ValueError(f"Key is too long: {data[:40]!r}...")
    if any(byte <= 32 or byte == 127 for byte in data):
        raise ValueError(f"Key contains whitespace or control characters: {data[:40]!r}")
    return key


class RunStore:
    def __init__(self, seed: int = 7, api_key: str | None = None, faults: frozenset[str] = frozenset(),
                 tie_break: str = "descending", small_runtime_runs: int = 0):
        self.faults = frozenset(faults)
        # Runs sharing a createdAt by id ascending: the `ascending` tie-break variant, or the same-named fault.
        self.ties_ascending = tie_break == "ascending" or "tie-break-ascending" in self.faults
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._shared_cursor = self._db.cursor()  # only the shared-db-cursor fault uses it
        self._churn_rng = random.Random(f"churn:{seed}")
        self.seed_info = self._seed(random.Random(seed), api_key)
        if small_runtime_runs:
            self.seed_info = self._seed_small(random.Random(f"small:{seed}"), small_runtime_runs)
        self._last_serial = self._number_runs()
        self._last_created = self._max_created()
        self._last_ended: str | None = None  # the run churn ended last (finished-at-from-updated-at)

    # ---- seed -------------------------------------------------------------
    def _seed(self, rng: random.Random, api_key: str | None) -> SeedInfo:
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
        with self._db:
            self._db.executemany("INSERT INTO tenants VALUES (?, ?)", [("tenant-a", key_a), ("tenant-b", key_b)])
            self._db.executemany("INSERT INTO runtimes VALUES (?, ?)",
                                 [(a_main, "tenant-a"), (a_empty, "tenant-a"), (b_main, "tenant-b"),
                                  (a_second, "tenant-a")])
            self._db.executemany(_INSERT_RUN,
                                 [(r[0], a_main, *r[1:]) for r in a_runs] + [(r[0], b_main, *r[1:]) for r in b_runs]
                                 + [(r[0], a_second, *r[1:]) for r in a2_runs])
        return SeedInfo(key_a, a_main, a_empty, key_b, b_main, unknown, a_second)

    def _seed_small(self, rng: random.Random, count: int) -> SeedInfo:
        """A runtime of tenant A with `count` runs, none failed (too small a target for the suite to judge fully),
        from its own random stream: the rest of the seed is the same with or without it."""
        small = new_uuid(rng)
        statuses = [("stopped", "active")[index % 2] for index in range(count)]
        rows = _seed_runs(rng, count, [], A2_BASE - timedelta(days=3), statuses)
        with self._db:
            self._db.execute("INSERT INTO runtimes VALUES (?, ?)", (small, "tenant-a"))
            self._db.executemany(_INSERT_RUN, [(r[0], small, *r[1:]) for r in rows])
        return replace(self.seed_info, small_runtime_id=small)

    def _number_runs(self) -> int:
        """Give every seeded run its serial, in (created_at, id) order; return the last one given."""
        with self._db:
            ids = [row[0] for row in self._db.execute("SELECT id FROM runs ORDER BY created_at, id")]
            self._db.executemany("UPDATE runs SET serial = ? WHERE id = ?",
                                 [(number, run_id) for number, run_id in enumerate(ids, 1)])
        return len(ids)

    def _max_created(self) -> datetime:
        (latest,) = self._db.execute("SELECT MAX(created_at) FROM runs").fetchone()
        return parse_time(latest)

    # ---- lookups ----------------------------------------------------------
    def tenant_keys(self) -> dict[str, str]:
        """api key -> tenant id."""
        with self._lock:
            return dict(self._db.execute("SELECT api_key, id FROM tenants"))

    def tenant_for_key(self, key: str) -> str | None:
        """The tenant of an API key, looked up in the tenants table (the app uses its startup map; faults
        auth-key-like-prefix and auth-key-nocase-collation read the table, as their bugs live in the query)."""
        if "auth-key-like-prefix" in self.faults:
            # The lookup reuses the admin console's key search: LIKE with a trailing %, so a prefix of a key matches
            # (and LIKE's `_` matches any character, and ASCII letters in any case).
            sql, args = "SELECT id FROM tenants WHERE api_key LIKE ? || '%' ORDER BY id LIMIT 1", (key,)
        elif "auth-key-nocase-collation" in self.faults:
            # The api_key column has a case-insensitive collation (MySQL's default utf8mb4_general_ci).
            sql, args = "SELECT id FROM tenants WHERE api_key = ? COLLATE NOCASE", (key,)
        else:
            sql, args = "SELECT id FROM tenants WHERE api_key = ?", (key,)
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return row[0] if row else None

    def runtime_version(self, runtime_id: str) -> str:
        """A version of a runtime's runs, changing with any write to them (fault etag-runtime-version's ETag)."""
        with self._lock:
            rows = self._db.execute("SELECT id, status, finished_at, created_at, started_at FROM runs "
                                    "WHERE runtime_id = ? ORDER BY id", (runtime_id,)).fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]

    def runtime_tenant(self, runtime_id: str) -> str | None:
        if "runtime-id-cache-key-500" in self.faults:
            _memcached_key(f"runtime-tenant:{runtime_id}")
        if "runtime-id-non-bmp-500" in self.faults and any(ord(char) > 0xFFFF for char in runtime_id):
            # MySQL's utf8 (utf8mb3) column compared with a 4-byte character from a utf8mb4 connection.
            raise sqlite3.OperationalError("(1267, \"Illegal mix of collations (utf8mb3_general_ci,IMPLICIT) and "
                                           "(utf8mb4_general_ci,COERCIBLE) for operation '='\")")
        with self._lock:
            row = self._db.execute("SELECT tenant_id FROM runtimes WHERE id = ?", (runtime_id,)).fetchone()
        return row[0] if row else None

    def all_runs(self, runtime_id: str) -> list[Run]:
        """Every run of a runtime in contract order (createdAt desc, id desc)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs r "
                "WHERE runtime_id = ? ORDER BY created_at DESC, id DESC", (runtime_id,)).fetchall()
        return [Run(*r) for r in rows]

    def wall_clock_times(self, runtime_id: str) -> dict[str, tuple[float | None, float | None]]:
        """run id -> (listed_at, ended_at): when churn added and ended each run, by the wall clock (None: never)."""
        with self._lock:
            rows = self._db.execute("SELECT id, listed_at, ended_at FROM runs WHERE runtime_id = ?",
                                    (runtime_id,)).fetchall()
        return {run_id: (listed, ended) for run_id, listed, ended in rows}

    # ---- the page query ---------------------------------------------------
    def position_at_serial(self, serial: int) -> Position:
        """The keyset position a page-number cursor names: the run numbered `serial`, or, if it is gone or was
        never given, the first run numbered above it (the runs after either are the same: those numbered below);
        the start of the list when there is none."""
        if serial > 2**62:
            return START
        with self._lock:
            row = self._db.execute("SELECT created_at, id FROM runs WHERE serial >= ? ORDER BY serial LIMIT 1",
                                   (serial,)).fetchone()
        return Position(*row) if row else START

    def page(self, runtime_id: str, statuses: tuple[str, ...], after: Position | None, fetch: int,
             inclusive: bool = False, as_of: float | None = None, ended_by: str | None = None) -> list[Run]:
        """Up to `fetch` runs after the keyset position (or from it, `inclusive`), newest first; as a replica
        lagging at wall-clock time `as_of` (time.time()) sees them, if given."""
        source, source_args = (_AS_OF, [as_of] * 3) if as_of is not None else ("runs", [])
        status_sql, status_args = self._status_filter(statuses)
        keyset_sql, keyset_args = self._keyset(after, inclusive)
        if after is not None and after.offset is not None and "offset-cursor" in self.faults:
            keyset_sql, keyset_args = "", []  # LIMIT/OFFSET paging: the offset counts from today's head
        runtime_sql, runtime_args = "r.runtime_id = ?", [runtime_id]
        if after is not None and "cursor-page-drops-runtime-filter" in self.faults:
            # The later-page query is built from the cursor's position alone (the runtime lives in the first page's).
            runtime_sql, runtime_args = "1 = 1", []
        if ended_by is not None:  # fault cursor-as-of-hides-ended
            keyset_sql, keyset_args = f"{keyset_sql} AND (r.finished_at IS NULL OR r.finished_at <= ?)", \
                [*keyset_args, ended_by]
        order = "created_at ASC, id ASC" if "order-ascending" in self.faults else (
            "created_at DESC, id ASC" if self.ties_ascending else "created_at DESC, id DESC")
        offset = 1 if after is not None and "skip-at-page-boundary" in self.faults else 0
        if after is not None and after.offset is not None and "offset-cursor" in self.faults:
            offset = after.offset
        sql = (f"SELECT {_RUN_COLUMNS} FROM {source} r {status_sql} "
               f"WHERE {runtime_sql} {keyset_sql} ORDER BY {order} LIMIT ? OFFSET ?")
        args = (*source_args, *status_args, *runtime_args, *keyset_args, fetch, offset)
        if "shared-db-cursor" in self.faults:
            # The DB helper keeps its cursor on the connection object every request thread shares (it was a
            # threading.local() before a refactor): execute, the network round trip, then fetch whatever the
            # cursor holds by then, maybe another request's rows.
            with self._lock:
                self._shared_cursor.execute(sql, args)
            time.sleep(DB_ROUND_TRIP)
            with self._lock:
                rows = self._shared_cursor.fetchall()
        else:
            with self._lock:
                rows = self._db.execute(sql, args).fetchall()
        return [Run(*r) for r in rows]

    def _status_filter(self, statuses: tuple[str, ...]) -> tuple[str, list]:
        if not statuses:
            return "", []
        # Fault status-compound-select-500: one term per value sent, not per distinct value; past 500 terms SQLite
        # refuses the statement (SQLITE_MAX_COMPOUND_SELECT: "too many terms in compound SELECT").
        values = list(statuses) if {"status-repeat-duplicates", "status-compound-select-500"} & self.faults \
            else sorted(set(statuses))
        if "status-stopped-includes-failed" in self.faults and "stopped" in values:
            values.append("failed")
        joiner = " UNION ALL " if "status-repeat-duplicates" in self.faults else " UNION "
        union = joiner.join("SELECT ? AS s" for _ in values)
        return f"JOIN ({union}) f ON r.status = f.s", values

    def _keyset(self, after: Position | None, inclusive: bool = False) -> tuple[str, list]:
        if after is None:
            return "", []
        c, i = after.created_at, after.run_id
        if "cursor-ignores-tie" in self.faults:
            return "AND r.created_at < ?", [c]
        if "order-ascending" in self.faults:
            return "AND (r.created_at > ? OR (r.created_at = ? AND r.id > ?))", [c, c, i]
        if self.ties_ascending:
            return "AND (r.created_at < ? OR (r.created_at = ? AND r.id > ?))", [c, c, i]
        if "duplicate-at-page-boundary" in self.faults:
            return "AND (r.created_at < ? OR (r.created_at = ? AND r.id <= ?))", [c, c, i]
        return f"AND (r.created_at < ? OR (r.created_at = ? AND r.id {'<=' if inclusive else '<'} ?))", [c, c, i]

    # ---- churn ------------------------------------------------------------
    def churn_tick(self, now: datetime) -> None:
        """Insert one new active run into A-main and end one random active run of it."""
        runtime_id = self.seed_info.runtime_id
        with self._lock, self._db:
            created = max(now, self._last_created + MS)
            self._last_created = created
            stamp, wall = fmt_time(created), now.timestamp()
            self._last_serial += 1
            self._db.execute("INSERT INTO runs (id, runtime_id, created_at, started_at, status, finished_at, serial, "
                             "listed_at) VALUES (?, ?, ?, ?, 'active', NULL, ?, ?)",
                             (new_uuid(self._churn_rng), runtime_id, stamp, stamp, self._last_serial, wall))
            active = self._db.execute("SELECT id, started_at FROM runs WHERE runtime_id = ? AND status = 'active' "
                                      "ORDER BY id", (runtime_id,)).fetchall()
            run_id, started = self._churn_rng.choice(active)
            finished = max(fmt_time(now), started)  # fixed-width strings: string order = time order
            self._db.execute("UPDATE runs SET status = ?, finished_at = ?, ended_at = ? "
                             "WHERE id = ? AND status = 'active'",
                             (self._churn_rng.choice(("stopped", "failed")), finished, wall, run_id))
            self._end_of_run_side_effects(run_id, finished)

    def retention_tick(self) -> str | None:
        """The retention job: delete the main runtime's oldest run for good; return its id."""
        with self._lock, self._db:
            row = self._db.execute("SELECT id FROM runs WHERE runtime_id = ? ORDER BY created_at, id LIMIT 1",
                                   (self.seed_info.runtime_id,)).fetchone()
            if row:
                self._db.execute("DELETE FROM runs WHERE id = ?", row)
        return row[0] if row else None

    def _end_of_run_side_effects(self, run_id: str, finished: str) -> None:
        """What else the end of a run writes, under faults (called inside churn_tick's transaction)."""
        if "created-at-on-update" in self.faults:  # created_at ... ON UPDATE CURRENT_TIMESTAMP
            self._db.execute("UPDATE runs SET created_at = ? WHERE id = ?", (finished, run_id))
        if "started-at-reset-on-end" in self.faults:  # the end-of-run UPDATE shared with the resume path
            self._db.execute("UPDATE runs SET started_at = ? WHERE id = ?", (finished, run_id))
        if "finished-at-from-updated-at" in self.faults:
            # finishedAt is read from updated_at; the log archiver writes the run ended on the previous tick
            if self._last_ended is not None:
                self._db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (finished, self._last_ended))
            self._last_ended = run_id
