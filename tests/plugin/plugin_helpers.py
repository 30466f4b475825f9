"""What the plugin's tests share beyond fixtures (a module of its own: `conftest` is a name every test folder has)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def run_json(pytester: pytest.Pytester) -> dict:
    """The run.json the suite run in `pytester` wrote."""
    return json.loads(Path(pytester.path, "reports", "run.json").read_text(encoding="utf-8"))
