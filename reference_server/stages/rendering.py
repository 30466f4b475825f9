"""Rendering: one run as JSON, its timestamps written as the `timestamps` personality says, and the faults that
live in the run's serializer (the schema and the lifecycle invariants)."""
from __future__ import annotations

import re
from datetime import timedelta

from ..checks import SCHEMA
from ..fault import Fault
from ..probes import L7, page
from ..store import Run
from ..times import epoch_ms, fmt_time, parse_time, render_time
from ..variants import Variants

FAULTS = [
    Fault("created-at-epoch", "schema",
          "createdAt is sent as epoch milliseconds (a number)",
          rules=("run.schema",), check=SCHEMA,
          observe=page(L7)),
    Fault("timestamp-without-offset", "schema",
          "createdAt/startedAt/finishedAt are sent without the Z/offset",
          rules=("run.schema",), check=SCHEMA,
          observe=page(L7)),
    Fault("run-id-not-uuid", "schema",
          "run ids are sent as run_<24 hex> instead of UUIDs",
          rules=("run.schema",), check=SCHEMA,
          observe=page(L7)),
    Fault("status-uppercase", "schema",
          "run status is sent upper-case (ACTIVE)",
          rules=("run.schema",), check=SCHEMA,
          observe=page(L7)),
    Fault("started-before-created", "invariants",
          "startedAt is one minute before createdAt",
          rules=("run.lifecycle",), check=SCHEMA,
          observe=page([("limit", "20")])),
    Fault("active-with-finished-at", "invariants",
          "active runs carry a finishedAt",
          rules=("run.lifecycle",), check=SCHEMA,
          observe=page([("limit", "20")])),
    Fault("terminal-without-finished-at", "invariants",
          "stopped/failed runs have finishedAt null",
          rules=("run.lifecycle",), check=SCHEMA,
          observe=page([("limit", "20")])),
    Fault("finished-before-started", "invariants",
          "finishedAt is one hour earlier than startedAt (a time-zone bug)",
          rules=("run.lifecycle",), check=SCHEMA,
          observe=page([("limit", "20")])),
]

_TIME_ZONE_SUFFIX = re.compile(r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$")


def run_json(run: Run, faults: frozenset[str], variants: Variants, local: bool = False) -> dict:
    """The run as a page lists it; `local`: as the search index stored it (fault filtered-listing-local-time)."""
    f, created, started, finished = faults, run.created_at, run.started_at, run.finished_at
    if local:  # the indexer stored naive Europe/Paris wall-clock times (UTC+1 in winter); they are sent with a Z
        created, started, finished = (t and fmt_time(parse_time(t) + timedelta(hours=1))
                                      for t in (created, started, finished))
    terminal = run.status != "active"
    if "started-before-created" in f:
        started = fmt_time(parse_time(created) - timedelta(minutes=1))
    if "active-with-finished-at" in f and not terminal:
        finished = fmt_time(parse_time(started) + timedelta(minutes=1))
    if "terminal-without-finished-at" in f and terminal:
        finished = None
    if "finished-before-started" in f and finished is not None:
        finished = fmt_time(parse_time(started) - timedelta(hours=1))
    style = variants.timestamps
    out = {"id": run.id, "createdAt": render_time(created, style), "startedAt": render_time(started, style),
           "status": run.status, "finishedAt": finished and render_time(finished, style)}
    if "run-id-not-uuid" in f:
        out["id"] = "run_" + run.id.replace("-", "")[:24]
    if "status-uppercase" in f:
        out["status"] = run.status.upper()
    if "timestamp-without-offset" in f:
        for key in ("createdAt", "startedAt", "finishedAt"):
            out[key] = out[key] and _TIME_ZONE_SUFFIX.sub("", out[key])
    if "created-at-epoch" in f:
        out["createdAt"] = epoch_ms(created)
    return out
