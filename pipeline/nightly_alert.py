"""Nightly smoke alerts: one open GitHub issue (label `nightly-smoke`) while the nightly run fails.

    python -m pipeline.nightly_alert --exit-code N [--reports DIR] [--repo OWNER/NAME] [--run-url URL]
                                     [--open-issue NUMBER|none] [--dry-run]

What it does, by the open issue and the night's result (the suite's exit code):

| open issue | pass (0)          | fail (1)                         | tool error (4, any other, none) |
|------------|-------------------|----------------------------------|---------------------------------|
| none       | nothing           | open it: "breaks the contract"   | open it: "not judged"           |
| one        | close it          | comment: still failing           | comment: not judged; stays open |

A tool error is never taken for a verdict: it neither closes an issue nor calls the API broken. The failures come
from the suite's `run.json` (already redacted). It runs the GitHub CLI (`gh`, with GH_TOKEN); `--dry-run` prints
the `gh` commands (and the text they would send) instead of running them. Exit 0 when done, 4 when `gh` fails.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

LABEL = "nightly-smoke"
PASS, FAIL, TOOL_ERROR = "pass", "fail", "tool error"
NOTHING, OPEN, COMMENT, CLOSE = "nothing", "open", "comment", "close"
TITLES = {
    FAIL: "Nightly smoke: the production API breaks the contract",
    TOOL_ERROR: "Nightly smoke: not judged (tool error)",
}
MAX_DETAIL = 1500  # characters of one failure's detail
MAX_FAILURES = 20  # failures listed in one issue or comment
EXIT_GH_FAILED = 4


def classify(exit_code: str | int | None) -> str:
    """The night's result from the suite's exit code: 0 pass, 1 fail, anything else (or none) a tool error."""
    text = str(exit_code).strip() if exit_code is not None else ""
    if text == "0":
        return PASS
    if text == "1":
        return FAIL
    return TOOL_ERROR


def decide(open_issue: int | None, result: str) -> str:
    """What to do with the alert issue, given the open one (or None) and the night's result."""
    if result == PASS:
        return CLOSE if open_issue else NOTHING
    return COMMENT if open_issue else OPEN


def read_run(reports: Path) -> dict | None:
    """The suite's run.json, or None when the run stopped before writing it."""
    try:
        return json.loads((reports / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def failures_markdown(run: dict | None) -> str:
    """The run's failed and errored tests, each with its rule and the start of its detail."""
    if run is None:
        return "No `run.json`: the run stopped before writing its reports (see the workflow log).\n"
    broken = [test for test in run.get("tests", []) if test.get("outcome") in ("failed", "error")]
    if not broken:
        return f"No failed test recorded (verdict: {run.get('verdict', 'unknown')}).\n"
    lines = []
    for test in broken[:MAX_FAILURES]:
        detail = str(test.get("detail", "")).strip()
        if len(detail) > MAX_DETAIL:
            detail = detail[:MAX_DETAIL] + "\n… (cut; the full text is in the run's reports)"
        lines += [f"### {test['outcome'].upper()}: `{test.get('nodeid', '?')}`", "",
                  f"Rule: {test.get('rule', '')}", "", "```", detail.replace("```", "'''"), "```", ""]
    if len(broken) > MAX_FAILURES:
        lines.append(f"… and {len(broken) - MAX_FAILURES} more: see the run's reports.")
    return "\n".join(lines) + "\n"


def report_markdown(result: str, run: dict | None, run_url: str, night: str) -> str:
    """The text of a new issue or of a comment on the open one: the night's verdict, failures and run."""
    if result == FAIL:
        headline = "The production API broke the contract (exit 1)."
    else:
        status = run.get("exitStatus") if run else None
        headline = (f"The run could not judge the API: a tool error (exit {status if status is not None else '?'}), "
                    "not a contract failure. Check the settings, secrets and the target's availability.")
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted((run or {}).get("counts", {}).items()))
    lines = [f"**Night of {night}** · {headline}", ""]
    gaps = [gap for gap in (run or {}).get("gaps", []) if isinstance(gap, dict) and not gap.get("accepted")]
    if result != FAIL and gaps:
        lines[0] = (f"**Night of {night}** · The run could not judge the API (exit 4): the target's data or settings "
                    "leave checks unjudged. Not a contract failure; fix the data or settings, or accept the gap "
                    "knowingly (BCTRL_PROD_ACCEPT_GAPS).")
    lines += [f"- gap `{gap.get('name')}`: {gap.get('reason')}. Fix: {gap.get('fix')}." for gap in gaps]
    lines += [""] if gaps else []
    if counts:
        lines += [f"Tests: {counts}. Target: {run.get('target', '?')}, profile `{run.get('profile', '?')}`.", ""]
    if run_url:
        lines += [f"Run: {run_url}", ""]
    return redact("\n".join(lines) + "\n" + failures_markdown(run)
                  + "\nThis issue is closed by the first passing night.\n")


def redact(text: str) -> str:
    """Belt and braces: the reports are already redacted, but never let a key in the environment through."""
    key = os.environ.get("BCTRL_API_KEY", "")
    return text.replace(key, "[REDACTED]") if len(key) >= 4 else text


def gh_commands(action: str, result: str, open_issue: int | None, body: str, run_url: str,
                repo: str | None) -> list[tuple[list[str], str | None]]:
    """The `gh` commands (with the text each reads on stdin, if any) that carry out `action`."""
    where = ["--repo", repo] if repo else []
    if action == OPEN:
        return [
            (["gh", "label", "create", LABEL, *where, "--color", "B60205", "--force",
              "--description", "The nightly production smoke test is failing"], None),
            (["gh", "issue", "create", *where, "--title", TITLES[result], "--label", LABEL, "--body-file", "-"], body),
        ]
    if action == COMMENT:
        return [(["gh", "issue", "comment", str(open_issue), *where, "--body-file", "-"], body)]
    if action == CLOSE:
        note = f"The nightly smoke test passed again{f' ({run_url})' if run_url else ''}: closing."
        return [(["gh", "issue", "close", str(open_issue), *where, "--reason", "completed", "--comment", note], None)]
    return []


def find_open_issue(repo: str | None) -> int | None:
    """The open issue labelled `nightly-smoke` (the oldest, if there are several), or None."""
    where = ["--repo", repo] if repo else []
    done = subprocess.run(["gh", "issue", "list", *where, "--label", LABEL, "--state", "open", "--json", "number",
                           "--limit", "20"], capture_output=True, text=True, check=True)
    numbers = [item["number"] for item in json.loads(done.stdout or "[]")]
    return min(numbers) if numbers else None


def run_commands(commands: list[tuple[list[str], str | None]], dry_run: bool) -> None:
    for command, stdin in commands:
        if dry_run:
            print(shlex.join(command))
            if stdin is not None:
                print("  <<'BODY'\n" + stdin + "BODY")
        else:
            subprocess.run(command, input=stdin, text=True, check=True)


def _open_issue_argument(text: str) -> int | None:
    return None if text.lower() in ("none", "") else int(text)


def _default_run_url() -> str:
    parts = [os.environ.get(name, "") for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0]}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.nightly_alert", description=__doc__.split("\n")[0])
    parser.add_argument("--exit-code", required=True, help="the suite's exit code (empty: the run did not finish)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="the run's reports folder")
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY") or None, help="OWNER/NAME")
    parser.add_argument("--run-url", default=_default_run_url(), help="link to the workflow run")
    parser.add_argument("--open-issue", type=_open_issue_argument, default=argparse.SUPPRESS,
                        help="the open alert issue's number, or `none` (default: ask gh)")
    parser.add_argument("--dry-run", action="store_true", help="print the gh commands instead of running them")
    args = parser.parse_args(argv)

    result = classify(args.exit_code)
    try:
        open_issue = args.open_issue if "open_issue" in args else find_open_issue(args.repo)
        action = decide(open_issue, result)
        night = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        body = report_markdown(result, read_run(args.reports), args.run_url, night) if action != CLOSE else ""
        print(f"nightly alert: result {result}, open issue {open_issue or 'none'}: {action}")
        run_commands(gh_commands(action, result, open_issue, body, args.run_url, args.repo), args.dry_run)
    except (OSError, subprocess.CalledProcessError, ValueError) as error:
        print(f"nightly alert: gh failed ({error}); is GH_TOKEN set with issues: write?", file=sys.stderr)
        return EXIT_GH_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
