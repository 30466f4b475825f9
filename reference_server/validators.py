"""Validators on pages and the conditional GETs they allow (the `validators` variant; RFC 9110 §8.8 and §13).

A page's ETag is strong: a hash of its body, of the key's tenant and of the request target (path and query), so it
changes whenever a byte of the page does, and one key's validator never names another key's page. Its Last-Modified
is when the server first served the page as it is now (a log of representations per key and target): a page that
changed since has a later one. A 304 is answered only after authentication, the runtime check and validation, and
only when the page is what the client holds: If-None-Match matching the current ETag (weak comparison, as §13.1.2
says), or, without If-None-Match, If-Modified-Since no earlier than the page's first-served time.

The faults that live in validators (stages/headers.py, issue 16) switch ETags on by themselves when the variant is off.
"""
from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime

_ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*')
GZIP_SUFFIX = "-gzip"  # the ETag of a page's gzip-coded form (another representation, another strong validator)
CACHE_CONTROL = "private, no-cache"  # with validators: a private cache may keep a page, and revalidates it first


def strong_etag(tenant: str, target: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{tenant}\0{target}\0".encode() + body).hexdigest()
    return f'"{digest[:32]}"'


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip-coded form of a representation whose identity form has `etag`."""
    return etag[:-1] + GZIP_SUFFIX + '"' if etag.endswith('"') else etag


def opaque(tag: str) -> str:
    """An entity-tag without its weakness indicator (weak comparison compares these)."""
    return tag[2:] if tag.startswith("W/") else tag


def entity_tags(field: str | None) -> list[str] | None:
    """The entity-tags of an If-None-Match field value, as opaque tags; ["*"] for `*`; None when absent. Members
    that are not entity-tags are dropped (they match nothing)."""
    if field is None:
        return None
    if field.strip() == "*":
        return ["*"]
    tags = []
    for member in field.split(","):
        match = _ENTITY_TAG.fullmatch(member)
        if match:
            tags.append(match.group(2))
    return tags


def none_match(field: str | None, etag: str) -> bool:
    """Whether If-None-Match `field` matches the current `etag` (identity or gzip form): the 304 condition."""
    tags = entity_tags(field)
    if not tags:
        return False
    return "*" in tags or bool({etag, gzip_etag(etag)} & set(tags))


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def parse_http_date(field: str | None) -> float | None:
    """The instant of an HTTP-date field value, or None when absent or not a date."""
    if not field:
        return None
    try:
        moment = parsedate_to_datetime(field.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.timestamp()


def last_modified_second(first_seen: float, now: float) -> float:
    """The Last-Modified to send (whole seconds, never after now) for a page first served at `first_seen`: the
    second after it once that has passed, else the current second (earlier than the change: an If-Modified-Since
    with it then gets the page again, never a 304 for a page it does not hold)."""
    ceiling = math.ceil(first_seen)
    return ceiling if ceiling <= now else math.floor(now)


class RepresentationLog:
    """When each resource (tenant, target) was first served with its current ETag: its Last-Modified."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._entries: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def first_seen(self, resource: tuple[str, str], etag: str, now: float) -> float:
        with self._lock:
            seen = self._entries.get(resource)
            if seen is None or seen[0] != etag:
                seen = (etag, now)
            self._entries[resource] = seen
            self._entries.move_to_end(resource)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return seen[1]
