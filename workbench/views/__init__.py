"""Thin widget bindings to `workbench.models`: the web app (panel) and notebooks (jupyter)."""
