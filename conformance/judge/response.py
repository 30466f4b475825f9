"""Judge one response against the contract: status, content type, headers, body schema, run invariants,
and error-body hygiene. Every response the hand-written checks receive goes through `check_response`;
the fuzz test runs the same function as a Schemathesis check.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import unquote, urlsplit

from jsonschema.exceptions import best_match

from ..contract import Contract
from ..contract.model import REQUEST_ID_HEADER
from ..outcomes import ContractViolation
from ..redaction import contains_secret
from ..representation import instant
from ..transport.exchange import Exchange
from .expect import undocumented_refusal

MAX_SCHEMA_ERRORS = 3


def check_response(exchange: Exchange, contract: Contract) -> None:
    """Raise ContractViolation listing every way this response breaks the contract."""
    __tracebackhide__ = True
    problems = list(response_problems(exchange, contract))
    if problems:
        raise ContractViolation(
            "The response breaks the contract:\n    - " + "\n    - ".join(problems),
            expected=f"a documented status ({', '.join(map(str, sorted(contract.documented_statuses)))}) "
                     "with a body matching the contract's schema for it",
            actual=exchange.summary(),
            exchange=exchange,
            decision=undocumented_refusal(exchange.status, contract),
        )


def judged(exchange: Exchange, contract: Contract) -> Exchange:
    """The exchange, once check_response found nothing in it the contract forbids: the checks' explicit judgement of
    what the transport brought back."""
    __tracebackhide__ = True
    check_response(exchange, contract)
    return exchange


def response_problems(exchange: Exchange, contract: Contract) -> Iterator[str]:
    if exchange.ended and not contract.refused_at_transport(exchange.status):
        yield f"the answer is cut short: {exchange.ended} (RFC 9112 §6: a message ends where its framing says)"
    for problem in exchange.framing:
        yield f"{problem} (RFC 9112 §6: a message ends where its framing says)"
    if exchange.status not in contract.documented_statuses:
        yield f"status {exchange.status} is not one the contract documents for this operation"
        return
    for header in contract.required_headers(exchange.status):
        if header not in exchange.headers:
            yield f"the {header} header is missing (required with {exchange.status})"
    if exchange.method == "HEAD":
        return
    yield from body_problems(exchange, contract)


def body_problems(exchange: Exchange, contract: Contract) -> Iterator[str]:
    """What breaks the contract in an answer's body of a documented status: its media type, its JSON against the
    status's schema, each run's own rules, and, for a refusal, its request id and what it must not show."""
    media_type = contract.documented_media_type(exchange.status, exchange.content_type)
    if media_type is None:
        yield (f"Content-Type is {exchange.headers.get('Content-Type', 'missing')!r}, not "
               f"{' or '.join(contract.media_types(exchange.status))}")
        return
    body = exchange.json
    if body is None:
        yield "the body is not JSON"
        return
    yield from schema_problems(body, contract, exchange.status, media_type)
    if exchange.status == 200 and isinstance(body, dict) and isinstance(body.get("data"), list):
        for index, run in enumerate(body["data"]):
            for problem in run_invariant_problems(run, contract):
                yield f"data[{index}] ({run.get('id') if isinstance(run, dict) else run!r}): {problem}"
    if exchange.status >= 400:
        yield from request_id_problems(exchange, contract)
        yield from error_body_problems(exchange.text, contract, exchange.url)


def schema_problems(body: object, contract: Contract, status: int, media_type: str) -> Iterator[str]:
    validator = contract.body_validator(status, media_type)
    if validator is None:
        return
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    for error in errors[:MAX_SCHEMA_ERRORS]:
        error = best_match([error]) if error.context else error
        location = "/".join(str(part) for part in error.absolute_path) or "(body)"
        yield f"schema: at {location}: {error.message}"
    if len(errors) > MAX_SCHEMA_ERRORS:
        yield f"schema: … and {len(errors) - MAX_SCHEMA_ERRORS} more"


def run_invariant_problems(run: object, contract: Contract) -> Iterator[str]:
    """A run's own rules: startedAt >= createdAt; finishedAt null exactly while running; finishedAt >= startedAt
    (timestamps compared as instants: any precision, offset or case of `T`/`Z`)."""
    if not isinstance(run, dict):
        return
    created, started, finished = (instant(run.get(name)) for name in ("createdAt", "startedAt", "finishedAt"))
    if created and started and started.value < created.value:
        yield f"startedAt {run['startedAt']} is before createdAt {run['createdAt']}"
    running = run.get("status") == contract.running_status
    if running and run.get("finishedAt") is not None:
        yield f"status is {run['status']!r} but finishedAt is {run['finishedAt']!r} (must be null while running)"
    if run.get("status") in contract.terminal_statuses and run.get("finishedAt") is None:
        yield f"status is {run['status']!r} but finishedAt is null (must be set once a run has ended)"
    if started and finished and finished.value < started.value:
        yield f"finishedAt {run['finishedAt']} is before startedAt {run['startedAt']}"


def request_id_problems(exchange: Exchange, contract: Contract) -> Iterator[str]:
    """A refusal carries a request id where x-bctrl-contract.requestId allows: the envelope's requestId, or the
    x-request-id header."""
    places = {"body": request_id_in_body(exchange.json), "header": exchange.headers.get(REQUEST_ID_HEADER)}
    if not any(places[place] for place in contract.request_id_places):
        where = " or ".join("the body's requestId" if place == "body" else f"the {REQUEST_ID_HEADER} header"
                            for place in sorted(contract.request_id_places))
        yield f"no request id in {where} (x-bctrl-contract.requestId)"


def request_id_in_body(body: object) -> str | None:
    """The requestId of either bctrl envelope (flat: {"requestId"}, nested: {"error": {"requestId"}})."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    value = (error if isinstance(error, dict) else body).get("requestId")
    return value if isinstance(value, str) and value else None


def error_body_problems(text: str, contract: Contract, url: str = "") -> Iterator[str]:
    """Error bodies show no stack trace, no source path, and never the API key. The request's own path, which a
    router may quote back ("Cannot GET /app/v2/..."), is not a leak: it is taken out before the patterns look."""
    shown = _without_request_path(text, url)
    for pattern in contract.error_leak_patterns:
        match = pattern.search(shown)
        if match:
            yield f"the error body leaks internals ({match.group(0).strip()!r} matches {pattern.pattern!r})"
    if contains_secret(text):
        yield "the error body echoes the API key"


def _without_request_path(text: str, url: str) -> str:
    path = urlsplit(url).path
    for quoted in sorted({path, unquote(path)} - {"", "/"}, key=len, reverse=True):
        text = text.replace(quoted, " ")
    return text
