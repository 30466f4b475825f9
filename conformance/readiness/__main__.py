"""`python -m conformance.readiness [--write]`: print (or rewrite in README.md) "What the target needs"."""

from __future__ import annotations

import sys

from .needs_section import section, write


def main(argv: list[str]) -> int:
    text = section()
    if "--write" in argv:
        print("README.md rewritten" if write(text=text) else "README.md already up to date")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
