"""`slim.data.batch`: `tf.compat.v1.train.batch`'s contract, run as a `tf.data` pipeline.

`tf.compat.v1.train.batch` enqueues one example per `session.run` of a queue-runner
thread, so Python's per-call cost caps it (about 13,000 PNG examples/sec on a 2-core
CPU, 0.7x of a hand-written `tf.data` pipeline). When the tensors to batch are computed
from the records of a slimlib reader (`DatasetDataProvider`, `parallel_read`,
`single_pass_read`) by ops that need nothing else from the graph, `batch` copies those
ops into a `tf.data` `map` over the same records and batches there: no queue runner, and
the whole pipeline runs in TensorFlow's threads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.data import record_sources

v1 = tf.compat.v1

__all__ = ["batch"]

# Stateful ops that are still safe to run once per record inside a `tf.data` map.
_REPLAYABLE_STATEFUL = frozenset(
    {
        "Assert",
        "Print",
        "PrintV2",
        "RandomUniform",
        "RandomUniformInt",
        "RandomStandardNormal",
        "TruncatedNormal",
        "ParameterizedTruncatedNormal",
        "RandomShuffle",
        "RandomGamma",
        "RandomPoisson",
        "RandomPoissonV2",
        "Multinomial",
    }
)
# Ops that stand for values fed or kept elsewhere; a copy inside a map would not see them.
_NOT_REPLAYABLE = frozenset({"Placeholder", "PlaceholderWithDefault", "PlaceholderV2"})
_COMPONENT = "record_component_{}"


def batch(
    tensors: Sequence[Any] | Mapping[str, Any],
    batch_size: int,
    num_threads: int = 1,
    capacity: int = 32,
    enqueue_many: bool = False,
    shapes: Sequence[Any] | None = None,
    dynamic_pad: bool = False,
    allow_smaller_final_batch: bool = False,
    shared_name: str | None = None,
    name: str | None = None,
) -> Any:
    """Batches examples like `tf.compat.v1.train.batch`, through `tf.data` when it can.

    Takes and returns what `tf.compat.v1.train.batch` does (a list, a dict, or a single
    tensor for a one-element list). When every tensor is a dense tensor computed only
    from one slimlib reader's records (a `DatasetDataProvider`'s items, plus any
    preprocessing of them), the ops between the records and the tensors are copied into
    a `tf.data` pipeline over the same records: `num_threads` records are decoded at
    once, batches are prefetched (`capacity` examples), and no queue runner is needed.
    Otherwise (other inputs, placeholders or variables on the way, `enqueue_many`,
    `shared_name`, sparse tensors) it calls `tf.compat.v1.train.batch` itself, whose
    queue runner the session must start (`slim.learning.train` and `MonitoredSession`
    do; see `slim.queues.QueueRunners`).

    The copied pipeline reads the records on its own: running the provider's tensors as
    well does not take examples away from the batches.

    Args:
      tensors: The tensors of one example: a list or a dict of tensors.
      batch_size: Examples per batch, an int >= 1.
      num_threads: Examples prepared at once, an int >= 1.
      capacity: Examples kept ready ahead of the consumer, an int >= 1.
      enqueue_many: Whether each tensor is already a batch of examples.
      shapes: Shapes of one example per tensor; default: the tensors' static shapes.
      dynamic_pad: Pad each batch to its longest example (shapes may be partly unknown).
      allow_smaller_final_batch: Give the last, smaller batch of a finite input instead
        of dropping it; the batch dimension is then unknown.
      shared_name: Name of a queue shared between sessions (queue path only).
      name: Name of the batching op.

    Returns:
      The batched tensors, in the structure `tf.compat.v1.train.batch` returns.

    Raises:
      TypeError: If `batch_size`, `num_threads` or `capacity` is not an int.
      ValueError: If `tensors` is empty, not a list or dict, an int argument is not
        >= 1, or a shape is not fully defined without `dynamic_pad`.
      RuntimeError: If called eagerly (build inside `with tf.Graph().as_default():`).

    Example:
      provider = slim.dataset_data_provider.DatasetDataProvider(dataset)
      image, label = provider.get(['image', 'label'])
      image = tf.image.convert_image_dtype(image, tf.float32)
      images, labels = slim.data.batch([image, label], batch_size=32, num_threads=4)
    """
    _checks.require_graph("batch")
    batch_size = _checks.check_positive_int("batch", "batch_size", batch_size)
    num_threads = _checks.check_positive_int("batch", "num_threads", num_threads)
    capacity = _checks.check_positive_int("batch", "capacity", capacity)
    keys, flat = _flatten(tensors)
    flat_shapes = _example_shapes(flat, shapes, dynamic_pad)
    source = None if enqueue_many or shared_name else _single_source(flat)
    if source is None:
        return v1.train.batch(
            tensors, batch_size, num_threads=num_threads, capacity=capacity,
            enqueue_many=enqueue_many, shapes=shapes, dynamic_pad=dynamic_pad,
            allow_smaller_final_batch=allow_smaller_final_batch,
            shared_name=shared_name, name=name,
        )  # fmt: skip
    examples = _replayed(source, flat, flat_shapes, num_threads)
    if dynamic_pad:
        batches = examples.padded_batch(batch_size, drop_remainder=not allow_smaller_final_batch)
    else:
        batches = examples.batch(batch_size, drop_remainder=not allow_smaller_final_batch)
    batches = batches.prefetch(max(1, capacity // batch_size))
    with tf.name_scope(name or "batch"):
        batched = v1.data.make_one_shot_iterator(batches).get_next(name="batch")
    return _restructure(tensors, keys, list(batched))


def _flatten(tensors: Any) -> tuple[list[str] | None, list[Any]]:
    """`(keys, values)`: a dict's sorted keys and values, or None and a list's items."""
    if isinstance(tensors, Mapping):
        keys = sorted(tensors)
        values = [tensors[key] for key in keys]
    elif isinstance(tensors, (list, tuple)):
        keys, values = None, list(tensors)
    else:
        kind = "a single tensor" if isinstance(tensors, tf.Tensor) else type(tensors).__name__
        raise ValueError(
            f"batch: `tensors` must be a list or dict of tensors, got {kind} {tensors!r}; "
            "wrap one tensor in a list."
        )
    if not values:
        raise ValueError("batch: `tensors` is empty; give at least one tensor to batch.")
    return keys, values


def _example_shapes(flat: list[Any], shapes: Any, dynamic_pad: bool) -> list[tf.TensorShape]:
    """One example's shape per tensor, checked as `tf.compat.v1.train.batch` checks them."""
    if shapes is None:
        result = [tf.TensorShape(getattr(value, "shape", None)) for value in flat]
    else:
        if len(shapes) != len(flat):
            raise ValueError(
                f"batch: `shapes` has {len(shapes)} entries for {len(flat)} tensors; give one "
                "shape per tensor."
            )
        result = [tf.TensorShape(shape) for shape in shapes]
    if not dynamic_pad:
        unknown = [str(shape) for shape in result if not shape.is_fully_defined()]
        if unknown:
            raise ValueError(
                f"batch: every example shape must be fully defined, got {unknown}; pass "
                "`shapes=` or `dynamic_pad=True` to pad batches of variable-sized examples."
            )
    return result


def _single_source(flat: list[Any]) -> record_sources.RecordSource | None:
    """The one reader all of `flat` is computed from, when its ops can run in a map."""
    if not all(isinstance(value, tf.Tensor) for value in flat):
        return None
    sources = set()
    seen: set[tf.Operation] = set()
    pending = [value.op for value in flat]
    while pending:
        op = pending.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "IteratorGetNext":
            source = record_sources.find(op)
            if source is None:
                return None
            sources.add(source)
            continue
        if op.type in _NOT_REPLAYABLE:
            return None
        if op.op_def.is_stateful and op.type not in _REPLAYABLE_STATEFUL:
            return None
        pending.extend(tensor.op for tensor in op.inputs)
        pending.extend(op.control_inputs)
    return sources.pop() if len(sources) == 1 else None


def _replayed(
    source: record_sources.RecordSource,
    flat: list[tf.Tensor],
    shapes: list[tf.TensorShape],
    num_threads: int,
) -> tf.data.Dataset:
    """`source`'s records mapped through a copy of the ops that compute `flat` from one."""
    graph_def, used = _subgraph_def(source.get_next, flat)
    outputs = [tensor.name for tensor in flat]
    # Outputs of get_next: file name, record index, record. Without the first two the
    # records are read unkeyed, which is cheaper.
    value_only = used <= {2}
    records = source.values if value_only else source.records

    def replay(*element: Any) -> tuple[tf.Tensor, ...]:
        components = dict(enumerate(tf.nest.flatten(element), start=2 if value_only else 0))
        input_map = {f"{_COMPONENT.format(i)}:0": components[i] for i in used}
        values = tf.graph_util.import_graph_def(
            graph_def, input_map=input_map, return_elements=outputs, name="example"
        )
        for value, shape in zip(values, shapes):
            value.set_shape(shape)
        return tuple(values)

    return records.map(replay, num_parallel_calls=num_threads, deterministic=True)


def _subgraph_def(get_next: tf.Operation, flat: list[tf.Tensor]) -> tuple[Any, set[int]]:
    """A GraphDef of the ops between `get_next` and `flat`, and which outputs of `get_next`
    they read; each output read is a placeholder named `_COMPONENT.format(index)`."""
    needed = _ancestors([tensor.op for tensor in flat], stop=get_next)
    whole = get_next.graph.as_graph_def()
    part = v1.GraphDef()
    part.versions.CopyFrom(whole.versions)
    part.library.CopyFrom(whole.library)
    outputs = {f"{get_next.name}:{i}": i for i in range(len(get_next.outputs))}
    outputs[get_next.name] = 0
    used: set[int] = set()
    for node in whole.node:
        if node.name not in needed:
            continue
        copy = part.node.add()
        copy.CopyFrom(node)
        copy.device = ""
        copy.attr.pop("_class", None)  # Colocation with ops left outside the copy.
        del copy.input[:]
        for source in node.input:
            if source == f"^{get_next.name}":
                continue
            if source in outputs:
                used.add(outputs[source])
                source = f"{_COMPONENT.format(outputs[source])}:0"
            copy.input.append(source)
    for index in sorted(used):
        placeholder = part.node.add(name=_COMPONENT.format(index), op="Placeholder")
        placeholder.attr["dtype"].type = get_next.outputs[index].dtype.as_datatype_enum
    return part, used


def _ancestors(ops: list[tf.Operation], stop: tf.Operation) -> set[str]:
    """Names of `ops` and every op they depend on, not looking past `stop`."""
    names: set[str] = set()
    pending = list(ops)
    while pending:
        op = pending.pop()
        if op is stop or op.name in names:
            continue
        names.add(op.name)
        pending.extend(tensor.op for tensor in op.inputs)
        pending.extend(op.control_inputs)
    return names


def _restructure(original: Any, keys: list[str] | None, batched: list[tf.Tensor]) -> Any:
    """Returns `batched` in the structure `tf.compat.v1.train.batch` gives for `original`."""
    if keys is not None:
        return dict(zip(keys, batched))
    if len(batched) == 1:
        return batched[0]
    return batched
