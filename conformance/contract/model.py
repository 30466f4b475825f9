"""The effective contract as the checks read it: numbers, names and validators, all from one document."""

from __future__ import annotations

import copy
import json
import re
from functools import cached_property

from jsonschema import Draft202012Validator, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..representation import media_type_in
from .choices import CHOICES, raw
from .order import Order

RUNS_PATH = "/v2/runtimes/{runtimeId}/runs"
_CONTRACT_URI = "urn:bctrl:effective-contract"
REQUEST_ID_HEADER = "x-request-id"
# The statuses bctrl's conventions use for each kind of refusal: what an errorStatus line may say. Discovery proposes
# one of them when the target differs; a check refused with one of them fails on that decision (judge/expect.py).
CONVENTIONAL_ERROR_STATUSES = {kind: CHOICES[f"errorStatus.{kind}"].values
                               for kind in ("invalidQuery", "unauthenticated", "notVisible")}
# The statuses that refuse a request for its size: content, URI or header fields too large (RFC 9110 §15.5.14,
# §15.5.15; RFC 6585 §5). `closed` in sizeRefusals: such a refusal may end the connection instead of answering.
SIZE_STATUSES = frozenset({413, 414, 431})
CLOSED = "closed"
# bctrl's two error envelopes, by the component schema that describes each (BctrlError is a oneOf of them).
ENVELOPE_SCHEMAS = {"flat": "BctrlErrorFlat", "nested": "BctrlErrorNested"}


class ErrorStatus(int):
    """A refusal's status as the contract gives it, an int that knows its line (x-bctrl-contract.errorStatus.<kind>),
    so that a check refused with another conventional status can say which line would settle it."""

    kind: str

    def __new__(cls, value: int, kind: str) -> "ErrorStatus":
        status = super().__new__(cls, value)
        status.kind = kind
        return status


class _line:
    """An accessor of one overlay line: its value as the registry reads it (Contract.choice), read once."""

    def __init__(self, key: str):
        self.key = key

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, contract: "Contract | None", owner: type | None = None):
        if contract is None:
            return self
        value = contract.__dict__[self.name] = contract.choice(self.key)
        return value


class Contract:
    """Accessors over the effective OpenAPI document (published spec + overlay)."""

    def __init__(self, document: dict):
        self.rules = document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]
        self.document = derived_document(document)
        self.operation = self.document["paths"][RUNS_PATH]["get"]
        self._registry = Registry().with_resource(
            _CONTRACT_URI, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )
        # A bad value of a choice fails here, when the contract loads, not in the middle of a run.
        for choice in CHOICES.values():
            if choice.read is not raw:
                self.choice(choice.key)

    def choice(self, key: str) -> object:
        """The value of one x-bctrl-contract line (dotted key), read and checked as its registry entry says
        (choices.py); its default where the overlay does not say it."""
        return CHOICES[key].value(self)

    # -- parameters -------------------------------------------------------------------------------------------
    def _parameter(self, name: str) -> dict:
        for parameter in self.operation["parameters"]:
            if parameter["name"] == name:
                return parameter
        raise KeyError(f"the contract has no parameter {name!r}")

    def _parameter_schema(self, name: str) -> dict:
        return self._resolve(self._parameter(name)["schema"])

    @cached_property
    def parameter_names(self) -> frozenset[str]:
        return frozenset(parameter["name"] for parameter in self.operation["parameters"])

    @cached_property
    def limit_min(self) -> int:
        return int(self._parameter_schema("limit")["minimum"])

    @cached_property
    def limit_max(self) -> int:
        return int(self._parameter_schema("limit")["maximum"])

    @cached_property
    def limit_default(self) -> int:
        return int(self._parameter_schema("limit")["default"])

    # What a limit above the maximum gets: "refuse" (the invalidQuery status) or "clamp" (a page of at most the
    # maximum). An overlay that does not say refuses.
    limit_above_maximum = _line("limitAboveMaximum")

    @property
    def limit_clamped(self) -> bool:
        return self.limit_above_maximum == "clamp"

    @cached_property
    def statuses(self) -> tuple[str, ...]:
        """The run statuses, as the status filter's enum spells them."""
        single = self._resolve(self._parameter_schema("status")["oneOf"][0])
        return tuple(single["enum"])

    @cached_property
    def statuses_as_repeated_keys(self) -> bool:
        """True when several statuses are sent as repeated keys (OpenAPI query style form, exploded: the default)."""
        status = self._parameter("status")
        return status.get("style", "form") == "form" and status.get("explode", True)

    # -- query grammar (x-bctrl-contract.queryGrammar) ------------------------------------------------------------
    @cached_property
    def limit_grammar(self) -> re.Pattern:
        """How a limit value is spelled (before its bounds are checked)."""
        return re.compile(self.rules["queryGrammar"]["limit"])

    @property
    def leading_zeros_limit_statuses(self) -> frozenset[int]:
        """What a limit spelled with leading zeros (010) may get: 200 (read as decimal), invalidQuery, or both."""
        return self._accepted_or_refused("limitLeadingZeros", "accepted")

    @property
    def unknown_parameter_statuses(self) -> frozenset[int]:
        """What a query parameter the contract does not name (status[]) may get: 200 (ignored), invalidQuery, or
        both."""
        return self._accepted_or_refused("unknownParameters", "ignored")

    def _accepted_or_refused(self, key: str, accepted: str) -> frozenset[int]:
        """`<accepted>`, `refused` or `<accepted>-or-refused` as the statuses it allows."""
        value = self.choice(f"queryGrammar.{key}")
        choices = frozenset(value.split("-or-"))
        if not choices or not choices <= {accepted, "refused"}:
            raise ValueError(f"x-bctrl-contract.queryGrammar.{key} {value!r} is none of {accepted}, refused, "
                             f"{accepted}-or-refused")
        return frozenset(({200} if accepted in choices else set()) |
                         ({self.error_status("invalidQuery")} if "refused" in choices else set()))

    # -- path spellings (x-bctrl-contract.pathSpellings) -----------------------------------------------------------
    @cached_property
    def path_refusal_statuses(self) -> frozenset[int]:
        """The statuses a spelling of the path that names no runtime this key can see may get."""
        return frozenset(self.status_of(entry) for entry in self.rules["pathSpellings"]["refusals"])

    @cached_property
    def path_redirect_statuses(self) -> frozenset[int]:
        return frozenset(int(code) for code in self.rules["pathSpellings"].get("redirects", ()))

    def status_of(self, entry: str | int) -> int:
        """An HTTP status, or the name of one of errorStatus."""
        return int(entry) if str(entry).isdigit() else self.error_status(str(entry))

    @property
    def running_status(self) -> str:
        return self.rules["runningStatus"]

    @cached_property
    def terminal_statuses(self) -> tuple[str, ...]:
        return tuple(status for status in self.statuses if status != self.running_status)

    # True if the scheme word of `Authorization: Bearer <key>` is matched in any case (RFC 9110; the default), False
    # if only `Bearer` is accepted.
    scheme_case_insensitive = _line("bearerSchemeCaseInsensitive")

    # -- answers ----------------------------------------------------------------------------------------------
    def error_status(self, kind: str) -> ErrorStatus:
        """The status the contract gives one kind of refusal (invalidQuery, unauthenticated, notVisible, ...)."""
        return ErrorStatus(int(self.rules["errorStatus"][kind]), kind)

    # -- its lines, as data -----------------------------------------------------------------------------------
    def with_line(self, key: str, value: object) -> "Contract":
        """This contract with one x-bctrl-contract line (dotted key) saying `value` instead."""
        document = copy.deepcopy(self.document)
        rules = document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]
        *parents, last = key.split(".")
        for part in parents:
            rules = rules.setdefault(part, {})
        rules[last] = value
        return Contract(document)

    @cached_property
    def documented_statuses(self) -> frozenset[int]:
        return frozenset(int(code) for code in self.operation["responses"])

    def response(self, status: int) -> dict | None:
        return self.operation["responses"].get(str(status))

    def required_headers(self, status: int) -> tuple[str, ...]:
        headers = (self.response(status) or {}).get("headers", {})
        return tuple(name for name, spec in headers.items() if spec.get("required"))

    def media_types(self, status: int) -> tuple[str, ...]:
        return tuple((self.response(status) or {}).get("content", {}))

    def documented_media_type(self, status: int, received: str | None) -> str | None:
        """The documented media type a received Content-Type is (type/subtype, any case, parameters ignored)."""
        return next((option for option in self.media_types(status) if media_type_in(received, [option])), None)

    def body_validator(self, status: int, media_type: str = "application/json") -> Draft202012Validator | None:
        """A Draft 2020-12 validator, format checking on, for the body of a response with this status."""
        if media_type not in self.media_types(status):
            return None
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in ("paths", RUNS_PATH, "get", "responses", str(status), "content", media_type, "schema")
        )
        return self._validator_class(
            {"$ref": f"{_CONTRACT_URI}#/{pointer}"},
            registry=self._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    @cached_property
    def _validator_class(self) -> type[Draft202012Validator]:
        """Draft 2020-12, except that an array item already found valid against the same item schema is not judged
        again. A run is listed over and over in one run of the suite (a hundred times on average against the
        reference server), and judging its schema and formats each time was a third of the gate's CPU time;
        jsonschema's result for an item depends on nothing but the item and its schema."""
        judge_items = Draft202012Validator.VALIDATORS["items"]
        valid: set[tuple[str, str]] = set()

        def items_judged_once(validator, items, instance, schema):
            if items is False or not validator.is_type(instance, "array"):
                yield from judge_items(validator, items, instance, schema)
                return
            shape = json.dumps(items, sort_keys=True)
            for index in range(len(schema.get("prefixItems", [])), len(instance)):
                key = (shape, json.dumps(instance[index], sort_keys=True))
                if key in valid:
                    continue
                errors = list(validator.descend(instance=instance[index], schema=items, path=index))
                if not errors:
                    valid.add(key)
                yield from errors

        return validators.extend(Draft202012Validator, {"items": items_judged_once})

    # What a cursor of one runtime may get on another runtime of the key: refused, empty and/or own-runs.
    foreign_cursor_outcomes = _line("foreignCursor")
    # What a cursor sent with another filter or limit than it was handed out with may get: served, refused.
    cursor_with_other_query = _line("cursorWithOtherQuery")
    # What a cursor altered to decode to another value may get: refused, and/or served (as a position).
    altered_cursor = _line("alteredCursor")
    # The statuses a method other than GET and HEAD may get (405 also needs an Allow header).
    other_method_statuses = _line("otherMethods")
    # Whether a 405 to TRACE must carry an Allow header: `required` (as every 405), or `optional`.
    trace_refusal_allow = _line("traceRefusalAllow")
    # What a request with two Authorization field lines may get (an errorStatus name or an HTTP status each).
    repeated_authorization_statuses = _line("repeatedAuthorization")
    # What HEAD may get: as-get (the GET's status, no body) and/or refused (an otherMethods status).
    head_answers = _line("headRequests")
    # The statuses that may refuse a request of an unusual size (beside what its values get).
    size_refusal_statuses = _line("sizeRefusals")
    # The media types an error body may be sent as (each with the same envelope).
    error_media_types = _line("errorMediaTypes")
    # Where a refusal's request id may travel: body (requestId in the envelope) and/or header (x-request-id).
    request_id_places = _line("requestId")
    # How far behind the newest data a read may be (0 if unsaid); whether the oldest runs may be deleted.
    read_lag_seconds = _line("liveData.readLagSeconds")
    oldest_runs_may_be_deleted = _line("liveData.oldestRunsMayBeDeleted")
    # How a limit not spelled as the grammar says is answered: refused, or lenient (read as numbers parse); and a
    # status value not spelled as the enum: refused, or lenient (read as it resembles).
    limit_outside_grammar = _line("queryGrammar.limitOutsideGrammar")
    status_outside_grammar = _line("queryGrammar.statusOutsideGrammar")

    @cached_property
    def size_refusal_may_close(self) -> bool:
        """sizeRefusals lists `closed`: a request of an unusual size may be refused by ending the connection, with no
        answer (a reset while it is still being sent) or with a 413, 414 or 431 it cuts short (Node's way)."""
        return CLOSED in CHOICES["sizeRefusals"].said(self.rules)

    def refused_at_transport(self, status: int | None) -> bool:
        """A request of an unusual size, refused by a connection that ended: allowed where sizeRefusals says
        `closed`, with no answer or with a status that refuses a request for its size."""
        return self.size_refusal_may_close and (status is None or status in SIZE_STATUSES)

    @cached_property
    def error_envelopes(self) -> tuple[str, ...]:
        """The bctrl error envelopes the contract accepts ("flat", "nested"), as BctrlError's oneOf lists them."""
        schema = self.document.get("components", {}).get("schemas", {}).get("BctrlError", {})
        refs = [option.get("$ref", "") for option in schema.get("oneOf", [schema])]
        by_ref = {f"#/components/schemas/{name}": envelope for envelope, name in ENVELOPE_SCHEMAS.items()}
        return tuple(by_ref[ref] for ref in refs if ref in by_ref)

    # -- what a test generator reads ----------------------------------------------------------------------------
    @cached_property
    def generation_document(self) -> dict:
        """The effective contract as a test generator (Schemathesis) must read it: the document itself, except
        that under clamp a limit above the maximum is valid input, answered with a page of at most the maximum,
        so the limit schema has no maximum there and the page's `data` array has it as maxItems."""
        if not self.limit_clamped:
            return self.document
        document = copy.deepcopy(self.document)
        operation = document["paths"][RUNS_PATH]["get"]
        limit = next(p for p in operation["parameters"] if p["name"] == "limit")
        _lookup(document, limit["schema"]).pop("maximum", None)
        page = _lookup(document, operation["responses"]["200"]["content"]["application/json"]["schema"])
        _lookup(document, page["properties"]["data"])["maxItems"] = self.limit_max
        return document

    # -- order and error hygiene ------------------------------------------------------------------------------
    @cached_property
    def order(self) -> Order:
        order = self.rules["order"]
        tie = order.get("tieBreak") or {}
        return Order(
            by=order["by"],
            descending=order["direction"] == "descending",
            tie_by=tie.get("by"),
            tie_descending=tie.get("direction") == "descending",
        )

    @cached_property
    def shared_cache_forbidden(self) -> tuple[str, ...]:
        """Cache-Control directives no answer to an authenticated request may carry (they let shared caches store
        it, RFC 9111 §3.5), lower-cased."""
        return tuple(name.lower() for name in self.rules.get("sharedCacheForbidden", ()))

    @cached_property
    def required_header_statuses(self) -> dict[int, tuple[str, ...]]:
        """Status -> the headers the contract requires with it (e.g. 429 -> Retry-After)."""
        return {status: self.required_headers(status) for status in sorted(self.documented_statuses)
                if self.required_headers(status)}

    @cached_property
    def error_leak_patterns(self) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(pattern, re.MULTILINE) for pattern in self.rules.get("errorLeakPatterns", ()))

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self._registry.resolver(_CONTRACT_URI).lookup(f"{_CONTRACT_URI}{schema['$ref']}").contents
        return schema


def derived_document(document: dict) -> dict:
    """The effective document with what the contract's lines imply written out where OpenAPI readers look: each
    error answer's body documented under every media type x-bctrl-contract.errorMediaTypes allows (the overlay
    writes it once), so the validators and the fuzzer read one list. A document without the runs operation's
    x-bctrl-contract is returned as it is."""
    operation = document.get("paths", {}).get(RUNS_PATH, {}).get("get", {})
    if "x-bctrl-contract" not in operation:
        return document
    media_types = tuple(CHOICES["errorMediaTypes"].said(operation["x-bctrl-contract"]))
    document = copy.deepcopy(document)
    for status, response in document["paths"][RUNS_PATH]["get"].get("responses", {}).items():
        content = response.get("content") or {}
        if int(status) < 400 or len(content) != 1:
            continue
        (body,) = content.values()
        response["content"] = {media_type: copy.deepcopy(body) for media_type in media_types}
    return document


def _lookup(document: dict, schema: dict) -> dict:
    """The schema itself, or the node of `document` its local $ref points to (followed until there is none)."""
    while "$ref" in schema:
        node = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema
