"""The rules of the effective contract, one id each: what the checks enforce and what the faults break.

A rule exists when the part of the contract it stands on exists (`source`, a path into the effective document),
and its statement is written with the contract's own values, so the coverage table (python -m fault_matrix
--coverage) reads as the contract in force. Checks name the rules they enforce with `@pytest.mark.rule(...)`;
catalogued faults name the rules they break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .choices import CHOICES
from .model import Contract


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str


def _order(c: Contract) -> str:
    return c.order.describe()


def _required_headers(c: Contract) -> str:
    return "; ".join(f"{', '.join(headers)} with {status}" for status, headers in c.required_header_statuses.items())


def _foreign_cursor(c: Contract) -> str:
    words = {"refused": f"a {c.error_status('invalidQuery')}", "empty": "an empty page",
             "own-runs": "a page of that runtime's own runs"}
    return " or ".join(words[outcome] for outcome in sorted(c.foreign_cursor_outcomes, key=list(words).index))


def _altered_cursor(c: Contract) -> str:
    words = {"refused": f"gets {c.error_status('invalidQuery')}",
             "served": "is served as the position it names, this runtime's runs only"}
    return " or ".join(words[outcome] for outcome in CHOICES["alteredCursor"].values if outcome in c.altered_cursor)


def _codes(statuses) -> str:
    return ", ".join(str(code) for code in sorted(statuses))


def _limits(c: Contract) -> str:
    return f"{c.limit_min}..{c.limit_max}"


def _limit_refusal(c: Contract) -> str:
    if c.limit_clamped:
        return (f"A limit below {c.limit_min}, not an integer, empty or repeated gets "
                f"{c.error_status('invalidQuery')}; one above {c.limit_max} is served as {c.limit_max}.")
    return f"A limit outside {_limits(c)}, not an integer, empty or repeated gets {c.error_status('invalidQuery')}."


# id -> (source in the effective contract: keys from the operation, or "components"; statement from the contract)
_RULES: dict[str, tuple[tuple[str, ...], Callable[[Contract], str]]] = {
    "page.schema": (("responses", "200"), lambda c: "A 200 answer is JSON {data, nextCursor} matching the page schema."),
    "run.schema": (("responses", "200"), lambda c: "Every run has a uuid id, RFC 3339 timestamps and a status among "
                                                   f"{', '.join(c.statuses)}."),
    "run.lifecycle": (("x-bctrl-contract", "runningStatus"),
                      lambda c: f"startedAt >= createdAt; finishedAt is null exactly while a run is "
                                f"{c.running_status}; finishedAt >= startedAt."),
    "run.immutable": (("x-bctrl-contract", "runningStatus"),
                      lambda c: "Across the whole run, a run's id, createdAt and startedAt never change (as "
                                "instants), nor its finishedAt once set, nor a terminal status."),
    "run.one-runtime": (("parameters",), lambda c: "A run id is never listed under two runtimes."),
    "server.no-5xx": (("responses",), lambda c: "Nothing a client sends gets a 5xx."),
    "errors.envelope": (("x-bctrl-contract", "errorStatus"),
                        lambda c: "Every refusal has its documented status and a JSON body in a bctrl error envelope "
                                  f"({' or '.join(c.error_envelopes)})."),
    "errors.hygiene": (("x-bctrl-contract", "errorLeakPatterns"),
                       lambda c: "No error body shows a stack trace, a source path or the API key."),
    "http.methods": (("x-bctrl-contract", "otherMethods"),
                     lambda c: f"A method other than GET or HEAD is refused ({_codes(c.other_method_statuses)}; a 405 "
                               "with an Allow header naming GET), never served."),
    "auth.bearer": (("security",), lambda c: f"Only `Bearer <key>` authenticates; a missing, malformed or wrong key "
                                            f"gets {c.error_status('unauthenticated')} and no runs."),
    "auth.scheme-case": (("security",), lambda c: "The scheme word is matched case-insensitively."
                         if c.scheme_case_insensitive else "Only the scheme word `Bearer`, so spelled, is accepted; "
                         f"`bearer <key>` gets {c.error_status('unauthenticated')}."),
    "auth.before-validation": (("x-bctrl-contract", "errorStatus", "unauthenticated"),
                               lambda c: "Authentication comes before query validation."),
    "tenant.isolation": (("x-bctrl-contract", "errorStatus", "notVisible"),
                         lambda c: f"Another tenant's runtime is answered {c.error_status('notVisible')} like an "
                                   "unknown one, with no runs, however it is asked: every spelling of its path is "
                                   "refused, never with a run, as the same spelling of an unknown runtime is."),
    "runtime.unknown": (("x-bctrl-contract", "errorStatus", "notVisible"),
                        lambda c: f"A runtime that exists nowhere gets {c.error_status('notVisible')} and no runs "
                                  "(spelled otherwise: a refusal, never a 2xx)."),
    "limit.default": (("parameters",), lambda c: f"Without limit, a page holds {c.limit_default} runs while more "
                                                 "remain."),
    "limit.bounds": (("parameters",), lambda c: f"A limit in {_limits(c)} gives exactly that many runs while more "
                                                "remain."),
    "limit.refusal": (("parameters",), _limit_refusal),
    "status.single": (("parameters",), lambda c: "status=X returns exactly the runs in status X."),
    "status.union": (("parameters",), lambda c: "Repeated status keys return the runs in any of them, each once."),
    "status.refusal": (("parameters",), lambda c: "A status value not spelled exactly as "
                                                  f"{', '.join(c.statuses)} gets {c.error_status('invalidQuery')}."),
    "cursor.walk": (("parameters",), lambda c: "Following nextCursor ends with null and lists every run once, "
                                               "skipping none."),
    "cursor.order": (("x-bctrl-contract", "order"), lambda c: f"Runs come {_order(c)}, across pages."),
    "cursor.keeps-query": (("parameters",), lambda c: "The filter and limit resent with a cursor apply on every "
                                                      "page."),
    "cursor.opaque": (("parameters",), lambda c: "Only a nextCursor the API handed out is valid: garbage gets "
                                                 f"{c.error_status('invalidQuery')}; a truncated or altered one "
                                                 + _altered_cursor(c) + "."),
    "page.empty-runtime": (("responses", "200"), lambda c: "A runtime without runs gives one page with no runs and "
                                                           "nextCursor null."),
    # Blind spots (issue 8). Each owner may refine its rules' source and statement.
    "runtime.spelling": (("x-bctrl-contract", "pathSpellings"),
                         lambda c: "Any spelling of the path (encodings, separators, case, odd or long characters) "
                                   "names the runtime it spells or none: a 200 lists only that runtime's runs; "
                                   f"otherwise one of {_codes(c.path_refusal_statuses)} or a redirect."),
    "limit.grammar": (("x-bctrl-contract", "queryGrammar", "limit"),
                      lambda c: f"limit is spelled {c.limit_grammar.pattern} (plain ASCII decimal digits), given "
                                f"once, read as decimal; any other spelling gets {c.error_status('invalidQuery')}; a "
                                "bracketed key (limit[]) is never read as the limit."),
    "status.grammar": (("x-bctrl-contract", "queryGrammar"),
                       lambda c: "A status value is spelled exactly as the enum spells it; several are sent only as "
                                 f"repeated keys; any other spelling gets {c.error_status('invalidQuery')}, and a "
                                 "bracketed key (status[]) is never applied as the filter."),
    "cursor.scope": (("x-bctrl-contract", "foreignCursor"),
                     lambda c: "A cursor handed out for one runtime never lists another runtime's runs; on another "
                               f"runtime of the key it gets {_foreign_cursor(c)}."),
    "cursor.no-empty-page": (("parameters",), lambda c: "A nextCursor is handed out only while runs remain: never one "
                                                        "that leads to an empty page."),
    "http.retry-after": (("responses", "429", "headers"),
                         lambda c: "Every answer, the ones a client retries included, carries the headers the contract "
                                   "requires with its status: " + _required_headers(c) + "."),
    # Issue 16: the classes of bugs nobody catalogued.
    "auth.channels": (("security",), lambda c: "Only `Authorization: Bearer <key>`, the exact key, authenticates: a "
                                               "near-miss of the key (cut short, lengthened, changed, re-cased, "
                                               "re-encoded, spaced) or the key in a channel the contract does not name "
                                               "(a query parameter, a cookie, Basic credentials, a header split in "
                                               f"two) gets {c.error_status('unauthenticated')} and no runs."),
    "auth.never-echoed": (("security",), lambda c: "No answer of the whole run, 200s included, carries an API key "
                                                   "(or an encoding or a piece of one) in any header or its body."),
    "http.head": (("x-bctrl-contract", "headRequests"),
                  lambda c: "HEAD gets " + " or ".join({"as-get": "the status and media type the same GET gets, with no body",
                                                         "refused": f"a refusal ({_codes(c.other_method_statuses)})"}
                                                        [answer] for answer in sorted(c.head_answers))
                            + "; never a 5xx, never a 2xx where the GET is refused."),
    "http.conditional": (("security",), lambda c: "A conditional request (If-None-Match, If-Modified-Since) never "
                                                  "skips authentication, never gets a 304 or a page for a runtime the "
                                                  "key cannot see, and never a 304 for another runtime's page."),
    "query.equivalent": (("parameters",), lambda c: "The same query written another way (its parameters in another "
                         "order, its characters percent-escaped in either hex case: RFC 3986 §6.2.2), or asked again "
                         "(a cursor redeemed twice: a GET is idempotent), gets the same answer."),
    "query.every-page": (("parameters",), lambda c: "Every rule on the query holds on every page: sent with a cursor "
                                                    "(plain or from a filtered walk), an invalid limit or status is "
                                                    "refused as it is on the first page."),
    "server.sizes": (("x-bctrl-contract", "sizeRefusals"),
                     lambda c: "A request of any size (hundreds of statuses, a long cursor, runtime id or query, many "
                               "parameters) gets what its values get, or a refusal "
                               f"({_codes(c.size_refusal_statuses)}"
                               f"{', or a connection ended instead' if c.size_refusal_may_close else ''}); never a 5xx."),
    "tenant.overlap": (("x-bctrl-contract", "errorStatus", "notVisible"),
                       lambda c: "Requests in flight together each get their own answer: the runs of the runtime, "
                                 "status and limit each names, the refusal each earns, and nothing of another's."),
    "cursor.time": (("parameters",), lambda c: "A cursor redeemed long after it was handed out continues right after "
                                               "the last run its page showed: no run of that page again, none "
                                               "skipped."),
    "tenant.other-key": (("x-bctrl-contract", "errorStatus", "notVisible"),
                         lambda c: "Another tenant's key gets nothing of this key's: its runtimes, cursors, validators "
                                   f"and pages are answered {c.error_status('notVisible')} or with nothing of its "
                                   "runs."),
    "http.framing": (("responses",),
                     lambda c: "Every answer ends where its framing says (its Content-Length, or its last chunk; RFC "
                               "9112 §6), never cut short by the connection"
                               + (": only a refusal of a request for its size may end the connection instead "
                                  "(no answer, or a 413, 414 or 431 cut short)." if c.size_refusal_may_close
                                  else ".")),
    "http.shared-cache": (("x-bctrl-contract", "sharedCacheForbidden"),
                          lambda c: "No answer to an authenticated request is made storable by shared caches (RFC 9111 "
                                    f"§3.5: no {', no '.join(c.shared_cache_forbidden)})."),
}


def contract_rules(contract: Contract) -> list[Rule]:
    """Every rule the effective contract states, in a stable order."""
    return [Rule(rule_id, statement(contract)) for rule_id, (source, statement) in _RULES.items()
            if _has(contract.operation, source)]


def _has(node: object, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True
