"""The check designated to catch each catalogued fault: the suite must fail that check (others may fail too).

Each fault's catalogue entry names its check (Fault.check, and Fault.smoke_check where the smoke has its own); the
checks are named in reference_server/checks.py as `area/test_file.py::test_name`, relative to conformance/.
"""

from __future__ import annotations

from reference_server.checks import LATE_VALIDATOR, TIME
from reference_server.faults import FAULTS

# Fault -> the check meant to catch it.
CATCHER = {name: fault.check for name, fault in FAULTS.items()}

# Fault -> the smoke profile's own check for it, where the gate's designated check costs more requests than the smoke
# can spend (the smoke column of the matrix, run on that check's night, must show it failing there).
SMOKE_CATCHER = {name: fault.smoke_check for name, fault in FAULTS.items() if fault.smoke_check}

WHOLE_RUN_MODULE = "whole_run/test_whole_run.py"


# Checks that judge what the whole run saw, or redeem late what the run handed out when it started: focused on them
# alone, no time would pass and nothing else would be seen.
WHOLE_RUN_CHECKS = (WHOLE_RUN_MODULE, TIME.split("::")[0], LATE_VALIDATOR)


def focus(fault: str) -> tuple[str, ...]:
    """The pytest arguments that prove `fault` is caught: its designated check (every case of it), or every
    hand-written check (the fuzzer's traffic is not needed) when that check judges what the whole run saw, or
    redeems late what it handed out early, or when the fault shows only as live data moves: one module may be done
    before the data has moved at all (a new run every 0.2 s on the reference server: a focused run takes one
    second, and page-cache-keyed-by-page-number went unseen when no run started between two walks)."""
    check = CATCHER[fault]
    if check.split("::")[0] in WHOLE_RUN_CHECKS or check in WHOLE_RUN_CHECKS or "churn" in FAULTS[fault].needs:
        return ("conformance", "--ignore=conformance/fuzz")
    return (f"conformance/{check}",)
