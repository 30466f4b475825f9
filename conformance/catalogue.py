"""The suite's checks as pytest collects them, for the tools that describe the suite rather than run it (the
README's data needs, the contract-coverage table): each check's id, the rules it enforces, the data it needs, and
whether the smoke profile runs it. One reader of the markers, pytest's own collection, so a mark given on a
`pytest.param` counts as much as one on the function."""

from __future__ import annotations

import ast
import contextlib
import io
import tempfile
from dataclasses import dataclass
from datetime import date

import pytest

from .contract import ROOT
from .readiness.needs import Need, needs_of

SUITE = ROOT / "conformance"
AREA_DOCSTRING = "Contract area: "


def _areas() -> dict[str, str]:
    """The contract areas: each folder of conformance/ whose package docstring starts "Contract area: ", with what
    the rest of that line says it checks. A new area is a folder with such a docstring, listed nowhere else."""
    found = {}
    for init in sorted(SUITE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if docstring.startswith(AREA_DOCSTRING):
            found[init.parent.name] = docstring.removeprefix(AREA_DOCSTRING).splitlines()[0].rstrip(".")
    return found


AREAS = _areas()  # {"auth": "authentication and tenant isolation", ...}


@dataclass(frozen=True)
class Check:
    nodeid: str  # conformance/limit/test_limit.py::test_invalid_limit_is_rejected[zero]
    rules: tuple[str, ...]
    needs: tuple[Need, ...]
    smoke: bool  # in the smoke profile's core
    gate_only: bool  # never sent to production
    whole_run: bool

    @property
    def function(self) -> str:
        """The check without its case, relative to conformance/: `limit/test_limit.py::test_invalid_limit_...`."""
        return self.nodeid.split("[")[0].removeprefix("conformance/")


class _Collector:
    """A pytest plugin that keeps what each collected check declares (after the profile chose them)."""

    def __init__(self):
        self.checks: list[Check] = []

    @pytest.hookimpl(trylast=True)  # after the suite's plugin selected the profile's checks
    def pytest_collection_modifyitems(self, items):
        self.checks = [Check(item.nodeid, tuple(rule for mark in item.iter_markers("rule") for rule in mark.args),
                             tuple(needs_of(item)), *(item.get_closest_marker(name) is not None
                                                      for name in ("smoke", "gate_only", "whole_run")))
                       for item in items]


def collect(profile: str = "gate", day: date | None = None) -> list[Check]:
    """Every check the profile runs, collected (not run) under the default settings; the smoke profile's on `day`'s
    night of its rotation (None: the night `BCTRL_SMOKE_DAY` or today names, as a run would)."""
    collector = _Collector()
    night = [f"--bctrl-smoke-day={day.isoformat()}"] if day is not None else []
    with tempfile.TemporaryDirectory() as reports, contextlib.redirect_stdout(io.StringIO()):
        pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", f"--bctrl-profile={profile}", *night,
                     f"--bctrl-reports-dir={reports}", str(SUITE)], plugins=[collector])
    return collector.checks
