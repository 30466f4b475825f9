"""`python -m MODULE ARGS` as a fresh process forked from an interpreter that has already imported the libraries
every run imports (pytest and its plugins, Schemathesis, Hypothesis, jsonschema, requests, the suite's own modules).

Why not `subprocess`: a new interpreter spends about 1.3 s importing those before the suite sends its first request,
and the project's tests and the kill matrix run the suite some four hundred times (about nine minutes of CPU on two
cores). multiprocessing's forkserver keeps one single-threaded interpreter with them imported and forks it for each
run, so each run still starts as a process of its own, with its own environment, working directory and arguments,
and nothing of one run reaches the next. No module of ours reads the environment when it is imported (settings are
read when pytest configures the run), so importing them ahead of the run changes nothing it does. As everywhere
multiprocessing starts processes, a script that calls `run_module` guards its entry point with
`if __name__ == "__main__":` (each new process imports the caller's main module first).
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys
import tempfile
import threading
from importlib.metadata import entry_points
from multiprocessing.connection import wait
from pathlib import Path
from subprocess import CompletedProcess

TIMED_OUT = 124  # the exit status `timeout` gives a command it stopped
# Imported once, ahead of every run, beside the pytest plugins the installed packages declare.
PRELOAD = ("pytest", "hypothesis", "schemathesis", "schemathesis.pytest", "jsonschema", "requests", "yaml",
           "conformance.contract", "conformance.settings", "conformance.profiles", "conformance.plugin")


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    plugins = {entry.module for entry in entry_points(group="pytest11")} - set(PRELOAD)
    context.set_forkserver_preload([*PRELOAD, *sorted(plugins)])
    return context


_CONTEXT = None
# Process.start() polls every process started before it (multiprocessing.process._cleanup), and a poll reads the exit
# status from the forkserver's pipe: two threads polling one process at once lose it (one reads it, the other reads
# EOF and reports 255). Starting and polling one thread at a time keeps each status read once.
_POLLING = threading.Lock()


def run_module(module: str, args: list[str] | tuple[str, ...], env: dict[str, str], cwd: Path | str,
               timeout: float) -> CompletedProcess:
    """Run `python -m module args` in `cwd` with exactly `env`, and return what it printed and its exit status (124
    if it ran longer than `timeout` seconds and was stopped)."""
    global _CONTEXT
    with _POLLING:
        _CONTEXT = _CONTEXT or _context()
    command = [sys.executable, "-m", module, *args]
    with tempfile.TemporaryDirectory() as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        process = _CONTEXT.Process(target=_child, args=(module, list(args), env, str(cwd), str(out), str(err)))
        with _POLLING:
            process.start()
        finished = wait([process.sentinel], timeout)
        if not finished:
            process.kill()
            wait([process.sentinel])
        with _POLLING:
            code = process.exitcode if finished else TIMED_OUT  # negative: stopped by that signal, as subprocess says
        return CompletedProcess(command, code, _read(out), _read(err))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _child(module: str, args: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the forked process: become `python -m module args` run from `cwd`, printing into the files `out`, `err`."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [cwd]  # as `python -m` puts the working directory first
    for stream, path in ((1, out), (2, err)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(descriptor, stream)
        os.close(descriptor)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stdin = open(os.devnull, encoding="utf-8")
    sys.argv = [module, *args]
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = _exit_status(exit_.code)
    except BaseException:  # what an uncaught exception does to `python -m`: a traceback and status 1
        import traceback
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # now: no multiprocessing clean-up, no waiting on threads the run left behind


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
