"""The training graph of a job and its run with `slim.learning.train`.

The graph is TF-Slim's image classification recipe: provider and batch queue, the net,
`slim.losses.softmax_cross_entropy` (with label smoothing) plus the regularization losses,
a learning-rate schedule, `slim.learning.create_train_op`. `slim.learning.train` restores
the latest checkpoint of the log directory (so a relaunched job resumes), writes
checkpoints and TensorBoard events, and streams a record every `log_every_n_steps` steps
to `<logdir>/metrics.jsonl`: step, wall time, loss, learning rate, examples per second and
the accuracy of the training batch of that step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import tensorflow as tf

import slimlib as slim
from workbench.models.jobs import inputs, model
from workbench.models.jobs.config import JobConfig
from workbench.models.jobs.inputs import PreparedData
from workbench.models.jobs.paths import METRICS_FILE
from workbench.models.jobs.performance import Choice

v1 = tf.compat.v1

__all__ = ["checkpoint_step", "recover_checkpoints", "run_training"]


def recover_checkpoints(logdir: str) -> list[str]:
    """Repairs the checkpoint state of `logdir` (`slim.learning.recover_checkpoint_state`).

    Returns:
      What was repaired, e.g. `["skipped checkpoint model.ckpt-120: ...",
      "restoring model.ckpt-100"]`; empty when nothing was.

    Raises:
      RuntimeError: If checkpoint files exist and none of them can be read.
    """
    return slim.learning.recover_checkpoint_state(logdir)


def run_training(
    config: JobConfig,
    logdir: str,
    data: PreparedData,
    *,
    should_stop: Callable[[], bool],
    on_record: Callable[[dict], Any],
    session_config: Any = None,
    speed: Mapping[str, Choice] | None = None,
) -> float | None:
    """Builds the training graph and trains until `train.steps` or a stop request.

    Args:
      config: The job config.
      logdir: Log directory: checkpoints, events, `metrics.jsonl`.
      data: The prepared data.
      should_stop: Polled after every step; True ends training after that step (a final
        checkpoint is saved at the step reached).
      on_record: Called with each metrics record.
      session_config: `tf.compat.v1.ConfigProto` for the session.
      speed: The job's speed settings (`performance.choose`); their input pipeline
        settings apply here. Default: the pipeline's own defaults.

    Returns:
      The loss of the last step, or None when no step was needed.

    Raises:
      tf.errors.InvalidArgumentError: If the loss becomes inf or NaN.
      ValueError: If the model does not fit the data or the restore plan.
    """
    reached = checkpoint_step(logdir)
    if reached is not None and reached >= config.train.steps:
        # slim.learning.train takes one more step when the global step already reached
        # number_of_steps (as TF-Slim does); a job resumed at its target has nothing to train.
        return None
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(config.seed)
        global_step = slim.get_or_create_global_step()
        pipeline = {}
        if speed is not None:
            pipeline = {
                "num_threads": speed["input_threads"].value,
                "prefetch_batches": speed["prefetch_batches"].value,
                "map_per_batch": bool(speed["map_per_batch"].value),
            }
        images, labels = inputs.batch(config, data, "train", training=True, **pipeline)
        logits, _ = model.build_logits(config, images, data.num_classes, is_training=True)
        slim.losses.softmax_cross_entropy(
            logits,
            tf.one_hot(labels, data.num_classes),
            label_smoothing=config.train.label_smoothing,
        )
        total_loss = slim.losses.get_total_loss()
        rate = model.learning_rate(config.train, global_step)
        trained = model.variables_to_train(config)
        train_op = slim.learning.create_train_op(
            total_loss,
            model.optimizer(config.train, rate),
            update_ops=model.update_ops(config),
            variables_to_train=trained,
            gradient_multipliers=model.gradient_multipliers(config, trained),
        )
        correct = tf.equal(tf.argmax(logits, 1), labels)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="batch_accuracy")
        v1.summary.scalar("losses/total_loss", total_loss)
        v1.summary.scalar("learning_rate", rate)
        v1.summary.scalar("accuracy/batch", accuracy)
        init_fn = model.restore_fn(config)

        def train_step_fn(sess, op, step, kwargs):
            loss, stop = slim.learning.train_step(sess, op, step, kwargs)
            return loss, stop or should_stop()

        return slim.learning.train(
            train_op,
            logdir,
            train_step_fn=train_step_fn,
            log_every_n_steps=config.train.log_every_n_steps,
            number_of_steps=config.train.steps,
            init_fn=init_fn,
            save_summaries_secs=config.train.save_summaries_secs,
            save_interval_secs=config.train.save_interval_secs,
            session_config=session_config,
            callbacks=[on_record],
            metrics_file=METRICS_FILE,
            extra_tensors={"accuracy": accuracy},
            examples_per_step=config.train.batch_size,
        )


def checkpoint_step(logdir: str) -> int | None:
    """The global step of the latest checkpoint of `logdir` (its `-<step>` suffix), or None."""
    path = tf.train.latest_checkpoint(logdir)
    if path is None:
        return None
    suffix = path.rsplit("-", 1)[-1]
    return int(suffix) if suffix.isdigit() else None
