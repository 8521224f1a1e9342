"""Slim Workbench web app. Run with `make app` (or `panel serve app.py`); open /app."""

import panel as pn

from workbench.models.layer_summary import LENET_INPUT_SHAPE, lenet, summarize
from workbench.views.panel.summary_page import summary_page

pn.extension("tabulator")

DESCRIPTION = f"""
LeNet as TF-Slim's `nets/lenet.py` builds it, on an input of shape `{list(LENET_INPUT_SHAPE)}`.
Each row is one slimlib layer call recorded by `slim.trace_layers()`: its variable scope,
shapes, the parameters it created and its FLOPs.
"""

summary_page(summarize(lenet, LENET_INPUT_SHAPE), description=DESCRIPTION).servable(
    title="Slim Workbench"
)
