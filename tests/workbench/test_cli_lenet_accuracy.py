"""`slim-workbench train` of the LeNet template on the digits reaches > 90% validation accuracy."""

from __future__ import annotations

import json

from workbench.cli import main
from workbench.models.design import template


def test_lenet_template_learns_the_digits(tmp_path, capsys):
    config = {
        "name": "lenet-template",
        "model": {"design": template("lenet")},
        "dataset": {"kind": "digits", "resize": [28, 28]},
        "train": {"optimizer": "momentum", "learning_rate": 0.01, "batch_size": 32,
                  "steps": 300, "log_every_n_steps": 50},
        "seed": 0,
    }  # fmt: skip
    path = tmp_path / "lenet.json"
    path.write_text(json.dumps(config))
    assert main(["--workspace", str(tmp_path), "train", str(path), "--logdir", "jobs/l"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["state"] == "finished" and summary["step"] == 300
    assert summary["validation"]["accuracy"] > 0.90, summary
    metrics = [json.loads(line) for line in (tmp_path / "jobs/l/metrics.jsonl").open()]
    assert metrics[-1]["loss"] < metrics[0]["loss"] / 2
