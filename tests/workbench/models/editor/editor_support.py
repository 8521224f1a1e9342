"""A small design whose every block is easy to find by hand, and helpers to read it back.

Imported by the editor tests as `editor_support` (conftest.py holds the fixtures)."""

from __future__ import annotations

from workbench.models.editor import iter_blocks


def layer(op: str, scope: str | None = None, **args) -> dict:
    """A layer block; `scope` doubles as the label `outline` shows."""
    block = {"kind": "layer", "op": op, "args": args}
    if scope is not None:
        block["scope"] = scope
    return block


def sample_design() -> dict:
    """Six top-level blocks, one of each container kind (paths in the comments)."""
    return {
        "format": "slim-workbench-design",
        "version": 1,
        "name": "tiny",
        "input": {"shape": [8, 8, 1], "dtype": "float32"},
        "blocks": [
            layer("conv2d", "conv1", num_outputs=4, kernel_size=[3, 3]),  # blocks[0]
            {  # blocks[1]
                "kind": "arg_scope",
                "ops": ["conv2d"],
                "defaults": {"padding": "SAME"},
                "blocks": [layer("conv2d", "conv2", num_outputs=8, kernel_size=[3, 3])],
            },
            {  # blocks[2]; its layer is blocks[2].block
                "kind": "repeat",
                "count": 2,
                "block": layer("conv2d", num_outputs=8, kernel_size=[1, 1]),
                "scope": "conv3",
            },
            {  # blocks[3]; blocks[3].branches[0][0] is "left", branch 1 is empty
                "kind": "branches",
                "branches": [[layer("max_pool2d", "left", kernel_size=[2, 2])], []],
                "axis": 3,
                "scope": "mixed",
            },
            {  # blocks[4]; blocks[4].blocks[0] is "res_a", the shortcut is empty
                "kind": "residual",
                "blocks": [layer("conv2d", "res_a", num_outputs=8, kernel_size=[1, 1])],
                "shortcut": [],
                "scope": "res",
            },
            layer("flatten", "flat"),  # blocks[5]
        ],
    }


def outline(design: dict) -> list[str]:
    """`path=label` for every block, label = scope, else op, else kind."""
    return [
        f"{path}={block.get('scope') or block.get('op') or block['kind']}"
        for path, block in iter_blocks(design)
    ]


#: `outline(sample_design())`.
SAMPLE_OUTLINE = [
    "blocks[0]=conv1",
    "blocks[1]=arg_scope",
    "blocks[1].blocks[0]=conv2",
    "blocks[2]=conv3",
    "blocks[2].block=conv2d",
    "blocks[3]=mixed",
    "blocks[3].branches[0][0]=left",
    "blocks[4]=res",
    "blocks[4].blocks[0]=res_a",
    "blocks[5]=flat",
]
