"""A restarted `slim.learning.train` after damage to its log directory.

The model is `y = w * x` trained by gradient descent (see test_train_resume_kill.py). Three
runs to steps 10, 20 and 30 leave checkpoints model.ckpt-10, -20 and -30 (each run saves at
its end); the tests then damage files and train on to step 33.
"""

import glob
import os

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.learning  # noqa: F401 - binds slim.learning

MODEL_TEXT = """
def build_train_op(tf, slim):
    x = tf.constant([[1.0], [2.0]])
    y = tf.constant([[2.0], [4.0]])
    w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(y, tf.matmul(x, w))
    return slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.01))
"""


def train(logdir, steps, **kwargs):
    namespace: dict = {}
    exec(MODEL_TEXT, namespace)
    records = []
    with tf.Graph().as_default():
        slim.learning.train(
            namespace["build_train_op"](tf, slim),
            logdir,
            number_of_steps=steps,
            save_interval_secs=0,
            callbacks=[records.append],
            **kwargs,
        )
    return [r["step"] for r in records]


@pytest.fixture
def logdir(tmp_path):
    path = str(tmp_path / "train")
    for steps in (10, 20, 30):
        train(path, steps, log_every_n_steps=5)
    return path


def latest_step(logdir):
    return int(tf.train.latest_checkpoint(logdir).rsplit("-", 1)[1])


def test_junk_state_file_is_rebuilt_from_the_checkpoints_present(logdir):
    with open(os.path.join(logdir, "checkpoint"), "w") as f:
        f.write("\x00junk that is no checkpoint state {{{\n")
    notes = slim.learning.recover_checkpoint_state(logdir)
    assert notes[0].startswith("the checkpoint state file was not readable")
    assert "rebuilt it from the 3 checkpoint(s)" in notes[0]
    assert notes[-1] == "restoring model.ckpt-30"
    assert latest_step(logdir) == 30
    state = tf.train.get_checkpoint_state(logdir)
    assert [p.rsplit("-", 1)[1] for p in state.all_model_checkpoint_paths] == ["10", "20", "30"]


def test_training_after_a_junk_state_file_resumes_instead_of_starting_over(logdir):
    with open(os.path.join(logdir, "checkpoint"), "w") as f:
        f.write("garbage\n")
    assert train(logdir, 33, log_every_n_steps=1) == [31, 32, 33]


def _truncate_data(prefix):
    (data,) = glob.glob(prefix + ".data-*")
    size = os.path.getsize(data)
    with open(data, "r+b") as f:
        f.truncate(size // 2)


def _flip_data_bytes(prefix):
    (data,) = glob.glob(prefix + ".data-*")
    with open(data, "r+b") as f:
        content = bytearray(f.read())
        for index in range(len(content)):
            content[index] ^= 0xFF
        f.seek(0)
        f.write(content)


def _empty_index(prefix):
    open(prefix + ".index", "w").close()


def _remove_index(prefix):
    os.remove(prefix + ".index")


@pytest.mark.parametrize(
    "damage, reason",
    [
        (_truncate_data, "Read less bytes than requested"),
        (_flip_data_bytes, "Checksum does not match"),
        (_empty_index, "file is too short to be an sstable"),
        (_remove_index, "model.ckpt-30.index is missing"),
    ],
)
def test_a_damaged_latest_checkpoint_is_skipped_for_the_newest_readable_one(logdir, damage, reason):
    damage(os.path.join(logdir, "model.ckpt-30"))
    note = slim.learning.recover_checkpoint_state(logdir)[0]
    assert note.startswith("skipped checkpoint model.ckpt-30: ") and reason in note, note
    notes_again = slim.learning.recover_checkpoint_state(logdir)
    assert notes_again == []  # Repaired: the state now names model.ckpt-20.
    assert latest_step(logdir) == 20


@pytest.mark.parametrize("damage", [_truncate_data, _remove_index])
def test_training_resumes_from_the_checkpoint_before_a_damaged_one(logdir, damage):
    damage(os.path.join(logdir, "model.ckpt-30"))
    assert train(logdir, 22, log_every_n_steps=1) == [21, 22]


def test_the_reason_names_the_fault(logdir):
    _truncate_data(os.path.join(logdir, "model.ckpt-30"))
    (note, restoring) = slim.learning.recover_checkpoint_state(logdir)
    assert note == "skipped checkpoint model.ckpt-30: Read less bytes than requested"
    assert restoring == "restoring model.ckpt-20"


def test_no_readable_checkpoint_refuses_with_a_way_out(logdir):
    for step in (10, 20, 30):
        _remove_index(os.path.join(logdir, f"model.ckpt-{step}"))
    with pytest.raises(
        RuntimeError,
        match=r"none of the checkpoints in .* can be read: skipped checkpoint model.ckpt-30: "
        r"model.ckpt-30.index is missing; .*Move the model.ckpt-\* files",
    ):
        train(logdir, 40)


def test_metrics_are_cut_back_to_the_restored_step_on_resume(logdir):
    path = os.path.join(logdir, "metrics.jsonl")
    with open(path, "a") as f:  # What a run killed after its checkpoint at 30 left behind.
        f.write('{"step": 35, "loss": 0.1}\n{"step": 40, "loss": 0.1}\n{"step": 45, "lo')
    train(logdir, 40, log_every_n_steps=5)
    with open(path) as f:
        lines = f.read().splitlines()
    steps = [int(line.split('"step": ')[1].split(",")[0]) for line in lines]
    assert steps == [5, 10, 15, 20, 25, 30, 35, 40]


def test_a_resumed_run_writes_a_session_start_at_the_restored_step(logdir):
    train(logdir, 33, log_every_n_steps=0)
    starts = []
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        for event in tf.train.summary_iterator(path):
            if event.HasField("session_log") and event.session_log.status == 1:
                starts.append(event.step)
    assert starts == [0, 10, 20, 30]
