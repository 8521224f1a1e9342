"""How the workbench's modules depend on each other, read from their source with `ast`.

- No import cycle among `workbench` modules, counting imports inside functions too (a lazy
  import still makes the two modules depend on each other).
- Dependencies point one way: views and the command line import models, models import
  `workbench.problems`, which imports nothing of the workbench.
- No module imports another module's private (underscore) name, or a private module of
  another package.
- One `did_you_mean` in `workbench/` (`workbench/problems.py`) and one in `slimlib/` (the
  library never imports the workbench), and one atomic write in `workbench/`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


Modules = dict[str, Path]  # Module name -> its file.


def modules_of(package: Path) -> Modules:
    """Every module of the package folder `package`, by its dotted name."""
    root = package.parent
    return {
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
        for p in sorted(package.rglob("*.py"))
    }


WORKBENCH = modules_of(ROOT / "workbench")


def _imports(name: str, path: Path) -> Iterator[tuple[str, list[str], int]]:
    """`(module, imported names, line)` for every import in the file, resolved to absolute
    module names; `import a.b` gives `("a.b", [], line)`."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{module}" if module else base
            yield module, [alias.name for alias in node.names], node.lineno


def _dependencies(name: str, path: Path, modules: Modules = WORKBENCH) -> set[str]:
    """The `modules` that `name` imports: `from pkg import mod` counts as `pkg.mod` when
    that is a module, else as `pkg`."""
    found = set()
    for module, names, _ in _imports(name, path):
        targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
        if len(targets) < len(names) or not names:
            targets.append(module)
        found.update(t for t in targets if t in modules and t != name)
    return found


def import_graph(modules: Modules) -> dict[str, set[str]]:
    return {name: _dependencies(name, path, modules) for name, path in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_cycle_finder_finds_a_cycle_and_only_the_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_workbench_modules():
    graph = import_graph(WORKBENCH)
    assert sum(len(targets) for targets in graph.values()) > 100  # The graph was read.
    assert import_cycles(graph) == []


#: Which packages each layer may import from the workbench: views and the command line use
#: models, models use `workbench.problems`, which uses nothing of the workbench.
_LAYERS = {
    "workbench.problems": (),
    "workbench.models": ("workbench.models", "workbench.problems"),
}


@pytest.mark.parametrize("layer", sorted(_LAYERS))
def test_dependencies_point_from_views_to_models_to_problems(layer):
    allowed = _LAYERS[layer]
    offenders = [
        f"{name} imports {target}"
        for name, path in WORKBENCH.items()
        if name == layer or name.startswith(layer + ".")
        for target in sorted(_dependencies(name, path, WORKBENCH))
        if not any(target == a or target.startswith(a + ".") for a in allowed)
    ]
    assert offenders == [], "\n".join(offenders)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_aliases(name: str, path: Path, modules: Modules) -> dict[str, str]:
    """`{local name: module}` for the `modules` the file imports as a whole."""
    aliases = {}
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in modules:
                    aliases[alias.asname] = alias.name
    for module, names, _ in _imports(name, path):
        for n in names:
            if f"{module}.{n}" in modules:
                aliases[n] = f"{module}.{n}"
    return aliases


def private_uses(modules: Modules, root: Path) -> list[str]:
    """`file:line: what` for each import of another module's private name or of a private
    module, and each read of a private attribute of an imported module."""
    package = next(iter(modules)).split(".")[0]
    found = []
    for name, path in modules.items():
        where = path.relative_to(root)
        for module, names, line in _imports(name, path):
            if module.split(".")[0] != package:
                continue
            if any(_private(part) for part in module.split(".")):
                found.append(f"{where}:{line}: imports the private module {module}")
            found += [f"{where}:{line}: imports {module}.{n}" for n in names if _private(n)]
        aliases = _module_aliases(name, path, modules)
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                found.append(f"{where}:{node.lineno}: reads {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    assert private_uses(WORKBENCH, ROOT) == []


def test_the_checks_find_a_lazy_cycle_and_each_private_use(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_helpers.py").write_text("def hint(): ...\n")
    (package / "a.py").write_text(
        "from pkg import b\n"
        "from pkg._helpers import hint\n"
        "from pkg.b import _secret\n"
        "def f():\n"
        "    return b._state\n"
    )
    (package / "b.py").write_text("_secret = _state = 1\ndef g():\n    from pkg import a\n")
    modules = modules_of(package)
    assert import_cycles(import_graph(modules)) == [["pkg.a", "pkg.b"]]
    assert private_uses(modules, tmp_path) == [
        "pkg/a.py:2: imports the private module pkg._helpers",
        "pkg/a.py:3: imports pkg.b._secret",
        "pkg/a.py:5: reads pkg.b._state",
    ]


def _definitions(package: str, function: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@pytest.mark.parametrize(
    "package, where",
    [("workbench", "workbench/problems.py"), ("slimlib", "slimlib/_src/_checks.py")],
)
def test_one_did_you_mean_per_package(package, where):
    found = _definitions(package, "did_you_mean")
    assert [hit.split(":")[0] for hit in found] == [where], found


def _calls(path: Path) -> set[str]:
    """`module.function` of every call of an attribute of a plain name (`os.replace`)."""
    return {
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    }


#: Calls that make the temporary file of an atomic write.
_TEMPORARY_FILES = {"tempfile.mkstemp", "tempfile.NamedTemporaryFile"}


def test_one_atomic_write_in_workbench():
    writers = [
        str(path.relative_to(ROOT))
        for path in WORKBENCH.values()
        if _calls(path) & _TEMPORARY_FILES
    ]
    assert writers == ["workbench/problems.py"], (
        "write files through workbench.problems.atomic_write, not a temporary file of your own"
    )
