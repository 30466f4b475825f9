"""The suite's pytest plugin: settings in, target up, fixtures out, reports and an honest exit status.

Registered by the installed package's `pytest11` entry point (pyproject.toml), so its options exist in every
pytest run of the environment. It only acts on runs that collect the suite (`conformance/`), so the project's own
tests (`tests/`) run untouched beside it. One module per job: `markers`, `options` (settings, contract, collection,
target), `fixtures`, `readiness` (the target's data measured first; the checks it cannot judge booked as gaps),
`reporting` (outcomes, summary, exit status); `state` is what they share.
"""

from __future__ import annotations

from .state import STATE, RunState, contract_of

pytest_plugins = ["conformance.plugin.markers", "conformance.plugin.options", "conformance.plugin.fixtures",
                  "conformance.plugin.readiness", "conformance.plugin.reporting"]

__all__ = ["STATE", "RunState", "contract_of"]
