"""Imports the TensorFlow-backed pages in the background once a page has loaded.

The first page renders without TensorFlow (about 4 s to import on a small CPU); Inspect,
Fine-tune and the Train page's device line need it. Importing them in a thread right after
the first page shows makes opening those pages quick later; a page opened sooner waits for
the import in progress.
"""

from __future__ import annotations

import importlib
import threading

#: Plotly's figure classes (Panel's Plotly pane makes a figure of each chart it shows: the
#: Train page's first show waited a second or more for their import), then the modules the
#: Inspect and Fine-tune pages are made from.
MODULES = (
    "plotly.graph_objs",
    "workbench.views.panel.pages.inspect",
    "workbench.views.panel.pages.finetune",
)

_started = threading.Event()


def preload_pages() -> None:
    """Starts importing `MODULES` in a daemon thread (once per process)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_import_modules, name="preload-pages", daemon=True).start()


def _import_modules() -> None:
    for name in MODULES:
        importlib.import_module(name)
