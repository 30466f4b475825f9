"""The status filter: how several statuses are sent, the statuses runs have, how a status and an unknown
parameter are spelled."""

from __future__ import annotations

from ...contract import Contract
from ...inputs.query_spellings import resembled
from ...transport.exchange import Exchange
from ..findings import AGREES, DECIDE, DIFFERS, NOT_SHOWN, REVIEW, Finding
from ..probes import Observations, runs_of, union_applied
from .shared import is_refusal, own_pages, spelled


def status_list(obs: Observations, contract: Contract) -> Finding:
    line = "status.style"
    said = "repeated keys (status=a&status=b) mean any of them"
    union = obs.status_union
    if union is None:
        return Finding(line, said, "not shown: the data has runs in fewer than two statuses", NOT_SHOWN)
    label = "&".join(f"status={s}" for s in obs.union_statuses)
    if union_applied(union, obs.union_statuses):
        return Finding(line, said, f"{label} listed runs of both and no other", AGREES, [union])
    seen = sorted({str(run.get("status")) for run in runs_of(union)})
    shown = f"{label} answered {union.status} with runs in {', '.join(map(str, seen)) or 'no status'}"
    comma = obs.status_comma
    if comma is not None and union_applied(comma, obs.union_statuses):
        shown += f"; status={','.join(obs.union_statuses)} (one comma list) listed both"
    return Finding(line, said, shown + ": bctrl's SDKs send repeated keys, and the overlay has no other way to "
                   "say it", REVIEW, [e for e in (union, comma) if e is not None])


def statuses(obs: Observations, contract: Contract) -> Finding:
    """The status enum as far as the data shows it: never narrowed for a status no run has."""
    line = "status.enum"
    pages = own_pages(obs)
    seen = sorted({run.get("status") for page in pages for run in page.runs if isinstance(run, dict)}, key=str)
    unknown = [s for s in seen if s not in contract.statuses]
    unseen = [s for s in contract.statuses if s not in seen]
    shown = f"seen: {', '.join(map(str, seen)) or 'none'}"
    shown += f"; not seen: {', '.join(unseen)} (kept)" if unseen else ""
    if unknown:
        return Finding(line, ", ".join(contract.statuses), shown + "; outside the published enum: see the violations",
                       REVIEW, pages[:1])
    return Finding(line, ", ".join(contract.statuses), shown, AGREES if seen else NOT_SHOWN, pages[:1])


def status_outside_grammar(obs: Observations, contract: Contract) -> Finding:
    line, said = "queryGrammar.statusOutsideGrammar", contract.status_outside_grammar
    probes = obs.status_spellings
    if not probes:
        return Finding(line, said, "not asked", NOT_SHOWN)
    served = {name: e for name, e in probes.items() if e.status == 200}
    refused = {name: e for name, e in probes.items() if is_refusal(e)}
    lenient = contract.with_line("queryGrammar.statusOutsideGrammar", "lenient")
    unexplained = [name for name, e in served.items()
                   if not _statuses_within(e, resembled(lenient, obs.status_spelling_values[name]))]
    shown = spelled(served, refused, {name: [("status", v) for v in values]
                                       for name, values in obs.status_spelling_values.items()})
    if unexplained:
        return Finding(line, said, f"{shown}; served, but not filtered on the statuses they resemble: "
                       f"{', '.join(unexplained)}", REVIEW, [served[name] for name in unexplained][:3])
    if not served:
        return Finding(line, said, shown, AGREES if said == "refused" else NOT_SHOWN, list(refused.values())[:2])
    if said == "lenient":
        return Finding(line, said, shown, AGREES, list(served.values())[:3])
    return Finding(line, said, shown + ": the target reads them as the statuses they resemble. Accepting that is the "
                   "API team's decision: written as `lenient`", DECIDE, list(served.values())[:3],
                   ("queryGrammar.statusOutsideGrammar", "lenient"))


def unknown_parameters(obs: Observations, contract: Contract) -> Finding:
    line = "queryGrammar.unknownParameters"
    said = contract.rules["queryGrammar"]["unknownParameters"]
    answers = obs.unknown_parameters
    if not answers:
        return Finding(line, said, "not asked", NOT_SHOWN)
    ignored = {name for name, e in answers.items() if e.status == 200}
    refused = {name for name, e in answers.items() if e.status == contract.error_status("invalidQuery")}
    shown = ", ".join(f"{name} {answers[name].status}" for name in answers)
    if ignored | refused != set(answers):
        return Finding(line, said, shown, REVIEW, list(answers.values()))
    seen = ("ignored" if ignored else "") + ("-or-" if ignored and refused else "") + ("refused" if refused else "")
    allowed = contract.unknown_parameter_statuses
    agrees = (200 in allowed or not ignored) and (contract.error_status("invalidQuery") in allowed or not refused)
    return Finding(line, said, shown + " (an applied one is a violation)", AGREES if agrees else DIFFERS,
                   list(answers.values()), None if agrees else ("queryGrammar.unknownParameters", seen))


def _statuses_within(page: Exchange, statuses: frozenset[str]) -> bool:
    return bool(statuses) and {run.get("status") for run in runs_of(page)} <= statuses
