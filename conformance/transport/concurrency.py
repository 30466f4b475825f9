"""Requests in flight at once: independent tasks (each sending its own requests, a walk its pages in order) run on
a few threads through the one polite session, which keeps the budget exact, the rate cap and `Retry-After` for
all of them, and each thread's retries its own.

Results never depend on timing: each task's result is returned in the order the tasks were given, each task's
requests are attributed to whoever started it (its sender), and with one in flight at a time (BCTRL_CONCURRENCY=1,
the smoke profile) the tasks run one after another, in order, on the caller's own thread. A task that submits
tasks of its own runs them on its own thread, in order (waiting on a full pool from inside it could wait for ever).
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


class Overlap:
    """At most `in_flight` tasks at once; submit() starts one now (or, with one in flight, when it is asked for)."""

    def __init__(self, in_flight: int):
        self.in_flight = in_flight
        self._pool = ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="bctrl",
                                        initializer=self._inside.__setattr__, initargs=("worker", True)) \
            if in_flight > 1 else None

    _inside = threading.local()  # `worker` is set on the pool's own threads

    def submit(self, task: Callable[[], T]) -> Future:
        """Start `task` with the caller's context (its sender); its result (or its exception) in the Future."""
        context = contextvars.copy_context()
        if self._pool is None or getattr(self._inside, "worker", False):
            return _Deferred(lambda: context.run(task))
        return self._pool.submit(context.run, task)

    def all(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        """Every task's result, in the order given; the first exception (in that order) is raised once all ended."""
        futures = [self.submit(task) for task in tasks]
        errors = [future.exception() for future in futures]
        first = next((error for error in errors if error is not None), None)
        if first is not None:
            raise first
        return [future.result() for future in futures]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


class _Deferred(Future):
    """A Future that runs its task on the thread that first asks for its result: one in flight, in order."""

    def __init__(self, task: Callable[[], object]):
        super().__init__()
        self._task = task

    def _run(self) -> None:
        if self.done():
            return
        try:
            self.set_result(self._task())
        except BaseException as error:  # handed to whoever asks, as a pool's Future would
            self.set_exception(error)

    def result(self, timeout=None):
        self._run()
        return super().result(timeout)

    def exception(self, timeout=None):
        self._run()
        return super().exception(timeout)
