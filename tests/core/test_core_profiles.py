"""profiles.py: the smoke profile's rotation. Every check production allows has a night, and over any seven nights
in a row each of them runs; a check's cases take turns week by week."""

from __future__ import annotations

from datetime import date, timedelta

from conformance.catalogue import collect
from conformance.profiles import NIGHTS, Rotation, balanced, check_of


def _rotating() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for check in collect("gate"):
        if not (check.smoke or check.gate_only or check.whole_run):
            found.setdefault(check_of(check.nodeid), []).append(check.nodeid)
    return found


def test_every_check_production_allows_has_one_night():
    """The rotation file names each rotating check of the gate once, and no check that is gone (after adding or
    renaming a check: python -m conformance.profiles --write)."""
    rotation, rotating = Rotation.load(), _rotating()
    named = [check for night in rotation.nights for check in night]
    assert sorted(named) == sorted(rotating) and len(named) == len(set(named))


def test_over_seven_nights_in_a_row_every_check_production_allows_runs():
    """Whatever the first date, seven nights in a row run a case of every rotating check, and each night's
    `last ran` date of a check is within the last seven."""
    rotation, rotating = Rotation.load(), _rotating()
    for start in (date(2026, 11, 30), date(2027, 2, 28)):
        days = [start + timedelta(days=offset) for offset in range(NIGHTS)]
        ran = {check_of(nodeid) for day in days for nodeid in rotation.tonight(day, rotating)}
        assert ran == set(rotating)
        assert all(0 <= (days[-1] - rotation.last_ran(check, days[-1])).days < NIGHTS for check in rotating)


def test_a_checks_cases_take_turns_week_by_week():
    """On a check's night, one case runs: the next one each week."""
    rotation = Rotation((("a.py::test_a",),) + ((),) * (NIGHTS - 1), {})
    night = next(day for day in (date(2026, 12, 1) + timedelta(days=n) for n in range(NIGHTS))
                 if rotation.night_of(day) == 0)
    cases = {"a.py::test_a": ["a.py::test_a[x]", "a.py::test_a[y]", "a.py::test_a[z]"]}
    weeks = [rotation.tonight(night + timedelta(weeks=week), cases) for week in range(3)]
    assert sorted(case for week in weeks for case in week) == cases["a.py::test_a"]


def test_the_nights_are_balanced_by_what_each_check_sends():
    """The most expensive checks first, each to the night that sends least so far."""
    nights = balanced({"big": 30, "mid": 10, "a": 5, "b": 5, "c": 5}, nights=2)
    assert set(nights) == {("big",), ("a", "b", "c", "mid")}


def test_a_new_check_changes_only_the_night_it_joins_and_a_gone_one_only_its_own():
    """Writing the rotation again after a check is added (or removed) keeps every other check on its night."""
    rotation = Rotation.load()
    added = rotation.updated({**rotation.costs, "limit/test_limit.py::test_a_new_check": 3})
    changed = [night for night, (before, after) in enumerate(zip(rotation.nights, added.nights)) if before != after]
    assert len(changed) == 1 and "limit/test_limit.py::test_a_new_check" in added.nights[changed[0]]
    assert set(added.nights[changed[0]]) - set(rotation.nights[changed[0]]) == {"limit/test_limit.py::test_a_new_check"}
    gone = next(iter(rotation.nights[2]))
    removed = rotation.updated({check: cost for check, cost in rotation.costs.items() if check != gone})
    assert [night for night in range(NIGHTS) if removed.nights[night] != rotation.nights[night]] == [2]
