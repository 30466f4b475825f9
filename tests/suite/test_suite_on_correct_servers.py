"""The suite passes against correct implementations: the embedded default, and another one named by env vars."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fault_matrix.matrix import WORKERS
from fault_matrix.runners import clean_env, read_run, run_discovery, run_pytest, run_suite
from reference_server import ReferenceServer
from reference_server.variants import PERSONALITIES, Variants


REPORT_FILES = ("junit.xml", "report.html", "summary.md", "run.json", "requests.ndjson")


def test_readme_command_passes_against_the_embedded_server(reports):
    """`python -m pytest` with no settings starts the reference server, passes, and writes every report."""
    done = run_pytest([], clean_env(BCTRL_REPORTS_DIR=str(reports)))
    assert done.returncode == 0, done.stdout[-3000:]
    run = read_run(reports)
    assert run["verdict"] == "conforms" and run["counts"].get("passed", 0) >= 40, run["counts"]
    assert run["counts"].get("failed", 0) == 0 and run["counts"].get("skipped", 0) == 0, run["counts"]
    assert all((reports / name).is_file() for name in REPORT_FILES)
    assert "embedded reference server" in done.stdout


def test_suite_passes_against_another_implementation_named_by_environment(reports):
    """A correct server started elsewhere (flat error envelope this time) passes when named by BCTRL_* settings."""
    with ReferenceServer(error_envelope="flat") as server:
        outcome = run_suite(server, None, reports)
    assert outcome.exit_code == 0, outcome.output_tail
    assert outcome.requests > 200 and not outcome.failed_tests


# Framework personalities (reference_server/variants.py): each a legal choice of a real stack. The default contract
# allows every one of these as it is; only a server lenient about the limit's spelling (a decision, not a bug) needs
# discovery's overlay first.
DEFAULT_ALLOWS = {
    # Go with chi: canonical header names, nanosecond timestamps with an offset, UUID-checked runtime ids (400 for
    # another shape), RFC 9457 problem+json errors, the request id in the X-Request-Id header only.
    "go-chi": Variants(header_case="canonical", timestamps="nanoseconds-offset", runtime_id_shape="uuid",
                       error_media_type="application/problem+json", request_id="header"),
    # Node behind a proxy: lower-case header names, charset, gzip, chunked framing, lower-case `t`/`z` timestamps,
    # the router's 404 for other methods and paths, page-number cursors bound to their filter, a read replica that
    # lags, a retention job deleting the oldest runs; all while runs start and end.
    "node-behind-a-proxy": Variants(header_case="lower", charset=True, compression="gzip", framing="chunked",
                                    timestamps="lower-case", unrouted="router-404", cursor_style="page-number",
                                    cursor_binding="filter", read_lag=1.0, retention=True),
}
NEEDS_DISCOVERY = {name: PERSONALITIES[name] for name in ("fastify", "express-parseint")}


def test_the_default_contract_allows_every_legal_choice_of_other_stacks(tmp_path):
    """Servers with other stacks' habits (header case, media type parameters, encodings, timestamp forms, router
    404s, id checks, cursor shapes and bindings, error media type, request id place, lagging reads, retention) pass
    the gate under the default contract, as they are, under churn."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = dict(zip(DEFAULT_ALLOWS, pool.map(lambda item: _gate(item[1], tmp_path / item[0], churn=True),
                                                      DEFAULT_ALLOWS.items())))
    failed = {name: outcome.output_tail for name, outcome in outcomes.items() if outcome.exit_code != 0}
    assert not failed, failed


def test_a_lenient_stack_passes_once_discovery_wrote_its_decision(tmp_path):
    """Fastify's Ajv coercion and a hand-written parseInt read `+5`, `5.0` or `10abc` as numbers: under the default
    contract the gate fails on exactly that (leniency is the API team's decision), discovery writes it as a decision
    to confirm, and the gate then passes."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = dict(zip(NEEDS_DISCOVERY, pool.map(lambda item: _before_and_after_discovery(*item, tmp_path),
                                                      NEEDS_DISCOVERY.items())))
    for name, (before, discovered, after) in results.items():
        assert before.exit_code == 1 and all("limit/" in nodeid for nodeid in before.failed_tests), (name, before)
        assert discovered.returncode == 0 and "DECIDE" in discovered.stdout, discovered.stdout[-2000:]
        assert after.exit_code == 0, (name, after.output_tail)


def _before_and_after_discovery(name: str, variants: Variants, tmp_path):
    local = {"BCTRL_RATE_LIMIT": "0"}
    with ReferenceServer(variants=variants) as server:
        before = run_suite(server, None, tmp_path / f"{name}-default", extra_env=local)
        discovered = run_discovery(server, tmp_path / f"{name}-discovery", local)
        overlay = str(tmp_path / f"{name}-discovery" / "discovered.overlay.yaml")
        after = run_suite(server, None, tmp_path / f"{name}-gate", extra_env={**local, "BCTRL_CONTRACT": overlay})
    return before, discovered, after


def _gate(variants: Variants, reports, churn: bool = False):
    with ReferenceServer(variants=variants, churn=churn) as server:
        return run_suite(server, None, reports, extra_env={"BCTRL_RATE_LIMIT": "0"})
