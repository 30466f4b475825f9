"""Judge one response against the contract: status, content type, headers, body schema, run invariants,
and error-body hygiene. Every response the hand-written checks receive goes through `check_response`;
the fuzz test runs the same function as a Schemathesis check.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from jsonschema.exceptions import best_match

from ..contract import Contract
from .exchange import Exchange
from .expect import ContractViolation
from .redaction import contains_secret

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
        )


def response_problems(exchange: Exchange, contract: Contract) -> Iterator[str]:
    if exchange.status not in contract.documented_statuses:
        yield f"status {exchange.status} is not one the contract documents for this operation"
        return
    for header in contract.required_headers(exchange.status):
        if header not in exchange.headers:
            yield f"the {header} header is missing (required with {exchange.status})"
    if exchange.method == "HEAD":
        return
    media_types = contract.media_types(exchange.status)
    if exchange.content_type not in media_types:
        yield f"Content-Type is {exchange.content_type or 'missing'!r}, not {' or '.join(media_types)}"
        return
    body = exchange.json
    if body is None:
        yield "the body is not JSON"
        return
    yield from schema_problems(body, contract, exchange.status, exchange.content_type)
    if exchange.status == 200 and isinstance(body, dict) and isinstance(body.get("data"), list):
        for index, run in enumerate(body["data"]):
            for problem in run_invariant_problems(run, contract):
                yield f"data[{index}] ({run.get('id') if isinstance(run, dict) else run!r}): {problem}"
    if exchange.status >= 400:
        yield from error_body_problems(exchange.text, contract)


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
    """A run's own rules: startedAt >= createdAt; finishedAt null exactly while running; finishedAt >= startedAt."""
    if not isinstance(run, dict):
        return
    created, started, finished = (_timestamp(run.get(name)) for name in ("createdAt", "startedAt", "finishedAt"))
    if created and started and started < created:
        yield f"startedAt {run['startedAt']} is before createdAt {run['createdAt']}"
    running = run.get("status") == contract.running_status
    if running and run.get("finishedAt") is not None:
        yield f"status is {run['status']!r} but finishedAt is {run['finishedAt']!r} (must be null while running)"
    if run.get("status") in contract.terminal_statuses and run.get("finishedAt") is None:
        yield f"status is {run['status']!r} but finishedAt is null (must be set once a run has ended)"
    if started and finished and finished < started:
        yield f"finishedAt {run['finishedAt']} is before startedAt {run['startedAt']}"


def error_body_problems(text: str, contract: Contract) -> Iterator[str]:
    """Error bodies show no stack trace, no source path, and never the API key."""
    for pattern in contract.error_leak_patterns:
        match = pattern.search(text)
        if match:
            yield f"the error body leaks internals ({match.group(0).strip()!r} matches {pattern.pattern!r})"
    if contains_secret(text):
        yield "the error body echoes the API key"


def _timestamp(value: object) -> datetime | None:
    """An RFC 3339 timestamp as an aware datetime; None if absent or malformed (the schema reports that)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
