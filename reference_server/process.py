"""The reference server in a process of its own (the suite's embedded target): the suite's requests and the
server's answers then run on a core each. In the suite's interpreter they would share one lock (the GIL), and the
gate would take as long as the client's and the server's work added together.

`ServerProcess(**options)` takes ReferenceServer's options and offers what a caller of a started ReferenceServer
reads: `base_url`, `seed_info`, `stop()`, and use as a context manager.
"""
from __future__ import annotations

import multiprocessing

from .seed import SeedInfo

START_TIMEOUT = 30.0  # seconds for the process to start and the server to listen


def _serve(options: dict, pipe) -> None:
    """The child: start the server, hand back where it listens and its seed, serve until told to stop (or until
    the parent is gone and the pipe with it)."""
    from .server import ReferenceServer

    server = ReferenceServer(**options).start()
    try:
        pipe.send((server.base_url, server.seed_info))
        try:
            pipe.recv()
        except EOFError:
            pass
    finally:
        server.stop()


class ServerProcess:
    def __init__(self, **options):
        self.options = options
        self.base_url: str | None = None
        self.seed_info: SeedInfo | None = None
        self._pipe = None
        self._process = None

    def start(self) -> "ServerProcess":
        """Start the process; returns once its server accepts connections (RuntimeError if it never does)."""
        return self.launch().ready()

    def launch(self) -> "ServerProcess":
        """Start the process without waiting for its server (the caller goes on with other work meanwhile)."""
        # spawn, not fork: the caller may run threads already, and a forked child would inherit their locks held.
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.options, child), name="reference-server",
                                        daemon=True)
        self._process.start()
        child.close()
        return self

    def ready(self) -> "ServerProcess":
        """Wait until the launched server accepts connections (RuntimeError if it does not within START_TIMEOUT)."""
        if self.base_url is not None:
            return self
        if not self._pipe.poll(START_TIMEOUT):
            self.stop()
            raise RuntimeError(f"the reference server did not start within {START_TIMEOUT:.0f} s")
        try:
            self.base_url, self.seed_info = self._pipe.recv()
        except EOFError:
            exit_code = self._process.exitcode
            self.stop()
            raise RuntimeError(f"the reference server's process ended as it started (exit {exit_code})") from None
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        try:
            self._pipe.send("stop")
        except (BrokenPipeError, OSError):
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._pipe.close()
        self._process = self._pipe = None

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
