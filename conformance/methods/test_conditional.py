"""Conditional requests (If-None-Match, If-Modified-Since, RFC 9110 §13): whether the API sends validators is its
choice; either way a condition never gets around authentication or tenant isolation, and a 304 only ever stands for
the page its validator names. Where the API sends no validator, the check sends one it could not have made (and
`*`), which no page may match but the one it names."""

from __future__ import annotations

import pytest

from conformance.harness.client import page_params
from conformance.harness.expect import expect
from conformance.harness.validation import check_response
from conformance.profiles import cases
from conformance.readiness import empty_runtime, other_tenant

FABRICATED_ETAG = '"conformance-not-a-validator"'
FAR_FUTURE = "Fri, 31 Dec 2100 23:59:59 GMT"  # If-Modified-Since later than any change: a 304 if validators are kept
CASES = ("no-key", "another-tenants-runtime", "another-runtimes-page", "the-same-page")


def _conditions(page) -> dict[str, str]:
    """The page's own validators as conditions; where it has none, a tag and a date no validator matches."""
    etag, modified = page.headers.get("ETag"), page.headers.get("Last-Modified")
    return {"If-None-Match": etag or FABRICATED_ETAG, "If-Modified-Since": modified or FAR_FUTURE}


@pytest.mark.rule("http.conditional", "auth.before-validation", "tenant.isolation")
@pytest.mark.parametrize("case", cases(CASES, marks={
    "another-tenants-runtime": [pytest.mark.needs(other_tenant())],
    "another-runtimes-page": [pytest.mark.needs(empty_runtime())]}))
def test_a_condition_never_gets_around_authentication_or_isolation(request, api, contract, unknown_runtime_id, case):
    """A conditional request without a key is refused as unauthenticated; to another tenant's runtime it is
    answered as to an unknown one; a validator of one runtime's page never gets a 304 on another runtime (an empty
    page differs); on its own page it gets a 304 without a body, or the page."""
    query = page_params(limit=contract.limit_max)
    page = api.list_runs(params=query)
    conditions = _conditions(page)
    if case == "no-key":
        answer = api.list_runs(params=query, authorization=None, headers=conditions, judge=False)
        expected = {contract.error_status("unauthenticated")}
    elif case == "another-tenants-runtime":
        answer = api.list_runs(request.getfixturevalue("other_runtime_id"), query, headers=conditions, judge=False)
        unknown = api.list_runs(unknown_runtime_id, query, headers=conditions, judge=False)
        expected = {unknown.status} - {304} - set(range(200, 300)) or {contract.error_status("notVisible")}
    elif case == "another-runtimes-page":
        answer = api.list_runs(request.getfixturevalue("empty_runtime_id"), query,
                               headers={"If-None-Match": conditions["If-None-Match"]})
        expected = {200}
    else:
        answer = api.list_runs(params=query, headers=conditions, judge=False)
        expected = {200, 304}
    what = f"A conditional request ({case.replace('-', ' ')})"
    expect(answer.status in expected, f"{what} gets what it would get without the condition",
           expected=" or ".join(map(str, sorted(expected))), actual=answer.summary(), exchange=answer)
    if answer.status == 304:
        expect(not answer.body, f"{what}: a 304 has no body", expected="no body",
               actual=f"{len(answer.body or b'')} bytes", exchange=answer)
    elif answer.status == 200:
        check_response(answer, contract)
    if case == "another-runtimes-page":
        expect(not answer.runs, f"{what}: the empty runtime's page lists no run", expected="no runs",
               actual=f"{len(answer.runs)} runs", exchange=answer)
