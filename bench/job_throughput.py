"""Training throughput of a workbench job against what a user would write instead.

The same net (`lenet` on 28x28x1, `cifarnet` on 32x32x1) learns the same data: the bundled
UCI digits as TFRecords written by `slim.data.writer` (8x8 gray PNGs, upscaled bilinearly
to the net's input in the input pipeline), shuffled, batch `--batch-size`, SGD with
momentum 0.9 and rate 0.01, softmax cross entropy. Three ways:

- `job`: a workbench job (`python -m workbench.train`, the process the app and the CLI
  start) with the speed settings it chooses for this machine (`performance` in its
  `status.json`);
- `keras`: Keras 3 `model.fit` on a `tf.data` pipeline (`TFRecordDataset`, `shuffle`,
  `repeat`, `map(parse, decode_png, scale, resize, num_parallel_calls=AUTOTUNE)`,
  `batch`, `prefetch(AUTOTUNE)`) with TensorFlow's default settings: what a user would
  write instead;
- `slim`: the same slimlib graph as the job (`DatasetDataProvider`, `slim.data.batch` with
  TF-Slim's `train_image_classifier.py` defaults: 4 threads, capacity 5 batches, a record
  per map call; `nets_factory` net; `slim.learning.train`) with TensorFlow's defaults.

Each configuration runs in its own process (oneDNN is chosen once per process, when
TensorFlow loads), without `TF_ENABLE_ONEDNN_OPTS` or `TF_XLA_FLAGS` in its environment.
The three processes of a net start together and warm up (`--warmup` steps each); then they
take turns: one runs for `--slice` seconds while the other two are stopped (SIGSTOP /
SIGCONT), in cycles whose order rotates. A machine shared with other work thus slows each
way alike. Each process notes the time of every step (the job: of every 5th, in its
`metrics.jsonl`); a slice's throughput is its steps x batch over the time between its first
and last noted step. A way's throughput is the median over its slices (the first cycle
warms up and is not counted); each ratio (job / keras, job / slim) is the median over
cycles of the ratio within a cycle.

Usage:
  .venv/bin/python bench/job_throughput.py [--quick] [--nets lenet,cifarnet] [--cycles 8]
      [--slice 8] [--warmup 20] [--batch-size 32] [--job-performance JSON]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB_LOG_EVERY = 5  # The job notes every 5th step in metrics.jsonl.
ENDLESS = 10**6  # Steps asked of each process; it is ended after its last slice.
INPUT_SIZES = {"lenet": 28, "cifarnet": 32}
NUM_CLASSES = 10
LEARNING_RATE = 0.01
MOMENTUM = 0.9
VARIANTS = ("job", "keras", "slim")
# CPU flags that decide what TensorFlow and the job do on a CPU.
FLAGS_THAT_MATTER = (
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "avx_vnni",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 cycles of 5 s slices")
    parser.add_argument("--nets", default="lenet,cifarnet")
    parser.add_argument("--cycles", type=int, default=8, help="cycles (the first warms up)")
    parser.add_argument("--slice", type=float, default=8.0, help="seconds per turn")
    parser.add_argument("--warmup", type=int, default=20, help="steps before the turns")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--job-performance",
        type=json.loads,
        default=None,
        help='the job config\'s "performance" section, as JSON (default: every setting auto)',
    )
    # A worker: one way of training, in its own process.
    parser.add_argument("--worker", choices=("keras", "slim"), help=argparse.SUPPRESS)
    parser.add_argument("--net", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--stamps", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.cycles, args.slice = 3, 5.0
    return args


# --- the workers: keras and slim (the job is `python -m workbench.train`) -----------------


class StampFile:
    """Appends `step time` per step, flushed, for the parent to read while it runs."""

    def __init__(self, path: str):
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the run.
        self.steps = 0

    def stamp(self) -> None:
        self.steps += 1
        self._file.write(f"{self.steps} {time.time()}\n")
        self._file.flush()


def run_keras(args: argparse.Namespace) -> None:
    import keras
    import tensorflow as tf

    size = INPUT_SIZES[args.net]
    files = sorted(tf.io.gfile.glob(os.path.join(args.data, "*_train_*.tfrecord")))
    features = {
        "image/encoded": tf.io.FixedLenFeature((), tf.string),
        "image/class/label": tf.io.FixedLenFeature((), tf.int64),
    }

    def parse(record):
        example = tf.io.parse_single_example(record, features)
        image = tf.io.decode_png(example["image/encoded"], channels=1)
        image = tf.cast(image, tf.float32) / 255.0
        return tf.image.resize(image, [size, size]), example["image/class/label"]

    dataset = (
        tf.data.TFRecordDataset(files)
        .shuffle(1500)
        .repeat()
        .map(parse, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(args.batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    model = keras.Sequential([keras.Input((size, size, 1)), *keras_layers(args.net)])
    model.compile(
        optimizer=keras.optimizers.SGD(LEARNING_RATE, momentum=MOMENTUM),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    stamps = StampFile(args.stamps)

    class Stamps(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            stamps.stamp()

    model.fit(dataset, steps_per_epoch=ENDLESS, epochs=1, verbose=0, callbacks=[Stamps()])


def keras_layers(net: str) -> list:
    """The Keras layers of slimlib's `lenet` or `cifarnet` (same shapes, activations and
    dropout; CifarNet's local response normalization through a `Lambda`)."""
    import keras
    import tensorflow as tf

    layers = keras.layers
    if net == "lenet":
        return [
            layers.Conv2D(32, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES),
        ]

    def lrn(x):
        return tf.nn.local_response_normalization(
            x, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75
        )

    return [
        layers.Conv2D(64, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Lambda(lrn),
        layers.Conv2D(64, 5, padding="same", activation="relu"),
        layers.Lambda(lrn),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(384, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(192, activation="relu"),
        layers.Dense(NUM_CLASSES),
    ]


def run_slim(args: argparse.Namespace) -> None:
    import tensorflow as tf

    import slimlib as slim
    from slimlib.nets import nets_factory

    v1 = tf.compat.v1
    size = INPUT_SIZES[args.net]
    stamps = StampFile(args.stamps)
    with tf.Graph().as_default():
        dataset = slim.datasets.get_dataset("digits", "train", args.data)
        provider = slim.dataset_data_provider.DatasetDataProvider(
            dataset, shuffle=True, common_queue_capacity=20 * args.batch_size,
            common_queue_min=10 * args.batch_size,
        )  # fmt: skip
        image, label = provider.get(["image", "label"])
        image = tf.image.resize(tf.cast(image, tf.float32) / 255.0, [size, size])
        images, labels = slim.data.batch(
            [image, label], batch_size=args.batch_size, num_threads=4, capacity=5 * args.batch_size
        )
        network = nets_factory.get_network_fn(args.net, NUM_CLASSES, is_training=True)
        logits, _ = network(images)
        slim.losses.softmax_cross_entropy(logits, tf.one_hot(labels, NUM_CLASSES))
        slim.get_or_create_global_step()
        optimizer = v1.train.MomentumOptimizer(LEARNING_RATE, MOMENTUM)
        train_op = slim.learning.create_train_op(slim.losses.get_total_loss(), optimizer)

        def timed_step(sess, op, step, kwargs):
            result = slim.learning.train_step(sess, op, step, kwargs)
            stamps.stamp()
            return result

        with tempfile.TemporaryDirectory() as logdir:
            slim.learning.train(
                train_op, logdir, train_step_fn=timed_step, number_of_steps=ENDLESS,
                log_every_n_steps=10,
            )  # fmt: skip


# --- the parent ----------------------------------------------------------------------------


def child_env(data_root: str) -> dict[str, str]:
    """The environment of each process: TensorFlow's defaults, this checkout first."""
    drop = ("TF_ENABLE_ONEDNN_OPTS", "TF_XLA_FLAGS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    env["SLIMLIB_DATA_DIR"] = data_root  # The job reads the same digits files.
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


class Way:
    """One way of training, running in its own process; `stamps()` reads its progress."""

    def __init__(self, name: str, net: str, args, data: str, env, folder: str):
        self.name = name
        self.log = open(os.path.join(folder, f"{name}.log"), "w", encoding="utf-8")  # noqa: SIM115
        if name == "job":
            command = self._job_command(net, args, folder)
        else:
            self.path = os.path.join(folder, f"{name}.stamps")
            command = [sys.executable, os.path.abspath(__file__), "--worker", name]
            command += ["--net", net, "--batch-size", str(args.batch_size)]
            command += ["--data", data, "--stamps", self.path]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)

    def _job_command(self, net: str, args, folder: str) -> list[str]:
        size = INPUT_SIZES[net]
        workspace = os.path.join(folder, "workspace")
        self.logdir = os.path.join(workspace, "jobs", net)
        os.makedirs(self.logdir)
        self.path = os.path.join(self.logdir, "metrics.jsonl")
        config = {
            "name": f"{net}-throughput",
            "model": {"net": net},
            "dataset": {"kind": "digits", "resize": [size, size]},
            "train": {
                "optimizer": "momentum",
                "learning_rate": LEARNING_RATE,
                "momentum": MOMENTUM,
                "batch_size": args.batch_size,
                "steps": ENDLESS,
                "log_every_n_steps": JOB_LOG_EVERY,
                "save_interval_secs": 3600,
                "save_summaries_secs": 3600,
            },
            "device": "cpu",
        }
        if args.job_performance:
            config["performance"] = args.job_performance
        with open(os.path.join(self.logdir, "job.json"), "w", encoding="utf-8") as f:
            json.dump(config, f)
        return [sys.executable, "-m", "workbench.train", "--logdir", self.logdir,
                "--workspace", workspace]  # fmt: skip

    def stamps(self) -> list[tuple[int, float]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            return []
        if self.name != "job":
            return [(int(a), float(b)) for a, b in (line.split() for line in lines if " " in line)]
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # A line being written.
            records.append((record["step"], record["wall_time"]))
        return records

    def settings(self) -> str:
        try:
            with open(os.path.join(self.logdir, "status.json"), encoding="utf-8") as f:
                return json.load(f).get("performance_summary", "")
        except (OSError, ValueError, AttributeError):
            return ""

    def signal(self, sig: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)

    def end(self) -> None:
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def slice_rate(stamps, start: float, end: float, batch_size: int) -> float | None:
    """Images/sec between the first and the last step noted within [start, end]."""
    inside = [(step, t) for step, t in stamps if start <= t <= end]
    if len(inside) < 2 or inside[-1][0] - inside[0][0] < 2:
        return None
    (first_step, first_t), (last_step, last_t) = inside[0], inside[-1]
    return (last_step - first_step) * batch_size / (last_t - first_t)


def bench_net(net: str, args, data: str, env) -> tuple[dict[str, list], str]:
    """Per cycle, each way's images/sec; and the job's settings."""
    with tempfile.TemporaryDirectory() as folder:
        ways = {name: Way(name, net, args, data, env, folder) for name in VARIANTS}
        try:
            deadline = time.time() + 600
            while not all(
                (way.stamps() or [(0, 0)])[-1][0] >= args.warmup for way in ways.values()
            ):
                for way in ways.values():
                    if way.process.poll() is not None:
                        way.log.flush()
                        with open(way.log.name, encoding="utf-8") as f:
                            tail = f.read()[-3000:]
                        raise RuntimeError(f"{way.name} {net} ended early:\n{tail}")
                if time.time() > deadline:
                    raise RuntimeError(f"{net}: not every way reached step {args.warmup}")
                time.sleep(1.0)
            for way in ways.values():
                way.signal(signal.SIGSTOP)
            turns = []
            for cycle in range(args.cycles):
                order = VARIANTS[cycle % 3 :] + VARIANTS[: cycle % 3]
                for name in order:
                    ways[name].signal(signal.SIGCONT)
                    start = time.time()
                    time.sleep(args.slice)
                    end = time.time()
                    ways[name].signal(signal.SIGSTOP)
                    turns.append((cycle, name, start, end))
            stamps = {name: way.stamps() for name, way in ways.items()}
            settings = ways["job"].settings()
        finally:
            for way in ways.values():
                way.end()
    rates: dict[str, list] = {name: [None] * args.cycles for name in VARIANTS}
    for cycle, name, start, end in turns:
        rates[name][cycle] = slice_rate(stamps[name], start, end, args.batch_size)
    return rates, settings


def cpu_facts() -> tuple[str, list[str]]:
    from workbench.models.jobs import performance

    machine = performance.read_machine()
    flags = [flag for flag in FLAGS_THAT_MATTER if flag in machine.cpu_flags]
    return f"{machine.cpu_model or platform.machine()}, {machine.cores} cores", flags


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def report(net: str, rates: dict[str, list], settings: str, args) -> None:
    counted = {name: [r for r in values[1:] if r] for name, values in rates.items()}
    print(
        f"{net} (batch {args.batch_size}; {args.cycles - 1} cycles of {args.slice:g} s turns "
        "counted):"
    )
    for name in VARIANTS:
        shown = " ".join(f"{r:.0f}" if r else "-" for r in rates[name])
        median = statistics.median(counted[name]) if counted[name] else float("nan")
        print(f"  {name:5s} {median:7.1f} img/s   (per cycle: {shown})")
    for other in VARIANTS[1:]:
        pairs = [a / b for a, b in zip(rates["job"][1:], rates[other][1:]) if a and b]
        if pairs:
            print(
                f"  job / {other}: {statistics.median(pairs):.3f} (per cycle "
                f"{min(pairs):.2f} .. {max(pairs):.2f})"
            )
    print(f"  the job's settings: {settings or '?'}", flush=True)


def main() -> None:
    args = parse_args()
    if args.worker:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        {"keras": run_keras, "slim": run_slim}[args.worker](args)
        return
    command = " ".join(shlex.quote(part) for part in [".venv/bin/python", *sys.argv])
    cpu, flags = cpu_facts()
    print(f"$ {command}")
    print(f"{cpu}; CPU flags that matter: {' '.join(flags) or 'none'}")
    print(f"load average at the start: {load_average()}", flush=True)
    data_root = tempfile.mkdtemp(prefix="job-throughput-data-")
    env = child_env(data_root)
    # The digits' TFRecords, written once by slim.data.writer for every way.
    data = subprocess.run(
        [sys.executable, "-c", "import slimlib as slim; print(slim.datasets.digits.convert())"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    for net in args.nets.split(","):
        rates, settings = bench_net(net, args, data, env)
        report(net, rates, settings, args)
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
