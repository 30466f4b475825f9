"""CLI: python -m reference_server --port 8787 [--stack uvicorn] [--churn] [--trouble-rate P] [--personality NAME]
[variant and personality options] [--fault NAME ...]"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import fields, replace

from .faults import FAULTS
from .server import STACKS, ReferenceServer
from .variants import (ABOVE_MAX, COMPRESSIONS, CURSOR_BINDINGS, CURSOR_STYLES, ENVELOPES, ERROR_MEDIA_TYPES,
                       FRAMINGS, FRONT_ENDS, HEADER_CASES, INVALID_QUERY_STATUSES, LIMIT_PARSERS, PERSONALITIES,
                       REQUEST_IDS, RUNTIME_ID_SHAPES, SCHEME_CASES, TIE_BREAKS, TIMESTAMPS, UNROUTED, VALIDATORS, Variants)


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


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 3600.0:
        raise argparse.ArgumentTypeError(f"must be within 0..3600 seconds: {text!r}")
    return value


def milliseconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of milliseconds: {text!r}") from None
    if not 0 <= value <= 60_000:
        raise argparse.ArgumentTypeError(f"must be within 0..60000 ms: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reference_server",
                                description="bctrl reference server for GET /v2/runtimes/{runtimeId}/runs")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    p.add_argument("--stack", choices=STACKS, default="http.server",
                   help="the HTTP server: Python's http.server, or uvicorn (h11) serving the app over ASGI; under "
                        "uvicorn --trouble-rate injects only 429s and 503s (default: %(default)s)")
    p.add_argument("--churn", action="store_true", help="simulate live data")
    p.add_argument("--trouble-rate", type=rate, default=0.0, help="probability of transient trouble per request")
    p.add_argument("--api-key", default=None, help="replace tenant A's key")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--request-log", default=None, metavar="FILE", help="append one NDJSON line per request")
    variants = p.add_argument_group(
        "legitimate variants", "choices a real API may make differently from the default contract; not bugs (the "
        "defaults are the default contract's, or the --personality's)")
    default = Variants()
    variants.add_argument("--default-limit", type=int, default=None,
                          help=f"page size without a limit (default: {default.default_limit}, or --max-limit if lower)")
    variants.add_argument("--max-limit", type=int, default=None,
                          help=f"the largest limit served (default: {default.max_limit})")
    variants.add_argument("--above-max", choices=ABOVE_MAX, default=None,
                          help=f"a limit above the maximum is refused, or clamped to the maximum (default: "
                               f"{default.above_max})")
    variants.add_argument("--invalid-query-status", type=int, choices=INVALID_QUERY_STATUSES, default=None,
                          help=f"status of a bad limit, status or cursor (default: {default.invalid_query_status})")
    variants.add_argument("--error-envelope", choices=ENVELOPES, default=None,
                          help=f"bctrl error envelope (default: {default.error_envelope})")
    variants.add_argument("--tie-break", choices=TIE_BREAKS, default=None,
                          help=f"order by id of runs sharing a createdAt (default: {default.tie_break})")
    variants.add_argument("--scheme-case", choices=SCHEME_CASES, default=None,
                          help=f"whether `bearer` (any case) or only `Bearer` is accepted (default: "
                               f"{default.scheme_case})")
    variants.add_argument("--validators", choices=VALIDATORS, default=None,
                          help=f"validators on pages: none, a strong ETag (If-None-Match answered 304), or an ETag "
                               f"and Last-Modified (If-Modified-Since too) (default: {default.validators})")
    habits = p.add_argument_group(
        "personalities", "other stacks' habits, each a legal variant too; --personality sets a stack's bundle, and "
        "the single options override its fields")
    habits.add_argument("--personality", choices=sorted(PERSONALITIES), default=None,
                        help="; ".join(f"{name}: {PERSONALITIES[name].describe()}" for name in sorted(PERSONALITIES)))
    habits.add_argument("--header-case", choices=HEADER_CASES, default=None,
                        help=f"response header names as written, all lower-case, or Go-canonical (default: "
                             f"{default.header_case})")
    habits.add_argument("--charset", action=argparse.BooleanOptionalAction, default=None,
                        help="JSON answers say `; charset=utf-8` (default: no)")
    habits.add_argument("--compression", choices=COMPRESSIONS, default=None,
                        help=f"gzip bodies when Accept-Encoding allows it (default: {default.compression})")
    habits.add_argument("--framing", choices=FRAMINGS, default=None,
                        help=f"Content-Length or Transfer-Encoding: chunked (default: {default.framing})")
    habits.add_argument("--timestamps", choices=TIMESTAMPS, default=None,
                        help=f"how instants are written (default: {default.timestamps})")
    habits.add_argument("--limit-parser", choices=LIMIT_PARSERS, default=None,
                        help=f"plain digits, Ajv's Number() coercion, or parseInt(text, 10) (default: "
                             f"{default.limit_parser})")
    habits.add_argument("--unrouted", choices=UNROUTED, default=None,
                        help=f"other methods and paths: bctrl 405/404, Fastify's router 404, Express's router and "
                             f"HTML 404 (default: {default.unrouted})")
    habits.add_argument("--runtime-id-shape", choices=RUNTIME_ID_SHAPES, default=None,
                        help=f"a runtime id that is not a UUID is refused 400 (default: {default.runtime_id_shape})")
    habits.add_argument("--cursor-binding", choices=CURSOR_BINDINGS, default=None,
                        help=f"a cursor is bound to its status filter (default: {default.cursor_binding})")
    habits.add_argument("--cursor-style", choices=CURSOR_STYLES, default=None,
                        help=f"signed position cursors, or base64 {{\"page\": N}} (default: {default.cursor_style})")
    habits.add_argument("--error-media-type", choices=ERROR_MEDIA_TYPES, default=None,
                        help=f"media type of error bodies (default: {default.error_media_type})")
    habits.add_argument("--request-id", choices=REQUEST_IDS, default=None,
                        help=f"where an error's request id goes (default: {default.request_id})")
    habits.add_argument("--read-lag", type=seconds, default=None, metavar="SECONDS",
                        help="under --churn, lists see the data as it was that long ago (a lagging read replica) "
                             "(default: 0)")
    habits.add_argument("--retention", action=argparse.BooleanOptionalAction, default=None,
                        help="under --churn, the main runtime's oldest run is deleted every 2 s (default: no)")
    habits.add_argument("--latency", dest="latency_ms", type=milliseconds, default=None, metavar="MS",
                        help="every answer waits this many milliseconds before it is written (default: 0)")
    habits.add_argument("--front-end", choices=FRONT_ENDS, default=None,
                        help="a front end at its defaults that answers some requests itself, with its own HTML "
                             "(nginx: two Authorization lines 400, TRACE 405 without Allow, a request line over "
                             "8 KiB 414) (default: none)")
    faults = p.add_argument_group("faults", "realistic bugs the default contract forbids")
    faults.add_argument("--fault", action="extend", nargs="+", type=fault_name, default=[], metavar="NAME",
                        help="switch on a fault (repeatable)")
    faults.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    return p


def variants_from(args: argparse.Namespace) -> Variants:
    """The --personality's variants (the default contract's without one), with every option given on top."""
    base = PERSONALITIES[args.personality] if args.personality else Variants()
    given = {f.name: getattr(args, f.name) for f in fields(Variants)
             if f.name != "default_limit" and getattr(args, f.name, None) is not None}
    max_limit = given.get("max_limit", base.max_limit)
    return replace(base, **given, default_limit=args.default_limit or min(base.default_limit, max_limit))


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
        f"# stack: {srv.stack}",
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
    try:
        srv = ReferenceServer(host=args.host, port=args.port, faults=args.fault, churn=args.churn,
                              trouble_rate=args.trouble_rate, variants=variants, api_key=args.api_key, seed=args.seed,
                              request_log_path=args.request_log, stack=args.stack)
    except ValueError as error:
        parser.error(str(error))
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
