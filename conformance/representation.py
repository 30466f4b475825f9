"""How a value is represented on the wire, compared the way the standards say, in one place.

A correct server may write the same thing many ways: header names in any case (RFC 9110 §5.1), a media type with
parameters and in any case (RFC 9110 §8.3.1), a timestamp with any number of fractional digits, `Z`, `z` or an
offset, `T` or `t` (RFC 3339 §5.6). The suite never compares the text where the standard says the value is what
counts: headers are read through a case-insensitive mapping (requests' own), media types by type and subtype,
timestamps as exact instants.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from fractions import Fraction
from typing import Any, Mapping

from requests.structures import CaseInsensitiveDict

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})")


# -- headers ------------------------------------------------------------------------------------------------------
def headers_of(headers: Mapping[str, str] | None) -> CaseInsensitiveDict:
    """The headers as a case-insensitive mapping (names keep the case they were sent in, for display)."""
    return CaseInsensitiveDict(headers or {})


# -- media types --------------------------------------------------------------------------------------------------
def media_type(content_type: str | None) -> str:
    """`type/subtype` of a Content-Type value, lower-cased, parameters dropped; '' when absent."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def media_type_in(content_type: str | None, allowed) -> bool:
    """True when the value's type/subtype is one of `allowed` (compared case-insensitively, parameters ignored)."""
    return media_type(content_type) in {media_type(option) for option in allowed}


# -- text -----------------------------------------------------------------------------------------------------------
def fullwidth(text: str) -> str:
    """Printable ASCII as its fullwidth form (U+FF01..U+FF5E), which NFKC normalisation maps back."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


# -- numbers in a query string --------------------------------------------------------------------------------------
# What JavaScript's Number() and parseInt() skip around a number: ECMAScript white space and line terminators.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_JS_PREFIXED = re.compile(r"0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_LEADING_DECIMAL = re.compile(r"[+-]?\d+")


def lenient_readings(text: str) -> set[int]:
    """The integers common lenient parsers read from a query value: JavaScript's Number() (what Ajv coerces with;
    only when it gives an integer), parseInt() with radix 10 or from a 0x prefix (the leading digits), Python's
    int(). Empty when none reads an integer."""
    readings = {value for parse in (_js_number, _js_parse_int, _js_parse_int_auto, _python_int)
                if (value := parse(text)) is not None}
    return {int(value) for value in readings}


def _js_number(text: str) -> int | None:
    stripped = text.strip(_JS_SPACE)
    if not stripped:
        return None  # Number("") is 0, but Ajv does not coerce an empty string
    prefixed = _JS_PREFIXED.fullmatch(stripped)
    if prefixed:
        return int(prefixed.group(1)[1:], {"x": 16, "o": 8, "b": 2}[prefixed.group(1)[0].lower()])
    if not _JS_DECIMAL.fullmatch(stripped):
        return None
    number = float(stripped)
    return int(number) if number.is_integer() else None


def _js_parse_int(text: str) -> int | None:
    match = _LEADING_DECIMAL.match(text.lstrip(_JS_SPACE))
    return int(match.group(0)) if match else None


def _js_parse_int_auto(text: str) -> int | None:
    stripped = text.lstrip(_JS_SPACE)
    sign, unsigned = (-1 if stripped[:1] == "-" else 1), (stripped[1:] if stripped[:1] in ("+", "-") else stripped)
    hexadecimal = re.match(r"0[xX]([0-9a-fA-F]+)", unsigned)
    return sign * int(hexadecimal.group(1), 16) if hexadecimal else _js_parse_int(text)


def _python_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


# -- ids ----------------------------------------------------------------------------------------------------------
def unknown_like(known_id: str, avoid=frozenset()) -> str:
    """An id of the same shape as `known_id` that names nothing: its last alphanumeric characters turned within
    their class (0-9, a-f, g-z, either case), so a UUID stays a UUID of the same version and a key stays a key of
    the same format. A server that checks an id's shape before looking it up sees a well-formed one."""
    shift = 1
    while True:
        chars, turned = list(known_id), 0
        for index in range(len(chars) - 1, -1, -1):
            if turned == 8:
                break
            rotated = _rotate(chars[index], shift)
            if rotated != chars[index]:
                chars[index], turned = rotated, turned + 1
        candidate = "".join(chars)
        if candidate != known_id and candidate not in avoid:
            return candidate
        shift += 1


def _rotate(char: str, shift: int) -> str:
    for alphabet in ("0123456789", "abcdef", "ghijklmnopqrstuvwxyz"):
        for letters in (alphabet, alphabet.upper()):
            if char in letters:
                return letters[(letters.index(char) + shift) % len(letters)]
    return char


# -- timestamps ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Instant:
    """An RFC 3339 timestamp as an exact instant, with the precision its text was given in."""

    value: Fraction  # seconds since the epoch
    unit: Fraction  # one unit of the last digit given

    def same_as(self, other: "Instant") -> bool:
        """The same time, to within one unit of the coarser precision of the two texts."""
        return abs(self.value - other.value) < max(self.unit, other.unit)


def instant(text: object) -> Instant | None:
    """The instant an RFC 3339 date-time names (any fractional digits, `Z`, `z` or an offset, `T` or `t`); None when
    it is not one."""
    return _instant_of(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=8192)  # a run's timestamps are read on every page that lists it
def _instant_of(text: str) -> Instant | None:
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}{'+00:00' if offset in 'Zz' else offset}")
    except ValueError:
        return None
    digits = fraction or ""
    whole = (moment - _EPOCH) // timedelta(seconds=1)
    return Instant(whole + Fraction(int(digits or 0), 10 ** len(digits)), Fraction(1, 10 ** len(digits)))


def same_time(a: str, b: str) -> bool:
    """Two timestamps name the same instant (or are the same text)."""
    if a == b:
        return True
    first, second = instant(a), instant(b)
    return first is not None and second is not None and first.same_as(second)


def server_time(date: str | None) -> Fraction | None:
    """The instant an HTTP Date header names (RFC 9110 §5.6.7), in seconds since the epoch; None if absent."""
    try:
        moment = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return Fraction((moment.astimezone(timezone.utc) - _EPOCH) // timedelta(seconds=1))


def comparable(value: Any) -> Any:
    """What a field's value is compared by: a timestamp by its exact instant, anything else as it is."""
    moment = instant(value)
    return moment.value if moment is not None else value
