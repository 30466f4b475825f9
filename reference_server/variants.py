"""Legitimate variants: choices a real API may make differently from the default contract, none of them a bug.

The faults (faults.py) are bugs: no contract may allow them, or the default contract forbids them. A variant is a
choice that bctrl's conventions leave open, so a contract (an overlay) may state either way; the reference server
can be switched into each so that discovery (`python -m conformance.discover`) and the suite under the overlay
discovery writes can be proven on them. A few faults equal a variant's non-default value (`default-limit-20`,
`limit-clamped`, `invalid-query-422`, `tie-break-ascending`, `auth-bearer-case-sensitive`): they stay faults,
because the DEFAULT contract forbids them, and share the server code with the variant.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

ABOVE_MAX = ("refuse", "clamp")
INVALID_QUERY_STATUSES = (400, 422)
ENVELOPES = ("nested", "flat")
TIE_BREAKS = ("descending", "ascending")
SCHEME_CASES = ("insensitive", "sensitive")


@dataclass(frozen=True)
class Variants:
    """The server's choices; the defaults are the default contract's (contract.overlay.yaml)."""

    default_limit: int = 50  # page size without a limit
    max_limit: int = 100  # the largest limit served
    above_max: str = "refuse"  # a limit above max_limit: refused (invalid query) or clamped to max_limit
    invalid_query_status: int = 400  # the status of a bad limit, status or cursor
    error_envelope: str = "nested"  # {"error": {"code", "message", "requestId"}} or flat {"error", "code", ...}
    tie_break: str = "descending"  # order of runs sharing a createdAt: by id descending or ascending
    scheme_case: str = "insensitive"  # the Authorization scheme word: any case (RFC 9110), or exactly `Bearer`

    def __post_init__(self) -> None:
        if self.max_limit < 1:
            raise ValueError(f"max_limit must be at least 1, got {self.max_limit}")
        if not 1 <= self.default_limit <= self.max_limit:
            raise ValueError(f"default_limit must be within 1..max_limit ({self.max_limit}), got {self.default_limit}")
        for name, allowed in (("above_max", ABOVE_MAX), ("invalid_query_status", INVALID_QUERY_STATUSES),
                              ("error_envelope", ENVELOPES), ("tie_break", TIE_BREAKS),
                              ("scheme_case", SCHEME_CASES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")

    def changed(self) -> dict[str, object]:
        """The choices that differ from the default contract's, by field name."""
        default = Variants()
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}

    def describe(self) -> str:
        return ", ".join(f"{name.replace('_', '-')}={value}" for name, value in self.changed().items()) or "none"
