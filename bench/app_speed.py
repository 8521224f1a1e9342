"""How fast the web app answers in a real browser, and how it holds up under load.

Each figure is timed in headless Chromium against `panel serve app.py` on 127.0.0.1, next to
the server-side work it waits for, measured in this process (the peer: what the same step
costs without a browser, a websocket and Bokeh in between).

- start: from launching `panel serve` to the Build page showing the LeNet template's shapes.
  Target < 5 s. Peer: importing the app's modules in a fresh Python. Also: how long a later
  session (a second tab) takes to render.
- edit: a 30-block design; from pressing Enter on a new `num_outputs` to the block's new
  shape and the new generated code on the page. Target < 300 ms. Peer: validate + generate
  code in this process.
- vgg: from pressing "Load template" (VGG-16) and opening Inspect to its diagram on the page.
  Target < 3 s. Peer: build + trace + diagram in this process.
- metric: from a record appearing in a running job's `metrics.jsonl` to its point on the
  page's loss chart. Target < 1.5 s.
- load: 8 browser sessions each building its own design while 2 jobs train: page errors,
  whether each session sees only its own design, edit time under load, server memory.

Run: `.venv/bin/python bench/app_speed.py [--quick]` (about 3 minutes; --quick: 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from playwright.sync_api import Page, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

from workbench.models.design import (  # noqa: E402
    Workspace,
    build_graph,
    generate_code,
    new_design,
    template,
    validate,
)
from workbench.models.inspect import build_diagram, render_svg, tabulate_layers  # noqa: E402
from workbench.models.jobs import start as start_job  # noqa: E402

CHROMIUM = os.environ.get("SLIM_WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOST = "127.0.0.1"
JOB = {"model": {"net": "lenet"}, "train": {"steps": 100_000}, "device": "cpu"}


def thirty_blocks() -> dict:
    """30 blocks on 32x32x3: a conv2d of 8 (the one edited), 25 more convs, 2 pools, flatten,
    logits."""
    conv = {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 16, "kernel_size": [3, 3]}}
    pool = {"kind": "layer", "op": "max_pool2d", "args": {"kernel_size": [2, 2]}}
    blocks = [{"kind": "layer", "op": "conv2d", "args": {"num_outputs": 8, "kernel_size": [3, 3]}}]
    for index in range(27):
        blocks.append(pool if index in (9, 19) else conv)
    blocks.append({"kind": "layer", "op": "flatten", "args": {}})
    blocks.append(
        {"kind": "layer", "op": "fully_connected", "args": {"num_outputs": 10}, "scope": "logits"}
    )
    return new_design("thirty", [32, 32, 3], [dict(b) for b in blocks])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float = 60.0, every: float = 0.005) -> float:
    """Polls `check()` until true; returns the time it became true (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s")
        time.sleep(every)
    return time.perf_counter()


def shown(page: Page, text: str) -> bool:
    return page.get_by_text(text).count() > 0


def titles(page: Page) -> list[str]:
    """The design names the Build page's canvas shows."""
    return page.locator(".wb-title").all_inner_texts()


def fill(page: Page, label: str, text: str) -> None:
    """Types `text` into the field labelled exactly `label` and presses Enter."""
    group = page.locator(".bk-input-group:visible").filter(
        has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}( \\*)?$"))
    )
    field = group.locator("input").first
    field.fill(text)
    field.press("Enter")


def open_tab(page: Page, name: str) -> None:
    page.locator(".bk-tab", has_text=name).first.click()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """`panel serve app.py` on a free port with its own workspace."""

    def __init__(self, workspace: str):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}/app"
        self.log = open(Path(workspace) / "serve.log", "w")  # noqa: SIM115
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", "app.py", "--address", HOST]
            + ["--port", str(self.port), "--allow-websocket-origin", f"{HOST}:{self.port}"]
            + ["--unused-session-lifetime", "120000"],  # As `make app` (scripts/serve.sh).
            cwd=ROOT,
            env=dict(os.environ, SLIM_WORKBENCH_WORKSPACE=workspace),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def measure_start(server: Server, page: Page) -> float:
    while True:
        try:
            page.goto(server.url, timeout=120_000)
            break
        except Exception:  # Not listening yet.
            time.sleep(0.05)
    done = wait_for(lambda: shown(page, "→ [10]"), timeout=120)
    return done - server.started


def measure_new_session(browser, server: Server) -> float:
    """A second browser session once the server has imported everything."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    began = time.perf_counter()
    page.goto(server.url)
    done = wait_for(lambda: shown(page, "→ [10]"), timeout=120)
    page.context.close()
    return done - began


def import_time() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import workbench.views.panel.app_page"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def measure_edits(page: Page, rounds: int) -> list[float]:
    page.locator(".bk-input-group", has_text="Saved designs").locator("select").select_option(
        "thirty"
    )
    page.get_by_role("button", name="Open").click()
    wait_for(lambda: shown(page, "→ [32, 32, 8]"), timeout=60)
    page.locator('.wb-block[data-path="blocks[0]"]').click()
    wait_for(lambda: page.locator(".bk-input-group:visible", has_text="num_outputs").count() > 0)
    times = []
    for index in range(rounds):
        value = 12 if index % 2 == 0 else 8
        field = (
            page.locator(".bk-input-group:visible", has_text="num_outputs").locator("input").first
        )
        field.fill(str(value))
        began = time.perf_counter()
        field.press("Enter")
        done = wait_for(
            lambda v=value: (
                shown(page, f"→ [32, 32, {v}]")
                and shown(page, f"net = slim.conv2d(inputs, {v}, [3, 3])")
            )
        )
        times.append(done - began)
        # The property sheet is redrawn after the edit; let it settle before the next one.
        page.wait_for_timeout(300)
    return times


def edit_peer(rounds: int) -> float:
    design = thirty_blocks()
    times = []
    for index in range(rounds):
        design["blocks"][0]["args"]["num_outputs"] = 12 if index % 2 == 0 else 8
        began = time.perf_counter()
        validate(design)
        generate_code(design)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure_vgg(page: Page) -> float:
    open_tab(page, "Build")
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("vgg_16")
    began = time.perf_counter()
    page.get_by_role("button", name="Load template").click()
    wait_for(lambda: shown(page, "Loaded template 'vgg_16'."), timeout=60)
    open_tab(page, "Inspect")
    done = wait_for(lambda: page.locator("svg text", has_text="fc8").count() > 0, timeout=120)
    return done - began


def vgg_peer() -> float:
    began = time.perf_counter()
    built = build_graph(template("vgg_16"), batch_size=1)
    tabulate_layers(built.trace)
    render_svg(build_diagram(built.graph, built.trace).to_dot())
    return time.perf_counter() - began


def measure_metric_latency(page: Page, workspace: str, samples: int) -> list[float]:
    open_tab(page, "Build")
    page.locator(".bk-input-group", has_text="Template").locator("select").select_option("lenet")
    page.get_by_role("button", name="Load template").click()
    open_tab(page, "Train")
    fill(page, "Steps", "3000")
    page.get_by_role("button", name="Start").click()
    jobs = Path(workspace) / "jobs"
    wait_for(lambda: jobs.exists() and any(jobs.iterdir()), timeout=60)
    metrics = max(jobs.iterdir(), key=lambda p: p.stat().st_mtime) / "metrics.jsonl"
    seen: dict[int, float] = {}
    stop = threading.Event()

    def follow() -> None:  # Notes when each record lands in the file.
        offset = 0
        while not stop.is_set():
            if metrics.exists():
                with metrics.open() as f:
                    f.seek(offset)
                    for line in f.readlines():
                        if line.endswith("\n"):
                            seen.setdefault(json.loads(line)["step"], time.perf_counter())
                            offset += len(line)
            time.sleep(0.002)

    watcher = threading.Thread(target=follow, daemon=True)
    watcher.start()
    chart = page.locator(".js-plotly-plot").first
    latencies: list[float] = []
    shown_steps: set[int] = set()
    deadline = time.perf_counter() + 240
    while len(latencies) < samples and time.perf_counter() < deadline:
        try:
            steps = chart.evaluate("el => (el.data && el.data[0].x) || []", timeout=5000)
        except Exception:
            steps = []
        now = time.perf_counter()
        for step in steps:
            if step not in shown_steps:
                shown_steps.add(step)
                if step in seen and len(shown_steps) > 1:  # The first draw includes the start.
                    latencies.append(now - seen[step])
        time.sleep(0.02)
    stop.set()
    page.get_by_role("button", name="Stop").click()
    return latencies


def measure_load(browser, server: Server, workspace: str, sessions: int) -> dict:
    jobs = [start_job(JOB, f"jobs/load-{index}", workspace=workspace) for index in range(2)]
    rss_before = rss_mib(server.process.pid)
    pages, errors = [], []
    try:
        for _ in range(sessions):
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            # Sessions render one after another on the server: do not wait for each in turn.
            page.goto(server.url, wait_until="commit", timeout=180_000)
            pages.append(page)
        for page in pages:
            wait_for(lambda page=page: shown(page, "→ [10]"), timeout=180)
        edit_times = [edit_own_design(page, f"session_{i}") for i, page in enumerate(pages)]
        own = sum(titles(page) == [f"session_{i}"] for i, page in enumerate(pages))
        return {
            "sessions": sessions,
            "own_design": own,
            "errors": errors,
            "edit_median_s": statistics.median(edit_times),
            "edit_max_s": max(edit_times),
            "rss_before_mib": rss_before,
            "rss_after_mib": rss_mib(server.process.pid),
            "jobs": [job.status()["state"] for job in jobs],
        }
    finally:
        for job in jobs:
            job.stop(grace_secs=10)
        for page in pages:
            page.context.close()


def edit_own_design(page: Page, name: str) -> float:
    """Renames the page's design to `name` and drops a conv2d in; seconds the rename took."""
    page.bring_to_front()  # Typing goes to the focused window only.
    began = time.perf_counter()
    fill(page, "name", name)
    wait_for(lambda: titles(page) == [name], timeout=60)
    took = time.perf_counter() - began
    for _ in range(3):  # A drag begun while the canvas redraws is lost: drag again.
        page.locator('.wb-item[data-op="conv2d"]').drag_to(
            page.locator('.wb-block[data-path="blocks[0]"]'), target_position={"x": 80, "y": 4}
        )
        try:
            wait_for(lambda: shown(page, "conv2d needs num_outputs, kernel_size"), timeout=10)
            break
        except TimeoutError:
            pass
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sessions")
    args = parser.parse_args()
    edits, samples, sessions = (5, 4, 3) if args.quick else (15, 10, 8)
    workspace = tempfile.mkdtemp(prefix="app-speed-")
    Workspace(f"{workspace}/designs").save("thirty", thirty_blocks())
    print(f"# {' '.join(sys.argv)}")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    with open("/proc/loadavg") as f:
        print(f"# load average at start: {f.read().split()[:3]}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        server = Server(workspace)
        try:
            start_s = measure_start(server, page)
            imports_s = import_time()
            again_s = measure_new_session(browser, server)
            print(f"start   {start_s:6.2f} s   (importing the app's modules: {imports_s:.2f} s; "
                  f"a later session renders in {again_s:.2f} s)   target < 5 s")  # fmt: skip
            edit = measure_edits(page, edits)
            peer = edit_peer(edits)
            print(f"edit    {statistics.median(edit) * 1000:6.0f} ms  median of {edits}, max "
                  f"{max(edit) * 1000:.0f} ms (validate + code here: {peer * 1000:.1f} ms)"
                  f"   target < 300 ms")  # fmt: skip
            vgg = measure_vgg(page)
            print(f"vgg     {vgg:6.2f} s   (build + trace + diagram here: {vgg_peer():.2f} s)"
                  f"   target < 3 s")  # fmt: skip
            latency = measure_metric_latency(page, workspace, samples)
            print(f"metric  {statistics.median(latency):6.2f} s   median of {len(latency)}, max "
                  f"{max(latency):.2f} s   target < 1.5 s")  # fmt: skip
            load = measure_load(browser, server, workspace, sessions)
            print(f"load    {load['own_design']}/{load['sessions']} sessions saw only their own "
                  f"design; {len(load['errors'])} page errors; edit under load median "
                  f"{load['edit_median_s'] * 1000:.0f} ms, max {load['edit_max_s'] * 1000:.0f} ms;"
                  f" server memory {load['rss_before_mib']:.0f} -> {load['rss_after_mib']:.0f} "
                  f"MiB; jobs {load['jobs']}")  # fmt: skip
            for error in load["errors"][:5]:
                print(f"  page error: {error}")
        finally:
            server.close()
            browser.close()
            shutil.rmtree(workspace, ignore_errors=True)
    with open("/proc/loadavg") as f:
        print(f"# load average at end: {f.read().split()[:3]}")


if __name__ == "__main__":
    main()
