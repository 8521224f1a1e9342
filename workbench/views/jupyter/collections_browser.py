"""Collections browser: a tab per graph collection with its variables or ops."""

from __future__ import annotations

import ipywidgets as widgets

from workbench.models.inspect import InspectModel
from workbench.views.jupyter.html_table import html_table


class CollectionsBrowser(widgets.Tab):
    """One tab per collection of `model.graph` (model, trainable, local, losses, ...).

    Refreshes when the model is rebuilt or its checkpoint changes (the `In checkpoint` column).
    """

    def __init__(self, model: InspectModel):
        super().__init__()
        self.model = model
        model.param.watch(lambda *_: self._load(), ["collections"])
        self._load()

    def _load(self) -> None:
        listings = self.model.collections
        self.children = [widgets.HTML(html_table(listing.records())) for listing in listings]
        self.titles = tuple(f"{listing.label} ({listing.count})" for listing in listings)
