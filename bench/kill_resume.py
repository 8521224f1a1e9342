"""Fault injection: a training job killed (SIGKILL) at random moments and resumed each time.

A workbench job (LeNet on the bundled 8x8 digits, a metrics record every step, a
checkpoint every second, so kills often land during a save) is started, then killed
`--kills` times at a random moment (uniform in `--min-secs`..`--max-secs` after the run
logged its first record) and resumed after each kill; finally it
trains to its last step. After every kill it checks that the checkpoint the state file
names reads whole (every tensor, each checksummed), and after every resume which step the
new run continued from. At the end it reads `metrics.jsonl`:

- duplicated: records of a step already recorded (a resumed run logging again what the
  killed run had logged past its checkpoint);
- lost: steps from 1 to the last step with no record;
- broken lines: lines that are not a JSON record (a write cut short by the kill).

Target: every checkpoint readable, every resume from the last checkpoint, 0 duplicated,
0 lost, 0 broken. Run: `.venv/bin/python bench/kill_resume.py [--kills 20] [--seed 0]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from workbench.models.jobs import Job, resume, start  # noqa: E402

CONFIG = {
    "name": "kill-resume",
    "model": {"net": "lenet"},
    "dataset": {"kind": "digits"},
    "train": {
        "batch_size": 32,
        "steps": 100_000,  # Each resume sets the real target.
        "log_every_n_steps": 1,
        "save_interval_secs": 1,
        "save_summaries_secs": 600,
    },
    "seed": 1,
    "device": "cpu",
}


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"kill_resume: timed out waiting for {what}")
        time.sleep(0.05)


def _state_checkpoint(logdir):
    import tensorflow as tf

    state = tf.train.get_checkpoint_state(logdir)
    return None if state is None else state.model_checkpoint_path


def _readable(prefix):
    """None when every tensor of the checkpoint reads, else the error."""
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except Exception as err:  # noqa: BLE001 - any failure to read counts
        return f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    return None


def _records(logdir):
    records, broken = [], 0
    try:
        with open(os.path.join(logdir, "metrics.jsonl"), "rb") as f:
            content = f.read()
    except FileNotFoundError:
        return records, broken
    lines = content.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            broken += 1
    return records, broken


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-secs", type=float, default=0.0)
    parser.add_argument("--max-secs", type=float, default=6.0)
    parser.add_argument("--final-steps", type=int, default=None, help="default: reached + 20")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    workspace = tempfile.mkdtemp(prefix="kill-resume-")
    began = time.monotonic()
    job = start(CONFIG, "jobs/kr", workspace=workspace)
    logdir = job.logdir
    rows = []
    launched = time.time()
    for kill in range(1, args.kills + 1):
        # Training has begun once the run wrote its first record.
        _wait(lambda at=launched: _first_after(logdir, at), 180, "the run's first record")
        delay = rng.uniform(args.min_secs, args.max_secs)
        time.sleep(delay)
        job.status()
        if not job.is_active:
            raise SystemExit(f"kill_resume: the job ended before kill {kill}: {job.error}")
        os.kill(job.pid, signal.SIGKILL)
        _wait(lambda: not Job(logdir, workspace=workspace).is_active, 30, "the killed job")
        prefix = _state_checkpoint(logdir)
        saved = None if prefix is None else int(prefix.rsplit("-", 1)[1])
        reason = None if prefix is None else _readable(prefix)
        records, _ = _records(logdir)
        logged = records[-1]["step"] if records else None
        launched = time.time()
        job = resume(logdir, workspace=workspace, steps=100_000)
        # The resumed run's first record tells which step it continued from.
        _wait(lambda at=launched: _first_after(logdir, at), 180, "the resumed run's record")
        first_new = _first_after(logdir, launched)["step"]
        rows.append((kill, delay, saved, reason, logged, first_new - 1))
        status = "readable" if reason is None else f"UNREADABLE ({reason})"
        print(
            f"kill {kill:2d} at {delay:4.1f} s: checkpoint step {saved} {status}; last "
            f"record step {logged}; resumed from step {first_new - 1}",
            flush=True,
        )
    job.status()
    final = args.final_steps or job.step + 20
    job.stop(grace_secs=60)
    job = resume(logdir, workspace=workspace, steps=final)
    _wait(lambda j=job: not j.status() or not j.is_active, 300, "the last run to finish")
    records, broken = _records(logdir)
    steps = [r["step"] for r in records]
    duplicated = len(steps) - len(set(steps))
    lost = len(set(range(1, final + 1)) - set(steps))
    readable = sum(1 for row in rows if row[3] is None and row[2] is not None)
    resumed_right = sum(1 for row in rows if row[5] == (row[2] or 0))
    print(
        f"\n{args.kills} kills, final state {job.state} at step {job.step} of {final}, "
        f"{time.monotonic() - began:.0f} s"
    )
    print(f"checkpoints readable after a kill: {readable}/{sum(1 for r in rows if r[2])}")
    print(f"resumed from the last checkpoint: {resumed_right}/{len(rows)}")
    print(f"metrics records: {len(steps)}; duplicated {duplicated}; lost {lost}; broken {broken}")
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0 if (duplicated, lost, broken) == (0, 0, 0) and readable == len(rows) else 1


def _first_after(logdir, moment):
    """The first record written after `moment` (epoch seconds), or None."""
    for record in _records(logdir)[0]:
        if record.get("wall_time", 0) > moment:
            return record
    return None


if __name__ == "__main__":
    sys.exit(main())
