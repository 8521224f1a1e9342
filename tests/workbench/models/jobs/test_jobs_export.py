"""SavedModel export of the shared digits job, served where neither slimlib nor workbench
can be imported."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap

import numpy as np
import pytest

import slimlib as slim
from workbench.models.jobs import PathEscapeError, export_saved_model, predict

# Runs with `python -I -S`: no site processing, so the editable install of this repository
# (a finder registered by a .pth file) is not there; only TensorFlow's site-packages folder
# is put on the path, by hand.
_SERVE = textwrap.dedent(
    """
    import json, sys
    sys.path.append(sys.argv[1])
    for name in ("slimlib", "workbench"):
        try:
            __import__(name)
        except ModuleNotFoundError:
            pass
        else:
            raise SystemExit(f"{name} must not be importable here")
    import numpy as np
    import tensorflow as tf
    loaded = tf.saved_model.load(sys.argv[2])
    serve = loaded.signatures["serving_default"]
    images = np.load(sys.argv[3])
    out = serve(images=tf.constant(images))
    spec = serve.structured_input_signature[1]["images"]
    print(json.dumps({
        "probabilities": out["probabilities"].numpy().tolist(),
        "classes": out["classes"].numpy().tolist(),
        "input_shape": spec.shape.as_list(),
        "input_dtype": spec.dtype.name,
    }))
    """
)


@pytest.fixture(scope="module")
def exported(digits_run):
    return export_saved_model(digits_run.logdir, workspace=digits_run.workspace)


def _validation_images(count: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = slim.datasets.digits.load_arrays()["validation"]
    return images[:count].astype(np.float32), labels[:count]


def test_saved_model_serves_the_same_probabilities_without_slimlib(digits_run, exported, tmp_path):
    images, labels = _validation_images(16)
    expected = predict(digits_run.logdir, images, workspace=digits_run.workspace)
    np.save(tmp_path / "images.npy", images)
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _SERVE,
            sysconfig.get_paths()["purelib"],
            exported,
            str(tmp_path / "images.npy"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["input_shape"] == [None, 8, 8, 1]
    assert served["input_dtype"] == "float32"
    probabilities = np.array(served["probabilities"])
    assert probabilities.shape == (16, 10)
    np.testing.assert_allclose(probabilities, expected["probabilities"], atol=1e-5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert served["classes"] == expected["classes"].tolist()
    assert np.mean(np.array(served["classes"]) == labels) > 0.5


def test_export_names_the_step_and_lists_class_names(digits_run, exported):
    assert exported.endswith(f"export/step-{digits_run.requested_steps}")
    names = open(f"{exported}/assets.extra/class_names.txt").read().split()
    assert names == [str(digit) for digit in range(10)]


def test_export_refuses_to_overwrite_or_leave_the_workspace(digits_run, exported):
    with pytest.raises(FileExistsError, match="pass overwrite=True"):
        export_saved_model(digits_run.logdir, workspace=digits_run.workspace)
    with pytest.raises(PathEscapeError, match="`export_dir` must stay inside the workspace"):
        export_saved_model(digits_run.logdir, "/tmp/elsewhere", workspace=digits_run.workspace)


def test_predict_checks_the_input_shape(digits_run):
    with pytest.raises(ValueError, match=r"must have shape \[batch, 8, 8, 1\], got shape"):
        predict(digits_run.logdir, np.zeros([2, 28, 28, 1]), workspace=digits_run.workspace)
