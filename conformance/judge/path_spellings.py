"""The verdict on an answer to a spelling of the runs path (conformance/inputs/path_spellings.py makes them): nothing
gets a 5xx; a spelling made from a runtime the key cannot see is never served (no 2xx, no run in any answer); a 200
for a spelling of the key's runtime lists only that runtime's runs; anything else is a refusal the overlay allows
(x-bctrl-contract.pathSpellings), with a body that shows no internals (a proxy's own body is fine), or a redirect,
followed on the same origin."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from ..contract import Contract
from ..inputs.path_spellings import FAMILY_NAMES, OWN, Spelling
from ..outcomes import ContractViolation
from ..transport.client import ApiClient
from ..transport.exchange import Exchange
from .live import missed_runs, unexplained_runs
from .response import error_body_problems, response_problems
from .walk import Walk

MAX_REDIRECTS = 2


# -- sending ----------------------------------------------------------------------------------------------------
def fetch(api: ApiClient, spelling: Spelling) -> list[Exchange]:
    """GET the spelling exactly; follow a redirect the overlay allows, on the same origin only (the key is not
    sent elsewhere), at most MAX_REDIRECTS times. The answers, first to last."""
    answers = [api.get_exactly(api.base_url + spelling.path)]
    while answers[-1].status in api.contract.path_redirect_statuses and len(answers) <= MAX_REDIRECTS:
        location = answers[-1].headers.get("Location")
        target = urljoin(answers[-1].url, location) if location else None
        if target is None or urlsplit(target)[:2] != urlsplit(api.base_url)[:2]:
            break
        answers.append(api.get_exactly(target))
    return answers


# -- the verdict ------------------------------------------------------------------------------------------------
def expect_spelling_answered(answers: list[Exchange], spelling: Spelling, contract: Contract,
                             reference: Walk) -> None:
    """Raise ContractViolation unless every answer is one the contract allows for this spelling. `reference` is
    a recent walk of the key's runtime: a run a 200 lists that it does not, older than its head, is foreign."""
    __tracebackhide__ = True
    for answer in answers:
        problems = list(spelling_problems(answer, spelling.family, contract, reference))
        if problems:
            allowed = ("200 with only its runs, " if spelling.family == OWN else "") + \
                f"a refusal ({', '.join(map(str, sorted(contract.path_refusal_statuses)))}: " \
                "x-bctrl-contract.pathSpellings.refusals) without runs, or a redirect"
            raise ContractViolation(
                f"{FAMILY_NAMES[spelling.family].capitalize()}, spelled {spelling.label}, gets an answer the "
                "contract allows:\n    - " + "\n    - ".join(problems),
                expected=allowed, actual=answer.summary(), exchange=answer)


def spelling_problems(answer: Exchange, family: str, contract: Contract, reference: Walk):
    """What is wrong with one answer to a spelling made from a runtime id of `family`."""
    if answer.status >= 500:
        yield f"a {answer.status}: nothing a client sends gets a 5xx"
        return
    if family != OWN and 200 <= answer.status < 300:
        yield (f"a {answer.status}: a path naming {FAMILY_NAMES[family]} is served, "
               f"with {len(answer.runs)} runs")
        return
    if answer.status in contract.path_redirect_statuses and answer.status not in contract.path_refusal_statuses:
        return  # followed if it stays on the origin: the next answer is judged
    if answer.status == 200 and family == OWN:
        yield from _own_page_problems(answer, contract, reference)
        return
    if answer.runs:
        yield f"a {answer.status} whose body lists {len(answer.runs)} runs"
    if answer.status not in contract.path_refusal_statuses:
        yield (f"status {answer.status} is neither a page of the runtime nor a refusal the overlay allows "
               "(x-bctrl-contract.pathSpellings.refusals; add there what a proxy in front of the API answers)")
        return
    yield from error_body_problems(answer.text, contract, answer.url)


def _own_page_problems(page: Exchange, contract: Contract, reference: Walk):
    problems = list(response_problems(page, contract))
    if problems:
        yield from problems
        return
    if reference.runs and not page.runs:
        yield "an empty page: a spelling of the key's runtime lists its runs, or is refused"
        return
    listed = Walk(runs=page.runs, pages=[page], complete=page.next_cursor is None)
    foreign = unexplained_runs(reference, listed, contract)
    if foreign:
        yield (f"{len(foreign)} runs that are not the runtime's (older than its newest run, absent from a walk of "
               f"it), first {foreign[0]['id']} ({foreign[0]['createdAt']})")
    missing = missed_runs(reference, listed, contract)
    if missing:
        yield f"{len(missing)} of the runtime's runs missing from the page, first {missing[0]['id']}"
