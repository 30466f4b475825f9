"""Spec watch: fetch the endpoint's published page, extract its OpenAPI block, and say whether it changed.

    python -m pipeline.spec_watch [--spec openapi.yaml] [--diff-out spec-watch/diff.md]

The page is read from BCTRL_SPEC_URL (default: the endpoint's reference page in its Markdown form, the page URL
with `.md` appended, as the page itself says); an http(s) URL, a file:// URL or a local path. The OpenAPI block is
extracted the way `openapi.yaml` was made: the lines between the ```yaml fence that follows the
"## OpenAPI Specification" heading and the next ``` fence line, verbatim, each with its line ending (so the
blank line before the closing fence is kept, and the file ends with an empty line).

Exit codes: 0 unchanged (nothing written); 3 changed (the new spec is written over --spec and a Markdown diff
to --diff-out); 4 tool error (the page cannot be fetched or has no OpenAPI block: one line naming the setting).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

DEFAULT_URL = "https://platform.bctrl.ai/api/api-reference/runtimes/runs.md"
URL_SETTING = "BCTRL_SPEC_URL"
HEADING = "## OpenAPI Specification"
OPENING_FENCE = "```yaml"
CLOSING_FENCE = "```"
TIMEOUT_SECONDS = 30
UNCHANGED, CHANGED, TOOL_ERROR = 0, 3, 4


class SpecWatchError(Exception):
    """The page cannot be read or holds no OpenAPI block; the message says why."""


def spec_url(env: dict[str, str] | os._Environ = os.environ) -> str:
    """The page to watch: BCTRL_SPEC_URL, or the endpoint's reference page in Markdown (empty counts as unset)."""
    return env.get(URL_SETTING, "").strip() or DEFAULT_URL


def extract_openapi(page: str) -> str:
    """The OpenAPI block of a published page, verbatim: the lines inside the ```yaml fence after the heading."""
    lines = page.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip("\r\n").strip() == HEADING), None)
    if start is None:
        raise SpecWatchError(f"no {HEADING!r} heading")
    opening = next((i for i in range(start + 1, len(lines)) if lines[i].strip()), None)
    if opening is None or lines[opening].rstrip("\r\n").strip() != OPENING_FENCE:
        raise SpecWatchError(f"no {OPENING_FENCE} block right after {HEADING!r}")
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i].rstrip("\r\n") == CLOSING_FENCE), None)
    if closing is None:
        raise SpecWatchError(f"the {OPENING_FENCE} block after {HEADING!r} is never closed")
    block = "".join(lines[opening + 1:closing])
    if not block.strip():
        raise SpecWatchError(f"the {OPENING_FENCE} block after {HEADING!r} is empty")
    return block


def fetch_page(url: str, timeout: float = TIMEOUT_SECONDS) -> str:
    """The page's text, from an http(s) URL (with a timeout), a file:// URL or a local path."""
    parts = urlsplit(url)
    try:
        if parts.scheme in ("http", "https"):
            import requests

            response = requests.get(url, timeout=timeout, headers={"Accept": "text/markdown, text/plain;q=0.9"})
            if response.status_code != 200:
                raise SpecWatchError(f"HTTP {response.status_code}")
            return response.content.decode("utf-8")  # the page is UTF-8 whatever its Content-Type says
        path = Path(url2pathname(parts.path)) if parts.scheme == "file" else Path(url)
        return path.read_bytes().decode("utf-8")
    except SpecWatchError:
        raise
    except Exception as error:  # requests' and the file system's errors alike: the page cannot be read
        raise SpecWatchError(f"cannot be fetched: {type(error).__name__}: {error}") from None


def unified_diff(old: str, new: str, name: str = "openapi.yaml") -> str:
    """A unified diff of the committed spec against the published one."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{name} (committed)", tofile=f"b/{name} (published)"))


def diff_markdown(old: str, new: str, url: str) -> str:
    """The pull request's description: where the page is, and the spec's unified diff."""
    diff = unified_diff(old, new)
    return (f"The published page of `GET /v2/runtimes/{{runtimeId}}/runs` changed its OpenAPI block.\n\n"
            f"Page: {url}\n\nThis updates `openapi.yaml` to the published block, verbatim. Review the breaking "
            f"changes (oasdiff, below or in the job summary) and update `contract.overlay.yaml` if the API's "
            f"conventions moved.\n\n```diff\n{diff}```\n")


def watch(page: str, spec_path: Path, diff_path: Path, url: str) -> int:
    """Compare the page's block with the committed spec; on a change, write the new spec and the diff."""
    new = extract_openapi(page)
    old = spec_path.read_bytes().decode("utf-8") if spec_path.is_file() else ""
    if new == old:
        return UNCHANGED
    diff_path.parent.mkdir(parents=True, exist_ok=True)
    diff_path.write_text(diff_markdown(old, new, url), encoding="utf-8")
    spec_path.write_bytes(new.encode("utf-8"))  # bytes: keep the page's line endings exactly
    return CHANGED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.spec_watch", description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"), help="the committed spec")
    parser.add_argument("--diff-out", type=Path, default=Path("spec-watch/diff.md"),
                        help="where the Markdown diff goes when the spec changed")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds to wait for the page")
    args = parser.parse_args(argv)

    url = spec_url()
    try:
        status = watch(fetch_page(url, args.timeout), args.spec, args.diff_out, url)
    except SpecWatchError as error:
        print(f"bad setting: {URL_SETTING} {url!r}: {error}", file=sys.stderr)
        return TOOL_ERROR
    if status == UNCHANGED:
        print(f"spec watch: the published OpenAPI block is the committed {args.spec}; nothing to do")
    else:
        print(f"spec watch: the published OpenAPI block changed: wrote {args.spec} and {args.diff_out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
