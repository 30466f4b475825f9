"""SQLite storage: the run queries (the page's keyset query above all), the lookups, live data (churn), and the
faults that live in the database layer. The schema and the seed are seed.py's.

One in-memory connection shared by all request threads, guarded by a lock.
"""
from __future__ import annotations

import hashlib
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from .checks import (LEDGER, NEAR_MISS, OVERLAP, OWN_CURSORS, OWN_SPELLINGS, REPEATED, REPEATED_PAGE, SINGLE, SIZES,
                     SPELLING_PROPERTY, WALK_END, WALK_SIZES)
from .cursor import START, Position
from .fault import Fault
from .probes import L3, L7, churned, overlapping, page, path, sent, walk
from .seed import SCHEMA, new_uuid, seed_runs, seed_small_runtime
from .times import MS, fmt_time, parse_time

DB_ROUND_TRIP = 0.005  # seconds: a database or service round trip, where the overlap faults have their window

FAULTS = [
    Fault("duplicate-at-page-boundary", "pagination",
          "inclusive cursor comparison: each next page repeats the previous page's last run",
          rules=("cursor.walk",), check=WALK_END,
          observe=walk(L7)),
    Fault("skip-at-page-boundary", "pagination",
          "each next page skips the first run it should return (off by one)",
          rules=("cursor.walk",), check=WALK_SIZES,
          observe=walk(L7)),
    Fault("tie-break-ascending", "pagination",
          "runs sharing a createdAt are ordered by id ascending",
          rules=("cursor.order",), check=WALK_END,
          observe=page([("limit", "20")])),
    Fault("cursor-ignores-tie", "pagination",
          "the cursor keys on createdAt only, skipping runs that share the last run's createdAt",
          rules=("cursor.walk",), check=WALK_SIZES,
          observe=walk(L7)),
    Fault("order-ascending", "pagination",
          "pages are ordered oldest first",
          rules=("cursor.order",), check=WALK_END,
          observe=page(L7)),
    Fault("status-stopped-includes-failed", "filters",
          "filtering by stopped also returns failed runs",
          rules=("status.single",), check=SINGLE,
          observe=page([("limit", "100"), ("status", "stopped")])),
    Fault("status-repeat-duplicates", "filters",
          "a repeated identical status value returns each run twice (UNION ALL bug)",
          rules=("status.union",), check=REPEATED, smoke_check=REPEATED_PAGE,
          observe=page([("limit", "100"), ("status", "active"), ("status", "active")])),
    Fault("runtime-id-non-bmp-500", "path",
          "the runtimes table is MySQL utf8 (utf8mb3): a runtime id with a character beyond the BMP (an emoji) from "
          "a utf8mb4 connection raises 'Illegal mix of collations', answered 500",
          rules=("server.no-5xx", "runtime.spelling"), blind_spot=1, check=OWN_SPELLINGS,
          observe=path(lambda info: f"/v2/runtimes/{info.runtime_id}%F0%9F%98%80/runs")),
    Fault("runtime-id-cache-key-500", "path",
          "the runtime lookup is cached in memcached under a key built from the path parameter, unvalidated: an id "
          "over 250 bytes or holding whitespace or a control character makes the client raise, answered 500",
          rules=("server.no-5xx",), blind_spot=1, check=SPELLING_PROPERTY,
          observe=path(lambda info: f"/v2/runtimes/{info.runtime_id:0<300}/runs")),
    Fault("finished-at-from-updated-at", "invariants",
          "finishedAt is rendered from the row's updated_at, which the log archiver touches again when it archives "
          "the run's logs a moment after it ended: a run's finishedAt moves once set",
          rules=("run.immutable",), blind_spot=3, needs=("churn",), check=LEDGER,
          observe=churned(ticks=2)),
    Fault("cursor-page-drops-runtime-filter", "pagination",
          "the keyset query of cursor pages is built from the cursor's position alone, without runtime_id = ?: from "
          "page 2 on, runs of every runtime older than the position are listed",
          rules=("cursor.scope", "run.one-runtime"), blind_spot=4, check=OWN_CURSORS,
          observe=walk([("limit", "100")])),
    Fault("created-at-on-update", "invariants",
          "created_at was declared `ON UPDATE CURRENT_TIMESTAMP` (MySQL; meant for updated_at): the end of a run "
          "rewrites its createdAt to the end time",
          rules=("run.immutable", "run.lifecycle"), blind_spot=7, needs=("churn",), check=LEDGER,
          observe=churned()),
    Fault("started-at-reset-on-end", "invariants",
          "the end-of-run UPDATE is shared with the resume path and also sets started_at: a run's startedAt jumps to "
          "its finishedAt when it ends",
          rules=("run.immutable",), blind_spot=7, needs=("churn",), check=LEDGER,
          observe=churned()),
    Fault("auth-key-like-prefix", "auth",
          "the key lookup reuses the admin console's key search, `WHERE api_key LIKE ? || '%'`: any prefix of a key "
          "authenticates as its tenant (and LIKE reads `_` as any character and ignores ASCII case)",
          rules=("auth.bearer", "auth.channels"), issue=16, check=NEAR_MISS,
          observe=sent(lambda info: {"Authorization": f"Bearer {info.api_key[:-3]}"})),
    Fault("auth-key-nocase-collation", "auth",
          "the api_key column was created with the database's default case-insensitive collation (MySQL's "
          "utf8mb4_general_ci): the key in other case (all upper-case, say) authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=NEAR_MISS,
          observe=sent(lambda info: {"Authorization": f"Bearer {info.api_key.upper()}"})),
    Fault("status-compound-select-500", "filters",
          "the status filter is built as a compound SELECT with one term per value sent (not per distinct value): "
          "more than 500 status values exceed SQLite's SQLITE_MAX_COMPOUND_SELECT ('too many terms in compound "
          "SELECT'), answered 500",
          rules=("server.no-5xx", "server.sizes"), issue=16, check=SIZES,
          observe=page([("limit", "5")] + [("status", "active")] * 600)),
    Fault("shared-db-cursor", "invariants",
          "the database helper keeps one cursor on the connection object all request threads share (a "
          "threading.local() lost in a refactor): a request executes its query, waits for the network round trip, "
          "then fetches whatever the cursor holds by then, another request's rows (another runtime's, another "
          "limit's) or nothing",
          rules=("run.one-runtime", "limit.bounds", "status.single", "tenant.isolation", "tenant.overlap"),
          issue=16, check=OVERLAP,
          observe=overlapping(*[("main", "main", L3), ("main", "second", [("limit", "9")])] * 4)),
]


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
# A read replica `as_of` a wall-clock time: runs churn added later are not there yet, runs it ended later still
# show as active.
_AS_OF = ("(SELECT id, runtime_id, created_at, started_at, serial, "
          "CASE WHEN ended_at > ? THEN 'active' ELSE status END AS status, "
          "CASE WHEN ended_at > ? THEN NULL ELSE finished_at END AS finished_at "
          "FROM runs WHERE listed_at IS NULL OR listed_at <= ?)")


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
        self._db.executescript(SCHEMA)
        self._shared_cursor = self._db.cursor()  # only the shared-db-cursor fault uses it
        self._churn_rng = random.Random(f"churn:{seed}")
        self.seed_info = seed_runs(self._db, random.Random(seed), api_key)
        if small_runtime_runs:
            self.seed_info = seed_small_runtime(self._db, random.Random(f"small:{seed}"), small_runtime_runs,
                                                self.seed_info)
        self._last_serial = self._number_runs()
        self._last_created = self._max_created()
        self._last_ended: str | None = None  # the run churn ended last (finished-at-from-updated-at)

    # ---- seed -------------------------------------------------------------
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
