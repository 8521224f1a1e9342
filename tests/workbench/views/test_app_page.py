"""The app's tabs: which page is shown drives the Train chart and the Inspect build."""

from __future__ import annotations

import pytest

from workbench.models.session import WorkbenchSession
from workbench.views.panel.app_page import PAGES, WorkbenchApp


@pytest.fixture
def app(tmp_path):
    return WorkbenchApp(session=WorkbenchSession(workspace=str(tmp_path)))


def test_the_four_pages_in_order(app):
    tabs = app.__panel__()
    assert tabs._names == list(PAGES)
    assert tabs.active == 0


def test_the_train_page_knows_when_it_is_shown(app):
    tabs = app.__panel__()
    train = app.train_page
    assert train.shown is False  # Build is open first.
    tabs.active = PAGES.index("Train")
    assert train.shown is True
    tabs.active = PAGES.index("Fine-tune")
    assert train.shown is False


def test_opening_inspect_builds_the_design_once_per_change(app, monkeypatch):
    builds = []
    monkeypatch.setattr(app.session, "inspect_design", lambda: builds.append(app.session.design))
    tabs = app.__panel__()
    tabs.active = PAGES.index("Inspect")
    tabs.active = 0
    tabs.active = PAGES.index("Inspect")
    assert len(builds) == 1  # Unchanged design: not built again.
    app.session.editor.set_field("", "name", "renamed")
    tabs.active = 0
    tabs.active = PAGES.index("Inspect")
    assert [design["name"] for design in builds] == ["lenet", "renamed"]
