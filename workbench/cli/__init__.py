"""`slim-workbench` (also `python -m workbench`): the workbench from a terminal.

Every subcommand is a thin wrapper over `workbench.models`:

- `entry`: the parser and `main` (the console script `workbench.cli:main`);
- `jobs`: `serve`, `train`, `evaluate`, `export`, `jobs`;
- `design`: `templates`, `template`, `validate`, `codegen`, `summary`, `diagram`,
  `restore-plan`;
- `runs`: `runs` (every job with its settings and results; `--sort`, `--filter`, `--json`);
- `design_input`: reading a DESIGN argument (a file or stdin) and the design commands'
  argument types; `tables`: aligned plain-text tables;
- `errors`: the exit statuses and `InvalidInputError`, shared by all.

Bad input (an invalid design or job config, a path outside the workspace, a missing file)
exits with status 2 and the problems on stderr, one per line; a job that fails exits with
status 1. TensorFlow is imported by the commands that need it, so `--help` stays fast.
"""

from workbench.cli.entry import build_parser, main
from workbench.cli.errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, InvalidInputError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INVALID",
    "EXIT_OK",
    "InvalidInputError",
    "build_parser",
    "main",
]
