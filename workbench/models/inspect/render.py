"""Rendering Graphviz `dot` source to SVG by running the `dot` program, within bounds.

The program is looked up on `PATH` at each call (so a server started before Graphviz was
installed finds it afterwards), and its absence is a `GraphvizNotFoundError` that says how to
install it. The app renders on a server thread, so a design that `dot` cannot lay out in
reasonable time must not hold that thread: `dot` runs in its own process group, which is
killed after `DOT_TIMEOUT_SECS`, and a diagram beyond `MAX_DRAWN_NODES` nodes, a source beyond
`MAX_DOT_CHARS` or an SVG beyond `MAX_SVG_BYTES` is refused with a `DiagramTooBigError` that
says so (the app shows it in place of the drawing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess

__all__ = [
    "DOT_TIMEOUT_SECS",
    "DiagramTimeoutError",
    "DiagramTooBigError",
    "GraphvizNotFoundError",
    "MAX_DOT_CHARS",
    "MAX_DRAWN_NODES",
    "MAX_SVG_BYTES",
    "check_node_count",
    "find_dot",
    "render_svg",
]

#: Seconds `dot` may run before it is killed. A net's diagram is mostly a chain with local
#: branches: 2000 such nodes lay out in under a second here, while 2000 nodes with 3 random
#: edges each take minutes. The app draws on the server's event loop, which every session
#: of the process shares, so the wait is kept short.
DOT_TIMEOUT_SECS = 10.0
#: Most nodes drawn at once. A drawing beyond this is unreadable anyway; folding scopes
#: (the Inspect page's fold buttons) brings any net below it.
MAX_DRAWN_NODES = 2000
#: Longest dot source passed to `dot` (a 2000-node diagram is about 0.5 MB of source).
MAX_DOT_CHARS = 4_000_000
#: Largest SVG returned to a page (a 2000-node diagram is about 2 MB of SVG).
MAX_SVG_BYTES = 32_000_000

_INSTALL = (
    "render_svg: the Graphviz `dot` program must be on PATH to draw the diagram, "
    "got none. Install Graphviz (`apt-get install graphviz`, `brew install graphviz` "
    "or `conda install graphviz`); the dot source itself needs no Graphviz."
)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz `dot` program is not installed (or not on `PATH`)."""


class DiagramTooBigError(ValueError):
    """The diagram is beyond what is drawn at once (nodes, source or SVG size)."""


class DiagramTimeoutError(TimeoutError):
    """`dot` did not finish within its time limit and was killed."""


def find_dot() -> str:
    """Full path of the Graphviz `dot` program on `PATH`.

    Raises:
      GraphvizNotFoundError: If `dot` is not on `PATH`.
    """
    found = shutil.which("dot")
    if found is None:
        raise GraphvizNotFoundError(_INSTALL)
    return found


def check_node_count(count: int, *, limit: int | None = None) -> None:
    """Refuses to draw a diagram of `count` nodes when that is more than `limit`.

    Args:
      count: Nodes of the diagram to draw.
      limit: Most nodes drawn; default `MAX_DRAWN_NODES`.

    Raises:
      DiagramTooBigError: If `count > limit`, saying how to draw it anyway.
    """
    limit = MAX_DRAWN_NODES if limit is None else limit
    if count > limit:
        raise DiagramTooBigError(
            f"render_svg: the diagram must have at most {limit} nodes to be drawn, got "
            f"{count}. Fold some scopes to draw it, or read the layer table instead."
        )


def _stop(process: subprocess.Popen) -> None:
    """Kills `dot` and whatever it started, then reaps it without reading its pipes."""
    # `dot` may be a wrapper script with children; its session's group holds them all. The
    # group is killed before `dot` is reaped, so its id cannot belong to another process yet.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    # A child that left the group could hold the pipes open: they are closed, not drained.
    for pipe in (process.stdin, process.stdout, process.stderr):
        with contextlib.suppress(OSError):
            pipe.close()
    process.wait()


def render_svg(
    dot_source: str, *, timeout: float | None = None, max_svg_bytes: int | None = None
) -> str:
    """Lays out `dot_source` with Graphviz and returns the SVG document as text.

    Args:
      dot_source: Graphviz source, e.g. `Diagram.to_dot()`, at most `MAX_DOT_CHARS` long.
      timeout: Seconds `dot` may run before it is killed; default `DOT_TIMEOUT_SECS`.
      max_svg_bytes: Largest SVG accepted; default `MAX_SVG_BYTES`.

    Returns:
      The SVG, starting with `<?xml` and holding one `<svg>` element.

    Raises:
      TypeError: If `dot_source` is not a str.
      GraphvizNotFoundError: If the `dot` program is not on `PATH`.
      DiagramTooBigError: If the source or the SVG is beyond its limit.
      DiagramTimeoutError: If `dot` ran past `timeout` (it is killed, with its children).
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
    if len(dot_source) > MAX_DOT_CHARS:
        raise DiagramTooBigError(
            f"render_svg: `dot_source` must be at most {MAX_DOT_CHARS:,} characters to be "
            f"drawn, got {len(dot_source):,}. Fold some scopes to draw it."
        )
    timeout = DOT_TIMEOUT_SECS if timeout is None else timeout
    max_svg_bytes = MAX_SVG_BYTES if max_svg_bytes is None else max_svg_bytes
    try:
        process = subprocess.Popen(
            [find_dot(), "-Tsvg"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:  # Removed between the look-up and the start.
        raise GraphvizNotFoundError(_INSTALL) from None
    try:
        svg, stderr = process.communicate(dot_source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise DiagramTimeoutError(
            f"render_svg: `dot` must lay out the diagram within {timeout:g} s, got no "
            f"drawing in that time, so it was stopped. Fold some scopes to draw a smaller one."
        ) from None
    except BaseException:
        _stop(process)
        raise
    if process.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip()
        raise ValueError(
            f"render_svg: `dot_source` must be valid Graphviz source, got an error from dot "
            f"(exit {process.returncode}): {message}"
        )
    if len(svg) > max_svg_bytes:
        raise DiagramTooBigError(
            f"render_svg: the SVG must be at most {max_svg_bytes:,} bytes to be shown, got "
            f"{len(svg):,}. Fold some scopes to draw a smaller diagram."
        )
    return svg.decode("utf-8", "replace")
