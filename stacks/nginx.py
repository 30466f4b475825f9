"""nginx at its defaults in front of a server, from Python: the front end production most likely has, with refusals
of its own (its HTML 400, 405 and 414), for the project's tests to run the suite through.

    with NginxFront(upstream_base_url) as front:
        front.base_url  # http://127.0.0.1:<free port>, proxying everything to the upstream

`install()` installs Debian's nginx-light when nginx is not on PATH (as root, as CI runs; once, one caller at a
time); the project's tests call it themselves (tests/stacks/conftest.py).
"""

from __future__ import annotations

import fcntl
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL_COMMAND = "apt-get update && apt-get install -y nginx-light"
INSTALL_TIMEOUT = 600  # seconds
LOCK = Path(tempfile.gettempdir()) / "bctrl-nginx-install.lock"
# The defaults that matter here are nginx's own (large_client_header_buffers 4 8k, proxy buffers, no TRACE): the
# configuration only says where to listen, where to proxy, and where to keep its files.
CONFIG = """daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass {upstream}; }}
  }}
}}
"""


class NginxUnavailable(RuntimeError):
    """nginx is not installed and could not be: the message says what to run."""


def install() -> str:
    """The nginx binary, installed with apt-get first if it is not on PATH. Raises NginxUnavailable in one line."""
    with open(LOCK, "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
        if found:
            return found
        if shutil.which("apt-get") is None:
            raise NginxUnavailable(f"nginx is not installed and there is no apt-get: install nginx ({INSTALL_COMMAND})")
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx-light"]):
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=INSTALL_TIMEOUT, check=False, env={"DEBIAN_FRONTEND": "noninteractive",
                                                                            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
            if done.returncode != 0:
                last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no output")
                raise NginxUnavailable(f"`{' '.join(command)}` failed (exit {done.returncode}): {last.strip()}")
        found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
        if not found:
            raise NginxUnavailable(f"nginx-light installed, but no nginx binary was found: {INSTALL_COMMAND}")
        return found


class NginxFront:
    """nginx on a free loopback port, proxying to `upstream` (a base URL), in a folder of its own."""

    def __init__(self, upstream: str, start_timeout: float = 10.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "NginxFront":
        binary = install()
        self._folder = tempfile.TemporaryDirectory(prefix="bctrl-nginx-")
        folder = Path(self._folder.name)
        folder.chmod(0o755)  # nginx's workers run as another user than a root master: they read and write here too
        self.port = _free_port()
        (folder / "nginx.conf").write_text(CONFIG.format(folder=folder, port=self.port, upstream=self.upstream),
                                           encoding="utf-8")
        self.process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self.start_timeout
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = (folder / "error.log").read_text(encoding="utf-8", errors="replace") \
                    if (folder / "error.log").exists() else ""
                self.stop()
                raise RuntimeError(f"nginx did not start: {error.strip()[-1000:] or 'no output'}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> "NginxFront":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0
