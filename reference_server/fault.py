"""One catalogued fault: a realistic bug the reference server can be switched into, the rules it breaks, what it
needs to show, the check designated to catch it and how a test observes it. Each entry lives next to the code it
switches (the stages in stages/, store.py, wire_faults.py, number_faults.py); faults.py gathers them."""
from __future__ import annotations

from dataclasses import dataclass, field

from .probes import Probe


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    description: str
    rules: tuple[str, ...]  # the contract rules it breaks (conformance/contract/rules.py)
    blind_spot: int = 0  # the class of its issue it was written for (issue 8: 1-9, 16: 1-6, 23: 1-7); 0: none
    needs: tuple[str, ...] = ()  # server conditions it shows under: "churn" (live data), "trouble" (429s, 503s)
    issue: int = 0  # the issue it was written for (16: realistic bugs by class; 23: the layers below); 0: earlier ones
    check: str = ""  # the check designated to catch it (checks.py): the suite must fail it
    # The smoke profile's own check for it, where the designated one costs more requests than the smoke can spend.
    smoke_check: str | None = None
    observe: Probe | None = field(default=None, compare=False)  # how its test sees it on the wire (probes.py)
    # A bug the suite cannot tell from a wrong setting: the gap its run must name as possibly the API's failure (exit 4,
    # not judged) instead of failing `check`, which it leaves unjudged.
    suspect_gap: str = ""

    @property
    def revealed_by_get(self) -> bool:
        """False for bugs only another method shows (the smoke profile, GET only, cannot see them)."""
        return self.area != "methods"

    @property
    def server_options(self) -> dict:
        """ReferenceServer keyword arguments the fault needs to show (churn on, some transient trouble)."""
        return {**({"churn": True} if "churn" in self.needs else {}),
                **({"trouble_rate": TROUBLE_RATE_FOR_FAULTS} if "trouble" in self.needs else {})}


TROUBLE_RATE_FOR_FAULTS = 0.05  # enough 429s and 503s for a fault that lives in them to show in every run
