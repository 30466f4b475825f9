"""Conditional requests (If-None-Match, If-Modified-Since, RFC 9110 §13): whether the API sends validators is its
choice; either way a condition never gets around authentication or tenant isolation, and a 304 only ever stands for
the page its validator names. Where the API sends no validator, the check sends one it could not have made (and
`*`), which no page may match but the one it names."""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect
from conformance.judge.response import check_response
from conformance.judge.response import judged
from conformance.profiles import cases
from conformance.readiness import crossing, empty_runtime, other_tenant
from conformance.representation import server_time
from conformance.transport.client import page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

FABRICATED_ETAG = '"conformance-not-a-validator"'
FAR_FUTURE = "Fri, 31 Dec 2100 23:59:59 GMT"  # If-Modified-Since later than any change: a 304 if validators are kept
CASES = ("no-key", "another-tenants-runtime", "another-runtimes-page", "another-querys-page", "the-same-page")


def _strong_date(page) -> bool:
    """The page's Last-Modified lies a second or more before its Date (RFC 9110 §8.8.2.2): any later change
    falls in a later second, so If-Modified-Since can tell it. Without a Last-Modified, the far-future date is sent."""
    modified, date = server_time(page.headers.get("Last-Modified")), server_time(page.headers.get("Date"))
    return modified is None and page.headers.get("Last-Modified") is None or (
        modified is not None and date is not None and date - modified >= 1)


def _conditions(page) -> dict[str, str]:
    """The page's own validators as conditions; where it has none, a tag and a date no validator matches."""
    etag, modified = page.headers.get("ETag"), page.headers.get("Last-Modified")
    return {"If-None-Match": etag or FABRICATED_ETAG, "If-Modified-Since": modified or FAR_FUTURE}


@pytest.mark.rule("http.conditional", "auth.before-validation", "tenant.isolation")
@pytest.mark.parametrize("case", cases(CASES, marks={
    "another-tenants-runtime": [pytest.mark.needs(other_tenant())],
    "another-runtimes-page": [pytest.mark.needs(empty_runtime())]}))
def test_a_condition_never_gets_around_authentication_or_isolation(api, contract, target, unknown_runtime_id, case):
    """A conditional request without a key is refused as unauthenticated; to another tenant's runtime it is
    answered as to an unknown one; a validator of one page never gets a 304 for another (another runtime's, another
    limit's); on its own page it gets a 304 without a body, or the page."""
    query = page_params(limit=contract.limit_max)
    page = judged(api.list_runs(params=query), contract)
    conditions = _conditions(page)
    if case == "no-key":
        answer = api.list_runs(params=query, authorization=None, headers=conditions)
        expected = {contract.error_status("unauthenticated")}
    elif case == "another-tenants-runtime":
        answer = api.list_runs(target.other_runtime_id, query, headers=conditions)
        unknown = api.list_runs(unknown_runtime_id, query, headers=conditions)
        expected = {unknown.status} - {304} - set(range(200, 300)) or {contract.error_status("notVisible")}
    elif case == "another-runtimes-page":
        answer = judged(api.list_runs(target.empty_runtime_id, query,
                               headers={"If-None-Match": conditions["If-None-Match"]}), contract)
        expected = {200}
    elif case == "another-querys-page":  # a page of one run fewer: never the page the validator names
        answer = api.list_runs(params=page_params(limit=contract.limit_max - 1), headers=conditions)
        expected = {200}
    else:
        answer = api.list_runs(params=query, headers=conditions)
        expected = {200, 304}
    what = f"A conditional request ({case.replace('-', ' ')})"
    expect(answer.status in expected, f"{what} gets what it would get without the condition",
           expected=" or ".join(map(str, sorted(expected))), actual=answer.summary(), exchange=answer)
    if answer.status == 304:
        expect(not answer.body, f"{what}: a 304 has no body", expected="no body",
               actual=f"{len(answer.body or b'')} bytes", exchange=answer)
    elif answer.status == 200:
        check_response(answer, contract)
    if case == "another-querys-page":
        expect(len(answer.runs) <= contract.limit_max - 1, f"{what}: the page holds what its own limit says",
               expected=f"at most {contract.limit_max - 1} runs", actual=f"{len(answer.runs)} runs", exchange=answer)
    if case == "another-runtimes-page":
        expect(not answer.runs, f"{what}: the empty runtime's page lists no run", expected="no runs",
               actual=f"{len(answer.runs)} runs", exchange=answer)


@pytest.mark.rule("http.conditional")
@pytest.mark.late
@pytest.mark.redeems_early_cursors
@pytest.mark.needs(crossing(14))
def test_a_validator_redeemed_long_after_gets_a_304_only_for_an_unchanged_page(api, contract,
                                                                                early_cursors_after_a_pause):
    """A second page's validators, taken when the run started and sent when it ends (runs having ended meanwhile,
    which changes what that page shows), get a 304 only if the page is what it was: a fresh GET of it shows the same
    runs, the same way. Where the API sends no validator, one it could not have made gets the page."""
    minted = (early_cursors_after_a_pause or {}).get("a second page")
    if minted is None:
        pytest.skip("no second page was handed out early")
    query, page, _ = minted
    conditions = _conditions(page)
    for name in ("If-None-Match", "If-Modified-Since"):  # one at a time: with both, If-Modified-Since is ignored
        if name == "If-Modified-Since" and not _strong_date(page):
            continue  # a Last-Modified less than a second old may see later changes in its own second: weak
        conditional = api.list_runs(params=query, headers={name: conditions[name]})
        fresh = judged(api.list_runs(params=query), contract)
        if conditional.status == 304:
            expect(fresh.runs == page.runs, f"A 304 to an {name} taken long before stands for the page as it still is",
                   expected="the runs the validator's page showed, unchanged",
                   actual=f"the page now: {fresh.summary()}", exchange=conditional)
        else:
            expect(conditional.status == 200, f"An {name} taken long before gets a 304 or the page",
                   expected="304 or 200", actual=conditional.summary(), exchange=conditional)
