"""The analysis of a design: one walk in build order that finds every problem and predicts
each block's scope, shape and variables (`validate.analyze` runs it and wraps the result).

- `state.py`: `State`, the one object every function gets (problems, block infos, scope
  names, variables), and `Flow`/`Ctx`/`BlockInfo`;
- `design.py`: the structure checked against the design format's JSON Schema
  (`design.schema`), the input; `blocks.py`: the walk over blocks, one handler
  per block kind (`HANDLERS`), and the kinds holding blocks (`arg_scope`, `residual`,
  `branches`); `layers.py`, `repeats.py`, `nets.py`: the kinds that call ops;
- `arguments.py`: ops and argument values; `scopes.py`: scope names and variables.
"""

from workbench.models.design.analysis.blocks import HANDLERS as HANDLERS
from workbench.models.design.analysis.design import walk_design as walk_design
from workbench.models.design.analysis.state import TRAINING_OPS as TRAINING_OPS
from workbench.models.design.analysis.state import BlockInfo as BlockInfo
from workbench.models.design.analysis.state import Flow as Flow
from workbench.models.design.analysis.state import State as State
from workbench.models.design.analysis.state import report as report
