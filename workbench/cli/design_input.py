"""Reading the DESIGN argument of the design subcommands, and their argument types.

A DESIGN argument is a design JSON file, or `-` for stdin, so `slim-workbench template lenet
| slim-workbench validate -` works. A design with problems becomes one
`InvalidInputError` listing every problem as `path: message`, which `workbench.cli.entry`
turns into exit status 2.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Sequence
from typing import Any

from workbench.cli.errors import InvalidInputError, read_limited
from workbench.problems import atomic_write

#: Design argument that reads the design from stdin.
STDIN = "-"


def problem_line(problem: Any) -> str:
    """`path: message`, without repeating the path the message already starts with."""
    message = problem.message
    if not problem.path:
        return message
    quoted = f"`{problem.path}` "
    if message.startswith(quoted):
        message = message[len(quoted) :]
    return f"{problem.path}: {message}"


def problems_error(source: str, problems: Sequence[Any]) -> InvalidInputError:
    """`SOURCE is not a valid design; N problems:` then one `path: message` line each."""
    count = len(problems)
    lines = "\n".join(f"  - {problem_line(p)}" for p in problems)
    noun = "problem" if count == 1 else "problems"
    return InvalidInputError(f"{source} is not a valid design; {count} {noun}:\n{lines}")


def source_name(path: str) -> str:
    """How messages name a design argument: `stdin` for `-`, else the quoted path."""
    return "stdin" if path == STDIN else repr(path)


def read_design(path: str, *, check: bool = True) -> dict:
    """Reads, migrates and (with `check`) validates the design at `path` (`-`: stdin).

    Args:
      path: A design JSON file, or `-` to read stdin.
      check: Whether a design with problems is refused. Default True.

    Returns:
      The design dict.

    Raises:
      InvalidInputError: If the file is missing or unreadable, is not a design, or (with
        `check`) the design has problems; the message lists every problem.
    """
    from workbench.models.design import DesignError, loads, validate

    source = source_name(path)
    from workbench.models.design.spec import MAX_TEXT_BYTES

    text = read_limited(path, MAX_TEXT_BYTES, stdin=path == STDIN)
    try:
        design = loads(text)
    except DesignError as err:
        raise problems_error(source, err.problems) from None
    if check:
        problems = validate(design)
        if problems:
            raise problems_error(source, problems)
    return design


def build(design: dict) -> Any:
    """The design built with slimlib (`BuiltDesign`), or its problems as an `InvalidInputError`."""
    from workbench.models.design import DesignError, build_graph

    try:
        return build_graph(design)
    except DesignError as err:
        raise problems_error("the design", err.problems) from None


def write_text(path: str, text: str, command: str) -> None:
    """Writes `text` to `path` and says so on stderr; a failure is an `InvalidInputError`.

    The file is replaced all at once (`atomic_write`): a full disk or a kill midway leaves
    the file that was there before whole. A replaced file keeps its permissions, a new one
    gets those the umask gives; a symlink is followed, as an ordinary write would.
    """
    target = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        atomic_write(target, text)
        os.chmod(target, mode)
    except OSError as err:
        raise InvalidInputError(f"cannot write {path!r}: {err.strerror or err}.") from None
    print(f"{command}: wrote {path}", file=sys.stderr)


def positive_int(text: str) -> int:
    """argparse type of `--num-classes`: an int >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1, got {text!r}")
    return value


def shape_list(text: str) -> list[int]:
    """argparse type of `--input-shape`: `28,28,1` -> `[28, 28, 1]`."""
    try:
        shape = [int(part) for part in text.split(",")]
    except ValueError:
        shape = []
    if not shape or any(d < 1 for d in shape):
        raise argparse.ArgumentTypeError(
            f"must be comma-separated ints >= 1 such as 28,28,1, got {text!r}"
        )
    return shape
