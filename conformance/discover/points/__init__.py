"""Discovery's settling functions, one module per area of the suite: each settles one overlay line from what the probes
saw (pure: observations and the contract in force in, a Finding out). The registry (conformance/contract/choices.py)
names each line's function as `<area>.<function>`."""

from __future__ import annotations

import importlib
from typing import Callable

from ...contract.choices import Choice


def settling_function(choice: Choice) -> Callable:
    """The function the registry names for a line: `<area>.<function>` in this package."""
    area, name = choice.settled_by.split(".")
    return getattr(importlib.import_module(f"{__name__}.{area}"), name)
