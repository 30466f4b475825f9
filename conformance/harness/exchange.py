"""One request and its response, as the suite saw it, with a curl command that reproduces it."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from .redaction import KEY_PLACEHOLDER, _SECRETS, redact

BODY_SHOWN = 600  # characters of a body quoted in a failure message


@dataclass
class Exchange:
    method: str
    url: str
    sent_headers: dict[str, str]  # only the headers the suite chose (not requests' defaults)
    status: int
    headers: dict[str, str]
    text: str
    elapsed: float = 0.0
    retries: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def json(self) -> Any:
        """The parsed body, or None when it is not JSON."""
        try:
            return json.loads(self.text)
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

    def curl(self) -> str:
        """A shell command that sends the same request, with ${BCTRL_API_KEY} in place of the key."""
        parts = ["curl", "-sS", "-i"]
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
    pieces = [text]
    for secret in _SECRETS:
        pieces = [chunk for piece in pieces for chunk in _split_keep(piece, secret)]
    if len(pieces) == 1:
        return shlex.quote(text)
    return "".join(f'"{KEY_PLACEHOLDER}"' if piece is None else shlex.quote(piece) for piece in pieces if piece != "")


def _split_keep(piece: str | None, secret: str) -> list[str | None]:
    if piece is None:
        return [None]
    chunks = piece.split(secret)
    result: list[str | None] = []
    for index, chunk in enumerate(chunks):
        if index:
            result.append(None)
        result.append(chunk)
    return result
