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
# Of those, the ones that draw random numbers.
_RANDOM = _REPLAYABLE_STATEFUL - {"Assert", "Print", "PrintV2"}
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
    map_per_batch: bool = False,
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

    With `map_per_batch=True` the copied pipeline batches the records first and maps each
    batch in one call (a loop over its records inside that call) instead of one call per
    record: the same examples in the same order (floats may differ in the last bit where
    TensorFlow's graph optimizer rewrites an op differently in the loop), with less of `tf.data`'s per-element
    work, which dominates for small records (about 1.8x the examples/sec for the 8 x 8
    digits on 2 cores). It applies only on the `tf.data` path, without `dynamic_pad`, and
    when no random op is among the copied ops (a batch would draw other numbers than its
    records one by one); otherwise records are mapped one by one.

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
      map_per_batch: Map a batch of records per call instead of one record (see above).

    Returns:
      The batched tensors, in the structure `tf.compat.v1.train.batch` returns.

    Raises:
      TypeError: If `batch_size`, `num_threads` or `capacity` is not an int, or
        `map_per_batch` is not a bool.
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
    if not isinstance(map_per_batch, bool):
        raise TypeError(
            f"batch: `map_per_batch` must be True or False, got {map_per_batch!r} "
            f"({type(map_per_batch).__name__})."
        )
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
    drop = not allow_smaller_final_batch
    graph_def, used = _subgraph_def(source.get_next, flat)
    if map_per_batch and not dynamic_pad and not _draws_random_numbers(graph_def):
        batches = _replayed_per_batch(
            source, graph_def, used, flat, flat_shapes, num_threads, batch_size, drop
        )
    else:
        examples = _replayed(source, graph_def, used, flat, flat_shapes, num_threads)
        if dynamic_pad:
            batches = examples.padded_batch(batch_size, drop_remainder=drop)
        else:
            batches = examples.batch(batch_size, drop_remainder=drop)
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


def _replay_fn(
    graph_def: Any, used: set[int], flat: list[tf.Tensor], shapes: list[tf.TensorShape]
) -> Any:
    """A function of one record's components that runs the copied ops on them."""
    outputs = [tensor.name for tensor in flat]
    first = 2 if used <= {2} else 0

    def replay(*element: Any) -> tuple[tf.Tensor, ...]:
        components = dict(enumerate(tf.nest.flatten(element), start=first))
        input_map = {f"{_COMPONENT.format(i)}:0": components[i] for i in used}
        values = tf.graph_util.import_graph_def(
            graph_def, input_map=input_map, return_elements=outputs, name="example"
        )
        for value, shape in zip(values, shapes):
            value.set_shape(shape)
        return tuple(values)

    return replay


def _records(source: record_sources.RecordSource, used: set[int]) -> tf.data.Dataset:
    # Outputs of get_next: file name, record index, record. Without the first two the
    # records are read unkeyed, which is cheaper.
    return source.values if used <= {2} else source.records


def _replayed(
    source: record_sources.RecordSource,
    graph_def: Any,
    used: set[int],
    flat: list[tf.Tensor],
    shapes: list[tf.TensorShape],
    num_threads: int,
) -> tf.data.Dataset:
    """`source`'s records mapped through a copy of the ops that compute `flat` from one."""
    replay = _replay_fn(graph_def, used, flat, shapes)
    return _records(source, used).map(replay, num_parallel_calls=num_threads, deterministic=True)


def _replayed_per_batch(
    source: record_sources.RecordSource,
    graph_def: Any,
    used: set[int],
    flat: list[tf.Tensor],
    shapes: list[tf.TensorShape],
    num_threads: int,
    batch_size: int,
    drop_remainder: bool,
) -> tf.data.Dataset:
    """Batches of `source`'s records, each batch mapped in one call.

    The call loops over the batch's records (`tf.map_fn`, all records in flight at once);
    per record that costs less than a `tf.data` element through `map` and `batch`.
    (`tf.vectorized_map` would batch the ops themselves, but cannot convert the
    conditionals of an imported graph, such as the image decoder's.)
    """
    replay = _replay_fn(graph_def, used, flat, shapes)
    signature = tuple(tf.TensorSpec(shape, tensor.dtype) for tensor, shape in zip(flat, shapes))

    def replay_batch(*element: Any) -> tuple[tf.Tensor, ...]:
        return tuple(
            tf.map_fn(
                lambda one: replay(*one),
                tuple(element),
                fn_output_signature=signature,
                parallel_iterations=batch_size,
            )
        )

    records = _records(source, used).batch(batch_size, drop_remainder=drop_remainder)
    return records.map(replay_batch, num_parallel_calls=num_threads, deterministic=True)


def _draws_random_numbers(graph_def: Any) -> bool:
    """Whether a random op is among the copied ops (or any function of the graph's library,
    which may hold a conditional's branches)."""
    nodes = list(graph_def.node)
    for function in graph_def.library.function:
        nodes.extend(function.node_def)
    return any(node.op in _RANDOM for node in nodes)


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
