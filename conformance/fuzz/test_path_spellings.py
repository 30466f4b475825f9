"""A property over generated spellings of the runs path: the runtime id (the key's, another tenant's, an unknown
one) changed and escaped in combined ways, inside the path written in other forms, each answered as the contract
allows (see inputs/path_spellings.py). Schemathesis keeps the runtime id pinned (an unknown one would only be a 404 its
positive checks reject); this varies it.

Deterministic: Hypothesis generates BCTRL_FUZZ_EXAMPLES spellings from the suite's seed (BCTRL_SEED), with no
example database and no shrinking; they are then sent a few at once (one request each, and the redirects the overlay
allows) and judged in the order generated: a failure reports the first spelling that broke the contract.
"""

from __future__ import annotations

import functools

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import strategies as st

import pytest

from conformance.inputs.path_spellings import (
    OTHER, OWN, PATH_FORMS, UNKNOWN, Spelling, escaped, padded,
)
from conformance.judge.path_spellings import expect_spelling_answered, fetch
from conformance.representation import fullwidth, unknown_like

# Characters routers, proxies, databases and caches treat specially: controls, separators, reserved and
# delimiting characters, letters with case or normalisation traps, invisible ones, one beyond the BMP.
ODD_CHARACTERS = ("\x00", "\t", "\n", "\r", " ", "\x7f", "/", "\\", ".", "%", "?", "#", "&", "=", "+", ";", ":",
                  "@", ",", "'", '"', "<", ">", "[", "]", "{", "}", "|", "^", "`", "~",
                  "é", "e\u0301", "ß", "İ", "ı", "K", "ｆ", "\u200b", "\ufeff", "\u202e", "\U0001F600", "\uffff")
PADDED_LENGTHS = (250, 251, 256, 300, 1024, 2000, 8000)  # around common key and column limits, and long URLs
CASE_CHANGES = {"upper-case": str.upper, "lower-case": str.lower, "swapped-case": str.swapcase,
                "fullwidth": fullwidth}

characters = st.sampled_from(ODD_CHARACTERS) | st.characters(codec="utf-8")


def _inserted(character: str, index: int):
    return f"{character!r} inserted at {index}", lambda text: text[:index] + character + text[index:]


def _truncated(length: int):
    return f"cut to {length} characters", lambda text: text[:length]


id_changes = st.one_of(
    st.sampled_from(sorted(CASE_CHANGES.items())),
    st.builds(_inserted, characters, st.integers(0, 40)),
    st.builds(_truncated, st.integers(0, 40)),
)


@st.composite
def spellings(draw, runtime_ids: dict[str, str]) -> Spelling:
    """A runtime id of one family, changed, escaped, padded, and put in one of the path forms."""
    family = draw(st.sampled_from(sorted(runtime_ids)))
    text, steps = runtime_ids[family], []
    for label, change in draw(st.lists(id_changes, max_size=3)):
        text = change(text)
        steps.append(label)
    escaping = draw(st.sampled_from(["as needed", "every character", "some characters"]))
    mask = draw(st.lists(st.booleans(), min_size=1, max_size=8)) if escaping == "some characters" else [False]
    segment = escaped(text, every=escaping == "every character", chosen=lambda index: mask[index % len(mask)])
    steps.append(f"{escaping} escaped")
    raw_byte = draw(st.none() | st.integers(0, 255))
    if raw_byte is not None:  # possibly not UTF-8 at all
        segment += f"%{raw_byte:02X}"
        steps.append(f"%{raw_byte:02X} appended")
    length = draw(st.none() | st.sampled_from(PADDED_LENGTHS))
    if length is not None:
        segment = padded(segment, length)
        steps.append(f"padded to {length}")
    form = draw(st.sampled_from(sorted(PATH_FORMS)))
    return Spelling(family, ", ".join(steps + [f"path {form}"]), PATH_FORMS[form](segment))


@pytest.mark.rule("server.no-5xx", "runtime.spelling", "tenant.isolation", "runtime.unknown", "errors.hygiene")
def test_generated_spellings_of_the_runs_path_get_answers_the_contract_allows(api, contract, target, settings,
                                                                              shared_walk, overlap):
    """Generated spellings of the runs path (combined case changes, inserted odd, control or non-ASCII characters,
    escapes, raw bytes, long values, separators and dot segments) of the key's runtime, another tenant's and an
    unknown one never get a 5xx; a runtime the key cannot see is never served; a 200 lists only the named
    runtime's runs; anything else is a refusal the overlay allows."""
    known = {target.runtime_id, target.other_runtime_id, target.empty_runtime_id} - {None}
    runtime_ids = {OWN: target.runtime_id, UNKNOWN: unknown_like(target.other_runtime_id or target.runtime_id, known)}
    if target.other_runtime_id:
        runtime_ids[OTHER] = target.other_runtime_id

    @hypothesis.seed(settings.seed)
    # Quiet: the violation names the spelling and its curl (Hypothesis's own report of the example adds nothing).
    @hypothesis.settings(max_examples=settings.fuzz_examples, database=None, deadline=None, phases=[Phase.generate],
                         report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
                         verbosity=Verbosity.quiet)
    @given(spelling=spellings(runtime_ids))
    def generated(spelling: Spelling) -> None:
        generated_spellings.append(spelling)

    generated_spellings: list[Spelling] = []
    generated()
    answers = overlap.all([functools.partial(fetch, api, spelling) for spelling in generated_spellings])
    try:
        for spelling, answered in zip(generated_spellings, answers):
            expect_spelling_answered(answered, spelling, contract, shared_walk)
    except BaseException as failure:
        failure.add_note(f"Replay: BCTRL_SEED={settings.seed} python -m pytest conformance/fuzz/test_path_spellings.py")
        raise
