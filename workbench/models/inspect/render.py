"""Rendering Graphviz `dot` source to SVG with the `graphviz` package (which runs `dot`).

The program is looked up on `PATH` at each call (so a server started before Graphviz was
installed finds it afterwards), and its absence is a `GraphvizNotFoundError` that says how to
install it, rather than the package's bare `ExecutableNotFound`.
"""

from __future__ import annotations

import shutil

import graphviz

_INSTALL = (
    "render_svg: the Graphviz `dot` program must be on PATH to draw the diagram, "
    "got none. Install Graphviz (`apt-get install graphviz`, `brew install graphviz` "
    "or `conda install graphviz`); the dot source itself needs no Graphviz."
)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz `dot` program is not installed (or not on `PATH`)."""


def find_dot() -> str:
    """Full path of the Graphviz `dot` program on `PATH`.

    Raises:
      GraphvizNotFoundError: If `dot` is not on `PATH`.
    """
    found = shutil.which("dot")
    if found is None:
        raise GraphvizNotFoundError(_INSTALL)
    return found


def render_svg(dot_source: str) -> str:
    """Lays out `dot_source` with Graphviz and returns the SVG document as text.

    Args:
      dot_source: Graphviz source, e.g. `Diagram.to_dot()`.

    Returns:
      The SVG, starting with `<?xml` and holding one `<svg>` element.

    Raises:
      TypeError: If `dot_source` is not a str.
      GraphvizNotFoundError: If the `dot` program is not on `PATH`.
      ValueError: If `dot` rejects the source (its message is included).

    Example:
      >>> render_svg('digraph { a -> b }').lstrip().startswith("<?xml")
      True
    """
    if not isinstance(dot_source, str):
        raise TypeError(
            f"render_svg: `dot_source` must be a str of Graphviz source, got "
            f"{type(dot_source).__name__}."
        )
    try:
        return graphviz.Source(dot_source).pipe(format="svg", encoding="utf-8", quiet=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(_INSTALL) from None
    except graphviz.CalledProcessError as err:
        stderr = (
            err.stderr.decode("utf-8", "replace") if isinstance(err.stderr, bytes) else err.stderr
        )
        raise ValueError(
            f"render_svg: `dot_source` must be valid Graphviz source, got an error from dot "
            f"(exit {err.returncode}): {(stderr or '').strip()}"
        ) from None
