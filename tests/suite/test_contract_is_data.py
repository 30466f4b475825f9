"""The contract is data: the suite enforces the numbers the overlay states (here, the maximum limit), so an
API that changes them is caught, and editing the overlay is all it takes to follow a deliberate change."""

from __future__ import annotations

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC
from fault_matrix.runners import run_pytest, run_suite, target_env
from reference_server import ReferenceServer

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


def _overlay_allowing_own_runs(folder):
    text = DEFAULT_OVERLAY.read_text(encoding="utf-8").replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}")
    assert "foreignCursor: [refused, empty]" in text
    path = folder / "contract.overlay.yaml"
    path.write_text(text.replace("foreignCursor: [refused, empty]", "foreignCursor: [refused, empty, own-runs]"),
                    encoding="utf-8")
    return path


def test_what_a_foreign_cursor_may_get_is_one_line_of_the_overlay(tmp_path):
    """An API whose cursors are only positions (one runtime's cursor pages through another runtime of the key),
    which the default contract refuses (the fault matrix shows it), passes the cursor-scope checks once the overlay
    allows own-runs; an API that lists the first runtime's runs there still fails."""
    scope = ["conformance/pagination/test_cursor_scope.py", "-q", "-p", "no:cacheprovider"]
    allowing = {"BCTRL_CONTRACT": str(_overlay_allowing_own_runs(tmp_path))}
    for fault, extra, passes in [("cursor-runtime-unchecked", allowing, True),
                                 ("cursor-runtime-from-cursor", allowing, False)]:
        with ReferenceServer(faults=[fault]) as server:
            done = run_pytest(scope, target_env(server, tmp_path / "reports", extra))
        assert done.returncode == (0 if passes else 1), f"{fault} {extra}: {done.stdout[-2000:]}"
