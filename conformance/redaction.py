"""Keep the API keys out of everything the suite prints or writes.

A key is shown as the shell expression that makes it from its environment variable (`${BCTRL_API_KEY}`, and for
the encodings a check sends, `$(printf %s "$BCTRL_API_KEY" | base64 -w0)` and the like), so a redacted curl
command still works in a shell that has the key. A piece of a key (PIECE characters or more: an echo of a near-miss
the suite sent, a key cut short) never survives either: it is shown as `[part of $BCTRL_API_KEY]`.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shlex

KEY_PLACEHOLDER = "${BCTRL_API_KEY}"
PIECE = 20  # characters of a key that give it away; keys share shorter prefixes (bctrl_sk_test_ is 14)

# Schemathesis masks the header itself as [Filtered] and single-quotes it; make that line runnable too.
_SCHEMATHESIS_MASKED = re.compile(r"-H 'Authorization: (Bearer )?\[Filtered\]'")
_FORMS: list[tuple[str, str]] = []  # (what must not be shown, the shell expression shown instead), longest first
_KEYS: dict[str, str] = {}  # key -> its environment variable


# -- the encodings of a key a check may send (one place, so what is sent is what is redacted) ----------------------
def percent_encoded(key: str) -> str:
    """Every byte of the key percent-encoded (upper-case hex)."""
    return "".join(f"%{byte:02X}" for byte in key.encode("utf-8"))


def base64_of(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _forms(key: str, variable: str) -> list[tuple[str, str]]:
    """The key and its encodings, each with the shell expression that makes it from `variable`."""
    made = f'"${variable}"'
    return [
        (key, f"${{{variable}}}"),
        (percent_encoded(key), f"$(printf %s {made} | od -An -tx1 -v | tr -d ' \\n' | tr a-f A-F | sed 's/../%&/g')"),
        (base64_of(key), f"$(printf %s {made} | base64 -w0)"),
        (base64_of(key + ":"), f"$(printf %s: {made} | base64 -w0)"),
        (base64_of(":" + key), f"$(printf :%s {made} | base64 -w0)"),
    ]


def register_secret(secret: str | None, variable: str = "BCTRL_API_KEY") -> None:
    """Remember a key that must never be shown, with its encodings (longest first, so overlapping keys redact
    fully); `variable` is the environment variable that holds it."""
    if not secret or secret in _KEYS:
        return
    _KEYS[secret] = variable
    _FORMS.extend(_forms(secret, variable))
    _FORMS.sort(key=lambda form: len(form[0]), reverse=True)


def redact(text: str, markup: bool = False) -> str:
    """`text` with every key, encoding and piece of one shown as above. `markup`: the text is XML or HTML, so what
    is put in its place is escaped as markup (a double quote inside an attribute would end it)."""
    for secret, shown in _FORMS:
        text = text.replace(secret, shown)
    text = _without_pieces(text)
    runnable = f'-H "Authorization: Bearer {KEY_PLACEHOLDER}"'
    return _SCHEMATHESIS_MASKED.sub(html.escape(runnable) if markup else runnable, text)


def redact_json(value):
    """Parsed JSON with every string in it redacted. Redacting the serialized text instead could put a double
    quote inside a string and break the document."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, dict):
        return {redact_json(key): redact_json(item) for key, item in value.items()}
    return value


def dumps_redacted(value, **options) -> str:
    """`json.dumps(value, **options)`, redacted value by value where it holds anything to redact (the text is read
    once when it holds nothing, as almost always: redacting every string apart costs a second a run)."""
    text = json.dumps(value, **options)
    return text if redact(text) == text else json.dumps(redact_json(value), **options)


def redact_file_text(text: str, suffix: str) -> str:
    """A report file's text, redacted as its format allows: JSON and NDJSON value by value, XML and HTML as
    markup, anything else as plain text."""
    if suffix == ".json":
        return dumps_redacted(json.loads(text), indent=2)
    if suffix == ".ndjson":
        return "".join(dumps_redacted(json.loads(line)) + "\n" for line in text.splitlines() if line.strip())
    return redact(text, markup=suffix in (".xml", ".html", ".htm"))


def contains_secret(text: str) -> bool:
    """The text holds a key, one of its encodings, or a piece of a key."""
    return any(secret in text for secret, _ in _FORMS) or _piece_at(text, 0) is not None


def shell_quoted(text: str) -> str:
    """`text` as one word of a POSIX shell: single-quoted, or, where a key stands, double-quoted with the shell
    expression that makes it from its variable (so the command runs in a shell that has the key)."""
    if not any(secret in text for secret, _ in _FORMS):
        return shlex.quote(text)
    escaped = re.sub(r'([\\"$`])', r"\\\1", text)
    for secret, shown in _FORMS:
        escaped = escaped.replace(re.sub(r'([\\"$`])', r"\\\1", secret), shown)
    return f'"{escaped}"'


def _piece_at(text: str, start: int) -> tuple[int, int, str] | None:
    """The first piece of a key (PIECE characters or more) in `text` from `start`: (begin, end, its variable)."""
    for key, variable in _KEYS.items():
        for offset in range(0, max(len(key) - PIECE + 1, 0)):
            found = text.find(key[offset:offset + PIECE], start)
            if found >= 0:
                end = found + PIECE
                while end < len(text) and offset + (end - found) < len(key) and text[end] == key[offset + end - found]:
                    end += 1
                return found, end, variable
    return None


def _without_pieces(text: str) -> str:
    while (piece := _piece_at(text, 0)) is not None:  # what replaces a piece holds none
        begin, end, variable = piece
        text = text[:begin] + f"[part of ${variable}]" + text[end:]
    return text
