"""Slim Workbench: a Panel web app and Jupyter widgets around slimlib.

`workbench.models` holds UI-agnostic state and logic (no panel, no ipywidgets);
`workbench.views.panel` and `workbench.views.jupyter` bind widgets to it.
"""
