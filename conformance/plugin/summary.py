"""The run's summary: `summary.md` (for $GITHUB_STEP_SUMMARY and people) and `run.json` (for tools)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..harness.redaction import redact
from .record import RunRecord

OUTCOMES = ("passed", "failed", "error", "skipped")


def write_summary(record: RunRecord, reports_dir: Path, *, target: str, profile: str, seed: int, exit_status: int,
                  verdict: str, whole_run: dict[str, str] | None = None) -> None:
    reports_dir.mkdir(parents=True, exist_ok=True)
    run = {**_machine_readable(record, target, profile, seed, exit_status, verdict), "wholeRun": whole_run or {}}
    (reports_dir / "run.json").write_text(redact(json.dumps(run, indent=2)), encoding="utf-8")
    (reports_dir / "summary.md").write_text(redact(_markdown(record, target, profile, seed, verdict, whole_run or {})),
                                            encoding="utf-8")


def _machine_readable(record: RunRecord, target: str, profile: str, seed: int, exit_status: int, verdict: str) -> dict:
    return {
        "target": target,
        "profile": profile,
        "seed": seed,
        "verdict": verdict,
        "exitStatus": exit_status,
        "requests": record.requests,
        "retries": record.retries,
        "seconds": round(record.duration, 2),
        "firstFailure": record.first_failure,
        "counts": dict(Counter(result.outcome for result in record.results)),
        "tests": [result.__dict__ for result in record.results],
    }


def _markdown(record: RunRecord, target: str, profile: str, seed: int, verdict: str, whole_run: dict[str, str]) -> str:
    lines = [
        f"# bctrl runs API conformance: {verdict}",
        "",
        f"Target: {target} · profile `{profile}` · {record.requests} requests, {record.retries} retried · "
        f"{record.duration:.1f} s · seed {seed} (`BCTRL_SEED`)",
        "",
        *([f"Whole run: {whole_run['runs']}; {whole_run['answers']}", ""] if whole_run else []),
        "| contract area | passed | failed | errors | skipped | requests | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for area in sorted({result.area for result in record.results}):
        results = [result for result in record.results if result.area == area]
        counts = Counter(result.outcome for result in results)
        lines.append(f"| {area} | " + " | ".join(str(counts.get(outcome, 0)) for outcome in OUTCOMES)
                     + f" | {sum(r.requests for r in results)} | {sum(r.duration for r in results):.1f} |")
    skipped = [result for result in record.results if result.outcome == "skipped"]
    if skipped:
        lines += ["", "## Skipped", ""] + [f"- `{result.nodeid}`: {result.detail}" for result in skipped]
    if record.retried:
        lines += ["", "## Retried requests", ""] + [f"- {line}" for line in record.retried]
    broken = [result for result in record.results if result.outcome in ("failed", "error")]
    for result in broken:
        lines += ["", f"## {result.outcome.upper()}: `{result.nodeid}`", "", "```", result.detail.strip(), "```"]
    return "\n".join(lines) + "\n"
