"""No false alarm on first contact, proven on real production HTTP stacks: the suite run the way the README tells a
new user (discovery first, then the gate under the overlay it wrote; the smoke profile too) passes against a correct
implementation on Fastify 5 (Node.js, its router and Ajv at their defaults), plain and while runs start and end, and
against the reference server's app served by uvicorn (h11) instead of Python's http.server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC
from fault_matrix.matrix import WORKERS
from fault_matrix.runners import read_run, run_discovery, run_suite
from reference_server import ReferenceServer
from stacks.fastify import FastifyServer
from stacks.nginx import NginxFront

LOCAL = {"BCTRL_RATE_LIMIT": "0"}  # discovery caps an external target at 5 requests a second unless told otherwise


@pytest.fixture(scope="module")
def fastify():
    with FastifyServer() as server:  # installed by tests/stacks/conftest.py
        yield server


def _first_contact(server, reports) -> dict[str, str]:
    """Discovery, then the settings that run the gate under the overlay it wrote."""
    discovered = run_discovery(server, reports, LOCAL)
    assert discovered.returncode == 0, discovered.stdout[-3000:] + discovered.stderr[-2000:]
    return {**LOCAL, "BCTRL_CONTRACT": str(reports / "discovered.overlay.yaml")}


def test_first_contact_with_a_fastify_implementation_is_green(fastify, tmp_path):
    """Against Fastify, discovery exits 0 (what it writes is a decision of the API team's, never a violation), and
    the gate and the smoke profile under its overlay both pass."""
    settings = _first_contact(fastify, tmp_path / "discovery")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        gate, smoke = pool.map(lambda profile: run_suite(fastify, None, tmp_path / profile,
                                                         extra_env={**settings, "BCTRL_PROFILE": profile}),
                               ("gate", "smoke"))
    assert gate.exit_code == 0, gate.output_tail
    assert smoke.exit_code == 0, smoke.output_tail
    assert gate.requests > 500 and smoke.requests <= 60


def test_the_gate_stays_green_on_fastify_while_runs_start_and_end(tmp_path):
    """Against Fastify with churn (a run starts and another ends every 0.2 s), the gate under the discovered overlay
    passes."""
    with FastifyServer(churn=True) as server:
        settings = _first_contact(server, tmp_path / "discovery")
        outcome = run_suite(server, None, tmp_path / "gate", extra_env=settings)
    assert outcome.exit_code == 0, outcome.output_tail


def test_the_reference_app_under_uvicorn_passes_the_default_contract(tmp_path):
    """The reference server's app served by uvicorn (h11: its own framing, `date` and `server` headers, lower-case
    header names, its own 400 for requests it cannot parse) passes the gate under the default contract."""
    with ReferenceServer(stack="uvicorn", churn=True) as server:
        outcome = run_suite(server, None, tmp_path / "gate", extra_env=LOCAL)
    assert outcome.exit_code == 0, outcome.output_tail


def test_behind_nginx_at_its_defaults_the_gates_one_failure_is_the_trace_allow_decision(nginx_installed, tmp_path):
    """Behind a real nginx at its defaults (its own HTML 400 to two Authorization lines, 405 without Allow to TRACE,
    414 past 8 KiB of request line), the gate under the default contract against the reference server fails on one
    thing only, named as the decision `traceRefusalAllow: optional`; with that line in the overlay it passes."""
    overlay = tmp_path / "nginx.overlay.yaml"
    overlay.write_text(DEFAULT_OVERLAY.read_text(encoding="utf-8")
                       .replace("traceRefusalAllow: required", "traceRefusalAllow: optional")
                       .replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}"), encoding="utf-8")
    with ReferenceServer() as server, NginxFront(server.base_url) as front:
        settings = {**LOCAL, "BCTRL_BASE_URL": front.base_url}
        before = run_suite(server, None, tmp_path / "default", extra_env=settings)
        after = run_suite(server, None, tmp_path / "relaxed", extra_env={**settings, "BCTRL_CONTRACT": str(overlay)})
    failures = read_run(tmp_path / "default")["failures"]
    assert before.exit_code == 1 and failures["bugs"] == [], before.output_tail
    assert [decision["setting"] for decision in failures["decisions"]] == ["x-bctrl-contract.traceRefusalAllow: optional"]
    assert after.exit_code == 0, after.output_tail


def test_fastify_behind_nginx_passes_discovery_then_the_gate_with_the_one_line_nginx_needs(fastify, nginx_installed,
                                                                                           tmp_path):
    """A correct Fastify implementation behind a real nginx at its defaults (the front end's own refusals, its
    framing, its buffers): discovery through nginx, then the gate under the overlay it wrote with the one line an nginx
    front end needs (`traceRefusalAllow: optional`), passes."""
    with NginxFront(fastify.base_url) as front:
        front_env = {"BCTRL_BASE_URL": front.base_url}
        discovered = run_discovery(fastify, tmp_path / "discovery", {**LOCAL, **front_env})
        assert discovered.returncode == 0, discovered.stdout[-3000:] + discovered.stderr[-2000:]
        overlay = tmp_path / "discovery" / "discovered.overlay.yaml"
        text = overlay.read_text(encoding="utf-8")
        assert "traceRefusalAllow: required" in text
        overlay.write_text(text.replace("traceRefusalAllow: required", "traceRefusalAllow: optional"), encoding="utf-8")
        outcome = run_suite(fastify, None, tmp_path / "gate",
                            extra_env={**LOCAL, **front_env, "BCTRL_CONTRACT": str(overlay)})
    assert outcome.exit_code == 0, outcome.output_tail
