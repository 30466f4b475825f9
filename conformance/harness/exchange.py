"""One request and its response, as the suite saw it, with a curl command that reproduces it."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping
from urllib.parse import urlsplit

from ..representation import headers_of, media_type
from .redaction import KEY_PLACEHOLDER, _SECRETS, redact

BODY_SHOWN = 300  # characters of a body quoted in a failure message
_DOT_SEGMENT = re.compile(r"/\.\.?(/|$)")


@dataclass(repr=False)
class Exchange:
    method: str
    url: str
    sent_headers: dict[str, str]  # only the headers the suite chose (not requests' defaults)
    status: int
    headers: Mapping[str, str]  # read case-insensitively, whatever case the server wrote (representation.headers_of)
    text: str
    elapsed: float = 0.0
    retries: list[str] = field(default_factory=list)
    body: bytes | None = None  # the body as received (decoded from any Content-Encoding); None: `text` encoded

    def __post_init__(self) -> None:
        self.headers = headers_of(self.headers)

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

    def __repr__(self) -> str:  # short, and never the headers sent (they hold the key)
        return f"Exchange({self.method} {self.url} -> {self.status})"

    def curl(self) -> str:
        """A shell command that sends the same request, with ${BCTRL_API_KEY} in place of the key."""
        parts = ["curl", "-sS", "-i"]
        if _DOT_SEGMENT.search(urlsplit(self.url).path):
            parts.append("--path-as-is")  # curl would resolve the dot segments before sending
        if self.method != "GET":
            parts += ["-X", self.method]
        command = " ".join(parts)
        for name, value in self.sent_headers.items():
            command += f" -H {_shell_quote_with_key(f'{name}: {value}')}"
        return f"{command} {shlex.quote(self.url)}"

    def summary(self) -> str:
        """`STATUS content-type body…`, trimmed, redacted."""
        body = self.text if len(self.text) <= BODY_SHOWN else self.text[:BODY_SHOWN] + f"… ({len(self.text)} chars)"
        return redact(f"{self.status} {self.content_type or '(no content type)'} {body}".strip())


def _shell_quote_with_key(text: str) -> str:
    """Quote for a POSIX shell; where the key stands, leave ${BCTRL_API_KEY} for the shell to expand."""
    if not any(secret in text for secret in _SECRETS):
        return shlex.quote(text)
    escaped = re.sub(r'([\\"$`])', r"\\\1", text)
    for secret in _SECRETS:
        escaped = escaped.replace(re.sub(r'([\\"$`])', r"\\\1", secret), KEY_PLACEHOLDER)
    return f'"{escaped}"'
