"""The wire adapter: answers read byte by byte on one kept-alive connection, what their bytes break kept with them."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

import pytest

from conformance.contract import load_contract
from conformance.judge.response import response_problems
from conformance.outcomes import SettingsError
from conformance.transport.endings import ConnectionEnded
from conformance.transport.session import PoliteSession

CONTRACT = load_contract()
BODY = b'{"data": [], "nextCursor": null}'
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
WHOLE = HEAD + BODY


@contextmanager
def byte_server(*answers: bytes | dict[str, bytes]):
    """A local server that reads each request head and writes the next of `answers` as given, counting over all its
    connections (the last repeats; a dict gives one per method; b"" closes the connection without a byte): bytes no
    HTTP library would write. Yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    served = [0]

    def serve():
        while not stop.is_set():
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            with sock:
                buffered = b""
                while True:
                    while b"\r\n\r\n" not in buffered:
                        data = sock.recv(65536)
                        if not data:
                            break
                        buffered += data
                    if b"\r\n\r\n" not in buffered:
                        break
                    head, buffered = buffered.split(b"\r\n\r\n", 1)
                    answer = answers[min(served[0], len(answers) - 1)]
                    served[0] += 1
                    if answer == b"":
                        break
                    sock.sendall(answer[head.split(b" ")[0].decode()] if isinstance(answer, dict) else answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


def on_one_connection(base_url: str, *methods: str) -> list:
    session = PoliteSession(budget=20, rate=0, timeout=2, retries=2, retry_after_max=5)
    with session.on_one_connection():
        return [session.request(method, base_url + "/v2/runtimes/r/runs").exchange for method in methods]


def test_whole_answers_on_one_connection_break_nothing():
    """Answers framed as their Content-Length says, one after another on one connection, have no framing problem."""
    with byte_server({"GET": WHOLE, "HEAD": HEAD}) as base_url:
        answers = on_one_connection(base_url, "GET", "HEAD", "GET")
    assert [(answer.status, answer.framing, answer.ended) for answer in answers] == [(200, (), "")] * 3
    assert answers[0].json == {"data": [], "nextCursor": None} and answers[1].body == b""


def test_a_head_answer_with_a_body_is_named_with_its_bytes():
    """A HEAD answer followed by a body: the bytes past its end are named, never read as the next answer."""
    with byte_server(WHOLE) as base_url:
        head, after = on_one_connection(base_url, "HEAD", "GET")
    assert head.framing and "followed the answer on its connection" in head.framing[0]
    assert "a HEAD answer has no body" in head.framing[0] and "'{\"data\"" in head.framing[0]
    assert after.status == 200 and after.framing == ()  # asked again on a new connection, whole


def test_bytes_past_the_content_length_are_named():
    """A body longer than its Content-Length (a stray CRLF a handler writes after it) is a framing problem."""
    with byte_server(WHOLE + b"\r\n") as base_url:
        (answer,) = on_one_connection(base_url, "GET")
    assert answer.framing and "2 bytes followed the answer" in answer.framing[0] and "\\r\\n" in answer.framing[0]
    assert any("RFC 9112" in problem for problem in response_problems(answer, CONTRACT))


def test_a_malformed_header_line_is_no_answer_and_no_traceback():
    """A header line without a colon: the connection gives no answer h11 can read, said with the bytes that came."""
    with byte_server(b"HTTP/1.1 200 OK\r\nContent-Type application/json\r\nContent-Length: 2\r\n\r\n{}") as base_url:
        with pytest.raises(ConnectionEnded) as ended:
            on_one_connection(base_url, "GET")
    (problem,) = ended.value.exchange.framing
    assert "no HTTP/1.1 response" in problem and "Content-Type application/json" in problem


def test_a_bad_chunk_is_a_framing_problem():
    """A chunk whose size line is not hexadecimal breaks the framing; what came before is kept."""
    chunked = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\n{\"dat\r\nzz\r\n")
    with byte_server(chunked) as base_url:
        (answer,) = on_one_connection(base_url, "GET")
    assert answer.status == 200 and "break HTTP/1.1 framing after 5 bytes" in answer.framing[0]


def test_an_answer_cut_short_by_its_connection_is_an_ending_not_a_framing_problem():
    """A body shorter than its Content-Length, then the connection closes: how it ended, judged like urllib3's."""
    with byte_server(WHOLE[:-5]) as base_url:
        session = PoliteSession(budget=5, rate=0, timeout=0.5, retries=0, retry_after_max=5)
        with session.on_one_connection():
            # the server keeps the connection open: nothing more comes, so the read times out (a reset, said how)
            answer = session.get(base_url + "/v2/runtimes/r/runs").exchange
    assert answer.status == 200 and answer.framing == () and "ended the answer after" in answer.ended


def test_a_429_on_the_wire_is_retried_as_anywhere_kept_and_heeded():
    """On the wire a 429 to a GET is retried as anywhere else: its answer kept as a retried attempt (to be judged),
    its Retry-After holding every thread, the retry within the budget; the next answer is the call's."""
    throttled = (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Type: text/html\r\n"
                 b"Content-Length: 4\r\n\r\nslow")
    with byte_server(throttled, WHOLE) as base_url:
        session = PoliteSession(budget=5, rate=0, timeout=2, retries=2, retry_after_max=5)
        with session.on_one_connection():
            answer = session.get(base_url + "/v2/runtimes/r/runs").exchange
    assert answer.status == 200 and session.requests_sent == 2 and session.throttled
    (retried,) = answer.attempts
    assert (retried.status, retried.retried, retried.text) == (429, True, "slow")


def test_a_connection_closed_before_any_byte_is_asked_again_on_a_new_one_within_the_budget():
    """A connection that ends before a byte of its answer came (a server may close an idle kept-alive one) is no
    framing problem: the request goes again on a new connection, counted against the budget; every time, and it is
    no answer."""
    with byte_server(b"", WHOLE) as base_url:
        session = PoliteSession(budget=5, rate=0, timeout=2, retries=2, retry_after_max=5)
        with session.on_one_connection():
            answer = session.get(base_url + "/v2/runtimes/r/runs").exchange
    assert (answer.status, answer.framing, session.requests_sent) == (200, (), 2)
    with byte_server(b"") as base_url:
        session = PoliteSession(budget=5, rate=0, timeout=2, retries=2, retry_after_max=5)
        with session.on_one_connection(), pytest.raises(ConnectionEnded) as ended:
            session.get(base_url + "/v2/runtimes/r/runs")
    assert ended.value.exchange.framing == () and "on each of 3 tries" in ended.value.exchange.ended


def test_a_proxy_the_environment_sets_is_one_line_naming_it(monkeypatch):
    """The wire adapter speaks to the target directly: with a proxy set for it, one line names the setting."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = PoliteSession(budget=5, rate=0, timeout=1, retries=0, retry_after_max=5)
    with session.on_one_connection(), pytest.raises(SettingsError, match="^HTTP_PROXY: "):
        session.get("http://203.0.113.9/v2/runtimes/r/runs")
