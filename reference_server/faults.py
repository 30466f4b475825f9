"""The fault catalogue: realistic bugs the reference server can be switched into.

Each fault is checked (``"name" in faults``) at the one place in the server where that bug would live in a real
implementation, and its catalogue entry (fault.py's Fault: what it breaks, the check designated to catch it, how its
test observes it) sits next to that code, in the module's FAULTS. This module gathers them.
"""
from __future__ import annotations

from collections import Counter

from . import app, number_faults, store, trouble, wire_faults
from .fault import Fault
from .stages import auth, cursors, errors, front_end, headers, paging, query, query_string, rendering, routing

# The modules holding faults, from the request's way in to the database and back out on the wire.
HOLDERS = (front_end, routing, app, auth, query_string, query, number_faults, cursors, paging, rendering, headers,
           errors, store, wire_faults, trouble)


def _catalogue(entries: list[Fault]) -> dict[str, Fault]:
    """The entries by name, in name order; ValueError when two modules define the same name."""
    twice = sorted(name for name, count in Counter(fault.name for fault in entries).items() if count > 1)
    if twice:
        raise ValueError(f"fault(s) defined twice: {', '.join(twice)}")
    return {fault.name: fault for fault in sorted(entries, key=lambda fault: fault.name)}


FAULTS: dict[str, Fault] = _catalogue([fault for holder in HOLDERS for fault in holder.FAULTS])


def check_fault_names(names) -> frozenset[str]:
    """Return the names as a frozenset; raise ValueError naming any unknown one."""
    names = frozenset(names)
    unknown = sorted(names - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
    return names
