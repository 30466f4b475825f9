"""Start and stop the Fastify implementation (stacks/fastify/server.js) from Python.

    with FastifyServer(churn=True) as server:
        subprocess.run([...], env={**os.environ, **server.env()})

It needs `node` and `npm` (Node.js 20 or later) on PATH. `install()` installs the stack's packages from its lock file
(`npm ci --prefix stacks/fastify`) once per lock file; the project's tests call it themselves (tests/stacks/conftest.py),
so `python -m pytest tests` needs no step of its own.
"""

from __future__ import annotations

import fcntl
import hashlib
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
INSTALL_TIMEOUT = 600  # seconds: npm ci from the registry takes a few


class FastifyStackUnavailable(RuntimeError):
    """node or the stack's node_modules is missing: the message says what to run."""


def _stamp(stack_dir: Path) -> Path:
    """Written after a finished `npm ci`: the hash of the lock file it installed (npm ci empties node_modules first)."""
    return stack_dir / "node_modules" / ".bctrl-installed-lock-sha256"


def installed(stack_dir: Path | None = None) -> bool:
    """True when node_modules holds what the lock file says (a finished `npm ci` of this very lock file)."""
    stack_dir = stack_dir or STACK_DIR
    lock = stack_dir / "package-lock.json"
    stamp = _stamp(stack_dir)
    return lock.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == _digest(lock)


def install(stack_dir: Path | None = None) -> None:
    """`npm ci` from the lock file, unless node_modules already holds it. Callers at once (pytest-xdist workers) wait
    on one file lock, so one installs and the others find it done. Raises FastifyStackUnavailable in one line."""
    stack_dir = stack_dir or STACK_DIR
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise FastifyStackUnavailable("node and npm are not on PATH: install Node.js 20 or later (Debian: "
                                      "`apt-get install nodejs npm`)")
    with open(stack_dir / ".install.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if installed(stack_dir):
            return
        done = subprocess.run([npm, "ci", "--prefix", str(stack_dir), "--no-audit", "--no-fund"],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                              check=False)
        if done.returncode != 0:
            last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no output")
            raise FastifyStackUnavailable(f"`{INSTALL_COMMAND}` failed (exit {done.returncode}): {last.strip()}")
        _stamp(stack_dir).write_text(_digest(stack_dir / "package-lock.json"), encoding="utf-8")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
        if not installed():
            raise FastifyStackUnavailable(f"the Fastify stack's packages are not installed: run `{INSTALL_COMMAND}` "
                                          "(or call stacks.fastify.install())")
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


if __name__ == "__main__":  # python -m stacks.fastify: install, start it and print the export lines, until Ctrl-C
    install()
    with FastifyServer(churn="--churn" in sys.argv) as server:
        for name, value in server.env().items():
            print(f"export {name}={value}", flush=True)
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass
