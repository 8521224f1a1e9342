"""Server CPU of one edit on the Build page, in this process, without a browser.

The Build page of one session is built with its Bokeh models in a document, as the server
holds it, and three edits are timed the way `class_load.py` makes them: a rename of the
design in the property sheet (the widget's value set, as the browser sets it), a `dropout`
dropped onto the canvas (the canvas's message), and a click on the canvas background (back
to the design's sheet), and a click on another layer (its property sheet shown: conv2d,
max_pool2d, conv2d, ... in turn). The time of an edit is the CPU of the Python callbacks it
runs, Bokeh models of new widgets included; not Bokeh's sending of the changes. It prints
the median ms per edit kind and template, for two pages side by side: one whose property
sheet keeps its sheets to show other blocks of the same shape in (as the app does), one
that makes a new sheet for every selection (`kept_sheets=0`), in alternate rounds.

    .venv/bin/python bench/edit_cpu.py [--rounds 8] [--templates lenet,cifarnet] [--profile]
"""

from __future__ import annotations

import argparse
import collections
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
from workbench.views.panel.properties_view import MAX_KEPT_SHEETS

#: The two ways of showing a selected block's sheet that are compared.
VARIANTS = {"kept sheets": MAX_KEPT_SHEETS, "new sheets": 0}


def find(root, kind, check=lambda obj: True):
    """The first object of `kind` under the Panel layout `root` that passes `check`."""
    for obj in root.select(kind):
        if check(obj):
            return obj
    raise LookupError(kind)


class Page:
    """One session's Build page, its Bokeh models in a document."""

    def __init__(self, workspace: str, name: str, kept_sheets: int = MAX_KEPT_SHEETS):
        session = WorkbenchSession(workspace=workspace, editor=DesignEditor(template(name)))
        self.page = BuildPage(session=session)
        self.layout = pn.panel(self.page.__panel__())
        self.page.properties.kept_sheets = kept_sheets
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

    def layers(self) -> list[str]:
        """Paths of the design's layers that are not dropouts (those the drops add)."""
        found = []

        def walk(blocks: list[dict], prefix: str) -> None:
            for index, block in enumerate(blocks):
                path = f"{prefix}[{index}]"
                if block.get("kind") == "layer" and block.get("op") != "dropout":
                    found.append(path)
                walk(block.get("blocks") or [], f"{path}.blocks")

        walk(self.editor.design["blocks"], "blocks")
        return found

    def click_layer(self, path: str) -> None:
        self.canvas.apply({"action": "select", "path": path})


def timed(page: Page, edit) -> float:
    start = time.process_time()
    edit()
    return (time.process_time() - start) * 1000


def one_round(page: Page, round_index: int, name: str) -> dict[str, float]:
    """The CPU ms of each edit of one round on `page`."""
    times = {
        "rename": timed(page, functools.partial(page.rename, f"{name}-e{round_index}")),
        "drop layer": timed(page, page.drop),
    }
    # Four layers in turn, from where the last round stopped: every op's sheet comes up.
    layers = page.layers()
    picks = [layers[(round_index * 4 + k) % len(layers)] for k in range(4)]
    times["click layer"] = statistics.median(
        timed(page, functools.partial(page.click_layer, path)) for path in picks
    )
    # Back to the design's sheet, where the next round's rename is typed.
    times["click background"] = timed(page, page.click_background)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--templates", default="lenet,cifarnet")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top calls")
    args = parser.parse_args()
    workspace = tempfile.mkdtemp(prefix="edit-cpu-")
    print(f"# {' '.join(os.sys.argv)}  (CPU ms per edit, median of {args.rounds} rounds)")
    print(f"# load average at the start: {os.getloadavg()}")
    profile = cProfile.Profile() if args.profile else None
    for name in args.templates.split(","):
        pages = {variant: Page(workspace, name, kept) for variant, kept in VARIANTS.items()}
        times = {variant: collections.defaultdict(list) for variant in VARIANTS}
        for i in range(args.rounds + 1):  # the first round warms caches: not counted
            for variant, page in pages.items():  # alternately, so load changes hit both
                if profile and i and variant == "kept sheets":
                    profile.enable()
                measured = one_round(page, i, name)
                if profile:
                    profile.disable()
                for edit, ms in measured.items():
                    if i:
                        times[variant][edit].append(ms)
        for page in pages.values():
            assert page.editor.design["name"] == f"{name}-e{args.rounds}", "no rename was made"
        edits = list(times["kept sheets"])
        print(f"{name:10s} {'edit':18s} " + " ".join(f"{v:>12s}" for v in VARIANTS) + "  ratio")
        for edit in edits:
            kept, new = (statistics.median(times[v][edit]) for v in VARIANTS)
            print(f"{'':10s} {edit:18s} {kept:12.1f} {new:12.1f}  {kept / new:5.2f}")
    print(f"# load average at the end: {os.getloadavg()}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
