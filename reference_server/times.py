"""Time as the store keeps it: RFC 3339 UTC strings with milliseconds, fixed width (string order is time order),
and the ways a personality may write the same instant."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def fmt_time(dt: datetime) -> str:
    """RFC 3339 UTC with milliseconds, fixed width: 2026-03-01T10:15:00.000Z."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


OFFSET = timedelta(hours=1)  # the zone of the `offset` renderings: +01:00 (Europe/Paris in winter)


def render_time(text: str, style: str) -> str:
    """A stored instant (fmt_time's form) written as the `timestamps` personality says; the same instant."""
    if style == "milliseconds":
        return text
    if style == "nanoseconds":
        return text[:-1] + "000000Z"
    if style == "lower-case":
        return text.lower()
    local = parse_time(text) + OFFSET
    fraction = f"{local.microsecond // 1000:03d}" + ("000000" if style == "nanoseconds-offset" else "")
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "+01:00"


def epoch_ms(text: str) -> int:
    return (parse_time(text) - EPOCH) // MS
