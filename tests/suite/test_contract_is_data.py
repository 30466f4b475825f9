"""The contract is data: the suite enforces the numbers the overlay states (here, the maximum limit), so an
API that changes them is caught, and editing the overlay is all it takes to follow a deliberate change."""

from __future__ import annotations

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC
from fault_matrix.runners import run_pytest, run_suite, target_env
from reference_server import ReferenceServer
from reference_server.variants import Variants

NEW_MAXIMUM = 80


def _overlay_with_maximum(folder, maximum):
    text = DEFAULT_OVERLAY.read_text(encoding="utf-8")
    text = text.replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}").replace("maximum: 100",
                                                                                         f"maximum: {maximum}")
    path = folder / "contract.overlay.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_api_with_another_maximum_breaks_the_default_contract(tmp_path):
    """An API whose maximum limit is 80 fails the suite under the default contract (maximum 100)."""
    with ReferenceServer(max_limit=NEW_MAXIMUM) as server:
        outcome = run_suite(server, None, tmp_path / "reports")
    assert outcome.exit_code == 1
    assert any("test_limit_at_each_bound_gives_exactly_that_many[maximum]" in test for test in outcome.failed_tests)


def test_the_same_api_passes_once_the_overlay_says_so(tmp_path):
    """With BCTRL_CONTRACT naming an overlay whose maximum is 80, the same API passes the whole suite."""
    overlay = _overlay_with_maximum(tmp_path, NEW_MAXIMUM)
    with ReferenceServer(max_limit=NEW_MAXIMUM) as server:
        outcome = run_suite(server, None, tmp_path / "reports", extra_env={"BCTRL_CONTRACT": str(overlay)})
    assert outcome.exit_code == 0, outcome.output_tail


def _overlay_pinning_foreign_cursors(folder):
    """The default contract with foreignCursor pinned to a refusal or an empty page (no own-runs)."""
    text = DEFAULT_OVERLAY.read_text(encoding="utf-8").replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}")
    assert "foreignCursor: [refused, empty, own-runs]" in text
    path = folder / "contract.overlay.yaml"
    path.write_text(text.replace("foreignCursor: [refused, empty, own-runs]", "foreignCursor: [refused, empty]"),
                    encoding="utf-8")
    return path


def test_what_a_foreign_cursor_may_get_is_one_line_of_the_overlay(tmp_path):
    """An API whose cursors are only positions (one runtime's cursor pages through another runtime of the key: the
    published example cursor is base64 of {"page":2}) passes the cursor-scope checks under the default contract and
    fails them once one line of the overlay pins foreignCursor to [refused, empty]; an API that lists the first
    runtime's runs there fails under both."""
    scope = ["conformance/pagination/test_cursor_scope.py", "-q", "-p", "no:cacheprovider"]
    pinned = {"BCTRL_CONTRACT": str(_overlay_pinning_foreign_cursors(tmp_path))}
    positions = {"variants": Variants(cursor_style="page-number")}
    for server_options, extra, passes in [(positions, {}, True), (positions, pinned, False),
                                          ({"faults": ["cursor-runtime-from-cursor"]}, {}, False),
                                          ({"faults": ["cursor-runtime-from-cursor"]}, pinned, False)]:
        with ReferenceServer(**server_options) as server:
            done = run_pytest(scope, target_env(server, tmp_path / "reports", extra))
        assert done.returncode == (0 if passes else 1), f"{server_options} {extra}: {done.stdout[-2000:]}"
