"""HEAD on the runs path: what the same GET gets, without a body (RFC 9110 §9.3.2), or a refusal, as the overlay's
headRequests allows; never a 5xx, and never a 2xx where the GET is refused (HEAD is no way around authentication,
validation or tenant isolation)."""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect
from conformance.profiles import cases
from conformance.readiness import other_tenant
from conformance.representation import media_type
from conformance.transport.client import page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)


def _requests(api, contract, other_runtime_id, unknown_runtime_id):
    """Each request as (runtime, params, authorization): a page, and the refusals of each kind."""
    key = f"Bearer {api.api_key}"
    return {
        "a-page": (None, page_params(limit=contract.limit_min), key),
        "no-key": (None, page_params(limit=contract.limit_min), None),
        "a-bad-limit": (None, [("limit", contract.limit_min - 1)], key),
        "an-unknown-runtime": (unknown_runtime_id, page_params(limit=contract.limit_min), key),
        "another-tenants-runtime": (other_runtime_id, page_params(limit=contract.limit_min), key),
    }


REQUESTS = ("a-page", "no-key", "a-bad-limit", "an-unknown-runtime", "another-tenants-runtime")


@pytest.mark.rule("http.head", "auth.before-validation", "tenant.isolation", "server.no-5xx")
@pytest.mark.parametrize("kind", cases(REQUESTS,
                                       marks={"another-tenants-runtime": [pytest.mark.needs(other_tenant())]}))
def test_head_gets_what_get_gets_without_a_body_or_is_refused(api, contract, target, unknown_runtime_id, kind):
    """HEAD gets the status and media type the same GET gets, with no body, or a refusal the overlay allows
    (headRequests); never a 5xx, and never a 2xx where the GET is refused."""
    runtime_id, params, authorization = _requests(api, contract, target.other_runtime_id, unknown_runtime_id)[kind]
    get = api.list_runs(runtime_id, params, authorization)
    head = api.send("HEAD", runtime_id, params, authorization)
    allowed = ({get.status} if "as-get" in contract.head_answers else set()) | (
        set(contract.other_method_statuses) if "refused" in contract.head_answers else set())
    expect(head.status in allowed, f"HEAD of {kind.replace('-', ' ')} gets what the GET gets ({get.status}), or a "
                                   "refusal the overlay allows",
           expected=" or ".join(map(str, sorted(allowed))), actual=head.summary(), exchange=head)
    if head.status == get.status:  # answered as the GET: with its media type too (RFC 9110 §9.3.2)
        expect(media_type(head.headers.get("Content-Type")) == media_type(get.headers.get("Content-Type")),
               f"HEAD of {kind.replace('-', ' ')} gets the media type the GET gets",
               expected=f"Content-Type {get.headers.get('Content-Type')!r}",
               actual=f"Content-Type {head.headers.get('Content-Type')!r}", exchange=head)
    expect(not head.body, f"HEAD of {kind.replace('-', ' ')} is answered without a body",
           expected="no body", actual=f"{len(head.body or b'')} bytes", exchange=head)
