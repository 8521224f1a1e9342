"""`SweepForm`: the Train page's sweep form, turned into a sweep spec, and the sweep it follows.

The values to try are typed as comma-separated lists (`0.001, 0.01, 0.1`); in a random
sweep the learning rate and weight decay may also be a range, `1e-4..1e-1` (drawn on a log
scale). A field left empty is not swept: every run takes the training form's value. The
base job config is the Train page's (the current design and dataset), so the form only says
what varies.
"""

from __future__ import annotations

import os
from typing import Any

import param

from workbench.models.jobs.config import OPTIMIZERS, ConfigError
from workbench.models.sweeps.scheduler import ensure_scheduler
from workbench.models.sweeps.spec import METHODS, SweepSpecError
from workbench.models.sweeps.store import Sweep, SweepDamagedError, define_sweep
from workbench.problems import Problem

__all__ = ["SweepForm", "base_config", "parse_values"]

_FIELDS = {
    "learning_rate": "learning_rates",
    "batch_size": "batch_sizes",
    "weight_decay": "weight_decays",
}


def base_config(session: Any) -> dict[str, Any]:
    """The job config a sweep varies: what the Train page would start now (the current
    design, or net, and dataset).

    Args:
      session: The `WorkbenchSession`.

    Raises:
      ConfigError: If the design does not fit the dataset (as Start would say; a warning,
        such as an activation on the logits, does not refuse it, as it does not refuse Start).
    """
    config = session.settings.to_config()
    if "design" in config["model"]:
        mismatches = [m for m in session.design_fit(config["dataset"]) if m.blocking]
        if mismatches:
            raise ConfigError([m.problem for m in mismatches])
    return config


def parse_values(text: str, *, integers: bool = False, ranged: bool = False) -> Any:
    """The values typed in a field: a list of numbers, a `{"min", "max"}` range, or None.

    Args:
      text: `"0.1, 0.01"`; with `ranged`, also `"1e-4..1e-1"`; empty: not swept.
      integers: Whether the values are integers (batch sizes).
      ranged: Whether a range is allowed (random sweeps' learning rate and weight decay).

    Returns:
      None for an empty field; else the list or range, which the spec's checks judge.

    Raises:
      ValueError: If a value is not a number, saying which.

    Example:
      >>> parse_values("0.1, 0.01"), parse_values("16 32", integers=True)
      ([0.1, 0.01], [16, 32])
      >>> parse_values("1e-4..1e-1", ranged=True)
      {'min': 0.0001, 'max': 0.1, 'scale': 'log'}
    """
    text = text.strip()
    if not text:
        return None
    if ranged and ".." in text:
        low, _, high = text.partition("..")
        return {"min": _number(low, False), "max": _number(high, False), "scale": "log"}
    return [_number(item, integers) for item in text.replace(",", " ").split()]


def _number(text: str, integer: bool) -> float | int:
    text = text.strip()
    try:
        return int(text) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"must be {kind}, got {text!r}") from None


class SweepForm(param.Parameterized):
    """What a sweep varies and how; `start` defines and starts it, `refresh` follows it."""

    method = param.Selector(default="grid", objects=list(METHODS), doc="grid: every combination; random: num_runs draws.")  # fmt: skip
    learning_rates = param.String(default="0.001, 0.01, 0.1", doc="Learning rates to try: '0.001, 0.01' (random: also '1e-4..1e-1').")  # fmt: skip
    batch_sizes = param.String(default="", doc="Batch sizes to try, e.g. '16, 32'; empty: the form's.")  # fmt: skip
    weight_decays = param.String(default="", doc="Weight decays to try, e.g. '0, 1e-4'; empty: the form's.")  # fmt: skip
    optimizers = param.ListSelector(default=[], objects=list(OPTIMIZERS), doc="Optimizers to try; none: the form's.")  # fmt: skip
    num_runs = param.Integer(default=4, bounds=(1, 500), doc="Runs of a random sweep.")
    seed = param.Integer(default=0, bounds=(0, None), doc="Seed of a random sweep's draws.")
    max_concurrent = param.Integer(default=0, bounds=(0, 64), doc="Runs at once; 0: one per GPU, one on a CPU.")  # fmt: skip
    sweep_id = param.String(default="", doc="The sweep followed ('' before one is started).")
    status = param.Dict(default={}, doc="The followed sweep's status (`Sweep.status`).")
    message = param.String(default="", doc="Why the last start was refused ('' if it was not).")

    def __init__(self, workspace: str | os.PathLike, **params):
        super().__init__(**params)
        self.workspace = os.path.realpath(os.fspath(workspace))

    def parameters(self) -> dict[str, Any]:
        """The spec's `parameters` from the fields.

        Raises:
          SweepSpecError: If a field holds something that is not a number.
        """
        problems, parameters = [], {}
        for name, field in _FIELDS.items():
            text = getattr(self, field)
            try:
                value = parse_values(
                    text,
                    integers=name == "batch_size",
                    ranged=self.method == "random" and name != "batch_size",
                )
            except ValueError as err:
                path = f"parameters.{name}"
                problems.append(Problem(path, f"{path}: {err}.", text, "numbers", "type"))
                continue
            if value is not None:
                parameters[name] = value
        if problems:
            raise SweepSpecError(problems)
        if self.optimizers:
            parameters["optimizer"] = list(self.optimizers)
        return parameters

    def spec(self, base: dict[str, Any]) -> dict[str, Any]:
        """The sweep spec of the form over the job config `base`."""
        return {
            "name": base.get("name") or "sweep",
            "method": self.method,
            "parameters": self.parameters(),
            "num_runs": self.num_runs if self.method == "random" else None,
            "seed": self.seed,
            "max_concurrent": self.max_concurrent or None,
            "base": base,
        }

    def start(self, base: dict[str, Any]) -> Sweep | None:
        """Defines the sweep over `base`, starts it and follows it; None (and `message`) when
        the spec has problems."""
        try:
            sweep = define_sweep(self.spec(base), workspace=self.workspace)
        except SweepSpecError as err:
            self.message = str(err)
            return None
        except OSError as err:  # A full disk: nothing of the sweep is left behind.
            self.message = f"Cannot define the sweep: {err.strerror or err}."
            return None
        sweep.start()
        ensure_scheduler(self.workspace)
        self.message = ""
        self.sweep_id = sweep.id
        self.refresh()
        return sweep

    def follow(self, sweep_id: str) -> None:
        """Shows the sweep `sweep_id` (one started earlier, or elsewhere)."""
        self.message = ""
        self.sweep_id = sweep_id
        self.refresh()

    def sweep(self) -> Sweep | None:
        """The followed sweep, or None."""
        if not self.sweep_id:
            return None
        try:
            return Sweep(self.sweep_id, workspace=self.workspace)
        except FileNotFoundError:
            return None
        except SweepDamagedError as err:
            self.message = str(err)
            return None

    def refresh(self) -> dict[str, Any]:
        """Reads the followed sweep's status into `status`; a damaged sweep's files leave it
        empty and say why in `message`."""
        sweep = self.sweep()
        try:
            status = sweep.status() if sweep is not None else {}
        except SweepDamagedError as err:
            self.message = str(err)
            status = {}
        if status != self.status:
            self.status = status
        return status

    def stop(self, grace_secs: float = 15.0) -> None:
        """Stops the followed sweep: its pending runs cancelled, its running ones stopped."""
        sweep = self.sweep()
        if sweep is not None:
            sweep.stop(grace_secs=grace_secs)
            self.refresh()
