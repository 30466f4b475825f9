"""The gate action's verdict: step outputs and job summary from a finished run, then pass or fail with a clear line.

    python -m pipeline.gate_result record --exit-code N --reports DIR   # outputs + step summary; always exits 0
    python -m pipeline.gate_result check --exit-code N                  # exits N, with one line saying what it means

`record` appends `verdict`, `exit-code` and `summary-path` to $GITHUB_OUTPUT and the run's summary.md to
$GITHUB_STEP_SUMMARY. The exit code is the truth: 0 conforms, 1 the contract is broken, 4 (or any other, or none)
the API was not judged; run.json only adds the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

VERDICTS = {0: "conforms", 1: "the contract is broken", 4: "not judged (tool error)"}
TOOL_ERROR = 4


def exit_code_of(text: str | None) -> int:
    """The suite's exit code from the step output; none or garbage means the run did not finish (a tool error)."""
    try:
        return int(str(text).strip())
    except ValueError:
        return TOOL_ERROR


def verdict_of(exit_code: int) -> str:
    """The verdict for an exit code of `python -m pytest` (the suite)."""
    return VERDICTS.get(exit_code, f"not judged (pytest exit {exit_code})")


def counts_of(reports: Path) -> str:
    """'N passed, N failed, …' from run.json, or '' when there is none."""
    try:
        counts = json.loads((reports / "run.json").read_text(encoding="utf-8")).get("counts", {})
    except (OSError, ValueError):
        return ""
    return ", ".join(f"{number} {outcome}" for outcome, number in sorted(counts.items()))


def message_of(exit_code: int, counts: str = "") -> str:
    """One line for the log: a GitHub annotation when the gate fails, a notice when it passes."""
    tail = f" ({counts})" if counts else ""
    if exit_code == 0:
        return f"::notice title=bctrl conformance::The API conforms to the contract{tail}."
    if exit_code == 1:
        return (f"::error title=bctrl conformance::The API breaks the contract (exit 1){tail}. "
                "See the job summary and the reports artifact.")
    return (f"::error title=bctrl conformance::Not judged: tool error (exit {exit_code}){tail}. This is not a "
            "contract failure: check the settings (base URL, key, runtime ids) and that the target is up.")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def record(exit_code: int, reports: Path) -> None:
    summary = reports / "summary.md"
    _append(os.environ.get("GITHUB_OUTPUT"), f"verdict={verdict_of(exit_code)}\nexit-code={exit_code}\n"
                                             f"summary-path={summary if summary.is_file() else ''}\n")
    if summary.is_file():
        _append(os.environ.get("GITHUB_STEP_SUMMARY"), summary.read_text(encoding="utf-8") + "\n")
    else:
        _append(os.environ.get("GITHUB_STEP_SUMMARY"), f"# bctrl runs API conformance: {verdict_of(exit_code)}\n\n"
                                                       "The run stopped before writing its summary; see the log.\n")
    print(f"bctrl conformance: {verdict_of(exit_code)} (exit {exit_code})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.gate_result", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("record", "check"))
    parser.add_argument("--exit-code", default="", help="the suite's exit code (empty: it did not finish)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="the run's reports folder")
    args = parser.parse_args(argv)
    exit_code = exit_code_of(args.exit_code)
    if args.command == "record":
        record(exit_code, args.reports)
        return 0
    print(message_of(exit_code, counts_of(args.reports)))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
