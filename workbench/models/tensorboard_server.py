"""TensorBoard on the workspace's jobs, started from the app with one click.

`TensorBoardServer` runs `python -m tensorboard.main --logdir <workspace>/jobs` as a child
process bound to 127.0.0.1 on a free port; TensorBoard serves its own pages and scripts, so
it works offline. There is one per workspace and app process (`tensorboard_for`): every
session's button shows the same one. It ends with the app: at interpreter exit, and, on
Linux, when the app's process dies in any way (the child asks the kernel for SIGTERM when its
parent goes, `PR_SET_PDEATHSIG`; it is forked from a thread that lives as long as the app,
since the signal follows the forking thread).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import param

from workbench.models.jobs.process import describe_exit

__all__ = ["STATES", "TensorBoardServer", "stop_all", "tensorboard_for"]

HOST = "127.0.0.1"
# TensorBoard imports TensorFlow before it serves: tens of seconds on a busy small machine.
START_TIMEOUT_SECS = 180.0
# Seconds between two reads of the event files: new runs of a sweep show up soon.
RELOAD_SECS = 5
_LOG_FOLDER = ".tensorboard"  # Hidden: job listings skip it.
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
#: The states of a `TensorBoardServer`, in the order they come.
STATES = ("new", "starting", "running", "stopped", "failed")
_SERVERS: dict[str, TensorBoardServer] = {}
_LOCK = threading.Lock()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _die_with_parent():
    """A `preexec_fn` asking Linux to end the child when its parent ends; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # Looked up before the fork.
    except (OSError, AttributeError):
        return None
    return lambda: prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


class _Spawner:
    """Starts child processes from one thread that lives as long as this process.

    Linux sends `PR_SET_PDEATHSIG` when the *thread* that forked the child ends, not only
    the process: a child forked from a page's callback thread would be killed when that
    thread is retired. This thread is never retired.
    """

    def __init__(self):
        self._requests: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _serve(self) -> None:
        while True:
            make, answer = self._requests.get()
            try:
                answer.put((make(), None))
            except BaseException as err:  # noqa: BLE001 - handed to the caller, raised there.
                answer.put((None, err))

    def popen(self, *args, **kwargs) -> subprocess.Popen:
        """`subprocess.Popen(*args, **kwargs)`, forked from the spawner's thread."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="spawner", daemon=True)
                self._thread.start()
        answer: queue.Queue = queue.Queue(maxsize=1)
        self._requests.put((lambda: subprocess.Popen(*args, **kwargs), answer))
        process, err = answer.get()
        if err is not None:
            raise err
        return process


_SPAWNER = _Spawner()


class TensorBoardServer(param.Parameterized):
    """A TensorBoard process serving `logdir` on 127.0.0.1.

    Its `state`: `new` (never started), `starting` (launched, not answering yet), `running`
    (at `url`), `stopped` (by `stop`) or `failed` (`error` says why: it exited, or never
    answered). A TensorBoard that exits by itself while running is noticed by `refresh`.

    Args:
      logdir: The folder TensorBoard reads (each sub-folder with event files is a run).
      log_file: Where TensorBoard's output goes.
    """

    logdir = param.String(default="", constant=True, doc="The folder TensorBoard reads.")
    state = param.Selector(
        default="new",
        objects=list(STATES),
        doc="new, starting (waiting for it to answer), running, stopped or failed.",
    )
    url = param.String(default="", doc="Its address, http://127.0.0.1:PORT/, once running.")
    error = param.String(default="", doc="Why it failed to start ('' otherwise).")

    def __init__(self, logdir: str, *, log_file: str, **params):
        super().__init__(logdir=os.path.realpath(logdir), **params)
        self.log_file = log_file
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self, *, python: str | None = None, wait: bool = False) -> None:
        """Starts TensorBoard unless it is running or starting; `state` follows (`failed`,
        with the reason, when its process cannot even be made).

        Args:
          python: The interpreter; default this one.
          wait: Whether to return only once it answers (or failed); default in the
            background.
        """
        with self._lock:
            if self.state in ("starting", "running") and self._alive():
                watcher = None
            else:
                try:
                    watcher = self._launch(python or sys.executable)
                except OSError as err:  # No interpreter, a read-only workspace, ...
                    self._process = None
                    reason = f"TensorBoard could not be started: {type(err).__name__}: {err}"
                    self.param.update(state="failed", url="", error=reason)
                    watcher = None
        if watcher is not None and wait:
            watcher.join()

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _launch(self, python: str) -> threading.Thread:
        os.makedirs(self.logdir, exist_ok=True)
        os.makedirs(os.path.dirname(self.log_file), exist_ok=True)
        port = _free_port()
        command = [
            *(python, "-m", "tensorboard.main", "--logdir", self.logdir),
            *("--host", HOST, "--port", str(port), "--reload_interval", str(RELOAD_SECS)),
            "--load_fast=false",  # The pure-Python reader: no data-server binary to fetch.
        ]
        with open(self.log_file, "ab") as log:
            self._process = _SPAWNER.popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(),
            )
        url = f"http://{HOST}:{port}/"
        self.param.update(state="starting", url="", error="")
        watcher = threading.Thread(
            target=self._wait_until_serving, args=(self._process, url), daemon=True
        )
        watcher.start()
        return watcher

    def _wait_until_serving(self, process: subprocess.Popen, url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._failed(process, f"TensorBoard exited ({describe_exit(process.returncode)})")
                return
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    if response.status == 200:
                        with self._lock:
                            if process is self._process:  # Not stopped meanwhile.
                                self.param.update(state="running", url=url)
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self._failed(process, f"TensorBoard did not answer on {url} within "
                     f"{START_TIMEOUT_SECS:.0f} s")  # fmt: skip

    def refresh(self) -> str:
        """Notices a TensorBoard that exited by itself (`failed`, saying how); returns `state`."""
        process = self._process
        if self.state in ("starting", "running") and process is not None:
            if process.poll() is not None:
                how = describe_exit(process.returncode)
                self._failed(process, f"TensorBoard exited while {self.state} ({how})")
        return self.state

    def _failed(self, process: subprocess.Popen, reason: str) -> None:
        tail = ""
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-8:])
        except OSError:
            pass
        with self._lock:
            if process is not self._process:  # Stopped, or started again, meanwhile.
                return
            self._process = None
            if process.poll() is None:  # It never answered: it must not linger.
                process.kill()
                process.wait()
            self.param.update(state="failed", url="", error=f"{reason}; its log ends:\n{tail}")

    def stop(self, timeout: float = 10.0) -> None:
        """Ends the TensorBoard process (SIGTERM, then SIGKILL after `timeout`): `stopped`.

        One never started stays `new`; one that failed stays `failed` (with its reason).
        """
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self.param.update(state="stopped", url="", error="")


def tensorboard_for(workspace: str | os.PathLike) -> TensorBoardServer:
    """This process's TensorBoard on `<workspace>/jobs` (made, not started, on first use)."""
    root = os.path.realpath(os.fspath(workspace))
    with _LOCK:
        server = _SERVERS.get(root)
        if server is None:
            server = _SERVERS[root] = TensorBoardServer(
                os.path.join(root, "jobs"),
                log_file=os.path.join(root, _LOG_FOLDER, "tensorboard.log"),
            )
        return server


@atexit.register
def stop_all() -> None:
    """Stops every TensorBoard this process started (also run at interpreter exit)."""
    for server in list(_SERVERS.values()):
        server.stop()
