"""Inspect builds in a thread when the session is given a way to deliver the result: the
model says it is building meanwhile, and only the build asked for last is ever shown."""

from __future__ import annotations

import copy
import threading

from workbench.models import session as session_module
from workbench.models.editor import DesignEditor
from workbench.models.session import WorkbenchSession


def _session(tmp_path, design: dict) -> tuple[WorkbenchSession, list]:
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(copy.deepcopy(design)))
    delivered: list = []
    session.inspect_in_background = delivered.append  # Run by the test, as an event loop would.
    return session, delivered


def test_the_model_says_building_until_the_result_is_delivered(tmp_path, tiny_design):
    session, delivered = _session(tmp_path, tiny_design)
    session.inspect_if_changed()
    assert session.inspect.building is True
    assert session.wait_for_inspect(60)
    assert len(delivered) == 1 and session.inspect.graph is None  # Not shown until run.
    delivered.pop()()
    assert session.inspect.building is False and session.inspect.totals["params"] == 750


def test_only_the_build_asked_for_last_is_shown(tmp_path, tiny_design, monkeypatch):
    session, delivered = _session(tmp_path, tiny_design)
    release = threading.Event()
    build = session_module.build_for_inspect

    def held_build(design, *, is_training):
        if design["blocks"][0]["args"]["num_outputs"] == 2:
            release.wait(60)  # The first build (2 maps) finishes after the second.
        return build(design, is_training=is_training)

    monkeypatch.setattr(session_module, "build_for_inspect", held_build)
    session.inspect_if_changed()
    first = session._inspect_thread
    session.editor.update_args("blocks[0]", {"num_outputs": 3})
    session.inspect_if_changed()
    assert session.wait_for_inspect(60) and len(delivered) == 1
    delivered.pop()()  # The second build: 3 maps.
    release.set()
    first.join(60)
    delivered.pop()()  # The first build, late: not shown.
    assert session.inspect.totals["params"] == 3 * 9 + 3 + (108 * 10 + 10)
    assert session.inspect.building is False


def test_a_failed_build_in_the_background_shows_why(tmp_path, tiny_design):
    broken = copy.deepcopy(tiny_design)
    broken["blocks"][0]["args"]["num_outputs"] = 0
    session, delivered = _session(tmp_path, broken)
    session.inspect_if_changed()
    assert session.wait_for_inspect(60)
    delivered.pop()()
    assert session.inspect.error.startswith("DesignError:") and "num_outputs" in (
        session.inspect.error
    )
    assert session.inspect.graph is None and session.inspect.building is False


def test_a_build_finishing_after_the_session_ended_is_shown_to_no_one(tmp_path, tiny_design):
    session, delivered = _session(tmp_path, tiny_design)
    session.inspect_if_changed()
    model = session.inspect
    session.release()
    assert session.wait_for_inspect(60)
    delivered.pop()()
    assert session._inspect is None and model.graph is None and model.building is False
