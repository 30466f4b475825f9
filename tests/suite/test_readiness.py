"""Not judged is not green: against a target whose data or settings leave checks unjudged, the suite names each gap
and its fix and exits 4 (in gate and in smoke), exits 0 with a verdict listing the gaps a user accepted, and
finds no gap in the full default setup. Targets: the reference server with its empty runtime, a small runtime of 3
runs (none failed) or no other tenant's runtime given."""

from __future__ import annotations

import pytest

from conformance.outcomes import NOT_JUDGED as TOOL_ERROR
from fault_matrix.runners import read_run, run_suite
from reference_server import ReferenceServer


SCENARIOS = {  # name -> (settings from the seed, the gaps it must leave in gate, in smoke)
    "empty-runtime-as-main": (lambda seed: {"BCTRL_RUNTIME_ID": seed.empty_runtime_id},
                              {"runs", "runs-to-page", "statuses"}, {"runs", "runs-to-page", "statuses"}),
    "three-runs": (lambda seed: {"BCTRL_RUNTIME_ID": seed.small_runtime_id},
                   {"runs-to-page", "statuses"}, {"runs-to-page", "statuses"}),
    "other-tenant-unset": (lambda seed: {"BCTRL_OTHER_RUNTIME_ID": ""}, {"other-tenant"}, {"other-tenant"}),
    "full": (lambda seed: {}, set(), set()),
}


@pytest.fixture(scope="module")
def server():
    with ReferenceServer(small_runtime_runs=3) as running:
        yield running


def _run(server, reports, profile, scenario, accept=""):
    settings, in_gate, in_smoke = SCENARIOS[scenario]
    # No rate cap against the local reference server: it is politeness towards production and changes no gap.
    extra = {"BCTRL_PROFILE": profile, "BCTRL_RATE_LIMIT": "0", **settings(server.seed_info)}
    if accept:
        extra["BCTRL_ACCEPT_GAPS"] = accept
    outcome = run_suite(server, None, reports, extra_env=extra)
    return outcome, read_run(reports), in_gate if profile == "gate" else in_smoke


@pytest.mark.parametrize("profile", ["gate", "smoke"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_check_not_judged_for_data_is_never_green(server, reports, profile, scenario):
    """Each gap left by the target's data or settings is named, with its reason and fix, in the terminal and in
    run.json, and the run exits 4; the full default setup leaves none and exits 0."""
    outcome, run, expected = _run(server, reports, profile, scenario)
    gaps = {gap["name"]: gap for gap in run["gaps"]}
    assert set(gaps) == expected, (sorted(gaps), outcome.output_tail)
    assert outcome.exit_code == (TOOL_ERROR if expected else 0), outcome.output_tail
    assert run["verdict"] == ("conforms" if not expected else
                              f"not judged (data gaps: {', '.join(name for name in gaps)})")
    for name, gap in gaps.items():
        assert not gap["accepted"] and gap["checks"] and gap["reason"] and gap["fix"]
        assert f"NOT JUDGED: gap {name} (not accepted" in outcome.output_tail
    readiness = run["readiness"]
    assert (readiness["judgeable"] < readiness["selected"]) if expected else \
        (readiness["judgeable"] == readiness["selected"])
    summary = (reports / "summary.md").read_text(encoding="utf-8")
    assert summary.splitlines()[2].startswith("Readiness (") and "checks can be judged with this data" in summary


def test_the_three_run_runtime_is_named_with_what_it_lacks(server, reports):
    """A runtime of 3 runs, none failed: the reason says how many runs, how many failed, and what would fix it."""
    outcome, run, _ = _run(server, reports, "gate", "three-runs")
    statuses = next(gap for gap in run["gaps"] if gap["name"] == "statuses")
    assert "BCTRL_RUNTIME_ID has 3 runs" in statuses["reason"] and "0 failed" in statuses["reason"]
    assert "a filter on failed needs a run in that status" in statuses["needs"]
    assert "pick a runtime with runs in every status" in statuses["fix"]


@pytest.mark.parametrize("profile", ["gate", "smoke"])
def test_accepted_gaps_pass_and_the_verdict_lists_them(server, reports, profile):
    """Gaps accepted in BCTRL_ACCEPT_GAPS end with exit 0 and the verdict "conforms, with accepted gaps: …"."""
    outcome, run, expected = _run(server, reports, profile, "three-runs", accept="runs-to-page,statuses")
    assert outcome.exit_code == 0, outcome.output_tail
    listed = ", ".join(name for name in ("runs-to-page", "statuses") if name in expected)
    assert run["verdict"] == f"conforms, with accepted gaps: {listed}"
    assert all(gap["accepted"] for gap in run["gaps"]) and {gap["name"] for gap in run["gaps"]} == expected
    assert "accepted (BCTRL_ACCEPT_GAPS)" in (reports / "summary.md").read_text(encoding="utf-8")


def test_an_accepted_gap_does_not_hide_another(server, reports):
    """Accepting one gap leaves the others unaccepted: the run still exits 4."""
    outcome, run, _ = _run(server, reports, "smoke", "empty-runtime-as-main", accept="runs-to-page")
    assert outcome.exit_code == TOOL_ERROR, outcome.output_tail
    assert {gap["name"] for gap in run["gaps"] if not gap["accepted"]} == {"runs", "statuses"}
