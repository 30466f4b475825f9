"""Every legitimate variant, alone and in combinations of three or more: the contract in force fails the variant
server, discovery writes an overlay that says exactly what the server does, and the whole suite under that
overlay passes. All servers are run several at a time (fault_matrix.matrix.WORKERS); each costs a run of the checks
the variant concerns, a discovery and a full suite run."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.contract import DEFAULT_OVERLAY, DEFAULT_SPEC
from reference_server import checks
from fault_matrix.matrix import WORKERS
from fault_matrix.runners import ROOT, run_suite
from reference_server import ReferenceServer
from reference_server.variants import Variants

from discover_helpers import discover_subprocess, printed_request_count

NESTED_ONLY = """
  - target: $.components.schemas.BctrlError
    description: A contract that pins the nested envelope (a flat-envelope API differs from it).
    update:
      oneOf:
        - $ref: '#/components/schemas/BctrlErrorNested'
"""


@dataclass(frozen=True)
class Case:
    variants: Variants
    fails: tuple[str, ...]  # checks that must fail under the contract in force (reference_server/checks.py names)
    pin_nested: bool = False  # the contract in force pins the nested envelope (the default accepts both)


CASES = {
    "default-limit-20": Case(Variants(default_limit=20), (checks.DEFAULT_LIMIT,)),
    "max-80": Case(Variants(max_limit=80), (checks.LIMIT_BOUNDS,)),
    "clamp": Case(Variants(above_max="clamp"), (checks.BAD_LIMIT,)),
    "422": Case(Variants(invalid_query_status=422), (checks.ERROR_ENVELOPE, checks.BAD_LIMIT)),
    "flat": Case(Variants(error_envelope="flat"), (checks.ERROR_ENVELOPE,), pin_nested=True),
    "tie-break-ascending": Case(Variants(tie_break="ascending"), (checks.WALK_END,)),
    "scheme-case-sensitive": Case(Variants(scheme_case="sensitive"), (checks.SCHEME_CASE,)),
    "clamp+422+flat+max-80": Case(
        Variants(max_limit=80, above_max="clamp", invalid_query_status=422, error_envelope="flat"),
        (checks.BAD_LIMIT, checks.LIMIT_BOUNDS, checks.ERROR_ENVELOPE), pin_nested=True),
    "ascending+sensitive+default-20+max-120": Case(
        Variants(tie_break="ascending", scheme_case="sensitive", default_limit=20, max_limit=120),
        (checks.WALK_END, checks.SCHEME_CASE, checks.DEFAULT_LIMIT, checks.BAD_LIMIT)),
}


@dataclass
class Result:
    in_force_exit: int
    in_force_failed: list[str]
    discovery_exit: int
    discovery_output: str
    requests: list
    overlay: Path
    discovered_exit: int
    discovered_tail: str
    contract: object = field(default=None)


def _contract_in_force(case: Case, folder: Path) -> Path:
    if not case.pin_nested:
        return DEFAULT_OVERLAY
    text = DEFAULT_OVERLAY.read_text(encoding="utf-8").replace("extends: openapi.yaml", f"extends: {DEFAULT_SPEC}")
    path = folder / "nested-only.overlay.yaml"
    path.write_text(text.rstrip("\n") + "\n" + NESTED_ONLY, encoding="utf-8")
    return path


def _run(name: str, case: Case, root: Path) -> Result:
    folder = root / name
    folder.mkdir(parents=True)
    in_force = {"BCTRL_CONTRACT": str(_contract_in_force(case, folder))}
    with ReferenceServer(variants=case.variants) as server:
        before = run_suite(server, None, folder / "in-force", extra_env=in_force,
                           selection=tuple(f"conformance/{check}" for check in case.fails))
        discovered = discover_subprocess(server, folder / "discovery", **in_force)
        # Relative to the repository root, as a user types it there (BCTRL_CONTRACT=reports/discovered.overlay.yaml).
        after = run_suite(server, None, folder / "discovered",
                          extra_env={"BCTRL_CONTRACT": os.path.relpath(discovered.overlay, ROOT)})
    return Result(before.exit_code, before.failed_tests, discovered.exit_code, discovered.output,
                  discovered.requests, discovered.overlay, after.exit_code, after.output_tail)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Result]:
    root = tmp_path_factory.mktemp("variants")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {name: pool.submit(_run, name, case, root) for name, case in CASES.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_contract_in_force_fails_the_variant_server(results, name):
    """Under the contract in force (the default; for the flat envelope, one that pins nested), the variant server
    fails the suite, and the checks that fail are those the variant's choice concerns."""
    result = results[name]
    assert result.in_force_exit == 1, result.in_force_failed
    for check in CASES[name].fails:
        assert any(check in failed for failed in result.in_force_failed), (check, result.in_force_failed)


@pytest.mark.parametrize("name", list(CASES))
def test_discovery_writes_the_variant_into_the_overlay(results, name):
    """Discovery exits 0 and its overlay states each of the server's choices: default and maximum limit, refuse or
    clamp, the invalid-query status, the envelope, the tie-break and the scheme word's case."""
    result, variants = results[name], CASES[name].variants
    assert result.discovery_exit == 0, result.discovery_output
    contract = _load(result.overlay)
    assert contract.limit_default == variants.default_limit
    assert contract.limit_max == variants.max_limit
    assert contract.limit_above_maximum == variants.above_max
    assert contract.error_status("invalidQuery") == variants.invalid_query_status
    assert variants.invalid_query_status in contract.documented_statuses
    assert variants.error_envelope in contract.error_envelopes
    if CASES[name].pin_nested:
        assert contract.error_envelopes == (variants.error_envelope,)
    assert contract.order.tie_descending == (variants.tie_break == "descending")
    assert contract.scheme_case_insensitive == (variants.scheme_case == "insensitive")


@pytest.mark.parametrize("name", list(CASES))
def test_discovery_sends_at_most_sixty_gets_and_says_how_many(results, name):
    """On the server's own request log: GET only, at most 60 requests, as many as discovery printed."""
    result = results[name]
    assert {record.method for record in result.requests} == {"GET"}
    assert len(result.requests) <= 60
    assert printed_request_count(result.discovery_output) == len(result.requests)


@pytest.mark.parametrize("name", list(CASES))
def test_the_suite_passes_the_variant_server_under_the_discovered_overlay(results, name):
    """BCTRL_CONTRACT=<the discovered overlay> python -m pytest passes against the variant server (fuzzing too)."""
    result = results[name]
    assert result.discovered_exit == 0, result.discovered_tail


def _load(path: Path):
    from conformance.contract import load_contract

    return load_contract(path)
