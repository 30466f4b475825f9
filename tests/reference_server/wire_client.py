"""A raw HTTP/1.1 exchange over a socket, for the tests that must see the wire itself (header name case, framing,
content coding), which http clients normalise away."""
from __future__ import annotations

import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class RawAnswer:
    status_line: str
    headers: list[tuple[str, str]]  # names exactly as written
    raw_body: bytes  # as framed on the wire (chunk sizes included when chunked)

    @property
    def status(self) -> int:
        return int(self.status_line.split(" ")[1])

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.headers]

    @property
    def chunks(self) -> list[bytes]:
        """The chunks of a chunked body, in order (the last, empty one left out)."""
        chunks, rest = [], self.raw_body
        while True:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                assert rest == b"\r\n", f"trailer or garbage after the last chunk: {rest[:40]!r}"
                return chunks
            chunks.append(rest[:size])
            assert rest[size:size + 2] == b"\r\n", "a chunk is not followed by CRLF"
            rest = rest[size + 2:]

    @property
    def body(self) -> bytes:
        """The body with the framing removed (not the content coding)."""
        if (self.header("Transfer-Encoding") or "").lower() == "chunked":
            return b"".join(self.chunks)
        return self.raw_body


def exchange(port: int, method: str, target: str, headers=(), version: str = "HTTP/1.1") -> RawAnswer:
    """Send one request with `Connection: close` and read the answer to the end of the connection."""
    lines = [f"{method} {target} {version}", f"Host: 127.0.0.1:{port}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers)]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    return RawAnswer(status_line, [tuple(line.split(": ", 1)) for line in header_lines], body)
