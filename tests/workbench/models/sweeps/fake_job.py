"""A stand-in for `python -m workbench.train` in the sweep tests: no TensorFlow, no training.

Called as `fake_job.py -m workbench.train --logdir DIR --workspace ROOT --nice N`. It says it
is running, waits until `DIR/release` exists, then finishes with a validation accuracy
that is best for a learning rate of 0.01 (`1 - |log10(lr) + 2| / 10`); on SIGTERM it
records `stopped`. It also records the `CUDA_VISIBLE_DEVICES` it was given.
"""

import json
import math
import os
import signal
import sys
import time

logdir = sys.argv[sys.argv.index("--logdir") + 1]


def write_status(**fields):
    path = os.path.join(logdir, "status.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"pid": os.getpid(), **fields}, f)
    os.replace(path + ".tmp", path)


def on_term(signum, frame):
    write_status(state="stopped", phase="done", error="stopped by signal SIGTERM")
    sys.exit(0)


on_term_mode = os.environ.get("FAKE_JOB_ON_TERM", "")
if on_term_mode == "ignore":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
elif on_term_mode.startswith("slow:"):
    delay = float(on_term_mode.split(":", 1)[1])
    signal.signal(signal.SIGTERM, lambda *_: (time.sleep(delay), on_term(None, None)))
else:
    signal.signal(signal.SIGTERM, on_term)
with open(os.path.join(logdir, "job.json")) as f:
    config = json.load(f)
gpu = os.environ.get("CUDA_VISIBLE_DEVICES")
write_status(state="running", phase="training", step=1, gpu=gpu)
while not os.path.exists(os.path.join(logdir, "release")):
    time.sleep(0.05)
rate = config["train"]["learning_rate"]
accuracy = round(1 - abs(math.log10(rate) + 2) / 10, 6)
write_status(
    state="finished",
    phase="done",
    step=2,
    gpu=gpu,
    eval={"accuracy": accuracy, "loss": 1 - accuracy, "step": 2},
)
