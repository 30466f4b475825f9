"""What the stages of the handler pass each other: the request, the parsed query, the answer, the error that
becomes an answer, and the request context the overlap faults share between request threads."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus

from .cursor import Position
from .variants import Variants


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None,
                 headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or []


class Answered(Exception):
    """A stage that answers the request with a page of its own (a legacy router's HTML), not an API error."""

    def __init__(self, response: "Response"):
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class Request:
    """One request as the handler sees it: the method, the target split into path and raw query, the headers
    (http.server's message or asgi.Headers: `get`, `get_all`, `items`) and the request id given to it."""
    method: str
    path: str
    query: str
    headers: object
    request_id: str

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Query:
    limit: int
    statuses: tuple[str, ...]
    position: Position | None
    as_of: float | None = None  # the wall-clock time a lagging read replica answers as of (read_lag)
    scroll: str | None = None  # the server-side scroll this walk continues (scroll-expired-* faults)
    scroll_gone: bool = False  # the scroll expired and the walk is taken to be over (scroll-expired-ends-walk)


class SharedContext:
    """The "request context" the overlap faults keep on the app object: one for all request threads."""

    tenant: str | None = None
    runtime_id: str | None = None
    params: Query | None = None
    last_page: list | None = None


def new_request_id() -> str:
    return f"req_{secrets.token_hex(8)}"


def json_bytes(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def short(text: str, size: int = 64) -> str:
    return text if len(text) <= size else text[:size] + "..."


def media(variants: Variants, media_type: str) -> str:
    """A JSON media type as sent: with `; charset=utf-8` under the charset personality."""
    return f"{media_type}; charset=utf-8" if variants.charset else media_type


def status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def without_cursor(query: str) -> str:
    """A raw query string without its cursor parameters, the rest kept as written (what a cache keys a cursor page
    by, or what a cursor is bound to, under the faults that do so)."""
    return "&".join(part for part in query.split("&") if part.partition("=")[0] != "cursor")
