"""The differences between two runs: their job configs key by key, and their designs.

Configs are compared as flattened JSON (`train.learning_rate`, `dataset.resize[0]`, ...);
the designs, which are long, are shown as a unified diff (`design_diff`), once, rather than
as hundreds of keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from workbench.models.design.compare import design_diff
from workbench.models.jobs.paths import JOB_FILE
from workbench.models.jobs.status_file import read_json

__all__ = ["MISSING", "RunDiff", "flatten", "run_diff"]


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


#: Stands for a key that one of the two configs does not have.
MISSING: Any = _Missing()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": [1, 2]}}` as `{"a.b[0]": 1, "a.b[1]": 2}`; empty containers kept whole.

    Example:
      >>> flatten({"train": {"lr": 0.1, "schedule": {"kind": "constant"}}, "tags": []})
      {'train.lr': 0.1, 'train.schedule.kind': 'constant', 'tags': []}
    """
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


@dataclass(frozen=True)
class RunDiff:
    """What differs between runs `a` and `b`.

    Attributes:
      config: `(key, value in a, value in b)` for each differing config key (designs left
        out), `MISSING` where a run lacks the key.
      design: The unified diff of the two designs; "" when equal or not both designs.
      models: How each run's model is given, e.g. `("design 'lenet'", "net 'cifarnet'")`.
    """

    a: str
    b: str
    config: list[tuple[str, Any, Any]]
    design: str
    models: tuple[str, str]


def _model_text(config: dict) -> str:
    model = config.get("model") if isinstance(config.get("model"), dict) else {}
    if isinstance(model.get("design"), dict):
        return f"design {model['design'].get('name', '?')!r}"
    if "net" in model:
        return f"net {model['net']!r}"
    return "no model"


def run_diff(a: str, b: str) -> RunDiff:
    """Compares the `job.json` of the runs in log directories `a` and `b`.

    A missing or damaged `job.json` compares as an empty config.
    """
    configs = []
    for logdir in (a, b):
        data = read_json(os.path.join(logdir, JOB_FILE))
        configs.append(data if isinstance(data, dict) else {})
    designs = [
        c.get("model", {}).get("design") if isinstance(c.get("model"), dict) else None
        for c in configs
    ]
    flat = []
    for config in configs:
        trimmed = dict(config)
        if isinstance(trimmed.get("model"), dict) and "design" in trimmed["model"]:
            design = trimmed["model"]["design"]
            name = design.get("name") if isinstance(design, dict) else None
            trimmed["model"] = {**trimmed["model"], "design": f"<design {name!r}>"}
        flat.append(flatten(trimmed))
    keys = list(dict.fromkeys([*flat[0], *flat[1]]))
    config_rows = [
        (key, flat[0].get(key, MISSING), flat[1].get(key, MISSING))
        for key in keys
        if flat[0].get(key, MISSING) != flat[1].get(key, MISSING)
    ]
    design = ""
    if isinstance(designs[0], dict) and isinstance(designs[1], dict):
        try:
            design = design_diff(designs[0], designs[1], os.path.basename(a), os.path.basename(b))
        except Exception as err:  # A damaged design: say so instead of a diff.
            design = f"(the designs cannot be compared: {type(err).__name__}: {err})"
    models = (_model_text(configs[0]), _model_text(configs[1]))
    return RunDiff(a, b, config_rows, design, models)
