"""Sessions inspecting the same design share one build; any change to the design, or the
mode, is another build; counts stay those of `slim-workbench summary`."""

from __future__ import annotations

import copy

from workbench.models.design import build_graph, net_design, template
from workbench.models.editor import DesignEditor
from workbench.models.inspect import tabulate_layers
from workbench.models.inspect.shared_builds import SHARED
from workbench.models.session import WorkbenchSession


def _session(tmp_path, design: dict) -> WorkbenchSession:
    return WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(copy.deepcopy(design)))


def test_two_sessions_on_equal_designs_share_one_build(tmp_path, tiny_design):
    first, second = _session(tmp_path, tiny_design), _session(tmp_path, tiny_design)
    first.inspect_if_changed()
    second.inspect_if_changed()
    assert second.inspect.graph is first.inspect.graph and SHARED.builds == 1
    # conv1 3*3*1*2+2, logits 72*10+10: each session's own table says so.
    assert first.inspect.totals["params"] == second.inspect.totals["params"] == 20 + 730
    # What is shown of the build is made once too; each session folds and draws its own.
    assert second.inspect.table is first.inspect.table
    assert second.inspect.collections == first.inspect.collections
    first.inspect.rankdir = "LR"
    assert "rankdir=LR" in first.inspect.dot and "rankdir=LR" not in second.inspect.dot


def test_a_changed_value_is_built_anew_and_the_other_session_keeps_its_build(tmp_path, tiny_design):
    first, second = _session(tmp_path, tiny_design), _session(tmp_path, tiny_design)
    first.inspect_if_changed()
    shown = first.inspect.graph
    second.editor.update_args("blocks[0]", {"num_outputs": 3})
    second.inspect_if_changed()
    assert second.inspect.graph is not shown and SHARED.builds == 2
    assert second.inspect.totals["params"] == 3 * 9 + 3 + (108 * 10 + 10)
    assert first.inspect.graph is shown and first.inspect.totals["params"] == 750


def test_flipping_the_mode_back_shows_the_first_build_again(tmp_path, tiny_design):
    session = _session(tmp_path, tiny_design)
    session.inspect_if_changed()
    inference = session.inspect.graph
    session.inspect_training = True
    training = session.inspect.graph
    session.inspect_training = False
    assert training is not inference and session.inspect.graph is inference
    assert SHARED.builds == 2


def test_rebuild_builds_fresh_and_shares_the_new_build(tmp_path, tiny_design):
    first, second = _session(tmp_path, tiny_design), _session(tmp_path, tiny_design)
    first.inspect_if_changed()
    old = first.inspect.graph
    first.inspect_design(fresh=True)
    assert first.inspect.graph is not old
    second.inspect_if_changed()
    assert second.inspect.graph is first.inspect.graph and SHARED.builds == 2


def test_a_design_that_does_not_build_shows_why_and_is_not_kept(tmp_path, tiny_design):
    broken = copy.deepcopy(tiny_design)
    broken["blocks"][0]["args"]["kernel_size"] = [9, 9]
    broken["blocks"][0]["args"]["padding"] = "VALID"
    session = _session(tmp_path, broken)
    session.inspect_if_changed()
    assert session.inspect.graph is None and session.inspect.totals == {}
    assert session.inspect.error.startswith("DesignError:")
    assert "kernel_size" in session.inspect.error and len(SHARED) == 0
    session.editor.update_args("blocks[0]", {"kernel_size": [3, 3]})
    session.inspect_if_changed()
    # 3x3 VALID on 6x6: 4x4x2 maps, so logits has 32*10+10 parameters, conv1 20.
    assert session.inspect.error == "" and session.inspect.totals["params"] == 20 + 330


def test_the_lenet_template_counts_as_the_summary_in_both_sessions(tmp_path):
    design = template("lenet")
    summary = tabulate_layers(build_graph(design, is_training=False).trace).totals
    sessions = [_session(tmp_path, design) for _ in range(2)]
    for session in sessions:
        session.inspect_if_changed()
        assert (session.inspect.totals["params"], session.inspect.totals["layers"]) == (
            summary["params"],
            summary["layers"],
        )
    assert SHARED.builds == 1


def test_inception_v3_is_built_once_for_two_sessions_with_the_summary_counts(tmp_path):
    # `slim-workbench summary` of net_design("inception_v3"): 27,179,376 parameters in 211
    # layer calls (the auxiliary logits included, as the net builds them by default).
    design = net_design("inception_v3")
    first, second = _session(tmp_path, design), _session(tmp_path, design)
    first.inspect_if_changed()
    second.inspect_if_changed()
    for session in (first, second):
        totals = session.inspect.totals
        assert (totals["params"], totals["layers"]) == (27_179_376, 211)
    assert second.inspect.graph is first.inspect.graph and SHARED.builds == 1
