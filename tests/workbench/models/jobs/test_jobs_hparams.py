"""HParams summaries: what a job writes for TensorBoard's HParams dashboard, read back with
TensorBoard's own event loader, and written without importing Keras."""

from __future__ import annotations

import doctest
import glob
import os
import subprocess
import sys

import pytest
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.plugins.hparams import metadata, plugin_data_pb2
from tensorboard.util import tensor_util

from workbench.models.design import template
from workbench.models.jobs import hparams_summary
from workbench.models.jobs.config import load_config

CONFIG = {
    "model": {"design": {**template("lenet"), "name": "tiny"}},
    "train": {"optimizer": "adam", "learning_rate": 0.003, "batch_size": 16, "steps": 40},
    "sweep": "lr-1",
}


def _events(logdir) -> list:
    paths = sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))
    return [event for path in paths for event in EventFileLoader(path).Load()]


def _plugin_data(event) -> plugin_data_pb2.HParamsPluginData:
    (value,) = event.summary.value
    data = plugin_data_pb2.HParamsPluginData()
    data.ParseFromString(value.metadata.plugin_data.content)
    return data


def test_start_and_end_are_read_back_by_tensorboard(tmp_path):
    config = load_config(CONFIG, workspace=tmp_path, check_files=False)
    hparams_summary.write_start(str(tmp_path), config, trial_id="jobs/lr-1/run-001")
    hparams_summary.write_end(str(tmp_path), "finished", {"accuracy": 0.75, "loss": 0.5}, 40)
    summaries = [event for event in _events(tmp_path) if event.HasField("summary")]
    start = _plugin_data(summaries[0]).session_start_info
    assert start.group_name == "jobs/lr-1/run-001"
    hparams = {name: value.WhichOneof("kind") for name, value in start.hparams.items()}
    assert start.hparams["learning_rate"].number_value == 0.003
    assert start.hparams["batch_size"].number_value == 16
    assert start.hparams["optimizer"].string_value == "adam"
    assert start.hparams["model"].string_value == "tiny"
    assert start.hparams["sweep"].string_value == "lr-1"
    assert start.hparams["fine_tune"].bool_value is False
    assert hparams["weight_decay"] == "number_value"
    scalars = {
        event.summary.value[0].tag: (event.step, tensor_util.make_ndarray(
            event.summary.value[0].tensor).item())
        for event in summaries[1:3]
    }  # fmt: skip
    assert scalars == {"validation/accuracy": (40, 0.75), "validation/loss": (40, 0.5)}
    end = _plugin_data(summaries[3]).session_end_info
    assert end.status == 1  # api_pb2.Status.STATUS_SUCCESS
    assert [os.path.basename(p).endswith(".hparams") for p in glob.glob(f"{tmp_path}/events*")]


@pytest.mark.parametrize("state, status", [("failed", 2), ("stopped", 0)])
def test_a_job_that_did_not_finish_ends_without_metrics(tmp_path, state, status):
    hparams_summary.write_end(str(tmp_path), state, None, 7)
    (event,) = [event for event in _events(tmp_path) if event.HasField("summary")]
    assert _plugin_data(event).session_end_info.status == status and event.step == 7


def test_writing_the_summaries_imports_no_keras(tmp_path):
    # TensorFlow registers some Keras modules of its own on import; the summaries must add
    # none, and never TensorBoard's hparams.api (its Keras callback imports Keras).
    code = (
        "import sys, tensorflow\n"
        "before = {m for m in sys.modules if 'keras' in m}\n"
        "from workbench.models.jobs import hparams_summary\n"
        "from workbench.models.jobs.config import load_config\n"
        f"config = load_config({CONFIG!r}, workspace={str(tmp_path)!r}, check_files=False)\n"
        f"hparams_summary.write_start({str(tmp_path)!r}, config, trial_id='t')\n"
        f"hparams_summary.write_end({str(tmp_path)!r}, 'finished', {{'accuracy': 1.0}}, 1)\n"
        "added = sorted({m for m in sys.modules if 'keras' in m} - before)\n"
        "print(added, 'tensorboard.plugins.hparams.api' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[] False"


def test_the_digits_job_wrote_its_hparams_and_final_accuracy(digits_run):
    summaries = [e for e in _events(digits_run.logdir) if e.HasField("summary")]
    tags = [e.summary.value[0].tag for e in summaries]
    assert tags.count(metadata.SESSION_START_INFO_TAG) == 2  # Started, then resumed.
    accuracy = [e for e in summaries if e.summary.value[0].tag == "validation/accuracy"]
    value = tensor_util.make_ndarray(accuracy[-1].summary.value[0].tensor).item()
    assert value == pytest.approx(digits_run.final["eval"]["accuracy"])
    assert accuracy[-1].step == digits_run.final["eval"]["step"]


def test_doctests():
    assert doctest.testmod(hparams_summary).failed == 0
