"""python -m conformance.discover: find out what a deployment does where the contract had to guess, and write
the overlay that says it (reports/discovered.overlay.yaml) with a diff to review (reports/discovered.md).

Settings are the suite's (BCTRL_* environment variables, or the same options); with no BCTRL_BASE_URL it runs
against the embedded reference server. At most 60 requests, GET only, at most 5 a second unless BCTRL_RATE_LIMIT
says otherwise. Exit status: 0 written, 1 the target did something no contract may allow (reported, not
written), 4 a tool error (bad setting, unreachable target, budget spent).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Mapping

from ..connection import connection
from ..outcomes import NOT_JUDGED, SettingsError, ToolError
from ..redaction import redact
from ..settings import SETTINGS, Settings, read_settings
from .conclude import conclude
from .findings import AGREES, DECIDE, DIFFERS, Discovery
from .overlay_writer import markdown, overlay_text
from .probes import BUDGET, Prober

# Rate cap when the profile sets none (the gate's default): the smoke profile's, which is safe for production.
DEFAULT_RATE = next(s for s in SETTINGS if s.env == "BCTRL_RATE_LIMIT").defaults["smoke"]
OVERLAY_NAME, MARKDOWN_NAME = "discovered.overlay.yaml", "discovered.md"


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    made = None
    try:
        settings = read_settings(os.environ if environ is None else environ,
                                 {s.dest: getattr(args, s.dest) for s in SETTINGS})
        budget = min(BUDGET, settings.request_budget)
        made = connection(settings, budget=budget, rate=_rate(settings))
        made.open(first_limit=1)
        target = made.target
        prober = Prober(made.api, target.other_runtime_id, target.empty_runtime_id, target.second_runtime_id)
        discovery = conclude(prober.observe(made.first_page), made.contract)
    except SettingsError as error:
        print(f"bad setting: {error}", file=sys.stderr)
        return NOT_JUDGED
    except ToolError as error:
        print(f"TOOL ERROR (the target was not judged): {redact(str(error))}", file=sys.stderr)
        print(f"requests: {made.session.requests_sent} (GET only; budget {budget})")
        return NOT_JUDGED
    except Exception as error:  # a bug of discovery's own is never reported as the target's (exit 1)
        print(f"TOOL ERROR (discovery failed on an answer it did not expect): {type(error).__name__}: "
              f"{redact(str(error))}", file=sys.stderr)
        return NOT_JUDGED
    finally:
        if made is not None:
            made.close()
    contract, session = made.contract, made.session
    status = 1 if discovery.violations else 0
    overlay = args.output or settings.reports_dir / OVERLAY_NAME
    report = settings.reports_dir / MARKDOWN_NAME
    overlay.parent.mkdir(parents=True, exist_ok=True)
    report.parent.mkdir(parents=True, exist_ok=True)
    overlay.write_text(overlay_text(settings.contract, discovery, contract, overlay), encoding="utf-8")
    report.write_text(markdown(discovery, target=target.description, contract_path=settings.contract,
                               overlay_path=overlay, requests=session.requests_sent, budget=budget,
                               exit_status=status), encoding="utf-8")
    _print(discovery, target.description, settings, session.requests_sent, budget, overlay, report)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance.discover", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, help=f"where to write the overlay (default: the reports folder's "
                                                    f"{OVERLAY_NAME}); its `extends` is written to resolve from there")
    group = parser.add_argument_group("settings", "the suite's; each option overrides its environment variable")
    for setting in SETTINGS:
        group.add_argument(setting.option, dest=setting.dest, default=None, help=f"{setting.help} [{setting.env}]")
    return parser


def _rate(settings: Settings) -> float:
    """The profile's cap; where it sets none, a production-safe one (none against the embedded server)."""
    return settings.rate_limit or (0.0 if settings.embedded else DEFAULT_RATE)


def _print(discovery: Discovery, target: str, settings: Settings, requests: int, budget: int, overlay: Path,
           report: Path) -> None:
    print(f"bctrl discovery: {target}; contract: {settings.contract}")
    for finding in discovery.findings:
        marker = {AGREES: "agrees", DIFFERS: "DIFFERS", DECIDE: "DECIDE"}.get(finding.outcome, finding.outcome)
        print(redact(f"  {marker:<9}  {finding.point}: {finding.target}"))
    for violation in discovery.violations:
        print(redact(f"VIOLATION  {violation.rule}: {violation.what}\n  reproduce: {violation.exchange.curl()}"))
    print(f"requests: {requests} (GET only; budget {budget})")
    changes = len(discovery.changes)
    print(f"wrote {overlay} ({changes} line(s) differ from the contract) and {report}")
    decisions = discovery.by_outcome(DECIDE)
    if decisions:
        print(f"{len(decisions)} of them are decisions for the API team (leniency the contract did not allow): "
              f"{', '.join(finding.point for finding in decisions)}; see {report}")
    if discovery.violations:
        print(f"{len(discovery.violations)} violation(s) no contract may allow: reported, not written (exit 1)")
    print(f"next: review {report}, then BCTRL_CONTRACT={overlay} python -m pytest")


if __name__ == "__main__":
    raise SystemExit(main())
