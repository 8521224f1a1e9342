"""NumPy behaviour that TF-Slim 1.1.0's test files rely on and NumPy 2 removed.

The test files were written against NumPy 1.x. Two things they use are gone from the NumPy
installed here, and the tests fail on them before reaching any slimlib code:

- the aliases `np.float`, `np.int`, `np.object`, `np.str` of the Python builtins (removed in
  NumPy 1.24) and `np.product` of `np.prod` (removed in NumPy 2.0):
  `restore_removed_aliases()` puts back the very objects they named;
- `int(x)` of an array with one element but one or more dimensions, e.g.
  `int(2 * labels[i] + 1)` with `labels[i]` of shape `[1]` (an error in NumPy 2.x; NumPy 1.x
  took the element). `OLD_SCALAR_CONVERSION` lists the test modules that do this;
  `convert_like_numpy_1(module)` gives each its own `int` that takes the element first.

Both happen in the conformance subprocesses only, like tensorflow_compat.py; slimlib and
TensorFlow never see the changed `int`, which is a global of those test modules alone.
"""

import builtins

import numpy as np

REMOVED_ALIASES = {"float": float, "int": int, "object": object, "str": str, "product": np.prod}

# Test files (relative to the extracted wheel) whose setUp converts one-element arrays.
OLD_SCALAR_CONVERSION = frozenset(
    {"learning_test.py", "training/training_test.py", "training/evaluation_test.py"}
)


def restore_removed_aliases() -> list[str]:
    """Sets each missing alias of REMOVED_ALIASES on numpy; returns the `np.<name>`s it set."""
    restored = []
    for name, value in REMOVED_ALIASES.items():
        if name not in np.__dict__:
            setattr(np, name, value)
            restored.append(f"np.{name}")
    return restored


def int_like_numpy_1(value=0, *args):
    """`int(value, *args)`, where an array of one element converts as its element (NumPy 1.x)."""
    if isinstance(value, np.ndarray) and value.ndim > 0 and value.size == 1 and not args:
        value = value.reshape(()).item()
    return builtins.int(value, *args)


def convert_like_numpy_1(module) -> None:
    """Gives `module` (a test module of OLD_SCALAR_CONVERSION) NumPy 1.x's `int` of arrays."""
    module.int = int_like_numpy_1
