"""HTTP rules the contract implies for every answer, judged one answer at a time (see answers.py for the log).

Every answer the client retried (a 429, a 503) is judged too, as the API's answer it is. Only what the contract or
HTTP itself requires is judged; what HTTP lets a server choose (how it answers HEAD,
which cache directives it sends to anonymous requests, whether it sends Retry-After with a 503) is left alone.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..contract import Contract
from ..redaction import contains_secret
from ..transport.answers import describe_answer
from ..transport.exchange import Exchange
from .response import body_problems, error_body_problems, schema_problems

# A Cache-Control directive: a token, optionally `=token` or `="quoted string"`.
_DIRECTIVE = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*(?:,|$)')


def cache_directives(value: str | None) -> dict[str, str | None]:
    """The directives of a Cache-Control value, names lower-cased (RFC 9111 §5.2), the first of each kept."""
    directives: dict[str, str | None] = {}
    for match in _DIRECTIVE.finditer(value or ""):
        if match.group(1):
            directives.setdefault(match.group(1).lower(), match.group(2))
    return directives


def missing_required_headers(answer: Exchange, contract: Contract) -> list[str]:
    """The headers the contract requires with this answer's status (Retry-After with 429) that it lacks."""
    if answer.status not in contract.documented_statuses:
        return []  # an undocumented status is reported by the check that saw it
    return [name for name in contract.required_headers(answer.status) if name not in answer.headers]


def shared_cache_storable_by(answer: Exchange, contract: Contract) -> list[str]:
    """The directives that let a shared cache store this answer to an authenticated request (RFC 9111 §3.5), unless
    no-store or an unqualified private forbids storing it anyway; [] when none."""
    if not answer.authenticated:
        return []
    directives = cache_directives(answer.headers.get("cache-control"))
    if "no-store" in directives or ("private" in directives and directives["private"] is None):
        return []
    return [name for name in contract.shared_cache_forbidden if name in directives]


def echoed_keys(answer: Exchange) -> list[str]:
    """Where this answer carries an API key (or an encoding or a piece of one): header names, or `body`."""
    where = [name for name, value in answer.headers.items() if contains_secret(f"{name}: {value}")]
    return where + (["body"] if answer.body and contains_secret(answer.text) else [])


def retried_error_problems(answer: Exchange, contract: Contract) -> Iterator[str]:
    """A 429 or 503 the client retried, judged before the retry as the answer of the API it is: a 429 as the contract
    documents it (media type, envelope, Retry-After, nothing leaked); a 503 in JSON as one of the API's errors (a
    bctrl envelope, nothing leaked). A 503 in another media type may be a front end's own page: left alone."""
    if answer.method == "HEAD":
        return  # no body to judge
    if answer.status == 429 and answer.status in contract.documented_statuses:
        yield from body_problems(answer, contract)  # (its required headers: http.retry-after, below)
    elif answer.status == 503 and answer.content_type in contract.error_media_types:
        yield from schema_problems(answer.json, contract, contract.error_status("rateLimited"), answer.content_type)
        yield from error_body_problems(answer.text, contract, answer.url)


def http_problems(answer: Exchange, contract: Contract) -> Iterator[tuple[str, str]]:
    """(rule id, problem) for every HTTP rule this answer breaks."""
    if answer.retried:
        for problem in retried_error_problems(answer, contract):
            yield "errors.envelope", f"a retried {answer.status}: {problem}"
    echoed = echoed_keys(answer)
    if echoed:
        yield "auth.never-echoed", f"the answer carries an API key (in {', '.join(echoed)})"
    for name in missing_required_headers(answer, contract):
        yield "http.retry-after", f"no {name} header with {answer.status}"
    enabling = shared_cache_storable_by(answer, contract)
    if enabling:
        yield "http.shared-cache", (f"Cache-Control {answer.headers.get('cache-control')!r} lets shared caches store "
                                    f"an answer to an authenticated request ({', '.join(enabling)})")


def report(offending: list[tuple[str, str, Exchange]], examples: int) -> list[str]:
    """The offending answers grouped by rule and problem: how many, and the first `examples` of each with a curl."""
    groups: dict[tuple[str, str], list[Exchange]] = {}
    for rule, problem, answer in offending:
        groups.setdefault((rule, problem), []).append(answer)
    lines = []
    for (rule, problem), answers in groups.items():
        lines.append(f"{rule}: {problem}: {len(answers)} answer{'s' if len(answers) > 1 else ''}"
                     + (f", the first {examples}:" if len(answers) > examples else ":"))
        for answer in answers[:examples]:
            lines += [f"    {describe_answer(answer)}", f"      {answer.curl()}"]
    return lines
