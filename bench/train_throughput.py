"""Training throughput: slimlib against Keras 3 on the same nets, data and optimizer.

Two small image classifiers are trained on one synthetic batch held in memory
(`[64, 32, 32, 3]` uniform images, random labels; with slimlib the batch is a constant
in the graph, so no step feeds anything):

- `cifarnet`: CifarNet's layout without LRN and dropout: conv5x5-64, max-pool 2x2/2,
  conv5x5-64, max-pool 2x2/2, fc384, fc192, fc10 (ReLU, "SAME" convolutions).
- `vgg`: a small VGG-style net: 2 x conv3x3-32, pool, 2 x conv3x3-64, pool,
  2 x conv3x3-128, pool, fc256, fc10.

Both libraries use plain SGD (learning rate 0.01), the mean softmax cross entropy, and
the very same initial weights: slimlib's Glorot-uniform initial values are copied into
the Keras model, and the first loss of both is checked to agree before anything is timed.

Variants, timed in alternation (every round runs each variant for `--steps` steps, after
warm-up steps that are not timed):

- `slimlib`: `slim.learning.create_train_op` and a loop of `session.run(train_op)`, as
  `slim.learning.train` runs it (the figure the ratio is taken from).
- `slimlib.train`: `slim.learning.train` itself with a log directory and its defaults
  (checkpoint and summary hooks, a metrics line every step); the time per step is taken
  from a timing `train_step_fn`, so session start-up and the final checkpoint are not
  counted.
- `keras.train_on_batch` and `keras.fit` (fit's time per step from a batch-end callback,
  so its start-up is not counted either); the faster of the two is the Keras figure.

Within a round, a variant's images/sec is the batch size over its median step time
(steps that another process on a shared machine slowed down do not count); the figures
printed are medians over the rounds, and each ratio is the median over the rounds of
`slimlib / Keras` within the same round, which cancels most of the drift of a shared
machine. Run with `--quick` for a short check (about 40 s on 2 cores).

Options that change how TensorFlow runs apply to both libraries alike: `--onednn`
(oneDNN kernels, which TensorFlow leaves off on CPUs without AVX-512 VNNI/BF16 or AMX),
`--xla`, and the thread counts.

Usage:
  .venv/bin/python bench/train_throughput.py [--quick] [--nets cifarnet,vgg]
      [--rounds N] [--steps N] [--warmup N] [--inter-op-threads N]
      [--intra-op-threads N] [--onednn] [--xla]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

BATCH_SIZE = 64
IMAGE_SHAPE = (32, 32, 3)
NUM_CLASSES = 10
LEARNING_RATE = 0.01
SEED = 0
NET_NAMES = ("cifarnet", "vgg")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds and steps (~1 min)")
    parser.add_argument("--nets", default="cifarnet,vgg", help="comma-separated: cifarnet,vgg")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds (5)")
    parser.add_argument("--steps", type=int, default=None, help="timed steps per round (12)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first, >= 1 (3)")
    parser.add_argument(
        "--inter-op-threads", type=int, default=0, help="both libraries; 0 = TF's default"
    )
    parser.add_argument(
        "--intra-op-threads", type=int, default=0, help="both libraries; 0 = TF's default"
    )
    parser.add_argument(
        "--onednn",
        action="store_true",
        help="set TF_ENABLE_ONEDNN_OPTS=1 (oneDNN kernels, for both libraries) before "
        "TensorFlow loads; TF leaves oneDNN off on CPUs without AVX-512/AMX",
    )
    parser.add_argument(
        "--xla",
        action="store_true",
        help="XLA for both: slimlib builds under tf.xla.experimental.jit_scope(), "
        "Keras compiles with jit_compile=True",
    )
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 5
    if args.steps is None:
        args.steps = 5 if args.quick else 12
    if args.warmup < 1:
        parser.error("--warmup must be >= 1")
    args.nets = [name.strip() for name in args.nets.split(",") if name.strip()]
    for name in args.nets:
        if name not in NET_NAMES:
            parser.error(f"--nets: unknown net {name!r}; choose from {list(NET_NAMES)}")
    return args


ARGS = parse_args()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info and warnings.
if ARGS.onednn:
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"  # Read once, when TensorFlow loads.
import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")  # Deprecation notices of the v1 API.

# The eager context (which Keras runs in) reads its thread settings once, when it starts;
# slimlib's sessions get the same numbers through their ConfigProto.
if ARGS.inter_op_threads:
    tf.config.threading.set_inter_op_parallelism_threads(ARGS.inter_op_threads)
if ARGS.intra_op_threads:
    tf.config.threading.set_intra_op_parallelism_threads(ARGS.intra_op_threads)

import keras  # noqa: E402

import slimlib as slim  # noqa: E402

v1 = tf.compat.v1


# --- the nets ------------------------------------------------------------------------------


def slim_cifarnet(images):
    net = slim.conv2d(images, 64, [5, 5], scope="conv1")
    net = slim.max_pool2d(net, [2, 2], scope="pool1")
    net = slim.conv2d(net, 64, [5, 5], scope="conv2")
    net = slim.max_pool2d(net, [2, 2], scope="pool2")
    net = slim.flatten(net)
    net = slim.fully_connected(net, 384, scope="fc3")
    net = slim.fully_connected(net, 192, scope="fc4")
    return slim.fully_connected(net, NUM_CLASSES, activation_fn=None, scope="logits")


def keras_cifarnet():
    layers = keras.layers
    return [
        layers.Conv2D(64, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(384, activation="relu"),
        layers.Dense(192, activation="relu"),
        layers.Dense(NUM_CLASSES),
    ]


# Blocks of two 3x3 convolutions, then a max-pool, as in VGG (Simonyan & Zisserman,
# https://arxiv.org/abs/1409.1556), narrowed to three blocks for 32x32 images.
_VGG_BLOCKS = (32, 64, 128)
_VGG_FC = 256


def slim_vgg(images):
    net = images
    for i, depth in enumerate(_VGG_BLOCKS, start=1):
        net = slim.repeat(net, 2, slim.conv2d, depth, [3, 3], scope=f"conv{i}")
        net = slim.max_pool2d(net, [2, 2], scope=f"pool{i}")
    net = slim.flatten(net)
    net = slim.fully_connected(net, _VGG_FC, scope="fc4")
    return slim.fully_connected(net, NUM_CLASSES, activation_fn=None, scope="logits")


def keras_vgg():
    layers = keras.layers
    stack = []
    for depth in _VGG_BLOCKS:
        stack += [
            layers.Conv2D(depth, 3, padding="same", activation="relu"),
            layers.Conv2D(depth, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
        ]
    return stack + [
        layers.Flatten(),
        layers.Dense(_VGG_FC, activation="relu"),
        layers.Dense(NUM_CLASSES),
    ]


NETS = {"cifarnet": (slim_cifarnet, keras_cifarnet), "vgg": (slim_vgg, keras_vgg)}


# --- slimlib -------------------------------------------------------------------------------


def synthetic_batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(SEED)
    images = rng.uniform(size=(BATCH_SIZE, *IMAGE_SHAPE)).astype(np.float32)
    labels = rng.randint(0, NUM_CLASSES, size=BATCH_SIZE).astype(np.int64)
    return images, labels


def images_per_sec(times: list[float]) -> float:
    """Throughput from the end times of consecutive steps: batch / median step time.

    The median ignores the steps that another process on a shared machine slowed down.
    """
    return BATCH_SIZE / statistics.median(np.diff(times))


def session_config() -> v1.ConfigProto:
    return v1.ConfigProto(
        inter_op_parallelism_threads=ARGS.inter_op_threads,
        intra_op_parallelism_threads=ARGS.intra_op_threads,
    )


def build_slim_graph(net_fn, images, labels):
    """A graph with the batch as constants; returns `(graph, loss, train_op)`."""
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(SEED)
        scope = tf.xla.experimental.jit_scope() if ARGS.xla else contextlib.nullcontext()
        with scope:
            logits = net_fn(tf.constant(images))
            slim.losses.sparse_softmax_cross_entropy(logits, tf.constant(labels))
            loss = slim.losses.get_total_loss()
            optimizer = v1.train.GradientDescentOptimizer(LEARNING_RATE)
            train_op = slim.learning.create_train_op(loss, optimizer)
    return graph, loss, train_op


class SlimSession:
    """`create_train_op` and `session.run(train_op)` in a loop."""

    name = "slimlib"

    def __init__(self, net_fn, images, labels):
        self.graph, loss, self.train_op = build_slim_graph(net_fn, images, labels)
        with self.graph.as_default():
            init = v1.global_variables_initializer()
            self.weights = v1.trainable_variables()
        self.sess = v1.Session(graph=self.graph, config=session_config())
        self.sess.run(init)
        self.initial_weights = self.sess.run(self.weights)
        self.initial_loss = float(self.sess.run(loss))

    def run(self, steps: int) -> float:
        for _ in range(ARGS.warmup):
            self.sess.run(self.train_op)
        times = [time.perf_counter()]
        for _ in range(steps):
            self.sess.run(self.train_op)
            times.append(time.perf_counter())
        return images_per_sec(times)


class SlimTrain:
    """`slim.learning.train` with a log directory and its defaults; steps timed inside."""

    name = "slimlib.train"

    def __init__(self, net_fn, images, labels):
        self.net_fn, self.images, self.labels = net_fn, images, labels
        self.logdir = os.path.join(tempfile.mkdtemp(prefix="slim-bench-"), "train")

    def close(self) -> None:
        shutil.rmtree(os.path.dirname(self.logdir), ignore_errors=True)

    def run(self, steps: int) -> float:
        _, _, train_op = build_slim_graph(self.net_fn, self.images, self.labels)
        times: list[float] = []

        def timed_step(sess, op, global_step, kwargs):
            result = slim.learning.train_step(sess, op, global_step, kwargs)
            times.append(time.perf_counter())
            return result

        shutil.rmtree(self.logdir, ignore_errors=True)  # A fresh run, not a resumed one.
        slim.learning.train(
            train_op,
            self.logdir,
            train_step_fn=timed_step,
            number_of_steps=ARGS.warmup + steps,
            session_config=session_config(),
            examples_per_step=BATCH_SIZE,
        )
        # times[warmup - 1] ends the last warm-up step; the timed steps follow it.
        return images_per_sec(times[ARGS.warmup - 1 :])


# --- Keras ---------------------------------------------------------------------------------


def build_keras(layers_fn, weights):
    model = keras.Sequential([keras.Input(IMAGE_SHAPE), *layers_fn()])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        # Keras' default "auto" is False on a CPU (XLA there is slower, see --xla).
        jit_compile=True if ARGS.xla else "auto",
    )
    for variable, value in zip(model.trainable_weights, weights, strict=True):
        if tuple(variable.shape) != value.shape:
            raise SystemExit(f"weight shapes differ: Keras {variable.shape}, slimlib {value.shape}")
        variable.assign(value)
    return model


class KerasTrainOnBatch:
    name = "keras.train_on_batch"

    def __init__(self, layers_fn, weights, images, labels):
        self.model = build_keras(layers_fn, weights)
        # Tensors made once: train_on_batch then converts nothing per step.
        self.images, self.labels = tf.constant(images), tf.constant(labels)
        logits = self.model(self.images)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.initial_loss = float(loss_fn(self.labels, logits))

    def run(self, steps: int) -> float:
        for _ in range(ARGS.warmup):
            self.model.train_on_batch(self.images, self.labels)
        times = [time.perf_counter()]
        for _ in range(steps):
            self.model.train_on_batch(self.images, self.labels)
            times.append(time.perf_counter())
        return images_per_sec(times)


class _BatchTimes(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


class KerasFit:
    name = "keras.fit"

    def __init__(self, layers_fn, weights, images, labels):
        self.model = build_keras(layers_fn, weights)
        self.data = tf.data.Dataset.from_tensors((images, labels)).repeat()

    def run(self, steps: int) -> float:
        timer = _BatchTimes()
        self.model.fit(
            self.data,
            epochs=1,
            steps_per_epoch=ARGS.warmup + steps,
            verbose=0,
            shuffle=False,
            callbacks=[timer],
        )
        return images_per_sec(timer.times[ARGS.warmup - 1 :])


# --- reporting -----------------------------------------------------------------------------


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
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def describe_device() -> str:
    gpus = tf.config.list_physical_devices("GPU")
    where = f"{len(gpus)} GPU(s)" if gpus else "CPU only"
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (TF's default for this CPU)")
    threads = (
        f"inter-op {ARGS.inter_op_threads or 'default'}, "
        f"intra-op {ARGS.intra_op_threads or 'default'}"
    )
    return (
        f"{cpu_name()}, {os.cpu_count()} cores, {where}; load average {load_average()}\n"
        f"TensorFlow {tf.__version__}, Keras {keras.__version__} ({keras.backend.backend()} "
        f"backend), Python {platform.python_version()}\n"
        f"TF_ENABLE_ONEDNN_OPTS={onednn}; threads: {threads}; XLA: {'on' if ARGS.xla else 'off'}"
    )


def command_line() -> str:
    exe = os.path.relpath(sys.executable) if not sys.executable.startswith("/usr") else "python"
    return " ".join(shlex.quote(part) for part in [exe, *sys.argv])


def bench_net(name: str) -> dict[str, float]:
    slim_fn, keras_fn = NETS[name]
    images, labels = synthetic_batch()
    session = SlimSession(slim_fn, images, labels)
    on_batch = KerasTrainOnBatch(keras_fn, session.initial_weights, images, labels)
    if abs(session.initial_loss - on_batch.initial_loss) > 1e-4 * max(1.0, session.initial_loss):
        raise SystemExit(
            f"{name}: the nets differ: initial loss slimlib {session.initial_loss:.6f}, "
            f"Keras {on_batch.initial_loss:.6f}"
        )
    train = SlimTrain(slim_fn, images, labels)
    fit = KerasFit(keras_fn, session.initial_weights, images, labels)
    variants = [session, train, on_batch, fit]
    params = sum(int(np.prod(w.shape)) for w in session.initial_weights)
    print(
        f"\n{name}: {params:,} parameters, batch {BATCH_SIZE}; initial loss "
        f"{session.initial_loss:.4f} in both (same weights); Keras jit_compile="
        f"{on_batch.model.jit_compile}; {ARGS.rounds} rounds x {ARGS.steps} steps"
    )
    rates: dict[str, list[float]] = {v.name: [] for v in variants}
    for round_index in range(ARGS.rounds):
        # Rotating the order keeps any variant from always running right after another.
        shift = round_index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            rates[variant.name].append(variant.run(ARGS.steps))
        line = "  ".join(f"{k} {v[-1]:.0f}" for k, v in rates.items())
        print(f"  round {round_index + 1} images/sec: {line}")
    train.close()
    session.sess.close()

    medians = {key: statistics.median(values) for key, values in rates.items()}
    keras_best = max(("keras.train_on_batch", "keras.fit"), key=medians.get)
    result = {}
    print("  median images/sec:")
    for key, value in medians.items():
        marker = "   <- the Keras figure (the faster Keras way)" if key == keras_best else ""
        print(f"    {key:22s} {value:7.1f}{marker}")
    for key in ("slimlib", "slimlib.train"):
        per_round = [a / b for a, b in zip(rates[key], rates[keras_best], strict=True)]
        result[key] = statistics.median(per_round)
        print(
            f"  ratio {key + ' / Keras':24s} {result[key]:.3f}  (median of per-round ratios; "
            f"rounds {min(per_round):.3f}..{max(per_round):.3f})"
        )
    return result


def main() -> None:
    print("train_throughput: slimlib vs Keras 3, images/sec (higher is better)")
    print("command:", command_line())
    print("device: ", describe_device())
    start = time.time()
    results = {name: bench_net(name) for name in ARGS.nets}
    print("\nsummary (target: slimlib / Keras >= 1.10):")
    for name, result in results.items():
        print(
            f"  {name:9s} slimlib / Keras {result['slimlib']:.3f}   "
            f"slimlib.train / Keras {result['slimlib.train']:.3f}"
        )
    print(f"total {time.time() - start:.0f} s; load average at the end {load_average()}")


if __name__ == "__main__":
    main()
