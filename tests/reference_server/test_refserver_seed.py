"""The deterministic seed: shape of the data the server starts with."""
from __future__ import annotations

import inspect
import re
import uuid
from collections import Counter
from dataclasses import replace

import pytest

from reference_server import FAULTS, ReferenceServer
from reference_server.faults import HOLDERS

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
STAMP = re.compile(r"2026-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def test_main_runtime_counts_and_statuses(server):
    """Runtime A-main holds 130 runs with all three statuses in the planned mix."""
    runs = server.store.all_runs(server.seed_info.runtime_id)
    assert len(runs) == 130
    assert Counter(r.status for r in runs) == {"active": 40, "stopped": 50, "failed": 40}


def test_statuses_are_spread(server):
    """Statuses are interleaved through the list rather than grouped."""
    statuses = [r.status for r in server.store.all_runs(server.seed_info.runtime_id)]
    changes = sum(a != b for a, b in zip(statuses, statuses[1:]))
    assert changes > 60
    assert {"active", "stopped", "failed"} <= set(statuses[:15])


def test_ties_exist_and_straddle_page_boundaries(server):
    """At least ten createdAt tie groups of 2-4 runs exist, some across limit 7 and 50 page boundaries."""
    runs = server.store.all_runs(server.seed_info.runtime_id)
    groups = Counter(r.created_at for r in runs)
    tied = {c: n for c, n in groups.items() if n > 1}
    assert len(tied) >= 10 and all(2 <= n <= 4 for n in tied.values())
    created = [r.created_at for r in runs]
    for limit in (7, 50):
        assert any(created[i - 1] == created[i] for i in range(limit, len(created), limit))


def test_run_fields_and_invariants(server):
    """Ids are UUID v4, timestamps fixed-width 2026 UTC, and startedAt/finishedAt respect the lifecycle."""
    for runtime in (server.seed_info.runtime_id, server.seed_info.other_runtime_id, server.seed_info.second_runtime_id):
        for r in server.store.all_runs(runtime):
            assert UUID4.fullmatch(r.id) and uuid.UUID(r.id).version == 4
            assert STAMP.fullmatch(r.created_at) and STAMP.fullmatch(r.started_at)
            assert r.started_at > r.created_at
            if r.status == "active":
                assert r.finished_at is None
            else:
                assert STAMP.fullmatch(r.finished_at) and r.finished_at > r.started_at


def test_other_tenant_and_empty_runtime(server):
    """Tenant B has 30 runs, the empty runtime none, and the unknown runtime does not exist."""
    info = server.seed_info
    assert len(server.store.all_runs(info.other_runtime_id)) == 30
    assert server.store.all_runs(info.empty_runtime_id) == []
    assert server.store.runtime_tenant(info.unknown_runtime_id) is None
    assert info.api_key.startswith("bctrl_sk_test_") and info.other_api_key.startswith("bctrl_sk_test_")
    assert info.api_key != info.other_api_key


def test_second_runtime_interleaves_with_the_main_one(server):
    """Tenant A's second runtime holds 12 runs whose createdAt fall between (and past) the main runtime's, so a
    cursor position of the main runtime has runs of the second one on both sides."""
    info = server.seed_info
    main = [r.created_at for r in server.store.all_runs(info.runtime_id)]
    second = [r.created_at for r in server.store.all_runs(info.second_runtime_id)]
    assert len(second) == 12 and server.store.runtime_tenant(info.second_runtime_id) == "tenant-a"
    assert main[-1] < second[0] < main[0] and second[-1] < main[-1]
    assert len({info.runtime_id, info.empty_runtime_id, info.second_runtime_id, info.other_runtime_id}) == 4


def test_seed_is_deterministic_and_key_replaceable():
    """The same seed gives the same data; api_key replaces only tenant A's key."""
    a, b = ReferenceServer(seed=7), ReferenceServer(seed=7, api_key="bctrl_sk_test_canary")
    assert a.seed_info.runtime_id == b.seed_info.runtime_id
    assert a.store.all_runs(a.seed_info.runtime_id) == b.store.all_runs(b.seed_info.runtime_id)
    assert b.seed_info.api_key == "bctrl_sk_test_canary"
    assert a.seed_info.other_api_key == b.seed_info.other_api_key
    assert ReferenceServer(seed=8).seed_info.runtime_id != a.seed_info.runtime_id


@pytest.mark.parametrize("kwargs", [{"faults": ["no-such-fault"]}, {"error_envelope": "weird"}, {"trouble_rate": 2}])
def test_bad_constructor_arguments(kwargs):
    """Unknown fault names and out-of-range options raise ValueError (naming the fault)."""
    with pytest.raises(ValueError, match="no-such-fault" if "faults" in kwargs else None):
        ReferenceServer(**kwargs)


def test_fault_catalogue_shape():
    """Every catalogue entry is keyed by its name and has an area and a one-line description."""
    assert len(FAULTS) >= 50
    for name, fault in FAULTS.items():
        assert fault.name == name and fault.area and fault.description and "\n" not in fault.description


def test_every_fault_is_switched_where_its_entry_is():
    """Each fault's catalogue entry sits in the module that switches it: its name is there outside the entry too
    (the branch, or the table of the faults a branch reads)."""
    elsewhere = []
    for holder in HOLDERS:
        source = inspect.getsource(holder)
        elsewhere += [fault.name for fault in holder.FAULTS if source.count(f'"{fault.name}"') < 2]
    assert not elsewhere


def test_a_small_runtime_changes_nothing_else_of_the_seed():
    """ReferenceServer(small_runtime_runs=3) adds a runtime of the key with 3 runs, none failed (a target too small
    to judge fully), and leaves every other runtime, run and key exactly as without it."""
    plain, small = ReferenceServer(), ReferenceServer(small_runtime_runs=3)
    assert plain.seed_info.small_runtime_id is None
    assert replace(small.seed_info, small_runtime_id=None) == plain.seed_info
    info = plain.seed_info
    for runtime in (info.runtime_id, info.empty_runtime_id, info.other_runtime_id, info.second_runtime_id):
        assert small.store.all_runs(runtime) == plain.store.all_runs(runtime)
    statuses = [run.status for run in small.store.all_runs(small.seed_info.small_runtime_id)]
    assert len(statuses) == 3 and "failed" not in statuses
    assert small.store.runtime_tenant(small.seed_info.small_runtime_id) == small.store.runtime_tenant(info.runtime_id)
