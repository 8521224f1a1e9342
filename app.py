"""Slim Workbench web app. Run with `make app` (or `panel serve app.py`); open /app."""

import panel as pn

from workbench.views.panel.app_page import app_page

pn.extension("tabulator", "plotly")

app_page().servable(title="Slim Workbench")
