"""CLI: python -m reference_server --port 8787 [--churn] [--trouble-rate P] [variant options] [--fault NAME ...]"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from .faults import FAULTS
from .server import ReferenceServer
from .variants import ABOVE_MAX, ENVELOPES, INVALID_QUERY_STATUSES, SCHEME_CASES, TIE_BREAKS, Variants


def fault_name(text: str) -> str:
    if text not in FAULTS:
        raise argparse.ArgumentTypeError(f"unknown fault {text!r} (see --list-faults)")
    return text


def rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be within 0..1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reference_server",
                                description="bctrl reference server for GET /v2/runtimes/{runtimeId}/runs")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    p.add_argument("--churn", action="store_true", help="simulate live data")
    p.add_argument("--trouble-rate", type=rate, default=0.0, help="probability of transient trouble per request")
    p.add_argument("--api-key", default=None, help="replace tenant A's key")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--request-log", default=None, metavar="FILE", help="append one NDJSON line per request")
    variants = p.add_argument_group(
        "legitimate variants", "choices a real API may make differently from the default contract; not bugs (the "
        "defaults are the default contract's)")
    default = Variants()
    variants.add_argument("--default-limit", type=int, default=None,
                          help=f"page size without a limit (default: {default.default_limit}, or --max-limit if lower)")
    variants.add_argument("--max-limit", type=int, default=default.max_limit,
                          help="the largest limit served (default: %(default)s)")
    variants.add_argument("--above-max", choices=ABOVE_MAX, default=default.above_max,
                          help="a limit above the maximum is refused, or clamped to the maximum (default: %(default)s)")
    variants.add_argument("--invalid-query-status", type=int, choices=INVALID_QUERY_STATUSES,
                          default=default.invalid_query_status,
                          help="status of a bad limit, status or cursor (default: %(default)s)")
    variants.add_argument("--error-envelope", choices=ENVELOPES, default=default.error_envelope,
                          help="bctrl error envelope (default: %(default)s)")
    variants.add_argument("--tie-break", choices=TIE_BREAKS, default=default.tie_break,
                          help="order by id of runs sharing a createdAt (default: %(default)s)")
    variants.add_argument("--scheme-case", choices=SCHEME_CASES, default=default.scheme_case,
                          help="whether `bearer` (any case) or only `Bearer` is accepted (default: %(default)s)")
    faults = p.add_argument_group("faults", "realistic bugs the default contract forbids")
    faults.add_argument("--fault", action="extend", nargs="+", type=fault_name, default=[], metavar="NAME",
                        help="switch on a fault (repeatable)")
    faults.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    return p


def variants_from(args: argparse.Namespace) -> Variants:
    default_limit = args.default_limit or min(Variants.default_limit, args.max_limit)
    return Variants(default_limit=default_limit, max_limit=args.max_limit, above_max=args.above_max,
                    invalid_query_status=args.invalid_query_status, error_envelope=args.error_envelope,
                    tie_break=args.tie_break, scheme_case=args.scheme_case)


def banner(srv: ReferenceServer) -> str:
    info = srv.seed_info
    faults = ",".join(sorted(srv.faults)) or "none"
    return "\n".join([
        f"bctrl reference server on {srv.base_url} (faults: {faults}, churn: {'on' if srv.churn else 'off'})",
        f"export BCTRL_BASE_URL={srv.base_url}",
        f"export BCTRL_API_KEY={info.api_key}",
        f"export BCTRL_RUNTIME_ID={info.runtime_id}",
        f"export BCTRL_OTHER_RUNTIME_ID={info.other_runtime_id}",
        f"export BCTRL_EMPTY_RUNTIME_ID={info.empty_runtime_id}",
        f"export BCTRL_SECOND_RUNTIME_ID={info.second_runtime_id}",
        f"# other tenant's key: {info.other_api_key}",
        f"# variants: {srv.variants.describe()}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_faults:
        try:
            for fault in FAULTS.values():
                print(f"{fault.name}\t{fault.area}\t{fault.description}")
        except BrokenPipeError:  # e.g. piped into head
            sys.stdout = None
        return 0
    try:
        variants = variants_from(args)
    except ValueError as error:
        parser.error(str(error))
    srv = ReferenceServer(host=args.host, port=args.port, faults=args.fault, churn=args.churn,
                          trouble_rate=args.trouble_rate, variants=variants, api_key=args.api_key, seed=args.seed,
                          request_log_path=args.request_log)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    srv.start()
    print(banner(srv), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        srv.stop()
        print("bctrl reference server stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
