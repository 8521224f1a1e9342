"""Fixtures of the editor tests (see editor_support.py for the sample design)."""

from __future__ import annotations

import pytest

from tests.workbench.models.editor.editor_support import sample_design
from workbench.models.editor import DesignEditor


@pytest.fixture
def editor() -> DesignEditor:
    """An editor on `sample_design()`, nothing selected, no history."""
    return DesignEditor(sample_design())
