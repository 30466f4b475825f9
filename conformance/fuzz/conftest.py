"""Fixtures of the fuzz area."""

from __future__ import annotations

from itertools import islice

import pytest

from conformance.harness.walk import pages

from .config import CURSOR_QUERY, fuzz_config, fuzz_schema

CURSORS_SAMPLED = 3


@pytest.fixture(scope="session")
def handed_out_cursors(api) -> list[str]:
    """A few real nextCursor values (from pages of one run: CURSOR_QUERY), so positive cases can send valid
    cursors."""
    walk = islice(pages(api, **CURSOR_QUERY), CURSORS_SAMPLED)
    return [page.next_cursor for page in walk if page.next_cursor is not None]


@pytest.fixture(scope="session")
def fuzz_target_schema(contract, target, settings, handed_out_cursors):
    config = fuzz_config(base_url=target.base_url, api_key=target.api_key, runtime_id=target.runtime_id,
                         seed=settings.seed, examples=settings.fuzz_examples, coverage=settings.fuzz_coverage)
    return fuzz_schema(contract, config, handed_out_cursors)


@pytest.fixture(scope="session", autouse=True)
def schemathesis_traffic_through_the_polite_session(http_session):
    """Send every Schemathesis request through the suite's session: retries, budget, rate cap and request log.

    Schemathesis drops the caller's session for the requests its auth checks re-send (so that session-level
    credentials cannot leak into them); ours carries none, so those go through it too. There is no public hook
    for the transport's session, hence this wrapper around the requests transport's `send`.
    """
    from schemathesis.transport.requests import REQUESTS_TRANSPORT

    original = REQUESTS_TRANSPORT.send

    def send(case, *, session=None, **kwargs):
        return original(case, session=session or http_session, **kwargs)

    REQUESTS_TRANSPORT.send = send
    yield
    del REQUESTS_TRANSPORT.send
