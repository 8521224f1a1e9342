"""Reading what a checkpoint holds: entry names, shapes and dtypes, without loading values.

A checkpoint is named by its prefix (`/logs/model.ckpt-1000`, the part before `.index`) or
by a directory holding a `checkpoint` file, whose latest checkpoint is then used, as
`slim.assign_from_checkpoint_fn` accepts both.
"""

from __future__ import annotations

import dataclasses
import os

import tensorflow as tf

#: Key of the object graph that TF2 object-based checkpoints store beside the variables.
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


@dataclasses.dataclass(frozen=True)
class CheckpointEntry:
    """One tensor a checkpoint holds."""

    name: str
    shape: tuple[int, ...]
    dtype: str


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """The entries of one checkpoint.

    Attributes:
      path: The checkpoint prefix that was read (a directory resolved to its latest one).
      entries: `{name: CheckpointEntry}`, sorted by name; TF2's object graph key left out.
    """

    path: str
    entries: dict[str, CheckpointEntry]

    def shape(self, name: str) -> tuple[int, ...] | None:
        """Shape of entry `name`, or `None` when the checkpoint has no such entry."""
        entry = self.entries.get(name)
        return None if entry is None else entry.shape


def resolve_checkpoint(fn: str, path: object) -> str:
    """The checkpoint prefix `path` names: itself, or a directory's latest checkpoint.

    Args:
      fn: Name of the calling function, for messages.
      path: Checkpoint prefix or directory (str or `os.PathLike`).

    Raises:
      TypeError: If `path` is not a str or path.
      ValueError: If `path` does not exist, or is a directory with no `checkpoint` file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{fn}: `checkpoint` must be a checkpoint prefix or directory (str), got {path!r}."
        )
    path = os.fspath(path)
    if tf.io.gfile.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest is None:
            raise ValueError(
                f"{fn}: `checkpoint` must be a checkpoint prefix or a directory holding a "
                f"`checkpoint` file, got the directory {path!r}, which has none."
            )
        return latest
    if not (tf.io.gfile.exists(path) or tf.io.gfile.exists(path + ".index")):
        raise ValueError(
            f"{fn}: `checkpoint` must be an existing checkpoint prefix (the path before "
            f"`.index`) or directory, got {path!r}, which does not exist."
        )
    return path


def read_checkpoint(path: str | os.PathLike, *, fn: str = "read_checkpoint") -> Checkpoint:
    """Lists the entries of a checkpoint (names, shapes, dtypes; no values are loaded).

    Args:
      path: Checkpoint prefix, or a directory holding a `checkpoint` file.
      fn: Name of the calling function, for messages. Default `"read_checkpoint"`.

    Returns:
      A `Checkpoint`.

    Raises:
      TypeError: If `path` is not a str or path.
      ValueError: If `path` does not exist, names a directory with no checkpoint, or is not
        a readable checkpoint (TensorFlow's reason is included).
    """
    prefix = resolve_checkpoint(fn, path)
    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as err:
        raise ValueError(
            f"{fn}: `checkpoint` must name a readable checkpoint, got {prefix!r} ({err})."
        ) from err
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    entries = {
        name: CheckpointEntry(name, tuple(int(d) for d in shapes[name]), dtypes[name].name)
        for name in sorted(shapes)
        if name != OBJECT_GRAPH_KEY
    }
    return Checkpoint(prefix, entries)
