"""One HTTP exchange, the one record of it everywhere: what was sent, what came back (or that nothing did), who sent
it and when, and a curl command that reproduces it with ${BCTRL_API_KEY} in place of the key.

The polite transport makes one for every request it sends, and one for every answer its retries consumed (marked
`retried`: no check saw it, the whole-run checks do). The client hands them to the checks, the ledger keeps them
as the evidence of each sighting of a run, the answer log and the request log keep every one.
"""

from __future__ import annotations

import json
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, Mapping
from urllib.parse import urlsplit

import requests

from ..redaction import redact, shell_quoted
from ..representation import headers_of, media_type

BODY_SHOWN = 300  # characters of a body quoted in a failure message
BEFORE_THE_TESTS = "(before the tests)"
_DOT_SEGMENT = re.compile(r"/\.\.?(/|$)")
# The headers requests adds to every request by itself: not the suite's choice, left out of a reproduction.
_DEFAULT_HEADERS = {name.lower() for name in requests.utils.default_headers()} | {"content-length"}

# Who is sending: the plugin sets the running test's id (or "readiness"); every exchange made meanwhile carries it.
sender: ContextVar[str] = ContextVar("bctrl_sender", default="")


@dataclass(repr=False)
class Exchange:
    method: str
    url: str
    sent_headers: Mapping[str, str]  # the headers the suite chose (requests' defaults left out)
    status: int | None  # None: no answer (a dropped connection, a timeout)
    headers: Mapping[str, str] = field(default_factory=dict)  # read case-insensitively (headers_of)
    text: str = ""  # the body as text, for messages
    body: bytes | None = None  # the body as received (decoded from any Content-Encoding); None: `text` encoded
    sent: float = 0.0  # time.monotonic() when the request left
    received: float = 0.0  # time.monotonic() when its answer was in
    wall: float = 0.0  # time.time() when its answer was in
    test: str = ""  # the sender: the test that sent it ("" before the tests)
    retried: bool = False  # consumed by the polite client's retries: no check saw it
    error: str = ""  # what went wrong when there is no answer
    ended: str = ""  # how the connection ended the answer early (its body cut short, reset); "" when it did not
    framing: tuple[str, ...] = ()  # what the answer's bytes broke of HTTP/1.1 framing (read on the wire: wire.py)
    in_flight: int = 1  # the run's requests in flight when it was sent, itself included (BCTRL_CONCURRENCY at most)
    attempts: list["Exchange"] = field(default_factory=list)  # the answers retried before this one, in order
    # The header lines the suite chose, in order, a name sent twice kept twice (sent_headers keeps one value a name):
    # what a reproduction sends. Not given: sent_headers' lines.
    sent_lines: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        self.headers = headers_of(self.headers)
        self.sent_lines = self.sent_lines or tuple(self.sent_headers.items())
        self.sent_headers = headers_of(self.sent_headers)

    # -- the answer ---------------------------------------------------------------------------------------------
    @property
    def content_type(self) -> str:
        """The media type (type/subtype, lower-cased, parameters dropped); '' when there is no Content-Type."""
        return media_type(self.headers.get("Content-Type"))

    @cached_property
    def json(self) -> Any:
        """The parsed body, or None when it is not JSON (read from the bytes: JSON is UTF-8, RFC 8259 §8.1)."""
        try:
            return json.loads(self.body if self.body is not None else self.text)
        except ValueError:
            return None

    @property
    def runs(self) -> list[dict]:
        body = self.json
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, list) else []

    @property
    def next_cursor(self) -> Any:
        body = self.json
        return body.get("nextCursor") if isinstance(body, dict) else None

    @property
    def error_code(self) -> str | None:
        """The code of either bctrl error envelope (flat: {"code"}, nested: {"error": {"code"}}), else None."""
        body = self.json if isinstance(self.json, dict) else {}
        error = body.get("error")
        return error.get("code") if isinstance(error, dict) else body.get("code")

    # -- the request --------------------------------------------------------------------------------------------
    @property
    def authorization(self) -> str | None:
        return self.sent_headers.get("Authorization")

    @property
    def authenticated(self) -> bool:
        """The request carried credentials (RFC 9111 §3.5 speaks of any Authorization header, valid or not)."""
        return self.authorization is not None

    @property
    def elapsed(self) -> float:
        return self.received - self.sent

    @property
    def retries(self) -> list[str]:
        """What made each earlier attempt a retry: its status, or the kind of connection error."""
        return [attempt.reason for attempt in self.attempts]

    @property
    def reason(self) -> str:
        return str(self.status) if self.status else (self.error or "error")

    def precedes(self, other: "Exchange", by: float = 0.0) -> bool:
        """True if this request was answered before the other was sent, `by` seconds or more: only then is their
        order certain (for reads that may lag `by` seconds behind the data)."""
        return self.received + by <= other.sent

    # -- words --------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:  # short, and never the headers sent (they hold the key)
        return f"Exchange({self.method} {self.url} -> {self.status})"

    def curl(self) -> str:
        """A shell command that sends the same request, with ${BCTRL_API_KEY} in place of the key."""
        parts = ["curl", "-sS", "-i"]
        if _DOT_SEGMENT.search(urlsplit(self.url).path):
            parts.append("--path-as-is")  # curl would resolve the dot segments before sending
        if self.method == "HEAD":
            parts.append("-I")  # (-X HEAD would wait for a body the answer does not have)
        elif self.method != "GET":
            parts += ["-X", self.method]
        command = " ".join(parts)
        for name, value in self.sent_lines:
            command += f" -H {shell_quoted(f'{name}: {value}')}"
        return f"{command} {shell_quoted(self.url)}"

    def summary(self) -> str:
        """`STATUS content-type body…`, trimmed, redacted."""
        if self.status is None:
            return f"no answer ({self.ended or self.error or 'error'})"
        body = self.text if len(self.text) <= BODY_SHOWN else self.text[:BODY_SHOWN] + f"… ({len(self.text)} chars)"
        ended = f" (then {self.ended})" if self.ended else ""
        return redact(f"{self.status} {self.content_type or '(no content type)'} {body}".strip() + ended)

    def when(self) -> str:
        return datetime.fromtimestamp(self.wall, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def where(self) -> str:
        """`test at time`, one line."""
        return f"{self.test or BEFORE_THE_TESTS} at {self.when()}"


def exchange_of(response: requests.Response, sent: float, attempts: list[Exchange] | None = None,
                ended: str = "") -> Exchange:
    """The record of one answered request (`ended`: how the connection ended it early, if it did)."""
    request = response.request
    return Exchange(request.method or "GET", request.url or "", chosen_headers(request.headers),
                    response.status_code, response.headers, _text(response), response.content, sent=sent,
                    received=time.monotonic(), wall=time.time(), test=sender.get(), attempts=list(attempts or []),
                    ended=ended, framing=getattr(response, "framing", ()), sent_lines=chosen_lines(request.headers))


def _text(response: requests.Response) -> str:
    """The body as text for messages: the charset the server named, else UTF-8 (never requests' guess)."""
    try:
        return response.content.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return response.content.decode("utf-8", errors="replace")


def chosen_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of a prepared request the suite (or Schemathesis) chose: requests' own defaults left out."""
    return dict(chosen_lines(headers))


def chosen_lines(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The same as header lines, in order, a name the request repeats (an HTTPHeaderDict's) given each time."""
    defaults = requests.utils.default_headers()
    return tuple((name, value) for name, value in headers.items()
                 if not (name.lower() in _DEFAULT_HEADERS and defaults.get(name) in (value, None)))
