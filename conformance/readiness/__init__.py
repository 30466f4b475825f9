"""Readiness: before it judges anything, the suite says whether the target it was given can be judged.

`vocabulary` names the gaps; `needs` is what each check declares it needs (`@pytest.mark.needs(...)`); `measure`
measures the target's data in a few GETs; `gaps` turns needs and readiness into gaps, the verdict and the readiness
block of the reports; `needs_section` writes the README's "What the target needs" from the declarations.
"""

from .data import Readiness, RuntimeAnswer, RuntimeData
from .needs import (
    Need, Shortfall, Suspect, counted, crossing, empty_runtime, ended_runs, in_flight, named_runtime, not_judged,
    other_key, other_tenant, require, runs, second_runtime, status_runs,
)

__all__ = ["Need", "Readiness", "RuntimeAnswer", "RuntimeData", "Shortfall", "Suspect", "counted", "crossing",
           "empty_runtime", "ended_runs", "in_flight", "named_runtime", "not_judged", "other_key", "other_tenant",
           "require", "runs", "second_runtime", "status_runs"]
