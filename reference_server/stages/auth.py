"""Auth: the credentials a request presents, the tenant they authenticate as, and whether that tenant may see the
runtime asked for (the runtime visibility check)."""
from __future__ import annotations

import base64
import binascii
import re
import time
from urllib.parse import parse_qs, unquote

from ..checks import (BAD_KEY, EMPTY, KEY_IN_COOKIE, KEY_IN_QUERY, KEY_IN_SECOND_HEADER, KEY_UNDER_OTHER_SCHEME,
                      NAMED_RUNTIME, NEAR_MISS, OTHER_TENANT, OVERLAP, SCHEME_CASE, UNKNOWN)
from ..fault import Fault
from ..messages import Answered, ApiError, Request, Response, SharedContext
from ..probes import L3, basic, bearer, every_character_escaped, overlapping, page, raw, sent
from ..store import DB_ROUND_TRIP, RunStore
from ..variants import Variants

FAULTS = [
    Fault("empty-runtime-404", "auth",
          "the runtime check looks a runtime up through its runs (SELECT DISTINCT runtime_id FROM runs): a runtime of "
          "the key that has no run yet is not found, 404 with the contract's envelope, like one that does not exist",
          rules=("page.empty-runtime",), issue=23, blind_spot=6, check=EMPTY, suspect_gap="empty-runtime",
          observe=page(runtime="empty")),
    Fault("empty-runtime-404-html", "auth",
          "the same lookup through runs, and the miss falls through to the legacy router, whose not-found page is "
          "HTML: a runtime of the key that has no run yet gets a 404 text/html page",
          rules=("page.empty-runtime", "errors.envelope"), issue=23, blind_spot=6, check=NAMED_RUNTIME,
          observe=page(runtime="empty")),
    Fault("auth-any-scheme", "auth",
          "any scheme word is accepted (Token <key>, Basic <key>)",
          rules=("auth.bearer",), check=BAD_KEY,
          observe=page(auth="Token {key}")),
    Fault("auth-bearer-case-sensitive", "auth",
          "lower-case 'bearer' is rejected with 401",
          rules=("auth.scheme-case",), check=SCHEME_CASE,
          observe=page(auth="bearer {key}")),
    Fault("auth-key-prefix", "auth",
          "a key with extra trailing characters is accepted (prefix match)",
          rules=("auth.bearer",), check=BAD_KEY,
          observe=page(auth="Bearer {key}x")),
    Fault("auth-key-without-scheme", "auth",
          "the bare key (no scheme word) is accepted",
          rules=("auth.bearer",), check=BAD_KEY,
          observe=page(auth="{key}")),
    Fault("tenant-leak", "auth",
          "another tenant's runtime is served (200, its runs)",
          rules=("tenant.isolation",), check=OTHER_TENANT,
          observe=page(runtime="other")),
    Fault("other-tenant-403", "auth",
          "another tenant's runtime answers 403 auth.forbidden instead of 404",
          rules=("tenant.isolation",), check=OTHER_TENANT,
          observe=page(runtime="other")),
    Fault("unknown-runtime-empty", "auth",
          "an unknown runtime answers 200 with an empty page instead of 404",
          rules=("runtime.unknown",), check=UNKNOWN,
          observe=page(runtime="unknown")),
    Fault("error-echoes-key", "errors",
          "401 bodies echo the presented Authorization header value",
          rules=("errors.hygiene",), check=BAD_KEY,
          observe=page(auth="Bearer {key}x")),
    Fault("auth-query-access-token", "auth",
          "the credential middleware is shared with the streaming endpoint, whose EventSource clients cannot send "
          "headers: without an Authorization header it takes the key from the query (access_token, as RFC 6750 §2.3 "
          "allows, or the older SDKs' api_key, apiKey, token, key), so a key in the URL authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=KEY_IN_QUERY,
          observe=page(lambda srv: [("limit", "3"), ("access_token", srv.seed_info.api_key)], auth="none")),
    Fault("auth-cookie-key", "auth",
          "the web console's cookie middleware is mounted app-wide: without an Authorization header it scans the "
          "cookies for a value that looks like a key (bctrl_sk_..., the console renamed its cookie twice), so a key "
          "in any cookie authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=KEY_IN_COOKIE,
          observe=sent(lambda info: {"Cookie": f"session={info.api_key}"})),
    Fault("auth-basic-user-is-key", "auth",
          "the auth middleware was copied from a Stripe-compatible gateway that supports `curl -u KEY:`: Basic "
          "credentials are base64-decoded and the user name (or the password when the user is empty) is taken as the "
          "key, so Basic auth with the key authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=KEY_UNDER_OTHER_SCHEME,
          observe=sent(lambda info: {"Authorization": basic(info.api_key)})),
    Fault("auth-any-of-repeated-headers", "auth",
          "support for key rotation: when the Authorization header is repeated, the middleware tries each value and "
          "the first valid one wins, so two Authorization headers (a wrong one and the key) authenticate instead of "
          "being refused",
          rules=("auth.bearer", "auth.channels"), issue=16, check=KEY_IN_SECOND_HEADER,
          observe=raw(lambda info: [("Authorization", "Bearer bctrl_sk_test_wrong"),
                                    ("Authorization", f"Bearer {info.api_key}")])),
    Fault("auth-key-percent-decoded", "auth",
          "the Authorization value goes through the same helper that decodes query values (urllib's unquote) before "
          "the lookup: the key percent-encoded (bctrl%5Fsk%5F...) authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=NEAR_MISS,
          observe=sent(lambda info: {"Authorization": f"Bearer {every_character_escaped(info.api_key)}"})),
    Fault("auth-key-whitespace-removed", "auth",
          "a support ticket about keys pasted from e-mails with line breaks led to stripping every whitespace "
          "character from the presented key: the key with spaces inside it authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=NEAR_MISS,
          observe=sent(lambda info: bearer(f"{info.api_key[:9]} {info.api_key[9:]}"))),
    Fault("auth-key-environment-ignored", "auth",
          "keys are indexed by their random part (the hex after the last underscore), the bctrl_sk_test_ prefix "
          "being taken for decoration the dashboard adds: whatever prefix is sent is dropped before the lookup, so "
          "the key with its start changed (bctrl_sk_live_<hex>, xbctrl_sk_test_<hex>) or cut (<hex>) authenticates",
          rules=("auth.bearer", "auth.channels"), issue=16, check=NEAR_MISS,
          observe=sent(lambda info: bearer(info.api_key.replace("test", "live")))),
    Fault("auth-bcrypt-72-500", "auth",
          "keys are stored as bcrypt hashes and every presented Bearer key is checked with bcrypt.checkpw (against a "
          "dummy hash when none matches, for constant time), which refuses more than 72 bytes with a ValueError: a "
          "presented key over 72 bytes is a 500 instead of a 401",
          rules=("server.no-5xx", "auth.channels"), issue=16, check=NEAR_MISS,
          observe=page(auth="Bearer {key}" + "0" * 40)),
    Fault("current-tenant-global", "auth",
          "the auth middleware stores the authenticated tenant on a request context that is one object for the whole "
          "app (it was meant to be a threading.local()), and the runtime visibility check reads it back after the "
          "runtimes query's round trip: when another key's request lands in between, a key is checked as the other "
          "tenant (another tenant's runtime served, or its own refused)",
          rules=("tenant.isolation", "tenant.overlap"), issue=16, check=OVERLAP,
          observe=overlapping(*[("main", "main", L3), ("other", "main", L3)] * 4)),
]

_AUTH = re.compile(r"([^ ]+) +(.*)", re.DOTALL)
_LEGACY_404 = b"<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>"
BCRYPT_MAX_BYTES = 72  # fault auth-bcrypt-72-500
_QUERY_KEY_NAMES = ("access_token", "api_key", "apiKey", "token", "key")  # fault auth-query-access-token
_KEY_PREFIX = "bctrl_sk_"  # what the console's cookie middleware takes for a key (fault auth-cookie-key)


class Auth:
    """The credential middleware, the key lookup and the runtime visibility check."""

    def __init__(self, faults: frozenset[str], variants: Variants, store: RunStore, context: SharedContext):
        self.faults, self.variants, self.store, self.context = faults, variants, store, context
        self.keys = store.tenant_keys()  # api key -> tenant id

    def credentials(self, request: Request) -> list[str]:
        """The Authorization field values the request presents (none, one, or several; several are refused by
        `authenticate_any`), as the credential middleware reads them."""
        values = list(request.headers.get_all("Authorization") or [])
        if not values and "auth-query-access-token" in self.faults:
            # The credential helper shared with the streaming endpoint (EventSource cannot send headers): a key in
            # the query (RFC 6750 §2.3's access_token, and the names older SDKs used).
            params = parse_qs(request.query, keep_blank_values=True)
            token = next((params[name][0] for name in _QUERY_KEY_NAMES if params.get(name)), None)
            values = [f"Bearer {token}"] if token else []
        if not values and "auth-cookie-key" in self.faults:
            # The web console's cookie middleware: any cookie holding something that looks like a key (the console
            # renamed its cookie twice, so every cookie is scanned).
            token = next((value for _, value in _cookies(request.headers.get_all("Cookie") or [])
                          if value.startswith(_KEY_PREFIX)), None)
            values = [f"Bearer {token}"] if token else []
        return values

    def authenticate_any(self, values: list[str]) -> str:
        """The tenant of the one Authorization value. A field that may appear once: sent twice, it is no
        credential (RFC 9110 §5.3), and refused like an invalid one."""
        if len(values) > 1:
            if "auth-any-of-repeated-headers" in self.faults:
                # Meant for key rotation (a client sending the old and the new key): the first valid one wins.
                for value in values:
                    try:
                        return self._authenticate(value)
                    except ApiError:
                        pass
            raise self._auth_error("auth.invalid", "Send one Authorization header", ", ".join(values))
        return self._authenticate(values[0] if values else None)

    def _authenticate(self, header: str | None) -> str:
        if header is None or not header.strip():
            raise self._auth_error("auth.required", "Authentication required: send Authorization: Bearer <key>",
                                   header)
        match = _AUTH.fullmatch(header)
        scheme, key = (match.group(1), match.group(2)) if match else (None, header)
        if scheme is not None and scheme.lower() == "basic" and "auth-basic-user-is-key" in self.faults:
            # Stripe-style `curl -u KEY:`: the key as the Basic user name (or password, `-u :KEY`).
            user, password = _basic_credentials(key)
            scheme, key = "Bearer", user or password
        if "auth-key-percent-decoded" in self.faults:
            key = unquote(key)  # the header value goes through the helper that decodes query values
        if "auth-key-whitespace-removed" in self.faults:
            key = "".join(key.split())  # for keys pasted from e-mails and PDFs with line breaks
        if scheme is None:
            scheme_ok = "auth-key-without-scheme" in self.faults
        elif "auth-any-scheme" in self.faults:
            scheme_ok = True
        elif "auth-bearer-case-sensitive" in self.faults or self.variants.scheme_case == "sensitive":
            scheme_ok = scheme == "Bearer"
        else:
            scheme_ok = scheme.lower() == "bearer"
        tenant = self._tenant_for_key(key) if scheme_ok else None
        if tenant is None:
            raise self._auth_error("auth.invalid", "Invalid API key", header)
        return tenant

    def _tenant_for_key(self, key: str) -> str | None:
        if "auth-bcrypt-72-500" in self.faults and len(key.encode("utf-8")) > BCRYPT_MAX_BYTES:
            # Keys are stored as bcrypt hashes and every presented key is checked with bcrypt.checkpw (against a
            # dummy hash when no key matches its prefix, for constant time), which refuses more than 72 bytes.
            raise ValueError("password cannot be longer than 72 bytes, truncate manually if necessary "
                             "(e.g. my_password[:72])")
        if "auth-key-prefix" in self.faults:
            return next((t for k, t in self.keys.items() if key.startswith(k)), None)
        if "auth-key-environment-ignored" in self.faults:
            # Keys are indexed by their random part (after the last underscore); the bctrl_sk_test_ prefix is taken
            # for decoration the dashboard adds, and whatever prefix was sent is dropped before the lookup.
            secret = key.rpartition("_")[2]
            return next((t for k, t in self.keys.items() if secret and k.rpartition("_")[2] == secret), None)
        if {"auth-key-like-prefix", "auth-key-nocase-collation"} & self.faults:
            return self.store.tenant_for_key(key)  # the key looked up in the database, not the startup map
        return self.keys.get(key)

    def _auth_error(self, code: str, message: str, header: str | None) -> ApiError:
        if "error-echoes-key" in self.faults:
            message = f"{message} (got Authorization: {header})"
        return ApiError(401, code, message, headers=[("WWW-Authenticate", "Bearer")])

    def remember_tenant(self, tenant: str) -> None:
        """Fault current-tenant-global: the auth middleware's "current tenant", kept on the shared context."""
        if "current-tenant-global" in self.faults:
            self.context.tenant = tenant

    def _found_through_runs(self, runtime_id: str) -> None:
        """Faults empty-runtime-404 and empty-runtime-404-html: a runtime found only through its runs."""
        if not {"empty-runtime-404", "empty-runtime-404-html"} & self.faults or self.store.all_runs(runtime_id):
            return
        if "empty-runtime-404-html" in self.faults:
            raise Answered(Response(404, [("Content-Type", "text/html")], _LEGACY_404))
        raise ApiError(404, "runtime.not_found", "Runtime not found")

    def check_runtime(self, runtime_id: str, tenant: str) -> None:
        """The runtime visibility check: the runtime is the tenant's, else it is answered as unknown (404)."""
        owner = self.store.runtime_tenant(runtime_id)
        if "current-tenant-global" in self.faults:
            time.sleep(DB_ROUND_TRIP)  # the runtimes query's round trip
            tenant = self.context.tenant  # the visibility check reads the "current tenant" from the context
        if owner == tenant:
            self._found_through_runs(runtime_id)
            return
        if owner is None and "unknown-runtime-empty" in self.faults:
            return
        if owner is not None and "tenant-leak" in self.faults:
            return
        if owner is not None and "other-tenant-403" in self.faults:
            raise ApiError(403, "auth.forbidden", "Not allowed to access this runtime")
        raise ApiError(404, "runtime.not_found", "Runtime not found")


def bearer_key(header: str) -> str:
    """The key of an Authorization value (the whole value when it has no scheme word)."""
    match = _AUTH.fullmatch(header)
    return match.group(2) if match else header


def _cookies(fields: list[str]) -> list[tuple[str, str]]:
    """The name=value pairs of Cookie header fields (RFC 6265 §4.2), values unquoted."""
    pairs = []
    for field_value in fields:
        for item in field_value.split(";"):
            name, sep, value = item.strip().partition("=")
            if sep:
                pairs.append((name.strip(), value.strip().strip('"')))
    return pairs


def _basic_credentials(token: str) -> tuple[str, str]:
    """user and password of Basic credentials (base64 of user:password); empty strings when it does not decode."""
    try:
        user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    return user, password
