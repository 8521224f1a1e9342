"""Server CPU of one edit on the Build page, in this process, without a browser.

The Build page of one session is built with its Bokeh models in a document, as the server
holds it, and three edits are timed the way `class_load.py` makes them: a rename of the
design in the property sheet (the widget's value set, as the browser sets it), a `dropout`
dropped onto the canvas (the canvas's message), and a click on the canvas background (back
to the design's sheet). The time of an edit is the CPU of the Python callbacks it runs,
Bokeh models of new widgets included; not Bokeh's sending of the changes. It prints the
median ms per edit kind and template.

    .venv/bin/python bench/edit_cpu.py [--rounds 8] [--templates lenet,cifarnet] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import statistics
import tempfile
import time

import panel as pn
from bokeh.document import Document

from workbench.models.design import template
from workbench.models.editor import DesignEditor
from workbench.models.session import WorkbenchSession
from workbench.views.panel.canvas import DesignCanvas
from workbench.views.panel.pages.build import BuildPage


def find(root, kind, check=lambda obj: True):
    """The first object of `kind` under the Panel layout `root` that passes `check`."""
    for obj in root.select(kind):
        if check(obj):
            return obj
    raise LookupError(kind)


class Page:
    """One session's Build page, its Bokeh models in a document."""

    def __init__(self, workspace: str, name: str):
        session = WorkbenchSession(workspace=workspace, editor=DesignEditor(template(name)))
        self.page = BuildPage(session=session)
        self.layout = pn.panel(self.page.__panel__())
        self.doc = Document()
        self.root = self.layout.get_root(self.doc)
        self.doc.add_root(self.root)
        self.canvas = find(self.layout, DesignCanvas)
        self.editor = session.editor

    def rename(self, name: str) -> None:
        field = find(
            self.layout,
            pn.widgets.TextInput,
            lambda w: w.name == "name" and w.value == self.editor.design["name"],
        )
        field.value = name

    def drop(self) -> None:
        self.canvas.apply({"action": "insert", "op": "dropout", "container": "blocks", "index": 1})

    def click_background(self) -> None:
        self.canvas.apply({"action": "select", "path": None})


def timed(page: Page, edit) -> float:
    start = time.process_time()
    edit()
    return (time.process_time() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--templates", default="lenet,cifarnet")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top calls")
    args = parser.parse_args()
    workspace = tempfile.mkdtemp(prefix="edit-cpu-")
    print(f"# {' '.join(os.sys.argv)}  (CPU ms per edit, median of {args.rounds})")
    profile = cProfile.Profile() if args.profile else None
    for name in args.templates.split(","):
        page = Page(workspace, name)
        times = {"rename": [], "drop layer": [], "click background": []}
        for i in range(args.rounds + 1):  # the first round warms caches: not counted
            if profile and i:
                profile.enable()
            r = timed(page, functools.partial(page.rename, f"{name}-e{i}"))
            d = timed(page, page.drop)
            c = timed(page, page.click_background)
            if profile and i:
                profile.disable()
            if i:
                times["rename"].append(r)
                times["drop layer"].append(d)
                times["click background"].append(c)
        assert page.editor.design["name"] == f"{name}-e{args.rounds}", "the rename was not made"
        row = "  ".join(f"{k} {statistics.median(v):6.1f}" for k, v in times.items())
        print(f"{name:10s} {row}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
