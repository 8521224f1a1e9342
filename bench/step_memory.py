"""A training job's peak memory against the pre-Start estimate (`jobs/step_memory.py`).

Runs short training jobs, each in its own process under GNU time (`/usr/bin/time -v`), at
two or more batch sizes, and prints each job's largest resident size next to the estimate
the Train page checks before Start (`CPU_JOB_BASELINE` + `StepMemory.step_bytes`), and next
to the estimate without the input pipeline's buffers (`layers only`). A straight line through
the measured sizes splits them into what grows with the batch (MiB an example: the slope)
and what does not (the intercept).

Runs (`--runs`, comma-separated):

- `lenet`, `cifarnet`: the templates on the built-in digits (CifarNet given 1 channel, as
  the Train page's fix does);
- `wide`: a small design on a large input (the digits resized to 96x96: conv 8 3x3 stride 4,
  flatten, logits), where the prefetched input batches weigh as much as the layers;
- `photos`: LeNet given 3 channels on an image folder of 240 random-noise 128x128 RGB JPEGs
  in 10 classes (about 10 KB each: the shuffle buffer holds 20 of them an example).

Run: `.venv/bin/python bench/step_memory.py [--runs lenet,cifarnet,wide,photos]
[--batches 32,512] [--steps 15] [--optimizer momentum]` (about 10 minutes on 2 busy cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.models.design import template  # noqa: E402
from workbench.models.design.spec import layer, new_design  # noqa: E402
from workbench.models.jobs.dataset_facts import dataset_facts  # noqa: E402
from workbench.models.jobs.settings import TrainSettings  # noqa: E402
from workbench.models.jobs.step_memory import (  # noqa: E402
    CPU_JOB_BASELINE,
    design_step_memory,
)

MIB = 2**20


WIDE = new_design(
    "wide",
    [96, 96, 1],
    [
        layer("conv2d", "conv1", num_outputs=8, kernel_size=[3, 3], stride=4),
        layer("flatten"),
        layer("fully_connected", "logits", num_outputs=10, activation_fn=None),
    ],
)
PHOTOS = 240
PHOTO_SIZE = 128


def write_photos(root: str) -> str:
    """An image folder of random-noise RGB JPEGs in 10 classes (LeNet's logits); returns its name."""
    import numpy as np
    from PIL import Image

    rng = np.random.RandomState(0)
    for index in range(PHOTOS):
        folder = os.path.join(root, "photos", f"class{index % 10}")
        os.makedirs(folder, exist_ok=True)
        pixels = rng.randint(0, 256, (PHOTO_SIZE, PHOTO_SIZE, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(folder, f"{index:04d}.jpg"), quality=75)
    return "photos"


def peak_rss(
    workspace: str,
    run: str,
    design: dict,
    batch: int,
    steps: int,
    optimizer: str,
    folder: str = "",
) -> int:
    """Bytes: the largest resident size of one training job's process."""
    settings = TrainSettings(
        design=design, batch_size=batch, steps=steps, optimizer=optimizer, device="cpu"
    )
    if folder:
        settings.param.update(dataset="image_folder", folder=folder)
    config = settings.to_config()
    config["name"] = f"{run}-b{batch}"
    path = os.path.join(workspace, f"{config['name']}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)
    command = [
        "/usr/bin/time",
        "-v",
        os.path.join(ROOT, ".venv", "bin", "slim-workbench"),
        "--workspace",
        workspace,
        "train",
        path,
        "--logdir",
        f"jobs/{config['name']}",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "-1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"the job {config['name']} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1)) * 1024


def with_channels(design: dict, channels: int) -> dict:
    """The design with an input of `channels` channels."""
    height, width, _ = design["input"]["shape"]
    return {**design, "input": {**design["input"], "shape": [height, width, channels]}}


def run_setup(name: str, workspace: str) -> tuple[dict, str]:
    """`(design, image folder or "" for the digits)` of one run."""
    if name == "wide":
        return WIDE, ""
    if name == "photos":
        return with_channels(template("lenet"), 3), write_photos(workspace)
    return with_channels(template(name), 1), ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="lenet,cifarnet,wide,photos")
    parser.add_argument("--batches", default="32,512")
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--optimizer", default="momentum")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    print(f"command: {' '.join(sys.argv)}")
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores")
    print(f"load average at start: {os.getloadavg()}")
    print(
        "run       batch  measured MiB  estimate MiB  est/measured  layers only MiB  "
        "layers/measured  pipeline MiB"
    )
    with tempfile.TemporaryDirectory() as workspace:
        for net in args.runs.split(","):
            design, folder = run_setup(net, workspace)
            facts = dataset_facts("image_folder" if folder else "digits", folder, workspace)
            step = design_step_memory(design, args.optimizer, facts.record_bytes)
            measured = []
            for batch in batches:
                rss = peak_rss(workspace, net, design, batch, args.steps, args.optimizer, folder)
                estimate = CPU_JOB_BASELINE + step.step_bytes(batch)
                layers = estimate - step.pipeline_bytes(batch)
                measured.append((batch, rss))
                print(
                    f"{net:9} {batch:5}  {rss / MIB:12.0f}  {estimate / MIB:12.0f}"
                    f"  {estimate / rss:12.2f}  {layers / MIB:15.0f}  {layers / rss:15.2f}"
                    f"  {step.pipeline_bytes(batch) / MIB:12.1f}",
                    flush=True,
                )
            (b0, r0), (b1, r1) = measured[0], measured[-1]
            if b0 == b1:
                continue
            slope = (r1 - r0) / (b1 - b0)
            intercept = r0 - slope * b0
            estimated = (step.step_bytes(b1) - step.step_bytes(b0)) / (b1 - b0)
            print(
                f"{net:9} fit over batches {b0}..{b1}: slope {slope / MIB:.3f} MiB/ex measured, "
                f"{estimated / MIB:.3f} estimated ({step.example_bytes / MIB:.3f} layers only); "
                f"intercept {intercept / MIB:.0f} MiB measured, "
                f"{(CPU_JOB_BASELINE + step.fixed_bytes) / MIB:.0f} estimated; "
                f"record {facts.record_bytes} bytes",
                flush=True,
            )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
