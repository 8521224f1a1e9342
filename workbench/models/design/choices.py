"""Named choices for the arguments that take functions: activations, initializers,
regularizers and normalizers.

A design never holds code. Where slimlib takes a function, the design names one:

- activation: `"relu"`, `"relu6"`, `"elu"`, `"selu"`, `"tanh"`, `"sigmoid"`, `"softmax"`,
  `"softplus"`, `"softsign"`, `"leaky_relu"`, `"swish"`, or `null` (linear);
- initializer: `{"name": "truncated_normal_initializer", "stddev": 0.01}`,
  `"xavier_initializer"`, `{"name": "variance_scaling_initializer", "factor": 2.0,
  "mode": "FAN_IN"}`, `"zeros_initializer"`, ... or `null` (the variable store's default;
  for `biases_initializer`, no biases). Each is named as the TF-Slim / TensorFlow function
  a person would call, and every page shows it so (`text`); the short names of earlier
  designs (`"xavier"`, `"truncated_normal"`) are upgraded when a design is read
  (`upgrade_initializer_names`);
- regularizer: `{"name": "l2_regularizer", "scale": 0.0005}`, `l1_regularizer`,
  `l1_l2_regularizer`, or `null`;
- normalizer: `"batch_norm"`, `"layer_norm"`, `"bias_add"`, or `null`.

Each choice knows its parameters (checked like layer arguments), how to make the Python
object (for `build`) and the expression that makes it (for `codegen`). Both come from the
same `target` name, so the built graph and the generated code use the same function.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from workbench.models.design import pysource
from workbench.problems import Problem, did_you_mean, problem

FAMILIES = ("activation", "initializer", "regularizer", "normalizer")


@dataclasses.dataclass(frozen=True)
class Param:
    """A parameter of an initializer or regularizer.

    Attributes:
      name: The keyword of the Python function.
      type: `"float"`, `"bool"`, `"seed"` (an int >= 0 or null) or `"choice"`.
      default: Its value when left out; `None` with `required` for none.
      required: Whether the design must give it.
      choices: The accepted strings of a `"choice"`.
      minimum: The smallest accepted number, if any.
    """

    name: str
    type: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None


@dataclasses.dataclass(frozen=True)
class Choice:
    """One named function a design may pick.

    Attributes:
      name: The name used in designs.
      family: One of `FAMILIES`.
      target: The function as written in generated code, `tf.` (`tensorflow.compat.v1`)
        or `slim.` followed by its attribute path, e.g. `"tf.truncated_normal_initializer"`.
      params: The parameters of a factory (initializers, regularizers); empty otherwise.
      called: Whether the design's value is made by calling `target` with the parameters
        (initializers, regularizers) rather than being `target` itself.
      positional: Parameters written positionally in code (`slim.l2_regularizer(0.0005)`).
      doc: One line for the app.
    """

    name: str
    family: str
    target: str
    params: tuple[Param, ...] = ()
    called: bool = False
    positional: tuple[str, ...] = ()
    doc: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "code": self.target,
            "params": [dataclasses.asdict(p) for p in self.params],
            "doc": self.doc,
        }


_SEED = Param("seed", "seed")
_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")

_ACTIVATION_DOCS = {
    "relu": "max(x, 0).",
    "relu6": "min(max(x, 0), 6).",
    "elu": "Exponential linear unit (https://arxiv.org/abs/1511.07289).",
    "selu": "Scaled exponential linear unit (https://arxiv.org/abs/1706.02515).",
    "tanh": "Hyperbolic tangent.",
    "sigmoid": "1 / (1 + exp(-x)).",
    "softmax": "Softmax over the last axis.",
    "softplus": "log(exp(x) + 1).",
    "softsign": "x / (abs(x) + 1).",
    "leaky_relu": "max(x, 0.2 * x) (https://arxiv.org/abs/1505.00853).",
    "swish": "x * sigmoid(x) (https://arxiv.org/abs/1710.05941).",
}

ACTIVATIONS: dict[str, Choice] = {
    name: Choice(name, "activation", f"tf.nn.{name}", doc=doc)
    for name, doc in _ACTIVATION_DOCS.items()
}

INITIALIZERS: dict[str, Choice] = {
    c.name: c
    for c in [
        Choice(
            "zeros_initializer",
            "initializer",
            "tf.zeros_initializer",
            called=True,
            doc="All zeros.",
        ),
        Choice(
            "ones_initializer", "initializer", "tf.ones_initializer", called=True, doc="All ones."
        ),
        Choice(
            "constant_initializer",
            "initializer",
            "tf.constant_initializer",
            (Param("value", "float", 0.0),),
            called=True,
            doc="Every element `value`.",
        ),
        Choice(
            "truncated_normal_initializer",
            "initializer",
            "tf.truncated_normal_initializer",
            (Param("mean", "float", 0.0), Param("stddev", "float", 1.0, minimum=0.0), _SEED),
            called=True,
            doc="Normal(mean, stddev), redrawn beyond 2 stddev.",
        ),
        Choice(
            "random_normal_initializer",
            "initializer",
            "tf.random_normal_initializer",
            (Param("mean", "float", 0.0), Param("stddev", "float", 1.0, minimum=0.0), _SEED),
            called=True,
            doc="Normal(mean, stddev).",
        ),
        Choice(
            "random_uniform_initializer",
            "initializer",
            "tf.random_uniform_initializer",
            (Param("minval", "float", 0.0), Param("maxval", "float", 1.0), _SEED),
            called=True,
            doc="Uniform in [minval, maxval).",
        ),
        Choice(
            "glorot_uniform_initializer",
            "initializer",
            "tf.glorot_uniform_initializer",
            (_SEED,),
            called=True,
            doc="Glorot & Bengio uniform (http://proceedings.mlr.press/v9/glorot10a).",
        ),
        Choice(
            "glorot_normal_initializer",
            "initializer",
            "tf.glorot_normal_initializer",
            (_SEED,),
            called=True,
            doc="Glorot & Bengio truncated normal.",
        ),
        Choice(
            "orthogonal_initializer",
            "initializer",
            "tf.orthogonal_initializer",
            (Param("gain", "float", 1.0), _SEED),
            called=True,
            doc="A random orthogonal matrix times `gain` (https://arxiv.org/abs/1312.6120).",
        ),
        Choice(
            "xavier_initializer",
            "initializer",
            "slim.xavier_initializer",
            (Param("uniform", "bool", True), _SEED),
            called=True,
            doc="TF-Slim's default weights initializer (Glorot & Bengio).",
        ),
        Choice(
            "variance_scaling_initializer",
            "initializer",
            "slim.variance_scaling_initializer",
            (
                Param("factor", "float", 2.0, minimum=0.0),
                Param("mode", "choice", "FAN_IN", choices=_MODES),
                Param("uniform", "bool", False),
                _SEED,
            ),
            called=True,
            doc="Variance factor / fan (He et al., https://arxiv.org/abs/1502.01852).",
        ),
    ]
}

REGULARIZERS: dict[str, Choice] = {
    c.name: c
    for c in [
        Choice(
            "l1_regularizer",
            "regularizer",
            "slim.l1_regularizer",
            (Param("scale", "float", None, required=True, minimum=0.0),),
            called=True,
            positional=("scale",),
            doc="scale * sum(|w|), added to REGULARIZATION_LOSSES.",
        ),
        Choice(
            "l2_regularizer",
            "regularizer",
            "slim.l2_regularizer",
            (Param("scale", "float", None, required=True, minimum=0.0),),
            called=True,
            positional=("scale",),
            doc="scale * sum(w ** 2) / 2 (weight decay), added to REGULARIZATION_LOSSES.",
        ),
        Choice(
            "l1_l2_regularizer",
            "regularizer",
            "slim.l1_l2_regularizer",
            (
                Param("scale_l1", "float", 1.0, minimum=0.0),
                Param("scale_l2", "float", 1.0, minimum=0.0),
            ),
            called=True,
            doc="The sum of an L1 and an L2 regularizer.",
        ),
    ]
}

NORMALIZERS: dict[str, Choice] = {
    c.name: c
    for c in [
        Choice("batch_norm", "normalizer", "slim.batch_norm", doc="Batch normalization."),
        Choice("layer_norm", "normalizer", "slim.layer_norm", doc="Layer normalization."),
        Choice("bias_add", "normalizer", "slim.bias_add", doc="A learned bias per channel."),
    ]
}

_TABLES: dict[str, dict[str, Choice]] = {
    "activation": ACTIVATIONS,
    "initializer": INITIALIZERS,
    "regularizer": REGULARIZERS,
    "normalizer": NORMALIZERS,
}

_EXPECTED = {
    "activation": "an activation name such as 'relu', or null for none",
    "initializer": "an initializer such as {'name': 'truncated_normal_initializer', "
    "'stddev': 0.01} or 'xavier_initializer', or null",
    "regularizer": "a regularizer such as {'name': 'l2_regularizer', 'scale': 0.0005}, or null",
    "normalizer": "a normalizer name such as 'batch_norm', or null for none",
}


def names(family: str) -> tuple[str, ...]:
    """The names a design may use for `family` (`"activation"`, `"initializer"`, ...)."""
    return tuple(_TABLES[family])


def get(family: str, value: Any) -> Choice | None:
    """The `Choice` a (valid) design value names, or None for `null`."""
    name = value.get("name") if isinstance(value, dict) else value
    return None if name is None else _TABLES[family][name]


def check(family: str, value: Any, path: str) -> list[Problem]:
    """Problems of a design value for a `family` argument at `path` (empty when valid).

    Example:
      >>> [p.message for p in check("activation", "rleu", "blocks[0].args.activation_fn")]
      ["`blocks[0].args.activation_fn` must be an activation name such as 'relu', or null for none, got 'rleu'. Did you mean 'relu'?"]
    """
    if value is None:
        return []
    table = _TABLES[family]
    expected = _EXPECTED[family]
    if family in ("activation", "normalizer") or isinstance(value, str):
        if not isinstance(value, str):
            return [problem(path, expected, value, kind="type")]
        if value not in table:
            return [problem(path, expected, value, kind="unknown", hint=_hint(family, value))]
        choice = table[value]
        missing = [p.name for p in choice.params if p.required]
        if missing:
            return [
                problem(
                    path,
                    f"a dict giving {', '.join(map(repr, missing))}, such as "
                    f"{{'name': {value!r}, {missing[0]!r}: 0.0005}}",
                    value,
                    kind="value",
                )
            ]
        return []
    if not isinstance(value, dict):
        return [problem(path, expected, value, kind="type")]
    name = value.get("name")
    if not isinstance(name, str):
        return [problem(f"{path}.name", f"the {family}'s name, one of {list(table)}", name)]
    if name not in table:
        return [
            problem(
                f"{path}.name",
                f"one of {list(table)}",
                name,
                kind="unknown",
                hint=_hint(family, name),
            )
        ]
    choice = table[name]
    problems = []
    for key, item in value.items():
        if key == "name":
            continue
        param = choice.param(key) if isinstance(key, str) else None
        if param is None:
            allowed = [p.name for p in choice.params]
            problems.append(
                problem(
                    f"{path}.{key}",
                    f"a parameter of {name} ({', '.join(allowed) or 'it takes none'})",
                    item,
                    kind="unknown",
                    hint=did_you_mean(str(key), allowed),
                )
            )
            continue
        problems += _check_param(param, item, f"{path}.{key}")
    for param in choice.params:
        if param.required and param.name not in value:
            problems.append(
                problem(
                    f"{path}.{param.name}",
                    f"given ({name} needs `{param.name}`)",
                    None,
                    kind="structure",
                )
            )
    return problems


def _hint(family: str, name: str) -> str:
    """`Did you mean ...?`, naming the function an earlier design's short name became."""
    if family == "initializer" and name in OLD_INITIALIZER_NAMES:
        return f" Did you mean {OLD_INITIALIZER_NAMES[name]!r}?"
    return did_you_mean(name, _TABLES[family])


def _check_param(param: Param, value: Any, path: str) -> list[Problem]:
    if param.type == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [problem(path, "a number", value, kind="type")]
        if (isinstance(value, int) and abs(value) >= 2**53) or not math.isfinite(value):
            return [problem(path, "a finite number", value)]
        if param.minimum is not None and value < param.minimum:
            return [problem(path, f"a number >= {param.minimum}", value)]
    elif param.type == "bool":
        if not isinstance(value, bool):
            return [problem(path, "true or false", value, kind="type")]
    elif param.type == "seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            return [problem(path, "an int >= 0 or null", value, kind="type")]
        if value is not None and not 0 <= value < 2**63:
            return [problem(path, "an int >= 0 or null", value)]
    elif param.type == "choice":
        if not isinstance(value, str) or value.upper() not in param.choices:
            hint = did_you_mean(str(value).upper(), param.choices)
            return [problem(path, f"one of {list(param.choices)}", value, hint=hint)]
    return []


def _factory_kwargs(choice: Choice, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    kwargs = {k: v for k, v in value.items() if k != "name"}
    if "mode" in kwargs and isinstance(kwargs["mode"], str):
        kwargs["mode"] = kwargs["mode"].upper()
    # A design may hold `0` for a float: slimlib's regularizers refuse an int scale, as
    # TF-Slim's do, so the call and the generated code get `0.0`.
    for param in choice.params:
        value = kwargs.get(param.name)
        if param.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            kwargs[param.name] = float(value)
    return kwargs


def to_python(family: str, value: Any) -> Any:
    """The Python object a (valid) design value stands for: a function, an initializer, ...

    Example:
      >>> import tensorflow as tf
      >>> to_python("activation", "relu6") is tf.compat.v1.nn.relu6
      True
    """
    choice = get(family, value)
    if choice is None:
        return None
    target = _resolve(choice.target)
    if not choice.called:
        return target
    return target(**_factory_kwargs(choice, value))


def to_code(family: str, value: Any) -> pysource.Expr:
    """The expression generated code uses for a (valid) design value.

    Example:
      >>> to_code("regularizer", {"name": "l2_regularizer", "scale": 0.0005}).flat()
      'slim.l2_regularizer(0.0005)'
    """
    choice = get(family, value)
    if choice is None:
        return pysource.Atom("None")
    if not choice.called:
        return pysource.Atom(choice.target)
    kwargs = _factory_kwargs(choice, value)
    args = tuple(pysource.literal(kwargs.pop(n)) for n in choice.positional if n in kwargs)
    ordered = [p.name for p in choice.params if p.name in kwargs]
    return pysource.Call(
        choice.target, args, tuple((n, pysource.literal(kwargs[n])) for n in ordered)
    )


def _resolve(target: str) -> Any:
    # Imported here: checking and writing design values must not wait for TensorFlow.
    import tensorflow as tf

    import slimlib as slim

    root, _, rest = target.partition(".")
    obj: Any = {"tf": tf.compat.v1, "slim": slim}[root]
    for part in rest.split("."):
        obj = getattr(obj, part)
    return obj


def describe(value: Any) -> tuple[bool, Any]:
    """`(True, design value)` for a Python default that a design can name, else `(False, None)`.

    Used to show slimlib's defaults in the design's terms: `tf.nn.relu` is `"relu"`,
    `tf.zeros_initializer()` is `{"name": "zeros_initializer"}`, TF-Slim's default weights
    initializer is `{"name": "xavier_initializer"}`, `tf.truncated_normal_initializer(
    stddev=0.1)` is `{"name": "truncated_normal_initializer", "stddev": 0.1}`: parameters
    left at their defaults are left out, as generated code leaves them out.
    """
    import tensorflow as tf

    if value is None or isinstance(value, (bool, int, float, str)):
        return True, value
    for choice in ACTIVATIONS.values():
        name = choice.target.rsplit(".", 1)[-1]
        if value is getattr(tf.nn, name, None) or value is getattr(tf.compat.v1.nn, name, None):
            return True, choice.name
    for choice in NORMALIZERS.values():
        if value is _resolve(choice.target):
            return True, choice.name
    kind = type(value).__name__
    if kind in ("Zeros", "Ones"):
        return True, {"name": f"{kind.lower()}_initializer"}
    by_class = _initializer_from_config(value)
    if by_class is not None:
        return True, by_class
    cells = captured_values(value)
    if {"factor", "mode", "uniform"} <= cells.keys():
        factor, mode, uniform = cells["factor"], cells["mode"], cells["uniform"]
        if (factor, mode, uniform) == (1.0, "FAN_AVG", True):
            return True, {"name": "xavier_initializer"}
        given = {"factor": factor, "mode": mode, "uniform": uniform}
        choice = INITIALIZERS["variance_scaling_initializer"]
        return True, {
            "name": choice.name,
            **{k: v for k, v in given.items() if v != choice.param(k).default},
        }
    return False, None


def _initializer_from_config(value: Any) -> dict | None:
    """The design value of a TensorFlow initializer object whose class a choice makes
    (`TruncatedNormal(stddev=0.1)`), from its `get_config()`; None for anything else."""
    import tensorflow as tf

    for choice in INITIALIZERS.values():
        if not choice.target.startswith("tf."):
            continue
        made = _resolve(choice.target)
        if not (isinstance(made, type) and type(value) is made):
            continue
        try:
            config = value.get_config()
        except Exception:  # A broken get_config() only means "not a known initializer".
            return None
        params = {
            p.name: config[p.name]
            for p in choice.params
            if p.name in config and config[p.name] != p.default
        }
        if choice.name == "constant_initializer" and isinstance(params.get("value"), tf.Tensor):
            return None
        return {"name": choice.name, **params}
    return None


def text(family: str, value: Any) -> str:
    """A design value as the call a person writes, without the module: the same name the
    generated code calls, on every page. Parameters at their defaults are left out, so a
    value reads the same whether a design or TensorFlow's object gave it.

    Example:
      >>> text("initializer", {"name": "truncated_normal_initializer", "stddev": 0.1})
      'truncated_normal_initializer(stddev=0.1)'
      >>> text("initializer", "xavier_initializer"), text("activation", "relu")
      ('xavier_initializer()', 'relu')
      >>> text("regularizer", {"name": "l2_regularizer", "scale": 0.0005})
      'l2_regularizer(0.0005)'
      >>> text("initializer", {"name": "truncated_normal_initializer", "mean": 0.0})
      'truncated_normal_initializer()'
    """
    choice = get(family, value)
    if choice is not None and isinstance(value, dict):
        value = {
            k: v
            for k, v in value.items()
            if k == "name" or choice.param(k) is None or v != choice.param(k).default
        }
    function, paren, rest = to_code(family, value).flat().partition("(")
    return function.rsplit(".", 1)[-1] + paren + rest


#: The short initializer names of earlier designs, and the function names that replaced them.
OLD_INITIALIZER_NAMES: dict[str, str] = {
    name.removesuffix("_initializer"): name for name in INITIALIZERS
}


def upgrade_initializer_names(data: Any) -> Any:
    """`data` with every short initializer name of an earlier design (`"xavier"`,
    `{"name": "truncated_normal", ...}`) under an initializer argument (`initializer` or
    `..._initializer`) replaced by its function name. Changes nothing else.

    Example:
      >>> upgraded = upgrade_initializer_names({"args": {"weights_initializer": "xavier",
      ...     "biases_initializer": {"name": "constant", "value": 0.1}, "padding": "zeros"}})
      >>> upgraded["args"]["weights_initializer"], upgraded["args"]["biases_initializer"]
      ('xavier_initializer', {'name': 'constant_initializer', 'value': 0.1})
      >>> upgraded["args"]["padding"]
      'zeros'
    """
    if isinstance(data, list):
        return [upgrade_initializer_names(item) for item in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if isinstance(key, str) and (key == "initializer" or key.endswith("_initializer")):
            if isinstance(value, str):
                value = OLD_INITIALIZER_NAMES.get(value, value)
            elif isinstance(value, dict) and isinstance(value.get("name"), str):
                value = {**value, "name": OLD_INITIALIZER_NAMES.get(value["name"], value["name"])}
        out[key] = upgrade_initializer_names(value)
    return out


def captured_values(fn: Any) -> dict[str, Any]:
    """The variables a closure captured, by name (empty for anything else)."""
    code, cells = getattr(fn, "__code__", None), getattr(fn, "__closure__", None)
    if code is None or not cells:
        return {}
    try:
        return {name: cell.cell_contents for name, cell in zip(code.co_freevars, cells)}
    except ValueError:  # An empty cell.
        return {}
