"""The Build page warns about a logits layer that applies relu, and its button fixes it."""

from __future__ import annotations

from workbench.models.design import template
from workbench.models.design.logits_check import logits_layer_warning
from workbench.models.design.spec import arg_scope, layer, new_design
from workbench.models.editor import DesignEditor
from workbench.models.session import WorkbenchSession
from workbench.views.panel.logits_warning_view import LogitsWarningView
from workbench.views.panel.pages.build import BuildPage
from workbench.views.panel.safe_text import markdown_message

RELU_LOGITS = new_design(
    "mlp",
    [8, 8, 1],
    [
        layer("flatten"),
        arg_scope(
            ["fully_connected"],
            [layer("fully_connected", "fc4", num_outputs=10)],
            activation_fn="relu",
        ),
    ],
)


def test_the_warning_names_the_layer_and_its_button_fixes_it_undoably():
    editor = DesignEditor(RELU_LOGITS)
    view = LogitsWarningView(editor=editor)
    assert view.layout.visible
    assert view.alert.object == markdown_message(logits_layer_warning(RELU_LOGITS).message)
    assert "'fc4'" in view.alert.object and "applies relu" in view.alert.object
    assert view.fix_button.label == "Set activation_fn=None on 'fc4'"
    view.fix_button.clicks += 1
    assert editor.design["blocks"][1]["blocks"][0]["args"]["activation_fn"] is None
    assert not view.layout.visible
    editor.undo()
    assert editor.design == RELU_LOGITS
    assert view.layout.visible


def test_the_templates_show_no_warning_and_the_page_holds_the_view(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    page = BuildPage(session=session)
    page.__panel__()
    assert not page.logits_warning.layout.visible
    session.editor.replace(RELU_LOGITS)
    assert page.logits_warning.layout.visible


def test_the_train_page_warns_before_start_without_refusing_it_and_fixes_it(tmp_path):
    from workbench.views.panel.pages.train import FIX_SLOTS, TrainPage

    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    view = TrainPage(session=session)
    assert not view.fit.visible
    session.editor.load(RELU_LOGITS)
    button = view.fix_buttons[FIX_SLOTS["logits"]]
    assert view.fit.visible and button.visible
    assert "'fc4'" in view.fit_alert.object and "applies relu" in view.fit_alert.object
    assert button.label == "Set activation_fn=None on 'fc4'"
    assert not any(m.blocking for m in session.design_fit())  # A warning: Start may go on.
    button.clicks += 1
    assert not view.fit.visible
    session.editor.undo()
    assert view.fit.visible and button.visible


def test_a_sweep_is_not_refused_for_the_warning_and_a_new_head_does_not_claim_it(tmp_path):
    from workbench.models.sweeps.form import base_config

    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(RELU_LOGITS))
    assert [m.field for m in session.design_fit()] == ["logits"]
    assert base_config(session)["model"]["design"]["name"] == "mlp"
    assert all(m.field != "logits" for m in session.head_mismatches())
