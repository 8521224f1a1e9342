"""`step_memory`: a batch too large for the memory is found before Start, with one that fits.

Every number is counted by hand on one small design, 8x8x1 in:

- conv1 (4 3x3 filters, SAME): 8*8*4 = 256 outputs, 3*3*1*4 + 4 = 40 parameters;
- batch_norm: 256 outputs; beta 4 (trainable), moving mean and variance 4 + 4 (not);
- a repeat of 2 such convs on 4 channels: 256 outputs each, 3*3*4*4 + 4 = 148 each;
- flatten: 256; logits (fully connected, 10): 10 outputs, 256*10 + 10 = 2570.

Activations per example: 64 (input) + 5 * 256 + 10 = 1354. Parameters 40 + 12 + 296 + 2570 =
2918, of which 2910 trainable. With momentum (1 slot): 4 * (2918 + 2 * 2910) = 34,952 bytes
fixed and 4 * 2 * 1354 = 10,832 bytes per example, so the layers of a batch of 32 need
34,952 + 32 * 10,832 = 381,576 bytes (`LAYERS_32`: what a GPU's memory is checked against).

On the CPU the input pipeline adds 5 prefetched batches of the 64-scalar input, 4 * 5 * 64 =
1,280 bytes an example, and a shuffle buffer of 20 records an example (at most 10,000) of the
dataset's record size: on the digits' 266-byte records, 640 * 266 = 170,240 bytes for a batch
of 32, so 381,576 + 32 * 1,280 + 170,240 = 592,776 bytes in all.
"""

from __future__ import annotations

import pytest

from workbench.models.design.spec import layer, new_design, repeat
from workbench.models.editor import DesignEditor
from workbench.models.jobs import ConfigError
from workbench.models.jobs import step_memory as sm
from workbench.models.jobs.design_fit import apply_fix
from workbench.models.jobs.step_memory import (
    Memory,
    StepMemory,
    design_step_memory,
    format_bytes,
    memory_fit,
    parse_gpu_memory,
)
from workbench.models.session import WorkbenchSession

SMALL = new_design(
    "small",
    [8, 8, 1],
    [
        layer("conv2d", "conv1", num_outputs=4, kernel_size=[3, 3]),
        layer("batch_norm", "bn1"),
        repeat(2, layer("conv2d", num_outputs=4, kernel_size=[3, 3]), "conv2"),
        layer("flatten"),
        layer("fully_connected", "logits", num_outputs=10, activation_fn=None),
    ],
)
LAYERS_32 = 381_576


def gpu(available: int) -> Memory:
    """A GPU's memory: the pipeline's buffers are not in it, the layers' figures above hold."""
    return Memory(available, "the test's memory", host=False)


def test_the_small_designs_step_is_counted_from_its_layer_trace():
    step = design_step_memory(SMALL, "momentum")
    assert step == StepMemory(
        activations=1354, params=2918, trainable=2910, slots=1, input_scalars=64
    )
    assert (step.fixed_bytes, step.example_bytes) == (34_952, 10_832)
    assert step.pipeline_bytes(32) == 32 * 1_280
    assert step.step_bytes(32) == LAYERS_32 + 40_960


def test_the_pipeline_holds_prefetched_batches_and_a_capped_shuffle_buffer():
    step = design_step_memory(SMALL, "momentum", record_bytes=266)
    assert step.pipeline_bytes(32) == 40_960 + 170_240
    assert step.step_bytes(32) == 592_776
    # From 500 examples on, the buffer holds its 10,000 records: 2,660,000 bytes.
    assert step.pipeline_bytes(1000) == 1000 * 1_280 + 2_660_000
    assert step.pipeline_bytes(1) == 1_280 + 20 * 266


@pytest.mark.parametrize(
    ("optimizer", "fixed"),
    [("sgd", 4 * (2918 + 2910)), ("adam", 4 * (2918 + 3 * 2910)), ("rmsprop", 4 * 11_648)],
)
def test_each_optimizer_keeps_its_slots(optimizer, fixed):
    assert design_step_memory(SMALL, optimizer).fixed_bytes == fixed


def test_an_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match=r"`optimizer` must be one of sgd, .* got 'lbfgs'"):
        design_step_memory(SMALL, "lbfgs")


def test_the_largest_batch_fits_its_budget():
    step = StepMemory(activations=1354, params=2918, trainable=2910, slots=1)
    # (100,000 - 34,952) // 10,832 = 6: 6 examples take 64,992, a 7th would pass 100,000.
    assert step.largest_batch(100_000) == 6
    assert step.step_bytes(6) <= 100_000 < step.step_bytes(7)
    assert step.largest_batch(34_952 + 10_832) == 1
    assert step.largest_batch(34_952 + 10_831) == 0


def test_the_largest_batch_counts_the_pipeline_and_its_cap():
    step = StepMemory(1354, 2918, 2910, 1, input_scalars=64, record_bytes=100)
    # Up to 500 examples, 10,832 + 1,280 + 20 * 100 = 14,112 bytes each:
    # (100,000 - 34,952) // 14,112 = 4.
    assert step.largest_batch(100_000) == 4
    # Beyond, the shuffle buffer stays 10,000 * 100 bytes and an example takes 12,112:
    # (10,000,000 - 34,952 - 1,000,000) // 12,112 = 740.
    assert step.largest_batch(10_000_000) == 740
    assert step.step_bytes(740) <= 10_000_000 < step.step_bytes(741)


def test_a_step_within_the_headroom_fits():
    # 80% of 500,000 is 400,000 >= 381,576.
    assert memory_fit(SMALL, 32, "momentum", gpu(500_000)) == []


def test_a_step_beyond_the_memory_is_refused_with_a_batch_that_fits():
    [mismatch] = memory_fit(SMALL, 32, "momentum", gpu(300_000))
    # Within 70% of 300,000: (210,000 - 34,952) // 10,832 = 16.
    assert (mismatch.blocking, mismatch.field, mismatch.value) == (True, "batch_size", 16)
    assert mismatch.fix == "Set the batch size to 16"
    assert mismatch.problem.path == "train.batch_size"
    assert mismatch.problem.message == (
        "A training step with batch size 32 needs about 372.6 KiB (34.1 KiB for the 2,918 "
        "parameters, their gradients and momentum's slots, 10.6 KiB per example for the "
        "activations and their gradients), but the test's memory is 293.0 KiB: the job would "
        "run out of memory. A batch of 16 needs 203.4 KiB."
    )


def test_a_step_close_to_the_memory_is_a_warning():
    # 381,576 is within 400,000 but above 80% of it (320,000). Within 70% of it:
    # (280,000 - 34,952) // 10,832 = 22, rounded down to 16.
    [mismatch] = memory_fit(SMALL, 32, "momentum", gpu(400_000))
    assert (mismatch.blocking, mismatch.value) == (False, 16)
    assert "the job may run out of memory. A batch of 16 needs 203.4 KiB." in (
        mismatch.problem.message
    )


def test_a_design_too_large_for_one_example_has_no_batch_to_offer():
    # One example takes 34,952 + 10,832 = 45,784 bytes: more than 45,000.
    [mismatch] = memory_fit(SMALL, 1, "momentum", gpu(45_000))
    assert (mismatch.blocking, mismatch.fix, mismatch.value) == (True, "", None)
    assert mismatch.problem.message.endswith(
        "Not even one example fits: use a smaller design or input."
    )
    with pytest.raises(ValueError, match="this mismatch has no fix to apply"):
        apply_fix(DesignEditor(SMALL), mismatch)


def test_on_the_cpu_the_pipeline_is_counted_and_named():
    # 592,776 is within 600,000 but above 80% of it: a warning. Within 70% of it, up to 500
    # examples take 10,832 + 1,280 + 5,320 = 17,432 bytes each:
    # (420,000 - 34,952) // 17,432 = 22, rounded down to 16: 34,952 + 16 * 17,432 = 313,864.
    [mismatch] = memory_fit(SMALL, 32, "momentum", Memory(600_000, "the test's memory"), 266)
    assert (mismatch.blocking, mismatch.value) == (False, 16)
    assert mismatch.problem.message == (
        "A training step with batch size 32 needs about 578.9 KiB (34.1 KiB for the 2,918 "
        "parameters, their gradients and momentum's slots, 10.6 KiB per example for the "
        "activations and their gradients, 206.2 KiB for the input pipeline's buffers), but "
        "the test's memory is 585.9 KiB: the job may run out of memory. A batch of 16 needs "
        "306.5 KiB."
    )


def test_a_design_with_problems_is_left_to_its_own_checks():
    broken = new_design("broken", [8, 8, 1], [layer("conv2d", "c", num_outputs=-1)])
    assert memory_fit(broken, 32, "momentum", Memory(1, "none")) == []


def test_the_session_refuses_start_and_its_fix_sets_the_batch_size(tmp_path, monkeypatch):
    monkeypatch.setattr("workbench.models.session.available_memory", lambda device: gpu(300_000))
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(SMALL))
    session.settings.batch_size = 32
    [mismatch] = session.memory_fit()
    with pytest.raises(ConfigError, match="batch size 32 needs about 372.6 KiB"):
        session.start_training()
    assert not (tmp_path / "jobs").exists()
    session.fix_design(mismatch)
    assert session.settings.batch_size == 16
    assert session.memory_fit() == []
    with pytest.raises(ValueError, match="a batch size fix needs the training `settings`"):
        apply_fix(DesignEditor(SMALL), mismatch)


def test_gpu_memory_is_read_from_nvidia_smi_in_mib():
    text = "NVIDIA H100 80GB HBM3, 81000\nTesla T4, 15000\nnot a line\n"
    assert parse_gpu_memory(text) == [
        ("NVIDIA H100 80GB HBM3", 81000 * 2**20),
        ("Tesla T4", 15000 * 2**20),
    ]


def test_a_job_on_a_gpu_is_checked_against_the_gpu_and_on_the_cpu_against_the_machine(
    monkeypatch,
):
    monkeypatch.setattr(sm, "_visible_gpus", lambda: [("Tesla T4", 15000 * 2**20)])
    assert sm.available_memory("auto") == Memory(
        15000 * 2**20, "the free memory of the GPU (Tesla T4)", host=False
    )
    monkeypatch.setattr(
        "psutil.virtual_memory", lambda: type("Memory", (), {"available": 3 * 2**30})()
    )
    # 3 GiB (3,072 MiB) less the job's own 700 MiB: 2,372 MiB.
    assert sm.available_memory("cpu") == Memory(
        2372 * 2**20,
        "the memory a job has on this machine (3.0 GiB available, less 700.0 MiB for the "
        "job's TensorFlow)",
    )


def test_gpus_hidden_by_cuda_visible_devices_are_not_asked(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    monkeypatch.setattr(sm.shutil, "which", lambda name: pytest.fail("nvidia-smi was run"))
    assert sm._visible_gpus() == []


@pytest.mark.parametrize(
    ("count", "text"),
    [(512, "512 B"), (1536, "1.5 KiB"), (3 * 2**20, "3.0 MiB"), (2**40, "1024.0 GiB")],
)
def test_sizes_read_in_powers_of_1024(count, text):
    assert format_bytes(count) == text


def test_a_slimlib_net_is_checked_as_the_job_builds_it(tmp_path, monkeypatch):
    # slimlib's LeNet on the digits (28x28x1, 10 classes): the LeNet template's 53,018
    # activations and its softmax's 10 (424,224 bytes an example with their gradients), and
    # 3,274,634 parameters (39,295,608 bytes with gradients and momentum's slots). Its input
    # pipeline: 5 prefetched batches of 784 scalars (15,680 bytes an example) and 20 of the
    # digits' 266-byte records an example (5,120 records: 1,361,920 bytes). In all
    # 39,295,608 + 256 * (424,224 + 15,680) + 1,361,920 = 153,272,952 bytes: 146.2 MiB.
    monkeypatch.setattr(
        "workbench.models.session.available_memory", lambda device: Memory(2**26, "memory")
    )
    session = WorkbenchSession(workspace=str(tmp_path), train_design=False)
    session.settings.batch_size = 256
    [mismatch] = session.design_fit()
    assert mismatch.problem.message.startswith(
        "A training step with batch size 256 needs about 146.2 MiB"
    )
    # 70% of 64 MiB: (46,976,204 - 39,295,608) // (424,224 + 15,680 + 5,320) = 17, rounded
    # down to 16.
    assert mismatch.fix == "Set the batch size to 16"
    with pytest.raises(ConfigError, match="batch size 256 needs about 146.2 MiB"):
        session.start_training()
    assert not (tmp_path / "jobs").exists()
