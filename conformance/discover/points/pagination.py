"""The order of runs across pages and what cursors get: order, its tie-break, foreignCursor, cursorWithOtherQuery,
alteredCursor."""

from __future__ import annotations

from ...contract import Contract, Order
from ...representation import comparable
from ...transport.exchange import Exchange
from ..findings import AGREES, DECIDE, DIFFERS, NOT_SHOWN, REVIEW, Finding
from ..probes import Observations, runs_of


def order(obs: Observations, contract: Contract) -> Finding:
    return _read_order(obs, contract)[0][0]


def tie_break(obs: Observations, contract: Contract) -> Finding | None:
    """None where the primary order is not shown or differs: the tie-break is not read then."""
    findings = _read_order(obs, contract)[0]
    return findings[1] if len(findings) > 1 else None


def walk_order(obs: Observations, contract: Contract) -> Order | None:
    """The order to judge discovery's walk by (None: not shown, or not the contract's)."""
    return _read_order(obs, contract)[1]


def _read_order(obs: Observations, contract: Contract) -> tuple[list[Finding], Order | None]:
    """The primary order (not a choice discovery writes: the suite's live-data comparisons rely on it) and the
    tie-break (one is written), read from the biggest page served. Returns the order to judge the walk by."""
    said_order = contract.order
    reference = obs.reference_page
    runs = runs_of(reference.exchange) if reference else []
    evidence = [reference.exchange] if reference else []
    by, tie_by = said_order.by, said_order.tie_by or "id"
    direction = _direction([run.get(by) for run in runs])
    primary_said = f"{by} {'descending' if said_order.descending else 'ascending'}"
    if direction is None:
        return [Finding("order", primary_said, f"not shown ({len(runs)} runs on the biggest page)",
                        NOT_SHOWN, evidence)], None
    if direction != ("descending" if said_order.descending else "ascending"):
        return [Finding("order", primary_said, f"{by} {direction}: the overlay has no other line for "
                        "it (the suite's live-data comparisons assume new runs come first)", REVIEW, evidence)], None
    primary = Finding("order", primary_said, f"{by} {direction} on {len(runs)} runs", AGREES, evidence)
    tie_said = (f"{said_order.tie_by} {'descending' if said_order.tie_descending else 'ascending'}"
                if said_order.tie_by else "null (any stable order)")
    groups = _tie_groups(runs, by)
    line = "order.tieBreak"
    if not groups:
        order = said_order
        tie = Finding(line, tie_said, f"not shown: no two of the {len(runs)} runs share a {by}", NOT_SHOWN, evidence)
        return [primary, tie], order
    directions = {_direction([run.get(tie_by) for run in group], strict=True) for group in groups}
    seen = directions.pop() if len(directions) == 1 and None not in directions else None
    shown = (f"{tie_by} {seen} in all {len(groups)} groups of runs sharing a {by}" if seen
             else f"no one order by {tie_by} across {len(groups)} groups of runs sharing a {by}")
    agrees = said_order.tie_by is None or (seen is not None and said_order.tie_by == tie_by
                                           and said_order.tie_descending == (seen == "descending"))
    order = Order(by, said_order.descending, tie_by if seen else None, seen == "descending")
    if agrees:
        return [primary, Finding(line, tie_said, shown, AGREES, evidence)], said_order
    change = {"by": tie_by, "direction": seen} if seen else None
    return [primary, Finding(line, tie_said, shown, DIFFERS, evidence, ("order.tieBreak", change))], order


def _direction(values: list, strict: bool = False) -> str | None:
    """descending, ascending, or None (fewer than two distinct values, or neither)."""
    keys = [comparable(value) for value in values]
    try:
        pairs = list(zip(keys, keys[1:]))
        if not pairs or all(a == b for a, b in pairs):
            return None
        if all((a > b) if strict else (a >= b) for a, b in pairs):
            return "descending"
        if all((a < b) if strict else (a <= b) for a, b in pairs):
            return "ascending"
    except TypeError:  # values of different types: the schema check reports them
        return None
    return None


def _tie_groups(runs: list[dict], by: str) -> list[list[dict]]:
    key = Order(by, False, None, False).key
    groups, current = [], runs[:1]
    for previous, run in zip(runs, runs[1:]):
        try:
            same = key(previous) == key(run)
        except (TypeError, KeyError):  # a run without the field, or of another type: the schema check reports it
            same = False
        if same:
            current.append(run)
        else:
            if len(current) > 1:
                groups.append(current)
            current = [run]
    if len(current) > 1:
        groups.append(current)
    return groups


def foreign_cursor(obs: Observations, contract: Contract) -> Finding:
    line = "foreignCursor"
    said = " or ".join(sorted(contract.foreign_cursor_outcomes))
    answer = obs.foreign_cursor
    if answer is None:
        return Finding(line, said, "not asked: neither BCTRL_SECOND_RUNTIME_ID nor BCTRL_EMPTY_RUNTIME_ID is set",
                       NOT_SHOWN)
    outcome = _cursor_outcome(answer, contract)
    shown = f"the walk's first cursor, with its query, on {obs.foreign_runtime}: {outcome} ({answer.status})"
    if outcome in contract.foreign_cursor_outcomes:
        return Finding(line, said, shown, AGREES, [answer])
    if outcome in ("refused", "empty", "own-runs"):
        return Finding(line, said, shown, DIFFERS, [answer],
                       ("foreignCursor", sorted(contract.foreign_cursor_outcomes | {outcome})))
    return Finding(line, said, shown, REVIEW, [answer])


def _cursor_outcome(answer: Exchange, contract: Contract) -> str:
    if answer.status == contract.error_status("invalidQuery"):
        return "refused"
    if answer.status == 200:
        return "own-runs" if answer.runs else "empty"
    return f"status {answer.status}"


def _served_or_refused(sent: str, answers: dict[str, Exchange], contract: Contract) -> tuple[str, set[str]]:
    """What each answer was (served, refused as an invalid query, or another status), said, and the set of them."""
    seen = {name: ("served" if e.status == 200 else "refused" if e.status == contract.error_status("invalidQuery")
                   else f"status {e.status}") for name, e in answers.items()}
    return f"{sent} " + ", ".join(f"{name}: {what}" for name, what in seen.items()), set(seen.values())


def cursor_with_other_query(obs: Observations, contract: Contract) -> Finding:
    return _cursor_line("cursorWithOtherQuery", contract.cursor_with_other_query, obs.other_query_cursor,
                        "the walk's first cursor with", contract)


def altered_cursor(obs: Observations, contract: Contract) -> Finding:
    return _cursor_line("alteredCursor", contract.altered_cursor, obs.altered_cursor, "the walk's first cursor",
                        contract, differs=(DECIDE, ": the target's cursors are unsigned positions (an altered one names "
                                                   "another position). Whether that is by design or a signature never "
                                                   "checked, only the API team knows: written as `served`"))


def _cursor_line(line: str, allowed: frozenset[str], answers: dict[str, Exchange], sent: str, contract: Contract,
                 differs: tuple[str, str] = (DIFFERS, "")) -> Finding:
    """A line whose values are `served` and `refused`, settled by what the cursors sent got: agrees when every answer
    is one the line allows; else the outcome `differs` names (with its words), and the line with what was seen."""
    said = " or ".join(sorted(allowed))
    if not answers:
        return Finding(line, said, "not asked: the walk handed out no cursor", NOT_SHOWN)
    shown, outcomes = _served_or_refused(sent, answers, contract)
    if not outcomes <= {"served", "refused"}:
        return Finding(line, said, shown, REVIEW, list(answers.values()))
    if outcomes <= allowed:
        return Finding(line, said, shown, AGREES, list(answers.values()))
    outcome, words = differs
    return Finding(line, said, shown + words, outcome, list(answers.values()), (line, sorted(allowed | outcomes)))
