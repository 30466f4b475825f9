"""Run every contender against the clean server and against each catalogued fault, four at a time."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import yaml

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC, effective_document
from conformance.profiles import Rotation
from conformance.settings import DEFAULT_SEED, day_of_night
from reference_server import FAULTS, ReferenceServer

from .designated import SMOKE_CATCHER, focus
from .runners import CONTENDERS, SUITE_PROFILES, Outcome, run_schemathesis, run_suite

# CI machines have two cores; four runs at a time overlap one run's waits on its server with another's work
# (measured on two cores: 22 runs took 26 s two at a time, 19-21 s four at a time, 23 s six at a time).
WORKERS = 4


@dataclass
class Matrix:
    faults: list[str]
    contenders: list[str]
    outcomes: dict[tuple[str, str | None], Outcome]
    seconds: float

    def outcome(self, contender: str, fault: str | None) -> Outcome:
        return self.outcomes[(contender, fault)]


def run_matrix(faults: Iterable[str] | None = None, contenders: Iterable[str] = CONTENDERS,
               progress: Callable[[Outcome], None] = lambda outcome: None, focused: bool = False) -> Matrix:
    """Each contender against the clean server and each fault. `focused`: against a fault, the gate runs only the
    module of the check designated for it (the whole suite where that check judges the whole run): it proves the
    check's teeth in a fraction of the time; the clean server always gets the whole suite."""
    faults = list(faults) if faults is not None else list(FAULTS)
    contenders = list(contenders)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        specs = _specs(Path(folder))
        jobs = [(contender, fault) for contender in contenders for fault in [None, *faults]]
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(lambda job: _run_job(*job, specs=specs, folder=Path(folder), progress=progress,
                                                         focused=focused),
                                    jobs))
    outcomes = {(o.contender, o.fault): o for o in results}
    for outcome in outcomes.values():
        if outcome.contender not in SUITE_PROFILES and outcome.fault is not None:
            outcome.baseline_kinds = outcomes[(outcome.contender, None)].failure_kinds
    return Matrix(faults, contenders, outcomes, time.monotonic() - started)


def _specs(folder: Path) -> dict[str, Path]:
    effective = folder / "effective-openapi.yaml"
    effective.write_text(yaml.safe_dump(effective_document(DEFAULT_SPEC, DEFAULT_OVERLAY), sort_keys=False),
                         encoding="utf-8")
    return {"schemathesis-published": DEFAULT_SPEC, "schemathesis-effective": effective}


def _smoke_day_of(fault: str | None):
    """The smoke's night against `fault`: the faults take the week's nights in turn (the clean server the first),
    so one matrix measures every night's budget, the same night every time, whatever the date; a fault with a smoke
    check written for it (SMOKE_CATCHER) gets that check's night."""
    if fault in SMOKE_CATCHER:
        return day_of_night(Rotation.load().night_of_check(SMOKE_CATCHER[fault]))
    return day_of_night(0 if fault is None else sorted(FAULTS).index(fault) + 1)


def _run_job(contender: str, fault: str | None, *, specs: dict[str, Path], folder: Path,
             progress: Callable[[Outcome], None], focused: bool) -> Outcome:
    options = FAULTS[fault].server_options if fault else {}
    with ReferenceServer(faults=(fault,) if fault else (), **options) as server:
        if contender in SUITE_PROFILES:
            reports = folder / f"{contender}-{fault or 'clean'}"
            # No rate cap: it is politeness towards production, and it changes nothing the suite catches.
            selection = focus(fault) if focused and fault and contender == "suite" else ("conformance",)
            outcome = run_suite(server, fault, reports, contender=contender, selection=selection,
                                extra_env={"BCTRL_PROFILE": SUITE_PROFILES[contender], "BCTRL_RATE_LIMIT": "0",
                                           "BCTRL_SMOKE_DAY": _smoke_day_of(fault).isoformat()})
        else:
            outcome = run_schemathesis(server, fault, specs[contender], contender, DEFAULT_SEED)
    progress(outcome)
    return outcome
