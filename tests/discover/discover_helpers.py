"""Helpers for discovery's tests: run `python -m conformance.discover` against a reference server, in this
process (fast, output captured by the caller) or as a subprocess (as a user runs it, safe in threads)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conformance.contract import load_contract
from conformance.discover.__main__ import MARKDOWN_NAME, OVERLAY_NAME, main
from fault_matrix.runners import run_discovery, target_env

NO_RATE_CAP = {"BCTRL_RATE_LIMIT": "1000"}  # discovery caps an external target at 5/s unless told otherwise


@dataclass
class Discovered:
    exit_code: int
    output: str
    reports: Path
    requests: list  # the server's request log entries discovery caused

    @property
    def overlay(self) -> Path:
        return self.reports / OVERLAY_NAME

    @property
    def markdown(self) -> str:
        return (self.reports / MARKDOWN_NAME).read_text(encoding="utf-8")

    def contract(self):
        return load_contract(self.overlay)


def discover_here(server, reports: Path, capsys, **extra: str) -> Discovered:
    """Discovery in this process, pointed at `server` through the BCTRL_* settings."""
    before = len(server.request_log)
    code = main([], target_env(server, reports, {**NO_RATE_CAP, **extra}))
    output = capsys.readouterr()
    return Discovered(code, output.out + output.err, reports, server.request_log[before:])


def discover_subprocess(server, reports: Path, **extra: str) -> Discovered:
    """`python -m conformance.discover` at the repository root, pointed at `server`."""
    before = len(server.request_log)
    done = run_discovery(server, reports, {**NO_RATE_CAP, **extra})
    return Discovered(done.returncode, done.stdout + done.stderr, reports, server.request_log[before:])


def printed_request_count(output: str) -> int:
    line = next(line for line in output.splitlines() if line.startswith("requests: "))
    return int(line.split()[1])
