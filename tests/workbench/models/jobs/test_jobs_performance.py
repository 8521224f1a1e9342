"""Speed settings of a job: what is chosen given the CPU's flags, the GPUs, the data and
the config's `performance` section (nothing here is timed)."""

import math
import os

import numpy as np
import pytest
import tensorflow as tf

from workbench.models.jobs import ConfigError, load_config
from workbench.models.jobs import performance as perf
from workbench.models.jobs.performance import AUTO, Machine, PerformanceSpec

# An AMD EPYC of the Zen 3 kind: AVX2, no AVX-512 (TensorFlow leaves oneDNN off there).
ZEN3 = frozenset("sse4_2 avx avx2 fma f16c".split())
# A Xeon with AVX-512 VNNI and AMX, where TensorFlow turns oneDNN on by itself.
SAPPHIRE = frozenset("avx avx2 avx512f avx512_vnni avx512_bf16 amx_tile amx_bf16".split())


def machine(flags=ZEN3, **facts):
    return Machine(**{"arch": "x86_64", "cpu_flags": flags, "cores": 2, **facts})


def chosen(spec=None, **facts):
    return perf.choose(spec or PerformanceSpec(), machine(**facts))


def values(choices):
    return {key: choice.value for key, choice in choices.items()}


# --- oneDNN --------------------------------------------------------------------------------


def test_onednn_is_turned_on_where_tensorflow_leaves_it_off():
    choice = chosen()["onednn"]
    assert (choice.value, choice.source) == (True, "machine")
    assert "1.5x" in choice.reason
    assert perf.process_environment(chosen(), {}) == {"TF_ENABLE_ONEDNN_OPTS": "1"}


def test_onednn_is_on_by_tensorflows_own_rule_on_cpus_with_vnni_or_amx():
    choice = chosen(flags=SAPPHIRE)["onednn"]
    assert choice.value is True
    assert choice.reason == (
        "TensorFlow's default on a CPU with avx512_vnni, avx512_bf16, amx_tile, amx_bf16"
    )


@pytest.mark.parametrize(
    ("arch", "flags"), [("aarch64", frozenset({"asimd", "sve"})), ("x86_64", frozenset({"avx"}))]
)
def test_onednn_keeps_tensorflows_default_where_it_was_not_measured(arch, flags):
    choices = perf.choose(PerformanceSpec(), Machine(arch=arch, cpu_flags=flags, cores=4))
    assert choices["onednn"].value is None
    assert "TF_ENABLE_ONEDNN_OPTS" not in perf.process_environment(choices, {})


def test_the_environment_beats_the_machine_and_the_config_beats_both():
    choice = chosen(onednn_env="0")["onednn"]
    assert (choice.value, choice.source) == (False, "environment")
    assert choice.reason == "TF_ENABLE_ONEDNN_OPTS=0 was set"
    forced = chosen(PerformanceSpec(onednn=True), onednn_env="0")
    assert (forced["onednn"].value, forced["onednn"].source) == (True, "config")
    off = chosen(PerformanceSpec(onednn=False), flags=SAPPHIRE)
    assert perf.process_environment(off, {}) == {"TF_ENABLE_ONEDNN_OPTS": "0"}


# --- threads and the input pipeline --------------------------------------------------------


def test_threads_follow_the_usable_cores_and_input_threads_stay_within_4_to_8():
    assert values(chosen(cores=6))["intra_op_threads"] == 6
    assert values(chosen(cores=6))["inter_op_threads"] == 6
    assert values(chosen(cores=6))["input_threads"] == 6
    assert values(chosen(cores=2))["input_threads"] == 4
    assert values(chosen(cores=32))["input_threads"] == 8
    spec = PerformanceSpec(intra_op_threads=3, inter_op_threads=1, input_threads=5)
    got = values(chosen(spec, cores=32))
    assert (got["intra_op_threads"], got["inter_op_threads"], got["input_threads"]) == (3, 1, 5)
    assert chosen(spec)["inter_op_threads"].source == "config"


def test_records_are_mapped_one_by_one_unless_the_config_says():
    choice = chosen()["map_per_batch"]
    assert (choice.value, choice.source) == (False, "machine")
    assert "did not train faster" in choice.reason
    assert values(chosen(PerformanceSpec(map_per_batch=True)))["map_per_batch"] is True
    spec = PerformanceSpec(map_per_batch=False, prefetch_batches=9)
    assert chosen(spec)["map_per_batch"].source == "config"
    assert values(chosen(spec))["prefetch_batches"] == 9
    assert values(chosen())["prefetch_batches"] == 5


# --- XLA, GPU memory, mixed precision -----------------------------------------------------


def test_xla_is_off_unless_asked_for_and_then_reaches_the_cpu_flag():
    assert values(chosen())["xla"] is False
    assert "TF_XLA_FLAGS" not in perf.process_environment(chosen(), {})
    on = chosen(PerformanceSpec(xla=True))
    flags = "--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit"
    assert perf.process_environment(on, {})["TF_XLA_FLAGS"] == flags
    kept = perf.process_environment(on, {"TF_XLA_FLAGS": "--xla_dump_to=/tmp/x"})
    assert kept["TF_XLA_FLAGS"] == f"--xla_dump_to=/tmp/x {flags}"
    assert perf.process_environment(on, {"TF_XLA_FLAGS": flags}).get("TF_XLA_FLAGS") is None


def test_gpu_memory_grows_as_needed_on_a_gpu():
    assert values(chosen(gpus=0))["gpu_memory_growth"] is None
    assert values(chosen(gpus=1))["gpu_memory_growth"] is True
    assert (
        values(chosen(PerformanceSpec(gpu_memory_growth=False), gpus=1))["gpu_memory_growth"]
        is False
    )


def test_mixed_precision_is_opt_in_and_picks_the_type_the_device_runs_fast():
    assert values(chosen(gpus=1))["mixed_precision"] is False
    spec = PerformanceSpec(mixed_precision=True)
    assert values(chosen(spec, gpus=1))["mixed_precision"] == "float16"
    assert values(chosen(spec, flags=SAPPHIRE, gpus=0))["mixed_precision"] == "bfloat16"


def test_mixed_precision_without_a_device_for_it_is_refused():
    spec = PerformanceSpec(mixed_precision=True)
    with pytest.raises(ValueError, match=r"needs a GPU, .* this machine has neither\."):
        chosen(spec, gpus=0)
    without_onednn = PerformanceSpec(mixed_precision=True, onednn=False)
    with pytest.raises(ValueError, match="this machine has bfloat16 but oneDNN is off"):
        chosen(without_onednn, flags=SAPPHIRE, gpus=0)
    assert chosen(spec)["mixed_precision"].value is True  # Before the GPUs are known.


def test_session_config_gets_threads_growth_xla_and_mixed_precision():
    spec = PerformanceSpec(intra_op_threads=3, inter_op_threads=1, xla=True, mixed_precision=True)
    config = perf.tune_session_config(chosen(spec, gpus=1), tf.compat.v1.ConfigProto())
    assert (config.intra_op_parallelism_threads, config.inter_op_parallelism_threads) == (3, 1)
    assert config.gpu_options.allow_growth is True
    assert config.graph_options.optimizer_options.global_jit_level == 2
    assert config.graph_options.rewrite_options.auto_mixed_precision == 1
    plain = perf.tune_session_config(chosen(gpus=0), tf.compat.v1.ConfigProto())
    assert plain.graph_options.optimizer_options.global_jit_level == 0
    assert plain.graph_options.rewrite_options.auto_mixed_precision == 0
    assert plain.gpu_options.allow_growth is False


def test_summary_names_every_choice():
    text = perf.summary(chosen(PerformanceSpec(map_per_batch=True)))
    assert text == (
        "oneDNN on, threads 2 intra + 2 inter-op, input 4 threads, 5 batches ahead, a batch "
        "per map call, XLA off, float32"
    )
    assert perf.summary(chosen(gpus=1)).endswith("a record per map call, XLA off, float32, "
                                                 "GPU memory growth on")  # fmt: skip
    described = perf.describe(chosen())
    assert list(described) == list(perf.KEYS)
    assert described["xla"]["source"] == "machine"


# --- the machine's facts -------------------------------------------------------------------


def test_cpu_flags_and_model_come_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse avx2 fma\n\n"
        "processor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n"
    )
    facts = perf.read_machine(cpuinfo=str(cpuinfo), cgroup_root=str(tmp_path))
    assert facts.cpu_model == "AMD EPYC 7B13"
    assert facts.cpu_flags == {"fpu", "sse", "avx2", "fma"}
    assert facts.gpus is None
    missing = perf.read_machine(cpuinfo=str(tmp_path / "none"), cgroup_root=str(tmp_path))
    assert (missing.cpu_model, missing.cpu_flags) == ("", frozenset())


@pytest.mark.parametrize(("cpu_max", "cap"), [("50000 100000\n", 1), ("max 100000\n", None)])
def test_a_cgroup_quota_caps_the_cores(tmp_path, cpu_max, cap):
    (tmp_path / "cpu.max").write_text(cpu_max)
    affinity = len(os.sched_getaffinity(0))
    assert perf.usable_cores(str(tmp_path)) == (affinity if cap is None else min(cap, affinity))


def test_a_cgroup_v1_quota_caps_the_cores(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert perf.usable_cores(str(tmp_path)) == 1


# --- the config section --------------------------------------------------------------------

LENET = {"model": {"net": "lenet"}}


def test_the_config_fills_in_auto_and_keeps_overrides(tmp_path):
    config = load_config(LENET, workspace=tmp_path)
    assert config.performance == PerformanceSpec()
    assert config.data["performance"]["onednn"] == AUTO
    assert config.data["performance"]["mixed_precision"] is False
    given = {**LENET, "performance": {"input_threads": 3, "xla": True}}
    config = load_config(given, workspace=tmp_path)
    assert (config.performance.input_threads, config.performance.xla) == (3, True)
    assert config.data["performance"]["intra_op_threads"] == AUTO


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"xla": "yes"}, "performance.xla: must be \"auto\", true or false, got 'yes'."),
        (
            {"intra_op_threads": 0},
            'performance.intra_op_threads: must be "auto" or an integer >= 1 and <= 1024, got 0.',
        ),
        ({"input_threads": True}, 'performance.input_threads: must be "auto" or an integer'),
        (
            {"mixed_precision": "auto"},
            r"performance.mixed_precision: must be true or false \(false: float32 throughout\), "
            "got 'auto'.",
        ),
        ({"onednn_opts": True}, r"performance.onednn_opts: .* Did you mean 'onednn'\?"),
        ([1], r"performance: must be an object such as \{\"onednn\": \"auto\""),
    ],
)
def test_bad_settings_are_reported_with_their_value(tmp_path, section, message):
    with pytest.raises(ConfigError, match=message):
        load_config({**LENET, "performance": section}, workspace=tmp_path)


def test_the_raw_section_is_read_leniently_before_validation():
    raw = {"performance": {"onednn": False, "xla": "yes", "bogus": 1}}
    assert perf.spec_from_raw(raw) == PerformanceSpec(onednn=False)
    assert perf.spec_from_raw({"performance": "fast"}) == PerformanceSpec()
    assert perf.spec_from_raw(None) == PerformanceSpec()


# --- on a GPU (run only where TensorFlow sees one) -----------------------------------------

needs_gpu = pytest.mark.skipif(
    not tf.config.list_physical_devices("GPU"), reason="TensorFlow sees no GPU here"
)


def _gpu_session(spec):
    config = perf.tune_session_config(chosen(spec, gpus=1), tf.compat.v1.ConfigProto())
    return tf.compat.v1.Session(config=config)


def _train_steps(spec, steps=3):
    """Losses of a tiny conv net trained on the GPU with the settings of `spec`."""
    rng = np.random.default_rng(0)
    images = rng.random((8, 16, 16, 3), dtype=np.float32)
    labels = rng.integers(0, 4, 8)
    with tf.Graph().as_default(), tf.device("/GPU:0"):
        weights = tf.Variable(rng.normal(0, 0.3, (3, 3, 3, 8)).astype(np.float32))
        dense = tf.Variable(rng.normal(0, 0.3, (8, 4)).astype(np.float32))
        features = tf.reduce_mean(tf.nn.relu(tf.nn.conv2d(images, weights, 1, "SAME")), [1, 2])
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels, tf.matmul(features, dense))
        )
        train = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        with _gpu_session(spec) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            return [sess.run([loss, train])[0] for _ in range(steps)]


@needs_gpu
def test_gpu_memory_growth_lets_a_session_run():
    losses = _train_steps(PerformanceSpec())
    assert all(map(math.isfinite, losses))
    assert chosen(gpus=1)["gpu_memory_growth"].value is True


@needs_gpu
def test_xla_on_a_gpu_trains_as_without_it():
    plain, compiled = _train_steps(PerformanceSpec()), _train_steps(PerformanceSpec(xla=True))
    assert compiled == pytest.approx(plain, rel=1e-3)


@needs_gpu
def test_mixed_precision_on_a_gpu_trains_close_to_float32():
    plain = _train_steps(PerformanceSpec())
    mixed = _train_steps(PerformanceSpec(mixed_precision=True))
    assert mixed == pytest.approx(plain, rel=2e-2)
    assert mixed[-1] < mixed[0]
