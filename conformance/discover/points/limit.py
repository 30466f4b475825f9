"""Page sizes and how a limit is spelled: the limit schema's default, minimum and maximum, limitAboveMaximum,
and the limit lines of queryGrammar."""

from __future__ import annotations

from ...contract import Contract
from ...inputs.query_spellings import lenient_sizes
from ..findings import AGREES, DECIDE, DIFFERS, NOT_SHOWN, REVIEW, Finding
from ..probes import LIMIT_CEILING, Observations
from .shared import is_refusal, runs_said, size_fits, spelled


# The lines read from page sizes: a target whose pages break their limit says nothing trustworthy of them.
READ_FROM_PAGE_SIZES = ("limit.default", "limit.minimum", "limit.maximum", "limitAboveMaximum")


def default_limit(obs: Observations, contract: Contract) -> Finding:
    line, said = "limit.default", str(contract.limit_default)
    page = obs.first_page
    size = len(page.runs)
    if page.status != 200:
        return Finding(line, said, f"a page without limit was answered {page.status}", REVIEW, [page])
    if page.next_cursor is not None:
        outcome = AGREES if size == contract.limit_default else DIFFERS
        return Finding(line, said, f"{size} runs without a limit, while more remain", outcome, [page],
                       ("limit.default", size) if outcome == DIFFERS else None)
    if size <= contract.limit_default:
        return Finding(line, said, f"the runtime's {size} runs fit on one page: the default is at least {size}",
                       NOT_SHOWN, [page])
    return Finding(line, said, f"{size} runs on one page without a limit (all of them): the default is at least "
                   f"{size}; set it by hand", REVIEW, [page])


def minimum(obs: Observations, contract: Contract) -> Finding:
    line, said = "limit.minimum", f"{contract.limit_min} (below it: refused)"
    one, zero = obs.limit_one, obs.bad_queries["limit-zero"]
    if one.status == 200 and len(one.runs) <= 1 and is_refusal(zero):
        return Finding(line, said, f"limit=1 served, limit=0 refused {zero.status}", AGREES, [one, zero])
    return Finding(line, said, f"limit=1 answered {one.status} ({runs_said(one.runs)}), limit=0 answered "
                   f"{zero.status}", REVIEW, [one, zero])


def maximum(obs: Observations, contract: Contract) -> Finding:
    return _maximum_and_above(obs, contract)[0]


def above_maximum(obs: Observations, contract: Contract) -> Finding:
    return _maximum_and_above(obs, contract)[1]


def _maximum_and_above(obs: Observations, contract: Contract) -> tuple[Finding, Finding]:
    """The maximum limit and what happens past it, from the search's answers."""
    line, said = "limit.maximum", str(contract.limit_max)
    above_line, above_said = "limitAboveMaximum", contract.limit_above_maximum
    search = obs.limit_search
    clamped = next((probe for probe in search if probe.answer == "clamped"), None)
    accepted = [probe.asked for probe in search if probe.answer in ("full", "short")]
    accepted += [1] if obs.limit_one.status == 200 else []
    refused = [probe for probe in search if probe.answer == "refused"]
    first_refused = min(refused, key=lambda probe: probe.asked, default=None)
    if clamped is not None:
        maximum, above, evidence = len(clamped.exchange.runs), "clamp", [clamped.exchange]
        shown = f"limit={clamped.asked} served {maximum} runs while more remain"
    elif first_refused is not None and accepted and first_refused.asked == max(accepted) + 1:
        maximum, above = max(accepted), "refuse"
        evidence = [p.exchange for p in search if p.asked == maximum] + [first_refused.exchange]
        shown = f"limit={maximum} served, limit={maximum + 1} refused {first_refused.exchange.status}"
    else:
        highest = max((p for p in search if p.answer in ("full", "short")), key=lambda p: p.asked, default=None)
        shown = (f"every limit asked was served, up to limit={highest.asked} ({runs_said(highest.exchange.runs)}, all "
                 f"the runtime holds): where a maximum or a clamp starts, the data cannot show (discovery asks no more "
                 f"than {LIMIT_CEILING}); set both by hand" if highest and not refused
                 else "the answers did not settle it (see the evidence)")
        return (Finding(line, said, shown, REVIEW, [p.exchange for p in search]),
                Finding(above_line, above_said, "not shown", REVIEW))
    max_outcome = AGREES if maximum == contract.limit_max else DIFFERS
    above_outcome = AGREES if above == contract.limit_above_maximum else DIFFERS
    return (Finding(line, said, f"{maximum}: {shown}", max_outcome, evidence,
                    ("limit.maximum", maximum) if max_outcome == DIFFERS else None),
            Finding(above_line, above_said, f"{above}: {shown}", above_outcome, evidence,
                    ("limitAboveMaximum", above) if above_outcome == DIFFERS else None))


def limit_outside_grammar(obs: Observations, contract: Contract) -> Finding:
    """Limits spelled otherwise (a sign, spaces, a point, an exponent, a prefix, letters, separators, other digits,
    a repeated key): refused, or served as a common parser reads them (lenient: a decision, written for review)."""
    line, said = "queryGrammar.limitOutsideGrammar", contract.limit_outside_grammar
    probes = {name: e for name, e in obs.limit_spellings.items() if name != "leading-zero"}
    if not probes:
        return Finding(line, said, "not asked", NOT_SHOWN)
    served = {name: e for name, e in probes.items() if e.status == 200}
    refused = {name: e for name, e in probes.items() if is_refusal(e)}
    lenient = contract.with_line("queryGrammar.limitOutsideGrammar", "lenient")
    unexplained = [name for name, e in served.items()
                   if not size_fits(e, lenient_sizes(lenient, obs.limit_spelling_pairs[name]))]
    shown = spelled(served, refused, obs.limit_spelling_pairs)
    if unexplained:
        return Finding(line, said, f"{shown}; served, but not as any common parser reads them: "
                       f"{', '.join(unexplained)}", REVIEW, [served[name] for name in unexplained][:3])
    if not served:
        return Finding(line, said, shown, AGREES if said == "refused" else NOT_SHOWN, list(refused.values())[:2])
    if said == "lenient":
        return Finding(line, said, shown, AGREES, list(served.values())[:3])
    return Finding(line, said, shown + ": the target reads them as a common number parser does. Accepting that "
                   "is the API team's decision, not a bug the suite can see: written as `lenient`; set it back to "
                   "`refused` and the gate fails on it", DECIDE, list(served.values())[:3],
                   ("queryGrammar.limitOutsideGrammar", "lenient"))


def leading_zeros(obs: Observations, contract: Contract) -> Finding:
    line = "queryGrammar.limitLeadingZeros"
    said = contract.rules["queryGrammar"]["limitLeadingZeros"]
    answer = obs.limit_spellings.get("leading-zero")
    if answer is None:
        return Finding(line, said, "not asked", NOT_SHOWN)
    value = str(obs.limit_spelling_pairs["leading-zero"][0][1])
    if answer.status == 200 and size_fits(answer, {int(value)}):
        outcome = AGREES if 200 in contract.leading_zeros_limit_statuses else DIFFERS
        return Finding(line, said, f"limit={value} served as {int(value)}", outcome, [answer],
                       ("queryGrammar.limitLeadingZeros", "accepted-or-refused") if outcome == DIFFERS else None)
    if answer.status == contract.error_status("invalidQuery"):
        outcome = AGREES if answer.status in contract.leading_zeros_limit_statuses else DIFFERS
        return Finding(line, said, f"limit={value} refused {answer.status}", outcome, [answer],
                       ("queryGrammar.limitLeadingZeros", "accepted-or-refused") if outcome == DIFFERS else None)
    return Finding(line, said, f"limit={value} answered {answer.status} with {runs_said(answer.runs)} (see the "
                   "violations)", REVIEW, [answer])
