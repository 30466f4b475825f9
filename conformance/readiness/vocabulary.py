"""The gaps a target's data or settings can leave: stable, short names, and what fixes each.

A gap is a kind of missing data (or a missing setting) that keeps checks from being judged. Its name is what a
user writes in BCTRL_ACCEPT_GAPS to accept it knowingly; the fix is printed with every gap. This module depends on
nothing else of the suite, so the settings can check gap names without importing the checks.
"""

from __future__ import annotations

# name -> (the setting it is about, what fixes it)
GAPS: dict[str, tuple[str, str]] = {
    "runs": ("BCTRL_RUNTIME_ID", "set BCTRL_RUNTIME_ID to a runtime of the key that has runs"),
    "runs-to-page": ("BCTRL_RUNTIME_ID", "pick a busier runtime as BCTRL_RUNTIME_ID (and keep BCTRL_MAX_WALK_RUNS "
                                         "above the run count the checks need)"),
    "statuses": ("BCTRL_RUNTIME_ID", "pick a runtime with runs in every status as BCTRL_RUNTIME_ID"),
    "other-tenant": ("BCTRL_OTHER_RUNTIME_ID", "set BCTRL_OTHER_RUNTIME_ID to a runtime of another tenant (one the "
                                               "key must not see)"),
    "empty-runtime": ("BCTRL_EMPTY_RUNTIME_ID", "set BCTRL_EMPTY_RUNTIME_ID to a runtime of the key with no runs"),
    "second-runtime": ("BCTRL_SECOND_RUNTIME_ID", "set BCTRL_SECOND_RUNTIME_ID to another runtime of the key, "
                                                  "with runs"),
    "other-key": ("BCTRL_OTHER_API_KEY", "set BCTRL_OTHER_API_KEY to a key of another tenant (the tenant of "
                                         "BCTRL_OTHER_RUNTIME_ID), to check isolation from its side too"),
    "in-flight": ("BCTRL_CONCURRENCY", "set BCTRL_CONCURRENCY to 2 or more (the gate's default is 6), so that "
                                       "requests in flight together are checked"),
}
GAP_NAMES = tuple(GAPS)


def fix_of(gap: str) -> str:
    return GAPS[gap][1]


def setting_of(gap_or_need) -> str:
    """The setting a gap (or a need, by its gap) is about."""
    return GAPS[getattr(gap_or_need, "gap", gap_or_need)][0]


def parse_accepted_gaps(text: str) -> frozenset[str]:
    """`other-tenant,empty-runtime` -> the set of gap names; ValueError on an empty item or an unknown name."""
    names = [name.strip() for name in text.split(",")]
    if any(not name for name in names):
        raise ValueError(f"must be a comma-separated list of gap names ({', '.join(GAP_NAMES)})")
    unknown = [name for name in names if name not in GAPS]
    if unknown:
        raise ValueError(f"names an unknown gap {unknown[0]!r}; the gaps are {', '.join(GAP_NAMES)}")
    return frozenset(names)
