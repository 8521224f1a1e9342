"""What every `slim-workbench` command shares: its exit statuses, the error for input the
user can fix, and reading and printing JSON.

A command raises `InvalidInputError` with every problem in its message; `workbench.cli.entry`
prints it on stderr and exits with `EXIT_INVALID`. A job that runs and fails exits with
`EXIT_FAILED`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

#: Exit status of a command that did what was asked.
EXIT_OK = 0
#: Exit status of a job that ran and failed.
EXIT_FAILED = 1
#: Exit status for invalid input, as argparse uses for a bad command line.
EXIT_INVALID = 2


#: Largest JSON file a command reads (a job config holding a 4 MiB design fits).
MAX_JSON_BYTES = 16 * 2**20


class InvalidInputError(Exception):
    """Input the user can fix; its message lists every problem."""


def read_limited(path: str, limit: int, *, stdin: bool = False) -> bytes:
    """The bytes of the file at `path` (or of stdin), reading at most `limit` of them.

    A device or pipe that never ends (`/dev/zero`) is refused after `limit` bytes instead
    of filling the memory.

    Raises:
      InvalidInputError: If the file is missing, cannot be read, or holds more than `limit`.
    """
    try:
        if stdin:
            stream = getattr(sys.stdin, "buffer", sys.stdin)
            data = stream.read(limit + 1)
            data = data.encode("utf-8") if isinstance(data, str) else data
        else:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
    except FileNotFoundError:
        raise InvalidInputError(f"no such file {path!r}.") from None
    except OSError as err:
        raise InvalidInputError(f"cannot read {path!r}: {err.strerror or err}.") from None
    if len(data) > limit:
        raise InvalidInputError(f"{path!r} must be at most {limit:,} bytes, got more.")
    return data


def read_json(path: str, what: str) -> Any:
    """The JSON value in the file at `path`.

    Args:
      path: The file to read.
      what: The command reading it, which starts the message of an error.

    Raises:
      InvalidInputError: If the file is missing, unreadable, larger than `MAX_JSON_BYTES`,
        not UTF-8 or does not hold JSON.
    """
    try:
        data = read_limited(path, MAX_JSON_BYTES)
    except InvalidInputError as err:
        raise InvalidInputError(f"{what}: {err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInputError(
            f"{what}: {path!r} is not UTF-8 text ({err.reason} at byte {err.start}); "
            "a JSON file is expected."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{what}: {path!r} is not valid JSON: {err}.") from None
    except RecursionError:
        raise InvalidInputError(
            f"{what}: {path!r} nests JSON arrays and objects too deeply to be read; "
            "a job config or sweep spec nests a few levels."
        ) from None


def print_json(value: Any) -> None:
    """Prints `value` as indented JSON with sorted keys (anything else as its `str`)."""
    print(json.dumps(value, indent=2, sort_keys=True, default=str))
