"""Choosing the checkpoint a restarted training run restores, when files were damaged.

`train` restores what the `checkpoint` state file of its log directory names. Two faults
would otherwise go wrong silently or block every restart:

- a state file that is not a valid `CheckpointState` (junk, truncated, empty) reads as
  "no checkpoint": training starts again at step 0 although `model.ckpt-*` files are there;
- a damaged latest checkpoint (truncated `.data`, flipped bytes, a missing or empty
  `.index`) fails the restore, although older checkpoints are fine.

`recover_checkpoint_state` checks the checkpoints newest first, reading every tensor
(each is checksummed) until one reads, and rewrites the state file to name it, listing the
older ones; each checkpoint skipped is reported with its reason.
"""

from __future__ import annotations

import os
import re

import tensorflow as tf

v1 = tf.compat.v1

__all__ = ["NoReadableCheckpointError", "recover_checkpoint_state"]

_STATE_FILE = "checkpoint"
_STEP = re.compile(r"-(\d+)$")


class NoReadableCheckpointError(RuntimeError):
    """Checkpoint files are present but none of them can be read."""


def _step(prefix: str) -> int:
    match = _STEP.search(prefix)
    return int(match.group(1)) if match else -1


def _read_state(logdir: str) -> tuple[list[str] | None, str | None]:
    """The checkpoint prefixes the state file lists (newest last), or None and why not."""
    path = os.path.join(logdir, _STATE_FILE)
    if not tf.io.gfile.exists(path):
        return None, f"{path} is missing"
    try:
        state = tf.train.get_checkpoint_state(logdir)
    except ValueError as err:
        return None, str(err)
    if state is None:
        return None, f"{path} is not a checkpoint state file"
    paths = list(state.all_model_checkpoint_paths)
    if state.model_checkpoint_path not in paths:
        paths.append(state.model_checkpoint_path)
    return paths, None


def _prefixes_on_disk(logdir: str) -> list[str]:
    """Every `<prefix>` with a `<prefix>.index` or `<prefix>.data-*` file in `logdir`."""
    names = set()
    for path in tf.io.gfile.glob(os.path.join(logdir, "*.index")):
        names.add(path[: -len(".index")])
    for path in tf.io.gfile.glob(os.path.join(logdir, "*.data-?????-of-?????")):
        names.add(path.rsplit(".data-", 1)[0])
    return [name for name in names if not name.endswith("_temp")]


def unreadable_reason(prefix: str) -> str | None:
    """None when every tensor of the checkpoint `prefix` reads, else why it does not."""
    if not tf.io.gfile.exists(prefix + ".index"):
        return f"{os.path.basename(prefix)}.index is missing"
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except Exception as err:  # noqa: BLE001 - the reader raises OpError, IndexError, ValueError ...
        message = getattr(err, "message", None) or str(err)
        lines = message.strip().splitlines() or [type(err).__name__]
        return lines[0][:300]
    return None


def recover_checkpoint_state(logdir: str) -> list[str]:
    """Makes the state file of `logdir` name its newest readable checkpoint.

    Nothing is written when the state file is valid and its latest checkpoint reads.

    Args:
      logdir: The training log directory.

    Returns:
      One note per fault found and repaired (the state file rebuilt; a checkpoint skipped
      and why); empty when there was nothing to repair.

    Raises:
      NoReadableCheckpointError: (a RuntimeError) Checkpoint files exist and none of them
        reads; the message names each file and its fault and how to start over.

    Example:
      >>> import os, tempfile
      >>> import slimlib as slim
      >>> logdir = tempfile.mkdtemp()
      >>> slim.learning.recover_checkpoint_state(logdir)  # No checkpoint yet: nothing to do.
      []
      >>> open(os.path.join(logdir, "model.ckpt-5.index"), "w").close()  # An empty index.
      >>> slim.learning.recover_checkpoint_state(logdir)
      Traceback (most recent call last):
      ...
      slimlib._src.checkpoint_recovery.NoReadableCheckpointError: train: none of the ...
    """
    notes: list[str] = []
    listed, state_fault = _read_state(logdir)
    on_disk = _prefixes_on_disk(logdir)
    if listed is None:
        if not on_disk:
            return []
        notes.append(
            f"the checkpoint state file was not readable ({state_fault}); rebuilt it from "
            f"the {len(on_disk)} checkpoint(s) in {logdir}"
        )
        candidates = on_disk
    else:
        candidates = listed  # Files the state does not list were never completed.
    candidates = sorted(set(candidates), key=_step)
    chosen = None
    for index in range(len(candidates) - 1, -1, -1):
        reason = unreadable_reason(candidates[index])
        if reason is None:
            chosen = index
            break
        notes.append(f"skipped checkpoint {os.path.basename(candidates[index])}: {reason}")
    if chosen is None:
        raise NoReadableCheckpointError(
            f"train: none of the checkpoints in {logdir!r} can be read: "
            + "; ".join(notes)
            + ". Move the model.ckpt-* files and the 'checkpoint' file out of the folder to "
            "train again from step 0, or copy a good checkpoint in."
        )
    if not notes:
        return []  # The state file is valid and its latest checkpoint reads.
    # Older checkpoints stay listed (unchecked), so `max_to_keep` still deletes them later.
    kept = [
        os.path.basename(p) if os.path.dirname(p) == logdir.rstrip(os.sep) else p
        for p in candidates[: chosen + 1]
    ]
    v1.train.update_checkpoint_state(logdir, kept[-1], all_model_checkpoint_paths=kept)
    notes.append(f"restoring {os.path.basename(kept[-1])}")
    return notes
