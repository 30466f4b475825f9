"""Keep the API key out of everything the suite prints or writes.

The key is replaced by `${BCTRL_API_KEY}`, so a redacted curl command still works in a shell that has the key.
"""

from __future__ import annotations

import re

KEY_PLACEHOLDER = "${BCTRL_API_KEY}"
_SECRETS: list[str] = []

# Schemathesis masks the header itself as [Filtered] and single-quotes it; make that line runnable too.
_SCHEMATHESIS_MASKED = re.compile(r"-H 'Authorization: (Bearer )?\[Filtered\]'")


def register_secret(secret: str | None) -> None:
    """Remember a value that must never be shown (longest first, so overlapping keys redact fully)."""
    if secret and secret not in _SECRETS:
        _SECRETS.append(secret)
        _SECRETS.sort(key=len, reverse=True)


def redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, KEY_PLACEHOLDER)
    return _SCHEMATHESIS_MASKED.sub(f'-H "Authorization: Bearer {KEY_PLACEHOLDER}"', text)


def contains_secret(text: str) -> bool:
    return any(secret in text for secret in _SECRETS)
