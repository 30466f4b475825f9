"""Which cases of a check also run in the smoke profile (production: GET only, within its request budget).

The smoke set is chosen by what it catches per request: each case in it catches a fault of the catalogue that no
cheaper smoke case catches. The kill matrix measures it (`python -m fault_matrix --contender smoke`: the smoke
column); `tests/suite/test_fault_matrix.py` holds it to nine in ten of the faults a GET can reveal.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pytest


def cases(names: Iterable[str], smoke: Iterable[str] = (), marks: Mapping[str, list] | None = None) -> list:
    """`names` as pytest parameters (each its own id); those in `smoke` also run in the smoke profile; `marks`
    adds a case's own marks (its data needs, say)."""
    smoke, names, marks = set(smoke), list(names), marks or {}
    unknown = smoke - set(names)
    if unknown:  # a renamed case must not silently leave the smoke set
        raise ValueError(f"smoke cases {sorted(unknown)} are not among {names}")
    return [pytest.param(name, id=name, marks=[*marks.get(name, []), *([pytest.mark.smoke] if name in smoke else [])])
            for name in names]
