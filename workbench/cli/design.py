"""The design subcommands of `slim-workbench`: templates, validation, code, summary, diagram
and restore plan.

Each one is a thin wrapper over `workbench.models.design`, `workbench.models.inspect` and
`workbench.models.restore_plan`. A DESIGN argument is a design JSON file, or `-` for stdin,
so `slim-workbench template lenet | slim-workbench validate -` works. Paths are relative to
the current directory, as for any command-line tool. Bad input (a missing file, text that is
not JSON, a design with problems, an unreadable checkpoint) raises `InvalidInputError`, which
`workbench.cli.entry.main` turns into exit status 2 with every problem on stderr.

TensorFlow is imported by the commands, not by this module, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.cli.design_input import (
    build,
    positive_int,
    problems_error,
    read_design,
    shape_list,
    source_name,
    write_text,
)
from workbench.cli.errors import InvalidInputError
from workbench.cli.tables import format_table
from workbench.problems import did_you_mean

#: Suffixes `diagram -o` accepts: Graphviz source as is, or rendered to SVG by `dot`.
DIAGRAM_SUFFIXES = (".svg", ".dot")


# -- commands ------------------------------------------------------------------------------


def cmd_templates(args: argparse.Namespace) -> int:
    """Lists the templates, one per line: name, then its description."""
    from workbench.models.design import templates

    items = templates()
    width = max(len(name) for name in items)
    for name, description in items.items():
        print(f"{name.ljust(width)}  {description}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Prints the design JSON of one template."""
    from workbench.models.design import dumps, template, templates

    names = list(templates())
    if args.name not in names:
        hint = did_you_mean(args.name, names)
        raise InvalidInputError(
            f"unknown template {args.name!r}; choose one of {', '.join(names)}.{hint}"
        )
    design = template(args.name, num_classes=args.num_classes, input_shape=args.input_shape)
    from workbench.models.design import validate

    problems = validate(design)
    if problems:  # Options out of range (a huge --num-classes) give a design no one can use.
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise InvalidInputError(
            f"template {args.name!r} with these options is not a valid design:\n{lines}"
        )
    sys.stdout.write(dumps(design))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Prints `valid: N blocks, output shape [...], P parameters`, or refuses the design."""
    from workbench.models.design import analyze
    from workbench.models.inspect import format_shape

    design = read_design(args.design, check=False)
    analysis = analyze(design)
    if analysis.problems:
        raise problems_error(source_name(args.design), analysis.problems)
    count = len(analysis.blocks)
    shape = (
        "unknown" if analysis.output_shape is None else format_shape((None, *analysis.output_shape))
    )
    print(
        f"valid: {count} block{'s' * (count != 1)}, output shape {shape}, "
        f"{analysis.total_params:,} parameters"
    )
    return 0


def cmd_codegen(args: argparse.Namespace) -> int:
    """Prints the design as slimlib code, or writes it to `-o FILE.py`."""
    from workbench.models.design import generate_code

    code = generate_code(read_design(args.design))
    if args.output:
        write_text(args.output, code, "codegen")
    else:
        sys.stdout.write(code)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Prints the layer table (scope, op, output shape, params, FLOPs), then the totals."""
    from workbench.models.inspect import format_shape, tabulate_layers

    table = tabulate_layers(build(read_design(args.design)).trace)
    rows = [
        ["  " * row.depth + (row.scope or "-"), row.op, format_shape(row.output_shape),
         row.params, row.flops]
        for row in table.rows
    ]  # fmt: skip
    print(
        format_table(
            ["scope", "op", "output shape", "params", "FLOPs"], rows, right=["params", "FLOPs"]
        )
    )
    totals = table.totals
    print()
    print(
        f"total: {totals['layers']} layers, {totals['params']:,} parameters "
        f"({totals['trainable_params']:,} trainable, "
        f"{totals['non_trainable_params']:,} non-trainable), {totals['flops']:,} FLOPs"
    )
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    """Writes the design's diagram as SVG (rendered by Graphviz) or as dot source."""
    suffix = Path(args.output).suffix.lower()
    if suffix not in DIAGRAM_SUFFIXES:
        raise InvalidInputError(
            f"`-o` must end in {' or '.join(DIAGRAM_SUFFIXES)}, got {args.output!r}."
        )
    from workbench.models.inspect import GraphvizNotFoundError, build_diagram, render_svg
    from workbench.models.inspect.render import (
        DiagramTimeoutError,
        DiagramTooBigError,
        check_node_count,
    )

    built = build(read_design(args.design))
    diagram = build_diagram(built.graph, built.trace, outputs={"logits": built.logits})
    dot = diagram.to_dot()
    if suffix == ".svg":
        try:
            check_node_count(len(diagram.nodes))
            text = render_svg(dot)
        except (GraphvizNotFoundError, DiagramTooBigError, DiagramTimeoutError) as err:
            raise InvalidInputError(f"{err} Or write the dot source with `-o FILE.dot`.") from None
    else:
        text = dot
    write_text(args.output, text, "diagram")
    return 0


def cmd_restore_plan(args: argparse.Namespace) -> int:
    """Prints which variables a checkpoint restores, its unused entries, traps and code."""
    from workbench.models.restore_plan import RestorePlan

    built = build(read_design(args.design))
    plan = RestorePlan(graph=built.graph, checkpoint=args.checkpoint)
    if plan.error:
        raise InvalidInputError(plan.error.removeprefix("RestorePlan: "))
    records = plan.records()
    unused = plan.unused_records()
    traps = [{"kind": t.kind, "message": t.message, "names": list(t.names)} for t in plan.traps]
    if args.json:
        report = {
            "checkpoint": plan.checkpoint_path,
            "variables": records,
            "unused": unused,
            "traps": traps,
            "code": plan.code,
        }
        print(json.dumps(report, indent=2))
        return 0
    print(f"checkpoint: {plan.checkpoint_path}")
    print()
    print(
        format_table(
            ["variable", "shape", "checkpoint shape", "status"],
            [[r["Variable"], r["Shape"], r["Checkpoint shape"], r["Status"]] for r in records],
        )
    )
    print()
    if unused:
        print(f"unused checkpoint entries ({len(unused)}):")
        print(
            format_table(
                ["entry", "shape", "kind"], [[u["Entry"], u["Shape"], u["Kind"]] for u in unused]
            )
        )
    else:
        print("unused checkpoint entries: none")
    print()
    if traps:
        print(f"traps ({len(traps)}):")
        for trap in traps:
            print(f"  - {trap['kind']}: {trap['message']}")
    else:
        print("traps: none")
    print()
    print("code:")
    sys.stdout.write(plan.code if plan.code.endswith("\n") else plan.code + "\n")
    return 0


# -- parser --------------------------------------------------------------------------------


def add_parsers(sub: Any) -> None:
    """Adds the design subcommands to `sub`, the subparsers of `workbench.cli.entry`'s parser."""
    design_help = "design JSON file, or - for stdin"

    templates = sub.add_parser("templates", help="list the design templates")
    templates.set_defaults(run=cmd_templates)

    template = sub.add_parser("template", help="print a template's design JSON")
    template.add_argument("name", help="template name (see `templates`)")
    template.add_argument(
        "--num-classes",
        type=positive_int,
        help="outputs of the last layer (default the template's)",
    )
    template.add_argument(
        "--input-shape",
        type=shape_list,
        metavar="H,W,C",
        help="input shape without the batch axis (default the template's)",
    )
    template.set_defaults(run=cmd_template)

    validate = sub.add_parser("validate", help="check a design and print its output shape")
    validate.add_argument("design", help=design_help)
    validate.set_defaults(run=cmd_validate)

    codegen = sub.add_parser("codegen", help="print a design as slimlib Python code")
    codegen.add_argument("design", help=design_help)
    codegen.add_argument("-o", "--output", metavar="FILE.py", help="write the code here")
    codegen.set_defaults(run=cmd_codegen)

    summary = sub.add_parser("summary", help="print a design's layer table and totals")
    summary.add_argument("design", help=design_help)
    summary.set_defaults(run=cmd_summary)

    diagram = sub.add_parser("diagram", help="draw a design as SVG or Graphviz dot")
    diagram.add_argument("design", help=design_help)
    diagram.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.svg",
        help="FILE.svg (rendered with Graphviz `dot`) or FILE.dot (the source)",
    )
    diagram.set_defaults(run=cmd_diagram)

    restore = sub.add_parser("restore-plan", help="compare a design's variables with a checkpoint")
    restore.add_argument("design", help=design_help)
    restore.add_argument(
        "--checkpoint", required=True, help="checkpoint prefix, or a folder with a checkpoint"
    )
    restore.add_argument("--json", action="store_true", help="print the plan as JSON")
    restore.set_defaults(run=cmd_restore_plan)
