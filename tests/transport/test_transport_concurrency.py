"""transport/concurrency.py: tasks in flight at once, results in the order given, nothing nested waits for ever."""

from __future__ import annotations

import threading
import time

import pytest

from conformance.transport.concurrency import Overlap
from conformance.transport.answers import AnswerLog
from conformance.transport.exchange import Exchange, sender


def test_results_come_in_the_order_given_whatever_ends_first():
    """Overlap.all returns each task's result in the order the tasks were given."""
    overlap = Overlap(4)
    tasks = [lambda delay=delay: time.sleep(delay) or delay for delay in (0.08, 0.01, 0.05, 0.0)]
    assert overlap.all(tasks) == [0.08, 0.01, 0.05, 0.0]


def test_the_first_failure_in_order_is_raised_once_all_ended():
    """The first exception, in the order given, is raised, and only after every task ended."""
    ended = []
    overlap = Overlap(3)

    def slow():
        time.sleep(0.05)
        ended.append("slow")

    def fails(message):
        raise ValueError(message)

    with pytest.raises(ValueError, match="first"):
        overlap.all([slow, lambda: fails("first"), lambda: fails("second")])
    assert ended == ["slow"]


def test_one_in_flight_runs_each_task_when_asked_on_the_callers_thread():
    """With one in flight nothing runs until its result is asked for, and then on the caller's own thread."""
    ran_on = []
    future = Overlap(1).submit(lambda: ran_on.append(threading.current_thread().name))
    assert ran_on == []
    future.result()
    assert ran_on == [threading.current_thread().name]


def test_a_task_that_submits_tasks_runs_them_itself():
    """A task submitting tasks of its own (its pool could be full) runs them in order on its own thread."""
    overlap = Overlap(2)
    blockers = [overlap.submit(lambda: time.sleep(0.05)) for _ in range(2)]
    nested = overlap.submit(lambda: overlap.all([lambda: threading.current_thread().name] * 3))
    names = nested.result(timeout=5)
    assert len(set(names)) == 1 and names[0].startswith("bctrl")
    for blocker in blockers:
        blocker.result()


def test_each_task_sends_as_whoever_submitted_it():
    """A task keeps the submitter's sender (the check its requests are attributed to)."""
    overlap = Overlap(3)
    token = sender.set("the check")
    try:
        assert overlap.all([sender.get] * 3) == ["the check"] * 3
    finally:
        sender.reset(token)


def test_answers_refused_while_others_were_in_flight_are_counted_by_status():
    """The answer log reports the 429s and 503s (retried ones too) that came while other requests were in flight:
    what a front end refusing requests within BCTRL_CONCURRENCY looks like."""
    log = AnswerLog()
    alone = Exchange("GET", "http://h/runs", {}, 503, in_flight=1)
    together = [Exchange("GET", "http://h/runs", {}, status, in_flight=3) for status in (429, 503, 503, 200)]
    for exchange in (alone, *together):
        log.record(exchange)
    assert log.refused_in_flight() == {429: 1, 503: 2}
    assert log.describe().endswith("3 refused while others were in flight (1 × 429, 2 × 503)")
