"""Build the Schemathesis schema for the fuzz test: effective contract + schemathesis.toml + the run's target."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from conformance.contract import Contract
from conformance.inputs.query_spellings import lenient_sizes, resembled
from conformance.judge.response import error_body_problems, run_invariant_problems

CONFIG_FILE = Path(__file__).with_name("schemathesis.toml")
CURSOR_FORMAT = "bctrl-cursor"  # the overlay's format for the opaque cursor
INT64_MAX = 2**63 - 1
CURSOR_QUERY = {"limit": 1}  # the query the cursors the fuzzer sends are handed out with (conftest.py)


def fuzz_config(*, base_url: str, api_key: str, runtime_id: str, seed: int, examples: int,
                modes: str = "all", coverage: bool = True) -> SchemathesisConfig:
    """schemathesis.toml with the run's target, key, runtime, seed and examples; without the coverage phase (every
    boundary of every parameter: most of the requests) where the budget is small (BCTRL_FUZZ_COVERAGE=no)."""
    data = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    data["phases"]["coverage"]["enabled"] = coverage
    data["seed"] = seed
    data["base-url"] = base_url
    data["headers"] = {"Authorization": f"Bearer {api_key}"}
    data["parameters"] = {"path.runtimeId": runtime_id}
    data["generation"] = {**data.get("generation", {}), "mode": modes, "max-examples": examples}
    return SchemathesisConfig.from_dict(data)


def fuzz_schema(contract: Contract, config: SchemathesisConfig, cursors: list[str]):
    """The Schemathesis schema of the effective contract; valid cursors are ones the API handed out."""
    # Positive cases need valid cursors, and only the API can make one: sample real ones.
    schemathesis.openapi.format(CURSOR_FORMAT, st.sampled_from(cursors) if cursors else st.nothing())
    schema = schemathesis.openapi.from_dict(contract.generation_document, config=config)
    schema.hook(query_filter(contract))
    return schema


def query_filter(contract: Contract):
    """A Schemathesis `filter_query` hook: no generated query whose answer the contract leaves open.

    Under a clamping contract, no limit beyond 64-bit integers (clamped, or refused as not an integer: either is
    allowed; conformance/limit/test_limit.py accepts both). Where the overlay reads other spellings leniently
    (queryGrammar.limitOutsideGrammar / statusOutsideGrammar: lenient), no value a common parser reads as a valid
    one (a negative case `1.5` is then the page size 1): the hand-written checks judge those with their oracle."""

    def filter_query(ctx, query):
        query = query or {}
        limit = query.get("limit")
        if contract.limit_clamped and type(limit) is int and limit > INT64_MAX:
            return False
        limits = [("limit", value) for value in (limit if isinstance(limit, list) else [limit]) if value is not None]
        if limits and lenient_sizes(contract, limits):
            return False
        status = query.get("status")
        statuses = [str(value) for value in (status if isinstance(status, list) else [status]) if value is not None]
        return not (statuses and resembled(contract, statuses) and not set(statuses) <= set(contract.statuses))

    return filter_query


def contract_rules_check(contract):
    """A Schemathesis check for what no schema says: run invariants, and error-body hygiene."""

    def bctrl_run_invariants_and_error_hygiene(ctx, response, case):
        """Runs keep their own invariants; error bodies show no stack trace, source path or key."""
        text = response.content.decode("utf-8", errors="replace")
        problems = []
        if response.status_code == 200:
            try:
                runs = json.loads(text).get("data") or []
            except (ValueError, AttributeError):
                runs = []  # the schema check reports a body that is not a page
            for run in runs if isinstance(runs, list) else []:
                problems += [f"run {run.get('id')}: {problem}" for problem in run_invariant_problems(run, contract)
                             if isinstance(run, dict)]
        if response.status_code >= 400:
            problems += list(error_body_problems(text, contract, response.request.url or ""))
        if problems:
            raise AssertionError("; ".join(problems))

    return bctrl_run_invariants_and_error_hygiene
