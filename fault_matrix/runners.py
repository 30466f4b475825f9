"""Run one contender (the suite, or Schemathesis alone) against one reference server, as a process of its own
(fault_matrix/interpreter.py)."""

from __future__ import annotations

import json
import os
from subprocess import CompletedProcess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from conformance.connection import reference_target
from conformance.outcomes import NOT_JUDGED
from conformance.settings import day_of_night
from reference_server import FAULTS, ReferenceServer

from .interpreter import run_module

ROOT = Path(__file__).resolve().parents[1]
SUITE_TIMEOUT = 600  # seconds: a run that hangs is reported, not waited on forever
CONTENDERS = ("suite", "smoke", "schemathesis-published", "schemathesis-effective")
SUITE_PROFILES = {"suite": "gate", "smoke": "smoke"}  # contenders that are the suite, in one of its profiles


@dataclass
class Outcome:
    contender: str
    fault: str | None
    exit_code: int
    seconds: float
    requests: int
    failed_tests: list[str] = field(default_factory=list)
    first_failure: dict | None = None
    output_tail: str = ""
    failure_kinds: frozenset[str] = frozenset()  # Schemathesis: the kinds of failure it reported
    baseline_kinds: frozenset[str] | None = None  # Schemathesis: the kinds it reports on the clean server too
    suspect_gaps: frozenset[str] = frozenset()  # the suite: gaps it named as possibly the API's failure

    @property
    def caught(self) -> bool:
        """The suite catches a fault when it reports a contract failure (exit 1), or, for a bug it cannot tell from
        a wrong setting (Fault.suspect_gap), when it names that gap as possibly the API's failure and is not green
        (exit 4). Schemathesis alone fails on the clean server already, so it catches a fault only with a kind of
        failure the clean server does not cause."""
        suspect = FAULTS[self.fault].suspect_gap if self.fault in FAULTS else ""
        if suspect and self.exit_code == NOT_JUDGED and self.baseline_kinds is None:
            return suspect in self.suspect_gaps
        if self.exit_code != 1:
            return False
        if self.baseline_kinds is None:
            return True
        return bool(self.failure_kinds - self.baseline_kinds)


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any BCTRL_ setting, plus `extra`. A smoke run's night is pinned (the first of
    the measured week, unless `extra` names another): what a run checks never depends on the date it runs."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BCTRL_")}
    env["BCTRL_SMOKE_DAY"] = day_of_night(0).isoformat()
    env.update(extra)
    return env


def target_env(server, reports: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment that points the suite at `server` exactly as a user points it at staging: a reference server (its
    seed), or a server on another stack that says its own settings (`env()`, stacks/)."""
    own = server.env() if hasattr(server, "env") else reference_target(server).env()
    return clean_env(**{**own, "BCTRL_REPORTS_DIR": str(reports), **(extra or {})})


def run_discovery(server, reports: Path, extra: dict[str, str] | None = None) -> CompletedProcess:
    """`python -m conformance.discover` at the repository root, pointed at `server`; it writes
    reports/discovered.overlay.yaml (and discovered.md)."""
    return run_module("conformance.discover", [], target_env(server, reports, extra), ROOT, timeout=120)


def run_pytest(args: list[str] | tuple[str, ...], env: dict[str, str],
               timeout: float = SUITE_TIMEOUT) -> CompletedProcess:
    """`python -m pytest ARGS` at the repository root, as the README says to run it; a run that hangs is reported
    (exit 124), not waited on forever."""
    return run_module("pytest", args, env, ROOT, timeout)


def run_suite(server, fault: str | None, reports: Path, *, extra_env: dict[str, str] | None = None,
              args: tuple[str, ...] = (), contender: str = "suite",
              selection: tuple[str, ...] = ("conformance",)) -> Outcome:
    """The conformance suite (or only what `selection` selects), via its documented entry point, against `server`."""
    started = time.monotonic()
    done = run_pytest([*selection, "-q", "-p", "no:cacheprovider", *args], target_env(server, reports, extra_env))
    seconds = time.monotonic() - started
    summary = read_run(reports)
    failed = [test["nodeid"] for test in summary.get("tests", []) if test["outcome"] in ("failed", "error")]
    suspects = frozenset(gap["name"] for gap in summary.get("gaps", []) if gap.get("suspect"))
    return Outcome(contender, fault, done.returncode, seconds, summary.get("requests", 0), failed,
                   summary.get("firstFailure"), _tail(done.stdout), suspect_gaps=suspects)


def run_schemathesis(server: ReferenceServer, fault: str | None, spec: Path, contender: str, seed: int) -> Outcome:
    """Schemathesis's own CLI, no hand-written checks: key and runtime given, everything else its defaults."""
    info = server.seed_info
    before = len(server.request_log)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder, "schemathesis.toml")
        config.write_text(f'[parameters]\n"path.runtimeId" = "{info.runtime_id}"\n', encoding="utf-8")
        args = ["--config-file", str(config), "run", str(spec), "--url", server.base_url,
                "-H", f"Authorization: Bearer {info.api_key}", "--seed", str(seed), "--no-color", "--continue-on-failure"]
        started = time.monotonic()
        # A temporary working directory: no schemathesis.toml is discovered.
        done = run_module("schemathesis.cli", args, dict(os.environ), folder, SUITE_TIMEOUT)
        seconds = time.monotonic() - started
    return Outcome(contender, fault, done.returncode, seconds, len(server.request_log) - before,
                   output_tail=_tail(done.stdout), failure_kinds=failure_kinds(done.stdout))


def failure_kinds(output: str) -> frozenset[str]:
    """The failure titles of Schemathesis's summary (`Failures:` then lines `  ❌ ST202 Title: 1`)."""
    kinds, in_failures = set(), False
    for line in (output or "").splitlines():
        if line.strip() == "Failures:":
            in_failures = True
        elif in_failures and line.strip().startswith("❌"):
            kinds.add(line.strip().lstrip("❌ ").rsplit(":", 1)[0])
        elif in_failures and line.strip():
            in_failures = False
    return frozenset(kinds)


def read_run(reports: Path) -> dict:
    """A finished run's run.json ({} when there is none)."""
    try:
        return json.loads((reports / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _tail(text: str | bytes | None, lines: int = 30) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])
