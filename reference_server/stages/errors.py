"""Errors: the body and headers of every error answer (the envelope, its code and reason class), and the faults that
live in the error handler."""
from __future__ import annotations

import traceback

from ..checks import ERROR_ENVELOPE, HTTP_RULES
from ..fault import Fault
from ..messages import ApiError, Request, Response, json_bytes, media
from ..probes import header, page
from ..variants import Variants

FAULTS = [
    Fault("error-stack-trace", "errors",
          "400 bodies include a Python traceback with file paths in details.trace",
          rules=("errors.hygiene",), check=ERROR_ENVELOPE,
          observe=page([("limit", "abc")])),
    Fault("error-plain-text", "errors",
          "404 answers text/plain 'Not Found'",
          rules=("errors.envelope",), check=ERROR_ENVELOPE,
          observe=page(runtime="unknown")),
    Fault("invalid-query-422", "errors",
          "invalid query values answer 422 instead of 400",
          rules=("errors.envelope",), check=ERROR_ENVELOPE,
          observe=page([("limit", "abc")])),
    Fault("error-missing-code", "errors",
          "error bodies carry only {\"message\": ...} (no code, no envelope)",
          rules=("errors.envelope",), check=ERROR_ENVELOPE,
          observe=page(auth="Bearer {key}x")),
    Fault("error-answers-s-maxage", "http",
          "the edge caches 4xx answers for 5 minutes to absorb scanners (`Cache-Control: s-maxage=300`), answers to "
          "requests with Authorization included",
          rules=("http.shared-cache",), blind_spot=6, check=HTTP_RULES,
          observe=header("Cache-Control", runtime="unknown")),
    Fault("validation-error-dumps-headers", "errors",
          "the validation error handler attaches the request to 400 bodies for support tickets (details.request: "
          "method, path, query and every header): the Authorization header, key and all, is in the body of every "
          "refused query",
          rules=("errors.hygiene",), issue=16, check=ERROR_ENVELOPE,
          observe=page([("limit", "0")])),
]

REASON_CLASS = {400: "invalid_input", 401: "unauthorized", 403: "capability_denied", 404: "not_found",
                405: "invalid_input", 422: "invalid_input", 429: "rate_limited", 500: "server", 503: "upstream"}


class Errors:
    """How errors are answered, under the variants and faults in force."""

    def __init__(self, faults: frozenset[str], variants: Variants):
        self.faults, self.variants = faults, variants

    def invalid(self, code: str, message: str, details: dict) -> ApiError:
        """A refused query parameter: 400, or the status the variant (or fault) gives it."""
        status = 422 if "invalid-query-422" in self.faults else self.variants.invalid_query_status
        return ApiError(status, code, message, details)

    def attach_request(self, err: ApiError, request: Request, query: str) -> None:
        """A refused query as the validation error handler raises it (fault validation-error-dumps-headers)."""
        if "validation-error-dumps-headers" in self.faults and 400 <= err.status < 500:
            # The validation error handler attaches the request for support tickets: headers and all.
            err.details = {**(err.details or {}), "request": {
                "method": request.method, "path": request.path, "query": query,
                "headers": {name: value for name, value in request.headers.items()}}}

    def response(self, err: ApiError, request_id: str) -> Response:
        headers = [*err.headers, ("x-request-id", request_id)]
        if "error-answers-s-maxage" in self.faults and 400 <= err.status < 500:
            headers.append(("Cache-Control", "s-maxage=300"))
        if err.status == 404 and "error-plain-text" in self.faults:
            return Response(404, [("Content-Type", "text/plain; charset=utf-8"), *headers], b"Not Found")
        return Response(err.status, [("Content-Type", media(self.variants, self.variants.error_media_type)), *headers],
                        json_bytes(self._body(err, request_id)))

    def _body(self, err: ApiError, request_id: str) -> dict:
        if "error-missing-code" in self.faults:
            return {"message": err.message}
        details = err.details
        if err.status == 400 and "error-stack-trace" in self.faults:
            details = {**(details or {}), "trace": "".join(traceback.format_exception(err))
                       or "".join(traceback.format_stack())}
        reason = REASON_CLASS.get(err.status, "server" if err.status >= 500 else "invalid_input")
        if self.variants.error_envelope == "flat":
            body = {"error": err.message, "code": err.code, "requestId": request_id, "reasonClass": reason}
            inner = body
        else:
            inner = {"code": err.code, "message": err.message, "requestId": request_id, "reasonClass": reason}
            body = {"error": inner}
        if self.variants.request_id == "header":  # the x-request-id header alone carries it
            del inner["requestId"]
        if details:
            inner["details"] = details
        return body
