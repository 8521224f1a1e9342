"""How fast the workbench answers while a design is edited, against what it replaces.

- Validating a 50-block design (static shapes, every problem) against building the same
  design into a TensorFlow graph: the check the app runs on every edit must stay well under
  the build it saves. Target: < 50 ms.
- Building + tracing + drawing the README's VGG-16 template (what the Inspect page does)
  against building it alone. Target: < 3 s.

Run: `.venv/bin/python bench/workbench_speed.py [--quick]`.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from workbench.models.design import build_graph, new_design, template, validate  # noqa: E402
from workbench.models.inspect import build_diagram, render_svg, tabulate_layers  # noqa: E402


def fifty_blocks() -> dict:
    """50 blocks: conv/batch-norm pairs with a pool every 10, then flatten and logits."""
    blocks = []
    for index in range(48):
        if index % 10 == 9:
            blocks.append({"kind": "layer", "op": "max_pool2d", "args": {"kernel_size": [2, 2]}})
        else:
            blocks.append({"kind": "layer", "op": "conv2d",
                           "args": {"num_outputs": 8, "kernel_size": [3, 3]}})  # fmt: skip
    blocks.append({"kind": "layer", "op": "flatten", "args": {}})
    blocks.append({"kind": "layer", "op": "fully_connected",
                   "args": {"num_outputs": 10, "activation_fn": None}})  # fmt: skip
    return new_design("fifty", [64, 64, 3], blocks)


def with_outputs(design: dict, indices: list[int], outputs: int) -> dict:
    """`design` with `num_outputs` of its conv2d blocks at `indices` set to `outputs`."""
    changed = copy.deepcopy(design)
    for index in indices:
        args = changed["blocks"][index]["args"]
        if "num_outputs" in args:
            args["num_outputs"] = outputs
    return changed


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def inspect_vgg(design: dict) -> None:
    built = build_graph(design, batch_size=1)
    tabulate_layers(built.trace)
    render_svg(build_diagram(built.graph, built.trace).to_dot())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print("workbench_speed: median seconds (lower is better)")
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"device:  {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")

    design = fifty_blocks()
    assert validate(design) == [], validate(design)
    # What the app checks after an edit: the design with one block changed. The structure
    # check remembers blocks it has seen, so a design never seen before is timed apart.
    edits = itertools.count(1)
    check = timed(lambda: validate(with_outputs(design, [0], next(edits))), repeats * 5)
    every = list(range(0, 48))
    first = timed(lambda: validate(with_outputs(design, every, next(edits))), repeats * 5)
    build = timed(lambda: build_graph(design, batch_size=1), repeats)
    print(f"validate 50 blocks after a one-block edit: {check * 1000:.1f} ms (target < 50 ms); "
          f"a design never seen: {first * 1000:.1f} ms; building it: {build * 1000:.0f} ms; "
          f"validate / build = {check / build:.3f}")  # fmt: skip

    vgg = template("vgg_16")
    whole = timed(lambda: inspect_vgg(vgg), repeats)
    alone = timed(lambda: build_graph(vgg, batch_size=1), repeats)
    print(f"VGG-16 build + trace + table + diagram: {whole:.2f} s (target < 3 s); "
          f"build alone {alone:.2f} s; ratio {whole / alone:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
