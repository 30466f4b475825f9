"""Discovery never launders a bug into the contract: what no contract may allow is reported, exit 1, and the
overlay it still writes does not say it."""

from __future__ import annotations

import pytest

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC, effective_document
from discover_helpers import discover_here
from reference_server import FAULTS, ReferenceServer

CANARY_KEY = "bctrl_sk_test_discovery_canary_0123456789"

# Fault -> (the rule discovery names, words of its message). The first four are the issue's; the rest are the
# other catalogue faults its probes meet and no contract may allow.
MET = {
    "limit-huge-500": ("server.no-5xx", "got 500"),
    "error-stack-trace": ("errors.hygiene", "leaks internals"),
    "error-echoes-key": ("errors.hygiene", "echoes the API key"),
    "tenant-leak": ("tenant.isolation", "another tenant's runtime is served"),
    "other-tenant-403": ("tenant.isolation", "tells that it exists"),
    "auth-key-prefix": ("auth.bearer", "is served"),
    "duplicate-at-page-boundary": ("cursor.walk", "twice"),
    "skip-at-page-boundary": ("cursor.walk", "skips run"),
    "cursor-ignores-tie": ("cursor.walk", "skips run"),
    "cursor-loops": ("cursor.walk", "same nextCursor twice"),
    "limit-plus-one": ("limit.bounds", "limit=1 got a page of 2 runs"),
    "limit-first-page-only": ("limit.bounds", "limit=7 got a page of"),
    "created-at-epoch": ("run.schema", "is not of type 'string'"),
    "timestamp-without-offset": ("run.schema", "is not a 'date-time'"),
    "run-id-not-uuid": ("run.schema", "is not a 'uuid'"),
    "status-uppercase": ("run.schema", "is not one of"),
    "started-before-created": ("run.lifecycle", "is before createdAt"),
    "active-with-finished-at": ("run.lifecycle", "must be null while running"),
    "terminal-without-finished-at": ("run.lifecycle", "must be set once a run has ended"),
    "finished-before-started": ("run.lifecycle", "is before startedAt"),
    "next-cursor-omitted": ("page.schema", "'nextCursor' is a required property"),
    "content-type-text-html": ("page.schema", "Content-Type is 'text/html"),
}


@pytest.mark.parametrize("fault", list(MET))
def test_a_bug_no_contract_may_allow_is_reported_and_exits_1(tmp_path, capsys, fault):
    """Discovery against the fault exits 1, names the rule and the problem on the terminal and in discovered.md,
    gives a curl to reproduce it, and never shows the key."""
    rule, words = MET[fault]
    with ReferenceServer(faults=(fault,), api_key=CANARY_KEY, **FAULTS[fault].server_options) as server:
        result = discover_here(server, tmp_path / "reports", capsys)
    assert result.exit_code == 1, result.output
    assert f"VIOLATION  {rule}: " in result.output and words in result.output, result.output
    assert "## Violations" in result.markdown and f"**{rule}**" in result.markdown
    assert "reproduce: `curl " in result.markdown
    written = result.markdown + result.output + result.overlay.read_text(encoding="utf-8")
    assert CANARY_KEY not in written and "${BCTRL_API_KEY}" in result.markdown


@pytest.mark.parametrize("fault", ["limit-huge-500", "error-stack-trace", "error-echoes-key", "tenant-leak"])
def test_the_overlay_does_not_encode_the_bug(tmp_path, capsys, fault):
    """The overlay written beside a violation is the contract in force (nothing else differed): no 500 made a
    status, no leak allowed."""
    with ReferenceServer(faults=(fault,)) as server:
        result = discover_here(server, tmp_path / "reports", capsys)
    assert result.exit_code == 1
    assert effective_document(DEFAULT_SPEC, result.overlay) == effective_document(DEFAULT_SPEC, DEFAULT_OVERLAY)


def test_page_sizes_that_break_their_limit_are_not_written(tmp_path, capsys):
    """limit-plus-one serves 51 runs without a limit: a page-size bug, so no limit line is written from it."""
    with ReferenceServer(faults=("limit-plus-one",)) as server:
        result = discover_here(server, tmp_path / "reports", capsys)
    assert result.exit_code == 1
    assert result.contract().limit_default == 50 and result.contract().limit_max == 100
    assert "not written: pages hold more runs than asked" in result.markdown
