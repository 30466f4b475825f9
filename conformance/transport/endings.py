"""How a connection ends an answer, and what that means: the body read as it came (what a connection cut short kept),
the cause under requests' and urllib3's wrappers, and the two ways a request can get no answer at all."""

from __future__ import annotations

import requests

from ..outcomes import ContractViolation, TargetUnavailable
from .exchange import Exchange

BODY_CHUNK = 4096  # read in small pieces: urllib3 drops the piece a connection cuts short, so keep them small


class ConnectionEnded(TargetUnavailable):
    """The connection ended with no answer, retries spent. A tool error (the target may be gone), unless the caller
    sent a request the server may refuse for its size: `exchange` (status None, `ended` saying how) is then its
    answer (ApiClient.list_runs(refusable_for_size=True))."""

    def __init__(self, message: str, exchange: Exchange):
        super().__init__(message)
        self.exchange = exchange


class NoAnswer(ContractViolation):
    """The connection ended with no answer to one request on each of its tries, while the target answered others: the
    API's failure on that request (a crash, a reset), not the target gone. Its `exchange` says how it ended; for a
    request the server may refuse for its size, that ending may be the refusal (ApiClient.list_runs decides)."""

    def __init__(self, exchange: Exchange, tries: int):
        super().__init__("The request gets an answer", expected="an answer: a page, or a refusal the contract allows",
                         actual=f"{exchange.ended}, on each of its {tries} tries, while the target answered other "
                                "requests", exchange=exchange)


def read_body(response: requests.Response) -> str:
    """Read the answer's body now, as requests would, keeping what came even when the connection ends it early; how
    it ended, or "" when it did not. (requests' own `content` drops a partial body and raises: a traceback where the
    run wants evidence. Setting `_content` is how requests itself keeps a body once read.)"""
    chunks: list[bytes] = []
    ended = ""
    try:
        for chunk in response.iter_content(BODY_CHUNK):
            chunks.append(chunk)
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
            requests.exceptions.ContentDecodingError) as exc:
        ended = f"the connection ended the answer after {sum(map(len, chunks)):,} bytes of its body ({cause(exc)})"
        response.close()
    response._content, response._content_consumed = b"".join(chunks), True
    return ended


def cause(error: BaseException) -> str:
    """The innermost reason requests and urllib3 wrap: `ConnectionResetError: [Errno 104] …`, `IncompleteRead(…)`."""
    for _ in range(8):
        inner = next((arg for arg in reversed(error.args) if isinstance(arg, BaseException)), None) or error.__cause__
        if inner is None or inner is error:
            break
        error = inner
    text = str(error)
    return text if text.startswith(type(error).__name__) else f"{type(error).__name__}: {text}".rstrip(": ")


def head_size(request: requests.PreparedRequest) -> int:
    """The bytes of a request's head on the wire: its request line and header lines."""
    line = f"{request.method} {request.path_url} HTTP/1.1\r\n"
    return len(line.encode()) + sum(len(f"{name}: {value}\r\n".encode()) for name, value in request.headers.items()) + 2
