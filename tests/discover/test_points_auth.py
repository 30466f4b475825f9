"""Who is let in and what is visible (conformance/discover/points/auth.py): what each set of answers settles."""

from __future__ import annotations

import pytest

from conformance.discover.findings import AGREES, DIFFERS, NOT_SHOWN, REVIEW
from conformance.discover.points import auth
from points_helpers import answer, page, settle


def _keys(no_key, wrong_key, extra, same_shape) -> dict:
    return {"no_key": answer(no_key), "wrong_key": answer(wrong_key), "key_with_extra": answer(extra),
            "key_of_the_same_shape": answer(same_shape)}


@pytest.mark.parametrize("statuses, outcome, change", [
    ((401, 401, 401, 401), AGREES, None),
    ((403, 403, 403, 403), DIFFERS, ("errorStatus.unauthenticated", 403)),
    ((401, 403, 401, 401), REVIEW, None),
    ((418, 418, 418, 418), REVIEW, None),
], ids=["401", "403", "mixed", "unconventional"])
def test_the_unauthenticated_status(statuses, outcome, change):
    """One status for every bad key: the contract's agrees, another conventional one differs, else review."""
    finding = settle(auth.unauthenticated, **_keys(*statuses))
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("words, outcome, change", [
    ((200, 200), AGREES, None),
    ((401, 401), DIFFERS, ("bearerSchemeCaseInsensitive", False)),
    ((200, 401), REVIEW, None),
], ids=["any-case", "only-Bearer", "neither"])
def test_the_scheme_words_case(words, outcome, change):
    """`bearer` and `BEARER` both served: any case; both refused: only `Bearer`; one of each: review."""
    scheme_words = {word: page(50) if status == 200 else answer(status) for word, status in zip(("bearer", "BEARER"),
                                                                                              words)}
    finding = settle(auth.scheme_case, scheme_words=scheme_words)
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("unknown, other, outcome, change", [
    (answer(404), answer(404), AGREES, None),
    (answer(403), answer(403), DIFFERS, ("errorStatus.notVisible", 403)),
    (page(0, None), answer(404), REVIEW, None),
    (answer(404), None, AGREES, None),
], ids=["404", "403", "unknown-served", "other-tenant-not-asked"])
def test_the_not_visible_status(unknown, other, outcome, change):
    """An unknown runtime (and another tenant's) refused alike settles notVisible; an unknown one served is review."""
    finding = settle(auth.not_visible, unknown_runtime=unknown, other_runtime=other)
    assert (finding.outcome, finding.change) == (outcome, change)


@pytest.mark.parametrize("spellings, outcome, change", [
    ({}, NOT_SHOWN, None),
    ({"other trailing-slash": answer(404)}, AGREES, None),
    ({"other trailing-slash": answer(418)}, DIFFERS,
     ("pathSpellings.refusals", ["notVisible", "invalidQuery", 400, 403, 414, 431, 418])),
    ({"other trailing-slash": page(3)}, REVIEW, None),
], ids=["not-asked", "404", "another-4xx", "served"])
def test_path_spellings_refusals(spellings, outcome, change):
    """Spellings of a runtime the key cannot see refused with a listed status agree; another 4xx is added."""
    finding = settle(auth.path_refusals, path_spellings=spellings)
    assert (finding.outcome, finding.change) == (outcome, change)
