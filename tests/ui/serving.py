"""Servers for browser tests: started on 127.0.0.1 and a free port, stopped after the tests.

Used by the `app_url` fixture (tests/ui/conftest.py, serving app.py), the `canvas_url`
fixture (tests/ui/test_canvas_browser.py, serving tests/ui/canvas_page.py) and the `lab`
fixture (tests/ui/test_jupyterlab_browser.py, serving JupyterLab).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# First start imports TensorFlow and Panel; slow CI machines need well over a minute.
SERVER_START_TIMEOUT_S = 240


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_serving(
    url: str, process: subprocess.Popen, log: Path, timeout_s: float = SERVER_START_TIMEOUT_S
) -> None:
    """Returns once `url` answers 200; fails the test if the server exits or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[2]} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout_s} s:\n{log.read_text()}")


@contextlib.contextmanager
def serve(
    command: list[str],
    ready_url: str,
    log: Path,
    *,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    timeout_s: float = SERVER_START_TIMEOUT_S,
) -> Iterator[None]:
    """Runs the server `command` until the block ends, entering it once `ready_url` answers.

    Args:
      command: `[sys.executable, "-m", MODULE, ...]`: a Python module that serves.
      ready_url: A URL that answers 200 once the server is ready.
      log: File that receives the server's output (shown when it fails to start).
      cwd: The server's working folder. Default the repository root.
      env: The server's environment. Default this process's.
      timeout_s: Seconds to wait for `ready_url`. Default `SERVER_START_TIMEOUT_S`.
    """
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=None if env is None else dict(env), stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_serving(ready_url, process, log, timeout_s)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def panel_serve(
    script: str,
    log: Path,
    *,
    ready_path: str,
    env: Mapping[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[str]:
    """Serves `script` (relative to the repository root) with `panel serve` on 127.0.0.1.

    Args:
      script: The Panel script, e.g. `"app.py"`.
      log: File that receives the server's output (shown when it fails to start).
      ready_path: A path (`"/app"`) that answers once the server is ready.
      env: The server's environment. Default this process's.
      options: More `panel serve` options, e.g. `("--log-level", "debug")`.

    Yields:
      The base URL, `http://127.0.0.1:PORT`.
    """
    port = free_port()
    command = [
        *(sys.executable, "-m", "panel", "serve", script),
        *("--address", HOST, "--port", str(port)),
        *("--allow-websocket-origin", f"{HOST}:{port}"),
        *options,
    ]
    base = f"http://{HOST}:{port}"
    with serve(command, base + ready_path, log, env=env):
        yield base
