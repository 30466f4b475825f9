"""CLI: python -m reference_server --port 8787 [--fault NAME ...] [--churn] [--trouble-rate P] ..."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from .faults import FAULTS
from .server import ENVELOPES, ReferenceServer


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
    p.add_argument("--fault", action="extend", nargs="+", type=fault_name, default=[], metavar="NAME",
                   help="switch on a fault (repeatable)")
    p.add_argument("--churn", action="store_true", help="simulate live data")
    p.add_argument("--trouble-rate", type=rate, default=0.0, help="probability of transient trouble per request")
    p.add_argument("--error-envelope", choices=ENVELOPES, default="nested")
    p.add_argument("--max-limit", type=int, default=100)
    p.add_argument("--api-key", default=None, help="replace tenant A's key")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--request-log", default=None, metavar="FILE", help="append one NDJSON line per request")
    p.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    return p


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
    ])


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_faults:
        try:
            for fault in FAULTS.values():
                print(f"{fault.name}\t{fault.area}\t{fault.description}")
        except BrokenPipeError:  # e.g. piped into head
            sys.stdout = None
        return 0
    srv = ReferenceServer(host=args.host, port=args.port, faults=args.fault, churn=args.churn,
                          trouble_rate=args.trouble_rate, error_envelope=args.error_envelope,
                          max_limit=args.max_limit, api_key=args.api_key, seed=args.seed,
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
