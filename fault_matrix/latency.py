"""`python -m fault_matrix.latency`: how the gate's wall time grows with the API's distance, beside Schemathesis
alone's: both run against the embedded reference server answering each request after 0, 80 and 200 ms (its
`--latency`), the median of `--repeat` runs each, printed as a Markdown table (the README's).

A measurement, not a test: the figures depend on the machine. Each run is the documented entry point in a fresh
process (run_suite, run_schemathesis), on the clean server; a run that fails is reported, not timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from conformance.contract import DEFAULT_SPEC
from conformance.settings import DEFAULT_SEED
from reference_server import ReferenceServer
from reference_server.variants import Variants

from .runners import Outcome, run_schemathesis, run_suite

LATENCIES_MS = (0, 80, 200)


def gate_run(latency_ms: int, concurrency: int | None) -> Outcome:
    """The suite's gate profile, as CI runs it, against a server `latency_ms` away."""
    extra = {"BCTRL_PROFILE": "gate"}
    if concurrency == 1:  # the overlap check cannot be judged one request at a time: a gap, accepted here
        extra.update(BCTRL_CONCURRENCY="1", BCTRL_ACCEPT_GAPS="in-flight")
    with ReferenceServer(variants=Variants(latency_ms=latency_ms)) as server, \
            tempfile.TemporaryDirectory() as reports:
        return run_suite(server, None, Path(reports), extra_env=extra)


def schemathesis_run(latency_ms: int) -> Outcome:
    """Schemathesis's own CLI on the published spec, as the fault matrix runs it, against the same server."""
    with ReferenceServer(variants=Variants(latency_ms=latency_ms)) as server:
        return run_schemathesis(server, None, DEFAULT_SPEC, "schemathesis-published", DEFAULT_SEED)


def median_of(runs: list[Outcome], judged_ok) -> str:
    """'12.3 s (866 requests)' from the runs' median wall time, or what went wrong."""
    broken = [run for run in runs if not judged_ok(run)]
    if broken:
        return f"exit {broken[0].exit_code}"
    return f"{statistics.median(run.seconds for run in runs):.1f} s ({runs[0].requests} requests)"


def table(latencies: tuple[int, ...], repeat: int, sequential: bool, progress=print) -> list[str]:
    header = ["latency per answer", "gate"] + (["gate, one request at a time"] if sequential else []) + \
        ["Schemathesis alone"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for latency in latencies:
        cells = [f"{latency} ms"]
        columns = [lambda: gate_run(latency, None)] + ([lambda: gate_run(latency, 1)] if sequential else [])
        for column in columns:
            runs = [column() for _ in range(repeat)]
            cells.append(median_of(runs, lambda run: run.exit_code == 0))
            progress(f"{latency} ms: gate {', '.join(f'{run.seconds:.1f} s' for run in runs)}")
        # Schemathesis alone fails on the clean server (exit 1: the published spec says too little): timed anyway.
        runs = [schemathesis_run(latency) for _ in range(repeat)]
        cells.append(median_of(runs, lambda run: run.exit_code in (0, 1)))
        progress(f"{latency} ms: Schemathesis alone {', '.join(f'{run.seconds:.1f} s' for run in runs)}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fault_matrix.latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ms", type=int, nargs="+", default=list(LATENCIES_MS), metavar="MS",
                        help="latencies per answer, in milliseconds (default: 0 80 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; the median is shown (default 3)")
    parser.add_argument("--sequential", action="store_true",
                        help="also time the gate one request at a time (BCTRL_CONCURRENCY=1): slow at 200 ms")
    args = parser.parse_args(argv)
    lines = table(tuple(args.ms), args.repeat, args.sequential, progress=lambda line: print(line, file=sys.stderr))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
