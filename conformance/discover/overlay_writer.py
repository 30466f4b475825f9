"""Write what discovery found: an overlay to review and commit, and a short Markdown diff against the contract.

The overlay is the contract in force, verbatim (its comments kept), with its `extends:` made to resolve from where
the new file lives, and, when the target differs, a few actions appended last that set the discovered lines: in
Overlay 1.0 later actions win, so a reviewer reads every change in one place, and committing it changes only those.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from ..contract import RUNS_PATH, Contract, load_yaml, spec_extended_by
from ..contract.choices import CHOICES
from ..contract.model import ENVELOPE_SCHEMAS
from ..redaction import redact
from ..transport.exchange import Exchange
from .findings import AGREES, DECIDE, DIFFERS, NOT_PROBED, NOT_SHOWN, REVIEW, Discovery, Finding, said

OPERATION = f"$.paths['{RUNS_PATH}'].get"
LIMIT_SCHEMA = f"{OPERATION}.parameters[?@.name == 'limit'].schema"
RESPONSE_DESCRIPTIONS = {
    "invalidQuery": "A query value is invalid (limit, status or cursor).",
    "unauthenticated": "The API key is missing or invalid.",
    "notVisible": "The runtime does not exist or is not visible to this key (the same answer for both).",
}


# -- the overlay ----------------------------------------------------------------------------------------------------
def discovered_actions(changes: dict[str, object], contract: Contract) -> list[dict]:
    """Overlay actions that set each discovered choice; none when nothing differs."""
    rules: dict = {}
    responses: dict = {}
    for choice, value in changes.items():
        if choice.startswith("errorStatus."):
            kind = choice.split(".", 1)[1]
            rules.setdefault("errorStatus", {})[kind] = value
            if value not in contract.documented_statuses:
                responses[str(value)] = {"description": RESPONSE_DESCRIPTIONS[kind], "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BctrlError"}}}}
        elif not CHOICES[choice].label:  # an x-bctrl-contract line (a dot: a line inside a mapping)
            parent, _, key = choice.rpartition(".")
            (rules.setdefault(parent, {}) if parent else rules)[key] = value
    actions = []
    if rules or responses:
        update = {**({"responses": responses} if responses else {}), **({"x-bctrl-contract": rules} if rules else {})}
        actions.append({"target": OPERATION, "description": "Discovered: how the target refuses, authenticates, "
                        "orders, clamps, reads cursors and spellings.", "update": update})
    limit = {key: changes[f"limit.{key}"] for key in ("maximum", "default") if f"limit.{key}" in changes}
    if limit:
        actions.append({"target": LIMIT_SCHEMA, "description": "Discovered: the target's page sizes.",
                        "update": limit})
    if "errorEnvelopes" in changes:
        actions.append({"target": "$.components.schemas.BctrlError",
                        "description": "Discovered: the error envelope(s) the target uses.",
                        "update": {"oneOf": [{"$ref": f"#/components/schemas/{ENVELOPE_SCHEMAS[envelope]}"}
                                             for envelope in changes["errorEnvelopes"]]}})
    return actions


def overlay_text(active: Path, discovery: Discovery, contract: Contract, output: Path) -> str:
    """The contract in force with `extends` resolved from `output`'s folder and the discovered actions last."""
    text = _with_extends(active.read_text(encoding="utf-8"), _spec_reference(active, output))
    actions = discovered_actions(discovery.changes, contract)
    if not actions:
        return text
    header = ["", "  # ---- Discovered by `python -m conformance.discover` (evidence: discovered.md). These actions",
              "  # ---- come last, so they supersede what the actions above say on the same lines:"]
    header += [f"  #   {finding.point}: {finding.contract} -> {said(finding.change[1])}"
               for finding in discovery.findings if finding.change is not None]
    appended = "\n".join(header) + "\n" + actions_text(actions)
    combined = text.rstrip("\n") + "\n" + appended
    if _appended_cleanly(combined, active, actions):
        return combined
    # `actions` is not the overlay's last key: the text cannot simply be appended to, so write it from its data.
    document = load_yaml(active)
    document["extends"] = _spec_reference(active, output)
    document["actions"] = list(document.get("actions", [])) + actions
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=110, allow_unicode=True)


def actions_text(actions: list[dict]) -> str:
    """Overlay actions as YAML lines to append under an overlay's `actions:` (indented two spaces)."""
    dumped = yaml.safe_dump(actions, sort_keys=False, default_flow_style=False, width=110, allow_unicode=True)
    return "".join(f"  {line}\n" for line in dumped.splitlines())


def _spec_reference(active: Path, output: Path) -> str:
    spec = spec_extended_by(active).resolve()
    return Path(os.path.relpath(spec, output.resolve().parent)).as_posix()


def _with_extends(text: str, reference: str) -> str:
    line = f"extends: {reference}"
    if re.search(r"^extends:.*$", text, flags=re.MULTILINE):
        return re.sub(r"^extends:.*$", lambda _: line, text, count=1, flags=re.MULTILINE)
    return re.sub(r"^(overlay:.*)$", lambda match: f"{match.group(1)}\n{line}", text, count=1, flags=re.MULTILINE)


def _appended_cleanly(text: str, active: Path, actions: list[dict]) -> bool:
    try:
        written = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return written.get("actions") == list(load_yaml(active).get("actions", [])) + actions


# -- the Markdown diff ------------------------------------------------------------------------------------------------
def markdown(discovery: Discovery, *, target: str, contract_path: Path, overlay_path: Path, requests: int,
             budget: int, exit_status: int) -> str:
    differs, review = discovery.by_outcome(DIFFERS), discovery.by_outcome(REVIEW)
    lines = ["# What the target does, against the contract", "",
             f"Target: {target} · contract: `{contract_path}` · {requests} requests (GET only, budget {budget}) · "
             f"exit status {exit_status}", "", _verdict(discovery, overlay_path), ""]
    if discovery.violations:
        lines += ["## Violations: no contract may allow these (not written; the gate fails on them)", ""]
        for violation in discovery.violations:
            lines += [f"- **{violation.rule}**: {redact(violation.what)}",
                      f"  - answer: `{_code(violation.exchange.summary())}`",
                      f"  - reproduce: `{violation.exchange.curl()}`"]
        lines.append("")
    sections = [(DIFFERS, f"Differences: written to `{overlay_path.name}`", differs),
                (DECIDE, f"Decisions: written to `{overlay_path.name}`, for the API team to confirm (the target is "
                         "lenient where the contract is strict; set the line back and the gate fails on it)",
                 discovery.by_outcome(DECIDE)),
                (REVIEW, "For review: not written (the overlay has no line for it, or the data cannot settle it)",
                 review),
                (NOT_SHOWN, "Not shown by the data: the contract's line is kept", discovery.by_outcome(NOT_SHOWN)),
                (NOT_PROBED, "Not probed (GET only, a few requests): the contract's line is kept",
                 discovery.by_outcome(NOT_PROBED)),
                (AGREES, "Agrees with the contract", discovery.by_outcome(AGREES))]
    for outcome, title, findings in sections:
        if findings:
            render = _finding_line if outcome in (AGREES, NOT_SHOWN, NOT_PROBED) else _finding
            lines += [f"## {title}", ""] + [line for finding in findings for line in render(finding)] + [""]
    lines += ["## Next", "",
              f"1. Review the differences above and the actions at the end of `{overlay_path}`.",
              f"2. Run the gate under it: `BCTRL_CONTRACT={overlay_path} python -m pytest`.",
              "3. Commit it: copy it over `contract.overlay.yaml` (set `extends:` back to `openapi.yaml`), or commit "
              "it where it is and point `BCTRL_CONTRACT` at it in CI.", ""]
    return redact("\n".join(lines))


def _verdict(discovery: Discovery, overlay_path: Path) -> str:
    parts = []
    if discovery.violations:
        parts.append(f"**{len(discovery.violations)} violation(s)** that no contract may allow: reported, not written.")
    changes = len(discovery.by_outcome(DIFFERS))
    parts.append(f"{changes} difference(s) from the contract, written to `{overlay_path.name}`." if changes else
                 "No differences: on every point discovery probes, the target does what the contract says (or the "
                 "data cannot tell).")
    if discovery.by_outcome(DECIDE):
        parts.append(f"{len(discovery.by_outcome(DECIDE))} decision(s) written for the API team to confirm.")
    if discovery.by_outcome(REVIEW):
        parts.append(f"{len(discovery.by_outcome(REVIEW))} point(s) for review, not written.")
    unsettled = discovery.unsettled
    if unsettled:
        parts.append(f"{len(unsettled)} line(s) not settled: {', '.join(f.point for f in unsettled)}.")
    return " ".join(parts)


def _finding(finding: Finding) -> list[str]:
    lines = [f"### {finding.point}: {finding.outcome}", f"- the contract says: {finding.contract}",
             f"- the target did: {finding.target}"]
    if finding.change is not None:
        lines.append(f"- written: `{finding.change[0]}: {said(finding.change[1])}`")
    lines += [f"- evidence: `{exchange.curl()}` → {_status_line(exchange)}" for exchange in finding.evidence[:3]]
    return lines


def _finding_line(finding: Finding) -> list[str]:
    """One line: the point, both sides, and the first evidence."""
    evidence = (f" (`{finding.evidence[0].curl()}` → {_status_line(finding.evidence[0])})" if finding.evidence
                else "")
    return [f"- **{finding.point}**: the contract says {finding.contract}; the target did: {finding.target}{evidence}"]


def _status_line(exchange: Exchange) -> str:
    """Status and what matters of the body: the page's size, or the error's code."""
    if exchange.status == 200:
        runs = len(exchange.runs)
        return f"200, {runs} run{'' if runs == 1 else 's'}, nextCursor {'set' if exchange.next_cursor else 'null'}"
    body = exchange.json if isinstance(exchange.json, dict) else {}
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else body.get("code")
    if code:
        return f"{exchange.status} {code}"
    return f"`{_code(exchange.summary())}`"


def _code(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")
