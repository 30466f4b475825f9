"""What the smoke profile runs each night against production (GET and HEAD only, within its request budget): a
fixed core every night, and the rest of the gate's checks in a rotation by date, so that over any seven nights in a
row every check production allows runs at least once.

The core is the cases marked `smoke` (`cases(..., smoke=[...])`, or `@pytest.mark.smoke`): tenant isolation, one
walk across several pages, the refusals that matter most. Every other check a GET or HEAD can run (not marked
`gate_only`) has a night in the rotation (smoke_rotation.json, written by `python -m conformance.profiles --write`
from the requests each check sends under the smoke settings); on its night it runs one of its cases, the next one
each week, so its cases take turns. The report says which night ran and when each check last ran.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Mapping

import pytest

from . import readme_blocks
from .settings import NIGHTS

ROTATION_FILE = Path(__file__).with_name("smoke_rotation.json")


def cases(names: Iterable[str], smoke: Iterable[str] = (), marks: Mapping[str, list] | None = None) -> list:
    """`names` as pytest parameters (each its own id); those in `smoke` run in the smoke profile's core every night;
    `marks` adds a case's own marks (its data needs, say)."""
    smoke, names, marks = set(smoke), list(names), marks or {}
    unknown = smoke - set(names)
    if unknown:  # a renamed case must not silently leave the smoke set
        raise ValueError(f"smoke cases {sorted(unknown)} are not among {names}")
    return [pytest.param(name, id=name, marks=[*marks.get(name, []), *([pytest.mark.smoke] if name in smoke else [])])
            for name in names]


def check_of(nodeid: str) -> str:
    """The check a case belongs to: its node id without the case, relative to conformance/."""
    return nodeid.split("[")[0].removeprefix("conformance/")


@dataclass(frozen=True)
class Rotation:
    nights: tuple[tuple[str, ...], ...]  # night -> the checks that rotate in on it
    costs: Mapping[str, int]  # check -> requests its most expensive case sent when the rotation was written

    @classmethod
    def load(cls, path: Path = ROTATION_FILE) -> "Rotation":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(tuple(night) for night in data["nights"]), data.get("costs", {}))

    def night_of(self, day: date) -> int:
        return day.toordinal() % NIGHTS

    def night_of_check(self, check: str) -> int | None:
        return next((night for night, checks in enumerate(self.nights) if check in checks), None)

    def tonight(self, day: date, cases_by_check: Mapping[str, list[str]]) -> list[str]:
        """The case of each check rotating in on `day`'s night: the week's turn among its cases."""
        week = day.toordinal() // NIGHTS
        return [cases[week % len(cases)] for check in self.nights[self.night_of(day)]
                if (cases := cases_by_check.get(check))]

    def updated(self, costs: Mapping[str, int]) -> "Rotation":
        """This rotation with `costs` measured anew: every check keeps its night, a check no longer collected leaves,
        and a new one joins the night that sends least (so adding a check changes only the night it joins, and
        production's schedule stays as it was for every other check)."""
        shares = [[check for check in night if check in costs] for night in self.nights]
        load = [sum(costs[check] for check in share) for share in shares]
        placed = {check for share in shares for check in share}
        for check in sorted(set(costs) - placed, key=lambda name: (-costs[name], name)):
            night = min(range(len(shares)), key=lambda index: (load[index], index))
            shares[night].append(check)
            load[night] += costs[check]
        return Rotation(tuple(tuple(sorted(share)) for share in shares), costs)

    def last_ran(self, check: str, day: date) -> date | None:
        """The latest night on or before `day` when `check` rotated in."""
        night = self.night_of_check(check)
        return None if night is None else day - timedelta(days=(self.night_of(day) - night) % NIGHTS)


def rotating(items) -> dict[str, list]:
    """The checks that take turns (neither core nor gate-only nor whole-run), each with its cases, in order."""
    found: dict[str, list] = {}
    for item in items:
        if any(item.get_closest_marker(name) for name in ("smoke", "gate_only", "whole_run")):
            continue
        found.setdefault(check_of(item.nodeid), []).append(item)
    return found


def balanced(costs: Mapping[str, int], nights: int = NIGHTS) -> tuple[tuple[str, ...], ...]:
    """Checks shared out over the nights, the most expensive first, each to the night that sends least so far."""
    load, shares = [0] * nights, [[] for _ in range(nights)]
    for check in sorted(costs, key=lambda name: (-costs[name], name)):
        night = min(range(nights), key=lambda index: (load[index], index))
        shares[night].append(check)
        load[night] += costs[check]
    return tuple(tuple(sorted(share)) for share in shares)


# -- writing the rotation ---------------------------------------------------------------------------------------------
def measured_costs() -> dict[str, int]:
    """Each rotating check -> the requests its most expensive case sends under the smoke settings (one at a time,
    walks and fuzzing bounded as in production), measured against the embedded reference server."""
    import subprocess
    import sys
    import tempfile

    from .catalogue import SUITE, collect
    from .settings import SETTINGS

    smoke = {setting.env: _text(setting.defaults["smoke"]) for setting in SETTINGS
             if setting.env in ("BCTRL_MAX_WALK_RUNS", "BCTRL_MAX_WALK_PAGES", "BCTRL_FUZZ_EXAMPLES",
                                "BCTRL_FUZZ_COVERAGE", "BCTRL_CONCURRENCY")}
    rotating_checks = {check.nodeid for check in collect("gate")
                       if not (check.smoke or check.gate_only or check.whole_run)}
    with tempfile.TemporaryDirectory() as reports:
        env = {**{key: value for key, value in __import__("os").environ.items() if not key.startswith("BCTRL_")},
               **smoke, "BCTRL_REPORTS_DIR": reports}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SUITE)], env=env,
                       capture_output=True, check=False, cwd=SUITE.parent)
        tests = json.loads(Path(reports, "run.json").read_text(encoding="utf-8"))["tests"]
    costs: dict[str, int] = {}
    for test in tests:
        if test["nodeid"] in rotating_checks:
            check = check_of(test["nodeid"])
            costs[check] = max(costs.get(check, 0), test["requests"])
    return costs


def _text(value: object) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def write(path: Path = ROTATION_FILE, rebalance: bool = False) -> Rotation:
    """Measure, then write the rotation file: each check on the night it had (new checks on the nights that send
    least: Rotation.updated), or, with `rebalance` (or no file yet), every check shared out anew."""
    costs = measured_costs()
    rotation = (Rotation(balanced(costs), costs) if rebalance or not path.exists()
                else Rotation.load(path).updated(costs))
    path.write_text(json.dumps({"nights": [list(night) for night in rotation.nights],
                                "costs": dict(sorted(costs.items()))}, indent=2) + "\n", encoding="utf-8")
    return rotation


def table(rotation: Rotation) -> str:
    """The README's table: which checks rotate in on which night, and what they send."""
    lines = ["| night (1 + the date's ordinal mod 7) | checks that rotate in (one case each, the next case each week) | "
             "requests at most |", "|---|---|---|"]
    for night, checks in enumerate(rotation.nights):
        names = "<br>".join(f"`{check}` ({rotation.costs.get(check, 0)})" for check in checks)
        lines.append(f"| {night + 1} | {names} | {sum(rotation.costs.get(check, 0) for check in checks)} |")
    return "\n".join(lines)


README_BLOCK = "smoke-rotation"


def readme_block(rotation: Rotation) -> str:
    """The README's rotation table, between its markers (`--write` rewrites it with the rotation file)."""
    return readme_blocks.block(README_BLOCK, table(rotation))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m conformance.profiles",
                                     description="Print (or --write) the smoke profile's rotation by night.")
    parser.add_argument("--write", action="store_true",
                        help=f"measure the checks, write {ROTATION_FILE.name} and the README's table (each check "
                             "keeps its night; a new one joins the night that sends least)")
    parser.add_argument("--rebalance", action="store_true",
                        help="with --write: share every check out anew (moves checks between nights)")
    arguments = parser.parse_args()
    rotation = write(rebalance=arguments.rebalance) if arguments.write else Rotation.load()
    if arguments.write:
        readme_blocks.write(README_BLOCK, readme_block(rotation))
    print(table(rotation))
