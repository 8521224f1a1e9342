"""Opening Inspect on a design holding a big net: a build of its own against a shared one.

What the app does when a session opens Inspect (`WorkbenchSession.inspect_if_changed`, the
design built in inference mode, its layer table, collections, diagram and SVG made for the
session's inspect model), timed in rounds of four, in one process:

- **cold**: the shared builds emptied first, and the static analysis's cache of net outputs
  too: the first session of a fresh server to inspect the design.
- **own build**: the shared builds emptied first, the analysis cache left warm: a session
  inspecting a design no other session has inspected in this mode yet.
- **shared**: a new session on the same design while another session's build is kept: what
  every later session, and a flip of the mode back, gets.
- **flip mode**: the same session flipping Training and back to Inference.

It prints the median seconds per case with the ratio to *own build*, the parts of a cold
open (cProfile of one, by function), and checks that every session shows the counts of
`slim-workbench summary` (inception_v3: 27,179,376 parameters, 211 layer calls).

    .venv/bin/python bench/inspect_build.py [--nets inception_v3] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from workbench.models.design import build_graph, net_design, shapes  # noqa: E402
from workbench.models.editor import DesignEditor  # noqa: E402
from workbench.models.inspect import tabulate_layers  # noqa: E402
from workbench.models.inspect.shared_builds import SHARED  # noqa: E402
from workbench.models.session import WorkbenchSession  # noqa: E402


def open_inspect(workspace: str, design: dict) -> WorkbenchSession:
    """A new session on `design` that opens Inspect."""
    session = WorkbenchSession(workspace=workspace, editor=DesignEditor(design))
    session.inspect_if_changed()
    return session


def seconds(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nets", default="inception_v3")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile of one cold open")
    args = parser.parse_args()
    workspace = tempfile.mkdtemp(prefix="inspect-build-")
    print(f"# {' '.join(sys.argv)}")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, load average at the start {os.getloadavg()}")  # fmt: skip
    for name in args.nets.split(","):
        design = net_design(name)
        summary = tabulate_layers(build_graph(design, is_training=False).trace).totals
        expected = (summary["params"], summary["layers"])
        times: dict[str, list[float]] = {"cold": [], "own build": [], "shared": [], "flip mode": []}
        for _ in range(args.rounds):
            SHARED.clear()
            shapes._net_output.cache_clear()
            took, cold = seconds(open_inspect, workspace, design)
            times["cold"].append(took)
            cold.release()
            SHARED.clear()
            took, first = seconds(open_inspect, workspace, design)
            times["own build"].append(took)
            took, second = seconds(open_inspect, workspace, design)
            times["shared"].append(took)
            first.inspect_training = True  # The training build made (once), not timed.
            first.inspect_training = False

            def flip(session=first):
                session.inspect_training = True
                session.inspect_training = False

            times["flip mode"].append(seconds(flip)[0])
            for session in (first, second):
                totals = session.inspect.totals
                shown = (totals["params"], totals["layers"])
                assert shown == expected, f"{name}: Inspect shows {shown}, the summary {expected}"
            assert second.inspect.graph is first.inspect.graph
            for session in (first, second):
                session.release()
        base = statistics.median(times["own build"])
        print(f"{name}: {expected[0]:,} params, {expected[1]} layer calls (as the summary)")
        print(f"  {'case':10s} {'median s':>9s} {'min s':>7s} {'/ own build':>12s}")
        for case, values in times.items():
            median = statistics.median(values)
            print(f"  {case:10s} {median:9.3f} {min(values):7.3f} {median / base:12.3f}")
        if args.profile:
            SHARED.clear()
            shapes._net_output.cache_clear()
            profile = cProfile.Profile()
            profile.enable()
            open_inspect(workspace, design).release()
            profile.disable()
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(
                r"session.py|inspect/model.py|design/build.py|validate.py|render.py|"
                r"layer_table.py|diagram.py|graph_collections.py|trace.py"
            )
    print(f"# load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
