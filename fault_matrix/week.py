"""`python -m fault_matrix.week`: the rotating smoke over seven nights in a row, each night against the clean server
and every catalogued fault: whether the clean server passes, the most requests a night sent (its budget is a hard
cap), and which faults each night and the week together catch. A measurement for the README and the notes (about
900 smoke runs, four at a time); the project's tests run one night per fault (`conformance.profiles.day_of_night`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conformance.settings import NIGHTS, day_of_night
from reference_server import FAULTS, ReferenceServer

from .matrix import WORKERS
from .runners import Outcome, run_suite


def smoke_run(fault: str | None, night: int) -> Outcome:
    """The smoke profile, on `night`, against the reference server with `fault` on (None: the clean server)."""
    options = FAULTS[fault].server_options if fault else {}
    with ReferenceServer(faults=(fault,) if fault else (), **options) as server, \
            tempfile.TemporaryDirectory() as reports:
        return run_suite(server, fault, Path(reports), contender="smoke",
                         extra_env={"BCTRL_PROFILE": "smoke", "BCTRL_SMOKE_DAY": day_of_night(night).isoformat(),
                                    "BCTRL_RATE_LIMIT": "0"})


def week(faults: list[str]) -> dict[tuple[int, str | None], Outcome]:
    jobs = [(night, fault) for night in range(NIGHTS) for fault in [None, *faults]]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda job: smoke_run(job[1], job[0]), jobs))
    return {(night, outcome.fault): outcome for (night, _), outcome in zip(jobs, outcomes)}


def table(outcomes: dict[tuple[int, str | None], Outcome], faults: list[str]) -> list[str]:
    revealable = [fault for fault in faults if FAULTS[fault].revealed_by_get]
    lines = [f"| night (date) | clean server | most requests (against) | faults caught (of {len(faults)}) | "
             f"GET-revealable caught (of {len(revealable)}) |", "|---|---|---|---|---|"]
    caught_any: set[str] = set()
    for night in range(NIGHTS):
        runs = {fault: outcomes[(night, fault)] for fault in [None, *faults]}
        most = max(runs.values(), key=lambda run: run.requests)
        caught = {fault for fault in faults if runs[fault].caught}
        caught_any |= caught
        clean = runs[None]
        lines.append(f"| {night + 1} ({day_of_night(night)}) | {'passes' if clean.exit_code == 0 else f'exit {clean.exit_code}'}"
                     f" | {most.requests} ({most.fault or 'clean'}) | {len(caught)} | "
                     f"{len(caught & set(revealable))} |")
    lines.append(f"| the week | | | {len(caught_any)} | {len(caught_any & set(revealable))} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fault_matrix.week", description=__doc__)
    parser.add_argument("--fault", action="append", choices=sorted(FAULTS), metavar="NAME",
                        help="only this fault (repeatable)")
    args = parser.parse_args(argv)
    faults = args.fault or sorted(FAULTS)
    outcomes = week(faults)
    print("\n".join(table(outcomes, faults)))
    unjudged = [(night, fault) for (night, fault), run in outcomes.items() if run.exit_code not in (0, 1)]
    for night, fault in unjudged:
        print(f"night {night + 1} against {fault or 'the clean server'}: exit {outcomes[(night, fault)].exit_code}, "
              f"{outcomes[(night, fault)].requests} requests")
    return 1 if unjudged or any(outcomes[(night, None)].exit_code for night in range(NIGHTS)) else 0


if __name__ == "__main__":
    sys.exit(main())
