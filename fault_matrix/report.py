"""Write the matrix as Markdown (reports/fault-matrix.md) and JSON (reports/fault-matrix.json)."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.contract import load_contract
from reference_server import FAULTS

from .coverage import coverage, machine_readable as coverage_json, write_coverage
from .designated import CATCHER
from .matrix import WORKERS, Matrix

TITLES = {
    "suite": "conformance suite",
    "smoke": "suite, smoke profile",
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
        "faults a GET can reveal, caught": lambda c: _get_revealable_caught(matrix, c),
        "wall time, all runs (s)": lambda c: f"{_total(matrix, c, 'seconds'):.0f}",
        "requests, all runs": lambda c: str(int(_total(matrix, c, "requests"))),
    }
    for label, cell in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(c) for c in matrix.contenders) + " |")
    return lines


def _get_revealable_caught(matrix: Matrix, contender: str) -> str:
    revealable = [fault for fault in matrix.faults if FAULTS[fault].revealed_by_get]
    caught = sum(matrix.outcome(contender, fault).caught for fault in revealable)
    return f"{caught} of {len(revealable)} ({100 * caught / max(len(revealable), 1):.0f}%)"


def failed_checks(outcome) -> set[str]:
    """The checks (`area/test_file.py::test_name`, cases folded) that failed in one run."""
    return {test.removeprefix("conformance/").split("[")[0] for test in outcome.failed_tests}


def designated_check_failed(outcome) -> bool:
    """The fault's designated check is among the suite's failures (not just any check); for a bug the suite cannot
    tell from a wrong setting, the run named its gap as possibly the API's failure instead (Outcome.caught)."""
    if outcome.fault in FAULTS and FAULTS[outcome.fault].suspect_gap:
        return outcome.caught
    return CATCHER.get(outcome.fault) in failed_checks(outcome)


def _total(matrix: Matrix, contender: str, attribute: str) -> float:
    return sum(getattr(matrix.outcome(contender, fault), attribute) for fault in [None, *matrix.faults])


def markdown(matrix: Matrix) -> str:
    lines = ["# Fault matrix", "", f"Measured in one run of `python -m fault_matrix` ({matrix.seconds:.0f} s wall, "
             f"{WORKERS} at a time).", "", *side_by_side(matrix), "", "## Each fault", "",
             "| fault | area | class | what is wrong | "
             + " | ".join(TITLES[c] for c in matrix.contenders)
             + " | suite: requests / s to first failure | suite: failed tests |",
             "|---|---|---|---|" + "---|" * len(matrix.contenders) + "---|---|"]
    for fault in [None, *matrix.faults]:
        info = FAULTS[fault] if fault else None
        cells = [_cell(matrix.outcome(c, fault), fault) for c in matrix.contenders]
        suite = matrix.outcomes.get(("suite", fault))
        first = suite.first_failure if suite else None
        first_text = f"{first['requests']} / {first['seconds']}" if first else "-"
        failed = ", ".join(f"`{test.split('::')[-1]}`" for test in suite.failed_tests) if suite else ""
        klass = (str(info.blind_spot or "") + (f" ({', '.join(info.needs)})" if info.needs else "")) if info else ""
        lines.append(f"| {fault or '(clean server)'} | {info.area if info else ''} | {klass} | "
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
        "faults": {fault: {"area": FAULTS[fault].area, "description": FAULTS[fault].description,
                           "rules": list(FAULTS[fault].rules), "class": FAULTS[fault].blind_spot,
                           "needs": list(FAULTS[fault].needs), "designatedCheck": CATCHER.get(fault)}
                   for fault in matrix.faults},
        "coverage": coverage_json(coverage(load_contract())),
        "outcomes": [
            {"contender": o.contender, "fault": o.fault, "exitCode": o.exit_code, "caught": o.caught,
             "seconds": round(o.seconds, 2), "requests": o.requests, "failedTests": o.failed_tests,
             "designatedCheckFailed": designated_check_failed(o) if o.fault and o.contender == "suite" else None,
             "firstFailure": o.first_failure}
            for o in matrix.outcomes.values()
        ],
    }


def write_reports(matrix: Matrix, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / "fault-matrix.md", folder / "fault-matrix.json"
    md.write_text(markdown(matrix), encoding="utf-8")
    js.write_text(json.dumps(machine_readable(matrix), indent=2), encoding="utf-8")
    write_coverage(coverage(load_contract()), folder)
    return md, js
