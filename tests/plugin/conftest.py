"""The plugin's own tests: each feature tested in-process with pytester (as pytest tests its own plugins), against
the embedded reference server, in seconds."""

from __future__ import annotations

import pytest

@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A folder whose pytest runs are runs of the suite (`bctrl_suite = true`), with no BCTRL_ setting but its own
    reports folder."""
    import os

    for name in [name for name in os.environ if name.startswith("BCTRL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BCTRL_REPORTS_DIR", str(pytester.path / "reports"))
    pytester.makeini("[pytest]\nbctrl_suite = true\naddopts = -p no:cacheprovider --assert=plain\n")
    return pytester
