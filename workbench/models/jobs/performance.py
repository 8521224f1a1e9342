"""Speed settings of a job process: the fastest safe choice on the machine it runs on.

Each setting is chosen from facts the job process can read (the CPU's flags from
`/proc/cpuinfo`, the cores it may use, whether TensorFlow sees a GPU) unless the job config's `performance` section sets it; the `TF_ENABLE_ONEDNN_OPTS` the
process was started with is kept too. Every choice carries the reason it was made, which
the job writes into its log and its `status.json`:

    "performance": {"onednn": "auto", "intra_op_threads": "auto", "inter_op_threads": "auto",
                    "input_threads": "auto", "prefetch_batches": "auto",
                    "map_per_batch": "auto", "xla": "auto", "gpu_memory_growth": "auto",
                    "mixed_precision": false}

Settings that change results stay opt-in: mixed precision is off unless the config turns
it on. XLA is off unless asked for: it trained slower on the CPUs measured
(bench/README.md). oneDNN must be chosen before TensorFlow is imported (it reads the
variable once), so `choose` works on whichever facts are known so far and the job calls
it again once it knows the GPUs; earlier choices do not change. The input pipeline decodes
one record per map call unless the config asks for a batch per call (`slim.data.batch`'s
`map_per_batch`): that reads small records faster alone but did not train faster in
bench/job_throughput.py.

Nothing here imports TensorFlow.
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "AUTO",
    "KEYS",
    "Choice",
    "Machine",
    "PerformanceSpec",
    "check_section",
    "choose",
    "describe",
    "process_environment",
    "read_machine",
    "spec_from_raw",
    "summary",
    "tune_session_config",
    "usable_cores",
]

AUTO = "auto"
# Settings that are "auto", true or false; settings that are "auto" or a count >= 1.
_SWITCHES = ("onednn", "map_per_batch", "xla", "gpu_memory_growth")
_COUNTS = ("intra_op_threads", "inter_op_threads", "input_threads", "prefetch_batches")
KEYS = (*_SWITCHES[:1], *_COUNTS, *_SWITCHES[1:], "mixed_precision")
_MAX_COUNT = 1024

# CPU flags for which TensorFlow turns oneDNN on by itself (tensorflow/core/util/util.cc).
_ONEDNN_BY_DEFAULT = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")
_BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")
_ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
_XLA_ENV = "TF_XLA_FLAGS"
_XLA_CPU_FLAGS = "--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit"
# Batches the input pipeline keeps ready and the threads decoding them: TF-Slim's
# train_image_classifier.py (capacity 5 batches, 4 preprocessing threads), one thread per
# core beyond that, up to 8. bench/job_throughput.py trained CifarNet faster with these
# than with 2 threads, 4 batches and a batch per map call (the last reads faster alone).
PREFETCH_BATCHES = 5
_MIN_INPUT_THREADS = 4
_MAX_INPUT_THREADS = 8


@dataclass(frozen=True)
class PerformanceSpec:
    """The config's `performance` section: "auto" (`AUTO`) or a value per setting."""

    onednn: Any = AUTO
    intra_op_threads: Any = AUTO
    inter_op_threads: Any = AUTO
    input_threads: Any = AUTO
    prefetch_batches: Any = AUTO
    map_per_batch: Any = AUTO
    xla: Any = AUTO
    gpu_memory_growth: Any = AUTO
    mixed_precision: bool = False

    def to_json(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in KEYS}


@dataclass(frozen=True)
class Machine:
    """What a job knows of the machine it runs on.

    Attributes:
      arch: `platform.machine()`, e.g. `"x86_64"`.
      cpu_model: The CPU's model name ('' when unknown).
      cpu_flags: The CPU's feature flags as `/proc/cpuinfo` names them.
      cores: CPU cores this process may use (its affinity, capped by a cgroup quota).
      onednn_env: `TF_ENABLE_ONEDNN_OPTS` as the process found it, or None.
      gpus: GPUs TensorFlow sees (None before TensorFlow is imported).
    """

    arch: str
    cpu_model: str = ""
    cpu_flags: frozenset[str] = field(default_factory=frozenset)
    cores: int = 1
    onednn_env: str | None = None
    gpus: int | None = None

    def learned(self, **facts: Any) -> Machine:
        """This machine with more facts known, e.g. `learned(gpus=1)`."""
        return replace(self, **facts)


@dataclass(frozen=True)
class Choice:
    """One setting's value, where it came from (`config`, `environment`, `machine`) and why.

    A value of None leaves TensorFlow's own default.
    """

    value: Any
    source: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "source": self.source, "reason": self.reason}


# --- the config section ------------------------------------------------------------------


def check_section(section: Any) -> tuple[PerformanceSpec | None, list[tuple[str, Any, str]]]:
    """Validates the `performance` section of a job config.

    Args:
      section: The section as parsed JSON (None or absent: every setting "auto").

    Returns:
      `(spec, problems)`: the spec (None when there are problems) and each problem as
      `(key, value, expected)`; an unknown key comes with `expected` listing the keys.
    """
    if section is None:
        return PerformanceSpec(), []
    if not isinstance(section, Mapping):
        return None, [("", section, 'an object such as {"onednn": "auto", "xla": false}')]
    problems = []
    for key in section:
        if key not in KEYS:
            problems.append((str(key), key, f"one of the keys of performance ({', '.join(KEYS)})"))
    values = {}
    for key in KEYS:
        if key not in section:
            continue
        value = section[key]
        if key == "mixed_precision":
            ok, expected = isinstance(value, bool), "true or false (false: float32 throughout)"
        elif key in _SWITCHES:
            ok, expected = value == AUTO or isinstance(value, bool), '"auto", true or false'
        else:
            ok = value == AUTO or _is_count(value)
            expected = f'"auto" or an integer >= 1 and <= {_MAX_COUNT}'
        if ok:
            values[key] = value
        else:
            problems.append((key, value, expected))
    return (None if problems else PerformanceSpec(**values)), problems


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= _MAX_COUNT


def spec_from_raw(raw: Any) -> PerformanceSpec:
    """The `performance` section of a raw config, before it is validated: what is wrong
    reads as "auto" (validation reports it; the job then fails before training)."""
    section = raw.get("performance") if isinstance(raw, Mapping) else None
    spec, _ = check_section(section if isinstance(section, Mapping) else None)
    if spec is not None:
        return spec
    good = {key: value for key, value in section.items() if check_section({key: value})[0]}
    return PerformanceSpec(**good)


# --- the machine ---------------------------------------------------------------------------


def _cpuinfo(path: str = "/proc/cpuinfo") -> tuple[str, frozenset[str]]:
    """`(model name, flags)` of the first CPU in `path`; ('', {}) when it cannot be read."""
    model, flags = "", frozenset()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "model name" and not model:
                    model = value.strip()
                elif name in ("flags", "features") and not flags:
                    flags = frozenset(value.split())
                if model and flags:
                    break
    except OSError:
        pass
    return model, flags


def _cgroup_cpus(root: str = "/sys/fs/cgroup") -> float | None:
    """CPUs a cgroup quota allows (v2 `cpu.max`, v1 `cpu.cfs_quota_us`), None without one."""
    try:
        with open(os.path.join(root, "cpu.max"), encoding="utf-8") as f:
            quota, period = f.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(root, "cpu", "cpu.cfs_quota_us"), encoding="utf-8") as f:
            quota = int(f.read())
        with open(os.path.join(root, "cpu", "cpu.cfs_period_us"), encoding="utf-8") as f:
            period = int(f.read())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def usable_cores(cgroup_root: str = "/sys/fs/cgroup") -> int:
    """Cores this process may run on: its CPU affinity, capped by a cgroup CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cgroup_cpus(cgroup_root)
    if quota is not None:
        cores = min(cores, max(1, math.ceil(quota)))
    return max(1, cores)


def read_machine(cpuinfo: str = "/proc/cpuinfo", cgroup_root: str = "/sys/fs/cgroup") -> Machine:
    """The facts of this machine that can be read without TensorFlow."""
    model, flags = _cpuinfo(cpuinfo)
    return Machine(
        arch=platform.machine().lower(),
        cpu_model=model,
        cpu_flags=flags,
        cores=usable_cores(cgroup_root),
        onednn_env=os.environ.get(_ONEDNN_ENV),
    )


# --- the choices ---------------------------------------------------------------------------


def _configured(spec: PerformanceSpec, key: str) -> Choice | None:
    value = getattr(spec, key)
    return None if value == AUTO else Choice(value, "config", "set in the job config")


def _is_x86(machine: Machine) -> bool:
    return machine.arch in ("x86_64", "amd64")


def _onednn(spec: PerformanceSpec, machine: Machine) -> Choice:
    if (chosen := _configured(spec, "onednn")) is not None:
        return chosen
    if machine.onednn_env is not None:
        value = machine.onednn_env.strip().lower() in ("1", "true", "yes", "on")
        return Choice(value, "environment", f"{_ONEDNN_ENV}={machine.onednn_env} was set")
    own = [flag for flag in _ONEDNN_BY_DEFAULT if flag in machine.cpu_flags]
    if _is_x86(machine) and own:
        return Choice(True, "machine", f"TensorFlow's default on a CPU with {', '.join(own)}")
    if _is_x86(machine) and "avx2" in machine.cpu_flags:
        return Choice(
            True,
            "machine",
            "about 1.5x faster training measured on x86 CPUs without AVX-512 VNNI/BF16 or AMX, "
            "where TensorFlow leaves it off",
        )
    return Choice(None, "machine", "not an x86-64 CPU with AVX2: TensorFlow's default")


def _threads(spec: PerformanceSpec, machine: Machine, key: str) -> Choice:
    if (chosen := _configured(spec, key)) is not None:
        return chosen
    return Choice(machine.cores, "machine", f"{machine.cores} cores usable by the job")


def _input_threads(spec: PerformanceSpec, machine: Machine) -> Choice:
    if (chosen := _configured(spec, "input_threads")) is not None:
        return chosen
    count = min(max(machine.cores, _MIN_INPUT_THREADS), _MAX_INPUT_THREADS)
    return Choice(
        count, "machine", f"TF-Slim's 4, or one per usable core ({machine.cores}), at most 8"
    )


def _prefetch(spec: PerformanceSpec) -> Choice:
    if (chosen := _configured(spec, "prefetch_batches")) is not None:
        return chosen
    return Choice(PREFETCH_BATCHES, "machine", "hides a slow batch behind the training steps")


def _map_per_batch(spec: PerformanceSpec) -> Choice:
    if (chosen := _configured(spec, "map_per_batch")) is not None:
        return chosen
    return Choice(
        False,
        "machine",
        "one record per map call: a batch per call reads the digits 1.8x faster alone, but "
        "did not train faster",
    )


def _xla(spec: PerformanceSpec) -> Choice:
    if (chosen := _configured(spec, "xla")) is not None:
        return chosen
    return Choice(
        False, "machine", "off: slower on the CPUs measured, not measured faster on a GPU"
    )


def _memory_growth(spec: PerformanceSpec, machine: Machine) -> Choice:
    if (chosen := _configured(spec, "gpu_memory_growth")) is not None:
        return chosen
    if not machine.gpus:
        return Choice(None, "machine", "no GPU")
    return Choice(True, "machine", "other jobs and the app may share the GPU")


def _mixed_precision(spec: PerformanceSpec, machine: Machine, onednn: Any) -> Choice:
    if not spec.mixed_precision:
        return Choice(False, "config", "float32: mixed precision changes results, so it is opt-in")
    if machine.gpus:
        return Choice("float16", "config", "float16 on the GPU (graph rewrite), asked for")
    bf16 = [flag for flag in _BFLOAT16_FLAGS if flag in machine.cpu_flags]
    if machine.gpus is None:
        return Choice(True, "config", "asked for; the device is not known yet")
    if bf16 and onednn:
        return Choice(
            "bfloat16", "config", f"bfloat16 on the CPU ({', '.join(bf16)}, oneDNN), asked for"
        )
    raise ValueError(
        "performance.mixed_precision: true needs a GPU, or a CPU with bfloat16 support "
        f"({' or '.join(_BFLOAT16_FLAGS)}) and oneDNN on; this machine has "
        f"{'bfloat16 but oneDNN is off' if bf16 else 'neither'}. Set it to false."
    )


def choose(spec: PerformanceSpec, machine: Machine) -> dict[str, Choice]:
    """The setting of each of `KEYS` for `machine`, with the config's `spec` taking priority.

    Args:
      spec: The config's `performance` section.
      machine: The facts known so far.

    Returns:
      `{key: Choice}` in the order of `KEYS`.

    Raises:
      ValueError: If the config asks for mixed precision on a machine that has neither a
        GPU nor a CPU with bfloat16 and oneDNN on.
    """
    onednn = _onednn(spec, machine)
    choices = {
        "onednn": onednn,
        "intra_op_threads": _threads(spec, machine, "intra_op_threads"),
        "inter_op_threads": _threads(spec, machine, "inter_op_threads"),
        "input_threads": _input_threads(spec, machine),
        "prefetch_batches": _prefetch(spec),
        "map_per_batch": _map_per_batch(spec),
        "xla": _xla(spec),
        "gpu_memory_growth": _memory_growth(spec, machine),
        "mixed_precision": _mixed_precision(spec, machine, onednn.value),
    }
    return {key: choices[key] for key in KEYS}


# --- applying them -------------------------------------------------------------------------


def process_environment(choices: Mapping[str, Choice], environ: Mapping[str, str]) -> dict:
    """Variables to set in the job process before TensorFlow is imported."""
    env = {}
    onednn = choices["onednn"].value
    if onednn is not None:
        env[_ONEDNN_ENV] = "1" if onednn else "0"
    flags = environ.get(_XLA_ENV, "")
    if choices["xla"].value and _XLA_CPU_FLAGS not in flags:
        # Session-level XLA covers GPUs only; CPUs need TensorFlow's flag.
        env[_XLA_ENV] = f"{flags} {_XLA_CPU_FLAGS}".strip()
    return env


def tune_session_config(choices: Mapping[str, Choice], session_config: Any) -> Any:
    """Sets the threads, GPU memory growth, XLA and mixed precision of a `ConfigProto`."""
    session_config.intra_op_parallelism_threads = choices["intra_op_threads"].value
    session_config.inter_op_parallelism_threads = choices["inter_op_threads"].value
    growth = choices["gpu_memory_growth"].value
    if growth is not None:
        session_config.gpu_options.allow_growth = bool(growth)
    graph_options = session_config.graph_options
    if choices["xla"].value:
        graph_options.optimizer_options.global_jit_level = 2  # OptimizerOptions.ON_2
    mixed = choices["mixed_precision"].value
    rewrite = graph_options.rewrite_options
    if mixed == "float16":
        rewrite.auto_mixed_precision = 1  # RewriterConfig.ON
    elif mixed == "bfloat16":
        rewrite.auto_mixed_precision_onednn_bfloat16 = 1
    return session_config


def summary(choices: Mapping[str, Choice]) -> str:
    """One line for people, e.g. `oneDNN on, 2 + 2 threads, input: 2 threads, ...`."""

    def switch(key: str, name: str) -> str:
        value = choices[key].value
        return f"{name} {'default' if value is None else ('on' if value else 'off')}"

    mixed = choices["mixed_precision"].value
    parts = [
        switch("onednn", "oneDNN"),
        f"threads {choices['intra_op_threads'].value} intra + "
        f"{choices['inter_op_threads'].value} inter-op",
        f"input {choices['input_threads'].value} threads, "
        f"{choices['prefetch_batches'].value} batches ahead, "
        f"{'a batch' if choices['map_per_batch'].value else 'a record'} per map call",
        switch("xla", "XLA"),
        "float32" if not mixed else f"mixed precision ({mixed})",
    ]
    if choices["gpu_memory_growth"].value is not None:
        parts.append(switch("gpu_memory_growth", "GPU memory growth"))
    return ", ".join(parts)


def describe(choices: Mapping[str, Choice]) -> dict[str, dict[str, Any]]:
    """The choices as JSON, for `status.json`."""
    return {key: choice.to_json() for key, choice in choices.items()}
