"""How other languages and frameworks read a number from a query string. The `limit_parser` personality and the
lenient-limit faults (limit-python-int, limit-javascript-number, limit-go-base-prefix) share these readers."""
from __future__ import annotations

import math
import re

# ECMAScript's StrWhiteSpaceChar: WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP, every Zs) and LineTerminator (LF, CR,
# LS, PS). Python's str.strip() strips others too (\x1c-\x1f, \x85), so the set is spelled out.
JS_WHITESPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                 "\u2028\u2029\u202f\u205f\u3000\ufeff")
_JS_DECIMAL = re.compile(r"[+-]?(?:Infinity|[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)")
_JS_NON_DECIMAL = re.compile(r"0(?:[xX](?P<hex>[0-9a-fA-F]+)|[oO](?P<oct>[0-7]+)|[bB](?P<bin>[01]+))")
_LEADING_DIGITS = re.compile(r"[0-9]*")


def _big(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf


def js_number(text: str) -> float:
    """JavaScript's Number(text) (ToNumber on a string): surrounding whitespace ignored, '' and blanks are 0,
    decimal with fraction and exponent, Infinity, unsigned 0x/0o/0b literals; anything else NaN."""
    text = text.strip(JS_WHITESPACE)
    if not text:
        return 0.0
    if _JS_DECIMAL.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    literal = _JS_NON_DECIMAL.fullmatch(text)
    if literal:
        base, digits = next((b, d) for b, d in zip((16, 8, 2), literal.group("hex", "oct", "bin")) if d)
        return _big(int(digits, base))
    return math.nan


def js_parse_int(text: str) -> float:
    """JavaScript's parseInt(text, 10): leading whitespace and one sign skipped, then the leading decimal digits,
    the rest ignored ('10abc' is 10, '1.5' and '1e2' are 1, '0x10' is 0); NaN when no digit leads."""
    text = text.lstrip(JS_WHITESPACE)
    sign = -1 if text[:1] == "-" else 1
    if text[:1] in "+-" and text:
        text = text[1:]
    digits = _LEADING_DIGITS.match(text).group()
    return sign * _big(int(digits)) if digits else math.nan


def ajv_integer(text: str) -> int:
    """A query value as Ajv coerces it to {"type": "integer"} at Fastify's defaults (coerceTypes): a non-empty
    string that Number() reads, then an integer (finite, no fraction). ValueError otherwise; the bounds are the
    caller's ('5.0', '1e1', '0x10', ' 5 ', '+5' are numbers; '' is refused)."""
    number = js_number(text)
    if not text or math.isnan(number) or math.isinf(number) or not number.is_integer():
        raise ValueError(f"{text!r} is not an integer")
    return int(number)


def parse_int_10(text: str) -> int:
    """parseInt(text, 10) then a NaN check, as a hand-written JavaScript handler reads a number: ValueError on NaN;
    the bounds are the caller's."""
    number = js_parse_int(text)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{text!r} is NaN")
    return int(number)


def python_int(text: str) -> int:
    """Python's int(): also reads '+5', ' 5 ', '5_0' and other scripts' digits ('５')."""
    return int(text)


def javascript_number_is_integer(text: str) -> int:
    """Number(text) then Number.isInteger, as a JavaScript API reads it: surrounding whitespace ignored, '5.0',
    '5e0' and '0x5' are 5, '' is 0."""
    number = js_number(text)
    if math.isnan(number) or math.isinf(number) or not number.is_integer():
        raise ValueError(f"{text!r} is not an integer")
    return int(number)


def go_parse_int_base_0(text: str) -> int:
    """strconv.ParseInt(text, 0, 64), as a Go API reads it: the base from the prefix (0x hex, 0o or a leading 0
    octal, 0b binary), a sign, underscores between digits."""
    if not text.isascii() or not re.fullmatch(r"[+-]?[0-9a-zA-Z_]+", text):
        raise ValueError(f"invalid syntax: {text!r}")
    sign, digits = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
    base = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}.get(digits[:2])
    if base:
        digits = digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base, digits = 8, digits[1:]
    return sign * int(digits, base or 10)
