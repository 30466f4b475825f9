"""Start and stop the Fastify implementation (stacks/fastify/server.js) from Python.

    with FastifyServer(churn=True) as server:
        subprocess.run([...], env={**os.environ, **server.env()})

It needs `node` (20 or later) on PATH and the stack's packages installed: `npm ci --prefix stacks/fastify`.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

STACK_DIR = Path(__file__).resolve().parent / "fastify"
SERVER_JS = STACK_DIR / "server.js"
INSTALL_COMMAND = "npm ci --prefix stacks/fastify"


class FastifyStackUnavailable(RuntimeError):
    """node or the stack's node_modules is missing: the message says what to run."""


class FastifyServer:
    """The Fastify server on a free loopback port, with the settings it printed (`env()` gives them as BCTRL_*)."""

    def __init__(self, churn: bool = False, start_timeout: float = 20.0) -> None:
        self.churn = churn
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.info: dict[str, str] = {}

    # What the server printed on start.
    @property
    def base_url(self) -> str:
        return self.info["baseUrl"]

    @property
    def api_key(self) -> str:
        return self.info["apiKey"]

    @property
    def other_api_key(self) -> str:
        return self.info["otherApiKey"]

    @property
    def runtime_id(self) -> str:
        return self.info["runtimeId"]

    @property
    def other_runtime_id(self) -> str:
        return self.info["otherRuntimeId"]

    @property
    def empty_runtime_id(self) -> str:
        return self.info["emptyRuntimeId"]

    @property
    def second_runtime_id(self) -> str:
        return self.info["secondRuntimeId"]

    def env(self) -> dict[str, str]:
        """The suite's settings that point it at this server."""
        return {
            "BCTRL_BASE_URL": self.base_url,
            "BCTRL_API_KEY": self.api_key,
            "BCTRL_RUNTIME_ID": self.runtime_id,
            "BCTRL_OTHER_RUNTIME_ID": self.other_runtime_id,
            "BCTRL_EMPTY_RUNTIME_ID": self.empty_runtime_id,
            "BCTRL_SECOND_RUNTIME_ID": self.second_runtime_id,
            "BCTRL_OTHER_API_KEY": self.other_api_key,
        }

    def start(self) -> "FastifyServer":
        node = shutil.which("node")
        if node is None:
            raise FastifyStackUnavailable(f"node is not on PATH: install Node.js 20, then run `{INSTALL_COMMAND}`")
        if not (STACK_DIR / "node_modules" / "fastify").is_dir():
            raise FastifyStackUnavailable(f"the Fastify stack's packages are not installed: run `{INSTALL_COMMAND}`")
        command = [node, str(SERVER_JS), "--port", "0"] + (["--churn"] if self.churn else [])
        self.process = subprocess.Popen(command, cwd=STACK_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8")
        line = self._first_line()
        try:
            self.info = json.loads(line)
        except ValueError:
            self.stop()
            raise RuntimeError(f"the Fastify server printed {line!r} instead of its settings") from None
        return self

    def _first_line(self) -> str:
        """The server's first stdout line, or an error with its stderr if it exits or stays silent."""
        assert self.process is not None and self.process.stdout is not None
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        if not got or not got[0]:
            self.stop()
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"the Fastify server did not start: {stderr.strip()[-2000:] or 'no output'}")
        return got[0].strip()

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> "FastifyServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        for stream in (self.process.stdout, self.process.stderr) if self.process else ():
            if stream is not None:
                stream.close()


if __name__ == "__main__":  # python -m stacks.fastify: start it and print the export lines, until Ctrl-C
    with FastifyServer(churn="--churn" in sys.argv) as server:
        for name, value in server.env().items():
            print(f"export {name}={value}", flush=True)
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass
