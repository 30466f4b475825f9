"""Who is let in and what is visible: the unauthenticated and notVisible statuses, the scheme word's case, and how
spellings of the path are refused."""

from __future__ import annotations

from ...contract import Contract
from ..findings import AGREES, DIFFERS, NOT_SHOWN, REVIEW, Finding
from ..probes import Observations
from .shared import is_refusal, status_choice


def unauthenticated(obs: Observations, contract: Contract) -> Finding:
    return status_choice("errorStatus.unauthenticated", contract.error_status("unauthenticated"),
                          {"no key": obs.no_key, "wrong key": obs.wrong_key, "key with extra characters":
                           obs.key_with_extra, "another key of the same shape": obs.key_of_the_same_shape})


def not_visible(obs: Observations, contract: Contract) -> Finding:
    exchanges = {"unknown runtime": obs.unknown_runtime}
    if obs.other_runtime is not None and is_refusal(obs.other_runtime):
        exchanges["another tenant's runtime"] = obs.other_runtime
    finding = status_choice("errorStatus.notVisible", contract.error_status("notVisible"),
                             exchanges)
    if obs.unknown_runtime.status == 200:
        finding.outcome = REVIEW
        finding.target = "an unknown runtime is served (200, an empty page) instead of refused"
    if obs.other_runtime is None:
        finding.target += " (another tenant's runtime not asked: BCTRL_OTHER_RUNTIME_ID is unset)"
    return finding


def scheme_case(obs: Observations, contract: Contract) -> Finding:
    line = "bearerSchemeCaseInsensitive"
    said = "true (any case)" if contract.scheme_case_insensitive else "false (only `Bearer`)"
    answers = {f"`{word} <key>`": e for word, e in obs.scheme_words.items()}
    shown = ", ".join(f"{name} {e.status}" for name, e in answers.items())
    evidence = list(answers.values())
    if all(e.status == 200 for e in evidence):
        insensitive = True
    elif all(is_refusal(e) for e in evidence):
        insensitive = False
    else:
        return Finding(line, said, f"{shown}: neither case-insensitive nor exactly `Bearer`", REVIEW, evidence)
    if insensitive == contract.scheme_case_insensitive:
        return Finding(line, said, shown, AGREES, evidence)
    return Finding(line, said, shown, DIFFERS, evidence, ("bearerSchemeCaseInsensitive", insensitive))


def path_refusals(obs: Observations, contract: Contract) -> Finding:
    """The statuses that refuse a runtime id of another shape and odd spellings of a runtime the key cannot see."""
    line = "pathSpellings.refusals"
    said = ", ".join(map(str, sorted(contract.path_refusal_statuses)))
    answers = {**({"a runtime id of another shape": obs.malformed_runtime} if obs.malformed_runtime else {}),
               **obs.path_spellings}
    if not answers:
        return Finding(line, said, "not asked", NOT_SHOWN)
    shown = ", ".join(f"{name} {e.status}" for name, e in answers.items())
    other = {e.status for e in answers.values() if 400 <= e.status < 500} - contract.path_refusal_statuses
    if any(not 400 <= e.status < 500 for e in answers.values() if e.status not in contract.path_redirect_statuses):
        return Finding(line, said, shown + " (a 2xx or 5xx is a violation)", REVIEW, list(answers.values()))
    if not other:
        return Finding(line, said, shown, AGREES, list(answers.values())[:2])
    refusals = list(contract.rules["pathSpellings"]["refusals"]) + sorted(other)
    return Finding(line, said, shown, DIFFERS, [e for e in answers.values() if e.status in other],
                   ("pathSpellings.refusals", refusals))
