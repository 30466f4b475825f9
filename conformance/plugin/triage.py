"""The run's failures sorted by what settles them, for the reports to say first: the ones no overlay line is known to
settle (bugs to fix first), then each decision, a line of the overlay the API team may choose otherwise and under which its
failures would pass, with the overlay action that records it (written as discovery writes it). Each failure keeps
its own block below; the run still fails: the overlay in force is what the team reviewed."""

from __future__ import annotations

from ..contract import Contract
from ..discover.overlay_writer import actions_text, discovered_actions
from ..outcomes import Decision, by_decision

LISTED = 5  # checks named per group; the rest are counted (every failure has its own block below)
DISCOVER = "python -m conformance.discover"


def triage(failed: dict[str, Decision | None], contract: Contract) -> dict:
    """{"bugs": [node ids], "decisions": [{line, value, setting, reading, checks, overlay}]}, as run.json keeps it."""
    bugs, groups = by_decision(failed)
    return {"bugs": bugs, "decisions": [
        {"line": decision.line, "value": decision.value, "setting": decision.setting, "reading": decision.reading,
         "checks": checks, "overlay": actions_text(discovered_actions({decision.line: decision.value}, contract))}
        for decision, checks in groups]}


def _headline(group: dict) -> str:
    count = len(group["checks"])
    return (f"{count} failure{'s are' if count != 1 else ' is'} one decision: `{group['setting']}`: the target "
            f"{group['reading'].removeprefix('it ')}")


def _named(checks: list[str]) -> str:
    more = len(checks) - LISTED
    return ", ".join(f"`{check}`" for check in checks[:LISTED]) + (f", and {more} more" if more > 0 else "")


def terminal_lines(sorted_failures: dict) -> list[str]:
    """Bugs first, then each decision and the overlay action that settles it."""
    bugs, lines = sorted_failures["bugs"], []
    if bugs and sorted_failures["decisions"]:
        lines.append(f"{len(bugs)} failure{'s' if len(bugs) != 1 else ''} no overlay line is known to settle (bugs to "
                     "fix first): " + _named(bugs).replace("`", ""))
    for group in sorted_failures["decisions"]:
        lines += [f"{_headline(group).replace('`', '')}. If that is intended, run discovery ({DISCOVER}) or append "
                  "this action to the overlay's actions (BCTRL_CONTRACT):", group["overlay"].rstrip("\n")]
    return lines


def markdown_lines(sorted_failures: dict) -> list[str]:
    """summary.md's opening sections: bugs first, then each decision with its overlay action."""
    bugs, lines = sorted_failures["bugs"], []
    if not sorted_failures["decisions"]:
        return []
    if bugs:
        lines += [f"## {len(bugs)} failure{'s' if len(bugs) != 1 else ''} no overlay line is known to settle: bugs to "
                  "fix first", "",
                  _named(bugs), ""]
    for group in sorted_failures["decisions"]:
        lines += [f"## {_headline(group)}", "",
                  f"A choice the contract leaves to the API team, made otherwise than the overlay says. If that is "
                  f"intended, run discovery (`{DISCOVER}`) or append this action to the overlay's `actions:` "
                  f"(`BCTRL_CONTRACT`); its checks: {_named(group['checks'])}.", "",
                  "```yaml", group["overlay"].rstrip("\n"), "```", ""]
    return lines
