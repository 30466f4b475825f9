"""The stacks' own set-up, done by the tests themselves: `python -m pytest tests` on a fresh machine with Node.js
needs no step of its own (the README's Quickstart, `.ci/run`)."""

from __future__ import annotations

import pytest

from stacks import fastify, nginx


@pytest.fixture(scope="session", autouse=True)
def fastify_stack_installed() -> None:
    """The Fastify stack's packages, from its lock file (`npm ci`, once per lock file, one worker at a time). A
    machine without Node.js fails here with one line saying so: these tests are never skipped into a green run."""
    try:
        fastify.install()
    except fastify.FastifyStackUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="session")
def nginx_installed() -> None:
    """nginx, installed with apt-get if it is not there (Debian's nginx-light; CI runs as root). A machine where it
    cannot be fails here with one line saying so, never a skip."""
    try:
        nginx.install()
    except nginx.NginxUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)
