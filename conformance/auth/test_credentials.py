"""Every way a credential can be presented: only `Authorization: Bearer <key>`, the exact key, authenticates.

A near-miss of the key (cut short, lengthened at either end, a character changed, re-cased, re-encoded, spaced) is
another key; the key in a channel the contract does not name (a query parameter frameworks read, a cookie, Basic
credentials, an Authorization header split or doubled the way a proxy joins them) is no credential at all. Each
gets the contract's 401 and no runs. Where a key never surfaces, in any answer, the whole-run checks judge.
"""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect, expect_status
from conformance.judge.response import judged
from conformance.profiles import cases
from conformance.redaction import base64_of, percent_encoded
from conformance.representation import unknown_like

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)


def _turned(key: str, index: int) -> str:
    """The key with the character at `index` changed to another of its class (a key of the same shape)."""
    turned = unknown_like(key[index])
    return key[:index] + turned + key[index + 1:] if index != -1 else key[:-1] + turned


# Near-misses of the key, each sent as `Authorization: Bearer <it>`.
NEAR_MISSES = {
    "cut-short-by-one": lambda key: key[:-1],
    "first-half": lambda key: key[: len(key) // 2],
    "a-character-in-front": lambda key: "0" + key,
    "first-character-changed": lambda key: _turned(key, 0),
    "last-character-changed": lambda key: _turned(key, -1),
    "other-case": lambda key: key.swapcase() if key.swapcase() != key else key + "A",
    "percent-encoded": percent_encoded,
    "base64-encoded": base64_of,
    "space-inside": lambda key: f"{key[: len(key) // 2]} {key[len(key) // 2:]}",
    "twice": lambda key: key + key,
}

# Channels the contract does not name, each carrying the exact key, with no Authorization header.
QUERY_NAMES = ("api_key", "apiKey", "access_token", "token", "key")
COOKIE_NAMES = ("api_key", "token", "session")
BASIC = {"basic-key-as-user": lambda key: f"Basic {base64_of(key + ':')}",
         "basic-key-as-password": lambda key: f"Basic {base64_of(':' + key)}"}
# Two Authorization headers as a proxy joins them (RFC 9110 §5.3): neither part alone is a credential, or the first
# is not the key.
JOINED = {"split-scheme-and-key": lambda key: f"Bearer, {key}",
          "another-key-then-the-key": lambda key: f"Bearer {unknown_like(key)}, Bearer {key}"}


def _expect_unauthenticated(answer, contract, what):
    _expect_refused_without_runs(answer, contract.error_status("unauthenticated"), what)


def _expect_refused_without_runs(answer, statuses, what):
    expect_status(answer, statuses, what)
    body = answer.json
    expect(not (isinstance(body, dict) and isinstance(body.get("data"), list)), f"{what}, with no runs",
           expected="an error body only", actual=answer.summary(), exchange=answer)


@pytest.mark.rule("auth.channels", "auth.bearer")
@pytest.mark.parametrize("near_miss", cases(NEAR_MISSES))
def test_a_near_miss_of_the_key_does_not_authenticate(api, contract, near_miss):
    """A key that is almost the key (cut short, lengthened, a character changed, other case, percent- or
    base64-encoded, a space inside, given twice) gets the contract's 401 and no runs."""
    answer = judged(api.list_runs(authorization=f"Bearer {NEAR_MISSES[near_miss](api.api_key)}"), contract)
    _expect_unauthenticated(answer, contract, f"Bearer <the key, {near_miss.replace('-', ' ')}> is refused")


@pytest.mark.rule("auth.channels")
@pytest.mark.gate_only("a key in a URL lands in access logs: never production's key")
@pytest.mark.parametrize("name", cases(QUERY_NAMES))
def test_the_key_in_a_query_parameter_does_not_authenticate(api, contract, name):
    """The key in a query parameter a framework may read (api_key, apiKey, access_token, token, key), with no
    Authorization header, gets the contract's 401 and no runs."""
    answer = judged(api.list_runs(params=[(name, api.api_key)], authorization=None), contract)
    _expect_unauthenticated(answer, contract, f"The key as ?{name}= alone is refused")


@pytest.mark.rule("auth.channels")
@pytest.mark.parametrize("name", cases(COOKIE_NAMES))
def test_the_key_in_a_cookie_does_not_authenticate(api, contract, name):
    """The key in a cookie (api_key, token, session), with no Authorization header, gets the contract's 401 and no
    runs."""
    answer = judged(api.list_runs(authorization=None, headers={"Cookie": f"{name}={api.api_key}"}), contract)
    _expect_unauthenticated(answer, contract, f"The key as the cookie {name} alone is refused")


@pytest.mark.rule("auth.channels", "auth.bearer")
def test_the_key_in_a_second_authorization_header_does_not_authenticate(api, contract):
    """Two Authorization headers, the key only in the second (a first one of another key of its shape): refused as
    the overlay's repeatedAuthorization says (the contract's 401, or a front end's 400 for a malformed request,
    whatever its body), with no runs (RFC 9110 §5.3: Authorization is one field; a server may keep the first or
    refuse both, never pick the one that works)."""
    answer = api.get_with_header_lines([("Authorization", f"Bearer {unknown_like(api.api_key)}"),
                                        ("Authorization", f"Bearer {api.api_key}")])
    _expect_refused_without_runs(answer, contract.repeated_authorization_statuses,
                                 "A second Authorization header holding the key is refused")


@pytest.mark.rule("auth.channels", "auth.bearer")
@pytest.mark.parametrize("credential", cases({**BASIC, **JOINED}))
def test_the_key_under_another_scheme_or_in_a_split_header_does_not_authenticate(api, contract, credential):
    """Basic credentials made of the key (as user or as password), and an Authorization header split in two or
    doubled the way a proxy joins them, get the contract's 401 and no runs."""
    answer = judged(api.list_runs(authorization={**BASIC, **JOINED}[credential](api.api_key)), contract)
    _expect_unauthenticated(answer, contract, f"A credential {credential.replace('-', ' ')} is refused")
