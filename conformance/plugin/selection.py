"""Which checks run: the contract area of each, the profile's choice (smoke: the checks marked for it, and the
whole-run checks), and the whole-run checks last, since they judge what every other check saw."""

from __future__ import annotations

import pytest

from ..settings import SETTINGS
from .markers import area, is_suite_run
from .target import settings_of


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not is_suite_run(config):
        return
    for item in items:
        item.add_marker(area(item))
    if settings_of(config).profile == "smoke":
        kept = [item for item in items if item.get_closest_marker("smoke") or item.get_closest_marker("whole_run")]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    items.sort(key=lambda item: (item.get_closest_marker("whole_run") is not None,
                                 item.get_closest_marker("late") is not None))
