"""Does one training step fit in memory? Estimated before a job starts, with a batch that fits.

A step keeps, in float32 (4 bytes a scalar):

- the variables (every parameter, trainable or not), once;
- a gradient per trainable parameter, and the optimizer's slots per trainable parameter
  (`OPTIMIZER_SLOTS`: none for SGD, the velocity for momentum, two moments for Adam, the
  mean square and the velocity for RMSProp);
- per example: the input and the output of every layer call (from the design's layer trace:
  what the backward pass reads), and as much again for their gradients.

A job on the CPU also keeps its input pipeline in the same memory (on a GPU it stays in the
host's): `PREFETCH_BATCHES` decoded float32 batches waiting for the step, and a shuffle
buffer of `shuffle_capacity(batch)` encoded records (20 an example, at most 10,000) of the
dataset's record size (`DatasetFacts.record_bytes`: the digits' 266 bytes, an image folder's
files as sampled, a TFRecord split's files over its records). So

    bytes = 4 * (params + trainable * (1 + slots) + batch * 2 * activations)
            + 4 * PREFETCH_BATCHES * batch * input_scalars + shuffle_capacity(batch) * record

A step is taken to fit only within `HEADROOM` of the memory available (TensorFlow's own
workspace is not counted): the GPU's free memory when the job would run on a GPU, else the
machine's available memory (`psutil`) less what the job's process takes before its first step
(`CPU_JOB_BASELINE`).

Measured (bench/step_memory.py, bench/README.md): on the digits the layers dominate and the
estimate is within 5% of the job's largest resident size (LeNet and CifarNet, batch 32 and
512); the pipeline is what a large input or an image folder of photos adds, and what the
estimate without it missed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import shutil
import subprocess

from workbench.models.jobs.design_fit import Mismatch
from workbench.models.jobs.performance import PREFETCH_BATCHES
from workbench.models.jobs.pipeline_sizes import shuffle_capacity
from workbench.problems import Problem

BYTES_PER_SCALAR = 4
#: Slot variables per trainable variable of each optimizer of a job config.
OPTIMIZER_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2, "rmsprop": 2}
#: The part of the available memory a step may use: the rest is TensorFlow's and the data's.
HEADROOM = 0.8
#: The part a batch offered as a fix may use: below `HEADROOM`, so that the memory other
#: programs take or give back meanwhile does not bring the warning straight back.
FIX_SHARE = 0.7
#: What a job's process takes on a CPU before its first step (TensorFlow, the data): measured
#: 0.68 GiB (the job's largest resident size less this estimate, CifarNet batch 32).
CPU_JOB_BASELINE = 700 * 2**20
#: Trace records that only call other layers: their output is their last child's.
_DELEGATING = ("repeat", "stack")


@dataclasses.dataclass(frozen=True)
class StepMemory:
    """The scalars a training step of a design keeps, and the bytes they take.

    Attributes:
      activations: Scalars kept per example: the input plus every layer call's output.
      params: Scalars in every variable of the design.
      trainable: Scalars in its trainable variables.
      slots: Optimizer slot variables per trainable variable.
      input_scalars: Scalars of one decoded example in the prefetched batches (0: the
        pipeline is not counted, as for a GPU's memory).
      record_bytes: Bytes of one encoded record in the shuffle buffer (0: not counted).
    """

    activations: int
    params: int
    trainable: int
    slots: int
    input_scalars: int = 0
    record_bytes: int = 0

    @property
    def fixed_bytes(self) -> int:
        """Bytes that do not grow with the batch: variables, gradients, optimizer slots."""
        return BYTES_PER_SCALAR * (self.params + self.trainable * (1 + self.slots))

    @property
    def example_bytes(self) -> int:
        """Bytes per example: the activations and their gradients."""
        return BYTES_PER_SCALAR * 2 * self.activations

    def pipeline_bytes(self, batch_size: int) -> int:
        """Bytes of the input pipeline's buffers: the prefetched decoded batches and the
        shuffle buffer's records."""
        prefetched = BYTES_PER_SCALAR * PREFETCH_BATCHES * batch_size * self.input_scalars
        return prefetched + shuffle_capacity(batch_size) * self.record_bytes

    def step_bytes(self, batch_size: int) -> int:
        """Bytes a step with `batch_size` examples needs, its input pipeline included."""
        return self.fixed_bytes + batch_size * self.example_bytes + self.pipeline_bytes(batch_size)

    def largest_batch(self, budget: int) -> int:
        """The largest batch whose step takes at most `budget` bytes (0: not even one)."""
        low, high = 0, max(budget // max(self.example_bytes, 1), 0) + 1
        while low < high:  # step_bytes grows with the batch: the last batch that fits.
            middle = (low + high + 1) // 2
            if self.step_bytes(middle) <= budget:
                low = middle
            else:
                high = middle - 1
        return low


@dataclasses.dataclass(frozen=True)
class Memory:
    """Memory a job could use: `available` bytes, `where` in words; `host` when it is the
    machine's memory, where the input pipeline lives too (not a GPU's)."""

    available: int
    where: str
    host: bool = True


def trace_activations(trace, input_shape) -> int:
    """Scalars per example in the input and in the output of every call in a layer trace.

    Args:
      trace: A `slim.trace_layers()` `LayerTrace`.
      input_shape: The design's input shape, without the batch axis.
    """
    total = math.prod(input_shape)
    for record, _ in trace.walk():
        if record.op in _DELEGATING or record.output_shape is None:
            continue
        total += math.prod(d or 1 for d in record.output_shape[1:])
    return total


@functools.lru_cache(maxsize=16)
def _design_scalars(design_json: str) -> tuple[int, int, int]:
    from workbench.models.design.build import build_graph

    design = json.loads(design_json)
    built = build_graph(design, is_training=True)
    variables = built.analysis.variables
    return (
        trace_activations(built.trace, design["input"]["shape"]),
        sum(math.prod(shape) for _, shape, _ in variables),
        sum(math.prod(shape) for _, shape, trainable in variables if trainable),
    )


def design_step_memory(design: dict, optimizer: str, record_bytes: int = 0) -> StepMemory:
    """The `StepMemory` of training `design` with `optimizer` (built once per design), on
    records of `record_bytes` (0: the shuffle buffer is not counted).

    Raises:
      ValueError: If `optimizer` is not one of `OPTIMIZER_SLOTS`.
      DesignError: If the design has problems.
    """
    if optimizer not in OPTIMIZER_SLOTS:
        raise ValueError(
            f"design_step_memory: `optimizer` must be one of {', '.join(OPTIMIZER_SLOTS)}, "
            f"got {optimizer!r}."
        )
    activations, params, trainable = _design_scalars(json.dumps(design, sort_keys=True))
    return StepMemory(
        activations,
        params,
        trainable,
        OPTIMIZER_SLOTS[optimizer],
        math.prod(design["input"]["shape"]),
        record_bytes,
    )


def parse_gpu_memory(text: str) -> list[tuple[str, int]]:
    """`(name, free bytes)` of each GPU in `nvidia-smi --query-gpu=name,memory.free
    --format=csv,noheader,nounits` output (MiB), e.g. `"NVIDIA H100, 80000"`."""
    found = []
    for line in text.strip().splitlines():
        name, _, free = line.rpartition(",")
        try:
            found.append((name.strip(), int(free.strip()) * 2**20))
        except ValueError:
            continue
    return found


def _visible_gpus() -> list[tuple[str, int]]:
    """The GPUs a job would see (none where `CUDA_VISIBLE_DEVICES` hides them all)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return []
    command = shutil.which("nvidia-smi")
    if command is None:
        return []
    try:
        out = subprocess.run(
            [command, "--query-gpu=name,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = parse_gpu_memory(out)
    if visible:
        indices = [int(i) for i in visible.split(",") if i.strip().isdigit()]
        gpus = [gpus[i] for i in indices if i < len(gpus)] or gpus
    return gpus


def available_memory(device: str) -> Memory:
    """The memory a job on `device` (`auto`, `cpu` or `gpu`) would train in.

    A job on `auto` or `gpu` trains on the first visible GPU when there is one: its free
    memory; else the machine's available memory less what the job's process takes before
    its first step (`CPU_JOB_BASELINE`).
    """
    gpus = [] if device == "cpu" else _visible_gpus()
    if gpus:
        name, free = gpus[0]
        return Memory(free, f"the free memory of the GPU ({name})", host=False)
    import psutil

    available = psutil.virtual_memory().available
    return Memory(
        max(available - CPU_JOB_BASELINE, 0),
        f"the memory a job has on this machine ({format_bytes(available)} available, less "
        f"{format_bytes(CPU_JOB_BASELINE)} for the job's TensorFlow)",
    )


def memory_fit(
    design: dict, batch_size: int, optimizer: str, memory: Memory, record_bytes: int = 0
) -> list[Mismatch]:
    """Whether a step of `design` with `batch_size` fits `memory`: [] when it does, else one
    `Mismatch` whose fix sets a batch size that fits within `FIX_SHARE` of it (none when not
    even one example does). The input pipeline, on records of `record_bytes`, counts when
    `memory` is the host's.

    The step is refused (`Mismatch.blocking`) when it needs more than `memory.available`;
    it is a warning when it needs more than `HEADROOM` of it.
    """
    from workbench.models.design import analyze

    if not analyze(design).ok:
        return []  # The design's own problems come first.
    step = design_step_memory(design, optimizer, record_bytes)
    if not memory.host:  # The pipeline's buffers are in the host's memory, not the GPU's.
        step = dataclasses.replace(step, input_scalars=0, record_bytes=0)
    needed = step.step_bytes(batch_size)
    budget = int(memory.available * HEADROOM)
    if needed <= budget:
        return []
    blocking = needed > memory.available
    fits = step.largest_batch(int(memory.available * FIX_SHARE))
    fitting = _round_down(fits)
    verdict = "the job would run out of memory" if blocking else "the job may run out of memory"
    message = (
        f"A training step with batch size {batch_size} needs about {format_bytes(needed)} "
        f"({format_bytes(step.fixed_bytes)} for the {step.params:,} parameters, their "
        f"gradients and {optimizer}'s slots, {format_bytes(step.example_bytes)} per example "
        f"for the activations and their gradients{_pipeline_part(step, batch_size)}), but "
        f"{memory.where} is "
        f"{format_bytes(memory.available)}: {verdict}."
    )
    if fitting:
        message += f" A batch of {fitting} needs {format_bytes(step.step_bytes(fitting))}."
    else:
        message += " Not even one example fits: use a smaller design or input."
    problem = Problem(
        path="train.batch_size",
        message=message,
        value=batch_size,
        expected=f"at most {fits}" if fits else "a smaller design",
        kind="value",
    )
    fix = f"Set the batch size to {fitting}" if fitting else ""
    return [Mismatch(problem, fix, "", "batch_size", fitting or None, blocking=blocking)]


def _pipeline_part(step: StepMemory, batch_size: int) -> str:
    pipeline = step.pipeline_bytes(batch_size)
    return f", {format_bytes(pipeline)} for the input pipeline's buffers" if pipeline else ""


def _round_down(count: int) -> int:
    """A batch easy to read: a multiple of 8 from 8 up, else the count itself."""
    return count - count % 8 if count >= 8 else count


def format_bytes(count: int) -> str:
    """`512 B`, `1.5 KiB`, `23.4 MiB`, `2.0 GiB` (powers of 1024)."""
    if count < 1024:
        return f"{count} B"
    exponent = min(int(math.log(count, 1024)), 3)
    return f"{count / 1024**exponent:.1f} {('KiB', 'MiB', 'GiB')[exponent - 1]}"
