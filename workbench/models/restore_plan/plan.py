"""`RestorePlan`: which variables to restore from a checkpoint and which to train.

The plan holds a built graph, a checkpoint and the choices (per scope: restore or not, train
or freeze; keep frozen batch norms' statistics updating or not; name-mapping rules; extra
TF-Slim exclude scopes) and derives everything a fine-tuning view shows: each variable's
status against the checkpoint, the entries left unused, `variables_to_restore`,
`variables_to_train`, `update_ops`, the traps the choices run into, and the Python code that
does the same with slimlib.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import param
import tensorflow as tf

from workbench.models.inspect.build import ModelFn, build_traced
from workbench.models.inspect.checkpoint import Checkpoint, read_checkpoint
from workbench.models.inspect.formatting import format_shape
from workbench.models.own_batch_norms import RefusedFreeze, own_batch_norms, refused_freezes
from workbench.models.restore_plan.batch_norm import BatchNormUpdates, batch_norm_updates
from workbench.models.restore_plan.codegen import generate_code
from workbench.models.restore_plan.compare import (
    UnusedEntry,
    VariableMatch,
    compare_with_checkpoint,
)
from workbench.models.restore_plan.names import NameRule
from workbench.models.restore_plan.scopes import ScopeTree, matching_scopes
from workbench.models.restore_plan.traps import (
    Trap,
    batch_norm_traps,
    exclude_traps,
    refused_freeze_traps,
    restore_set_traps,
    rule_traps,
)

GraphKeys = tf.compat.v1.GraphKeys


def _nearest(choices: Mapping[str, Any], ancestors: Sequence[str], default: Any) -> Any:
    """The value chosen at the nearest of `ancestors` (root first, the path itself last)."""
    for path in reversed(ancestors):
        if path in choices:
            return choices[path]
    return default


def _size(var: tf.Variable) -> int:
    """Number of values in `var` (its shape is static for every slimlib variable)."""
    return int(np.prod(var.shape.as_list(), dtype=np.int64))


def _compile(patterns: Sequence[str]) -> list[re.Pattern]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error:
            continue  # Reported as an `invalid_exclude` trap.
    return compiled


class RestorePlan(param.Parameterized):
    """Choices for restoring a graph's variables from a checkpoint and fine-tuning it.

    Every variable in `GLOBAL_VARIABLES` is a candidate, as for
    `slim.get_variables_to_restore()`. Restore and train default to yes at the root (`""`);
    a choice set on a scope holds below it until a descendant sets its own.

    Example:
      >>> import slimlib as slim
      >>> def model(x):
      ...     return slim.fully_connected(slim.fully_connected(x, 3, scope="fc1"), 2, scope="fc2")
      >>> plan = RestorePlan.from_model(model, [1, 4])
      >>> plan.toggle_restore("fc2")
      >>> plan.toggle_train("fc1")
      >>> sorted(plan.variables_to_restore), [v.op.name for v in plan.variables_to_train]
      (['fc1/biases', 'fc1/weights'], ['fc2/weights', 'fc2/biases'])
    """

    graph = param.ClassSelector(
        class_=tf.Graph,
        default=None,
        allow_None=True,
        doc="Built graph whose global variables are restored; None: an empty plan.",
    )
    checkpoint = param.String(
        default=None,
        allow_None=True,
        doc="Checkpoint prefix, or a directory whose latest checkpoint is used; None or '': "
        "no comparison (statuses None).",
    )
    restore_choices = param.Dict(
        default={},
        doc="`{scope: bool}` restore choices; a scope's choice holds below it until a "
        "descendant sets its own. `''` is the root (default True).",
    )
    train_choices = param.Dict(
        default={},
        doc="`{scope: bool}` train (True) or freeze (False) choices, inherited like "
        "`restore_choices`. `''` is the root (default True).",
    )
    multipliers = param.Dict(
        default={},
        doc="`{scope: factor}` learning-rate multipliers (> 0), inherited like the other "
        "choices; a trained variable under no chosen scope keeps factor 1. They become "
        "`gradient_multipliers` of `slim.learning.create_train_op`.",
    )
    update_frozen_batch_norm = param.Boolean(
        default=True,
        doc="Keep the moving statistics of batch norms in frozen scopes updating (TF-Slim's "
        "behaviour: every op in UPDATE_OPS runs); False leaves their update ops out.",
    )
    rules = param.List(
        default=[],
        item_type=NameRule,
        doc="Name-mapping rules from graph names to checkpoint names, applied in order.",
    )
    exclude = param.List(
        default=[],
        item_type=str,
        doc="Extra TF-Slim exclude scopes, matched as `get_variables_to_restore` does (a "
        "regular expression at the start of `var.name`).",
    )
    ignore_missing_vars = param.Boolean(
        default=False,
        doc="Let `assign_from_checkpoint_fn` skip restored variables the checkpoint lacks.",
    )

    tree = param.ClassSelector(
        class_=ScopeTree,
        default=None,
        allow_None=True,
        constant=True,
        doc="Scope tree of the graph's global variable names.",
    )
    checkpoint_path = param.String(
        default="",
        constant=True,
        doc="The checkpoint prefix read (a directory resolved to its latest checkpoint).",
    )
    matches = param.List(
        default=[],
        item_type=VariableMatch,
        constant=True,
        doc="Every global variable against the checkpoint: matched / shape mismatch / missing.",
    )
    unused = param.List(
        default=[],
        item_type=UnusedEntry,
        constant=True,
        doc="Checkpoint entries no variable maps to (global_step and optimizer state marked).",
    )
    variables_to_restore = param.Dict(
        default={},
        constant=True,
        doc="`{checkpoint name: variable}` to pass to `slim.assign_from_checkpoint_fn`.",
    )
    variables_to_train = param.List(
        default=[],
        constant=True,
        doc="Trainable variables not frozen, for `create_train_op(variables_to_train=...)`.",
    )
    gradient_multipliers = param.Dict(
        default={},
        constant=True,
        doc="`{variable name: factor}` for the trained variables under a multiplied scope.",
    )
    trainable_parameters = param.Integer(
        default=0,
        constant=True,
        doc="Number of values in `variables_to_train`: what the fine-tuning job updates.",
    )
    total_parameters = param.Integer(
        default=0, constant=True, doc="Number of values in every trainable variable."
    )
    frozen_batch_norms = param.List(
        default=[],
        constant=True,
        doc="Scopes of the batch norms in frozen scopes whose statistics stay the "
        "checkpoint's (empty while `update_frozen_batch_norm` is True).",
    )
    refused_freezes = param.List(
        default=[],
        item_type=RefusedFreeze,
        constant=True,
        doc="Nets (ResNet v2) of which `frozen_batch_norms` hold some own batch norms but not "
        "all: a job refuses them (`freeze_own_batch_norms` settles them).",
    )
    update_ops = param.List(
        default=[],
        constant=True,
        doc="Members of UPDATE_OPS the train op should run (frozen batch norms' left out "
        "when `update_frozen_batch_norm` is False).",
    )
    batch_norms = param.List(
        default=[],
        item_type=BatchNormUpdates,
        constant=True,
        doc="Every batch norm of the graph with what updates its moving statistics.",
    )
    traps = param.List(
        default=[], item_type=Trap, constant=True, doc="Warnings for the current choices."
    )
    code = param.String(
        default="", constant=True, doc="slimlib code doing what the plan says ('' without graph)."
    )
    error = param.String(
        default="", constant=True, doc="Why the checkpoint could not be read; '' if it was."
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._analysed: tf.Graph | None = None  # The graph `tree` and `batch_norms` describe.
        self._refresh()

    @classmethod
    def from_model(
        cls,
        model_fn: ModelFn,
        input_shape: Sequence[int | None],
        *,
        checkpoint: str | None = None,
        **params: Any,
    ) -> RestorePlan:
        """A plan for `model_fn` built on a float32 input of `input_shape` in its own graph.

        Raises:
          TypeError, ValueError: As `build_traced`.
        """
        built = build_traced(model_fn, input_shape)
        return cls(graph=built.graph, checkpoint=checkpoint, **params)

    # -- Choices -------------------------------------------------------------------------

    def _check_scope(self, fn: str, scope: object) -> str:
        if self.tree is None:
            raise ValueError(f"{fn}: `graph` must be a built tf.Graph to choose scopes, got None.")
        return self.tree.node(scope, fn=fn).path  # type: ignore[arg-type]

    @staticmethod
    def _check_value(fn: str, value: object) -> None:
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{fn}: `value` must be True, False or None (inherit), got {value!r}.")

    def set_restore(self, scope: str, value: bool | None) -> None:
        """Restores everything under `scope` (True) or nothing (False); None inherits.

        Raises:
          TypeError: If `scope` is not a str or `value` not a bool or None.
          ValueError: If `scope` is not a scope or variable of the graph (with a hint).
        """
        fn = "RestorePlan.set_restore"
        self._check_value(fn, value)
        path = self._check_scope(fn, scope)
        self.restore_choices = self._with(self.restore_choices, path, value)

    def set_train(self, scope: str, value: bool | None) -> None:
        """Trains everything under `scope` (True) or freezes it (False); None inherits.

        Raises:
          TypeError: If `scope` is not a str or `value` not a bool or None.
          ValueError: If `scope` is not a scope or variable of the graph (with a hint).
        """
        fn = "RestorePlan.set_train"
        self._check_value(fn, value)
        path = self._check_scope(fn, scope)
        self.train_choices = self._with(self.train_choices, path, value)

    def toggle_restore(self, scope: str) -> None:
        """Flips whether `scope` is restored (its children follow unless they chose)."""
        path = self._check_scope("RestorePlan.toggle_restore", scope)
        self.set_restore(path, not self.restore_of(path))

    def toggle_train(self, scope: str) -> None:
        """Flips whether `scope` is trained or frozen (its children follow unless they chose)."""
        path = self._check_scope("RestorePlan.toggle_train", scope)
        self.set_train(path, not self.train_of(path))

    def set_multiplier(self, scope: str, value: float | None) -> None:
        """Multiplies the learning rate of the trained variables under `scope` by `value`
        (a descendant's own factor wins); None inherits.

        Raises:
          TypeError: If `value` is not a number or None.
          ValueError: If `value` is not > 0, or `scope` is not a scope of the graph.
        """
        fn = "RestorePlan.set_multiplier"
        path = self._check_scope(fn, scope)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(
                    f"{fn}: `value` must be a number > 0 or None (inherit), got {value!r}."
                )
            if not (math.isfinite(value) and value > 0):
                raise ValueError(
                    f"{fn}: `value` must be a number > 0 (freeze a scope to stop its "
                    f"training), got {value!r}."
                )
            value = float(value)
        new = dict(self.multipliers)
        if value is None:
            new.pop(path, None)
        else:
            new[path] = value
        self.multipliers = new

    def multiplier_of(self, scope: str) -> float:
        """The learning-rate factor at `scope`: its own, else its nearest ancestor's, else 1."""
        path = self._check_scope("RestorePlan.multiplier_of", scope)
        return _nearest(self.multipliers, self.tree.ancestors(path), 1.0)

    def scopes_matching(self, pattern: str) -> list[str]:
        """Scope and variable paths that the regular expression `pattern` matches whole
        (`re.fullmatch`), e.g. `InceptionV3/Mixed_6.*`, parents first.

        Raises:
          TypeError: If `pattern` is not a str.
          ValueError: If `pattern` is not a regular expression, or matches nothing.
        """
        if self.tree is None:
            raise ValueError("RestorePlan.scopes_matching: build a model first, got no graph.")
        return matching_scopes(self.tree, pattern)

    def apply_pattern(
        self,
        pattern: str,
        *,
        restore: bool | None = None,
        train: bool | None = None,
        multiplier: float | None = None,
    ) -> list[str]:
        """Sets the given choices on the scopes `scopes_matching(pattern)` finds; a match
        inside another match follows it (its own choices of that kind are cleared), so that
        `Mixed_6.*` sets each `Mixed_6x` block as a whole. Arguments left None are not changed.

        Returns:
          The scopes set: the matches that are not inside another match.

        Raises:
          TypeError, ValueError: As `scopes_matching`, `set_restore`, `set_train` and
            `set_multiplier`; nothing is changed then.
        """
        fn = "RestorePlan.apply_pattern"
        if restore is None and train is None and multiplier is None:
            raise ValueError(
                f"{fn}: give at least one of `restore`, `train` or `multiplier`, got none."
            )
        self._check_value(fn, restore)
        self._check_value(fn, train)
        matched = self.scopes_matching(pattern)
        if multiplier is not None:
            self.set_multiplier(matched[0], multiplier)  # Checks the value before any change.
        tops = [p for p in matched if not any(p.startswith(q + "/") for q in matched if q != p)]
        updates = {}
        for name, value in (
            ("restore_choices", restore),
            ("train_choices", train),
            ("multipliers", None if multiplier is None else float(multiplier)),
        ):
            if value is None:
                continue
            choices = {
                path: chosen
                for path, chosen in getattr(self, name).items()
                if not any(path.startswith(top + "/") for top in tops)
            }
            choices.update(dict.fromkeys(tops, value))
            updates[name] = choices
        self.param.update(**updates)
        return tops

    def restore_of(self, scope: str) -> bool:
        """Whether `scope` is restored: its own choice, else its nearest ancestor's."""
        path = self._check_scope("RestorePlan.restore_of", scope)
        return self.tree.effective(self.restore_choices, path)

    def train_of(self, scope: str) -> bool:
        """Whether `scope` is trained: its own choice, else its nearest ancestor's."""
        path = self._check_scope("RestorePlan.train_of", scope)
        return self.tree.effective(self.train_choices, path)

    def reset_choices(self) -> None:
        """Restore and train everything again."""
        self.param.update(restore_choices={}, train_choices={}, multipliers={})

    def restore_only_matched(self) -> None:
        """Sets restore off for every variable that is not `matched` in the checkpoint.

        Raises:
          ValueError: If the plan has no readable checkpoint.
        """
        if not self.checkpoint_path:
            raise ValueError(
                "RestorePlan.restore_only_matched: `checkpoint` must name a readable "
                f"checkpoint, got {self.checkpoint!r}." + (f" {self.error}" if self.error else "")
            )
        choices = dict(self.restore_choices)
        for m in self.matches:
            if m.status != "matched":
                choices[m.name] = False
        self.restore_choices = choices

    def freeze_own_batch_norms(self, freeze: bool) -> list[str]:
        """Settles every refused freeze (`refused_freezes`): freezes all of a net's own batch
        norms (True) or trains those of them that were frozen (False), in one change of
        `train_choices`.

        Returns:
          The batch-norm scopes whose choice changed (empty when nothing was refused).
        """
        changed = [
            scope
            for refused in self.refused_freezes
            for scope in (refused.unfrozen if freeze else refused.frozen)
        ]
        if changed:
            choices = dict(self.train_choices)
            choices.update(dict.fromkeys(changed, not freeze))
            self.train_choices = choices
        return changed

    @staticmethod
    def _with(choices: Mapping[str, bool], path: str, value: bool | None) -> dict[str, bool]:
        new = dict(choices)
        if value is None:
            new.pop(path, None)
        else:
            new[path] = value
        return new

    # -- Derived state -------------------------------------------------------------------

    @param.depends(
        "graph",
        "checkpoint",
        "restore_choices",
        "train_choices",
        "multipliers",
        "update_frozen_batch_norm",
        "rules",
        "exclude",
        "ignore_missing_vars",
        watch=True,
    )
    def _refresh(self) -> None:
        graph = self.graph
        if graph is None:
            self._analysed = None
            with param.edit_constant(self):
                self.param.update(
                    tree=None,
                    checkpoint_path="",
                    matches=[],
                    unused=[],
                    variables_to_restore={},
                    variables_to_train=[],
                    update_ops=[],
                    gradient_multipliers={},
                    trainable_parameters=0,
                    total_parameters=0,
                    frozen_batch_norms=[],
                    refused_freezes=[],
                    batch_norms=[],
                    traps=[],
                    code="",
                    error="",
                )
            return
        if graph is not self._analysed:
            self._analysed = graph
            tree = ScopeTree(v.op.name for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES))
            # Choices for scopes the new graph lacks are dropped; the others carry over.
            restore = {k: v for k, v in self.restore_choices.items() if k in tree}
            train = {k: v for k, v in self.train_choices.items() if k in tree}
            factors = {k: v for k, v in self.multipliers.items() if k in tree}
            with param.edit_constant(self):
                self.param.update(tree=tree, batch_norms=list(batch_norm_updates(graph)))
            if (restore, train, factors) != (
                self.restore_choices,
                self.train_choices,
                self.multipliers,
            ):
                self.param.update(restore_choices=restore, train_choices=train, multipliers=factors)
                return  # That update refreshed everything already.
        checkpoint, error = self._read_checkpoint()
        self._derive(graph, checkpoint, error)

    def _read_checkpoint(self) -> tuple[Checkpoint | None, str]:
        # Read on every refresh (only the index, not the values): a directory's latest
        # checkpoint, or the file at a prefix, may have changed since the last one.
        if not self.checkpoint:
            return None, ""
        try:
            return read_checkpoint(self.checkpoint, fn="RestorePlan"), ""
        except (TypeError, ValueError) as err:
            return None, str(err)

    def _derive(self, graph: tf.Graph, checkpoint: Checkpoint | None, error: str) -> None:
        tree: ScopeTree = self.tree
        variables = graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
        trainable = graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        matches, unused = compare_with_checkpoint(
            variables,
            checkpoint,
            self.rules,
            model_variables=graph.get_collection(GraphKeys.MODEL_VARIABLES),
            trainable_variables=trainable,
        )
        excluded = _compile(self.exclude)
        restored_vars, restored = [], []
        for var, match in zip(variables, matches):
            chosen = tree.effective(self.restore_choices, match.name)
            if chosen and not any(p.match(var.name) for p in excluded):
                restored_vars.append(var)
                restored.append(match)
        to_train = [v for v in trainable if tree.effective(self.train_choices, v.op.name)]

        frozen = [u for u in self.batch_norms if not tree.effective(self.train_choices, u.scope)]
        dropped = [] if self.update_frozen_batch_norm else [n for u in frozen for n in u.update_ops]
        # In-place updates have no update op to leave out: the job builds those batch
        # norms in inference mode instead.
        kept = [] if self.update_frozen_batch_norm else [u.scope for u in frozen if u.updating]
        refused = refused_freezes(own_batch_norms(u.scope for u in self.batch_norms), kept)
        update_ops = [
            item
            for item in graph.get_collection(GraphKeys.UPDATE_OPS)
            if getattr(item, "op", item).name not in dropped
        ]

        traps = exclude_traps(self.exclude, [v.name for v in variables])
        traps += rule_traps(self.rules, [m.name for m in matches])
        traps += restore_set_traps(restored, unused, ignore_missing_vars=self.ignore_missing_vars)
        traps += batch_norm_traps(frozen, update_frozen_batch_norm=self.update_frozen_batch_norm)
        traps += refused_freeze_traps(refused)

        factors = {}
        for var in to_train:
            factor = _nearest(self.multipliers, tree.ancestors(var.op.name), None)
            if factor is not None:
                factors[var.op.name] = factor
        code = self._code(
            checkpoint.path if checkpoint is not None else None,
            dropped,
            restore_any=bool(restored),
            train_op=False,
        )
        with param.edit_constant(self):
            self.param.update(
                checkpoint_path=checkpoint.path if checkpoint is not None else "",
                matches=list(matches),
                unused=list(unused),
                variables_to_restore={
                    m.checkpoint_name: v for m, v in zip(restored, restored_vars)
                },
                variables_to_train=to_train,
                gradient_multipliers=factors,
                trainable_parameters=sum(_size(v) for v in to_train),
                total_parameters=sum(_size(v) for v in trainable),
                frozen_batch_norms=kept,
                refused_freezes=refused,
                update_ops=update_ops,
                traps=traps,
                code=code,
                error=error,
            )

    def generate_code(self, *, train_op: bool = False) -> str:
        """The plan as slimlib code; with `train_op`, it also creates the train op from a
        `total_loss` and an `optimizer` it expects to exist. `code` holds the default."""
        if self.graph is None:
            return ""
        tree: ScopeTree = self.tree
        frozen = [u for u in self.batch_norms if not tree.effective(self.train_choices, u.scope)]
        dropped = [] if self.update_frozen_batch_norm else [n for u in frozen for n in u.update_ops]
        return self._code(
            self.checkpoint_path or None,
            dropped,
            restore_any=bool(self.variables_to_restore),
            train_op=train_op,
        )

    def _code(
        self, checkpoint_path: str | None, dropped: list[str], *, restore_any: bool, train_op: bool
    ) -> str:
        tree: ScopeTree = self.tree

        def patterns(choices: Mapping[str, bool]) -> list:
            return [
                (None if root is None else tree.pattern(root), [tree.pattern(p) for p in excl])
                for root, excl in tree.regions(choices)
            ]

        return generate_code(
            checkpoint_path=checkpoint_path,
            # Nothing left to restore (`exclude` caught all): no call that would raise.
            restore_regions=patterns(self.restore_choices) if restore_any else [],
            train_regions=patterns(self.train_choices),
            exclude=self.exclude,
            rules=self.rules,
            ignore_missing_vars=self.ignore_missing_vars,
            frozen_update_ops=dropped,
            multipliers=self.multipliers,
            train_op=train_op,
        )

    # -- Tables for views ----------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """One row per variable: `Variable`, `Checkpoint name`, `Shape`, `Checkpoint shape`,
        `Status`, `Kind`, `Restore`, `Train` (None for a non-trainable variable)."""
        restored = {id(v) for v in self.variables_to_restore.values()}
        trained = {id(v) for v in self.variables_to_train}
        variables = self.graph.get_collection(GraphKeys.GLOBAL_VARIABLES) if self.graph else []
        return [
            {
                "Variable": m.name,
                "Checkpoint name": m.checkpoint_name,
                "Shape": format_shape(m.shape),
                "Checkpoint shape": format_shape(m.checkpoint_shape),
                "Status": m.status or "",
                "Kind": m.kind,
                "Restore": id(var) in restored,
                "Train": (id(var) in trained) if m.trainable else None,
            }
            for var, m in zip(variables, self.matches)
        ]

    def scope_records(self) -> list[dict[str, Any]]:
        """The scope tree, one row per node (root left out), parents first: `Scope`
        (indented last component), `Path`, `Depth`, `Variables`, `Restore`, `Train`
        (effective), `LR x` (effective learning-rate factor), `Restore chosen`, `Train chosen` (True/False set here, None inherited)
        and `Statuses` (`"2 matched, 1 missing"`)."""
        if self.tree is None:
            return []
        status = {m.name: m.status for m in self.matches}
        rows = []
        for node, depth in self.tree.walk():
            if not node.path:
                continue
            counts: dict[str, int] = {}
            for name in node.variables:
                if status.get(name):
                    counts[status[name]] = counts.get(status[name], 0) + 1
            rows.append(
                {
                    "Scope": "\u2003" * (depth - 1) + node.name,
                    "Path": node.path,
                    "Depth": depth,
                    "Variables": len(node.variables),
                    "Restore": self.tree.effective(self.restore_choices, node.path),
                    "Train": self.tree.effective(self.train_choices, node.path),
                    "LR x": _nearest(self.multipliers, self.tree.ancestors(node.path), 1.0),
                    "Restore chosen": self.restore_choices.get(node.path),
                    "Train chosen": self.train_choices.get(node.path),
                    "Statuses": ", ".join(f"{n} {s}" for s, n in counts.items()),
                }
            )
        return rows

    def unused_records(self) -> list[dict[str, Any]]:
        """Unused checkpoint entries: `Entry`, `Shape`, `Dtype`, `Kind`, `Expected`."""
        return [
            {
                "Entry": e.name,
                "Shape": format_shape(e.shape),
                "Dtype": e.dtype,
                "Kind": e.kind,
                "Expected": e.expected,
            }
            for e in self.unused
        ]
