"""Authentication (Bearer API key) and tenant isolation."""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect, expect_status
from conformance.judge.response import judged
from conformance.profiles import cases
from conformance.readiness import named_runtime, other_tenant
from conformance.representation import unknown_like
from conformance.transport.client import page_params

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)

# How each rejected credential is made from the real key (the key itself never appears in a test id).
BAD_CREDENTIALS = {
    "no-header": lambda key: None,
    "empty-header": lambda key: "",
    "bearer-without-key": lambda key: "Bearer",
    "wrong-key": lambda key: "Bearer conformance-not-a-key",
    "another-key-of-the-same-shape": lambda key: f"Bearer {unknown_like(key)}",
    "basic-scheme": lambda key: f"Basic {key}",
    "token-scheme": lambda key: f"Token {key}",
    "key-without-scheme": lambda key: key,
    "key-with-extra-characters": lambda key: f"Bearer {key}x",
}
SMOKE_CREDENTIALS = ("no-header", "wrong-key")


def _expect_refusal_without_runs(answer, status, what):
    expect_status(answer, status, what)
    body = answer.json
    expect(not (isinstance(body, dict) and isinstance(body.get("data"), list)), f"{what}, without runs",
           expected="an error body only", actual=answer.summary(), exchange=answer)


@pytest.mark.rule("auth.bearer", "errors.hygiene")
@pytest.mark.parametrize("credential", cases(BAD_CREDENTIALS, smoke=SMOKE_CREDENTIALS))
def test_bad_credentials_are_rejected(api, contract, credential):
    """A missing, empty, malformed or wrong key, or the key under another scheme word, gets 401 and no runs."""
    answer = judged(api.list_runs(authorization=BAD_CREDENTIALS[credential](api.api_key)), contract)
    _expect_refusal_without_runs(answer, contract.error_status("unauthenticated"), f"A request with {credential} is refused")


@pytest.mark.rule("auth.scheme-case")
@pytest.mark.parametrize("scheme", cases(["bearer", "BEARER"]))
def test_scheme_word_is_case_insensitive(api, contract, scheme):
    """The scheme word is matched case-insensitively (RFC 9110): `bearer <key>` is accepted; where the contract
    makes it case-sensitive, only `Bearer` is, and `bearer <key>` gets 401 and no runs."""
    answer = judged(api.list_runs(params=page_params(limit=1), authorization=f"{scheme} {api.api_key}"), contract)
    if contract.scheme_case_insensitive:
        expect_status(answer, 200, f"`{scheme} <key>` is accepted")
    else:
        _expect_refusal_without_runs(answer, contract.error_status("unauthenticated"),
                                     f"`{scheme} <key>` is refused (the contract's scheme word is exactly `Bearer`)")


@pytest.mark.rule("auth.before-validation")
def test_authentication_comes_before_query_validation(api, contract):
    """A request without a key gets 401 even when its query is also invalid."""
    answer = judged(api.list_runs(params=[("limit", contract.limit_min - 1), ("status", "conformance-unknown")],
                           authorization=None), contract)
    _expect_refusal_without_runs(answer, contract.error_status("unauthenticated"),
                                 "An unauthenticated request with a bad query is refused as unauthenticated")


@pytest.mark.rule("runtime.unknown")
def test_unknown_runtime_is_not_found(api, contract, unknown_runtime_id):
    """A runtime id that exists nowhere (shaped like a real one) gets the contract's 404 and no runs."""
    answer = judged(api.list_runs(unknown_runtime_id), contract)
    _expect_refusal_without_runs(answer, contract.error_status("notVisible"), "An unknown runtime is not found")


@pytest.mark.rule("runtime.unknown", "errors.envelope")
@pytest.mark.parametrize("setting", cases(["empty", "second"], marks={
    setting: [pytest.mark.needs(named_runtime(setting))] for setting in ("empty", "second")}))
def test_a_runtime_the_settings_name_gets_an_answer_the_contract_allows(api, contract, target, setting):
    """A runtime the settings name gets an answer the contract allows, whatever it holds and whoever's it is: a page,
    or the contract's refusal (a 404 there may be a wrong setting, never a 404 that breaks the contract)."""
    judged(api.list_runs(getattr(target, f"{setting}_runtime_id"), page_params(limit=contract.limit_min)), contract)


@pytest.mark.rule("tenant.isolation")
@pytest.mark.smoke
@pytest.mark.needs(other_tenant())
def test_other_tenants_runtime_looks_like_an_unknown_one(api, contract, other_runtime_id, unknown_runtime_id):
    """Another tenant's runtime gets the same 404 (status and error code) as a runtime that exists nowhere."""
    other = judged(api.list_runs(other_runtime_id), contract)
    _expect_refusal_without_runs(other, contract.error_status("notVisible"), "Another tenant's runtime is not visible")
    unknown = judged(api.list_runs(unknown_runtime_id), contract)
    expect(other.error_code == unknown.error_code, "Another tenant's runtime is answered like an unknown one",
           expected=f"error code {unknown.error_code!r}", actual=f"error code {other.error_code!r}", exchange=other)
