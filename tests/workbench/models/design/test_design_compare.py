"""`design_diff`: a unified diff of two designs' saved JSON."""

from __future__ import annotations

from workbench.models.design import template
from workbench.models.design.compare import design_diff


def test_equal_designs_have_no_diff():
    assert design_diff(template("lenet"), template("lenet")) == ""


def test_a_changed_argument_shows_as_its_own_lines():
    old = template("lenet")
    new = template("lenet")
    new["name"] = "mine"
    diff = design_diff(old, new, "mine v1", "design being edited")
    lines = diff.splitlines()
    assert lines[:2] == ["--- mine v1", "+++ design being edited"]
    assert [line for line in lines if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        '-  "name": "lenet",',
        '+  "name": "mine",',
    ]
