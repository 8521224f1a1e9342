"""Exporting a job's model as a SavedModel, and running the model in this process.

The exported graph takes images and returns class probabilities; it holds only standard
TensorFlow ops, so `tf.saved_model.load` serves it without slimlib or workbench:

    loaded = tf.saved_model.load(export_dir)
    outputs = loaded.signatures["serving_default"](images=tf.constant(batch))
    outputs["probabilities"]  # float32 [batch, num_classes]
    outputs["classes"]        # int64 [batch]

`images` is float32 `[batch, height, width, channels]` with pixel values 0..255, already
at the model's input size (`model_info.json`'s `input_shape`, i.e. after the job's
`dataset.resize`); the graph scales them to [0, 1] as training did. The SavedModel is a
TF1-style one (`tf.compat.v1.saved_model.Builder`), with the `serve` tag and the
`serving_default` signature; `class_names.txt` in its `assets.extra` folder lists the
class of each label.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.models.jobs import inputs, model
from workbench.models.jobs.config import JobConfig, load_config
from workbench.models.jobs.inputs import PreparedData
from workbench.models.jobs.paths import EXPORT_DIR, JOB_FILE, resolve_in_workspace
from workbench.models.jobs.status_file import read_json, why_not_an_object

v1 = tf.compat.v1

__all__ = ["SIGNATURE_KEY", "export_saved_model", "predict"]

SIGNATURE_KEY = "serving_default"


def _job(logdir: str, workspace: str | None) -> tuple[str, str, JobConfig, PreparedData, str]:
    logdir = os.path.realpath(logdir)
    root = os.path.realpath(workspace or os.path.dirname(logdir))
    logdir = resolve_in_workspace(root, logdir, what="logdir")
    raw = read_json(os.path.join(logdir, JOB_FILE))
    if not isinstance(raw, dict):
        raise FileNotFoundError(
            f"export: {logdir!r} holds no job ({why_not_an_object(os.path.join(logdir, JOB_FILE))})."
        )
    # The files a config names may be gone by now; the checkpoint has what is needed.
    config = load_config(raw, workspace=root, check_files=False)
    data = inputs.load_prepared(logdir)
    checkpoint = tf.train.latest_checkpoint(logdir)
    if checkpoint is None:
        raise FileNotFoundError(
            f"export: {logdir!r} has no checkpoint yet; wait until the job saved one."
        )
    return logdir, root, config, data, checkpoint


def _inference_graph(config: JobConfig, data: PreparedData) -> tuple[tf.Graph, dict[str, Any]]:
    graph = tf.Graph()
    with graph.as_default():
        images = v1.placeholder(tf.float32, [None, *data.input_shape], name="images")
        logits, _ = model.build_logits(
            config, inputs.scale_pixels(images), data.num_classes, is_training=False
        )
        tensors = {
            "images": images,
            "probabilities": tf.nn.softmax(logits, name="probabilities"),
            "classes": tf.argmax(logits, 1, name="classes"),
        }
    return graph, tensors


def _session_config() -> v1.ConfigProto:
    # The app process shares the GPU with running jobs: take memory as needed, not all.
    config = v1.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    return config


def predict(
    logdir: str | os.PathLike, images: Any, *, workspace: str | os.PathLike | None = None
) -> dict[str, np.ndarray]:
    """Runs the job's model (its last checkpoint) on `images` in this process.

    Args:
      logdir: The job's log directory.
      images: Array `[batch, height, width, channels]`, pixel values 0..255, at the
        model's input size.
      workspace: The workspace root; default the parent of `logdir`.

    Returns:
      `{"probabilities": float32 [batch, num_classes], "classes": int64 [batch]}`.

    Raises:
      FileNotFoundError: If the job has no checkpoint or prepared data yet.
      ValueError: If `images` does not have the model's input shape.
    """
    logdir, _, config, data, checkpoint = _job(os.fspath(logdir), _opt(workspace))
    batch = np.asarray(images, dtype=np.float32)
    if batch.ndim != 4 or tuple(batch.shape[1:]) != tuple(data.input_shape):
        raise ValueError(
            f"predict: `images` must have shape [batch, {', '.join(map(str, data.input_shape))}]"
            f", got shape {batch.shape}."
        )
    graph, tensors = _inference_graph(config, data)
    with graph.as_default(), v1.Session(graph=graph, config=_session_config()) as sess:
        v1.train.Saver().restore(sess, checkpoint)
        probabilities, classes = sess.run(
            [tensors["probabilities"], tensors["classes"]], {tensors["images"]: batch}
        )
    return {"probabilities": probabilities, "classes": classes}


# What a SavedModel folder written by `export_saved_model` (or TensorFlow) holds.
_SAVED_MODEL_ENTRIES = {
    "saved_model.pb",
    "saved_model.pbtxt",
    "fingerprint.pb",
    "variables",
    "assets",
    "assets.extra",
}


def _check_replaceable(target: str) -> None:
    """Refuses to overwrite anything but an empty folder or an earlier SavedModel export.

    `--overwrite` aimed at the wrong folder (a job folder, the designs, a folder of jobs)
    would otherwise delete it whole.
    """
    if os.path.islink(target) or not os.path.isdir(target):
        raise FileExistsError(
            f"export_saved_model: {target!r} exists and is not a folder; overwrite replaces "
            "only an empty folder or an earlier export."
        )
    entries = set(os.listdir(target))
    if not entries:
        return
    if entries <= _SAVED_MODEL_ENTRIES and entries & {"saved_model.pb", "saved_model.pbtxt"}:
        return
    shown = ", ".join(sorted(entries)[:5]) + (", ..." if len(entries) > 5 else "")
    raise FileExistsError(
        f"export_saved_model: will not overwrite {target!r}: it is neither empty nor an "
        f"earlier SavedModel export (it holds {shown}); choose another `export_dir`."
    )


def _opt(path: str | os.PathLike | None) -> str | None:
    return None if path is None else os.fspath(path)


def export_saved_model(
    logdir: str | os.PathLike,
    export_dir: str | os.PathLike | None = None,
    *,
    workspace: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> str:
    """Writes the job's last checkpoint as a SavedModel with a serving signature.

    Args:
      logdir: The job's log directory.
      export_dir: Target folder inside the workspace; default
        `<logdir>/export/step-<global step>`.
      workspace: The workspace root; default the parent of `logdir`.
      overwrite: Replace an existing `export_dir`: only an empty folder or an earlier
        SavedModel export, never the workspace root, a job or any other folder. Default
        False.

    Returns:
      The absolute path of the SavedModel folder.

    Raises:
      FileNotFoundError: If the job has no checkpoint or prepared data yet.
      FileExistsError: If `export_dir` exists and `overwrite` is False, or it is neither
        empty nor an earlier export.
      PathEscapeError: If `export_dir` is outside the workspace.
      ValueError: If `export_dir` is the workspace root.
    """
    logdir, root, config, data, checkpoint = _job(os.fspath(logdir), _opt(workspace))
    if export_dir is None:
        step = checkpoint.rsplit("-", 1)[-1]
        export_dir = os.path.join(logdir, EXPORT_DIR, f"step-{step}")
    target = resolve_in_workspace(root, export_dir, what="export_dir")
    if target == root:
        raise ValueError(
            f"export_saved_model: `export_dir` must be a folder inside the workspace, got the "
            f"workspace root {root!r}; use e.g. 'exports/model'."
        )
    if os.path.lexists(target):
        if not overwrite:
            raise FileExistsError(
                f"export_saved_model: {target!r} already exists; pass overwrite=True to "
                "replace an earlier export, or choose another `export_dir`."
            )
        _check_replaceable(target)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        path = os.path.join(staging, "model")
        graph, tensors = _inference_graph(config, data)
        with graph.as_default(), v1.Session(graph=graph, config=_session_config()) as sess:
            v1.train.Saver().restore(sess, checkpoint)
            signature = v1.saved_model.signature_def_utils.predict_signature_def(
                inputs={"images": tensors["images"]},
                outputs={"probabilities": tensors["probabilities"], "classes": tensors["classes"]},
            )
            builder = v1.saved_model.Builder(path)
            builder.add_meta_graph_and_variables(
                sess,
                [tf.saved_model.SERVING],
                signature_def_map={SIGNATURE_KEY: signature},
                strip_default_attrs=True,
            )
            builder.save()
        extra = os.path.join(path, "assets.extra")
        os.makedirs(extra, exist_ok=True)
        with open(os.path.join(extra, "class_names.txt"), "w", encoding="utf-8") as f:
            f.writelines(f"{data.labels_to_names.get(i, i)}\n" for i in range(data.num_classes))
        if os.path.exists(target):
            shutil.rmtree(target)
        os.replace(path, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
