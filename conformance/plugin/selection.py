"""Which checks run: the contract area of each, the profile's choice (smoke: the core, tonight's share of the
rotation and the whole-run checks; never a gate-only check), and the whole-run checks last, since they judge what every
other check saw (the checks that redeem what the run handed out early just before them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from ..profiles import NIGHTS, Rotation, rotating
from ..settings import SETTINGS
from .markers import area, is_suite_run
from .target import settings_of

NIGHT = pytest.StashKey["Night"]()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """`--bctrl-contract PATH` (value after a space) works like `--bctrl-contract=PATH`.

    pytest picks its rootdir and ini file before it loads any installed plugin, so it takes the detached value
    for a test path: an overlay outside the checkout would make that folder the rootdir, lose pytest.ini and
    collect the wrong tests. When a suite option was given that way, run pytest again with the value attached
    (tryfirst: before pytest's own main loop runs the session).
    """
    args = list(config.invocation_params.args)
    attached = attach_option_values(args, {setting.option for setting in SETTINGS})
    if attached == args:
        return None
    return pytest.main(attached, plugins=list(config.invocation_params.plugins or ()))


def attach_option_values(args: list[str], options: set[str]) -> list[str]:
    """`[..., "--opt", "value", ...]` -> `[..., "--opt=value", ...]` for each of `options`; "--" ends options."""
    result: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return result + args[index:]
        if arg in options and index + 1 < len(args):
            result.append(f"{arg}={args[index + 1]}")
            index += 2
        else:
            result.append(arg)
            index += 1
    return result


@dataclass
class Night:
    """What the smoke profile ran tonight: the date, its night of the rotation, the checks that rotated in, and when
    each rotating check last ran."""

    day: date
    night: int
    rotated: list[str]  # node ids of tonight's rotating cases
    last_ran: dict[str, str]  # check -> date (ISO) it last rotated in, on or before `day`
    unassigned: list[str]  # rotating checks the rotation file has no night for (write it again)

    def lines(self) -> list[str]:
        lines = [f"smoke night {self.day.isoformat()} (night {self.night + 1} of {NIGHTS}): the core, and "
                 f"{len(self.rotated)} rotating check{'s' * (len(self.rotated) != 1)}"]
        if self.unassigned:
            lines.append(f"{len(self.unassigned)} checks have no night in the rotation (python -m conformance.profiles "
                         f"--write): {', '.join(self.unassigned)}")
        return lines

    def as_json(self) -> dict:
        return {"day": self.day.isoformat(), "night": self.night + 1, "nights": NIGHTS, "rotated": self.rotated,
                "lastRan": self.last_ran, "unassigned": self.unassigned}


def night_of(config: pytest.Config) -> Night | None:
    """Tonight's share of the rotation, in a smoke run (None otherwise)."""
    return config.stash.get(NIGHT, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not is_suite_run(config):
        return
    for item in items:
        item.add_marker(area(item))
    settings = settings_of(config)
    if settings.profile == "smoke":
        rotation, day = Rotation.load(), settings.smoke_day or datetime.now(timezone.utc).date()
        by_check = rotating(items)
        tonight = set(rotation.tonight(day, {check: [item.nodeid for item in cases]
                                             for check, cases in by_check.items()}))
        kept = [item for item in items if not item.get_closest_marker("gate_only") and (
            item.get_closest_marker("smoke") or item.get_closest_marker("whole_run") or item.nodeid in tonight)]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
        config.stash[NIGHT] = Night(
            day, rotation.night_of(day), sorted(tonight),
            {check: last.isoformat() for check in sorted(by_check) if (last := rotation.last_ran(check, day))},
            sorted(check for check in by_check if rotation.night_of_check(check) is None))
    items.sort(key=lambda item: (item.get_closest_marker("whole_run") is not None,
                                 item.get_closest_marker("late") is not None))
