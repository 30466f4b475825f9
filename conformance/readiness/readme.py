"""The README's "What the target needs", generated from the checks' `needs` declarations (so the two cannot drift).

    python -m conformance.readiness             # print the section
    python -m conformance.readiness --write     # rewrite it in README.md (between its two marker comments)
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .. import readme
from ..catalogue import collect
from ..contract import Contract, load_contract
from ..settings import PROFILES
from .vocabulary import GAP_NAMES, fix_of, setting_of

BLOCK = "what-the-target-needs"


def declared(profile: str) -> dict[str, list]:
    """nodeid -> needs, for every check the profile runs (collected, not run)."""
    return {check.nodeid: list(check.needs) for check in collect(profile)}


def section(contract: Contract | None = None, by_profile: dict[str, dict[str, list]] | None = None) -> str:
    contract = contract or load_contract()
    by_profile = by_profile or {profile: declared(profile) for profile in PROFILES}
    needs = {profile: defaultdict(dict) for profile in PROFILES}  # profile -> gap -> requirement -> checks
    for profile, items in by_profile.items():
        for nodeid, declared_needs in items.items():
            for need in declared_needs:
                key = (need.weight(contract), need.requirement(contract))
                needs[profile][need.gap].setdefault(key, set()).add(nodeid)
    lines = ["", "Generated from the checks' `@pytest.mark.needs(...)` declarations for the default contract "
             "(`python -m conformance.readiness --write` rewrites this part). A check whose need is not met is not "
             "judged: the run names the gap and its fix and exits 4, unless the gap is accepted in "
             "`BCTRL_ACCEPT_GAPS`.", "",
             "| gap | setting | what the checks need | checks (gate / smoke) | fix |", "|---|---|---|---|---|"]
    for gap in GAP_NAMES:
        requirements = sorted(set(needs["gate"].get(gap, {})) | set(needs["smoke"].get(gap, {})))
        if not requirements:
            continue
        counts = " / ".join(str(len({check for checks in needs[profile].get(gap, {}).values() for check in checks}))
                            for profile in PROFILES)
        wanted = "<br>".join(f"- {requirement}" for _, requirement in requirements)  # one line each on GitHub
        lines.append(f"| `{gap}` | `{setting_of(gap)}` | {wanted} | {counts} | {fix_of(gap)} |")
    for profile, use in (("gate", "A staging gate (profile `gate`)"), ("smoke", "A production smoke run (profile "
                                                                                "`smoke`)")):
        settings = list(dict.fromkeys(setting_of(gap) for gap in GAP_NAMES if needs[profile].get(gap)))
        lines += ["", f"{use} is fully judged with {', '.join(f'`{s}`' for s in settings)} set as above."]
    return readme.block(BLOCK, "\n".join(lines + [""]))


def write(path: Path = readme.README, text: str | None = None) -> bool:
    """Rewrite the section in the README; True when it changed."""
    return readme.write(BLOCK, text or section(), path)


def in_readme(path: Path = readme.README) -> str | None:
    return readme.in_readme(BLOCK, path)
