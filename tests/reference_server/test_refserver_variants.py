"""Legitimate variants: each changes what the server answers the way its option says, apart from the faults."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest
import requests

from reference_server import ReferenceServer
from reference_server.__main__ import build_parser, variants_from
from reference_server.variants import Variants

from test_refserver_cli import REPO
from wire_client import exchange


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


# ---- validators ---------------------------------------------------------------------------------------------

def _conditional(srv, field, value, params=(("limit", "3"),), key=None, runtime=None, method="GET"):
    headers = {field: value, "Authorization": f"Bearer {key or srv.seed_info.api_key}"}
    if key == "":
        del headers["Authorization"]
    url = f"{srv.base_url}/v2/runtimes/{runtime or srv.seed_info.runtime_id}/runs"
    return requests.request(method, url, headers=headers, params=list(params))


def test_no_validators_by_default(server):
    """The default contract's server sends no ETag nor Last-Modified, and answers conditional requests 200."""
    answer = _get(server, [("limit", "3")])
    assert "ETag" not in answer.headers and "Last-Modified" not in answer.headers
    assert _conditional(server, "If-None-Match", "*").status_code == 200


@pytest.mark.parametrize("stack", ["http.server", "uvicorn"])
def test_etag_and_if_none_match(stack):
    """validators=etag: a strong ETag per page, key and query, `private, no-cache`; If-None-Match with it (or W/
    it, or *) answers 304 with the ETag and no body nor Content-Length; another query, an altered tag or another
    page are 200; the 304 never skips authentication, the runtime check nor validation."""
    with ReferenceServer(variants=Variants(validators="etag"), stack=stack) as srv:
        page = _get(srv, [("limit", "3")])
        etag = page.headers["ETag"]
        assert page.status_code == 200 and etag.startswith('"') and "Last-Modified" not in page.headers
        assert page.headers["Cache-Control"] == "private, no-cache"
        assert _get(srv, [("limit", "4")]).headers["ETag"] != etag
        for value in (etag, f"W/{etag}", f'"x", {etag}', "*"):
            answer = _conditional(srv, "If-None-Match", value)
            assert (answer.status_code, answer.content, answer.headers["ETag"]) == (304, b"", etag)
            assert "Content-Length" not in answer.headers and "Content-Type" not in answer.headers
        assert _conditional(srv, "If-None-Match", etag, method="HEAD").status_code == 304
        for value in ('"x"', etag[:-2] + '"', "garbage"):
            assert _conditional(srv, "If-None-Match", value).status_code == 200
        assert _conditional(srv, "If-None-Match", etag, params=[("limit", "4")]).status_code == 200
        assert _conditional(srv, "If-None-Match", etag, key="").status_code == 401
        assert _conditional(srv, "If-None-Match", etag, key=srv.seed_info.other_api_key).status_code == 404
        assert _conditional(srv, "If-None-Match", "*", params=[("limit", "0")]).status_code == 400
        other = _conditional(srv, "If-None-Match", "*", runtime=srv.seed_info.other_runtime_id)
        assert other.status_code == 404


def test_etag_changes_with_the_page():
    """A page that changed (a run started, another ended) has another ETag: the old one gets the new page."""
    with ReferenceServer(variants=Variants(validators="etag")) as srv:
        etag = _get(srv, [("limit", "100")]).headers["ETag"]
        srv.store.churn_tick(datetime.now(timezone.utc))
        answer = _conditional(srv, "If-None-Match", etag, params=[("limit", "100")])
        assert answer.status_code == 200 and answer.headers["ETag"] != etag


def test_last_modified_and_if_modified_since():
    """validators=etag-and-last-modified: Last-Modified never after Date; If-Modified-Since with it is 304 once
    the page is a second old and unchanged, 200 once it changed; If-None-Match wins over it; a date in the future
    or not a date is ignored."""
    with ReferenceServer(variants=Variants(validators="etag-and-last-modified")) as srv:
        first = _get(srv, [("limit", "100")])
        stamp = first.headers["Last-Modified"]
        assert parsedate_to_datetime(stamp) <= parsedate_to_datetime(first.headers["Date"])
        time.sleep(1.05)
        stamp = _get(srv, [("limit", "100")]).headers["Last-Modified"]
        answer = _conditional(srv, "If-Modified-Since", stamp, params=[("limit", "100")])
        assert (answer.status_code, answer.headers["Last-Modified"]) == (304, stamp)
        both = requests.get(f"{srv.base_url}/v2/runtimes/{srv.seed_info.runtime_id}/runs", params={"limit": "100"},
                            headers={"Authorization": f"Bearer {srv.seed_info.api_key}", "If-None-Match": '"x"',
                                     "If-Modified-Since": stamp})
        assert both.status_code == 200
        for value in ("Fri, 01 Jan 2100 00:00:00 GMT", "yesterday"):
            assert _conditional(srv, "If-Modified-Since", value, params=[("limit", "100")]).status_code == 200
        srv.store.churn_tick(datetime.now(timezone.utc))
        assert _conditional(srv, "If-Modified-Since", stamp, params=[("limit", "100")]).status_code == 200


def test_validators_with_gzip():
    """compression=gzip: the gzip-coded page has its own strong ETag; If-None-Match with either form is 304."""
    with ReferenceServer(variants=Variants(validators="etag", compression="gzip")) as srv:
        zipped = exchange(srv.port, "GET", _target(srv), [_auth_header(srv), ("Accept-Encoding", "gzip")])
        plain = exchange(srv.port, "GET", _target(srv), [_auth_header(srv)])
        assert zipped.header("ETag") != plain.header("ETag")
        for etag in (zipped.header("ETag"), plain.header("ETag")):
            answer = exchange(srv.port, "GET", _target(srv), [_auth_header(srv), ("If-None-Match", etag)])
            assert answer.status == 304 and answer.raw_body == b"" and answer.header("Content-Length") is None


def test_validators_option():
    """--validators sets the variant."""
    args = build_parser().parse_args(["--validators", "etag-and-last-modified"])
    assert variants_from(args).validators == "etag-and-last-modified"
    with pytest.raises(ValueError, match="validators"):
        Variants(validators="weak")


def _target(srv) -> str:
    return f"/v2/runtimes/{srv.seed_info.runtime_id}/runs?limit=3"


def _auth_header(srv) -> tuple[str, str]:
    return ("Authorization", f"Bearer {srv.seed_info.api_key}")
