"""ReferenceServer: wires store, app, trouble and churn to an HTTP server in a background thread: Python's
http.server (handler.py, the default) or uvicorn (asgi.py)."""
from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, replace

from .app import RunsApp
from .churn import Churn
from .cursor import secret_for_seed
from .faults import check_fault_names
from .handler import RunsHTTPServer
from .seed import SeedInfo
from .store import RunStore
from .trouble import ANSWERED_KINDS, KINDS, Trouble
from .variants import ENVELOPES, Variants

__all__ = ["ENVELOPES", "STACKS", "ReferenceServer", "RequestRecord"]

STACKS = ("http.server", "uvicorn")


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: str
    status: int | None  # None when the connection was dropped without a response
    trouble: str | None


class ReferenceServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, faults=(), churn: bool = False,
                 trouble_rate: float = 0.0, error_envelope: str | None = None, max_limit: int | None = None,
                 api_key: str | None = None, seed: int = 7, request_log_path: str | None = None,
                 variants: Variants = Variants(), small_runtime_runs: int = 0, stack: str = "http.server"):
        # error_envelope= and max_limit= are shorthands for the same-named variants (they win over `variants`); a
        # maximum below the default page size lowers that too.
        if error_envelope is not None:
            variants = replace(variants, error_envelope=error_envelope)
        if max_limit is not None:
            lowered = min(variants.default_limit, max(max_limit, 1))
            variants = replace(variants, max_limit=max_limit, default_limit=lowered)
        if stack not in STACKS:
            raise ValueError(f"stack must be one of {STACKS}, got {stack!r}")
        if stack == "uvicorn" and variants.header_case == "canonical":
            raise ValueError("header_case='canonical' cannot be served under uvicorn: ASGI response header names are "
                             "lower-case (use stack='http.server')")
        self.variants, self.stack = variants, stack
        self.host, self.port = host, port
        self.faults = check_fault_names(faults)
        self.churn, self.seed, self.request_log_path = churn, seed, request_log_path
        # small_runtime_runs: also seed a runtime of the key with that many runs (seed_info.small_runtime_id).
        self.store = RunStore(seed=seed, api_key=api_key, faults=self.faults, tie_break=self.variants.tie_break,
                              small_runtime_runs=small_runtime_runs)
        self.seed_info: SeedInfo = self.store.seed_info
        self.app = RunsApp(self.store, self.faults, self.variants, secret_for_seed(seed))
        # Under uvicorn only the answered kinds (429, 503): the server owns the connection, none can be dropped.
        self.trouble = Trouble(trouble_rate, seed, KINDS if stack == "http.server" else ANSWERED_KINDS)
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()
        self._uvicorn = None  # asgi.UvicornThread under stack="uvicorn"
        self._httpd: RunsHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._churn: Churn | None = None

    # ---- lifecycle --------------------------------------------------------
    def start(self) -> "ReferenceServer":
        """Start serving; returns once the server accepts connections."""
        if self._httpd is not None or self._uvicorn is not None:
            raise RuntimeError("server already started")
        if self.stack == "uvicorn":
            from .asgi import RunsAsgiApp, UvicornThread

            self._uvicorn = UvicornThread(RunsAsgiApp(self), self.host, self.port)
            self.port = self._uvicorn.port
            try:
                self._uvicorn.start()
            except BaseException:
                self._uvicorn = None
                raise
        else:
            self._httpd = RunsHTTPServer((self.host, self.port), self)  # bound and listening on return
            self.port = self._httpd.server_address[1]
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="reference-server", daemon=True)
            self._thread.start()
        if self.churn:
            self._churn = Churn(self.store, retention=self.variants.retention)
            self._churn.start()
        return self

    def stop(self) -> None:
        if self._churn is not None:
            self._churn.stop()
            self._churn = None
        if self._uvicorn is not None:
            self._uvicorn.stop()
            self._uvicorn = None
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> "ReferenceServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # ---- request log ------------------------------------------------------
    @property
    def request_log(self) -> list[RequestRecord]:
        with self._records_lock:
            return list(self._records)

    def record(self, method: str, target: str, status: int | None, trouble: str | None) -> None:
        path, _, query = target.partition("?")
        entry = RequestRecord(method, path, query, status, trouble)
        with self._records_lock:
            self._records.append(entry)
            if self.request_log_path:
                with open(self.request_log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(asdict(entry)) + "\n")
