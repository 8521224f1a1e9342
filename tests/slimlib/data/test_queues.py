"""slim.queues: QueueRunners starts and stops a graph's queue runners around a block."""

import threading

import pytest
import tensorflow.compat.v1 as tf

import slimlib.queues as queues


def _queue_of_sevens():
    queue = tf.FIFOQueue(4, [tf.int32])
    tf.train.add_queue_runner(tf.train.QueueRunner(queue, [queue.enqueue(tf.constant(7))]))
    return queue.dequeue()


def test_queue_runners_run_inside_the_block(graph):
    seven = _queue_of_sevens()
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            assert sess.run(seven) == 7
        # After the block the runners are stopped and the queue is closed.
        with pytest.raises(tf.errors.OutOfRangeError):
            for _ in range(10):
                sess.run(seven)


def test_a_second_block_finds_the_first_ones_queues_closed(graph):
    seven = _queue_of_sevens()
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            assert sess.run(seven) == 7
        for _ in range(20):  # Each time: runners restarted on the closed queue stop cleanly.
            with queues.QueueRunners(sess), pytest.raises(tf.errors.OutOfRangeError):
                for _ in range(10):
                    sess.run(seven)


def test_queue_runners_cannot_be_nested(graph):
    _queue_of_sevens()
    with tf.Session() as sess:
        with queues.QueueRunners(sess):
            with pytest.raises(queues.NestedQueueRunnerError, match="cannot be nested"):
                with queues.QueueRunners(sess):
                    pass
    # Usable again once the first block has ended. The first block closed its queues, so
    # the second one runs on a new graph: runners restarted on a closed queue fail.
    with tf.Graph().as_default():
        _queue_of_sevens()
        with tf.Session() as sess, queues.QueueRunners(sess):
            pass


def test_queue_runners_in_two_threads_at_once():
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            with tf.Graph().as_default():
                seven = _queue_of_sevens()
                with tf.Session() as sess, queues.QueueRunners(sess):
                    barrier.wait(timeout=30)  # Both blocks are open here.
                    results.append(sess.run(seven))
        except Exception as err:  # Reported below; a thread cannot fail the test itself.
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and results == [7, 7]
