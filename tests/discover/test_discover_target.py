"""Discovery against the clean server (an empty diff), under live data and transient trouble (the same overlay,
every time), within its budget, and its tool errors."""

from __future__ import annotations

import hashlib

import pytest

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC, effective_document, load_contract
from conformance.discover.__main__ import main
from conformance.outcomes import NOT_JUDGED as TOOL_ERROR
from discover_helpers import NO_RATE_CAP, discover_here, discover_subprocess, printed_request_count
from fault_matrix.runners import target_env
from reference_server import ReferenceServer
from reference_server.variants import Variants

RUNS_IN_A_ROW = 5
TROUBLE_RATE = 0.02
TROUBLED_SEED = 12  # data seed whose trouble draws (a drop, a slow answer, a 503) fall within five discoveries


def _default_effective():
    return effective_document(DEFAULT_SPEC, DEFAULT_OVERLAY)


def test_clean_server_gives_an_overlay_equivalent_to_the_default_contract(tmp_path):
    """Against the clean server (run as a user runs it), discovery exits 0, writes an overlay whose effective
    document is the default contract's, and discovered.md says there are no differences."""
    with ReferenceServer() as server:
        result = discover_subprocess(server, tmp_path / "reports")
    assert result.exit_code == 0, result.output
    assert effective_document(DEFAULT_SPEC, result.overlay) == _default_effective()
    assert "No differences" in result.markdown and "## Differences" not in result.markdown
    assert "## Violations" not in result.markdown


def test_sixty_gets_at_most_on_the_servers_log_and_the_count_is_printed(tmp_path, capsys):
    """The server's request log shows only GETs, at most 60, as many as discovery says it sent."""
    with ReferenceServer() as server:
        result = discover_here(server, tmp_path / "reports", capsys)
    assert {record.method for record in result.requests} == {"GET"}
    assert 0 < len(result.requests) <= 60
    assert printed_request_count(result.output) == len(result.requests)
    assert f"{len(result.requests)} requests (GET only, budget 60)" in result.markdown


@pytest.mark.parametrize("variants", [Variants(), Variants(tie_break="ascending", default_limit=20, max_limit=80)],
                         ids=["clean", "variants"])
def test_the_same_overlay_five_times_under_churn_and_trouble(tmp_path, capsys, variants):
    """With runs starting and ending every 0.2 s and 2% of requests troubled (429, 503, dropped, slow), five
    discoveries in a row exit 0 and write the same overlay as without churn or trouble."""
    with ReferenceServer(variants=variants, seed=TROUBLED_SEED) as calm:
        expected = discover_here(calm, tmp_path / "calm", capsys)
    digests = []
    with ReferenceServer(variants=variants, seed=TROUBLED_SEED, churn=True, trouble_rate=TROUBLE_RATE) as server:
        for run in range(RUNS_IN_A_ROW):
            result = discover_here(server, tmp_path / f"live-{run}", capsys)
            assert result.exit_code == 0, result.output
            digests.append(_digest(result.overlay))
        troubles = {record.trouble for record in server.request_log if record.trouble}
    assert digests == [_digest(expected.overlay)] * RUNS_IN_A_ROW
    assert troubles, "no trouble happened: the test proved nothing about it"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_embedded_run_needs_no_setting(tmp_path, capsys):
    """Without BCTRL_BASE_URL, discovery runs against the embedded reference server: exit 0, no differences."""
    code = main([], {"BCTRL_REPORTS_DIR": str(tmp_path)})
    output = capsys.readouterr().out
    assert code == 0 and "embedded reference server" in output
    assert effective_document(DEFAULT_SPEC, tmp_path / "discovered.overlay.yaml") == _default_effective()


@pytest.mark.parametrize("env, named", [
    ({"BCTRL_REQUEST_BUDGET": "0"}, "BCTRL_REQUEST_BUDGET"),
    ({"BCTRL_BASE_URL": "ftp://example.com"}, "BCTRL_BASE_URL"),
    ({"BCTRL_API_KEY": "k"}, "BCTRL_API_KEY"),
    ({"BCTRL_CONTRACT": "no-such.overlay.yaml"}, "BCTRL_CONTRACT"),
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_4(capsys, env, named):
    """A bad or missing setting: one `bad setting: ...` line naming it, exit 4, nothing sent."""
    code = main([], env)
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == TOOL_ERROR and len(lines) == 1 and lines[0].startswith("bad setting: ") and named in lines[0]


def test_a_wrong_key_is_a_bad_setting(tmp_path, capsys):
    """A key the target refuses is a setting to fix, not a finding: exit 4, naming BCTRL_API_KEY."""
    with ReferenceServer() as server:
        result = discover_here(server, tmp_path / "reports", capsys, BCTRL_API_KEY="bctrl_sk_test_wrong")
    assert result.exit_code == TOOL_ERROR and "bad setting: BCTRL_API_KEY" in result.output


def test_a_spent_budget_is_a_tool_error(tmp_path, capsys):
    """With a profile budget below what discovery needs, it stops: exit 4, saying so, and no overlay."""
    with ReferenceServer() as server:
        result = discover_here(server, tmp_path / "reports", capsys, BCTRL_REQUEST_BUDGET="5")
    assert result.exit_code == TOOL_ERROR and "BCTRL_REQUEST_BUDGET" in result.output
    assert len(result.requests) == 5 and not result.overlay.exists()


def test_output_option_writes_the_overlay_where_asked(tmp_path, capsys):
    """--output puts the overlay elsewhere (to commit it), with `extends` resolving from there."""
    target = tmp_path / "contracts" / "staging.overlay.yaml"
    with ReferenceServer(variants=Variants(default_limit=20)) as server:
        code = main(["--output", str(target)], target_env(server, tmp_path / "reports", NO_RATE_CAP))
    assert code == 0, capsys.readouterr().out
    assert load_contract(target).limit_default == 20
    assert (tmp_path / "reports" / "discovered.md").exists()


def test_discovery_under_its_own_overlay_finds_no_difference(tmp_path, capsys):
    """Run again with BCTRL_CONTRACT set to what it wrote, discovery finds nothing new and rewrites the same file."""
    with ReferenceServer(variants=Variants(invalid_query_status=422, scheme_case="sensitive")) as server:
        first = discover_here(server, tmp_path / "reports", capsys)
        written = first.overlay.read_text(encoding="utf-8")
        again = discover_here(server, tmp_path / "reports", capsys, BCTRL_CONTRACT=str(first.overlay))
    assert first.exit_code == again.exit_code == 0
    assert "No differences" in again.markdown and again.overlay.read_text(encoding="utf-8") == written
