"""From what the probes saw to what discovery reports: each line the registry (conformance/contract/choices.py) says
discovery settles, by its settling function (points/), each line it cannot probe, and the violations (violations.py).
"""

from __future__ import annotations

from ..contract import Contract
from ..contract.choices import Choice, not_probed, raw, settled
from .findings import AGREES, NOT_PROBED, REVIEW, WRITTEN, Discovery, Finding, said
from .points import settling_function
from .points.limit import READ_FROM_PAGE_SIZES
from .points.pagination import walk_order
from .probes import Observations
from .violations import scan


def conclude(observations: Observations, contract: Contract) -> Discovery:
    """Every finding, and every violation, from what the probes saw: each line the registry says discovery settles,
    by its settling function, then the lines it cannot probe."""
    findings = [finding for choice in settled()
                if (finding := settling_function(choice)(observations, contract)) is not None]
    findings += [_not_probed(choice, contract) for choice in not_probed()]
    violations = scan(observations, contract, walk_order(observations, contract))
    if any(violation.rule == "limit.bounds" for violation in violations):
        for finding in findings:  # page sizes that break their limit say nothing trustworthy about the limits
            if finding.line in READ_FROM_PAGE_SIZES:
                _not_written(finding, "pages hold more runs than asked (see the violations)")
    return Discovery(findings, violations)


def _not_written(finding: Finding, why: str) -> None:
    if finding.outcome in (*WRITTEN, AGREES):
        finding.outcome, finding.change = REVIEW, None
        finding.target += f"; not written: {why}"


def _not_probed(choice: Choice, contract: Contract) -> Finding:
    """A line discovery cannot settle with a few GETs: what the contract in force allows stays."""
    value = choice.said(contract.rules) if choice.read is raw else choice.value(contract)
    return Finding(choice.key, said(value), f"not probed: {choice.not_probed}", NOT_PROBED)
