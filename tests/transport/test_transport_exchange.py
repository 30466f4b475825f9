"""Exchange.curl() and redact(): the API key never shows, and the printed command still works in a shell."""
from __future__ import annotations

import shlex
import subprocess
import uuid

import pytest

from conformance.contract import load_contract
from conformance.redaction import KEY_PLACEHOLDER, contains_secret, redact, register_secret
from conformance.transport.client import ApiClient
from conformance.transport.exchange import Exchange
from conformance.transport.session import PoliteSession
from reference_server import ReferenceServer

URL = "http://127.0.0.1:8787/v2/runtimes/rt-1/runs?limit=7&status=active"


def new_key() -> str:
    """A made-up key unique to the calling test (redaction remembers every key registered in the process)."""
    key = f"bctrl_sk_test_{uuid.uuid4().hex}"
    register_secret(key)
    return key


def exchange(headers: dict[str, str], method: str = "GET", url: str = URL) -> Exchange:
    return Exchange(method=method, url=url, sent_headers=headers, status=200,
                    headers={"Content-Type": "application/json"}, text="{}")


def bash_arguments(command: str, key: str) -> list[str]:
    """The arguments bash passes to curl when it runs `command` with BCTRL_API_KEY set (curl is stubbed)."""
    script = f"curl() {{ printf '%s\\0' \"$@\"; }}; BCTRL_API_KEY={shlex.quote(key)}; {command}"
    output = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=10, check=True).stdout
    return output.split("\0")[:-1]


def test_curl_never_shows_the_key_and_uses_the_placeholder_in_double_quotes():
    """curl() replaces the key with ${BCTRL_API_KEY} inside a double-quoted -H argument."""
    key = new_key()
    command = exchange({"Authorization": f"Bearer {key}"}).curl()
    assert key not in command
    assert f'-H "Authorization: Bearer {KEY_PLACEHOLDER}"' in command
    assert command.startswith("curl -sS -i -H ")
    assert command.endswith(shlex.quote(URL))


def test_curl_header_expands_to_the_real_header_in_bash():
    """Evaluated by bash with BCTRL_API_KEY set, the quoted header becomes the real Authorization header."""
    key = new_key()
    command = exchange({"Authorization": f"Bearer {key}"}).curl()
    assert bash_arguments(command, key) == ["-sS", "-i", "-H", f"Authorization: Bearer {key}", URL]


def test_curl_escapes_shell_specials_around_the_key():
    """Characters bash treats specially inside double quotes ($ ` \\ ") stay literal around the expanded key."""
    key = new_key()
    value = f'Bearer {key} $HOME `id` \\ "q"'
    command = exchange({"Authorization": value}).curl()
    assert key not in command
    assert bash_arguments(command, key) == ["-sS", "-i", "-H", f"Authorization: {value}", URL]


def test_curl_single_quotes_a_header_without_the_key():
    """A header that does not hold the key is quoted with shlex (single quotes), as usual."""
    new_key()
    command = exchange({"Authorization": "Token not-the-key", "Accept": "application/json"}).curl()
    assert "-H 'Authorization: Token not-the-key'" in command
    assert "-H 'Accept: application/json'" in command
    assert KEY_PLACEHOLDER not in command
    assert bash_arguments(command, "unused") == ["-sS", "-i", "-H", "Authorization: Token not-the-key",
                                                 "-H", "Accept: application/json", URL]


def test_curl_without_headers_and_with_another_method():
    """A non-GET method is sent with -X; no headers means no -H."""
    command = exchange({}, method="POST").curl()
    assert command == f"curl -sS -i -X POST {shlex.quote(URL)}"
    assert shlex.split(command)[-1] == URL


def test_repr_and_summary_never_show_the_key():
    """repr() leaves out the sent headers and summary() redacts a key echoed in the body."""
    key = new_key()
    echoed = Exchange(method="GET", url=URL, sent_headers={"Authorization": f"Bearer {key}"}, status=401,
                      headers={"Content-Type": "application/json"}, text=f'{{"error": "bad key Bearer {key}"}}')
    assert key not in repr(echoed)
    assert key not in echoed.summary()
    assert KEY_PLACEHOLDER in echoed.summary()


def test_redact_replaces_the_key():
    """redact() replaces every occurrence of a registered key with ${BCTRL_API_KEY}."""
    key = new_key()
    text = redact(f"sent {key} twice: {key}")
    assert text == f"sent {KEY_PLACEHOLDER} twice: {KEY_PLACEHOLDER}"
    assert contains_secret(f"x{key}x") and not contains_secret(text)


def test_redact_replaces_a_longer_key_whole_when_one_key_prefixes_another():
    """When one registered key is a prefix of another, the longer one is still redacted completely."""
    short = new_key()
    long = short + "EXTRA"
    register_secret(long)
    assert redact(f"a {long} b {short}") == f"a {KEY_PLACEHOLDER} b {KEY_PLACEHOLDER}"


def test_redact_makes_schemathesis_filtered_header_runnable():
    """Schemathesis's -H 'Authorization: [Filtered]' becomes -H "Authorization: Bearer ${BCTRL_API_KEY}"."""
    expected = f'curl -X GET -H "Authorization: Bearer {KEY_PLACEHOLDER}" http://x/runs'
    assert redact("curl -X GET -H 'Authorization: [Filtered]' http://x/runs") == expected
    assert redact("curl -X GET -H 'Authorization: Bearer [Filtered]' http://x/runs") == expected


def test_register_secret_ignores_empty_values():
    """An empty or missing key is not registered (it would otherwise redact everything)."""
    register_secret("")
    register_secret(None)
    assert redact("nothing secret here") == "nothing secret here"


def test_error_code_reads_either_envelope():
    """error_code is the code of the flat or the nested bctrl envelope, and None for anything else."""
    def answer(text: str) -> Exchange:
        return Exchange(method="GET", url=URL, sent_headers={}, status=404, headers={}, text=text)
    assert answer('{"error": "Runtime not found", "code": "runtime.not_found"}').error_code == "runtime.not_found"
    assert answer('{"error": {"code": "runtime.not_found", "message": "m", "requestId": "r"}}').error_code == \
        "runtime.not_found"
    assert answer("Not Found").error_code is None and answer("[1]").error_code is None


@pytest.mark.parametrize("path, as_is", [("/v2/runtimes/x/../rt/runs", True), ("/v2/runtimes/rt/./runs", True),
                                         ("/v2/runtimes/rt/runs/.", True), ("/v2/runtimes/rt/%2E/runs", False),
                                         ("/v2/runtimes/rt.1/runs", False)])
def test_curl_keeps_dot_segments_with_path_as_is(path, as_is):
    """A path with a literal dot segment gets --path-as-is (curl would resolve it); any other path does not."""
    command = exchange({}, url="http://127.0.0.1:8787" + path).curl()
    assert ("--path-as-is" in shlex.split(command)) is as_is
    assert shlex.split(command)[-1].endswith(path)


def test_a_reproduction_sends_a_repeated_header_as_many_times_as_the_request_did():
    """Two Authorization lines sent: the curl command sends both, in order, with the key as ${BCTRL_API_KEY}."""
    with ReferenceServer() as srv:
        register_secret(srv.seed_info.api_key)  # as the suite does with the key under test
        session = PoliteSession(budget=10, rate=0, timeout=5, retries=0, retry_after_max=30)
        api = ApiClient(session, srv.base_url, srv.seed_info.api_key, srv.seed_info.runtime_id, load_contract())
        answer = api.get_with_header_lines([("Authorization", "Bearer bctrl_sk_test_wrong"),
                                            ("Authorization", f"Bearer {srv.seed_info.api_key}")])
    command = redact(answer.curl())
    assert command.count("-H 'Authorization: Bearer") + command.count('-H "Authorization: Bearer') == 2, command
    assert command.index("bctrl_sk_test_wrong") < command.index("${BCTRL_API_KEY}"), command
