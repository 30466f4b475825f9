"""Legitimate variants: each changes what the server answers the way its option says, apart from the faults."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from reference_server import ReferenceServer
from reference_server.variants import Variants

from test_refserver_cli import REPO


def _get(srv, params=(), authorization="Bearer {key}"):
    headers = {"Authorization": authorization.format(key=srv.seed_info.api_key)} if authorization else {}
    return requests.get(f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs", headers=headers,
                        params=list(params))


def test_default_limit():
    """default_limit sets the page size without a limit."""
    with ReferenceServer(variants=Variants(default_limit=20)) as srv:
        assert len(_get(srv).json()["data"]) == 20


@pytest.mark.parametrize("above, status, size", [("refuse", 400, None), ("clamp", 200, 80)])
def test_above_the_maximum_refused_or_clamped(above, status, size):
    """A limit above max_limit is refused (400) or served as max_limit runs, as above_max says."""
    with ReferenceServer(variants=Variants(max_limit=80, above_max=above)) as srv:
        assert _get(srv, [("limit", "80")]).status_code == 200
        answer = _get(srv, [("limit", "81")])
        assert answer.status_code == status
        assert size is None or (len(answer.json()["data"]) == size and answer.json()["nextCursor"])


def test_invalid_query_status():
    """invalid_query_status=422 answers every bad query value 422."""
    with ReferenceServer(variants=Variants(invalid_query_status=422)) as srv:
        for params in ([("limit", "0")], [("status", "zzz")], [("cursor", "x")]):
            assert _get(srv, params).status_code == 422


def test_tie_break_ascending():
    """tie_break=ascending orders runs sharing a createdAt by id ascending, across pages too."""
    with ReferenceServer(variants=Variants(tie_break="ascending")) as srv:
        runs, cursor = [], None
        while True:
            body = _get(srv, [("limit", "7")] + ([("cursor", cursor)] if cursor else [])).json()
            runs += body["data"]
            cursor = body["nextCursor"]
            if not cursor:
                break
    by_id = sorted(runs, key=lambda run: run["id"])
    expected = sorted(by_id, key=lambda run: run["createdAt"], reverse=True)  # stable: ties stay by id ascending
    assert [run["id"] for run in runs] == [run["id"] for run in expected]
    assert len({run["createdAt"] for run in runs}) < len(runs), "no ties: the order proved nothing"


@pytest.mark.parametrize("word, status", [("Bearer", 200), ("bearer", 401), ("BEARER", 401)])
def test_scheme_case_sensitive(word, status):
    """scheme_case=sensitive accepts only `Bearer`."""
    with ReferenceServer(variants=Variants(scheme_case="sensitive")) as srv:
        assert _get(srv, [("limit", "1")], f"{word} {{key}}").status_code == status


def test_error_envelope_flat():
    """error_envelope=flat: {"error": message, "code": ...}."""
    with ReferenceServer(variants=Variants(error_envelope="flat")) as srv:
        body = _get(srv, authorization=None).json()
    assert isinstance(body["error"], str) and body["code"] == "auth.required"


@pytest.mark.parametrize("kwargs", [{"default_limit": 0}, {"default_limit": 120}, {"max_limit": 0},
                                    {"above_max": "truncate"}, {"invalid_query_status": 409},
                                    {"error_envelope": "weird"}, {"tie_break": "random"}, {"scheme_case": "upper"}])
def test_bad_variants_raise(kwargs):
    """An option outside its choices, or a default page above the maximum, raises ValueError naming it."""
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Variants(**kwargs)


def test_shorthand_keywords_still_work():
    """error_envelope= and max_limit= set the same-named variants; a maximum below 50 lowers the default page."""
    srv = ReferenceServer(error_envelope="flat", max_limit=10)
    assert (srv.variants.error_envelope, srv.variants.max_limit, srv.variants.default_limit) == ("flat", 10, 10)
    assert srv.variants.describe() == "default-limit=10, max-limit=10, error-envelope=flat"


def test_help_keeps_variants_and_faults_apart():
    """--help lists the variants under "legitimate variants" and --fault under "faults"."""
    text = subprocess.run([sys.executable, "-m", "reference_server", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=20).stdout
    variants, faults = text.index("legitimate variants:"), text.index("faults:")
    for option in ("--default-limit", "--max-limit", "--above-max", "--invalid-query-status", "--error-envelope",
                   "--tie-break", "--scheme-case"):
        assert variants < text.index(f"  {option}") < faults
    assert text.index("  --fault ") > faults
