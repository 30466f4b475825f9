"""How refusals are written (conformance/discover/points/schema.py): what each set of answers settles."""

from __future__ import annotations

import pytest

from conformance.discover.findings import AGREES, DIFFERS, REVIEW
from conformance.discover.points import schema
from conformance.discover.probes import LimitProbe
from points_helpers import answer, observed, page, settle

QUERIES = tuple(observed().bad_queries)


@pytest.mark.parametrize("status, outcome, change", [
    (400, AGREES, None), (422, DIFFERS, ("errorStatus.invalidQuery", 422)), (418, REVIEW, None),
], ids=["400", "422", "unconventional"])
def test_the_invalid_query_status(status, outcome, change):
    """Every bad query refused with one status: the contract's agrees, the other conventional one differs."""
    finding = settle(schema.invalid_query, bad_queries={name: answer(status) for name in QUERIES},
                     limit_search=[LimitProbe(100, page(100)), LimitProbe(101, answer(status))])
    assert (finding.outcome, finding.change) == (outcome, change)


def test_a_bad_query_served_is_for_review():
    """A bad query served (200) instead of refused is for review, never written."""
    finding = settle(schema.invalid_query, bad_queries={**observed().bad_queries, "limit-word": page(50)})
    assert (finding.outcome, finding.change) == (REVIEW, None)


def _refusals(**answer_options) -> dict:
    refused = answer(400, **answer_options)
    keys = {name: answer(401, **answer_options) for name in ("no_key", "wrong_key", "key_with_extra",
                                                            "key_of_the_same_shape")}
    return {"bad_queries": {name: refused for name in QUERIES}, **keys,
            "unknown_runtime": answer(404, **answer_options), "other_runtime": answer(404, **answer_options),
            "foreign_cursor": refused, "altered_cursor": {"altered": refused},
            "limit_search": [LimitProbe(100, page(100)), LimitProbe(101, refused)]}


@pytest.mark.parametrize("content_type, lines, outcome, change", [
    ("application/json", {}, AGREES, None),
    ("application/problem+json", {}, AGREES, None),
    ("application/vnd.bctrl+json", {}, DIFFERS,
     ("errorMediaTypes", ["application/json", "application/problem+json", "application/vnd.bctrl+json"])),
    ("text/html", {}, REVIEW, None),
], ids=["json", "problem-json", "another-json", "html"])
def test_error_media_types(content_type, lines, outcome, change):
    """Refusals in a media type the contract allows agree; another JSON one is added; not JSON is for review."""
    finding = settle(schema.error_media_types, lines, **_refusals(content_type=content_type))
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("request_id, lines, outcome, change", [
    ("r", {}, AGREES, None),
    ("r", {"requestId": ["header"]}, AGREES, None),
    (None, {"requestId": ["header"]}, DIFFERS, ("requestId", ["body"])),
], ids=["body-and-header", "header-said", "body-only-where-header-said"])
def test_where_the_request_id_travels(request_id, lines, outcome, change):
    """A request id where the contract says agrees; only elsewhere, the places seen are written."""
    finding = settle(schema.request_id, lines, **_refusals(request_id=request_id))
    assert (finding.outcome, finding.change) == (outcome, change)


def test_a_refusal_without_request_id_is_for_review():
    """A refusal with a request id in neither place is for review."""
    body = {"error": {"code": "request.invalid", "message": "m"}}
    refusals = _refusals(request_id=None)
    refusals["unknown_runtime"] = answer(404, body, request_id=None)
    assert settle(schema.request_id, **refusals).outcome == REVIEW


@pytest.mark.parametrize("body, outcome, change", [
    (None, AGREES, None),
    ({"error": "Bad request", "code": "request.invalid"}, AGREES, None),
    ({"message": "Bad request"}, REVIEW, None),
], ids=["nested", "flat", "neither"])
def test_the_error_envelope(body, outcome, change):
    """Refusals in a bctrl envelope the contract accepts agree (the default accepts both); in neither: review."""
    refused = answer(400, body)
    finding = settle(schema.envelope, bad_queries={name: refused for name in QUERIES})
    assert (finding.outcome, finding.change) == (outcome, change)
