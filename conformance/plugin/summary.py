"""The run's summary: `summary.md` (for $GITHUB_STEP_SUMMARY and people) and `run.json` (for tools)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..redaction import dumps_redacted, redact
from ..readiness.gaps import Gap
from .record import RunRecord
from .triage import markdown_lines

OUTCOMES = ("passed", "failed", "error", "skipped")


def write_summary(record: RunRecord, reports_dir: Path, *, target: str, profile: str, seed: int, exit_status: int,
                  verdict: str, whole_run: dict[str, str] | None = None, readiness: list[str] = (),
                  gaps: list[Gap] = (), readiness_data: dict | None = None, night: dict | None = None,
                  failures: dict | None = None) -> None:
    """`failures`: the failures bugs first, then by the decision that settles them (triage.py)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    failures = failures or {"bugs": [], "decisions": []}
    run = {"readiness": readiness_data or {}, "gaps": [gap.as_json() for gap in gaps],
           **_machine_readable(record, target, profile, seed, exit_status, verdict), "wholeRun": whole_run or {},
           "failures": failures, **({"smokeNight": night} if night else {})}
    (reports_dir / "run.json").write_text(dumps_redacted(run, indent=2), encoding="utf-8")
    text = _markdown(record, target, profile, seed, verdict, whole_run or {}, list(readiness), list(gaps),
                     markdown_lines(failures))
    if night:
        text += _night_lines(night)
    (reports_dir / "summary.md").write_text(redact(text), encoding="utf-8")


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


def _markdown(record: RunRecord, target: str, profile: str, seed: int, verdict: str, whole_run: dict[str, str],
              readiness: list[str], gaps: list[Gap], failures: list[str]) -> str:
    lines = [
        f"# bctrl runs API conformance: {verdict}",
        "",
        *failures,
        *[f"{line[0].upper()}{line[1:]}" + "  " for line in readiness],
        *([""] if readiness else []),
        *_gap_lines(gaps),
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
    skipped = [result for result in record.results if result.outcome == "skipped"]  # gaps' reasons included
    if skipped:
        lines += ["", "## Skipped", ""] + [f"- `{result.nodeid}`: {result.detail}" for result in skipped]
    if record.retried:
        lines += ["", "## Retried requests", ""] + [f"- {line}" for line in record.retried]
    broken = [result for result in record.results if result.outcome in ("failed", "error")]
    for result in broken:
        lines += ["", f"## {result.outcome.upper()}: `{result.nodeid}`", "", "```", result.detail.strip(), "```"]
    return "\n".join(lines) + "\n"


def _night_lines(night: dict) -> str:
    """The smoke night: which share of the rotation ran, and when each rotating check last ran."""
    lines = ["", f"## Smoke night {night['day']}: night {night['night']} of {night['nights']} of the rotation", "",
             "Ran tonight, besides the core: " + (", ".join(f"`{nodeid}`" for nodeid in night["rotated"]) or "none"),
             "", "| check | last ran (its night, on or before tonight) |", "|---|---|"]
    lines += [f"| `{check}` | {day} |" for check, day in night["lastRan"].items()]
    if night["unassigned"]:
        lines += ["", "Without a night in the rotation (`python -m conformance.profiles --write`): "
                  + ", ".join(f"`{check}`" for check in night["unassigned"])]
    return "\n".join(lines) + "\n"


def _gap_lines(gaps: list[Gap]) -> list[str]:
    """Each gap: not judged (the run is not green) or accepted (named in the verdict), its reason and its fix."""
    if not gaps:
        return []
    lines = ["## Not judged: gaps in the target's data or settings", ""]
    for gap in gaps:
        state = "accepted (BCTRL_ACCEPT_GAPS)" if gap.accepted else "**not accepted**"
        lines.append(f"- `{gap.name}`, {state}, {len(gap.checks)} checks: {gap.reason}. Fix: {gap.fix}.")
        lines += [f"  - {need}" for need in gap.needs[:-1]]
    return lines + [""]
