"""slim.prefetch_queue: a queue runner keeps assembled tensors ready to dequeue."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib.data.prefetch_queue as prefetch_queue
import slimlib.queues as queues


def _counter_batch():
    """Batches of 2 from a counter 0, 1, 2, ... (a queue-runner pipeline of its own)."""
    counter = tf.data.make_one_shot_iterator(tf.data.Dataset.range(100)).get_next()
    return tf.train.batch([counter], batch_size=2)


def test_prefetch_queue_hands_out_the_assembled_batches(graph):
    batch = _counter_batch()
    queue = prefetch_queue.prefetch_queue([batch], capacity=4)
    dequeued = queue.dequeue()
    assert dequeued.shape.as_list() == [2]
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            values = [sess.run(dequeued) for _ in range(3)]
    np.testing.assert_array_equal(values, [[0, 1], [2, 3], [4, 5]])
    assert tf.get_collection(tf.GraphKeys.SUMMARIES)[-1].name.startswith(
        "prefetch_queue/fraction_of_4_full"
    )


def test_prefetch_queue_keeps_dict_names(graph):
    queue = prefetch_queue.prefetch_queue({"y": tf.constant(2), "x": tf.constant([1, 1])})
    dequeued = queue.dequeue()
    assert sorted(dequeued) == ["x", "y"]
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            values = sess.run(dequeued)
    assert values["y"] == 2 and list(values["x"]) == [1, 1]


def test_prefetch_queue_pads_dynamic_shapes(graph):
    ragged = tf.placeholder_with_default(tf.constant([1, 2, 3]), shape=[None])
    queue = prefetch_queue.prefetch_queue([ragged], dynamic_pad=True, num_threads=2)
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            assert list(sess.run(queue.dequeue())) == [1, 2, 3]


@pytest.mark.parametrize(
    "tensors, kwargs, match",
    [([], {}, "`tensors` must not be empty"), ([1], {"capacity": 0}, "`capacity` must be >= 1")],
    ids=["empty", "capacity"],
)
def test_prefetch_queue_rejects_bad_arguments(graph, tensors, kwargs, match):
    with pytest.raises(ValueError, match=match):
        prefetch_queue.prefetch_queue(tensors, **kwargs)
