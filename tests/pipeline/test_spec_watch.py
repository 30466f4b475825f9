"""Spec watch: the published page's OpenAPI block, extracted as openapi.yaml was made; nothing on no change."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest

from pipeline import spec_watch
from pipeline.spec_watch import CHANGED, DEFAULT_URL, TOOL_ERROR, UNCHANGED, SpecWatchError, extract_openapi

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE = FIXTURES / "runs-page.md"  # the endpoint's published page, as stored in shared/seed
CHANGED_PAGE = FIXTURES / "runs-page-changed.md"  # the same page with a new status and a limit maximum
SEED = ROOT.parent / "shared" / "seed" / "000_78c6aa5faeb51564.txt"
COMMITTED_SPEC = (ROOT / "openapi.yaml").read_bytes()


def _page(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _run(args: list[str], env_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", spec_watch.URL_SETTING: env_url}
    return subprocess.run([sys.executable, "-m", "pipeline.spec_watch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_extracting_the_published_page_gives_the_committed_spec_byte_for_byte():
    """The block under "## OpenAPI Specification" of the published page is exactly openapi.yaml, bytes and all."""
    assert extract_openapi(_page(PAGE)).encode("utf-8") == COMMITTED_SPEC


@pytest.mark.skipif(not SEED.is_file(), reason="shared/seed is not beside this checkout")
def test_the_fixture_is_the_seed_page():
    """The page fixture is the stored seed page, unedited."""
    assert PAGE.read_bytes() == SEED.read_bytes()


def test_the_default_url_is_the_reference_page_in_markdown():
    """The default page is the seed's `Reference:` URL with `.md` appended, and BCTRL_SPEC_URL overrides it."""
    reference = next(line.split(": ", 1)[1] for line in _page(PAGE).splitlines() if line.startswith("Reference: "))
    assert DEFAULT_URL == reference + ".md"
    assert spec_watch.spec_url({}) == DEFAULT_URL and spec_watch.spec_url({"BCTRL_SPEC_URL": " "}) == DEFAULT_URL
    assert spec_watch.spec_url({"BCTRL_SPEC_URL": "http://127.0.0.1:1/x.md"}) == "http://127.0.0.1:1/x.md"


def test_the_block_ends_at_the_first_closing_fence_and_keeps_line_endings():
    """Only the yaml block after the heading is taken, up to its own closing fence, with CRLF endings kept."""
    page = "# T\r\n```yaml\r\nnot: this\r\n```\r\n## OpenAPI Specification\r\n\r\n```yaml\r\na: 1\r\n\r\n```\r\n```json\r\n{}\r\n```\r\n"
    assert extract_openapi(page) == "a: 1\r\n\r\n"


@pytest.mark.parametrize("page", [
    "# No heading\n```yaml\na: 1\n```\n",
    "## OpenAPI Specification\n\nSome prose first.\n```yaml\na: 1\n```\n",
    "## OpenAPI Specification\n\n```yaml\na: 1\n",
    "## OpenAPI Specification\n\n```yaml\n\n```\n",
    "<html><body>Not found</body></html>",
])
def test_a_page_without_an_openapi_block_is_an_error(page):
    """A page with no heading, no yaml block right after it, an unclosed or an empty block raises SpecWatchError."""
    with pytest.raises(SpecWatchError):
        extract_openapi(page)


def test_unchanged_page_writes_nothing(tmp_path):
    """On the published page as committed, the spec is left alone, no diff is written and the exit code is 0."""
    spec = tmp_path / "openapi.yaml"
    spec.write_bytes(COMMITTED_SPEC)
    diff = tmp_path / "out" / "diff.md"
    assert spec_watch.watch(_page(PAGE), spec, diff, "page") == UNCHANGED
    assert spec.read_bytes() == COMMITTED_SPEC and not diff.exists()


def test_changed_page_writes_the_new_spec_and_the_diff(tmp_path):
    """On an edited page, the new block replaces the spec verbatim and the diff shows exactly the edited lines."""
    spec = tmp_path / "openapi.yaml"
    spec.write_bytes(COMMITTED_SPEC)
    diff = tmp_path / "out" / "diff.md"
    assert spec_watch.watch(_page(CHANGED_PAGE), spec, diff, "https://example.test/page.md") == CHANGED
    assert spec.read_bytes() == extract_openapi(_page(CHANGED_PAGE)).encode("utf-8")
    text = diff.read_text(encoding="utf-8")
    added = [line for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in text.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert added == ["+            maximum: 100", "+        - queued"] and removed == []
    assert "https://example.test/page.md" in text and "```diff" in text


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def page_server():
    """A local HTTP server (127.0.0.1) serving the fixtures folder; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(FIXTURES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_cli_over_http_unchanged_then_changed(page_server, tmp_path):
    """Fetched over HTTP: the seed page exits 0 and writes nothing; the edited page exits 3 with spec and diff."""
    (tmp_path / "openapi.yaml").write_bytes(COMMITTED_SPEC)
    same = _run([], f"{page_server}/runs-page.md", tmp_path)
    assert same.returncode == UNCHANGED, same.stderr
    assert not (tmp_path / "spec-watch").exists() and (tmp_path / "openapi.yaml").read_bytes() == COMMITTED_SPEC
    changed = _run([], f"{page_server}/runs-page-changed.md", tmp_path)
    assert changed.returncode == CHANGED, changed.stderr
    assert b"- queued" in (tmp_path / "openapi.yaml").read_bytes()
    assert "+        - queued" in (tmp_path / "spec-watch" / "diff.md").read_text(encoding="utf-8")


def test_cli_reads_a_local_path_or_file_url(tmp_path):
    """BCTRL_SPEC_URL may be a local path or a file:// URL (for trying it offline)."""
    (tmp_path / "openapi.yaml").write_bytes(COMMITTED_SPEC)
    assert _run([], str(PAGE), tmp_path).returncode == UNCHANGED
    assert _run([], PAGE.as_uri(), tmp_path).returncode == UNCHANGED


@pytest.mark.parametrize("where", ["missing-page", "unreachable", "not-a-spec"])
def test_cli_bad_page_is_one_line_naming_the_setting_and_exit_4(where, page_server, tmp_path):
    """A page that cannot be fetched (HTTP 404, connection refused) or has no block: exit 4, one line, nothing written."""
    (tmp_path / "openapi.yaml").write_bytes(COMMITTED_SPEC)
    (tmp_path / "not-a-spec.md").write_text("# Moved\n", encoding="utf-8")
    url = {"missing-page": f"{page_server}/nope.md", "unreachable": "http://127.0.0.1:9/runs.md",
           "not-a-spec": str(tmp_path / "not-a-spec.md")}[where]
    done = _run(["--timeout", "5"], url, tmp_path)
    assert done.returncode == TOOL_ERROR
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "BCTRL_SPEC_URL" in lines[0], done.stderr
    assert (tmp_path / "openapi.yaml").read_bytes() == COMMITTED_SPEC and not (tmp_path / "spec-watch").exists()
