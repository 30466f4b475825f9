"""Spellings of the query values, shared by the checks that send them and by discovery, which probes them; and what
the contract lets the API do with each (refuse it, or, where the overlay says the API reads other spellings
leniently, read it as a common parser would).

A limit or status spelled otherwise than the grammar says is what bctrl's SDKs never send, but any client can: a
sign, spaces, a decimal point, an exponent, a prefix, separators, other scripts' digits; other case, surrounding
space, other list syntaxes. Each is refused (queryGrammar.limitOutsideGrammar / statusOutsideGrammar: refused), or,
where the overlay is lenient, served as what a common parser reads from it, and nothing else.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Callable
from urllib.parse import quote

from ..contract import Contract
from ..representation import fullwidth, lenient_readings

Pairs = list[tuple[str, object]]


# -- limit ----------------------------------------------------------------------------------------------------------
def size_other_than_default(contract: Contract) -> int:
    """A page size within the bounds that is not the default (so reading it, or not, shows)."""
    return next(size for size in (5, 7, contract.limit_min, contract.limit_max)
                if contract.limit_min <= size <= contract.limit_max and size != contract.limit_default)


MACHINE_LIMITS = ("int16-boundary", "uint16-wrap", "int32-boundary", "uint32-wrap", "float64-integer-boundary",
                  "int64-boundary", "uint64-wrap")


def machine_limits(contract: Contract) -> dict[str, int]:
    """Limits at and around the widths machine integers break at: 2^15, 2^31, 2^63 (a signed type's first value
    past it), 2^53 + 1 (the first integer a double cannot hold), and 2^16, 2^32, 2^64 plus a page size within the
    bounds, where a wrap-around lands on a size a page may have."""
    small = size_other_than_default(contract)
    return {"int16-boundary": 2 ** 15, "uint16-wrap": 2 ** 16 + small, "int32-boundary": 2 ** 31,
            "uint32-wrap": 2 ** 32 + small, "float64-integer-boundary": 2 ** 53 + 1, "int64-boundary": 2 ** 63,
            "uint64-wrap": 2 ** 64 + small}


def invalid_limits(contract: Contract) -> dict[str, Pairs]:
    """Limits the contract refuses: outside the bounds (machine integers' boundaries among them), not an integer,
    empty, given twice."""
    return {
        **{name: [("limit", value)] for name, value in machine_limits(contract).items()},
        "zero": [("limit", contract.limit_min - 1)],
        "negative": [("limit", -1)],
        "above-maximum": [("limit", contract.limit_max + 1)],
        "huge": [("limit", "9" * 30)],
        "fraction": [("limit", "1.5")],
        "word": [("limit", "abc")],
        "empty": [("limit", "")],
        "repeated": [("limit", contract.limit_min), ("limit", contract.limit_max)],
    }


LIMIT_SPELLINGS = ("plus-sign", "minus-zero", "leading-space", "trailing-space", "trailing-newline",
                   "decimal-point", "exponent", "hexadecimal", "underscore-separator", "comma-list",
                   "digits-then-letters", "fullwidth-digits", "arabic-indic-digits", "leading-zero",
                   "repeated-identical")


def limit_spellings(contract: Contract) -> dict[str, Pairs]:
    """Other spellings of limits within the bounds: each one a lenient number parser reads as a number."""
    small = str(size_other_than_default(contract))
    tens = next((str(n) for n in range(max(10, contract.limit_min), contract.limit_max + 1)), "0" + small)
    single = {
        "plus-sign": "+" + small,
        "minus-zero": "-0",
        "leading-space": " " + small,
        "trailing-space": small + " ",
        "trailing-newline": small + "\n",
        "decimal-point": small + ".0",
        "exponent": small + "e0",
        "hexadecimal": f"0x{int(small):x}",
        "underscore-separator": f"{tens[0]}_{tens[1:]}",
        "comma-list": f"{small},{small}",
        "digits-then-letters": small + "x",
        "fullwidth-digits": fullwidth(small),
        "arabic-indic-digits": "".join(chr(0x0660 + int(digit)) for digit in small),
        "leading-zero": "0" + tens,  # within the grammar: read as decimal (never octal), or refused
    }
    cases = {name: [("limit", value)] for name, value in single.items()}
    cases["repeated-identical"] = [("limit", small), ("limit", small)]
    return cases


def in_grammar(contract: Contract, pairs: Pairs) -> bool:
    """The limit is given once and spelled as queryGrammar.limit says."""
    return len(pairs) == 1 and bool(contract.limit_grammar.fullmatch(str(pairs[0][1])))


def lenient_sizes(contract: Contract, pairs: Pairs) -> set[int]:
    """The page sizes a limit spelled outside the grammar (or repeated) may be served as, where the overlay lets the
    API read such spellings leniently (queryGrammar.limitOutsideGrammar: lenient): each value as a common number
    parser reads it, within the bounds (above them, the maximum where the contract clamps). Empty: it is refused."""
    if contract.limit_outside_grammar != "lenient" or in_grammar(contract, pairs):
        return set()
    readings = {reading for _, value in pairs for reading in lenient_readings(str(value))
                if reading >= contract.limit_min}
    return {min(reading, contract.limit_max) for reading in readings
            if reading <= contract.limit_max or contract.limit_clamped}


# -- status ---------------------------------------------------------------------------------------------------------
def invalid_filters(contract: Contract) -> dict[str, Pairs]:
    """Status filters the contract refuses: a value it does not list, another case, empty, one bad among good."""
    first = contract.statuses[0]
    return {
        "unknown": [("status", "conformance-unknown")],
        "wrong-case": [("status", first.upper())],
        "empty": [("status", "")],
        "one-bad-among-good": [("status", first), ("status", "conformance-unknown")],
    }


# Other spellings of one or two statuses (first, second): other list syntaxes, and values a lenient reader would
# trim, unquote or normalise into a status.
STATUS_SPELLINGS = {
    "comma-list": lambda first, second: f"{first},{second}",
    "trailing-comma": lambda first, second: f"{first},",
    "space-list": lambda first, second: f"{first} {second}",
    "pipe-list": lambda first, second: f"{first}|{second}",
    "semicolon-list": lambda first, second: f"{first};{second}",
    "json-array": lambda first, second: json.dumps([first]),
    "quoted": lambda first, second: f'"{first}"',
    "leading-space": lambda first, second: f" {first}",
    "trailing-space": lambda first, second: f"{first} ",
    "trailing-newline": lambda first, second: f"{first}\n",
    "fullwidth": lambda first, second: fullwidth(first),
}
COMMA_SPELLINGS = ("comma-list", "trailing-comma")  # a status list of another style: judged only when exploded


def status_spelling(contract: Contract, name: str) -> str:
    return STATUS_SPELLINGS[name](*contract.statuses[:2])


def resembled(contract: Contract, values: list[str]) -> frozenset[str]:
    """The statuses a lenient reader may take `values` for (queryGrammar.statusOutsideGrammar: lenient): each
    value's words, case folded and normalised (NFKC), that are statuses; empty where the overlay is strict, or where
    a value resembles no status (then it is refused either way)."""
    if contract.status_outside_grammar != "lenient":
        return frozenset()
    found = [set(re.findall(r"\w+", unicodedata.normalize("NFKC", str(value)).casefold())) & set(contract.statuses)
             for value in values]
    return frozenset().union(*found) if all(found) else frozenset()


# -- the same query written other ways (RFC 3986 §6.2.2: URIs every reader takes for the same) ---------------------
EQUIVALENT_SPELLINGS = ("as-written", "parameters-reversed", "every-character-escaped", "escapes-in-lower-hex")


def every_character_escaped(text: str, lower: bool = False) -> str:
    """Every character of `text` percent-encoded (its UTF-8 bytes), in upper or lower hex: to a URI reader, the same
    text (§6.2.2.1: hex digits are case-insensitive; §6.2.2.2: an escaped unreserved character is the character)."""
    return "".join(f"%{byte:02x}" if lower else f"%{byte:02X}" for byte in str(text).encode("utf-8"))


def equivalent_queries(pairs: Pairs) -> dict[str, str]:
    """The query `pairs` as exact query strings a reader of URIs takes for the same query: as written (unreserved
    characters as they are, others escaped), its parameters in reverse order (a union of repeated keys is the same
    union), every character of keys and values escaped in upper hex, and in lower hex."""
    return {"as-written": _written(pairs, _as_written), "parameters-reversed": _written(pairs[::-1], _as_written),
            "every-character-escaped": _written(pairs, every_character_escaped),
            "escapes-in-lower-hex": _written(pairs, lambda text: every_character_escaped(text, lower=True))}


def _as_written(text: object) -> str:
    return quote(str(text), safe="")


def _written(pairs: Pairs, escape: Callable[[object], str]) -> str:
    return "&".join(f"{escape(key)}={escape(value)}" for key, value in pairs)
