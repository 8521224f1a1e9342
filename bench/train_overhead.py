"""slimlib's own cost per training step: `slim.learning.train` against a bare `session.run`.

One graph holds the train op (`slim.learning.create_train_op`, SGD 0.01, mean softmax cross
entropy on one constant batch). `slim.learning.train` runs it with a log directory, its
default hooks, checkpoint and summary intervals and logging every `--log-every` steps; its
`train_step_fn` notes the time of each step and otherwise calls `slim.learning.train_step`.
After every block of `--block` such steps, the same `train_step_fn` runs a block of as many
steps as a bare loop, `for _ in range(n): sess.run(train_op)`, in a plain
`tf.compat.v1.Session` on the same graph (its own copy of the variables). The two kinds of
blocks alternate in one process, so a machine shared with other work slows both alike.

The overhead is the median over block pairs of (mean step of the `slim.learning.train`
block / mean step of the bare block) - 1. Nets small enough for the overhead to show:
`mlp` (8x8 digits, 64 -> 32 -> 10) and `lenet` (28x28x1, `slimlib.nets.lenet`), batch 32.
Target: <= 2% for LeNet.

Usage:
  .venv/bin/python bench/train_overhead.py [--quick] [--nets mlp,lenet] [--pairs 30]
      [--block 20] [--batch-size 32] [--log-every 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info and warnings.
import tensorflow as tf  # noqa: E402

import slimlib as slim  # noqa: E402
from slimlib.nets import lenet  # noqa: E402

v1 = tf.compat.v1
tf.get_logger().setLevel("ERROR")  # The per-step INFO lines of slim.learning.train.
NUM_CLASSES = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 block pairs")
    parser.add_argument("--nets", default="mlp,lenet")
    parser.add_argument("--pairs", type=int, default=30, help="block pairs (after one warm-up)")
    parser.add_argument("--block", type=int, default=20, help="steps per block")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--log-every", type=int, default=10)
    args = parser.parse_args(argv)
    if args.quick:
        args.pairs = 8
    return args


def mlp(images):
    net = slim.flatten(images)
    net = slim.fully_connected(net, 32, scope="fc1")
    return slim.fully_connected(net, NUM_CLASSES, activation_fn=None, scope="logits")


def lenet_logits(images):
    with slim.arg_scope(lenet.lenet_arg_scope()):
        logits, _ = lenet.lenet(images, NUM_CLASSES, is_training=True)
    return logits


NETS = {"mlp": (mlp, (8, 8, 1)), "lenet": (lenet_logits, (28, 28, 1))}


def build(net: str, batch_size: int):
    """A graph with the net's train op on one constant batch; returns (graph, train_op)."""
    net_fn, shape = NETS[net]
    rng = np.random.RandomState(0)
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(0)
        images = tf.constant(rng.uniform(size=(batch_size, *shape)).astype(np.float32))
        labels = tf.constant(rng.randint(0, NUM_CLASSES, size=batch_size))
        logits = net_fn(images)
        slim.losses.softmax_cross_entropy(logits, tf.one_hot(labels, NUM_CLASSES))
        slim.get_or_create_global_step()
        optimizer = v1.train.GradientDescentOptimizer(0.01)
        train_op = slim.learning.create_train_op(slim.losses.get_total_loss(), optimizer)
    return graph, train_op


def measure(net: str, args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """Mean step times (seconds) of the `slim.learning.train` blocks and the bare blocks."""
    graph, train_op = build(net, args.batch_size)
    with graph.as_default():
        init = v1.global_variables_initializer()
    bare = v1.Session(graph=graph)
    bare.run(init)
    library_means: list[float] = []
    bare_means: list[float] = []
    gaps: list[float] = []
    last: list[float] = []

    def bare_block() -> float:
        start = time.perf_counter()
        for _ in range(args.block):
            bare.run(train_op)
        return (time.perf_counter() - start) / args.block

    def timed_step(sess, op, global_step, kwargs):
        now = time.perf_counter()
        if last:
            gaps.append(now - last[0])  # One whole step of slim.learning.train's loop.
        if len(gaps) == args.block:
            library_means.append(sum(gaps) / len(gaps))
            gaps.clear()
            bare_means.append(bare_block())
            now = time.perf_counter()
        last[:] = [now]
        return slim.learning.train_step(sess, op, global_step, kwargs)

    with graph.as_default(), tempfile.TemporaryDirectory() as logdir:
        slim.learning.train(
            train_op,
            logdir,
            train_step_fn=timed_step,
            number_of_steps=(args.pairs + 1) * args.block + 1,
            log_every_n_steps=args.log_every,
        )
    bare.close()
    return library_means[1:], bare_means[1:]  # The first pair warms up.


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    args = parse_args()
    command = " ".join(shlex.quote(part) for part in [".venv/bin/python", *sys.argv])
    print(f"$ {command}")
    print(
        f"{cpu_name()}, {os.cpu_count()} cores; TensorFlow {tf.__version__}; "
        f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset')}; "
        f"load average {load_average()}"
    )
    for net in args.nets.split(","):
        library, bare = measure(net, args)
        ratios = [lib / base for lib, base in zip(library, bare)]
        overhead = statistics.median(ratios) - 1
        extra_ms = statistics.median(lib - base for lib, base in zip(library, bare)) * 1e3
        print(
            f"{net}: session.run {statistics.median(bare) * 1e3:.3f} ms/step, "
            f"slim.learning.train {statistics.median(library) * 1e3:.3f} ms/step "
            f"(medians of {len(ratios)} block pairs of {args.block} steps): overhead "
            f"{overhead * 100:+.1f}% ({extra_ms:+.3f} ms/step); quartiles of the ratio "
            f"{np.percentile(ratios, 25):.3f} .. {np.percentile(ratios, 75):.3f}",
            flush=True,
        )
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
