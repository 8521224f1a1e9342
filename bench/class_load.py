"""A class on one server: N sessions editing their own designs, without and with training jobs.

Starts the app as a teacher would for a class (`scripts/serve.sh` with `HOST=0.0.0.0` and a
password: the login page, the Host and origin checks, the pending-session caps), then opens
N sessions the way a browser does: log in through the login form, load `/app`, open its
websocket with the page's token and cookies, pull the document and announce it ready. Each
session then loads a template and makes an edit every few seconds, alternately renaming its
design in the property sheet and dropping a layer onto the canvas. An edit's latency is the
time from sending the change to receiving both results a screen shows: the canvas's new
design and the new generated code. Phase one runs with no job, phase two with 2 LeNet jobs
training in the same workspace.

Printed: p50/p95/max edit latency per phase, errors (HTTP, websocket, edits not shown within
`--edit-timeout`, error lines in the server log), whether each session saw only its own
design, and the server's resident memory (with its child processes) before the sessions,
after the first one (TensorFlow is imported then, once per process), after all of them
(the difference over N-1 is the memory per session) and at its peak.

    .venv/bin/python bench/class_load.py --quick    # 10 sessions, 30 s per phase
    .venv/bin/python bench/class_load.py            # 30 sessions, 3 min per phase
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psutil
from bokeh.client.websocket import WebSocketClientConnectionWrapper
from bokeh.protocol import Protocol
from bokeh.protocol.messages.patch_doc import patch_doc
from bokeh.protocol.receiver import Receiver
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.models.jobs import start as start_job  # noqa: E402

USER = "slim"
# Not "lenet": a new session shows it already, and loading it again changes nothing.
TEMPLATES = ("cifarnet", "vgg_16", "resnet_small", "inception_block")
JOB = {"model": {"net": "lenet"}, "train": {"steps": 1_000_000}, "device": "cpu"}
CODE_MARK = "Slim Workbench from its design"  # In the generated code's docstring.
CDN_HOSTS = ("cdn.holoviz.org", "cdn.bokeh.org")
# TensorFlow's error-level lines when it looks for a GPU on a machine without one.
BENIGN_LOG_LINES = ("failed call to cuInit",)
NAME = re.compile(r"student-(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def decoded(value):
    """A value as Bokeh's wire format sent it, with its maps made dicts."""
    if isinstance(value, dict):
        if value.get("type") == "map":
            return {key: decoded(item) for key, item in value.get("entries", [])}
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def collect_models(value, found: dict) -> dict:
    """Every model definition (`{"type": "object", "id": ...}`) inside a message's content."""
    if isinstance(value, dict):
        if value.get("type") == "object" and "id" in value and "name" in value:
            found[value["id"]] = value
        for item in value.values():
            collect_models(item, found)
    elif isinstance(value, list):
        for item in value:
            collect_models(item, found)
    return found


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Server:
    """`scripts/serve.sh` with HOST=0.0.0.0 and a password, on a free port and workspace."""

    def __init__(self, workspace: str, log_path: Path, procs: int = 1):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(18)
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115
        env = dict(
            os.environ,
            HOST="0.0.0.0",
            PORT=str(self.port),
            PASSWORD=self.password,
            PROCS=str(procs),
            SLIM_WORKBENCH_WORKSPACE=workspace,
            VENV=str(Path(sys.executable).parents[1]),
        )
        self.process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited: see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"the server did not listen within {timeout} s")

    def rss_mib(self) -> float:
        """Resident memory of the serving process tree (the shell, Python, its children)."""
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return float("nan")
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 2**20

    def cpu_secs(self) -> float:
        """CPU time (user + system) of the serving process tree so far."""
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return float("nan")
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def log_errors(self) -> list[str]:
        text = self.log_path.read_text(errors="replace")
        return [
            line
            for line in text.splitlines()
            if (" ERROR" in line or "Traceback" in line or line.startswith("E0"))
            and not any(benign in line for benign in BENIGN_LOG_LINES)
        ]

    def close(self) -> None:
        os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
        self.log.close()


class Session:
    """One student's browser, as the Bokeh protocol sees it."""

    def __init__(self, index: int, server: Server, timeout: float):
        self.index = index
        self.server = server
        self.timeout = timeout
        self.name = f"student-{index:02d}"
        self.errors: list[str] = []
        self.foreign: set[str] = set()  # Other students' design names seen here.
        self.latencies: dict[str, list[float]] = {}  # Phase -> edit latencies (s).
        self.models: dict[str, dict] = {}
        self.spec: dict = {}
        self.spec_seq = self.code_seq = 0
        self.shown_again: list[str] = []  # ids of kept models made visible again
        self.code = ""
        self.changed = asyncio.Event()
        self.closing = False
        self.expected_name = "lenet"  # The design a new session shows.

    # --- connecting -------------------------------------------------------------------------

    async def open(self) -> None:
        http = AsyncHTTPClient()
        form = urllib.parse.urlencode({"username": USER, "password": self.server.password})
        login = await http.fetch(
            f"{self.server.base}/login",
            method="POST",
            body=form,
            follow_redirects=False,
            raise_error=False,
        )
        if login.code != 302 or "/login" in login.headers.get("Location", "/login"):
            raise RuntimeError(f"login answered {login.code} {login.headers.get('Location')}")
        cookies = [header.split(";")[0] for header in login.headers.get_list("Set-Cookie")]
        headers = {"Cookie": "; ".join(cookies), "Origin": self.server.base}
        page = await http.fetch(f"{self.server.base}/app", headers=headers, request_timeout=300)
        token = re.search(r'"token":\s*"([^"]+)"', page.body.decode())
        if token is None:
            raise RuntimeError("the page holds no session token")
        url = self.server.base.replace("http", "ws", 1) + "/app/ws"
        self.socket = await websocket_connect(
            HTTPRequest(url, headers=headers, request_timeout=300),
            subprotocols=["bokeh", token.group(1)],
            max_message_size=200 * 2**20,
        )
        self.wrapper = WebSocketClientConnectionWrapper(self.socket)
        self.protocol = Protocol()
        self.receiver = Receiver(self.protocol)
        ack = await self._next_message()
        if ack.header["msgtype"] != "ACK":
            raise RuntimeError(f"expected ACK, got {ack.header['msgtype']}")
        await self.protocol.create("PULL-DOC-REQ").send(self.wrapper)
        reply = await self._next_message()
        collect_models(reply.content, self.models)
        # A session built anew when its websocket connects (its page's session has expired,
        # or, with several processes, lives in another one) points at Panel's CDN.
        if any(cdn in json.dumps(reply.content) for cdn in CDN_HOSTS):
            self.errors.append("page resources come from a CDN (unreachable for an offline class)")
        self.reader = asyncio.create_task(self._read())
        # What BokehJS sends once the page has rendered; Panel's onload callbacks run on it.
        await self._send_event("document_ready", {})

    async def close(self) -> None:
        self.closing = True
        self.socket.close()
        await asyncio.gather(self.reader, return_exceptions=True)

    async def _next_message(self):
        while True:
            fragment = await self.socket.read_message()
            if fragment is None:
                raise ConnectionError("the websocket closed")
            message = await self.receiver.consume(fragment)
            if message is not None:
                return message

    async def _read(self) -> None:
        try:
            while True:
                message = await self._next_message()
                kind = message.header["msgtype"]
                if kind == "ERROR":
                    self.errors.append(f"server error message: {message.content}")
                elif kind == "PATCH-DOC":
                    self._patched(message.content)
        except ConnectionError as err:
            if not self.closing:
                self.errors.append(str(err))

    def _patched(self, content: dict) -> None:
        for event in content.get("events", []):
            if event.get("kind") != "ModelChanged":
                continue
            new = event.get("new")
            if event.get("attr") == "children":  # New widgets, e.g. a new property sheet.
                collect_models(new, self.models)
            elif event.get("attr") == "visible" and new is True:  # e.g. a kept property sheet
                self.shown_again.append(event.get("model", {}).get("id"))
            elif event.get("attr") == "spec":
                self.spec = decoded(new)
                self.spec_seq += 1
                self._check_own(str(self.spec.get("name", "")))
            elif event.get("attr") == "text" and isinstance(new, str) and CODE_MARK in new:
                self.code = new
                self.code_seq += 1
                self._check_own(new)
        self.changed.set()

    def _check_own(self, text: str) -> None:
        for index in NAME.findall(text):
            if int(index) != self.index:
                self.foreign.add(f"student-{index}")

    # --- acting -----------------------------------------------------------------------------

    def _model(self, kind: str, **attributes) -> str:
        """The id of the latest model of `kind` (class name suffix) with `attributes`."""
        for model_id, model in reversed(self.models.items()):
            values = model.get("attributes", {})
            if model["name"].endswith(kind) and all(
                values.get(k) == v for k, v in attributes.items()
            ):
                return model_id
        raise LookupError(f"no {kind} with {attributes} on the page")

    def _canvas(self) -> str:
        return self._model("ReactiveESM", class_name="DesignCanvas")

    async def _send(self, events: list[dict]) -> None:
        await patch_doc(patch_doc.create_header(), {}, {"events": events}).send(self.wrapper)

    async def _send_event(self, name: str, values: dict) -> None:
        event = {"type": "event", "name": name, "values": values}
        await self._send([{"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": event}])

    async def _set(self, model_id: str, attr: str, value) -> None:
        await self._send(
            [{"kind": "ModelChanged", "model": {"id": model_id}, "attr": attr, "new": value}]
        )

    async def _canvas_message(self, message: dict) -> None:
        await self._send_event("data_event", {"model": {"id": self._canvas()}, "data": message})

    async def _shown(self, what: str, check) -> float:
        """Waits until a new design and new code have arrived and `check()` holds; seconds."""
        spec_seq, code_seq = self.spec_seq, self.code_seq
        start = time.perf_counter()
        end = start + self.timeout
        while not (self.spec_seq > spec_seq and self.code_seq > code_seq and check()):
            self.changed.clear()
            left = end - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{what}: not shown within {self.timeout:.0f} s")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                pass
        return time.perf_counter() - start

    async def load_template(self, name: str) -> float:
        await self._set(self._model("CustomSelect", title="Template"), "value", name)
        button = self._model("Button", label="Load template")
        self.expected_name = name
        shown = self._shown(f"template {name}", lambda: self.spec.get("name") == name)
        await self._send_event("button_click", {"model": {"id": button}})
        return await shown

    async def rename(self, name: str) -> float:
        if self.spec.get("selected") or self._selected:
            await self._canvas_message({"action": "select", "path": None})
            await self._sheet_with_name()
        field = self._model("TextInput", title="name")
        self.expected_name = name
        shown = self._shown("rename", lambda: self.spec.get("name") == name and name in self.code)
        await self._set(field, "value", name)
        return await shown

    async def insert_layer(self) -> float:
        blocks = len(self.spec.get("blocks", []))
        shown = self._shown("insert", lambda: len(self.spec.get("blocks", [])) == blocks + 1)
        await self._canvas_message(
            {"action": "insert", "op": "dropout", "container": "blocks", "index": 1}
        )
        latency = await shown
        self._selected = True  # The canvas selects what was dropped.
        return latency

    _selected = False

    def _holds_name_field(self, value, seen: set | None = None) -> bool:
        """Whether the model (or reference) `value` holds the design's `name` field."""
        seen = set() if seen is None else seen
        if isinstance(value, dict):
            if "id" in value:
                if value["id"] in seen:
                    return False
                seen.add(value["id"])
                value = self.models.get(value["id"], value)
            attributes = value.get("attributes", {})
            if value.get("name", "").endswith("TextInput") and attributes.get("title") == "name":
                return True
            return any(self._holds_name_field(item, seen) for item in attributes.values())
        if isinstance(value, list):
            return any(self._holds_name_field(item, seen) for item in value)
        return False

    async def _sheet_with_name(self) -> None:
        """Waits for the property sheet of the design (shown when nothing is selected): a
        new one, or the kept one shown again."""
        before, shown_before = len(self.models), len(self.shown_again)
        end = time.perf_counter() + self.timeout
        while True:
            new = list(self.models.items())[before:]
            if any(
                m["name"].endswith("TextInput") and m.get("attributes", {}).get("title") == "name"
                for _, m in new
            ) or any(
                self._holds_name_field({"id": model_id})
                for model_id in self.shown_again[shown_before:]
            ):
                self._selected = False
                return
            self.changed.clear()
            left = end - time.perf_counter()
            if left <= 0:
                raise TimeoutError("deselect: the design's sheet not shown")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                pass

    async def edit(self, phase: str, count: int) -> None:
        try:
            if count % 2:
                latency = await self.insert_layer()
            else:
                latency = await self.rename(f"{self.name}-e{count}")
            self.latencies.setdefault(phase, []).append(latency)
        except (TimeoutError, LookupError, ConnectionError) as err:
            self.errors.append(f"{phase} edit {count}: {err}")


async def run_phase(sessions: list[Session], phase: str, duration: float, every: float) -> None:
    """Each session edits every `every` s for `duration` s, starting at a random offset."""
    counts = {session.index: 0 for session in sessions}

    end = time.monotonic() + duration

    async def student(session: Session) -> None:
        await asyncio.sleep(random.uniform(0, min(every, duration)))
        while time.monotonic() < end:
            started = time.monotonic()
            counts[session.index] += 1
            await session.edit(phase, counts[session.index] + (1000 if phase != "no job" else 0))
            pause = min(every - (time.monotonic() - started), end - time.monotonic())
            await asyncio.sleep(max(0.0, pause))

    await asyncio.gather(*(student(session) for session in sessions))


class Usage:
    """CPU used during a phase, in cores: the server, this client, and the whole machine."""

    def __init__(self, server: Server):
        self.server = server
        self.start = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        machine = psutil.cpu_times()
        own = psutil.Process().cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        return time.monotonic(), self.server.cpu_secs(), own.user + own.system, busy

    def cores(self) -> str:
        end = self._now()
        wall, server, client, machine = (b - a for a, b in zip(self.start, end))
        return (
            f"server {server / wall:.2f}, this client {client / wall:.2f}, "
            f"all processes {machine / wall:.2f} of {os.cpu_count()} cores"
        )


def wait_running(jobs, timeout: float = 300) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        states = [job.status() for job in jobs]
        if all(state.get("state") == "running" and state.get("step", 0) > 0 for state in states):
            return
        time.sleep(1)
    raise SystemExit(f"the jobs did not start training within {timeout} s: {states}")


def summary(values: list[float]) -> str:
    if not values:
        return "no edits"
    return (
        f"p50 {statistics.median(values):.3f} s, p95 {percentile(values, 0.95):.3f} s, "
        f"max {max(values):.3f} s ({len(values)} edits)"
    )


async def main_async(args: argparse.Namespace) -> int:
    workspace = tempfile.mkdtemp(prefix="class-load-")
    server = Server(workspace, Path(workspace) / "serve.log", args.procs)
    sessions: list[Session] = []
    jobs = []
    peak = 0.0
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, server.rss_mib())
            await asyncio.sleep(1)

    try:
        await asyncio.to_thread(server.wait_ready)
        sampler = asyncio.create_task(sample())
        rss = {"idle": server.rss_mib()}
        started = time.perf_counter()
        first = Session(0, server, args.edit_timeout)
        await first.open()
        await first.load_template(TEMPLATES[0])
        await asyncio.sleep(args.settle)  # The first page's background import of TensorFlow.
        rss["one session"] = server.rss_mib()
        sessions.append(first)
        others = [Session(i, server, args.edit_timeout) for i in range(1, args.sessions)]
        opened = await asyncio.gather(*(s.open() for s in others), return_exceptions=True)
        for session, result in zip(others, opened):
            if isinstance(result, Exception):
                first.errors.append(f"session {session.index} did not open: {result!r}")
            else:
                sessions.append(session)
        loads = await asyncio.gather(
            *(s.load_template(TEMPLATES[s.index % len(TEMPLATES)]) for s in sessions[1:]),
            return_exceptions=True,
        )
        template_times = [t for t in loads if isinstance(t, float)]
        for session, result in zip(sessions[1:], loads):
            if isinstance(result, Exception):
                session.errors.append(f"template: {result!r}")
        opened_in = time.perf_counter() - started
        await asyncio.sleep(args.settle)
        rss["all sessions"] = server.rss_mib()
        usage = Usage(server)
        await run_phase(sessions, "no job", args.duration, args.every)
        cpu = {"no job": usage.cores()}
        rss["after phase 1"] = server.rss_mib()
        if args.jobs:
            jobs = [
                start_job(JOB, f"jobs/class-{i}", workspace=workspace) for i in range(args.jobs)
            ]
            await asyncio.to_thread(wait_running, jobs)
            usage = Usage(server)
            await run_phase(sessions, f"{args.jobs} jobs", args.duration, args.every)
            cpu[f"{args.jobs} jobs"] = usage.cores()
            rss["after phase 2"] = server.rss_mib()
        for session in sessions:
            if session.spec.get("name") != session.expected_name:
                session.errors.append(
                    f"ends showing {session.spec.get('name')!r}, not {session.expected_name!r}"
                )
        sampling = False
        await sampler
    finally:
        for job in jobs:
            job.stop(grace_secs=10)
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
        log_errors = server.log_errors()
        server.close()

    phases = ["no job"] + ([f"{args.jobs} jobs"] if args.jobs else [])
    errors = [e for s in sessions for e in s.errors]
    foreign = {s.index: sorted(s.foreign) for s in sessions if s.foreign}
    per_session = (rss["all sessions"] - rss["one session"]) / max(1, len(sessions) - 1)
    load = os.getloadavg()
    print(f"command: {' '.join(sys.argv)}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip
    print(f"sessions: {len(sessions)}/{args.sessions} opened and loaded a template in "
          f"{opened_in:.1f} s (template shown: {summary(template_times)})")  # fmt: skip
    for phase in phases:
        values = [v for s in sessions for v in s.latencies.get(phase, [])]
        print(f"edit to screen, {phase}: {summary(values)}")
        print(f"  CPU used, in cores: {cpu[phase]}")
    print(f"errors: {len(errors)} in sessions, {len(log_errors)} error lines in the server log")
    for line in (errors + log_errors)[:20]:
        print(f"  {line[:200]}")
    print(f"own design only: {len(sessions) - len(foreign)}/{len(sessions)} sessions"
          + (f"; saw others: {foreign}" if foreign else ""))  # fmt: skip
    print("server memory (RSS with children): "
          + ", ".join(f"{k} {v:.0f} MiB" for k, v in rss.items())
          + f", peak {peak:.0f} MiB; per session {per_session:.1f} MiB")  # fmt: skip
    if not args.keep:
        shutil.rmtree(workspace, ignore_errors=True)
    else:
        print(f"workspace kept: {workspace}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--duration", type=float, default=180, help="Seconds per phase.")
    parser.add_argument("--every", type=float, default=5, help="Seconds between edits.")
    parser.add_argument("--jobs", type=int, default=2, help="Training jobs in phase two.")
    parser.add_argument("--procs", type=int, default=1, help="Serving processes (PROCS).")
    parser.add_argument("--edit-timeout", type=float, default=60)
    parser.add_argument("--settle", type=float, default=10, help="Seconds before reading RSS.")
    parser.add_argument("--quick", action="store_true", help="10 sessions, 30 s per phase.")
    parser.add_argument("--keep", action="store_true", help="Keep the workspace and its log.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.quick:
        args.sessions, args.duration = 10, 30
    if args.sessions < 1 or args.duration <= 0 or args.every <= 0 or args.jobs < 0:
        parser.error("--sessions must be >= 1, --duration and --every > 0, --jobs >= 0")
    if args.procs < 1:
        parser.error(f"--procs must be >= 1, got {args.procs}")
    random.seed(args.seed)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
