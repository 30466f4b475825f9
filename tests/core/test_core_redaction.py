"""redaction.py: no key, no encoding of it, no piece of it survives in what the suite shows; curl commands made from
what was sent still run in a shell that has the key."""

from __future__ import annotations

import json
import subprocess
from xml.etree import ElementTree

from conformance.redaction import (
    base64_of, contains_secret, percent_encoded, redact, redact_file_text, register_secret, shell_quoted,
)

KEY = "bctrl_sk_test_8f2c4e6a1b3d5f7092e4c6a8b0d2f4e6"


def test_the_key_and_each_encoding_a_check_sends_are_redacted():
    """The key, percent-encoded, base64 and as Basic credentials (key as user or password) are all replaced."""
    register_secret(KEY)
    for form in (KEY, percent_encoded(KEY), base64_of(KEY), base64_of(KEY + ":"), base64_of(":" + KEY)):
        assert contains_secret(f"x {form} y") and form not in redact(f"x {form} y")


def test_a_piece_of_the_key_is_redacted_and_a_shared_prefix_is_not():
    """A near-miss echoed back (the key cut short by one character, its first half) is a piece of the key: redacted;
    the prefix every key shares (bctrl_sk_test_) is not."""
    register_secret(KEY)
    for piece in (KEY[:-1], KEY[1:], KEY[:23]):
        assert contains_secret(f"invalid key {piece}!")
        assert redact(f"invalid key {piece}!") == "invalid key [part of $BCTRL_API_KEY]!"
    assert not contains_secret("keys look like bctrl_sk_test_<32 hex>")


def test_a_curl_word_with_an_encoded_key_runs_in_a_shell_that_has_the_key():
    """The word a curl command shows for a header holding an encoding of the key expands back to that encoding."""
    register_secret(KEY)
    for header in (f"Authorization: Bearer {KEY}", f"Authorization: Basic {base64_of(KEY + ':')}",
                   f"Authorization: Bearer {percent_encoded(KEY)}", f"Cookie: api_key={base64_of(KEY)}"):
        word = shell_quoted(header)
        assert KEY not in word and not contains_secret(word)
        shown = subprocess.run(["bash", "-c", f"printf %s {word}"], env={"BCTRL_API_KEY": KEY, "PATH": "/usr/bin:/bin"},
                               capture_output=True, text=True).stdout
        assert shown == header


def test_reports_in_json_and_markup_stay_well_formed_when_schemathesis_masked_header_is_made_runnable():
    """Schemathesis's masked `-H 'Authorization: [Filtered]'` becomes a runnable header with a double quote; in a
    JSON report it is put in value by value, and in XML or HTML escaped as markup, so every report still parses."""
    masked = "curl -H 'Authorization: Bearer [Filtered]' http://x/v2"
    document = json.dumps({"firstFailure": {"message": masked}}, indent=2)
    assert json.loads(redact_file_text(document, ".json"))["firstFailure"]["message"] == \
        'curl -H "Authorization: Bearer ${BCTRL_API_KEY}" http://x/v2'
    lines = json.dumps({"body": masked}) + "\n" + json.dumps({"n": 2}) + "\n"
    assert [json.loads(line) for line in redact_file_text(lines, ".ndjson").splitlines()][0]["body"].count('"') == 2
    xml = f'<testcase><failure message="{masked}">{masked}</failure></testcase>'
    failure = ElementTree.fromstring(redact_file_text(xml, ".xml")).find("failure")
    assert failure.get("message") == failure.text == 'curl -H "Authorization: Bearer ${BCTRL_API_KEY}" http://x/v2'
