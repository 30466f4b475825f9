"""Methods other than GET on the runs path: refused as the overlay allows (otherMethods), never served.

Gate only: these requests are not GETs, and production gets nothing else (the smoke profile never sends them).
"""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect
from conformance.judge.response import error_body_problems
from conformance.outcomes import Decision

pytestmark = [pytest.mark.ahead, pytest.mark.gate_only("production gets GET and HEAD only")]

# Methods with no route here: each must be refused. OPTIONS may also describe the resource (200 or 204).
REFUSED_METHODS = ("POST", "PUT", "PATCH", "DELETE", "TRACE")
DESCRIBED = (200, 204)


def _expect_no_listing_no_leak(answer, method, contract):
    body = answer.json
    listed = isinstance(body, dict) and isinstance(body.get("data"), list)
    expect(not listed, f"{method} on the runs path lists no runs", expected="no page of runs",
           actual=answer.summary(), exchange=answer)
    problems = list(error_body_problems(answer.text, contract, answer.url))
    expect(not problems, f"The answer to {method} shows no internals and not the key", expected="a clean body",
           actual="; ".join(problems), exchange=answer)


def _expect_allow_names_get(answer, method, contract):
    """The 405 names GET in Allow; a TRACE refusal may go without one where the overlay says (traceRefusalAllow)."""
    if method == "TRACE" and contract.trace_refusal_allow == "optional" and "Allow" not in answer.headers:
        return
    allow = {token.strip().upper() for token in answer.headers.get("Allow", "").split(",") if token.strip()}
    without = method == "TRACE" and "Allow" not in answer.headers  # a front end's own refusal, most likely
    expect("GET" in allow, f"A 405 to {method} says which methods the resource allows (RFC 9110 §15.5.6)",
           expected="an Allow header naming GET", actual=f"Allow: {answer.headers.get('Allow', '(none)')}",
           exchange=answer, decision=Decision("traceRefusalAllow", "optional", "it refuses TRACE with a 405 that "
                                              "has no Allow header, as a front end answering TRACE itself does")
           if without else None)


@pytest.mark.rule("http.methods", "server.no-5xx", "errors.hygiene")
@pytest.mark.parametrize("method", REFUSED_METHODS)
def test_other_methods_are_refused_never_served(api, contract, method):
    """A method other than GET and HEAD, sent with the key, gets one of the overlay's otherMethods statuses (a 405
    with an Allow header naming GET), never a page of runs, a 5xx, the key or internals."""
    answer = api.send(method, resend_if_lost=True)
    allowed = contract.other_method_statuses
    expect(answer.status in allowed, f"{method} on the runs path is refused as x-bctrl-contract.otherMethods says",
           expected=" or ".join(map(str, sorted(allowed))), actual=answer.summary(), exchange=answer)
    _expect_no_listing_no_leak(answer, method, contract)
    if answer.status == 405:
        _expect_allow_names_get(answer, method, contract)


@pytest.mark.rule("http.methods", "server.no-5xx", "errors.hygiene")
def test_options_describes_or_refuses_never_lists(api, contract):
    """OPTIONS on the runs path may describe the resource (200 or 204) or be refused like another method; it never
    lists runs, gets a 5xx, or shows the key or internals."""
    answer = api.send("OPTIONS")
    allowed = set(contract.other_method_statuses) | set(DESCRIBED)
    expect(answer.status in allowed, "OPTIONS on the runs path describes the resource or is refused",
           expected=" or ".join(map(str, sorted(allowed))), actual=answer.summary(), exchange=answer)
    _expect_no_listing_no_leak(answer, "OPTIONS", contract)
    if answer.status == 405:
        _expect_allow_names_get(answer, "OPTIONS", contract)
