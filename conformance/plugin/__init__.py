"""The suite's pytest plugin: settings in, target up, checks chosen and judged, an honest exit status and reports.

Registered by the installed package's `pytest11` entry point (pyproject.toml), so its options exist in every pytest
run of the environment. It acts only on runs of the suite (`conformance/`, or an ini file saying `bctrl_suite =
true`), so the project's own tests run untouched beside it. One module per feature, each owning its state under its
own StashKey, as pytest's own plugins do:

- `markers`: the suite's markers, and what a run of the suite is;
- `selection`: which checks run (the profile, the contract areas, the whole-run checks last);
- `target`: settings, session, contract and target (conformance/connection.py), and the fixtures the checks ask for;
- `readiness`: the target's data measured before the first test, and the checks it leaves unjudged;
- `ahead`: the checks' requests sent ahead of them, a few in flight at once, as soon as readiness is measured;
- `verdict`: contract failures apart from tool errors and gaps, the exit status and the verdict;
- `reports`: the request log, each check's outcome and rule, the summaries, and the key kept out of all of them.

The features meet through hooks (`hooks`) and each other's accessors (`settings_of`, `connection_of`, `readiness_of`,
`tally_of`), never through each other's internals; none depends on another's hooks running first.
"""

from __future__ import annotations

pytest_plugins = ["conformance.plugin.markers", "conformance.plugin.selection", "conformance.plugin.target",
                  "conformance.plugin.readiness", "conformance.plugin.ahead", "conformance.plugin.verdict",
                  "conformance.plugin.reports"]


def pytest_addhooks(pluginmanager) -> None:
    from . import hooks

    pluginmanager.add_hookspecs(hooks)
