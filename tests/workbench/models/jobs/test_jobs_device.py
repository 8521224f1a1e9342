"""A job's device from the GPUs TensorFlow lists, given as stand-in device lists here, and the
speed settings that follow from it; a last test runs only where TensorFlow sees a GPU."""

from __future__ import annotations

import pytest
import tensorflow as tf

from workbench.models.jobs import load_config
from workbench.models.jobs import performance as perf
from workbench.models.jobs.runner import _device, device_settings

GPUS = [tf.config.PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in (0, 1)]


def details(device):
    return {"device_name": f"Card {device.name[-1]}"}


def settings_for(device, gpus, flags=frozenset()):
    """Device fields, then the session config tuned with the speed settings chosen for them,
    as the job does."""
    fields, session_config = device_settings(device, gpus, details)
    machine = perf.Machine(arch="x86_64", cpu_flags=flags, cores=2)
    machine = machine.learned(gpus=int(fields["device"] == "GPU"))
    choices = perf.choose(perf.PerformanceSpec(), machine)
    return fields, perf.tune_session_config(choices, session_config), choices


@pytest.mark.parametrize("device", ["auto", "gpu"])
def test_a_visible_gpu_is_used_with_memory_growth(device):
    fields, config, choices = settings_for(device, GPUS)
    assert fields == {"device": "GPU", "device_name": "Card 0"}
    assert config.gpu_options.allow_growth is True
    assert config.allow_soft_placement is True
    assert "GPU" not in config.device_count  # Every GPU stays usable.
    assert choices["gpu_memory_growth"].value is True
    assert perf.summary(choices).endswith("GPU memory growth on")


def test_a_gpu_without_a_name_is_shown_by_its_device_name():
    fields, _ = device_settings("auto", GPUS[:1], lambda device: {})
    assert fields == {"device": "GPU", "device_name": "/physical_device:GPU:0"}


def test_cpu_ignores_the_gpus_and_hides_them_from_the_session():
    fields, config, choices = settings_for("cpu", GPUS)
    assert fields == {"device": "CPU", "device_name": "CPU"}
    assert config.device_count["GPU"] == 0
    assert config.gpu_options.allow_growth is False
    assert choices["gpu_memory_growth"].value is None


def test_auto_without_a_gpu_trains_on_the_cpu():
    fields, config, choices = settings_for("auto", [])
    assert fields["device"] == "CPU" and config.device_count["GPU"] == 0
    assert choices["gpu_memory_growth"].value is None


def test_mixed_precision_asked_for_is_float16_on_a_gpu():
    fields, session_config = device_settings("auto", GPUS, details)
    machine = perf.Machine(arch="x86_64", cores=2).learned(gpus=1)
    choices = perf.choose(perf.PerformanceSpec(mixed_precision=True), machine)
    assert choices["mixed_precision"].value == "float16"
    config = perf.tune_session_config(choices, session_config)
    assert config.graph_options.rewrite_options.auto_mixed_precision == 1  # ON


def test_gpu_asked_for_without_one_is_refused_with_what_to_choose():
    with pytest.raises(RuntimeError, match=r"asks for 'gpu' but TensorFlow sees no GPU; choose"):
        device_settings("gpu", [], details)


@pytest.mark.skipif(
    not tf.config.list_physical_devices("GPU"), reason="TensorFlow sees no GPU here"
)
def test_a_job_on_this_machine_finds_its_gpu(tmp_path):
    config = load_config({"model": {"net": "lenet"}, "device": "auto"}, workspace=str(tmp_path))
    fields, session_config = _device(config)
    assert fields["device"] == "GPU" and fields["device_name"]
    assert session_config.gpu_options.allow_growth is True
