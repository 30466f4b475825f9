"""Headers: what a served page is sent with (its Content-Type, caching, cookies, validators), and conditional
requests (If-None-Match, If-Modified-Since) answered 304."""
from __future__ import annotations

import json
import math
import time

from .. import validators
from ..checks import CONDITIONAL, FIRST_PAGE, HEAD, HTTP_RULES, LATE_VALIDATOR, OTHER_KEY
from ..fault import Fault
from ..messages import Request, Response, json_bytes, media
from ..probes import header, page, revalidated, revalidated_after_churn
from ..store import RunStore
from ..times import parse_time
from ..variants import Variants
from .auth import bearer_key

FAULTS = [
    Fault("head-content-type-differs", "methods",
          "HEAD is routed to a separate lightweight handler (so that it need not render the page), which sends the "
          "page's headers but its framework's default Content-Type, text/plain, where the GET sends JSON",
          rules=("http.head", "query.equivalent"), issue=23, blind_spot=4, check=HEAD,
          observe=page(method="HEAD")),
    Fault("content-type-text-html", "content-type",
          "200 pages are served with Content-Type: text/html",
          rules=("page.schema",), check=FIRST_PAGE,
          observe=page()),
    Fault("cache-control-public", "http",
          "a response middleware meant for the public docs adds the CDN default `Cache-Control: public, max-age=60` "
          "to every 200: a shared cache may serve one key's runs to another",
          rules=("http.shared-cache",), blind_spot=6, check=HTTP_RULES,
          observe=header("Cache-Control")),
    Fault("session-cookie-echoes-key", "auth",
          "the web console's session middleware, mounted app-wide, 'remembers' the key every authenticated request "
          "used: each 200 page carries Set-Cookie: bctrl_session=<the key>",
          rules=("errors.hygiene", "auth.never-echoed"), issue=16, check=HTTP_RULES,
          observe=header("Set-Cookie")),
    Fault("head-500", "methods",
          "HEAD takes a shortcut that skips rendering the page and returns no body (None), and the response-size "
          "metric middleware calls len() on it: every authenticated HEAD of a page is a 500",
          rules=("http.methods", "server.no-5xx", "http.head"), issue=16, check=HEAD,
          observe=page(method="HEAD")),
    Fault("etag-304-before-auth", "http",
          "a conditional-GET middleware remembers the ETag last served for each URL and answers a matching "
          "If-None-Match with 304 itself, and it was mounted before authentication: a request without a key (or with "
          "a wrong one) that sends a page's ETag gets 304 (ETags switched on)",
          rules=("auth.bearer", "http.conditional"), issue=16, check=CONDITIONAL,
          observe=revalidated(second_key=None)),
    Fault("etag-304-any-tenant", "http",
          "the same ETag-by-URL middleware, mounted after authentication but before the runtime check: another "
          "tenant's key sending a page's ETag for this runtime gets 304 instead of 404, confirming the runtime and "
          "its page (ETags switched on)",
          rules=("tenant.isolation", "http.conditional", "tenant.other-key"), issue=16, check=OTHER_KEY,
          observe=revalidated(second_key="other")),
    Fault("etag-runtime-version", "http",
          "the ETag is the runtime's version (bumped on every write to its runs), not the page's: every page and "
          "query of the runtime shares it, so the ETag of one page gets a 304 for another limit, filter or cursor "
          "(ETags switched on)",
          rules=("http.methods", "http.conditional"), issue=16, check=CONDITIONAL,
          observe=revalidated(second_key="good", second_params=[("limit", "4")])),
    Fault("etag-from-page-ids", "http",
          "a cheap ETag from the page's run ids and its cursor, not its content: when a run on the page ends, the "
          "page changes but its ETag does not, and If-None-Match gets a 304 for a stale page (ETags switched on)",
          rules=("http.methods", "http.conditional"), needs=("churn",), issue=16, check=LATE_VALIDATOR,
          observe=revalidated_after_churn("If-None-Match")),
    Fault("last-modified-newest-created", "http",
          "Last-Modified is MAX(created_at) of the page's runs, and If-Modified-Since is compared with it: when a "
          "run on the page ends, createdAt does not move and the changed page is answered 304 (ETags and "
          "Last-Modified switched on)",
          rules=("http.methods", "http.conditional"), needs=("churn",), issue=16, check=LATE_VALIDATOR,
          observe=revalidated_after_churn("If-Modified-Since")),
]

_ETAG_FAULTS = {"etag-304-before-auth", "etag-304-any-tenant", "etag-runtime-version", "etag-from-page-ids"}


def validators_in_force(variants: Variants, faults: frozenset[str]) -> str:
    """The validators variant, or what the faults that live in validators switch on when it is off."""
    if variants.validators != "none":
        return variants.validators
    return ("etag-and-last-modified" if "last-modified-newest-created" in faults
            else "etag" if _ETAG_FAULTS & faults else "none")


class PageHeaders:
    """The headers of a page, its validators, and the 304s."""

    def __init__(self, faults: frozenset[str], variants: Variants, store: RunStore):
        self.faults, self.variants, self.store = faults, variants, store
        self.validators = validators_in_force(variants, faults)
        self.bytes_served = 0  # fault head-500: the response-size metric
        self.url_etags: dict[str, str] = {}  # faults etag-304-before-auth, etag-304-any-tenant: ETag by URL
        self.representations = validators.RepresentationLog()

    def skips_rendering(self, method: str) -> bool:
        """Fault head-500: HEAD takes a shortcut that skips rendering the page (there is no body to send)."""
        return method == "HEAD" and "head-500" in self.faults

    def url_etag_304(self, request: Request, behind_auth: bool) -> Response | None:
        """The conditional-GET middleware of faults etag-304-before-auth (mounted before authentication) and
        etag-304-any-tenant (`behind_auth`: between authentication and the runtime check): it remembers the ETag
        last served for each URL and answers a matching If-None-Match itself, before the checks behind it."""
        if ("etag-304-any-tenant" if behind_auth else "etag-304-before-auth") not in self.faults:
            return None
        etag = self.url_etags.get(request.target)
        if etag and validators.none_match(request.headers.get("If-None-Match"), etag):
            return Response(304, [("ETag", etag), ("x-request-id", request.request_id)])
        return None

    def answer(self, request: Request, tenant: str, runtime_id: str, credentials: list[str],
               payload: bytes | None) -> Response:
        """The page as answered: 200 with its headers, or 304 when the client holds it."""
        content_type = ("text/html; charset=utf-8" if "content-type-text-html" in self.faults
                        else "text/plain; charset=utf-8" if request.method == "HEAD"
                        and "head-content-type-differs" in self.faults
                        else media(self.variants, "application/json"))
        headers = [("Content-Type", content_type), ("x-request-id", request.request_id)]
        if "cache-control-public" in self.faults:
            headers.append(("Cache-Control", "public, max-age=60"))
        if "session-cookie-echoes-key" in self.faults:
            # The console's session middleware, mounted app-wide, remembers the key the request authenticated with.
            key = bearer_key(credentials[0]) if credentials else ""
            headers.append(("Set-Cookie", f"bctrl_session={key}; Path=/; Secure; HttpOnly; SameSite=Lax"))
        if "head-500" in self.faults:
            # The response-size metric middleware measures the body the handler returned: None for the HEAD shortcut.
            self.bytes_served += len(payload)
        if self.validators != "none":
            return self._conditional(request, tenant, runtime_id, payload, headers)
        return Response(200, headers, payload)

    def _conditional(self, request: Request, tenant: str, runtime_id: str, payload: bytes, headers: list) -> Response:
        """The page with its validators, or 304 when the client holds it (validators.py)."""
        etag = validators.strong_etag(tenant, request.target, payload)
        if "etag-runtime-version" in self.faults:
            # The ETag is the runtime's version (bumped on every write to its runs), shared by all its pages.
            etag = f'"{self.store.runtime_version(runtime_id)}"'
        if "etag-from-page-ids" in self.faults:
            # A cheap ETag: the page's run ids and its cursor, not its content (no need to render it twice).
            page = json.loads(payload)
            etag = validators.strong_etag(tenant, request.target, json_bytes(
                [[run["id"] for run in page.get("data") or []], page.get("nextCursor")]))
        if {"etag-304-before-auth", "etag-304-any-tenant"} & self.faults:
            self.url_etags[request.target] = etag
        now = time.time()
        tags = [("ETag", etag)]
        if self.validators == "etag-and-last-modified":
            first_seen = self.representations.first_seen((tenant, request.target), etag, now)
            last_modified = validators.last_modified_second(first_seen, now)
            if "last-modified-newest-created" in self.faults:
                # Last-Modified is MAX(created_at) of the page's runs, and If-Modified-Since is compared with it.
                newest = max((run["createdAt"] for run in json.loads(payload).get("data") or []), default=None)
                first_seen = last_modified = math.floor(parse_time(newest).timestamp()) if newest else last_modified
            tags.append(("Last-Modified", validators.http_date(last_modified)))
        if not any(name == "Cache-Control" for name, _ in headers):
            tags.append(("Cache-Control", validators.CACHE_CONTROL))
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            unchanged = validators.none_match(if_none_match, etag)
        elif self.validators == "etag-and-last-modified":
            since = validators.parse_http_date(request.headers.get("If-Modified-Since"))
            unchanged = since is not None and since <= now and first_seen <= since
        else:
            unchanged = False
        if unchanged:
            return Response(304, [*tags, ("x-request-id", request.request_id)])
        return Response(200, [*headers, *tags], payload)
