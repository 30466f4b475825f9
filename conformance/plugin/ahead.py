"""The ahead feature: checks run ahead of their turn, a few at once, so that a far-away API's latency overlaps
instead of adding up.

A check marked `ahead` asks only for the run's session fixtures (api, contract, target, the shared walk...) and its
own parameters. When the first check is set up, every selected `ahead` check the readiness measure left judged is
handed to the transport's Overlap in collection order: BCTRL_CONCURRENCY of them at once at most, each sending its
requests one after another as it always does (a walk its pages in order), the polite session's cap, rate cap and
Retry-After holding for all of them. When its turn comes, pytest reports what it did: its failure, its gap or its
pass, exactly as if it had run then. With one request in flight at a time (the smoke profile) nothing runs ahead.

What a check judges never depends on when it ran: it sends the same requests, attributed to it (its sender), in its
own order; the checks that must run in turn are never ahead (the late ones, which redeem what the run handed out
early; the whole-run ones, which come last, once every check before them has reported, and so ended; those that
overlap requests themselves, and the fuzzers, which are not marked).
"""

from __future__ import annotations

import functools
import inspect
from concurrent.futures import Future

import pytest

from ..judge.walk import Walk, walk_runs
from ..outcomes import ContractViolation
from ..transport.exchange import sender
from .readiness import readiness_of
from .target import connection_of, settings_of

CHECKS = pytest.StashKey[dict[str, Future]]()  # nodeid -> the check run ahead
SHARED_WALK = pytest.StashKey[Future]()
SHARED_WALK_SENDER = "(the run's shared walk)"


def _as(name: str, task):
    """`task`, sending as `name` (the request log and the reports attribute its requests to it)."""
    def run():
        sender.set(name)
        return task()
    return run


def shared_walk_of(config: pytest.Config) -> Future:
    """The run's shared walk, started on first need (as soon as readiness is measured)."""
    if SHARED_WALK not in config.stash:
        made = connection_of(config)
        walk = _as(SHARED_WALK_SENDER, lambda: walk_runs(made.api, limit=made.contract.limit_max,
                                                         max_runs=settings_of(config).max_walk_runs))
        config.stash[SHARED_WALK] = made.overlap.submit(walk)
    return config.stash[SHARED_WALK]


def runs_ahead(item: pytest.Item) -> bool:
    """Marked `ahead`, and neither late nor whole-run (those must run in their turn)."""
    return item.get_closest_marker("ahead") is not None and not any(
        item.get_closest_marker(name) for name in ("late", "whole_run"))


def _signature(item: pytest.Item) -> list[str]:
    """The names the check's function takes (the checks are plain functions, never methods)."""
    return list(inspect.signature(item.function).parameters)


def _not_a_session_value(item: pytest.Item, name: str) -> str | None:
    """Why the check cannot run ahead with `name` (None: it can): a parameter, or a fixture made once per run."""
    if name in getattr(getattr(item, "callspec", None), "params", {}):
        return None
    definitions = item._fixtureinfo.name2fixturedefs.get(name)  # (pytest has no public reader of a fixture's scope)
    scope = definitions[-1].scope if definitions else "unknown"
    return None if scope == "session" else f"`{name}` is a {scope}-scoped fixture"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A check marked `ahead` asks only for session fixtures and its parameters: anything else is a usage error."""
    for item in items:
        if runs_ahead(item):
            for name in _signature(item):
                why = _not_a_session_value(item, name)
                if why is not None:
                    raise pytest.UsageError(f"{item.nodeid} is marked ahead but {why}: a check run ahead asks only "
                                            "for the run's session fixtures and its own parameters")


@pytest.hookimpl
def pytest_bctrl_ready(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The run's shared walk is the first thing sent once readiness is measured, where a selected check needs it."""
    if any("shared_walk" in item.fixturenames for item in items):
        shared_walk_of(config)


def _check(request: pytest.FixtureRequest, item: pytest.Item):
    """The check's function with its arguments: its parameters, and the session fixtures it names."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    arguments = {name: params[name] if name in params else request.getfixturevalue(name) for name in _signature(item)}
    return functools.partial(item.function, **arguments)


@pytest.fixture(scope="session", autouse=True)
def checks_run_ahead(request) -> None:
    """Hand every selected `ahead` check the readiness measure left judged to the Overlap, in collection order."""
    config, futures = request.config, {}
    config.stash[CHECKS] = futures
    made, readiness = connection_of(config), readiness_of(config)
    if made.overlap.in_flight < 2:  # one request in flight: each check sends its own when its turn comes
        return
    unjudged = readiness.predicted if readiness is not None else {}
    for item in request.session.items:
        if runs_ahead(item) and item.nodeid not in unjudged:
            try:
                check = _check(request, item)
            except pytest.FixtureLookupError as error:
                raise pytest.UsageError(f"{item.nodeid} is marked ahead but asks for a fixture not every check "
                                        f"sees ({error.argname}): define it in the plugin or conformance/conftest.py")
            except (Exception, pytest.skip.Exception):  # a session fixture that failed: it fails the check in turn
                continue
            futures[item.nodeid] = made.overlap.submit(_as(item.nodeid, check))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """A check that ran ahead: its outcome now, in its turn (its failure or gap raised here, as if it ran now)."""
    future = pyfuncitem.config.stash.get(CHECKS, {}).get(pyfuncitem.nodeid)
    if future is None:
        return None
    future.result()
    return True


@pytest.fixture(scope="session")
def shared_walk(request) -> Walk:
    """The key's runtime walked once, at the largest page size up to the walk bound: the run's own view of which
    runs exist, shared by the checks that only need one from before they start (a run it lists stays a run of
    this runtime for ever; a run that started since is newer than its head). Checks that compare two walks of
    changing data make their own."""
    try:
        return shared_walk_of(request.config).result()
    except ContractViolation as violation:
        # Found on the thread that walked: the message says what was sent and what came back, and the frames of
        # that thread are the transport's own. Each check that needs the walk reports it from here, without them
        # (pytest would otherwise print, and parse the source of, the same nine frames for every one of them).
        raise violation.with_traceback(None) from None  # met by the shared walk of BCTRL_RUNTIME_ID
