"""A served session's document names this server's Panel folder for its stylesheets."""

from __future__ import annotations

from types import SimpleNamespace

from bokeh.document import Document
from panel.io.resources import LOCAL_DIST

from workbench.views.panel.local_resources import keep_resources_local, local_dist_url


def _served_doc(**template_variables):
    # What the function reads of a server session's document: its session context (any
    # object: there is one) and the template variables Panel keeps on it.
    return SimpleNamespace(session_context=object(), _template_variables=dict(template_variables))


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
