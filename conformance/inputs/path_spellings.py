"""Spellings of the runs path (what the contract lets the API answer to each is judged in judge/path_spellings.py).

A spelling is a runtime id written another way (percent-escaped, case changed, odd, non-ASCII or control
characters added, made long) inside the runs path written another way (a trailing or doubled slash, dot segments,
a `;param`, other case): what a router, a proxy or a client may produce or normalise. It is made from one of the
runtime ids the suite knows, its family: the key's own runtime, another tenant's, or one that exists nowhere.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Callable

from ..contract import RUNS_PATH
from ..representation import fullwidth

OWN, OTHER, UNKNOWN = "own", "other", "unknown"  # families: whose runtime id a spelling is made from
FAMILY_NAMES = {OWN: "the key's runtime", OTHER: "another tenant's runtime", UNKNOWN: "a runtime that exists nowhere"}
SHOWN = 120  # characters of a path shown in a label

# Characters a path segment may hold as they are (RFC 3986 unreserved, sub-delims, ':' and '@'); any other is
# always percent-escaped, as a client must.
_SEGMENT_LITERAL = frozenset(string.ascii_letters + string.digits + "-._~" + "!$&'()*+,;=" + ":@")


@dataclass(frozen=True)
class Spelling:
    family: str  # OWN, OTHER or UNKNOWN
    label: str  # how it was made, for messages
    path: str  # the request path exactly as sent

    def __repr__(self) -> str:  # short: Hypothesis prints it with a failure, and a path may be 8000 characters
        shown = self.path if len(self.path) <= SHOWN else f"{self.path[:SHOWN]}… ({len(self.path)} chars)"
        return f"Spelling({FAMILY_NAMES[self.family]}, {self.label}: {shown})"


# -- making spellings -------------------------------------------------------------------------------------------
def escaped(text: str, every: bool = False, chosen: Callable[[int], bool] = lambda index: False) -> str:
    """`text` as a path segment: characters that cannot stand as they are percent-escaped (UTF-8, upper-case hex),
    and also every character (`every`) or those at the `chosen` indexes."""
    return "".join(
        "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        if every or chosen(index) or char not in _SEGMENT_LITERAL else char
        for index, char in enumerate(text)
    )


def padded(segment: str, length: int, fill: str = "0") -> str:
    return segment + fill * max(0, length - len(segment))


def runs_path(segment: str) -> str:
    return RUNS_PATH.replace("{runtimeId}", segment)


_PREFIX, _SUFFIX = RUNS_PATH.split("{runtimeId}")  # "/v2/runtimes/", "/runs"

# How the path around the (already escaped) runtime segment is written.
PATH_FORMS: dict[str, Callable[[str], str]] = {
    "canonical": runs_path,
    "trailing-slash": lambda segment: runs_path(segment) + "/",
    "escaped-trailing-slash": lambda segment: runs_path(segment) + "%2F",
    "doubled-slash-before-id": lambda segment: _PREFIX + "/" + segment + _SUFFIX,
    "doubled-slash-after-id": lambda segment: _PREFIX + segment + "/" + _SUFFIX,
    "leading-doubled-slash": lambda segment: "/" + runs_path(segment),
    "upper-case-path": lambda segment: _PREFIX.upper() + segment + _SUFFIX.upper(),
    "upper-case-collection": lambda segment: _PREFIX + segment + _SUFFIX.upper(),
    "matrix-parameter-on-id": lambda segment: runs_path(segment + ";v=1"),
    "matrix-parameter-on-collection": lambda segment: runs_path(segment) + ";v=1",
    "dot-segment": lambda segment: _PREFIX + segment + "/." + _SUFFIX,
    "escaped-dot-segment": lambda segment: _PREFIX + segment + "/%2E" + _SUFFIX,
    "dot-dot-segment-before-id": lambda segment: _PREFIX + "conformance/../" + segment + _SUFFIX,
    "escaped-dot-dot-segment-before-id": lambda segment: _PREFIX + "conformance/%2E%2E/" + segment + _SUFFIX,
    "empty-query": lambda segment: runs_path(segment) + "?",
}

# The most telling spellings, each (runtime id -> escaped segment, path form): each a kind of input a router or
# proxy treats differently from the canonical path.
TELLING_SPELLINGS: dict[str, tuple[Callable[[str], str], str]] = {
    "every-character-escaped": (lambda rid: escaped(rid, every=True), "canonical"),
    "first-character-escaped": (lambda rid: escaped(rid, chosen=lambda index: index == 0), "canonical"),
    "upper-case-id": (lambda rid: escaped(rid.upper()), "canonical"),
    "fullwidth-id": (lambda rid: escaped(fullwidth(rid)), "canonical"),
    "trailing-slash": (escaped, "trailing-slash"),
    "doubled-slash": (escaped, "doubled-slash-before-id"),
    "leading-doubled-slash": (escaped, "leading-doubled-slash"),
    "upper-case-path": (escaped, "upper-case-path"),
    "matrix-parameter": (escaped, "matrix-parameter-on-id"),
    "escaped-slash-after-id": (lambda rid: escaped(rid + "/"), "canonical"),
    "escaped-dot-segment": (escaped, "escaped-dot-segment"),
    "escaped-dot-dot-segment": (escaped, "escaped-dot-dot-segment-before-id"),
    "nul-after-id": (lambda rid: escaped(rid + "\x00"), "canonical"),
    "newline-after-id": (lambda rid: escaped(rid + "\n"), "canonical"),
    "space-before-id": (lambda rid: escaped(" " + rid), "canonical"),
    "invalid-utf8-after-id": (lambda rid: escaped(rid) + "%C0%AF", "canonical"),  # an overlong '/'
    "decomposed-accent-after-id": (lambda rid: escaped(rid + "e\u0301"), "canonical"),
    "emoji-after-id": (lambda rid: escaped(rid + "\U0001F600"), "canonical"),
    "300-characters": (lambda rid: padded(escaped(rid), 300), "canonical"),
    "8000-characters": (lambda rid: padded(escaped(rid), 8000), "canonical"),
}


def telling_spelling(name: str, family: str, runtime_id: str) -> Spelling:
    segment, form = TELLING_SPELLINGS[name]
    return Spelling(family, name, PATH_FORMS[form](segment(runtime_id)))

