"""How long the first show of the Train tab holds the session's thread (the page stays blank
until it returns), and when its design check lands.

Each variant runs in a fresh Python, as a new server would: the app renders its first page,
the background import of the TensorFlow-backed pages starts (as on page load), and the Train
tab is opened at once, as a new user's first click. `on thread`: the design check (a
training step's memory estimate: it waits for TensorFlow and builds the design) runs inside
the tab switch, as before; `background`: it runs in a worker thread while the page says it
is checking (what a served session does). Printed: seconds the tab switch took (the blank
page), and seconds until the check's result is on the page.

Run: `.venv/bin/python bench/train_first_show.py [--rounds 2]` (about 1 min a round on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHOW = """
import os, sys, tempfile, time
os.environ["SLIM_WORKBENCH_WORKSPACE"] = tempfile.mkdtemp()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from bokeh.document import Document
import workbench.views.panel.app_page as app_page
from workbench.views.panel.pages import train
from workbench.views.panel.preload import preload_pages
if {background}:
    train.served_doc = lambda: object()  # The check goes to a worker thread, as when served.
else:
    train.served_doc = lambda: None  # The check runs inside the tab switch.
app = app_page.WorkbenchApp()
tabs = app.__panel__()
tabs.get_root(Document())
preload_pages()  # As on the first page's load.
began = time.perf_counter()
tabs.active = app_page.PAGES.index("Train")
shown = time.perf_counter() - began
app.train_page.checking.wait(300)
print(shown, time.perf_counter() - began)
"""


def run(background: bool) -> tuple[float, float]:
    code = SHOW.format(background=background)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    shown, checked = result.stdout.split()[-2:]
    return float(shown), float(checked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)}")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    with open("/proc/loadavg") as f:
        print(f"# load average at start: {f.read().split()[:3]}")
    results: dict[str, list[tuple[float, float]]] = {"on thread": [], "background": []}
    for _ in range(args.rounds):  # Alternately: a busy spell hits both alike.
        results["on thread"].append(run(background=False))
        results["background"].append(run(background=True))
    for name, rounds in results.items():
        shown = statistics.median(r[0] for r in rounds)
        checked = statistics.median(r[1] for r in rounds)
        print(f"{name:10s} tab shown after {shown:5.2f} s; design check on the page after "
              f"{checked:5.2f} s   (median of {len(rounds)})")  # fmt: skip
    with open("/proc/loadavg") as f:
        print(f"# load average at end: {f.read().split()[:3]}")


if __name__ == "__main__":
    main()
