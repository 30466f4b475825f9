"""A second principal: broken object-level authorization is tested with two users. With a key of another tenant
(BCTRL_OTHER_API_KEY, the tenant of BCTRL_OTHER_RUNTIME_ID), isolation is checked from its side too: that key sees
its own runtime, and none of the key's: not its runtime, not its cursors (on the key's runtime or its own), not the
validators of its pages, not a page a cache keeps for the key."""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect, expect_status
from conformance.judge.response import judged
from conformance.profiles import cases
from conformance.readiness import crossing, other_key, other_tenant
from conformance.transport.client import page_params

pytestmark = [pytest.mark.ahead, pytest.mark.needs(other_key(), other_tenant())]

WAYS = ("its-runtime", "its-runtime-with-its-cursor", "its-own-runtime-with-the-keys-cursor",
        "its-runtime-with-a-validator-of-its-page", "the-same-query-just-after-the-key")


@pytest.mark.rule("tenant.other-key", "tenant.isolation")
def test_the_other_key_sees_its_own_runtime(other_api):
    """The other tenant's key is served its own runtime (else the checks from its side prove nothing)."""
    page = judged(other_api.list_runs(params=page_params(limit=other_api.contract.limit_min)), other_api.contract)
    expect_status(page, 200, "The other tenant's key lists its own runtime's runs")


@pytest.mark.rule("tenant.other-key", "tenant.isolation", "cursor.scope", "http.conditional")
@pytest.mark.needs(crossing(1))
@pytest.mark.parametrize("way", cases(WAYS))
def test_the_other_key_gets_nothing_of_the_keys(api, other_api, contract, shared_walk, unknown_runtime_id, way):
    """The other tenant's key gets the key's runtime answered as an unknown runtime (with or without the key's
    cursor, with a validator of the key's page, just after the key asked the same), and the key's cursor on its own
    runtime lists none of the key's runs."""
    query = page_params(limit=contract.limit_min)
    mine = judged(api.list_runs(params=query), contract)
    cursor = mine.next_cursor
    if way == "its-own-runtime-with-the-keys-cursor":
        answer = other_api.list_runs(params=[*query, ("cursor", cursor)])
    else:
        params = [*query, ("cursor", cursor)] if way == "its-runtime-with-its-cursor" else query
        headers = ({"If-None-Match": mine.headers.get("ETag") or "*"}
                   if way == "its-runtime-with-a-validator-of-its-page" else None)
        answer = other_api.list_runs(api.runtime_id, params, headers=headers)
        unknown = other_api.list_runs(unknown_runtime_id, params, headers=headers)
        expect((answer.status, answer.error_code) == (unknown.status, unknown.error_code),
               f"The other tenant's key asking for the key's runtime ({way.replace('-', ' ')}) is answered as for "
               "an unknown runtime", expected=f"{unknown.status} {unknown.error_code!r}",
               actual=f"{answer.status} {answer.error_code!r}: {answer.summary()}", exchange=answer)
    leaked = sorted({run.get("id") for run in answer.runs} & set(shared_walk.ids))
    served = 200 <= answer.status < 300 and way != "its-own-runtime-with-the-keys-cursor"  # its own runtime may be
    expect(not leaked and not served, f"The other tenant's key ({way.replace('-', ' ')}) gets none of the key's runs",
           expected="none of BCTRL_RUNTIME_ID's runs, and no page of it",
           actual=f"{answer.status} with {len(leaked)} of its runs" if leaked else answer.summary(), exchange=answer)
