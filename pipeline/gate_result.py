"""The gate action's verdict: step outputs and job summary from a finished run, then pass or fail with a clear line.

    python -m pipeline.gate_result record --exit-code N --reports DIR   # outputs + step summary; always exits 0
    python -m pipeline.gate_result check --exit-code N                  # exits N, with one line saying what it means

`record` appends `verdict`, `exit-code` and `summary-path` to $GITHUB_OUTPUT and the run's summary.md to
$GITHUB_STEP_SUMMARY. The exit code is the truth: 0 conforms, 1 the contract is broken, 4 (or any other, or none)
the API was not judged; run.json only adds the counts, the gaps (checks the target's data or settings left
unjudged: exit 4 unless accepted) and the verdict's wording when it agrees with the exit code.
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


def verdict_of(exit_code: int, run: dict | None = None) -> str:
    """The verdict for an exit code of `python -m pytest` (the suite); run.json's wording when it agrees (it adds
    the gaps: "conforms, with accepted gaps: …", "not judged (data gaps: …)")."""
    if run and run.get("exitStatus") == exit_code and run.get("verdict"):
        return str(run["verdict"])
    return VERDICTS.get(exit_code, f"not judged (pytest exit {exit_code})")


def run_of(reports: Path) -> dict | None:
    try:
        return json.loads((reports / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def gaps_of(run: dict | None) -> list[dict]:
    """The run's gaps (name, reason, fix, accepted), or none."""
    return [gap for gap in (run or {}).get("gaps", []) if isinstance(gap, dict)]


def counts_of(reports: Path) -> str:
    """'N passed, N failed, …' from run.json, or '' when there is none."""
    try:
        counts = json.loads((reports / "run.json").read_text(encoding="utf-8")).get("counts", {})
    except (OSError, ValueError):
        return ""
    return ", ".join(f"{number} {outcome}" for outcome, number in sorted(counts.items()))


def message_of(exit_code: int, counts: str = "", gaps: list[dict] = ()) -> str:
    """One line for the log: a GitHub annotation when the gate fails, a notice when it passes."""
    tail = f" ({counts})" if counts else ""
    accepted = [gap["name"] for gap in gaps if gap.get("accepted")]
    unaccepted = [gap for gap in gaps if not gap.get("accepted")]
    if exit_code == 0:
        with_gaps = f", with accepted gaps: {', '.join(accepted)}" if accepted else ""
        return f"::notice title=bctrl conformance::The API conforms to the contract{with_gaps}{tail}."
    if exit_code == 1:
        return (f"::error title=bctrl conformance::The API breaks the contract (exit 1){tail}. "
                "See the job summary and the reports artifact.")
    if exit_code == TOOL_ERROR and unaccepted:
        named = "; ".join(f"gap {gap.get('name')}: {gap.get('reason')}; fix: {gap.get('fix')}" for gap in unaccepted)
        return (f"::error title=bctrl conformance::Not judged (exit 4): the target's data or settings leave checks "
                f"unjudged{tail}. {named}. Accept a gap knowingly in BCTRL_ACCEPT_GAPS (accept-gaps).")
    return (f"::error title=bctrl conformance::Not judged: tool error (exit {exit_code}){tail}. This is not a "
            "contract failure: check the settings (base URL, key, runtime ids) and that the target is up.")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def record(exit_code: int, reports: Path) -> None:
    summary = reports / "summary.md"
    verdict = verdict_of(exit_code, run_of(reports))
    _append(os.environ.get("GITHUB_OUTPUT"), f"verdict={verdict}\nexit-code={exit_code}\n"
                                             f"summary-path={summary if summary.is_file() else ''}\n")
    if summary.is_file():
        _append(os.environ.get("GITHUB_STEP_SUMMARY"), summary.read_text(encoding="utf-8") + "\n")
    else:
        _append(os.environ.get("GITHUB_STEP_SUMMARY"), f"# bctrl runs API conformance: {verdict}\n\n"
                                                       "The run stopped before writing its summary; see the log.\n")
    print(f"bctrl conformance: {verdict} (exit {exit_code})")


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
    print(message_of(exit_code, counts_of(args.reports), gaps_of(run_of(args.reports))))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
