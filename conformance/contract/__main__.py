"""Print (or write) the effective contract: `python -m conformance.contract [--output FILE]`: the overlay applied to
the spec, with what its lines imply written out (model.derived_document), as the suite and Schemathesis read it.
`--write-readme` writes the README's table of overlay lines from the registry (choices.py) instead."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from .. import readme_blocks
from . import DEFAULT_OVERLAY, effective_document, spec_extended_by
from .choices import README_BLOCK, readme_block
from .model import derived_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.contract", description=__doc__)
    parser.add_argument("--spec", type=Path, help="the published OpenAPI document (default: the one the overlay extends)")
    parser.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY, help="the Overlay with the default contract")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    parser.add_argument("--write-readme", action="store_true",
                        help="write the README's table of overlay lines from the registry of choices, and stop")
    args = parser.parse_args(argv)
    if args.write_readme:
        readme_blocks.write(README_BLOCK, readme_block())
        return 0
    spec = args.spec or spec_extended_by(args.overlay)
    document = derived_document(effective_document(spec, args.overlay))
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
