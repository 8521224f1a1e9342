"""The op catalogue: every layer and net a design may use, read from slimlib itself.

For each public slimlib layer the catalogue holds its group, its documentation's first
line and its arguments, taken from `inspect.signature` and the docstring: the default (in
design terms: `"relu"`, `{"name": "xavier_initializer"}`), the type the property editor
shows (`int`, `int_or_list`, `float`, `probability`, `bool`, `choice`, `activation`,
`initializer`, `regularizer`, `normalizer`, ...), whether it is a tensor input, a hyper-parameter, a
bookkeeping argument (collections), the scope, or not settable from a design, and whether it
is required. The app builds its palette and property editors from `catalogue()`;
validation and code generation read the same entries.

The entries are read from slimlib once and kept in `catalogue.json` next to this module,
so that the app's first page does not wait for TensorFlow to load (about 4 s); a test
checks the file against slimlib, and `python -m workbench.models.design.catalogue` writes it
again after slimlib changes.

What a signature cannot say (a layer's default scope name, whether it opens a variable or a
name scope, its number of spatial axes, its accepted `data_format`s) is kept in small
tables below, next to the slimlib behaviour they describe.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from workbench.models.design import choices
from workbench.problems import did_you_mean

#: The entries as read from slimlib (see the module docstring).
SNAPSHOT = Path(__file__).with_name("catalogue.json")

#: Palette groups, in display order.
GROUPS = ("convolution", "pooling", "dense", "normalization", "core", "meta", "structure", "nets")

#: Every layer op, its group, default scope, and whether that scope is a variable scope
#: (`tf.compat.v1.variable_scope`) or only a name scope, as slimlib opens them.
_OPS: dict[str, tuple[str, str, str]] = {
    "conv2d": ("convolution", "Conv", "variable"),
    "separable_conv2d": ("convolution", "SeparableConv2d", "variable"),
    "conv2d_transpose": ("convolution", "Conv2d_transpose", "variable"),
    "conv2d_in_plane": ("convolution", "ConvInPlane", "variable"),
    "conv1d": ("convolution", "Conv", "variable"),
    "conv3d": ("convolution", "Conv", "variable"),
    "conv3d_transpose": ("convolution", "Conv3d_transpose", "variable"),
    "convolution": ("convolution", "Conv", "variable"),
    "max_pool2d": ("pooling", "MaxPool2D", "name"),
    "avg_pool2d": ("pooling", "AvgPool2D", "name"),
    "max_pool3d": ("pooling", "MaxPool3D", "name"),
    "avg_pool3d": ("pooling", "AvgPool3D", "name"),
    "fully_connected": ("dense", "fully_connected", "variable"),
    "linear": ("dense", "fully_connected", "variable"),
    "relu": ("dense", "fully_connected", "variable"),
    "relu6": ("dense", "fully_connected", "variable"),
    "bias_add": ("dense", "BiasAdd", "variable"),
    "batch_norm": ("normalization", "BatchNorm", "variable"),
    "layer_norm": ("normalization", "LayerNorm", "variable"),
    "unit_norm": ("normalization", "UnitNorm", "variable"),
    "dropout": ("core", "Dropout", "variable"),
    "flatten": ("core", "Flatten", "name"),
    "softmax": ("core", "softmax", "variable"),
    "one_hot_encoding": ("core", "OneHotEncoding", "name"),
}

#: Other public names of the same functions (TF-Slim's long names).
ALIASES: dict[str, str] = {
    "convolution1d": "conv1d",
    "convolution2d": "conv2d",
    "convolution3d": "conv3d",
    "convolution2d_in_plane": "conv2d_in_plane",
    "convolution2d_transpose": "conv2d_transpose",
    "convolution3d_transpose": "conv3d_transpose",
    "separable_convolution2d": "separable_conv2d",
    "max_pool": "max_pool2d",
}

#: Public slimlib layers the builder does not offer, each with the reason.
NOT_IN_PALETTE: dict[str, str] = {
    "GDN": "a layer object; the palette offers functions",
    "gdn": "image-compression normalization, outside the builder's teaching scope",
    "pool": "N-D pooling with a required pooling_type; max_pool2d/avg_pool2d cover the builder",
    "elu": "fully_connected with activation_fn='elu' says the same",
    "legacy_fully_connected": "TF-Slim's pre-arg_scope vocabulary; fully_connected replaces it",
    "legacy_linear": "TF-Slim's pre-arg_scope vocabulary; linear replaces it",
    "legacy_relu": "TF-Slim's pre-arg_scope vocabulary; relu replaces it",
    "spatial_softmax": "outputs keypoints [batch, 2 * channels], not a feature map",
    "maxout": "no variables and no shape rule in the builder yet",
    "poincare_normalize": "an embedding projection, not a network layer",
    "images_to_sequence": "outputs a time-major sequence, which no builder block consumes",
    "sequence_to_images": "takes a time-major sequence, which no builder block produces",
    "dense_to_sparse": "outputs a SparseTensor",
    "scale_gradient": "changes gradients only; the builder draws the forward graph",
    "group_norm": "not offered yet: its groups must divide the channels, which the builder "
    "cannot check before the graph is built",
    "instance_norm": "not offered yet; batch_norm and layer_norm cover the builder's lessons",
}

#: Spatial axes of each op's input (None: 1, 2 or 3, from the input's rank).
_SPATIAL: dict[str, int | None] = {
    "conv1d": 1,
    "conv2d": 2,
    "conv3d": 3,
    "convolution": None,
    "conv2d_in_plane": 2,
    "conv2d_transpose": 2,
    "conv3d_transpose": 3,
    "separable_conv2d": 2,
    "max_pool2d": 2,
    "avg_pool2d": 2,
    "max_pool3d": 3,
    "avg_pool3d": 3,
}

_FORMATS_2D = ("NHWC", "NCHW")
_FORMATS_3D = ("NDHWC", "NCDHW")
#: The `data_format`s each op accepts (None: channels last).
_DATA_FORMATS: dict[str, tuple[str | None, ...]] = {
    "conv1d": (None, "NWC", "NCW"),
    "conv2d": (None, *_FORMATS_2D),
    "conv3d": (None, *_FORMATS_3D),
    "convolution": (None, "NWC", "NCW", *_FORMATS_2D, *_FORMATS_3D),
    "conv2d_transpose": _FORMATS_2D,
    "conv3d_transpose": _FORMATS_3D,
    "separable_conv2d": _FORMATS_2D,
    "max_pool2d": _FORMATS_2D,
    "avg_pool2d": _FORMATS_2D,
    "max_pool3d": _FORMATS_3D,
    "avg_pool3d": _FORMATS_3D,
    "bias_add": _FORMATS_2D,
    "batch_norm": _FORMATS_2D,
}

#: Ops whose `padding` may also be "CAUSAL" (1-D convolutions only).
_CAUSAL_OPS = ("conv1d", "convolution")

#: Argument types decided by the argument's name (checked before the annotation).
_NAME_TYPES: dict[str, str] = {
    "activation_fn": "activation",
    "normalizer_fn": "normalizer",
    "normalizer_params": "normalizer_params",
    "weights_initializer": "initializer",
    "biases_initializer": "initializer",
    "pointwise_initializer": "initializer",
    "initializer": "initializer",
    "weights_regularizer": "regularizer",
    "biases_regularizer": "regularizer",
    "regularizer": "regularizer",
    "param_initializers": "initializer_map",
    "param_regularizers": "regularizer_map",
    "padding": "choice",
    "data_format": "choice",
    "fc_conv_padding": "choice",
    "variables_collections": "variables_collections",
    "outputs_collections": "collections",
    "updates_collections": "collections",
    "kernel_size": "int_or_list",
    "stride": "int_or_list",
    "rate": "int_or_list",
    "keep_prob": "probability",
    "dropout_keep_prob": "probability",
    "noise_shape": "int_list",
    "seed": "optional_int",
}

#: Argument types decided by the annotation slimlib gives (a string in its signatures).
_ANNOTATION_TYPES: dict[str, str] = {
    "int": "int",
    "int | None": "optional_int",
    "int | tf.Tensor": "int",
    "float": "float",
    "float | tf.Tensor": "float",
    "bool": "bool",
    "bool | tf.Tensor": "bool",
    "bool | None": "optional_bool",
    "int | list[int]": "int_or_list",
    "IntOrInts": "int_or_list",
}

#: Arguments a design cannot set, with the reason shown when it tries.
UNSUPPORTED: dict[str, str] = {
    "reuse": "variable sharing is not part of a design; give each layer its own scope",
    "batch_weights": "it is a tensor, which a design cannot hold",
    "adjustment": "it is a function, which a design cannot hold",
    "renorm": "slimlib does not support batch renormalization",
    "renorm_clipping": "slimlib does not support batch renormalization",
    "renorm_decay": "slimlib does not support batch renormalization",
}

#: Arguments of nets a `net` block cannot set, with the reason.
NET_UNSUPPORTED: dict[str, str] = {
    "prediction_fn": "the net's own prediction function is always used",
    "is_training": "the net gets `is_training` from the build",
}

#: Bounds of numeric arguments: name -> (minimum, maximum, minimum excluded).
_BOUNDS: dict[str, tuple[float | None, float | None, bool]] = {
    "num_outputs": (1, None, False),
    "depth_multiplier": (0, None, True),
    "num_classes": (1, None, False),
    "dim": (0, None, False),
    "seed": (0, None, False),
    "conv_dims": (1, 3, False),
    "min_depth": (1, None, False),
    "output_stride": (1, None, False),
    "decay": (0.0, 1.0, False),
    "epsilon": (0.0, None, False),
    "weight_decay": (0.0, None, False),
}

_COLLECTION_ROLES = ("outputs_collections", "variables_collections", "updates_collections")


@dataclasses.dataclass(frozen=True)
class ArgSpec:
    """One argument of an op, in the terms a design uses.

    Attributes:
      name: The keyword.
      type: How a design writes it (see the module docstring); `"tensor"` for inputs.
      role: `"input"` (the tensor from the previous block), `"hyper"` (a hyper-parameter),
        `"bookkeeping"` (collections), `"scope"` (set by the block's `scope` field) or
        `"unsupported"` (not settable from a design).
      required: Whether the call needs it (no default).
      default: The default as a design value (`"relu"`, `{"name": "zeros_initializer"}`, 1, None).
      default_known: Whether `default` could be written in design terms.
      choices: Accepted strings of a `"choice"` (None stands for "not given").
      length: Number of values of an `int_or_list` (spatial axes), None when it depends on
        the input's rank.
      minimum: Smallest accepted number (None: unbounded).
      maximum: Largest accepted number (None: unbounded).
      exclusive_minimum: Whether `minimum` itself is refused.
      positional: Whether the argument can be passed by position (in signature order).
      doc: The argument's description from the docstring, on one line.
    """

    name: str
    type: str
    role: str
    required: bool = False
    default: Any = None
    default_known: bool = True
    choices: tuple[str | None, ...] = ()
    length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    positional: bool = True
    doc: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["choices"] = list(self.choices)
        return out


@dataclasses.dataclass(frozen=True)
class OpSpec:
    """One layer op or net of the catalogue.

    Attributes:
      name: The name designs use (`"conv2d"`, `"vgg_16"`).
      group: One of `GROUPS`.
      doc: First line of the function's documentation.
      args: Every argument in signature order.
      kind: `"layer"` or `"net"`.
      input_name: Name of the tensor argument (`"inputs"`, `"labels"`, `"logits"`).
      default_scope: The scope slimlib opens when none is given.
      scope_kind: `"variable"` or `"name"` (only a name scope: pooling, flatten, one-hot).
      layer_name: The function's `__name__`, which `repeat` and `stack` use to name the
        calls when they have no scope (`convolution2d` for `conv2d`).
      arg_scope_op: The op whose `arg_scope` defaults apply to calls (`fully_connected` for
        `linear`), None when `arg_scope` does not apply.
      fixed: Arguments the op fixes itself (`linear` passes `activation_fn=None`).
      spatial: Number of spatial axes of the input (None: any of 1, 2, 3, or not spatial).
      image_size: A net's default input height and width.
    """

    name: str
    group: str
    doc: str
    args: tuple[ArgSpec, ...]
    kind: str = "layer"
    input_name: str = "inputs"
    default_scope: str = ""
    scope_kind: str = "variable"
    layer_name: str = ""
    arg_scope_op: str | None = None
    fixed: tuple[str, ...] = ()
    spatial: int | None = None
    image_size: int | None = None

    def arg(self, name: str) -> ArgSpec | None:
        """The argument `name`, or None."""
        return next((a for a in self.args if a.name == name), None)

    @property
    def settable(self) -> tuple[str, ...]:
        """Arguments a design may set (hyper-parameters and bookkeeping)."""
        return tuple(a.name for a in self.args if a.role in ("hyper", "bookkeeping"))

    @property
    def required(self) -> tuple[str, ...]:
        """Arguments without a default, besides the input."""
        return tuple(a.name for a in self.args if a.required and a.role != "input")

    @property
    def positional(self) -> tuple[str, ...]:
        """Arguments after the input that can be passed by position, in order."""
        return tuple(a.name for a in self.args if a.positional and a.role != "input")

    @functools.cached_property
    def function(self) -> Any:
        """The slimlib function (importing slimlib, and TensorFlow, on first use)."""
        if self.kind == "net":
            from slimlib.nets import nets_factory

            return nets_factory.networks_map[self.name]
        import slimlib as slim

        return getattr(slim, self.name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the app (`json.dumps`-able)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "group": self.group,
            "doc": self.doc,
            "input": self.input_name,
            "default_scope": self.default_scope,
            "image_size": self.image_size,
            "args": [a.to_dict() for a in self.args],
        }


def catalogue() -> dict[str, OpSpec]:
    """Every layer op a design may use, by name, in palette order.

    Example:
      >>> conv = catalogue()["conv2d"]
      >>> conv.group, conv.required, conv.arg("padding").choices
      ('convolution', ('num_outputs', 'kernel_size'), ('SAME', 'VALID'))
      >>> conv.arg("activation_fn").default, conv.arg("weights_initializer").default
      ('relu', {'name': 'xavier_initializer'})
    """
    return _snapshot()["ops"]


def nets() -> dict[str, OpSpec]:
    """Every slimlib net a `net` block may build (`nets_factory.networks_map`), by name.

    Each has the net's own keyword arguments plus `weight_decay` (the L2 scale of the net's
    arg_scope, default 0.0); `is_training` comes from the build.
    """
    return _snapshot()["nets"]


def read_catalogue() -> dict[str, OpSpec]:
    """The layer ops as slimlib's signatures and docstrings give them now."""
    return {name: _layer_spec(name) for name in _OPS}


def read_nets() -> dict[str, OpSpec]:
    """The nets as slimlib's signatures and docstrings give them now."""
    from slimlib.nets import nets_factory

    return {name: _net_spec(name) for name in nets_factory.network_names}


def write_snapshot(path: Path = SNAPSHOT) -> None:
    """Writes `read_catalogue()` and `read_nets()` to `path` as JSON."""
    data = {
        "ops": [_spec_data(spec) for spec in read_catalogue().values()],
        "nets": [_spec_data(spec) for spec in read_nets().values()],
    }
    path.write_text(json.dumps(data, indent=1) + "\n")


def _spec_data(spec: OpSpec) -> dict[str, Any]:
    return {
        **{field.name: getattr(spec, field.name) for field in dataclasses.fields(spec)},
        "args": [dataclasses.asdict(arg) for arg in spec.args],
    }


@functools.lru_cache(maxsize=1)
def _snapshot() -> dict[str, dict[str, OpSpec]]:
    data = json.loads(SNAPSHOT.read_text())
    return {
        group: {entry["name"]: _spec_from_data(entry) for entry in data[group]}
        for group in ("ops", "nets")
    }


def _spec_from_data(entry: dict[str, Any]) -> OpSpec:
    args = tuple(ArgSpec(**{**arg, "choices": tuple(arg["choices"])}) for arg in entry["args"])
    return OpSpec(**{**entry, "args": args, "fixed": tuple(entry["fixed"])})


def op_spec(name: str) -> OpSpec:
    """The catalogue entry of a layer op or net.

    Raises:
      KeyError: If `name` is neither, with the closest names in the message.
    """
    found = catalogue().get(name) or nets().get(name)
    if found is None:
        known = list(catalogue()) + list(nets())
        raise KeyError(
            f"op_spec: `name` must be a layer op or net of the catalogue, got {name!r}."
            + did_you_mean(name, known)
        )
    return found


def palette() -> list[dict[str, str]]:
    """The palette entries of the app's design canvas: layers, then nets.

    Layers are `{"group": ..., "op": ..., "doc": ...}`, nets `{"group": "nets", "kind":
    "net", "op": name, "doc": ...}`; the canvas adds the structure kinds itself.
    """
    entries = [{"group": s.group, "op": s.name, "doc": s.doc} for s in catalogue().values()]
    entries += [
        {"group": "nets", "kind": "net", "op": s.name, "doc": s.doc} for s in nets().values()
    ]
    return entries


#: The block kinds besides `layer` and `net`, with their group and what they do.
KIND_DOCS: dict[str, tuple[str, str]] = {
    "repeat": ("meta", "Calls one layer `count` times with the same arguments (slim.repeat)."),
    "stack": ("meta", "Calls one layer once per argument set of `per_layer` (slim.stack)."),
    "arg_scope": ("structure", "Sets default arguments of the listed ops inside (slim.arg_scope)."),
    "residual": ("structure", "Adds the main path to the shortcut (identity when empty)."),
    "branches": ("structure", "Runs parallel branches on one input and concatenates them."),
}


def _layer_spec(name: str) -> OpSpec:
    import slimlib as slim

    group, default_scope, scope_kind = _OPS[name]
    function = getattr(slim, name)
    base = function.func if isinstance(function, functools.partial) else function
    fixed = tuple(function.keywords) if isinstance(function, functools.partial) else ()
    docs = _arg_docs(base.__doc__ or "")
    args = _args(name, inspect.signature(function), docs)
    return OpSpec(
        name=name,
        group=group,
        doc=_first_line(function.__doc__),
        args=args,
        kind="layer",
        input_name=args[0].name,
        default_scope=default_scope,
        scope_kind=scope_kind,
        layer_name=base.__name__,
        arg_scope_op=base.__name__ if slim.has_arg_scope(base) else None,
        fixed=fixed,
        spatial=_SPATIAL.get(name),
    )


def _net_spec(name: str) -> OpSpec:
    from slimlib.nets import nets_factory

    function = nets_factory.networks_map[name]
    signature = inspect.signature(function)
    docs = _arg_docs(function.__doc__ or "")
    args = list(_args(name, signature, docs))
    args.append(
        ArgSpec(
            "weight_decay",
            "float",
            "hyper",
            default=0.0,
            minimum=0.0,
            positional=False,
            doc="Scale of the L2 regularizer of the net's arg_scope, >= 0; 0 adds none.",
        )
    )
    scope = signature.parameters.get("scope")
    return OpSpec(
        name=name,
        group="nets",
        doc=_first_line(function.__doc__),
        args=tuple(args),
        kind="net",
        input_name=args[0].name,
        default_scope=scope.default if scope is not None else name,
        layer_name=function.__name__,
        image_size=getattr(function, "default_image_size", None),
    )


def _args(op: str, signature: inspect.Signature, docs: dict[str, str]) -> tuple[ArgSpec, ...]:
    from slimlib.nets import nets_factory

    out = []
    for index, param in enumerate(signature.parameters.values()):
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        required = param.default is param.empty
        positional = param.kind is param.POSITIONAL_OR_KEYWORD
        doc = docs.get(param.name, "")
        if index == 0:
            out.append(ArgSpec(param.name, "tensor", "input", True, positional=True, doc=doc))
            continue
        known, default = (True, None) if required else choices.describe(param.default)
        arg_type = _arg_type(param, op in nets_factory.networks_map)
        role = _role(param.name, arg_type)
        if op in nets_factory.networks_map and param.name == "num_classes":
            low = (0, None, False)  # 0 or None: the net returns its features.
        else:
            low = _BOUNDS.get(param.name, (None, None, False))
        out.append(
            ArgSpec(
                name=param.name,
                type=arg_type,
                role=role,
                required=required,
                default=default,
                default_known=known,
                choices=_choices(op, param.name),
                length=_SPATIAL.get(op) if arg_type == "int_or_list" else None,
                minimum=1 if arg_type == "int_or_list" else low[0],
                maximum=low[1],
                exclusive_minimum=low[2],
                positional=positional,
                doc=doc,
            )
        )
    return tuple(out)


def _arg_type(param: inspect.Parameter, is_net: bool) -> str:
    if param.name in UNSUPPORTED or (is_net and param.name in NET_UNSUPPORTED):
        return "unsupported"
    if param.name == "scope":
        return "scope"
    if param.name in _NAME_TYPES:
        return _NAME_TYPES[param.name]
    annotation = param.annotation if isinstance(param.annotation, str) else ""
    return _ANNOTATION_TYPES.get(annotation, "unclassified")


def _role(name: str, arg_type: str) -> str:
    if arg_type in ("unsupported", "unclassified"):
        return "unsupported"
    if arg_type == "scope":
        return "scope"
    if name in _COLLECTION_ROLES:
        return "bookkeeping"
    return "hyper"


def _choices(op: str, name: str) -> tuple[str | None, ...]:
    if name == "padding":
        return ("SAME", "VALID", "CAUSAL") if op in _CAUSAL_OPS else ("SAME", "VALID")
    if name == "fc_conv_padding":
        return ("SAME", "VALID")
    if name == "data_format":
        return _DATA_FORMATS.get(op, ())
    return ()


def _first_line(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    return lines[0].strip() if lines else ""


_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+)\s*(?:\([^)]*\))?:\s*(.*)$")


def _arg_docs(doc: str) -> dict[str, str]:
    """The `Args:` entries of a Google-style docstring, each joined onto one line."""
    lines = inspect.cleandoc(doc).splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return {}
    out: dict[str, str] = {}
    name, indent = None, None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if indent is not None and width < indent:
            break
        match = _ARG_LINE.match(line)
        if match and (indent is None or width == indent):
            indent = width
            name = match.group(2).lstrip("*")
            out[name] = match.group(3).strip()
        elif name is not None and indent is not None and width > indent:
            out[name] = (out[name] + " " + line.strip()).strip()
        elif indent is None:
            break
    return out


if __name__ == "__main__":
    write_snapshot(Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT)
    print(f"wrote {len(read_catalogue())} ops and {len(read_nets())} nets")
