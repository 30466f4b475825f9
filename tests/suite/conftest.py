"""Fixtures for the project's tests that run the whole suite, as a user would, against reference servers."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    return tmp_path / "reports"
