"""The registry of contract choices: one entry per line of the overlay, the one place that lists them.

An entry says a line's key (dotted, as discovery writes it: `queryGrammar.limitOutsideGrammar`), the values it may
take, what an overlay that does not say it means (its default), how its value is read and checked when the contract
loads, how discovery settles it (the settling function in conformance/discover/points/, as `<area>.<function>`) or
why it cannot, and which reference server (`reference_server.variants.Variants`: a field's value, or a personality)
exhibits each value. The model's accessors (model.py), discovery's list of points and its "not probed" list, the
overlay writer and the README's table of lines (`python -m conformance.contract --write-readme`) read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .. import readme_blocks

NOT_SAID = object()  # a line whose default is "the overlay must say it"
DEFAULT = "default"  # the reference server's defaults (Variants()), which are the default contract's
README_BLOCK = "contract-lines"


# -- how a line's value is read: each returns what the model's accessor gives, or raises naming the line ----------
def one(choice: "Choice", value: object, contract=None) -> object:
    """One of the values."""
    if value not in choice.values:
        raise ValueError(f"x-bctrl-contract.{choice.key} must be one of {', '.join(map(str, choice.values))}, "
                         f"not {value!r}")
    return value


def some(choice: "Choice", value: object, contract=None) -> frozenset:
    """A list of some of the values (at least one)."""
    chosen = frozenset(value) if isinstance(value, list) else frozenset()
    unknown = sorted(map(str, chosen - set(choice.values)))
    if not chosen or unknown:
        raise ValueError(f"x-bctrl-contract.{choice.key} must list some of {', '.join(map(str, choice.values))}"
                         f"{f'; unknown: {unknown}' if unknown else ''}")
    return chosen


def flag(choice: "Choice", value: object, contract=None) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"x-bctrl-contract.{choice.key} must be true or false, not {value!r}")
    return value


def seconds(choice: "Choice", value: object, contract=None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"x-bctrl-contract.{choice.key} must be a number of seconds, not {value!r}")
    return float(value)


def media_types(choice: "Choice", value: object, contract=None) -> tuple[str, ...]:
    types = tuple(value)
    if not types or not all(isinstance(name, str) and "/" in name for name in types):
        raise ValueError(f"x-bctrl-contract.{choice.key} must list media types, not {types!r}")
    return types


def statuses(choice: "Choice", value: object, contract) -> frozenset[int]:
    """4xx statuses, each an HTTP status or an errorStatus name; a word among the values that is neither (`closed`)
    is no status and is left out."""
    words = {entry for entry in choice.values if isinstance(entry, str) and entry not in contract.rules["errorStatus"]}
    found = frozenset(contract.status_of(entry) for entry in value if entry not in words)
    if (not found and not set(value) & words) or any(not 400 <= status < 500 for status in found):
        raise ValueError(f"x-bctrl-contract.{choice.key} must list 4xx statuses, not {sorted(found)}")
    return found


def raw(choice: "Choice", value: object, contract=None) -> object:
    """As the overlay says it (the model's accessor reads it further); not checked when the contract loads."""
    return value


@dataclass(frozen=True)
class Choice:
    """One line of the overlay."""

    key: str  # dotted, under x-bctrl-contract unless `label` names another place
    values: tuple  # the values it may take (a number or a list of rules: the ones the reference servers show)
    exhibited_by: dict  # value -> the reference server that exhibits it: DEFAULT, "field=value", or a personality
    settled_by: str = ""  # <area>.<function> in conformance/discover/points/
    not_probed: str = ""  # why discovery cannot settle it (then it has no settling function)
    default: object = NOT_SAID  # what an overlay without the line means
    read: Callable[..., object] = raw
    probe: str = ""  # what discovery sends to settle it, in the README's words
    label: str = ""  # the point's name where the line is not under x-bctrl-contract
    unexhibited: dict = field(default_factory=dict)  # value -> why no reference variant exhibits it yet

    @property
    def point(self) -> str:
        """The name discovery's report gives the line."""
        return self.label or f"x-bctrl-contract.{self.key}"

    def said(self, rules: dict) -> object:
        """The raw value of the line in an x-bctrl-contract block, or its default."""
        node: object = rules
        for part in self.key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None if self.default is NOT_SAID else self.default
            node = node[part]
        return node

    def value(self, contract) -> object:
        """The line's value in a contract, read (and checked) as `read` says."""
        return self.read(self, self.said(contract.rules), contract)


_GET_ONLY = "discovery sends GET only"
_RULE = "a rule, not a choice: what discovery sees against it is reported as a violation, never written"
_LIMITS = "the first page's size; the contract's maximum and one above; a bisection where the target's maximum " \
          "is elsewhere"
_REFUSALS = "limit 0, a word, a huge limit, an unknown status, a garbage cursor, no key, a wrong key, an unknown " \
            "and another tenant's runtime: their statuses, bodies and headers"
_ORDER = "the biggest page the limit search was served: the order of its runs, and of those sharing a createdAt"
_CURSOR = "the walk's first cursor on another runtime of the key, with another limit and filter, and altered"
_SPELLINGS = "one spelling of each kind; a lenient reading is written as a `DECIDE` for the API team to confirm, " \
             "never silently"
_NO_VARIANT = "no reference variant answers so yet"

CHOICES: dict[str, Choice] = {choice.key: choice for choice in (
    # -- settled by discovery ---------------------------------------------------------------------------------------
    Choice("limit.default", (50, 20), {50: DEFAULT, 20: "default_limit=20"}, settled_by="limit.default_limit",
           label="limit schema: default", probe=_LIMITS),
    Choice("limit.minimum", (1,), {1: DEFAULT}, settled_by="limit.minimum", label="limit schema: minimum",
           probe="limit=1 and limit=0"),
    Choice("limit.maximum", (100, 80), {100: DEFAULT, 80: "max_limit=80"}, settled_by="limit.maximum",
           label="limit schema: maximum", probe=_LIMITS),
    Choice("limitAboveMaximum", ("refuse", "clamp"), {"refuse": DEFAULT, "clamp": "above_max=clamp"},
           settled_by="limit.above_maximum", default="refuse", read=one, probe=_LIMITS),
    Choice("errorStatus.invalidQuery", (400, 422), {400: DEFAULT, 422: "invalid_query_status=422"},
           settled_by="schema.invalid_query", probe=_REFUSALS),
    Choice("errorStatus.unauthenticated", (401, 403), {401: DEFAULT}, settled_by="auth.unauthenticated",
           probe=_REFUSALS, unexhibited={403: _NO_VARIANT}),
    Choice("bearerSchemeCaseInsensitive", (True, False), {True: DEFAULT, False: "scheme_case=sensitive"},
           settled_by="auth.scheme_case", default=True, read=flag, probe="`bearer` and `BEARER` as the scheme word"),
    Choice("errorStatus.notVisible", (404, 403), {404: DEFAULT}, settled_by="auth.not_visible", probe=_REFUSALS,
           unexhibited={403: _NO_VARIANT + " (other-tenant-403 is a fault: it tells another tenant's runtime apart)"}),
    Choice("errorEnvelopes", ("nested", "flat"), {"nested": DEFAULT, "flat": "error_envelope=flat"},
           settled_by="schema.envelope", label="components.schemas.BctrlError (error envelopes)", probe=_REFUSALS),
    Choice("order", ("createdAt descending",), {"createdAt descending": DEFAULT}, settled_by="pagination.order",
           probe=_ORDER),
    Choice("order.tieBreak", ("id descending", "id ascending", None),
           {"id descending": DEFAULT, "id ascending": "tie_break=ascending"}, settled_by="pagination.tie_break",
           probe=_ORDER, unexhibited={None: "a server's ties come in some order, which discovery reads as one"}),
    Choice("status.style", ("form, exploded",), {"form, exploded": DEFAULT}, settled_by="filters.status_list",
           label="status parameter: style form, explode true (repeated keys)",
           probe="two statuses as repeated keys (a comma list only if those are refused)"),
    Choice("status.enum", ("active", "stopped", "failed"), {"active": DEFAULT, "stopped": DEFAULT, "failed": DEFAULT},
           settled_by="filters.statuses", label="run statuses (the published enum)",
           probe="the statuses of the runs every page listed"),
    Choice("queryGrammar.limitOutsideGrammar", ("refused", "lenient"),
           {"refused": DEFAULT, "lenient": "limit_parser=javascript-number"}, settled_by="limit.limit_outside_grammar",
           default="refused", read=one, probe=_SPELLINGS),
    Choice("queryGrammar.limitLeadingZeros", ("accepted", "refused", "accepted-or-refused"),
           {"accepted": DEFAULT, "accepted-or-refused": DEFAULT}, settled_by="limit.leading_zeros", probe=_SPELLINGS,
           unexhibited={"refused": _NO_VARIANT}),
    Choice("queryGrammar.statusOutsideGrammar", ("refused", "lenient"), {"refused": DEFAULT},
           settled_by="filters.status_outside_grammar", default="refused", read=one, probe=_SPELLINGS,
           unexhibited={"lenient": _NO_VARIANT + " (the faults that read statuses leniently are faults)"}),
    Choice("queryGrammar.unknownParameters", ("ignored", "refused", "ignored-or-refused"),
           {"ignored": DEFAULT, "ignored-or-refused": DEFAULT}, settled_by="filters.unknown_parameters",
           probe="unknown and bracketed parameters (status[], limit[])", unexhibited={"refused": _NO_VARIANT}),
    Choice("foreignCursor", ("refused", "empty", "own-runs"),
           {"refused": DEFAULT, "own-runs": "cursor_style=page-number"}, settled_by="pagination.foreign_cursor",
           read=some, probe=_CURSOR, unexhibited={"empty": "cursor_style=page-number shows it only on the key's empty "
                                                      "runtime; no variant answers so on a runtime with runs"}),
    Choice("cursorWithOtherQuery", ("served", "refused"), {"served": DEFAULT, "refused": "cursor_binding=filter"},
           settled_by="pagination.cursor_with_other_query", read=some, probe=_CURSOR),
    Choice("alteredCursor", ("refused", "served"), {"refused": DEFAULT}, settled_by="pagination.altered_cursor",
           read=some, probe=_CURSOR, unexhibited={"served": _NO_VARIANT + " (its page-number cursors are checked)"}),
    Choice("pathSpellings.refusals", ("notVisible", "invalidQuery", 400, 403, 414, 431),
           {"notVisible": DEFAULT, "invalidQuery": "runtime_id_shape=uuid", 400: "runtime_id_shape=uuid",
            414: "front_end=nginx", 431: "head_limit=16384"}, settled_by="auth.path_refusals",
           probe="a runtime id of another shape, and spellings of a runtime the key cannot see",
           unexhibited={403: _NO_VARIANT + " (a WAF's)"}),
    Choice("errorMediaTypes", ("application/json", "application/problem+json"),
           {"application/json": DEFAULT, "application/problem+json": "error_media_type=application/problem+json"},
           settled_by="schema.error_media_types", default=["application/json"], read=media_types, probe=_REFUSALS),
    Choice("requestId", ("body", "header"), {"body": DEFAULT, "header": "request_id=header"},
           settled_by="schema.request_id", read=some, probe=_REFUSALS),
    # -- not probed -------------------------------------------------------------------------------------------------
    Choice("otherMethods", (405, 404), {405: DEFAULT, 404: "unrouted=router-404"}, default=[405], read=statuses,
           not_probed=f"{_GET_ONLY}; the gate's methods checks judge it"),
    Choice("traceRefusalAllow", ("required", "optional"), {"required": DEFAULT, "optional": "front_end=nginx"},
           default="required", read=one, not_probed=f"{_GET_ONLY}; the gate's methods checks judge TRACE (a 405 "
                                                    "without Allow is named there as this line's decision)"),
    Choice("repeatedAuthorization", ("unauthenticated", 400), {"unauthenticated": DEFAULT, 400: "front_end=nginx"},
           default=["unauthenticated"], read=statuses,
           not_probed="discovery sends one Authorization header a request; the gate's credentials checks send two"),
    Choice("headRequests", ("as-get", "refused"), {"as-get": DEFAULT}, read=some,
           not_probed=f"{_GET_ONLY}; the gate's methods checks send HEAD",
           unexhibited={"refused": _NO_VARIANT + " (the reference server answers HEAD as GET)"}),
    Choice("sizeRefusals", ("invalidQuery", 413, 414, 431, "closed"),
           {"invalidQuery": DEFAULT, 414: "front_end=nginx", 431: "head_limit=16384", "closed": "head_limit=16384"},
           default=["invalidQuery"], read=statuses, unexhibited={413: _NO_VARIANT},
           not_probed="discovery sends requests of ordinary sizes; the gate's sizes checks send the unusual ones"),
    Choice("liveData.readLagSeconds", (0, 5), {0: DEFAULT, 5: "read_lag=5"}, default=0, read=seconds,
           not_probed="a replica's lag shows only over time"),
    Choice("liveData.oldestRunsMayBeDeleted", (False, True), {False: DEFAULT, True: "retention=true"}, default=False,
           read=flag, not_probed="a retention job shows only over time"),
    Choice("errorStatus.rateLimited", (429,), {}, not_probed="discovery asks slowly, never to be rate limited",
           unexhibited={429: "the reference server's trouble (--trouble-rate), not a variant, answers 429"}),
    Choice("runningStatus", ("active",), {"active": DEFAULT},
           not_probed="a run's lifecycle shows only over time; the gate's live-data checks judge it"),
    Choice("pathSpellings.redirects", (), {}, not_probed=_RULE),
    Choice("queryGrammar.limit", (), {}, not_probed=_RULE),
    Choice("sharedCacheForbidden", (), {}, default=[], not_probed=_RULE),
    Choice("errorLeakPatterns", (), {}, default=[], not_probed=_RULE),
)}


def settled() -> list[Choice]:
    """The lines discovery settles, in the order its report lists them."""
    return [choice for choice in CHOICES.values() if choice.settled_by]


def not_probed() -> list[Choice]:
    return [choice for choice in CHOICES.values() if choice.not_probed]


# -- the README's table of lines ----------------------------------------------------------------------------------
def readme_block() -> str:
    """The README's table of lines (in "First run against your API", a list item: indented three spaces), between
    its markers: each line, and what settles it or why nothing does. `python -m conformance.contract --write-readme`
    writes it."""
    rows = ["| overlay line | settled by |", "|---|---|"]
    for choice in CHOICES.values():
        how = choice.probe or f"not probed ({choice.not_probed}): the contract's line holds unless you set it"
        rows.append(f"| `{choice.key}` | {how} |")
    begin, end = readme_blocks.markers(README_BLOCK)
    return "\n   ".join([begin, *rows, end])
