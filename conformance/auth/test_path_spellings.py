"""Spellings of the runs path: however a runtime's path is written, it names that runtime or none; another
tenant's runtime stays invisible under every spelling; nothing gets a 5xx (see inputs/path_spellings.py).

Live data: a 200 for the key's runtime is compared with a walk of its newest runs made before; only runs older
than that walk's head and absent from it count as foreign (new runs appear at the head).
"""

from __future__ import annotations

import pytest

from conformance.inputs.path_spellings import (
    OTHER, OWN, TELLING_SPELLINGS, UNKNOWN, telling_spelling,
)
from conformance.judge.expect import expect
from conformance.judge.path_spellings import expect_spelling_answered, fetch
from conformance.profiles import cases
from conformance.readiness import other_tenant
from conformance.representation import unknown_like

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)


@pytest.mark.rule("tenant.isolation", "runtime.unknown", "server.no-5xx", "errors.hygiene")
@pytest.mark.needs(other_tenant())
@pytest.mark.parametrize("spelling", cases(TELLING_SPELLINGS, smoke=["trailing-slash"]))
def test_another_tenants_runtime_stays_invisible_however_spelled(api, contract, target, other_runtime_id,
                                                                 shared_walk, spelling):
    """Another tenant's runtime, its path spelled another way (escapes, case, separators, dot segments, odd,
    non-ASCII or long characters), is refused without a run, never a 2xx or a 5xx, with the same status as the
    same spelling of a runtime that exists nowhere."""
    known = {target.runtime_id, other_runtime_id, target.empty_runtime_id}
    other = telling_spelling(spelling, OTHER, other_runtime_id)
    other_answers = fetch(api, other)
    expect_spelling_answered(other_answers, other, contract, shared_walk)
    unknown = telling_spelling(spelling, UNKNOWN, unknown_like(other_runtime_id, avoid=known))
    unknown_answers = fetch(api, unknown)
    expect_spelling_answered(unknown_answers, unknown, contract, shared_walk)
    expect(other_answers[0].status == unknown_answers[0].status,
           f"Another tenant's runtime spelled {spelling} is answered like an unknown runtime spelled so",
           expected=f"{unknown_answers[0].status}, as for {unknown.path[:120]}",
           actual=other_answers[0].summary(), exchange=other_answers[0])


@pytest.mark.rule("runtime.spelling", "server.no-5xx", "errors.hygiene")
@pytest.mark.parametrize("spelling", cases(TELLING_SPELLINGS))
def test_the_keys_runtime_however_spelled_lists_only_its_runs_or_is_refused(api, contract, target, shared_walk,
                                                                            spelling):
    """The key's runtime, its path spelled another way, gets a 200 listing that runtime's runs and no other, or a
    refusal the overlay allows (x-bctrl-contract.pathSpellings) without runs; never a 5xx."""
    own = telling_spelling(spelling, OWN, target.runtime_id)
    expect_spelling_answered(fetch(api, own), own, contract, shared_walk)
