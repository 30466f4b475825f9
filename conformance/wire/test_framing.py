"""The wire: what `requests` hides. Answers asked one after another on one kept-alive connection and read from their
bytes (conformance/transport/wire.py): each ends exactly where its Content-Length or its last chunk says (RFC 9112
§6), a HEAD answer has no body (RFC 9110 §9.3.2), and nothing follows an answer on its connection. The sample holds
what breaks framing in practice: the largest page, a HEAD of it, refusals (GET and HEAD), the last page of a walk."""

from __future__ import annotations

import pytest

from conformance.judge.expect import expect
from conformance.transport.client import page_params
from conformance.transport.endings import ConnectionEnded, NoAnswer

pytestmark = pytest.mark.ahead  # run ahead of their turn, a few at once (conformance/plugin/ahead.py)


def _sample(api, contract, unknown_runtime_id, shared_walk):
    """(what, how to ask it): in an order where a HEAD is followed by more, so bytes it leaves are read as such."""
    largest = page_params(limit=contract.limit_max)
    last_page = shared_walk.pages[-1].url if shared_walk.pages else api.runs_url()
    return [
        ("the largest page", lambda: api.list_runs(params=largest)),
        ("a HEAD of the largest page", lambda: api.send("HEAD", params=largest)),
        ("a refused limit", lambda: api.list_runs(params=[("limit", contract.limit_min - 1)])),
        ("a HEAD of an unknown runtime", lambda: api.send("HEAD", unknown_runtime_id)),
        ("no key", lambda: api.list_runs(authorization=None)),
        ("the last page of a walk", lambda: api.get_exactly(last_page)),
    ]


def _asked_on_one_connection(api, sample):
    """Each answer as it came, or the record of a connection that gave none h11 can read (its `framing` says so)."""
    answers = []
    with api.on_one_connection():
        for what, ask in sample:
            try:
                answers.append((what, ask()))
            except (ConnectionEnded, NoAnswer) as ending:
                if not ending.exchange.framing:
                    raise  # no bytes at all: the target gone, or no answer to this request (NoAnswer says which)
                answers.append((what, ending.exchange))
    return answers


@pytest.mark.rule("http.framing")
def test_answers_end_where_their_framing_says_on_one_kept_alive_connection(api, contract, unknown_runtime_id,
                                                                         shared_walk):
    """Every answer on a kept-alive connection ends exactly where its framing says, a HEAD answer without a body, and
    no byte follows an answer on its connection."""
    answers = _asked_on_one_connection(api, _sample(api, contract, unknown_runtime_id, shared_walk))
    for number, (what, answer) in enumerate(answers, start=1):
        cut = answer.ended and not contract.refused_at_transport(answer.status)
        problems = list(answer.framing) + ([f"cut short: {answer.ended}"] if cut else [])
        before = "; ".join(f"{earlier.method} for {label}" for label, earlier in answers[:number - 1])
        expect(not problems, f"The answer to {what} (request {number} on one kept-alive connection) ends where its "
                             "framing says",
               expected="exactly the bytes its Content-Length or chunks give, none for a HEAD, nothing after it",
               actual="; ".join(problems) + (f" (sent before it on the connection: {before})" if before else ""),
               exchange=answer)
