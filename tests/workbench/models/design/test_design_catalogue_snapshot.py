"""`catalogue.json` holds exactly what slimlib's signatures and docstrings give now."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from workbench.models.design.catalogue import (
    SNAPSHOT,
    catalogue,
    nets,
    read_catalogue,
    read_nets,
    write_snapshot,
)

ROOT = Path(__file__).resolve().parents[4]
REWRITE = "python -m workbench.models.design.catalogue"
# The package exports a `catalogue` function under the module's name.
catalogue_module = importlib.import_module("workbench.models.design.catalogue")


def test_the_snapshot_equals_slimlib_now():
    assert catalogue() == read_catalogue(), f"slimlib's layers changed: run `{REWRITE}`"
    assert nets() == read_nets(), f"slimlib's nets changed: run `{REWRITE}`"


def test_snapshot_entries_resolve_their_slimlib_function():
    import slimlib as slim
    from slimlib.nets import nets_factory

    assert catalogue()["conv2d"].function is slim.conv2d
    assert catalogue()["linear"].function is slim.linear
    assert nets()["vgg_16"].function is nets_factory.networks_map["vgg_16"]


def test_writing_the_snapshot_gives_the_committed_file(tmp_path):
    written = tmp_path / "catalogue.json"
    write_snapshot(written)
    assert json.loads(written.read_text()) == json.loads(SNAPSHOT.read_text())
    # Read back, it makes the same entries (tuples included).
    catalogue_module._snapshot.cache_clear()
    try:
        original = catalogue_module.SNAPSHOT
        catalogue_module.SNAPSHOT = written
        assert catalogue_module._snapshot()["ops"] == read_catalogue()
    finally:
        catalogue_module.SNAPSHOT = original
        catalogue_module._snapshot.cache_clear()


def test_the_catalogue_loads_without_tensorflow():
    code = (
        "import sys\n"
        "from workbench.models.design import catalogue, template, validate, generate_code\n"
        "design = template('vgg_16')\n"
        "assert validate(design) == [], validate(design)\n"
        "generate_code(design)\n"
        "print(len(catalogue()), 'tensorflow' in sys.modules, 'slimlib' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(catalogue())), "False", "False"]
