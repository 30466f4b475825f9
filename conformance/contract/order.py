"""The order of runs as the contract says it: by a field, then (optionally) ties broken by another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..representation import comparable


@dataclass(frozen=True)
class Order:
    """How runs are ordered: by a field, then (optionally) ties broken by another."""

    by: str
    descending: bool
    tie_by: str | None
    tie_descending: bool

    def describe(self) -> str:
        text = f"{self.by} {'descending' if self.descending else 'ascending'}"
        if self.tie_by:
            text += f", then {self.tie_by} {'descending' if self.tie_descending else 'ascending'}"
        return text

    def key(self, run: dict) -> tuple:
        """A sort key that puts runs in contract order when sorted ascending."""
        return (_directed(run[self.by], self.descending),) + (
            (_directed(run[self.tie_by], self.tie_descending),) if self.tie_by else ()
        )


class _Reversed:
    """Wraps a comparable value so that it sorts in the opposite direction."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __lt__(self, other: "_Reversed") -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value

    def __le__(self, other: "_Reversed") -> bool:
        return other.value <= self.value


def _directed(value: Any, descending: bool) -> Any:
    value = comparable(value)
    return _Reversed(value) if descending else value
