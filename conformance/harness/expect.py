"""Judging one answer: `expect` raises the ContractViolation that says what was expected, what came back, and how
to reproduce it."""

from __future__ import annotations

from typing import Iterable

from ..outcomes import ContractViolation
from .exchange import Exchange


def expect(condition: bool, what: str, *, expected: str, actual: str, exchange: Exchange | None = None) -> None:
    __tracebackhide__ = True  # the failure is in the test that called this, not here
    if not condition:
        raise ContractViolation(what, expected=expected, actual=actual, exchange=exchange)


def expect_status(exchange: Exchange, status: int | Iterable[int], what: str) -> None:
    __tracebackhide__ = True
    allowed = {status} if isinstance(status, int) else set(status)
    expect(
        exchange.status in allowed,
        what,
        expected=" or ".join(str(code) for code in sorted(allowed)),
        actual=exchange.summary(),
        exchange=exchange,
    )
