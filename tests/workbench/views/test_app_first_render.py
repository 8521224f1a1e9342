"""A new session's first page renders without importing TensorFlow (seconds on a small CPU)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

RENDER = """
import os, sys, tempfile
os.environ["SLIM_WORKBENCH_WORKSPACE"] = tempfile.mkdtemp()
from bokeh.document import Document
import workbench.views.panel.app_page as app_page
app_page.preload_pages = lambda: None  # Only the render itself is looked at here.
app = app_page.WorkbenchApp()
tabs = app.__panel__()
tabs.get_root(Document())
print("tensorflow" in sys.modules, app.train_page.devices.object)
tabs.active = app_page.PAGES.index("Inspect")  # Opening Inspect imports it.
print("tensorflow" in sys.modules, len(tabs[1].objects))
"""


def _run_python(code: str) -> str:
    """Stdout of `code` run by a fresh Python (a clean `sys.modules`)."""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_first_page_renders_without_tensorflow():
    first, opened = _run_python(RENDER).strip().splitlines()[-2:]
    assert first == "False This machine: looking for a GPU..."
    assert opened == "True 1"


def test_preloading_imports_the_later_pages():
    code = (
        "import sys\n"
        "from workbench.views.panel import preload\n"
        "preload.preload_pages(); preload.preload_pages()\n"
        "import threading\n"
        "[t.join() for t in threading.enumerate() if t.name == 'preload-pages']\n"
        "print(all(m in sys.modules for m in preload.MODULES), 'tensorflow' in sys.modules,\n"
        "      sum(t.name == 'preload-pages' for t in threading.enumerate()))\n"
    )
    assert _run_python(code).split()[-3:] == ["True", "True", "0"]
