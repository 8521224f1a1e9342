"""Inspect builds the design for inference or for training, as the session says."""

from __future__ import annotations

from workbench.models.design import analyze, template
from workbench.models.editor import DesignEditor
from workbench.models.session import WorkbenchSession


def _update_ops(session: WorkbenchSession) -> int:
    return len(session.inspect.collection("UPDATE_OPS").members)


def test_training_mode_shows_the_batch_norm_updates(tmp_path):
    design = template("resnet_small")
    # Every conv2d is under an arg_scope whose normalizer_fn is batch_norm.
    norms = sum(1 for b in analyze(design).blocks.values() if b.op == "conv2d")
    assert norms == 9
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(design))
    session.inspect_if_changed()
    assert _update_ops(session) == 0  # Inference: the moving averages are only read.
    session.inspect_training = True  # Rebuilt at once: the page shows the other mode.
    assert _update_ops(session) == 2 * norms  # A moving mean and variance update each.
    built = session.inspect.graph
    session.inspect_if_changed()  # Built as it is, in this mode: not built again.
    assert session.inspect.graph is built
    session.inspect_training = False
    assert _update_ops(session) == 0


def test_the_mode_is_not_built_before_inspect_is_used(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path))
    session.inspect_training = True
    assert session._inspect is None  # The Build page does not wait for TensorFlow.
