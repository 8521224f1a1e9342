"""Rendering Graphviz `dot` source to SVG with the `dot` program.

The program is looked up on `PATH` at each call (so a server started before Graphviz was
installed finds it afterwards), and its absence is a `GraphvizNotFoundError` that says how to
install it, rather than a bare `FileNotFoundError`.
"""

from __future__ import annotations

import shutil
import subprocess

#: Seconds one rendering may take; a diagram of a few hundred nodes takes well under one.
RENDER_TIMEOUT_S = 60


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz `dot` program is not installed (or not on `PATH`)."""


def find_dot() -> str:
    """Full path of the Graphviz `dot` program on `PATH`.

    Raises:
      GraphvizNotFoundError: If `dot` is not on `PATH`.
    """
    found = shutil.which("dot")
    if found is None:
        raise GraphvizNotFoundError(
            "render_svg: the Graphviz `dot` program must be on PATH to draw the diagram, "
            "got none. Install Graphviz (`apt-get install graphviz`, `brew install graphviz` "
            "or `conda install graphviz`); the dot source itself needs no Graphviz."
        )
    return found


def render_svg(dot_source: str, *, timeout_s: float = RENDER_TIMEOUT_S) -> str:
    """Lays out `dot_source` with Graphviz and returns the SVG document as text.

    Args:
      dot_source: Graphviz source, e.g. `Diagram.to_dot()`.
      timeout_s: Seconds to wait for `dot`, > 0. Default `RENDER_TIMEOUT_S`.

    Returns:
      The SVG, starting with `<?xml` and holding one `<svg>` element.

    Raises:
      TypeError: If `dot_source` is not a str.
      GraphvizNotFoundError: If the `dot` program is not on `PATH`.
      ValueError: If `dot` rejects the source (its message is included).
      TimeoutError: If `dot` takes longer than `timeout_s`.

    Example:
      >>> render_svg('digraph { a -> b }').lstrip().startswith("<?xml")
      True
    """
    if not isinstance(dot_source, str):
        raise TypeError(
            f"render_svg: `dot_source` must be a str of Graphviz source, got "
            f"{type(dot_source).__name__}."
        )
    dot = find_dot()
    try:
        result = subprocess.run(
            [dot, "-Tsvg"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise TimeoutError(
            f"render_svg: `dot` must finish within {timeout_s} s, got no answer; the diagram "
            "may be too large to lay out."
        ) from err
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise ValueError(
            f"render_svg: `dot_source` must be valid Graphviz source, got an error from dot "
            f"(exit {result.returncode}): {message}"
        )
    return result.stdout.decode("utf-8")
