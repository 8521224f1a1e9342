"""Name-mapping rules: which checkpoint entry each graph variable is restored from.

When a checkpoint was saved under other names (`vgg16/conv1/weights` for a graph's
`conv1/weights`), TF-Slim restores it with a dict `{checkpoint name: variable}` built by a
`name_in_checkpoint(var)` function. Here that function is data: a list of rules, each adding,
stripping or replacing a prefix, applied in order to `var.op.name`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from workbench.problems import did_you_mean

#: What a rule does to a name that starts with `prefix` (`add_prefix`: to every name).
RULE_KINDS: tuple[str, ...] = ("add_prefix", "strip_prefix", "replace_prefix")


@dataclasses.dataclass(frozen=True)
class NameRule:
    """One step from a graph variable's name to its checkpoint name.

    Attributes:
      kind: `"add_prefix"` (`prefix + name`), `"strip_prefix"` (drop `prefix` from a name
        starting with it) or `"replace_prefix"` (`replacement` instead of `prefix`).
      prefix: The prefix added, stripped or replaced; non-empty.
      replacement: The new prefix of a `replace_prefix` rule (may be `""`).

    Raises:
      TypeError: If `prefix` or `replacement` is not a str.
      ValueError: If `kind` is unknown, `prefix` is empty, or `replacement` is set on a rule
        that is not `replace_prefix`.

    Example:
      >>> NameRule("add_prefix", "vgg16/").apply("conv1/weights")
      'vgg16/conv1/weights'
      >>> NameRule("replace_prefix", "net/", "vgg_16/").apply("net/fc6/biases")
      'vgg_16/fc6/biases'
    """

    kind: str
    prefix: str
    replacement: str = ""

    def __post_init__(self) -> None:
        fn = "NameRule"
        if self.kind not in RULE_KINDS:
            raise ValueError(
                f"{fn}: `kind` must be one of {list(RULE_KINDS)}, got {self.kind!r}."
                + did_you_mean(str(self.kind), RULE_KINDS)
            )
        for name in ("prefix", "replacement"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"{fn}: `{name}` must be a str, got {value!r}.")
        if not self.prefix:
            raise ValueError(f"{fn}: `prefix` must be a non-empty str, got {self.prefix!r}.")
        if self.replacement and self.kind != "replace_prefix":
            raise ValueError(
                f"{fn}: `replacement` must be '' for a {self.kind} rule, got "
                f"{self.replacement!r}; use kind='replace_prefix'."
            )

    def applies_to(self, name: str) -> bool:
        """Whether the rule changes `name`."""
        return self.kind == "add_prefix" or name.startswith(self.prefix)

    def apply(self, name: str) -> str:
        """`name` after this rule."""
        if self.kind == "add_prefix":
            return self.prefix + name
        if not name.startswith(self.prefix):
            return name
        rest = name[len(self.prefix) :]
        return (self.replacement if self.kind == "replace_prefix" else "") + rest

    def describe(self) -> str:
        """One line for a list of rules, e.g. `replace prefix 'net/' with 'vgg_16/'`."""
        if self.kind == "add_prefix":
            return f"add prefix {self.prefix!r}"
        if self.kind == "strip_prefix":
            return f"strip prefix {self.prefix!r}"
        return f"replace prefix {self.prefix!r} with {self.replacement!r}"

    def code(self, indent: str = "    ") -> list[str]:
        """Python lines applying the rule to a local `name` (string literals via `repr`)."""
        prefix = repr(self.prefix)
        if self.kind == "add_prefix":
            return [f"{indent}name = {prefix} + name  # {self.describe()}"]
        new = "" if self.kind == "strip_prefix" else f"{self.replacement!r} + "
        return [
            f"{indent}if name.startswith({prefix}):  # {self.describe()}",
            f"{indent}    name = {new}name[len({prefix}) :]",
        ]


def apply_rules(name: str, rules: Sequence[NameRule]) -> str:
    """`name` after every rule, in order.

    Example:
      >>> apply_rules("model/conv1/w", [NameRule("strip_prefix", "model/"),
      ...                               NameRule("add_prefix", "vgg16/")])
      'vgg16/conv1/w'
    """
    for rule in rules:
        name = rule.apply(name)
    return name


def check_rules(fn: str, rules: object) -> list[NameRule]:
    """`rules` as a list when it is a list or tuple of `NameRule`.

    Raises:
      TypeError: Otherwise.
    """
    if not isinstance(rules, (list, tuple)) or not all(isinstance(r, NameRule) for r in rules):
        raise TypeError(f"{fn}: `rules` must be a list of NameRule, got {rules!r}.")
    return list(rules)


def rules_code(rules: Sequence[NameRule]) -> list[str]:
    """Python lines defining `name_in_checkpoint(var)` that applies `rules`."""
    lines = [
        "def name_in_checkpoint(var):",
        '    """The checkpoint entry `var` is restored from."""',
        "    name = var.op.name",
    ]
    for rule in rules:
        lines += rule.code()
    return lines + ["    return name"]
