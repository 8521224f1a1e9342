"""The app's TensorBoard: started on the workspace's jobs on 127.0.0.1, listing their runs,
outliving the thread that started it, and gone when the app's process dies (even killed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request

from workbench.models.design import template
from workbench.models.jobs import hparams_summary
from workbench.models.jobs.config import load_config
from workbench.models.tensorboard_server import tensorboard_for

APP = textwrap.dedent(
    """
    import json, sys, threading
    from workbench.models.tensorboard_server import tensorboard_for
    server = tensorboard_for(sys.argv[1])
    # Started from a thread that ends at once, as a page's callback thread may.
    starter = threading.Thread(target=lambda: server.start(wait=True))
    starter.start()
    starter.join()
    print(json.dumps({"state": server.state, "url": server.url, "error": server.error,
                      "pid": server._process.pid}), flush=True)
    sys.stdin.read()  # Until killed.
    """
)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_tensorboard_lists_the_jobs_and_dies_with_the_app(tmp_path):
    config = load_config({"model": {"design": template("lenet")}}, workspace=tmp_path)
    run = tmp_path / "jobs" / "sweep-1" / "run-001"
    run.mkdir(parents=True)
    hparams_summary.write_start(str(run), config, trial_id="jobs/sweep-1/run-001")
    app = subprocess.Popen(
        [sys.executable, "-c", APP, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = json.loads(app.stdout.readline())
        assert started["state"] == "running", started["error"]
        assert started["url"].startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 60
        while True:  # The first read of the event files may take a reload interval.
            with urllib.request.urlopen(started["url"] + "data/runs", timeout=30) as response:
                runs = json.load(response)
            if runs or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert runs == ["sweep-1/run-001"]
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait()
    deadline = time.monotonic() + 20
    while not _gone(started["pid"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _gone(started["pid"]), "TensorBoard outlived the app"
    assert (tmp_path / ".tensorboard" / "tensorboard.log").exists()


def test_one_tensorboard_per_workspace_and_process(tmp_path):
    first = tensorboard_for(tmp_path)
    assert tensorboard_for(str(tmp_path) + "/") is first
    assert first.state == "new" and first.logdir == os.path.realpath(tmp_path / "jobs")
    first.stop()  # Stopping one that never started does nothing.
    assert first.state == "new"
