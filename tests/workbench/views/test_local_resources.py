"""A served session's document names this server's Panel folder for its stylesheets."""

from __future__ import annotations

from types import SimpleNamespace

import panel as pn
import panel.reactive
import pytest
from bokeh.document import Document
from bokeh.models import ImportedStyleSheet
from panel.io.resources import LOCAL_DIST

from workbench.views.panel.local_resources import keep_resources_local, local_dist_url


def _served_doc(**template_variables):
    # What the function reads of a server session's document: its session context (any
    # object: there is one) and the template variables Panel keeps on it.
    return SimpleNamespace(session_context=object(), _template_variables=dict(template_variables))


@pytest.fixture(autouse=True)
def _panel_fallback_restored(monkeypatch):
    monkeypatch.setattr(panel.reactive, "CDN_DIST", panel.reactive.CDN_DIST)


def _stylesheet_urls(pane) -> list[str]:
    return [str(s.url) for s in pane.get_root().stylesheets if isinstance(s, ImportedStyleSheet)]


def test_a_pane_made_out_of_any_document_in_a_served_app_asks_this_server():
    assert any(url.startswith("https://") for url in _stylesheet_urls(pn.pane.Markdown("a")))
    keep_resources_local(_served_doc())
    urls = _stylesheet_urls(pn.pane.Markdown("b"))
    assert urls and all(url.startswith(LOCAL_DIST) for url in urls), urls


def test_a_served_document_without_a_dist_url_gets_the_local_one():
    doc = _served_doc()
    keep_resources_local(doc)
    assert doc._template_variables["dist_url"] == local_dist_url() == LOCAL_DIST
    assert not LOCAL_DIST.startswith("http")


def test_a_dist_url_set_by_panel_is_kept():
    doc = _served_doc(dist_url="../static/extensions/panel/")
    keep_resources_local(doc)
    assert doc._template_variables["dist_url"] == "../static/extensions/panel/"


def test_a_document_outside_a_server_is_left_alone():
    doc = Document()  # a notebook's or a test's: no session context
    keep_resources_local(doc)
    assert "dist_url" not in doc._template_variables
    keep_resources_local()  # no current document at all: nothing to do, no error
    assert panel.reactive.CDN_DIST.startswith("https://")
