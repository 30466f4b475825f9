"""The suite's markers, registered by the plugin: in every run of the environment, so a module of the suite imported
elsewhere (the contract-coverage table imports them, under tests/pytest.ini) keeps its marks under --strict-markers."""

from __future__ import annotations

import pytest

MARKERS = (
    ('schema', "every response matches the contract's schemas and each run's own invariants"),
    ('pagination', "cursor walks end, repeat nothing, skip nothing, keep the contract's order"),
    ('limit', 'page sizes: default, bounds, refusals'),
    ('filters', 'the status filter, single and repeated'),
    ('auth', 'authentication and tenant isolation'),
    ('methods', 'methods other than GET: refused, never served'),
    ('fuzz', 'Schemathesis fuzzing from the effective contract'),
    ('smoke', 'also runs in the smoke profile (production: read-only, budgeted)'),
    ('other', 'not in a contract area'),
    ('whole_run', 'judges what the whole run saw; runs last, in every profile, and sends nothing'),
    ('rule(*ids)', 'the contract rules (conformance/contract/rules.py) the check enforces'),
    ('needs(*needs)', 'the data the check needs from the target (conformance/readiness/needs.py); unmet, it is '
                      'not judged (a gap)'),
)


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS:
        config.addinivalue_line("markers", f"{name}: {description}")
