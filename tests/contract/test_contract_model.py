"""The effective contract (openapi.yaml + contract.overlay.yaml) as the Contract accessor reads it."""
from __future__ import annotations

import copy

import pytest

from conformance.contract import RUNS_PATH, Contract, load_contract

RUN_ID = "3f1c2a4e-8b7d-4e6f-9a1b-2c3d4e5f6a7b"

# A page shaped like the published spec's 200 response (runtimes_v2.runtimes.runs.list_Response_200).
SPEC_EXAMPLE_PAGE = {
    "data": [
        {"id": "0b6c1d6e-7f1a-4c3b-9d2e-5a4b3c2d1e0f", "createdAt": "2026-03-01T10:15:00.000Z",
         "startedAt": "2026-03-01T10:15:01.000Z", "status": "active", "finishedAt": None},
        {"id": RUN_ID, "createdAt": "2026-03-01T10:14:00Z", "startedAt": "2026-03-01T10:14:02Z",
         "status": "stopped", "finishedAt": "2026-03-01T10:20:00+00:00"},
        {"id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "createdAt": "2026-03-01T10:13:00.000Z",
         "startedAt": "2026-03-01T10:13:00.500Z", "status": "failed", "finishedAt": "2026-03-01T10:13:05.000Z"},
    ],
    "nextCursor": "opaque-cursor",
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract()


def page_with(**changes) -> dict:
    page = copy.deepcopy(SPEC_EXAMPLE_PAGE)
    page["data"][1].update(changes)
    return page


def test_limit_bounds_and_default(contract):
    """The limit parameter is bounded 1..100 with default 50."""
    assert (contract.limit_min, contract.limit_max, contract.limit_default) == (1, 100, 50)


def test_statuses_and_their_running_terminal_split(contract):
    """The statuses are active, stopped, failed; active is the running one, the other two are terminal."""
    assert contract.statuses == ("active", "stopped", "failed")
    assert contract.running_status == "active"
    assert contract.terminal_statuses == ("stopped", "failed")


@pytest.mark.parametrize("kind, status", [("invalidQuery", 400), ("unauthenticated", 401), ("notVisible", 404),
                                          ("rateLimited", 429)])
def test_error_status_per_kind(contract, kind, status):
    """Each kind of refusal gets the status the overlay assigns it."""
    assert contract.error_status(kind) == status


def test_authorization_header_parameter_is_replaced_by_bearer_security(contract):
    """The free-form Authorization header parameter is removed and the bearerAuth scheme applies instead."""
    names = [parameter["name"] for parameter in contract.operation["parameters"]]
    assert "Authorization" not in names
    assert names == ["runtimeId", "cursor", "limit", "status"]
    assert contract.operation["security"] == [{"bearerAuth": []}]
    assert contract.document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_documented_statuses(contract):
    """The operation documents exactly 200, 400, 401, 404 and 429."""
    assert contract.documented_statuses == frozenset({200, 400, 401, 404, 429})


def test_429_requires_retry_after_and_others_require_no_header(contract):
    """Retry-After is a required header of 429 and of no other documented answer."""
    assert contract.required_headers(429) == ("Retry-After",)
    assert all(contract.required_headers(status) == () for status in (200, 400, 401, 404))


def test_every_documented_status_has_a_json_body(contract):
    """A page is application/json; each error answer is documented under every media type errorMediaTypes allows
    (application/json and application/problem+json), with the same schema; an undocumented one has none."""
    assert contract.media_types(200) == ("application/json",)
    for status in contract.documented_statuses - {200}:
        assert contract.media_types(status) == ("application/json", "application/problem+json")
        assert contract.body_validator(status, "application/problem+json").is_valid(
            {"error": {"code": "c", "message": "m"}})
    assert contract.body_validator(500) is None
    assert contract.body_validator(200, "text/html") is None


def test_a_received_media_type_is_read_by_type_and_subtype(contract):
    """Any case and any parameter of a received Content-Type name the documented media type."""
    assert contract.documented_media_type(200, "Application/JSON; charset=UTF-8") == "application/json"
    assert contract.documented_media_type(400, "application/problem+json") == "application/problem+json"
    assert contract.documented_media_type(200, "application/problem+json") is None
    assert contract.documented_media_type(400, None) is None


def test_body_validator_200_accepts_the_spec_example_page(contract):
    """A page shaped like the published spec's 200 response validates."""
    assert list(contract.body_validator(200).iter_errors(SPEC_EXAMPLE_PAGE)) == []
    assert contract.body_validator(200).is_valid({"data": [], "nextCursor": None})


@pytest.mark.parametrize("change", [
    {"id": "run_0123456789abcdef01234567"},
    {"createdAt": "2026-03-01 10:14:00"},
    {"createdAt": "2026-03-01T10:14:00"},
    {"createdAt": 1772359440000},
    {"startedAt": "yesterday"},
    {"finishedAt": "2026-03-01"},
    {"status": "ACTIVE"},
    {"status": "running"},
], ids=lambda change: f"{next(iter(change))}={next(iter(change.values()))}")
def test_body_validator_200_rejects_a_malformed_run(contract, change):
    """A run with a non-uuid id, a non-RFC 3339 timestamp or an unknown status does not validate."""
    assert not contract.body_validator(200).is_valid(page_with(**change))


def test_body_validator_200_rejects_a_page_without_next_cursor(contract):
    """A 200 page must carry nextCursor (null on the last page) and data."""
    page = copy.deepcopy(SPEC_EXAMPLE_PAGE)
    del page["nextCursor"]
    assert not contract.body_validator(200).is_valid(page)
    assert not contract.body_validator(200).is_valid({"data": None, "nextCursor": None})


@pytest.mark.parametrize("body", [
    {"error": "limit must be between 1 and 100", "code": "request.invalid", "requestId": "req_1"},
    {"error": {"code": "request.invalid", "message": "limit must be between 1 and 100", "requestId": "req_1"}},
], ids=["flat", "nested"])
def test_body_validator_400_accepts_both_error_envelopes(contract, body):
    """Both bctrl error envelopes (flat and nested) are valid 400 bodies."""
    assert contract.body_validator(400).is_valid(body)


@pytest.mark.parametrize("body", [
    {"message": "x"},
    {"error": "", "code": "request.invalid"},
    {"error": {"code": "request.invalid"}},
    "Bad Request",
], ids=["message-only", "empty-error", "nested-without-message", "plain-string"])
def test_body_validator_400_rejects_other_shapes(contract, body):
    """A body that is neither bctrl envelope (e.g. {"message": "x"}) is not a valid 400 body."""
    assert not contract.body_validator(400).is_valid(body)


def test_order_is_created_at_descending_then_id_descending(contract):
    """Order.key sorts runs newest createdAt first and breaks ties by id, descending."""
    runs = [
        {"id": "00000000-0000-4000-8000-000000000001", "createdAt": "2026-01-01T00:00:00Z"},
        {"id": "00000000-0000-4000-8000-000000000003", "createdAt": "2026-01-01T00:00:00Z"},
        {"id": "00000000-0000-4000-8000-000000000002", "createdAt": "2026-01-02T00:00:00Z"},
        {"id": "00000000-0000-4000-8000-000000000002", "createdAt": "2025-12-31T23:59:59.999Z"},
    ]
    ordered = sorted(runs, key=contract.order.key)
    assert [(run["createdAt"][:10], run["id"][-1]) for run in ordered] == [
        ("2026-01-02", "2"), ("2026-01-01", "3"), ("2026-01-01", "1"), ("2025-12-31", "2")]
    assert contract.order.describe() == "createdAt descending, then id descending"


def test_order_compares_timestamps_as_instants(contract):
    """Timestamps of the same instant in different precision or offset give equal keys."""
    key = contract.order.key
    run = {"id": RUN_ID, "createdAt": "2026-01-01T00:00:00Z"}
    assert key(run) == key({**run, "createdAt": "2026-01-01T00:00:00.000Z"})
    assert key(run) == key({**run, "createdAt": "2026-01-01T01:00:00+01:00"})
    assert key({**run, "createdAt": "2026-01-01T00:00:00.001Z"}) < key(run)  # later instant comes first


def test_a_null_tie_break_makes_equal_created_at_runs_compare_equal(contract):
    """With tieBreak set to null, runs sharing a createdAt have equal keys whatever their ids."""
    document = copy.deepcopy(contract.document)
    document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]["order"]["tieBreak"] = None
    order = Contract(document).order
    assert order.tie_by is None
    a = {"id": "00000000-0000-4000-8000-000000000001", "createdAt": "2026-01-01T00:00:00Z"}
    b = {"id": "00000000-0000-4000-8000-000000000009", "createdAt": "2026-01-01T00:00:00.000Z"}
    assert order.key(a) == order.key(b)
    assert not order.key(a) < order.key(b) and not order.key(b) < order.key(a)
    assert order.describe() == "createdAt descending"
    assert contract.order.key(a) != contract.order.key(b)  # the real contract still breaks the tie


def test_error_leak_patterns_are_compiled(contract):
    """The overlay's errorLeakPatterns are all compiled and match a Python traceback line."""
    assert len(contract.error_leak_patterns) == 5
    assert any(p.search('Traceback (most recent call last):') for p in contract.error_leak_patterns)


def test_foreign_cursor_outcomes_are_read_and_checked(contract):
    """foreignCursor lists what a cursor of one runtime may get on another: by default a refusal, an empty page or
    a page of that runtime's own runs (a cursor that is only a position); an unknown outcome is an error naming the
    key."""
    assert contract.foreign_cursor_outcomes == {"refused", "empty", "own-runs"}
    document = copy.deepcopy(contract.document)
    document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]["foreignCursor"] = ["refused", "anything"]
    with pytest.raises(ValueError, match="foreignCursor"):
        Contract(document).foreign_cursor_outcomes


def test_path_spellings_refusals_and_redirects(contract):
    """A spelling naming no visible runtime may get 404 (notVisible), 400 (invalidQuery, or a proxy's), 403 (a
    WAF's), 414 or 431, or one of the redirects."""
    assert contract.path_refusal_statuses == {400, 403, 404, 414, 431}
    assert contract.path_redirect_statuses == {301, 302, 303, 307, 308}


def test_query_grammar(contract):
    """limit is plain ASCII digits; leading zeros and unknown parameters may be accepted or refused; several
    statuses are repeated keys."""
    assert contract.limit_grammar.fullmatch("010") and not contract.limit_grammar.fullmatch("\uff15")
    assert contract.leading_zeros_limit_statuses == {200, 400}
    assert contract.unknown_parameter_statuses == {200, 400}
    assert contract.statuses_as_repeated_keys


@pytest.mark.parametrize("value, statuses", [("ignored", {200}), ("refused", {400}), ("ignored-or-refused", {200, 400}),
                                             ("either", None), ("accepted", None)])
def test_unknown_parameters_words(value, statuses):
    """unknownParameters is ignored, refused or ignored-or-refused; any other word is an error naming the key."""
    document = copy.deepcopy(load_contract().document)
    document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]["queryGrammar"]["unknownParameters"] = value
    contract = Contract(document)
    if statuses is None:
        with pytest.raises(ValueError, match="unknownParameters"):
            contract.unknown_parameter_statuses
    else:
        assert contract.unknown_parameter_statuses == statuses


def _with_rules(contract, **rules) -> Contract:
    document = copy.deepcopy(contract.document)
    document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"].update(rules)
    return Contract(document)


def test_default_choices_refuse_above_the_maximum_and_match_the_scheme_in_any_case(contract):
    """The default overlay refuses a limit above the maximum, takes the scheme word in any case, and accepts
    both bctrl error envelopes."""
    assert contract.limit_above_maximum == "refuse" and not contract.limit_clamped
    assert contract.scheme_case_insensitive is True
    assert contract.error_envelopes == ("flat", "nested")


def test_an_overlay_without_the_choice_lines_keeps_the_defaults(contract):
    """An older overlay that has neither line refuses above the maximum and takes any case."""
    document = copy.deepcopy(contract.document)
    rules = document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]
    del rules["limitAboveMaximum"], rules["bearerSchemeCaseInsensitive"]
    assert Contract(document).limit_above_maximum == "refuse" and Contract(document).scheme_case_insensitive


@pytest.mark.parametrize("rules", [{"limitAboveMaximum": "truncate"}, {"bearerSchemeCaseInsensitive": "yes"}])
def test_a_bad_choice_fails_when_the_contract_loads(contract, rules):
    """A value outside the choice's options is an error at load time, naming the line."""
    with pytest.raises(ValueError, match=next(iter(rules))):
        _with_rules(contract, **rules)


def test_a_pinned_envelope_is_the_only_one_accepted(contract):
    """BctrlError narrowed to one envelope: error_envelopes names it and the 400 validator takes no other."""
    document = copy.deepcopy(contract.document)
    document["components"]["schemas"]["BctrlError"] = {"oneOf": [{"$ref": "#/components/schemas/BctrlErrorFlat"}]}
    pinned = Contract(document)
    assert pinned.error_envelopes == ("flat",)
    assert pinned.body_validator(400).is_valid({"error": "bad", "code": "request.invalid"})
    assert not pinned.body_validator(400).is_valid({"error": {"code": "c", "message": "m", "requestId": "r"}})


def test_generation_document_is_the_document_unless_the_contract_clamps(contract):
    """Refusing: a generator reads the effective document itself. Clamping: a limit above the maximum is valid
    input (no maximum in the limit schema) and a page holds at most the maximum (maxItems on data)."""
    assert contract.generation_document is contract.document
    clamping = _with_rules(contract, limitAboveMaximum="clamp")
    generated = clamping.generation_document
    limit = next(p for p in generated["paths"][RUNS_PATH]["get"]["parameters"] if p["name"] == "limit")
    page = generated["components"]["schemas"]["runtimes_v2.runtimes.runs.list_Response_200"]
    assert "maximum" not in limit["schema"] and limit["schema"]["minimum"] == 1
    assert page["properties"]["data"]["maxItems"] == 100
    assert clamping.limit_max == 100, "the hand-written checks still read the maximum"
    assert "maxItems" not in contract.document["components"]["schemas"][
        "runtimes_v2.runtimes.runs.list_Response_200"]["properties"]["data"], "the effective document is untouched"


def test_the_choices_bctrl_leaves_open_default_to_every_correct_one(contract):
    """Where bctrl's conventions do not decide, the default contract allows every choice a correct server may make:
    a cursor bound to its query or not, a router's 404 for another method, either place for the request id, reads
    that lag, the oldest runs deleted; it stays strict on what is a decision (altered cursors, lenient spellings)."""
    assert contract.cursor_with_other_query == {"served", "refused"}
    assert contract.other_method_statuses == {404, 405}
    assert contract.request_id_places == {"body", "header"}
    assert contract.error_media_types == ("application/json", "application/problem+json")
    assert contract.read_lag_seconds == 5 and contract.oldest_runs_may_be_deleted
    assert contract.altered_cursor == {"refused"}
    assert contract.limit_outside_grammar == contract.status_outside_grammar == "refused"


@pytest.mark.parametrize("key, value", [
    ("cursorWithOtherQuery", ["maybe"]), ("alteredCursor", []), ("otherMethods", [200]), ("requestId", ["cookie"]),
    ("errorMediaTypes", ["json"]), ("liveData", {"readLagSeconds": -1}), ("liveData", {"oldestRunsMayBeDeleted": 1}),
])
def test_a_bad_choice_is_refused_when_the_contract_loads(contract, key, value):
    """A value a choice cannot take fails when the contract loads, naming the line."""
    document = copy.deepcopy(contract.document)
    document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"][key] = value
    with pytest.raises(ValueError, match=key if key != "liveData" else "liveData"):
        Contract(document)


@pytest.mark.parametrize("key", ["limitOutsideGrammar", "statusOutsideGrammar"])
def test_a_bad_reading_of_other_spellings_is_refused_when_the_contract_loads(contract, key):
    """limitOutsideGrammar and statusOutsideGrammar are `refused` or `lenient`, nothing else."""
    document = copy.deepcopy(contract.document)
    document["paths"][RUNS_PATH]["get"]["x-bctrl-contract"]["queryGrammar"][key] = "sometimes"
    with pytest.raises(ValueError, match=key):
        Contract(document)
