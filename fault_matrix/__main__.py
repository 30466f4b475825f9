"""`python -m fault_matrix`: the kill matrix and the side-by-side with Schemathesis alone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reference_server import FAULTS

from conformance.contract import load_contract

from .coverage import coverage, write_coverage
from .matrix import run_matrix
from .report import side_by_side, write_reports
from .runners import CONTENDERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fault_matrix", description=__doc__)
    parser.add_argument("--fault", action="append", choices=sorted(FAULTS), metavar="NAME",
                        help="only this fault (repeatable; python -m reference_server --list-faults lists them)")
    parser.add_argument("--contender", action="append", choices=CONTENDERS, metavar="NAME",
                        help=f"only this contender (repeatable): {', '.join(CONTENDERS)}")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="where to write fault-matrix.*")
    parser.add_argument("--coverage", action="store_true",
                        help="only write contract-coverage.md (rules -> checks -> faults), without running anything")
    args = parser.parse_args(argv)
    if args.coverage:
        print(f"wrote {write_coverage(coverage(load_contract()), args.reports)}")
        return 0
    matrix = run_matrix(args.fault, args.contender or CONTENDERS, progress=_print_progress)
    md, js = write_reports(matrix, args.reports)
    print("\n".join(side_by_side(matrix)))
    print(f"wrote {md} and {js} in {matrix.seconds:.0f} s")
    suite_ok = "suite" not in matrix.contenders or (
        matrix.outcome("suite", None).exit_code == 0 and all(matrix.outcome("suite", f).caught for f in matrix.faults))
    return 0 if suite_ok else 1


def _print_progress(outcome) -> None:
    verdict = f"exit {outcome.exit_code}"
    print(f"{outcome.contender:24} {outcome.fault or '(clean)':32} {verdict:8} {outcome.seconds:5.1f} s "
          f"{outcome.requests:5} requests", flush=True)


if __name__ == "__main__":
    sys.exit(main())
