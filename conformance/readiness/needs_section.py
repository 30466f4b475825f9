"""The README's "What the target needs", generated from the checks' `needs` declarations (so the two cannot drift).

    python -m conformance.readiness             # print the section
    python -m conformance.readiness --write     # rewrite it in README.md (between its two marker comments)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from .. import readme_blocks
from ..catalogue import collect
from ..contract import Contract, load_contract
from ..settings import NIGHTS, week
from .vocabulary import GAP_NAMES, fix_of, setting_of

BLOCK = "what-the-target-needs"


def declared(profile: str, day: date | None = None) -> dict[str, list]:
    """nodeid -> needs, for every check the profile runs (collected, not run); the smoke's on `day`'s night."""
    return {check.nodeid: list(check.needs) for check in collect(profile, day)}


def declared_by_night() -> dict[str, list[dict[str, list]]]:
    """Each profile's declarations, night by night of the smoke's week (the gate runs the same checks every night)."""
    return {"gate": [declared("gate")], "smoke": [declared("smoke", day) for day in week()]}


def checks_by_gap(nights: list[dict[str, list]], contract: Contract) -> tuple[dict, dict, dict]:
    """gap -> {(weight, requirement): checks} over all nights; gap -> the checks in every night's run; gap -> the
    checks in some nights' runs only (the smoke's rotation)."""
    requirements: dict = defaultdict(dict)
    by_night: list[dict[str, set[str]]] = []
    for items in nights:
        gaps: dict[str, set[str]] = defaultdict(set)
        for nodeid, declared_needs in items.items():
            for need in declared_needs:
                requirements[need.gap].setdefault((need.weight(contract), need.requirement(contract)), set()).add(nodeid)
                gaps[need.gap].add(nodeid)
        by_night.append(gaps)
    every = {gap: set.intersection(*(night.get(gap, set()) for night in by_night)) for gap in requirements}
    some = {gap: set.union(*(night.get(gap, set()) for night in by_night)) - every[gap] for gap in requirements}
    return requirements, every, some


def section(contract: Contract | None = None, by_night: dict[str, list[dict[str, list]]] | None = None) -> str:
    contract = contract or load_contract()
    by_night = by_night or declared_by_night()
    counted = {profile: checks_by_gap(nights, contract) for profile, nights in by_night.items()}
    lines = ["", "Generated from the checks' `@pytest.mark.needs(...)` declarations for the default contract "
             "(`python -m conformance.readiness --write` rewrites this part). A check whose need is not met is not "
             "judged: the run names the gap and its fix and exits 4, unless the gap is accepted in "
             "`BCTRL_ACCEPT_GAPS`. The smoke's checks are counted over its whole week: those it runs every night, "
             f"and those its rotation runs on one night of the {NIGHTS}.", "",
             "| gap | setting | what the checks need | checks: gate / smoke (every night + on its night) | fix |",
             "|---|---|---|---|---|"]
    (gate_needs, gate_every, _), (smoke_needs, smoke_every, smoke_some) = counted["gate"], counted["smoke"]
    for gap in GAP_NAMES:
        requirements = sorted(set(gate_needs.get(gap, {})) | set(smoke_needs.get(gap, {})))
        if not requirements:
            continue
        counts = f"{len(gate_every.get(gap, ()))} / {len(smoke_every.get(gap, ()))} + {len(smoke_some.get(gap, ()))}"
        wanted = "<br>".join(f"- {requirement}" for _, requirement in requirements)  # one line each on GitHub
        lines.append(f"| `{gap}` | `{setting_of(gap)}` | {wanted} | {counts} | {fix_of(gap)} |")
    for profile, use in (("gate", "A staging gate (profile `gate`) is fully judged"),
                         ("smoke", "A production smoke run (profile `smoke`) is fully judged on every night of its week")):
        _, every, some = counted[profile]
        settings = list(dict.fromkeys(setting_of(gap) for gap in GAP_NAMES if every.get(gap) or some.get(gap)))
        lines += ["", f"{use} with {', '.join(f'`{s}`' for s in settings)} set as above."]
    return readme_blocks.block(BLOCK, "\n".join(lines + [""]))


def write(path: Path = readme_blocks.README, text: str | None = None) -> bool:
    """Rewrite the section in the README; True when it changed."""
    return readme_blocks.write(BLOCK, text or section(), path)


def in_readme(path: Path = readme_blocks.README) -> str | None:
    return readme_blocks.in_readme(BLOCK, path)
