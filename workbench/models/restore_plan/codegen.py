"""Python source for a restore plan, in TF-Slim's own fine-tuning idiom.

The code selects the variables with `slim.get_variables_to_restore(include=..., exclude=...)`,
maps names with a `name_in_checkpoint(var)` function when there are rules, restores them with
`slim.assign_from_checkpoint_fn(...)`, and lists `variables_to_train` (and `update_ops` when
frozen batch norms must keep their statistics) for `slim.learning.create_train_op`. Every
string from the plan is written as a Python literal with `repr`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench.models.restore_plan.names import NameRule, rules_code

Region = tuple[str | None, Sequence[str]]

_WIDTH = 100  # ruff's line length in this project (pyproject.toml).

#: Placeholder written when the plan has no checkpoint yet.
CHECKPOINT_PLACEHOLDER = "/path/to/model.ckpt"


def _literal_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(repr(item) for item in items) + "]"


def _call(target: str, op: str, fn: str, args: Sequence[str]) -> list[str]:
    """`target op fn(args)` on one line, or one argument per line when it is too long."""
    line = f"{target} {op} {fn}({', '.join(args)})"
    if len(line) <= _WIDTH:
        return [line]
    return [f"{target} {op} {fn}("] + [f"    {arg}," for arg in args] + [")"]


def _set_lines(target: str, items: Sequence[str]) -> list[str]:
    line = f"{target} = {{{', '.join(repr(item) for item in items)}}}"
    if len(line) <= _WIDTH:
        return [line]
    return [f"{target} = {{"] + [f"    {item!r}," for item in items] + ["}"]


def _restore_lines(regions: Sequence[Region], exclude: Sequence[str]) -> list[str]:
    if not regions:
        return ["variables_to_restore = []  # Nothing is restored."]
    lines = []
    for i, (include, excludes) in enumerate(regions):
        args = []
        if include is not None:
            args.append(f"include={_literal_list([include])}")
        if list(excludes) + list(exclude):
            args.append(f"exclude={_literal_list(list(excludes) + list(exclude))}")
        lines += _call(
            "variables_to_restore", "=" if i == 0 else "+=", "slim.get_variables_to_restore", args
        )
    return lines


def _train_lines(regions: Sequence[Region]) -> list[str]:
    if not regions:
        return ["variables_to_train = []  # Every variable is frozen."]
    if list(regions) == [(None, [])]:
        return ["variables_to_train = slim.get_trainable_variables()"]
    lines = []
    for i, (include, excludes) in enumerate(regions):
        args = ["slim.get_trainable_variables()"]
        if include is not None:
            args.append(f"include_patterns={_literal_list([include])}")
        if excludes:
            args.append(f"exclude_patterns={_literal_list(excludes)}")
        args.append("reg_search=False")
        lines += _call("variables_to_train", "=" if i == 0 else "+=", "slim.filter_variables", args)
    return lines


def _multiplier_lines(multipliers: Mapping[str, float]) -> list[str]:
    """`gradient_multipliers` from `{scope: factor}`: the nearest (longest) scope wins."""
    pairs = [f"{scope!r}: {factor!r}" for scope, factor in sorted(multipliers.items())]
    line = "lr_multipliers = {" + ", ".join(pairs) + "}"
    head = (
        [line]
        if len(line) <= _WIDTH
        else ["lr_multipliers = {", *(f"    {p}," for p in pairs), "}"]
    )
    return [
        "# Learning-rate multipliers by scope; a variable takes its nearest scope's factor.",
        *head,
        "gradient_multipliers = {}",
        "for var in variables_to_train:",
        "    name = var.op.name",
        '    scopes = [s for s in lr_multipliers if name == s or name.startswith(s + "/")]',
        "    if scopes:",
        "        gradient_multipliers[var] = lr_multipliers[max(scopes, key=len)]",
    ]


def generate_code(
    *,
    checkpoint_path: str | None,
    restore_regions: Sequence[Region],
    train_regions: Sequence[Region],
    exclude: Sequence[str] = (),
    rules: Sequence[NameRule] = (),
    ignore_missing_vars: bool = False,
    frozen_update_ops: Sequence[str] = (),
    multipliers: Mapping[str, float] | None = None,
    train_op: bool = False,
) -> str:
    """The fine-tuning setup as Python source, to run after the model is built.

    Args:
      checkpoint_path: Checkpoint prefix; `None` writes `CHECKPOINT_PLACEHOLDER`.
      restore_regions: `(include pattern or None, exclude patterns)` per
        `get_variables_to_restore` call, as `ScopeTree.regions` and `ScopeTree.pattern` give.
      train_regions: The same for `variables_to_train` over the trainable variables.
      exclude: Extra TF-Slim exclude scopes, added to every restore call as written.
      rules: Name-mapping rules from graph names to checkpoint names.
      ignore_missing_vars: Passed to `assign_from_checkpoint_fn`.
      frozen_update_ops: Op names in `UPDATE_OPS` to leave out of `update_ops`.
      multipliers: `{scope: factor}` learning-rate multipliers; each trained variable gets
        the factor of its nearest listed scope, as `gradient_multipliers`.
      train_op: Also create `train_op` from `total_loss` and `optimizer` (which the code
        then expects to exist); otherwise that call is written as a comment.

    Returns:
      Source defining `variables_to_restore`, `init_fn` (None when nothing is restored),
      `variables_to_train`, `update_ops` (None: every update op runs), `gradient_multipliers`
      when there are multipliers, and `train_op`
      when asked for.
    """
    path = checkpoint_path if checkpoint_path is not None else CHECKPOINT_PLACEHOLDER
    lines = ["import tensorflow.compat.v1 as tf", ""] if frozen_update_ops else []
    lines += [
        "import slimlib as slim",
        "",
        f"CHECKPOINT_PATH = {path!r}"
        + ("  # Set to the checkpoint to restore." if checkpoint_path is None else ""),
        "",
        "# Variables to restore. TF-Slim matches each scope at the start of `var.name`:",
        "# 'scope/' is a whole scope, 'name:' exactly one variable.",
    ]
    lines += _restore_lines(restore_regions, exclude)
    if rules:
        lines += ["", ""] + rules_code(rules) + ["", ""]
        lines.append(
            "variables_to_restore = {name_in_checkpoint(var): var for var in variables_to_restore}"
        )
    if restore_regions:
        args = ["CHECKPOINT_PATH", "variables_to_restore"]
        if ignore_missing_vars:
            args.append("ignore_missing_vars=True")
        lines += _call("init_fn", "=", "slim.assign_from_checkpoint_fn", args)
    else:
        lines.append("init_fn = None")
    lines += ["", "# Variables to train; the others stay frozen."]
    lines += _train_lines(train_regions)
    if frozen_update_ops:
        lines += [
            "",
            "# Batch-norm moving statistics of frozen scopes stay fixed: their updates are left out.",
            "# (The job also builds them with is_training=False: a design's inside",
            "# `with slim.arg_scope([slim.batch_norm], is_training=False):` around their layers,",
            "# a slimlib.nets net's through a normalizer_fn of its convolutions that calls",
            "# `slim.batch_norm(inputs, is_training=False, **normalizer_params)`.)",
            *_set_lines("frozen_updates", frozen_update_ops),
            "update_ops = [",
            "    op",
            "    for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)",
            '    if getattr(op, "op", op).name not in frozen_updates',
            "]",
        ]
    else:
        lines += [
            "",
            "update_ops = None  # Every op in UPDATE_OPS runs (batch-norm moving averages).",
        ]
    args = [
        "total_loss",
        "optimizer",
        "variables_to_train=variables_to_train",
        "update_ops=update_ops",
    ]
    if multipliers:
        lines += ["", *_multiplier_lines(multipliers)]
        args.append("gradient_multipliers=gradient_multipliers")
    call = _call("train_op", "=", "slim.learning.create_train_op", args)
    if train_op:
        lines += ["", "# Expects `total_loss` and `optimizer` to be defined."] + call
    else:
        lines += ["", "# Then, with a `total_loss` and an `optimizer`:"]
        lines += ["# " + line for line in call]
        lines.append("# slim.learning.train(train_op, logdir, init_fn=init_fn)")
    return "\n".join(lines) + "\n"
