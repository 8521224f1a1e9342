"""Repository rules: lint, the README/CI commands and the import boundaries between packages."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed; run `make setup`.")
    return found


def test_ruff_finds_nothing():
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def test_ci_runs_exactly_the_readme_test_command():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run must be executable"
    commands = [
        line.strip()
        for line in script.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[0] == "set -euo pipefail"
    assert commands[-1] == "make test"
    assert [c for c in commands if "make" in c or "pytest" in c] == ["make test"]


def _code_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", markdown, re.DOTALL | re.MULTILINE)


def test_readme_opens_with_the_app_and_test_commands():
    text = (ROOT / "README.md").read_text()
    first = re.search(r"^```\w*\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert first, "README.md needs a code block with the two commands"
    assert first.start() < text.index("\n## "), "the commands come before the first section"
    lines = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert [line for line in lines if line] == ["make app", "make test"]
    assert "http://127.0.0.1:5006/app" in first.group(1)


@pytest.mark.parametrize(
    "index, code", list(enumerate(_code_blocks((ROOT / "README.md").read_text(), "python")))
)
def test_readme_python_examples_run(index, code):
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"README python example {index} failed:\n{result.stderr}"


_IMPORT_CHECK = """
import sys

def loaded(*roots):
    return {m for m in sys.modules if m.split(".")[0] in roots}

import tensorflow  # TF 2.21 itself loads part of Keras 3; only what slimlib adds counts.
before = loaded("keras", "tf_keras")
import slimlib
print(" ".join(sorted(loaded("keras", "tf_keras") - before)))
print(" ".join(sorted(loaded("tf_keras", "panel", "param", "ipywidgets", "plotly"))))
"""


def test_importing_slimlib_loads_no_ui_or_keras_package():
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_CHECK], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    keras_added, ui_loaded = result.stdout.split("\n")[:2]
    assert keras_added == "", f"`import slimlib` imported Keras modules: {keras_added}"
    assert ui_loaded == "", f"`import slimlib` imported: {ui_loaded}"


_PRIVATE_SLIMLIB = re.compile(r"slimlib\._src|from\s+slimlib\s+import\s+[^\n]*\b_src\b")


def test_workbench_and_notebooks_use_only_public_slimlib():
    files = _python_files("workbench", "notebooks", "bench") + [ROOT / "app.py"]
    files += sorted((ROOT / "notebooks").rglob("*.ipynb"))
    offenders = [str(p.relative_to(ROOT)) for p in files if _PRIVATE_SLIMLIB.search(p.read_text())]
    assert offenders == [], f"these import slimlib._src (use `import slimlib as slim`): {offenders}"


_FORBIDDEN_MODULES = ("keras", "tf_keras", "tensorflow.python")


def _forbidden_uses(path: Path) -> list[str]:
    """Imports of keras, tf_keras or tensorflow.python, and `tf.keras`-style attribute access.

    `tf.keras` is checked too because touching it imports Keras 3 lazily.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute) and node.attr == "keras":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .keras")
            continue
        else:
            continue
        for module in modules:
            if any(module == bad or module.startswith(bad + ".") for bad in _FORBIDDEN_MODULES):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {module}")
                break
    return found


def test_library_and_workbench_never_import_keras_or_private_tensorflow():
    offenders = [hit for p in _python_files("slimlib", "workbench") for hit in _forbidden_uses(p)]
    offenders += _forbidden_uses(ROOT / "app.py")
    assert offenders == [], "\n".join(offenders)


def test_serving_beyond_localhost_needs_a_password():
    env = {k: v for k, v in os.environ.items() if k != "PASSWORD"}
    env.update(HOST="0.0.0.0", PORT="5999")
    result = subprocess.run(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "refusing to bind 0.0.0.0 without a password" in result.stderr


def test_serving_beyond_localhost_needs_a_password_of_12_characters():
    env = dict(os.environ, HOST="0.0.0.0", PORT="5999", PASSWORD="x" * 11)
    result = subprocess.run(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "PASSWORD has 11 characters; use at least 12" in result.stderr


@pytest.mark.parametrize("procs", ["0", "two", "-1", "1.5"])
def test_serving_processes_must_be_a_whole_number(procs):
    env = dict(os.environ, PROCS=procs, PORT="5999")
    result = subprocess.run(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert f"PROCS must be a whole number of processes, 1 or more; got '{procs}'." in result.stderr


def _model_modules() -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "workbench" / "models").rglob("*.py")
        if p.name != "__main__.py"
    )


def test_workbench_models_load_no_ui_package():
    code = (
        "import importlib, sys\n"
        f"for name in {_model_modules()!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in ('panel', 'ipywidgets', 'bokeh', 'plotly') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("module", _model_modules())
def test_workbench_model_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
