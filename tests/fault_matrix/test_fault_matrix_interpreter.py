"""fault_matrix/interpreter.py: `python -m MODULE ARGS` forked from a warm interpreter behaves as a new one would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fault_matrix.interpreter import TIMED_OUT, run_module

SHOWS_ITSELF = """
import os, sys
import conformance.settings as settings
print(os.getcwd(), os.environ.get("PROBE"), "HOME" in os.environ, sys.argv[1:], hasattr(settings, "LEFT_BEHIND"))
settings.LEFT_BEHIND = True
print("to stderr", file=sys.stderr)
raise SystemExit(int(os.environ["PROBE_EXIT"]))
"""


def test_a_run_has_its_own_directory_environment_arguments_and_exit_status(tmp_path):
    """The module runs in the directory given, with exactly the environment given, its arguments, and its exit
    status; what it prints to stdout and stderr comes back apart."""
    (tmp_path / "shows_itself.py").write_text(SHOWS_ITSELF, encoding="utf-8")
    done = run_module("shows_itself", ["-q", "x y"], {"PROBE": "on", "PROBE_EXIT": "3"}, tmp_path, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (3, f"{tmp_path} on False ['-q', 'x y'] False\n",
                                                           "to stderr\n")


def test_nothing_one_run_leaves_in_a_module_reaches_the_next(tmp_path):
    """A module the warm interpreter imported ahead is fresh in every run: what one run sets on it, the next does
    not see."""
    (tmp_path / "shows_itself.py").write_text(SHOWS_ITSELF, encoding="utf-8")
    runs = [run_module("shows_itself", [], {"PROBE_EXIT": "0"}, tmp_path, timeout=60) for _ in range(2)]
    assert [run.stdout.split()[-1] for run in runs] == ["False", "False"]


def test_an_uncaught_exception_is_a_traceback_and_status_1(tmp_path):
    """As with `python -m`, an exception nothing catches prints its traceback and ends the run with status 1."""
    (tmp_path / "breaks.py").write_text("raise LookupError('no such thing')\n", encoding="utf-8")
    done = run_module("breaks", [], {}, tmp_path, timeout=60)
    assert done.returncode == 1 and "LookupError: no such thing" in done.stderr


def test_a_run_longer_than_its_timeout_is_stopped_with_status_124(tmp_path):
    """A run that hangs is stopped after its timeout and reported with 124 (as `timeout` reports it), never waited
    on forever."""
    (tmp_path / "hangs.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n", encoding="utf-8")
    done = run_module("hangs", [], {}, tmp_path, timeout=2)
    assert (done.returncode, done.stdout) == (TIMED_OUT, "started\n")


def test_runs_started_from_several_threads_each_get_their_own_exit_status(tmp_path):
    """Runs started and finished from several threads at once each report the exit status their own process
    ended with (the fault matrix runs four at a time)."""
    (tmp_path / "shows_itself.py").write_text(SHOWS_ITSELF, encoding="utf-8")
    statuses = list(range(16))
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(lambda status: run_module("shows_itself", [], {"PROBE_EXIT": str(status)}, tmp_path,
                                                       timeout=60), statuses))
    assert [run.returncode for run in done] == statuses
