"""Text people type (design names, values, folder and class names, errors quoting them) shows
as typed on every page and never becomes HTML: in a shared workspace a name is seen by all.

Each test reads what the browser would put into the page (the pane's Bokeh model text, which
the page decodes and sets as `innerHTML`) and checks the tags it makes and the text it shows.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import panel as pn
import param
import pytest

from workbench.models.design import template
from workbench.models.editor import DesignEditor
from workbench.models.inspect import InspectModel
from workbench.models.jobs.settings import TrainSettings
from workbench.models.session import WorkbenchSession
from workbench.views.panel.code_view import code_pane
from workbench.views.panel.finetune_view import FinetuneView
from workbench.views.panel.inspect_view import InspectView
from workbench.views.panel.pages.build import BuildPage
from workbench.views.panel.pages.finetune import FinetunePage
from workbench.views.panel.pages.train import TrainPage
from workbench.views.panel.properties_view import PropertiesView
from workbench.views.panel.safe_text import (
    code_fence,
    html_text,
    markdown_code,
    markdown_message,
    markdown_text,
)

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</div><script>alert(2)</script>"
BOLD = "<b>bold</b>"
#: Tags a pane may make itself around the text it shows.
PANE_TAGS = {"p", "code", "pre", "div", "span", "br", "strong", "em", "h4", "b", "i", "ul", "li"}


class _Page(HTMLParser):
    """The tags and the visible text of an HTML fragment, as a browser would parse it."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.parts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def shown(pane: pn.pane.PaneBase) -> _Page:
    """What `pane` puts into the page: Panel sends HTML-escaped markup that the page decodes."""
    return _Page(html.unescape(pane.get_root().text))


def assert_inert(pane: pn.pane.PaneBase, *typed: str) -> None:
    """`pane` shows each of `typed` as typed and makes no tag of its own from them."""
    page = shown(pane)
    assert set(page.tags) <= PANE_TAGS, page.tags
    for text in typed:
        assert text in page.text


@pytest.mark.parametrize("typed", [IMG, SCRIPT, BOLD, "a_b & c *d* [f](g) $x$ | ~h~ \\ #"])
@pytest.mark.parametrize(
    "make",
    [
        lambda t: pn.pane.Markdown(markdown_text(t)),
        lambda t: pn.pane.Markdown("see " + markdown_code(t)),
        lambda t: pn.pane.Alert(markdown_message(t)),
        lambda t: pn.pane.HTML(f"<b>{html_text(t)}</b>"),
        lambda t: code_pane(f"x = {t!r}\n{t}"),
    ],
    ids=["markdown_text", "markdown_code", "markdown_message", "html_text", "code_pane"],
)
def test_each_helper_shows_the_text_as_typed_and_no_tag(make, typed):
    assert_inert(make(typed), typed)


def test_backticks_in_a_name_are_not_code():
    for pane in (
        pn.pane.Markdown(markdown_text("a `b` c")),
        pn.pane.Markdown(markdown_code("`b`")),
    ):
        assert shown(pane).tags in (["p"], ["p", "code"])
        assert "`b`" in shown(pane).text


def test_legitimate_names_read_the_same_in_the_markup():
    assert markdown_text("my_net & co") == "my\\_net &amp; co"
    assert markdown_text("photos/cats 0.png 'x'") == "photos/cats 0.png 'x'"
    assert html_text("a<b & 'c'") == "a&lt;b &amp; &#x27;c&#x27;"


def test_a_message_keeps_its_backticked_code_and_escapes_what_it_quotes():
    assert_inert(pn.pane.Alert(markdown_message(f"Scope `{IMG}` got {SCRIPT}")), IMG, SCRIPT)
    assert shown(pn.pane.Markdown(markdown_message("Set `num_outputs` to 3"))).tags == [
        "p",
        "code",
    ]
    # A backtick left open marks no code: everything is plain text.
    assert markdown_message("it's `open") == "it's \\`open"


def test_a_fence_is_longer_than_any_backticks_in_the_code():
    assert code_fence("a = '````'") == "`````python\na = '````'\n`````"
    assert_inert(code_pane(f"# ```\n```\n{IMG}\n```"), IMG)


def _markdown_panes(viewable) -> list[pn.pane.Markdown]:
    return list(viewable.select(pn.pane.Markdown))


def test_build_page_messages_and_questions_quote_names_as_typed(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    page = BuildPage(session=session)
    layout = page.__panel__()
    page.save_as.value = IMG
    page.save()
    assert page.message.startswith("Not saved: ")
    (message,) = [p for p in _markdown_panes(layout) if "Not saved" in str(p.object)]
    assert_inert(message, IMG)
    # A design named with markup, changed since it was opened, asks before a template replaces it.
    session.editor.replace({**template("lenet"), "name": IMG})
    page._clean = None
    page.load_template()
    (question,) = [p for p in _markdown_panes(layout) if "unsaved changes" in str(p.object)]
    assert_inert(question, repr(IMG))


def test_inspect_view_shows_build_and_drawing_errors_as_typed():
    model = InspectModel()
    layout = InspectView(model=model).__panel__()
    with param.edit_constant(model):
        model.param.update(error=f"ValueError: {SCRIPT}", svg_error=f"dot failed on {IMG}")
    alerts = [p for p in layout.select(pn.pane.Alert) if p.object]
    assert len(alerts) == 2
    assert_inert(alerts[0], SCRIPT)
    assert_inert(alerts[1], IMG)


def test_a_property_sheet_refusal_quotes_the_typed_value_as_typed():
    editor = DesignEditor(template("lenet"))
    editor.select("blocks[0].blocks[0]")
    view = PropertiesView(editor=editor)
    layout = view.__panel__()
    field = next(
        w
        for w in view.sheet().select(pn.widgets.TextInput)
        if w.name.split(" ")[0] == "kernel_size"
    )
    field.value = f"[{SCRIPT}"  # Not a literal: refused, quoting what was typed.
    assert SCRIPT in view.message
    (alert,) = [p for p in layout.select(pn.pane.Alert) if p.object]
    assert_inert(alert, SCRIPT)


def test_finetune_pattern_errors_and_plan_errors_quote_text_as_typed(tiny_design):
    session = WorkbenchSession(editor=DesignEditor(tiny_design))
    view = FinetuneView(plan=session.plan)
    view.set_factor("conv1", IMG)  # Not a number: refused, quoting what was typed.
    assert view.pattern_message.object.startswith("**Not set:** ")
    assert_inert(view.pattern_message, "Not set:", IMG)
    with param.edit_constant(session.plan):
        session.plan.error = f"Cannot read the checkpoint {SCRIPT}"
    (alert,) = view.traps().select(pn.pane.Alert)
    assert_inert(alert, SCRIPT)


def test_finetune_page_shows_folder_and_class_names_read_from_disk_as_typed(tmp_path, tiny_design):
    import tensorflow as tf

    photos = tmp_path / "photos <i>"  # Names on disk hold no '/': markup without closing tags.
    pixels = tf.zeros([6, 6, 1], tf.uint8)
    for name in ("<b>cats", "dogs"):
        (photos / name).mkdir(parents=True)
        (photos / name / "0.png").write_bytes(tf.io.encode_png(pixels).numpy())
    (photos / IMG).mkdir()  # A class folder without images: the data alert names it.
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(tiny_design))
    page = FinetunePage(session=session)
    layout = page.__panel__()
    session.param.update(finetune_dataset="image_folder", finetune_folder=photos.name)
    assert_inert(page.classes, "the image folder 'photos <i>'", "<b>cats/0.png")
    assert page.data_alert.visible
    assert_inert(page.data_alert, IMG)
    assert_inert(page.head, photos.name)
    session.message = f"Cannot start the job: {SCRIPT}"
    (message,) = [p for p in layout.select(pn.pane.Alert) if "Cannot start" in str(p.object)]
    assert_inert(message, SCRIPT)


def test_train_page_shows_refusals_and_a_failed_jobs_error_and_traceback_as_typed(tmp_path):
    logdir = tmp_path / "jobs" / "broken"
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps({"name": IMG, "model": {"net": "lenet"}}))
    status = {"state": "failed", "error": f"ValueError: {SCRIPT}", "traceback": f"  {IMG}\n"}
    (logdir / "status.json").write_text(json.dumps({**status, "step": 3}))
    session = WorkbenchSession(
        workspace=str(tmp_path), settings=TrainSettings(), train_design=False
    )
    page = TrainPage(session=session)
    assert page.job is not None and page.job.state == "failed"
    assert page.error.visible and page.trace.visible
    assert_inert(page.error, SCRIPT)
    assert_inert(page.trace, IMG)
    page.settings.param.update(dataset="image_folder", folder=f"../{BOLD}")
    page.start_job()
    assert BOLD in page.message
    assert_inert(page.message_pane, BOLD)


def test_the_diagram_svg_draws_markup_in_names_as_text():
    from xml.etree import ElementTree

    from workbench.models.inspect.diagram import Diagram, DiagramCluster, DiagramNode
    from workbench.models.inspect.render import render_svg

    node = DiagramNode("n0", "layer", IMG, SCRIPT, f"{BOLD}/x", (1, 2), cluster=BOLD, row=0)
    cluster = DiagramCluster("cluster_0", BOLD, f"{BOLD} --> {IMG}", "")
    svg = render_svg(Diagram((node,), (), (cluster,)).to_dot())
    root = ElementTree.fromstring(svg.encode())
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"img", "script", "b", "foreignObject"}
    texts = "\n".join(element.text or "" for element in root.iter() if element.text)
    for typed in (IMG, SCRIPT, f"{BOLD} --> {IMG}"):
        assert typed in texts
    # The SVG goes into the page as HTML: no comment or CDATA a name could close early.
    assert "<script" not in svg and "<img" not in svg
