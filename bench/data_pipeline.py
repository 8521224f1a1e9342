"""Input pipeline: slimlib's `DatasetDataProvider` + batching against plain `tf.data`.

Part 1, reading: a set of 32x32 RGB PNG images (the 1797 UCI digits, bilinearly
upscaled and tinted, written as 4 TFRecord shards with `slim.data.writer.write_arrays`)
is read, parsed, PNG-decoded, scaled to float32 in [0, 1] and batched (64), forever,
with shuffling:

- `train.batch`: `slim.dataset_data_provider.DatasetDataProvider(dataset, num_readers,
  shuffle=True)`, `provider.get(['image', 'label'])`, the cast, and
  `tf.compat.v1.train.batch(..., num_threads=--num-threads)` (TF-Slim's way; its queue
  runners run in threads, `tf.compat.v1.train.start_queue_runners`).
- `slim.data.batch`: the same provider and cast, batched by `slim.data.batch` with the
  same arguments (the decoding is replayed in a `tf.data` map; no queue runner).
- `tf.data`: the same work written by hand: `TFRecordDataset` interleave, `shuffle`,
  `map(parse + decode_png + cast, num_parallel_calls=AUTOTUNE)`, `batch`, `prefetch`.

Both are consumed the same way, `session.run(batch)` in a loop; examples/sec per round
(after the buffers are drained), ratio of each slimlib variant / tf.data.

Part 2, training: `slimlib.nets.cifarnet` (in `cifarnet_arg_scope()`, SGD 0.01, batch
64) trained on the bundled digits through the real pipeline (`DatasetDataProvider` ->
8x8 gray image bilinearly upscaled to 32x32x3 -> `tf.compat.v1.train.batch`, and the same
through `slim.data.batch`) against the same net on an in-graph constant batch; steps/sec
ratio real / synthetic, i.e. how much of the training speed the input pipeline costs.

Rounds alternate the variants; each ratio is the median over rounds of the ratio within
a round. Run with `--quick` for a short check (about 20 s on 2 cores).

Usage:
  .venv/bin/python bench/data_pipeline.py [--quick] [--rounds N] [--batches N]
      [--steps N] [--num-threads N] [--num-readers N] [--parts read,train]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info and warnings.
import tensorflow as tf  # noqa: E402

import slimlib as slim  # noqa: E402
from slimlib.nets import cifarnet  # noqa: E402

v1 = tf.compat.v1
tf.get_logger().setLevel("ERROR")  # The queue-based batching's deprecation notices.

BATCH_SIZE = 64
IMAGE_SIZE = 32
SEED = 0
SHUFFLE_BUFFER = 256  # Records in the shuffle buffer of both pipelines.
LEARNING_RATE = 0.01


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds (~1 min)")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds (7)")
    parser.add_argument(
        "--batches", type=int, default=None, help="timed batches per reading round (100)"
    )
    parser.add_argument(
        "--steps", type=int, default=None, help="timed steps per training round (10)"
    )
    # Defaults as TF-Slim's train_image_classifier.py: num_preprocessing_threads=4,
    # num_readers=4 (https://github.com/tensorflow/models/tree/master/research/slim).
    parser.add_argument(
        "--num-threads", type=int, default=4, help="threads of tf.compat.v1.train.batch (4)"
    )
    parser.add_argument(
        "--num-readers", type=int, default=4, help="files read at once, both pipelines (4)"
    )
    parser.add_argument("--parts", default="read,train", help="comma-separated: read,train")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 7
    if args.batches is None:
        args.batches = 40 if args.quick else 100
    if args.steps is None:
        args.steps = 5 if args.quick else 10
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    for part in args.parts:
        if part not in ("read", "train"):
            parser.error(f"--parts: unknown part {part!r}; choose from read, train")
    return args


ARGS = parse_args()


# --- the data ------------------------------------------------------------------------------


def write_png_set(folder: str) -> object:
    """Writes the 1797 digits as 32x32 RGB PNGs (4 shards); returns the split's `Dataset`."""
    arrays = slim.datasets.digits.load_arrays()
    gray = np.concatenate([arrays["train"][0], arrays["validation"][0]]).astype(np.float32)
    labels = np.concatenate([arrays["train"][1], arrays["validation"][1]])
    big = tf.image.resize(gray, [IMAGE_SIZE, IMAGE_SIZE]).numpy()  # Bilinear, eagerly.
    tint = np.random.RandomState(SEED).uniform(0.4, 1.0, size=(len(labels), 1, 1, 3))
    rgb = np.clip(np.rint(big * tint), 0, 255).astype(np.uint8)
    names = [str(d) for d in range(10)]
    slim.data.writer.write_arrays(rgb, labels, folder, "train", num_shards=4, class_names=names)
    return slim.data.writer.get_split("train", folder)


# --- part 1: reading -----------------------------------------------------------------------


def provider_batches(dataset, batcher):
    provider = slim.dataset_data_provider.DatasetDataProvider(
        dataset,
        num_readers=ARGS.num_readers,
        shuffle=True,
        common_queue_capacity=SHUFFLE_BUFFER,
        seed=SEED,
    )
    image, label = provider.get(["image", "label"])
    image = tf.cast(image, tf.float32) * (1.0 / 255.0)
    return batcher(
        [image, label],
        batch_size=BATCH_SIZE,
        num_threads=ARGS.num_threads,
        capacity=4 * BATCH_SIZE,
    )


def tf_data_batches(dataset):
    features = {
        "image/encoded": tf.io.FixedLenFeature((), tf.string),
        "image/class/label": tf.io.FixedLenFeature((), tf.int64),
    }

    def decode(record):
        parsed = tf.io.parse_single_example(record, features)
        image = tf.io.decode_png(parsed["image/encoded"], channels=3)
        image.set_shape([IMAGE_SIZE, IMAGE_SIZE, 3])
        return tf.cast(image, tf.float32) * (1.0 / 255.0), parsed["image/class/label"]

    files = tf.data.Dataset.from_tensor_slices(dataset.data_sources)
    files = files.shuffle(len(dataset.data_sources), seed=SEED).repeat()
    records = files.interleave(
        tf.data.TFRecordDataset,
        cycle_length=ARGS.num_readers,
        num_parallel_calls=ARGS.num_readers,
    )
    records = records.shuffle(SHUFFLE_BUFFER, seed=SEED)
    batches = records.map(decode, num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH_SIZE)
    return v1.data.make_one_shot_iterator(batches.prefetch(tf.data.AUTOTUNE)).get_next()


class Reader:
    """One pipeline in its own graph and session; `run` times `--batches` batches."""

    def __init__(self, name, build, dataset):
        self.name = name
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.batch = build(dataset)
            init = [v1.global_variables_initializer(), v1.local_variables_initializer()]
        self.sess = v1.Session(graph=self.graph)
        self.sess.run(init)
        # Each session runs its own queue runners for as long as it lives (while it
        # waits its turn, its queue fills up and its threads block).
        self._coord = v1.train.Coordinator()
        with self.graph.as_default():
            self._threads = v1.train.start_queue_runners(self.sess, coord=self._coord)
        self.check = self.sess.run(self.batch)

    def run(self) -> float:
        # Enough untimed batches to empty what the queue or prefetch buffer filled while
        # the other pipeline ran (slimlib's queue holds 4 batches).
        for _ in range(8):
            self.sess.run(self.batch)
        start = time.perf_counter()
        for _ in range(ARGS.batches):
            self.sess.run(self.batch)
        return ARGS.batches * BATCH_SIZE / (time.perf_counter() - start)

    def close(self) -> None:
        self._coord.request_stop()
        self.sess.close()  # Cancels the enqueue ops the threads are blocked in.
        self._coord.join(self._threads, stop_grace_period_secs=10)


def bench_reading(dataset) -> dict[str, float]:
    readers = [
        Reader("train.batch", lambda d: provider_batches(d, v1.train.batch), dataset),
        Reader("slim.data.batch", lambda d: provider_batches(d, slim.data.batch), dataset),
        Reader("tf.data", tf_data_batches, dataset),
    ]
    for reader in readers:
        images, labels = reader.check
        if images.shape != (BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 3) or images.dtype != np.float32:
            raise SystemExit(f"{reader.name}: unexpected batch {images.shape} {images.dtype}")
        if not 0.0 <= images.min() <= images.max() <= 1.0 or labels.max() > 9:
            raise SystemExit(f"{reader.name}: pixel values or labels out of range")
    print(
        f"\nreading: {dataset.num_samples} PNG examples 32x32x3 in "
        f"{len(dataset.data_sources)} shards; batch {BATCH_SIZE}; {ARGS.rounds} rounds x "
        f"{ARGS.batches} batches; tf.compat.v1.train.batch num_threads={ARGS.num_threads}, "
        f"num_readers={ARGS.num_readers}"
    )
    rates: dict[str, list[float]] = {r.name: [] for r in readers}
    for index in range(ARGS.rounds):
        order = readers if index % 2 == 0 else readers[::-1]
        for reader in order:
            rates[reader.name].append(reader.run())
        line = "  ".join(f"{k} {v[-1]:6.0f}" for k, v in rates.items())
        print(f"  round {index + 1}: {line}  (examples/sec)")
    for reader in readers:
        reader.close()
    for key, values in rates.items():
        print(f"  median {key:16s} {statistics.median(values):8.0f} examples/sec")
    ratios = {}
    for name in ("train.batch", "slim.data.batch"):
        ratios[name] = statistics.median(s / t for s, t in zip(rates[name], rates["tf.data"]))
        print(f"  ratio {name} / tf.data  {ratios[name]:.3f}  (median of per-round ratios)")
    return ratios


# --- part 2: training ----------------------------------------------------------------------


def digits_batches(dataset_dir, batcher):
    dataset = slim.datasets.get_dataset("digits", "train", dataset_dir)
    provider = slim.dataset_data_provider.DatasetDataProvider(
        dataset, shuffle=True, common_queue_capacity=SHUFFLE_BUFFER, seed=SEED
    )
    image, label = provider.get(["image", "label"])
    image = tf.image.resize(tf.cast(image, tf.float32), [IMAGE_SIZE, IMAGE_SIZE])
    image = tf.image.grayscale_to_rgb(image * (1.0 / 255.0))
    return batcher(
        [image, label],
        batch_size=BATCH_SIZE,
        num_threads=ARGS.num_threads,
        capacity=4 * BATCH_SIZE,
    )


def synthetic_batches(_):
    rng = np.random.RandomState(SEED)
    images = rng.uniform(size=(BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 3)).astype(np.float32)
    labels = rng.randint(0, 10, size=BATCH_SIZE).astype(np.int64)
    return tf.constant(images), tf.constant(labels)


class Trainer:
    """CifarNet on the batches of `inputs`, in its own graph and session."""

    def __init__(self, name, inputs, dataset_dir):
        self.name = name
        self.graph = tf.Graph()
        with self.graph.as_default():
            v1.set_random_seed(SEED)
            images, labels = inputs(dataset_dir)
            with slim.arg_scope(cifarnet.cifarnet_arg_scope()):
                logits, _ = cifarnet.cifarnet(images, num_classes=10, is_training=True)
            slim.losses.sparse_softmax_cross_entropy(logits, labels)
            optimizer = v1.train.GradientDescentOptimizer(LEARNING_RATE)
            self.train_op = slim.learning.create_train_op(slim.losses.get_total_loss(), optimizer)
            init = [v1.global_variables_initializer(), v1.local_variables_initializer()]
        self.sess = v1.Session(graph=self.graph)
        self.sess.run(init)
        # Each session runs its own queue runners for as long as it lives (while it
        # waits its turn, its queue fills up and its threads block).
        self._coord = v1.train.Coordinator()
        with self.graph.as_default():
            self._threads = v1.train.start_queue_runners(self.sess, coord=self._coord)

    def run(self) -> float:
        for _ in range(3):
            self.sess.run(self.train_op)
        times = [time.perf_counter()]
        for _ in range(ARGS.steps):
            self.sess.run(self.train_op)
            times.append(time.perf_counter())
        # Median step time: steps another process on a shared machine slowed are ignored.
        return 1.0 / statistics.median(np.diff(times))

    def close(self) -> None:
        self._coord.request_stop()
        self.sess.close()  # Cancels the enqueue ops the threads are blocked in.
        self._coord.join(self._threads, stop_grace_period_secs=10)


def bench_training(dataset_dir) -> dict[str, float]:
    trainers = [
        Trainer("train.batch", lambda d: digits_batches(d, v1.train.batch), dataset_dir),
        Trainer("slim.data.batch", lambda d: digits_batches(d, slim.data.batch), dataset_dir),
        Trainer("synthetic", synthetic_batches, dataset_dir),
    ]
    print(
        f"\ntraining: slimlib.nets.cifarnet, batch {BATCH_SIZE}, SGD; bundled digits "
        f"upscaled to 32x32x3 in the pipeline vs an in-graph constant batch; "
        f"{ARGS.rounds} rounds x {ARGS.steps} steps"
    )
    rates: dict[str, list[float]] = {t.name: [] for t in trainers}
    for index in range(ARGS.rounds):
        order = trainers if index % 2 == 0 else trainers[::-1]
        for trainer in order:
            rates[trainer.name].append(trainer.run())
        line = "  ".join(f"{k} {v[-1]:6.2f}" for k, v in rates.items())
        print(f"  round {index + 1}: {line}  (steps/sec)")
    for trainer in trainers:
        trainer.close()
    for key, values in rates.items():
        print(f"  median {key:16s} {statistics.median(values):6.2f} steps/sec")
    ratios = {}
    for name in ("train.batch", "slim.data.batch"):
        ratios[name] = statistics.median(p / s for p, s in zip(rates[name], rates["synthetic"]))
        print(f"  ratio {name} / synthetic  {ratios[name]:.3f}  (median of per-round ratios)")
    return ratios


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
    return (
        f"{cpu_name()}, {os.cpu_count()} cores, {where}; load average {load_average()}\n"
        f"TensorFlow {tf.__version__}, Python {platform.python_version()}; "
        f"TF_ENABLE_ONEDNN_OPTS={onednn}"
    )


def command_line() -> str:
    exe = os.path.relpath(sys.executable) if not sys.executable.startswith("/usr") else "python"
    return " ".join(shlex.quote(part) for part in [exe, *sys.argv])


def main() -> None:
    print("data_pipeline: slimlib DatasetDataProvider + batching vs tf.data (higher is better)")
    print("command:", command_line())
    print("device: ", describe_device())
    start = time.time()
    folder = tempfile.mkdtemp(prefix="slim-bench-data-")
    results = {}
    try:
        if "read" in ARGS.parts:
            ratios = bench_reading(write_png_set(os.path.join(folder, "png32")))
            for name, ratio in ratios.items():
                results[f"reading, {name} / tf.data"] = ratio
        if "train" in ARGS.parts:
            digits_dir = slim.datasets.digits.convert(os.path.join(folder, "digits"))
            for name, ratio in bench_training(digits_dir).items():
                results[f"training, {name} / synthetic"] = ratio
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\nsummary (targets >= 0.9):")
    for name, ratio in results.items():
        print(f"  {name:42s} {ratio:.3f}")
    print(f"total {time.time() - start:.0f} s; load average at the end {load_average()}")


if __name__ == "__main__":
    main()
