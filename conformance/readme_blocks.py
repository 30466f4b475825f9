"""The README's generated blocks: text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`, written by the module
that knows it (`python -m conformance.readiness --write`, `python -m conformance.profiles --write`) and compared
with it by the project's tests, so the README and the code cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def block(name: str, text: str) -> str:
    """`text` between the block's markers."""
    begin, end = markers(name)
    return f"{begin}\n{text}\n{end}"


def in_readme(name: str, path: Path = README) -> str | None:
    """The block as the README has it, markers included (None: the README has no such block)."""
    begin, end = markers(name)
    found = re.search(re.escape(begin) + ".*?" + re.escape(end), path.read_text(encoding="utf-8"), re.S)
    return found.group(0) if found else None


def write(name: str, text: str, path: Path = README) -> bool:
    """Put `text` (markers included) in place of the block; True when the README changed."""
    readme = path.read_text(encoding="utf-8")
    current = in_readme(name, path)
    new = readme.replace(current, text) if current else readme
    path.write_text(new, encoding="utf-8")
    return new != readme
