"""End to end on real data: train LeNet on the bundled digits, then evaluate the checkpoint.

The whole TF-Slim workflow on the UCI digits (8 x 8 gray images, 1500 train / 297
validation): `DatasetDataProvider` reads and decodes the TFRecords, `tf.train.batch`
batches them, `slim.learning.train` trains `slimlib.nets.lenet` and writes checkpoints,
and `slim.evaluation.evaluate_once` restores the last one and measures
`slim.metrics.streaming_accuracy` on the validation split. The images stay 8 x 8 (LeNet's
"SAME" convolutions and 2 x 2 pools take them to 2 x 2 x 64 before `fc3`), which is what
keeps the run to a few seconds of CPU time.
"""

import json
import os

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from slimlib.nets import lenet

BATCH_SIZE = 32
NUM_STEPS = 300  # 300 x 32 = 9600 images, about 6 epochs of the 1500 training images.
EVAL_BATCH_SIZE = 99  # 3 x 99 = 297, the whole validation split in 3 batches.
SEED = 1
# 90% is the target; a linear classifier already reaches about 95% on these digits
# (https://scikit-learn.org/stable/auto_examples/classification/plot_digits_classification.html).
MIN_ACCURACY = 0.90


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory):
    """The digits TFRecords, converted once for this module into a temporary folder."""
    return slim.datasets.digits.convert(tmp_path_factory.mktemp("data") / "digits")


def _inputs(dataset_dir, split, batch_size, *, training):
    """Batches `(images [batch, 8, 8, 1] float in 0..1, labels [batch] int64)` of a split."""
    dataset = slim.datasets.get_dataset("digits", split, dataset_dir)
    provider = slim.dataset_data_provider.DatasetDataProvider(
        dataset,
        shuffle=training,
        num_epochs=None if training else 1,
        common_queue_capacity=2 * BATCH_SIZE,
        seed=SEED,
    )
    image, label = provider.get(["image", "label"])
    image = tf.cast(image, tf.float32) * (1.0 / 255.0)
    # One thread keeps the order of the examples, and so the run, reproducible.
    return tf.train.batch([image, label], batch_size=batch_size, num_threads=1)


def _train(dataset_dir, logdir):
    """Trains LeNet on the training split; returns the metrics records `train` wrote."""
    with tf.Graph().as_default():
        tf.set_random_seed(SEED)
        images, labels = _inputs(dataset_dir, "train", BATCH_SIZE, training=True)
        with slim.arg_scope(lenet.lenet_arg_scope()):
            logits, _ = lenet.lenet(images, num_classes=10, is_training=True)
        slim.losses.sparse_softmax_cross_entropy(logits, labels)
        total_loss = slim.losses.get_total_loss()
        optimizer = tf.train.MomentumOptimizer(learning_rate=0.01, momentum=0.9)
        train_op = slim.learning.create_train_op(total_loss, optimizer)
        slim.learning.train(
            train_op,
            logdir,
            number_of_steps=NUM_STEPS,
            log_every_n_steps=25,
            save_summaries_secs=0,
            save_interval_secs=0,
            examples_per_step=BATCH_SIZE,
        )
    with open(os.path.join(logdir, "metrics.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _evaluate(dataset_dir, logdir):
    """Accuracy of the last checkpoint of `logdir` on the whole validation split."""
    with tf.Graph().as_default():
        images, labels = _inputs(dataset_dir, "validation", EVAL_BATCH_SIZE, training=False)
        with slim.arg_scope(lenet.lenet_arg_scope()):
            logits, _ = lenet.lenet(images, num_classes=10, is_training=False)
        predictions = tf.argmax(logits, axis=1)
        names_to_values, names_to_updates = slim.metrics.aggregate_metric_map(
            {"accuracy": slim.metrics.streaming_accuracy(predictions, labels)}
        )
        size = slim.datasets.digits.SPLITS_TO_SIZES["validation"]
        return slim.evaluation.evaluate_once(
            "",
            tf.train.latest_checkpoint(logdir),
            os.path.join(logdir, "eval"),
            num_evals=size // EVAL_BATCH_SIZE,
            eval_op=list(names_to_updates.values()),
            final_op=names_to_values,
        )


def test_lenet_learns_the_digits(dataset_dir, tmp_path):
    logdir = str(tmp_path / "train")
    records = _train(dataset_dir, logdir)
    assert tf.train.latest_checkpoint(logdir).endswith(f"-{NUM_STEPS}")
    assert [r["step"] for r in records] == list(range(25, NUM_STEPS + 1, 25))
    first, last = records[0]["loss"], records[-1]["loss"]
    assert last < 0.5 * first, f"the loss fell only from {first:.3f} to {last:.3f}"

    results = _evaluate(dataset_dir, logdir)
    assert results["accuracy"] > MIN_ACCURACY, results
