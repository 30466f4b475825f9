"""Faults at machine-type boundaries: a limit read into a fixed-width integer that wraps around (issue 23, numbers
where machine types break). Each is a bug a real stack has, and each shows only for a limit past its width: the
wrapped value can land on a valid page size, served as if it had been asked for. The catalogue entries and the
reading they break are kept together here; the query stage (stages/query.py) asks `machine_read` for the limit's value.
"""
from __future__ import annotations

from .checks import BAD_LIMIT
from .fault import Fault
from .probes import page

FAULTS = [
    Fault("limit-int32-wrap", "limit",
          "the handler converts the parsed limit with int32(n) (Go's strconv.ParseInt(s, 10, 64) then a cast, a C "
          "extension's int): above 2^31 it wraps around, so limit=4294967301 (2^32 + 5) is read as 5 and served as a "
          "page of 5 runs",
          rules=("limit.refusal",), issue=23, blind_spot=3, check=BAD_LIMIT,
          observe=page([("limit", str(2 ** 32 + 5))])),
    Fault("limit-int64-wrap", "limit",
          "the limit is parsed as an unsigned 64-bit integer with wrapping arithmetic (Rust's wrapping_mul while "
          "accumulating digits, or a u64 cast): 18446744073709551621 (2^64 + 5) is read as 5 and served as a page of "
          "5 runs",
          rules=("limit.refusal",), issue=23, blind_spot=3, check=BAD_LIMIT,
          observe=page([("limit", str(2 ** 64 + 5))])),
]
_WIDTHS = {"limit-int32-wrap": 32, "limit-int64-wrap": 64}


def machine_read(value: int, faults: frozenset[str]) -> int:
    """`value` as a faulty stack reads it: wrapped to the fixed width (two's complement) its fault gives it."""
    for fault, bits in _WIDTHS.items():
        if fault in faults:
            value = (value + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))
    return value
