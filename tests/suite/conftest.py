"""Fixtures for the project's tests that run the whole suite, as a user would, against reference servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any BCTRL_ setting, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BCTRL_")}
    env.update(extra)
    return env


def run_pytest(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m pytest ARGS` at the repository root, as the README says to run it."""
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def read_run(reports: Path) -> dict:
    return json.loads((reports / "run.json").read_text(encoding="utf-8"))


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    return tmp_path / "reports"
