"""Hyper-parameter sweeps: many training jobs of one design and dataset, queued in the workspace.

- `spec`: the sweep spec (grid or seeded random search over learning rate, batch size,
  weight decay and optimizer), `load_spec`, `validate_spec` and `expand`.
- `store`: `define_sweep`, `list_sweeps`, `damaged_sweeps` and `Sweep`: the queue in
  `sweeps/<id>/`, its claims, each run's state, `start`, `schedule`, `stop` and the best run.
- `scheduler`: the thread that launches the runs of started sweeps (`ensure_scheduler`),
  and `run_until_done` for a command line or a notebook.
- `devices`: the default concurrency (one run per visible GPU, one on a CPU).

Importing this package does not import TensorFlow.
"""

from workbench.models.sweeps.devices import default_concurrency as default_concurrency
from workbench.models.sweeps.devices import visible_gpus as visible_gpus
from workbench.models.sweeps.scheduler import SweepScheduler as SweepScheduler
from workbench.models.sweeps.scheduler import ensure_scheduler as ensure_scheduler
from workbench.models.sweeps.scheduler import run_until_done as run_until_done
from workbench.models.sweeps.scheduler import schedule_all as schedule_all
from workbench.models.sweeps.spec import MAX_RUNS as MAX_RUNS
from workbench.models.sweeps.spec import METHODS as METHODS
from workbench.models.sweeps.spec import PARAMETERS as PARAMETERS
from workbench.models.sweeps.spec import SweepSpec as SweepSpec
from workbench.models.sweeps.spec import SweepSpecError as SweepSpecError
from workbench.models.sweeps.spec import expand as expand
from workbench.models.sweeps.spec import load_spec as load_spec
from workbench.models.sweeps.spec import validate_spec as validate_spec
from workbench.models.sweeps.store import RUN_STATES as RUN_STATES
from workbench.models.sweeps.store import Sweep as Sweep
from workbench.models.sweeps.store import SweepDamagedError as SweepDamagedError
from workbench.models.sweeps.store import SweepStateError as SweepStateError
from workbench.models.sweeps.store import damaged_sweeps as damaged_sweeps
from workbench.models.sweeps.store import define_sweep as define_sweep
from workbench.models.sweeps.store import list_sweeps as list_sweeps

__all__ = [
    "MAX_RUNS",
    "METHODS",
    "PARAMETERS",
    "RUN_STATES",
    "Sweep",
    "SweepScheduler",
    "SweepSpec",
    "SweepDamagedError",
    "SweepSpecError",
    "SweepStateError",
    "damaged_sweeps",
    "default_concurrency",
    "define_sweep",
    "ensure_scheduler",
    "expand",
    "list_sweeps",
    "load_spec",
    "run_until_done",
    "schedule_all",
    "validate_spec",
]
