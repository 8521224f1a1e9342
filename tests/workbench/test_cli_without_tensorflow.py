"""`slim-workbench sweep define`, `sweep status` and `runs` read and check JSON only: they
never import TensorFlow (seconds to load, and its log lines on stderr), nor slimlib, which
imports it. Each runs in a fresh Python, whose `sys.modules` is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from workbench.models.design import template

ROOT = Path(__file__).resolve().parents[2]

COMMANDS = """
import json, sys
from workbench.cli import main
workspace, net_spec, design_spec, bad_spec = sys.argv[1:]
codes = [main(["--workspace", workspace, "sweep", "define", path])
         for path in (net_spec, design_spec, bad_spec)]
codes += [main(["--workspace", workspace, "sweep", "status"]), main(["--workspace", workspace, "runs"])]
print(json.dumps({"codes": codes, "tensorflow": "tensorflow" in sys.modules,
                  "slimlib": "slimlib" in sys.modules}))
"""


def _spec(model: dict) -> dict:
    return {
        "name": "lr",
        "parameters": {"learning_rate": [0.1, 0.01]},
        "base": {"model": model, "train": {"steps": 2}},
    }


def test_sweep_define_status_and_runs_do_not_import_tensorflow(tmp_path):
    specs = {
        "net": _spec({"net": "resnet_v1_50"}),
        "design": _spec({"design": template("lenet")}),
        "bad": _spec({"net": "resnet_v1_49"}),
    }
    paths = []
    for name, spec in specs.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(spec))
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-c", COMMANDS, str(tmp_path / "ws"), *paths],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    *_, last = result.stdout.strip().splitlines()
    assert json.loads(last) == {"codes": [0, 0, 2, 0, 0], "tensorflow": False, "slimlib": False}
    # The bad net is still refused, with the names it may be; nothing but that is on stderr.
    assert "base.model.net" in result.stderr and "Did you mean 'resnet_v1_50'" in result.stderr
    assert "resnet_v1_49" in result.stderr
    assert "I0000" not in result.stderr and "tensorflow" not in result.stderr.lower()
