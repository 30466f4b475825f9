"""Judging one answer: `expect` raises the ContractViolation that says what was expected, what came back, and how
to reproduce it; where an overlay line the API team may choose otherwise would let the answer pass, the violation
names that line (its decision), so that the reports can tell a choice to make from a bug to fix."""

from __future__ import annotations

from typing import Callable, Iterable

from ..contract import Contract
from ..contract.model import CONVENTIONAL_ERROR_STATUSES, ErrorStatus
from ..outcomes import ContractViolation, Decision
from ..transport.exchange import Exchange


def expect(condition: bool, what: str, *, expected: str, actual: str, exchange: Exchange | None = None,
           decision: Decision | None = None) -> None:
    __tracebackhide__ = True  # the failure is in the test that called this, not here
    if not condition:
        raise ContractViolation(what, expected=expected, actual=actual, exchange=exchange, decision=decision)


def expect_status(exchange: Exchange, status: int | Iterable[int], what: str) -> None:
    __tracebackhide__ = True
    allowed = {status} if isinstance(status, int) else set(status)
    if exchange.status in allowed:
        return
    raise ContractViolation(what, expected=" or ".join(str(code) for code in sorted(allowed)),
                            actual=exchange.summary(), exchange=exchange,
                            decision=refusal_decision(allowed, exchange.status))


def refusal_decision(allowed: set[int], status: int | None) -> Decision | None:
    """Refused with another status bctrl's conventions use for the same kind of refusal, where one kind was expected:
    the errorStatus line that would say so."""
    kinds = {code.kind: code for code in allowed if isinstance(code, ErrorStatus)}
    if len(kinds) != 1:
        return None
    (kind, said), = kinds.items()
    if status == said or status not in CONVENTIONAL_ERROR_STATUSES.get(kind, ()):
        return None
    return Decision(f"errorStatus.{kind}", status, f"it refuses with {status} where the overlay says {said}")


def undocumented_refusal(status: int | None, contract: Contract) -> Decision | None:
    """A status the contract does not document, that bctrl's conventions use for one kind of refusal only (422: a
    bad query): the errorStatus line that would document it."""
    kinds = [kind for kind, statuses in CONVENTIONAL_ERROR_STATUSES.items()
             if status in statuses and status != contract.error_status(kind)]
    if len(kinds) != 1 or status in contract.documented_statuses:
        return None
    return refusal_decision({contract.error_status(kinds[0])}, status)


def expect_judged(judge: Callable[[Contract], None], contract: Contract, *choices: tuple[str, object, str]) -> None:
    """`judge(contract)`. Where it fails, each choice (an x-bctrl-contract line, a value, what the target then does)
    is tried in turn: the first under which the same judge passes the same answer is the failure's decision."""
    __tracebackhide__ = True
    try:
        judge(contract)
    except ContractViolation as violation:
        if violation.decision is None:
            for line, value, reading in choices:
                if _passes(judge, contract.with_line(line, value)):
                    raise violation.decided(Decision(line, value, reading)) from None
        raise


def _passes(judge: Callable[[Contract], None], contract: Contract) -> bool:
    try:
        judge(contract)
    except ContractViolation:
        return False
    return True
