"""Write the matrix as Markdown (reports/fault-matrix.md) and JSON (reports/fault-matrix.json)."""

from __future__ import annotations

import json
from pathlib import Path

from reference_server import FAULTS

from .matrix import Matrix

TITLES = {
    "suite": "conformance suite",
    "schemathesis-published": "Schemathesis alone, published openapi.yaml",
    "schemathesis-effective": "Schemathesis alone, effective contract",
}


def side_by_side(matrix: Matrix) -> list[str]:
    """One table: per contender, false alarms on the clean server, faults caught, wall time, requests."""
    lines = ["| | " + " | ".join(TITLES[c] for c in matrix.contenders) + " |",
             "|---|" + "---|" * len(matrix.contenders)]
    rows = {
        "false alarm on the clean server": lambda c: "yes" if matrix.outcome(c, None).exit_code != 0 else "no",
        f"faults caught (of {len(matrix.faults)})": lambda c: str(sum(matrix.outcome(c, f).caught
                                                                      for f in matrix.faults)),
        "wall time, all runs (s)": lambda c: f"{_total(matrix, c, 'seconds'):.0f}",
        "requests, all runs": lambda c: str(int(_total(matrix, c, "requests"))),
    }
    for label, cell in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(c) for c in matrix.contenders) + " |")
    return lines


def _total(matrix: Matrix, contender: str, attribute: str) -> float:
    return sum(getattr(matrix.outcome(contender, fault), attribute) for fault in [None, *matrix.faults])


def markdown(matrix: Matrix) -> str:
    lines = ["# Fault matrix", "", f"Measured in one run of `python -m fault_matrix` ({matrix.seconds:.0f} s wall, "
             "two at a time).", "", *side_by_side(matrix), "", "## Each fault", "",
             "| fault | area | what is wrong | "
             + " | ".join(TITLES[c] for c in matrix.contenders)
             + " | suite: requests / s to first failure | suite: failed tests |",
             "|---|---|---|" + "---|" * len(matrix.contenders) + "---|---|"]
    for fault in [None, *matrix.faults]:
        info = FAULTS[fault] if fault else None
        cells = [_cell(matrix.outcome(c, fault), fault) for c in matrix.contenders]
        suite = matrix.outcomes.get(("suite", fault))
        first = suite.first_failure if suite else None
        first_text = f"{first['requests']} / {first['seconds']}" if first else "-"
        failed = ", ".join(f"`{test.split('::')[-1]}`" for test in suite.failed_tests) if suite else ""
        lines.append(f"| {fault or '(clean server)'} | {info.area if info else ''} | "
                     f"{info.description if info else 'no fault'} | " + " | ".join(cells) +
                     f" | {first_text} | {failed or '-'} |")
    return "\n".join(lines) + "\n"


def _cell(outcome, fault: str | None) -> str:
    """pass / FALSE ALARM on the clean server; caught / missed (nothing new beyond the clean run) / error."""
    if fault is None:
        return "pass" if outcome.exit_code == 0 else f"FALSE ALARM (exit {outcome.exit_code})"
    if outcome.caught:
        return "caught"
    return "missed" if outcome.exit_code in (0, 1) else f"error (exit {outcome.exit_code})"


def machine_readable(matrix: Matrix) -> dict:
    return {
        "seconds": round(matrix.seconds, 1),
        "faults": {fault: {"area": FAULTS[fault].area, "description": FAULTS[fault].description} for fault in
                   matrix.faults},
        "outcomes": [
            {"contender": o.contender, "fault": o.fault, "exitCode": o.exit_code, "caught": o.caught,
             "seconds": round(o.seconds, 2), "requests": o.requests, "failedTests": o.failed_tests,
             "firstFailure": o.first_failure}
            for o in matrix.outcomes.values()
        ],
    }


def write_reports(matrix: Matrix, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / "fault-matrix.md", folder / "fault-matrix.json"
    md.write_text(markdown(matrix), encoding="utf-8")
    js.write_text(json.dumps(machine_readable(matrix), indent=2), encoding="utf-8")
    return md, js
