"""How each `tf_slim` module of the alias finds its names in slimlib.

`SOURCES` maps every alias module to the slimlib modules that hold its names, searched in
order; a slimlib module that does not exist (yet) is skipped, so a name added to any of them
later appears in the alias without touching it. A name missing from all of them raises
AttributeError (an ImportError for `from tf_slim.x import name`), except TF-Slim's private
helpers that its tests import at module level: those get a stand-in that raises when called,
so one excluded test does not take its whole file down.
"""

import importlib
import importlib.util
import types

_LAYERS_PARTS = ("normalization", "optimizers", "summaries", "sparse_ops", "rev_block_lib")

SOURCES: dict[str, tuple[str, ...]] = {
    "tf_slim": ("slimlib",),
    "tf_slim.ops": (),
    "tf_slim.ops.arg_scope": ("slimlib.ops.arg_scope", "slimlib.arg_scope", "slimlib"),
    "tf_slim.ops.variables": ("slimlib.ops.variables", "slimlib.variables"),
    "tf_slim.ops.framework_ops": ("slimlib.ops.framework_ops", "slimlib.framework_ops"),
    "tf_slim.layers": (
        "slimlib.layers",
        *(f"slimlib.layers.{part}" for part in _LAYERS_PARTS),
        "slimlib.initializers",
        "slimlib.regularizers",
    ),
    "tf_slim.layers.layers": ("slimlib.layers.layers", "slimlib.layers"),
    "tf_slim.layers.initializers": ("slimlib.layers.initializers", "slimlib.initializers"),
    "tf_slim.layers.regularizers": ("slimlib.layers.regularizers", "slimlib.regularizers"),
    "tf_slim.layers.utils": ("slimlib.layers.utils", "slimlib.utils"),
    **{
        f"tf_slim.layers.{part}": (f"slimlib.layers.{part}", f"slimlib.{part}", "slimlib.layers")
        for part in _LAYERS_PARTS
    },
    "tf_slim.losses": ("slimlib.losses", "slimlib.losses.metric_learning"),
    "tf_slim.losses.loss_ops": ("slimlib.losses.loss_ops", "slimlib.losses"),
    "tf_slim.losses.metric_learning": (
        "slimlib.losses.metric_learning",
        "slimlib.metric_learning",
        "slimlib.losses",
    ),
    "tf_slim.metrics": ("slimlib.metrics",),
    **{
        f"tf_slim.metrics.{part}": (f"slimlib.metrics.{part}", "slimlib.metrics")
        for part in ("metric_ops", "classification", "histogram_ops")
    },
    "tf_slim.nets": ("slimlib.nets",),
    **{
        f"tf_slim.nets.{net}": (f"slimlib.nets.{net}",)
        for net in (
            "alexnet",
            "inception",
            "inception_v1",
            "inception_v2",
            "inception_v3",
            "overfeat",
            "resnet_utils",
            "resnet_v1",
            "resnet_v2",
            "vgg",
        )
    },
    "tf_slim.data": ("slimlib.data",),
    **{
        f"tf_slim.data.{part}": (f"slimlib.data.{part}",)
        for part in (
            "data_decoder",
            "data_provider",
            "dataset",
            "dataset_data_provider",
            "parallel_reader",
            "prefetch_queue",
            "tfexample_decoder",
        )
    },
    "tf_slim.training": ("slimlib.training",),
    "tf_slim.training.training": ("slimlib.training.training", "slimlib.training"),
    "tf_slim.training.evaluation": ("slimlib.training.evaluation", "slimlib.evaluation"),
    "tf_slim.evaluation": ("slimlib.evaluation",),
    "tf_slim.learning": ("slimlib.learning",),
    "tf_slim.model_analyzer": ("slimlib.model_analyzer",),
    "tf_slim.queues": ("slimlib.queues",),
    "tf_slim.summaries": ("slimlib.summaries",),
}

# TF-Slim's private helpers that its test files reach for; the tests of them are excluded
# (see tests/tf_slim_conformance/excluded.py), the stand-in only keeps their files importable.
PRIVATE_HELPERS = frozenset({"_next_array_size", "_inner_flatten", "_strict_1d_cumsum"})


class PrivateHelperError(NotImplementedError):
    """Raised by the stand-in of a private TF-Slim helper that slimlib does not provide."""


def _stand_in(module_name: str, name: str):
    def stand_in(*args, **kwargs):
        raise PrivateHelperError(
            f"{module_name}.{name} is a private TF-Slim helper with no slimlib equivalent; "
            "the tests that call it are excluded from the conformance run"
        )

    stand_in.__name__ = name
    stand_in.__qualname__ = name
    return stand_in


def _existing_module(name: str) -> types.ModuleType | None:
    """`name` imported, or None when no such module exists (a missing parent included)."""
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


def sources(module_name: str) -> list[types.ModuleType]:
    """The slimlib modules that exist today among those `module_name` forwards to."""
    found = (_existing_module(name) for name in SOURCES[module_name])
    return [module for module in found if module is not None]


def install(module_globals: dict) -> None:
    """Makes the alias module whose globals these are forward its missing names to slimlib."""
    module_name = module_globals["__name__"]
    is_package = "__path__" in module_globals

    def __getattr__(name: str):  # noqa: N807 (the module hook's name)
        if name.startswith("__"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        # A submodule of the alias wins over a slimlib attribute of the same name, so that
        # `from tf_slim.data import tfexample_decoder` stays inside the alias.
        if is_package and _existing_module(f"{module_name}.{name}") is not None:
            return importlib.import_module(f"{module_name}.{name}")
        for module in sources(module_name):
            if hasattr(module, name):
                value = getattr(module, name)
                break
        else:
            if name not in PRIVATE_HELPERS:
                searched = ", ".join(SOURCES[module_name]) or "no slimlib module"
                raise AttributeError(
                    f"module {module_name!r} has no attribute {name!r} (searched {searched})"
                )
            value = _stand_in(module_name, name)
        module_globals[name] = value  # found once: later lookups skip the search
        return value

    def __dir__():  # noqa: N807
        names = set(module_globals)
        for module in sources(module_name):
            names.update(getattr(module, "__all__", None) or dir(module))
        return sorted(names)

    module_globals["__getattr__"] = __getattr__
    module_globals["__dir__"] = __dir__
