"""How many runs of a sweep may train at once: one per visible GPU, else one on the CPU.

The app's process does not import TensorFlow to find out (that takes seconds and would
start CUDA in the server): the GPUs are those `CUDA_VISIBLE_DEVICES` names, else those the
NVIDIA driver lists in `/proc/driver/nvidia/gpus`, else what an already imported TensorFlow
sees. Each run launched on a machine with GPUs is given one of them
(`CUDA_VISIBLE_DEVICES=<id>`), so two runs never share a GPU.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = ["default_concurrency", "visible_gpus"]

_DRIVER_GPUS = "/proc/driver/nvidia/gpus"


def visible_gpus(
    environ: Mapping[str, str] | None = None, driver_folder: str = _DRIVER_GPUS
) -> list[str]:
    """The ids of the GPUs a job launched from here may use, as `CUDA_VISIBLE_DEVICES` values.

    Args:
      environ: The environment to read; default `os.environ`.
      driver_folder: The NVIDIA driver's folder of GPUs (one entry each).

    Returns:
      E.g. `["0", "1"]`; empty on a machine without GPUs.

    Example:
      >>> visible_gpus({"CUDA_VISIBLE_DEVICES": "2,3"})
      ['2', '3']
      >>> visible_gpus({"CUDA_VISIBLE_DEVICES": "-1"})
      []
    """
    environ = os.environ if environ is None else environ
    listed = environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        ids = []
        for item in listed.split(","):
            item = item.strip()
            # CUDA ignores the entries from the first invalid one on ("-1" hides them all).
            if not item or item.startswith("-"):
                break
            ids.append(item)
        return ids
    try:
        count = len(os.listdir(driver_folder))
    except OSError:
        count = 0
    if not count and "tensorflow" in sys.modules:
        count = len(sys.modules["tensorflow"].config.list_physical_devices("GPU"))
    return [str(index) for index in range(count)]


def default_concurrency(device: str = "auto", gpus: list[str] | None = None) -> int:
    """Runs at once when a sweep does not say: one per GPU, or one on a CPU.

    Args:
      device: The job config's `device` (`"cpu"` trains on the CPU even with GPUs).
      gpus: The visible GPUs; default `visible_gpus()`.

    Example:
      >>> default_concurrency("auto", ["0", "1"]), default_concurrency("cpu", ["0", "1"])
      (2, 1)
    """
    gpus = visible_gpus() if gpus is None else gpus
    return max(1, len(gpus)) if device != "cpu" else 1
