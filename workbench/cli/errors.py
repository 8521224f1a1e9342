"""What every `slim-workbench` command shares: its exit statuses, the error for input the
user can fix, and reading and printing JSON.

A command raises `InvalidInputError` with every problem in its message; `workbench.cli.entry`
prints it on stderr and exits with `EXIT_INVALID`. A job that runs and fails exits with
`EXIT_FAILED`.
"""

from __future__ import annotations

import json
from typing import Any

#: Exit status of a command that did what was asked.
EXIT_OK = 0
#: Exit status of a job that ran and failed.
EXIT_FAILED = 1
#: Exit status for invalid input, as argparse uses for a bad command line.
EXIT_INVALID = 2


class InvalidInputError(Exception):
    """Input the user can fix; its message lists every problem."""


def read_json(path: str, what: str) -> Any:
    """The JSON value in the file at `path`.

    Args:
      path: The file to read.
      what: The command reading it, which starts the message of an error.

    Raises:
      InvalidInputError: If the file is missing or does not hold JSON.
    """
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise InvalidInputError(f"{what}: no such file {path!r}.") from None
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{what}: {path!r} is not valid JSON: {err}.") from None


def print_json(value: Any) -> None:
    """Prints `value` as indented JSON with sorted keys (anything else as its `str`)."""
    print(json.dumps(value, indent=2, sort_keys=True, default=str))
