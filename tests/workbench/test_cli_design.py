"""`slim-workbench`'s design subcommands on the `lenet` template, and bad input exiting 2."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys

import pytest
import tensorflow as tf

from workbench.cli import EXIT_INVALID, main
from workbench.models.design import analyze, build_graph, dumps, generate_code, loads, template

# LeNet's parameters, layer by layer: conv1 5*5*1*32 + 32 = 832, conv2 5*5*32*64 + 64 = 51,264,
# fc3 (7*7*64 = 3136)*1024 + 1024 = 3,212,288, fc4 1024*10 + 10 = 10,250; 3,274,634 in all.
LENET_PARAMS = "3,274,634"
# 9 blocks: the arg_scope and the 8 layers inside it.
LENET_VALID = f"valid: 9 blocks, output shape [?, 10], {LENET_PARAMS} parameters"

INVALID_DESIGN = {
    "format": "slim-workbench-design",
    "version": 1,
    "name": "broken",
    "input": {"shape": [8, 8, 3], "dtype": "float32"},
    "blocks": [
        {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 0, "kernel_size": 3}},
        {"kind": "layer", "op": "fully_conected"},
    ],
}


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Design files (lenet with 10 and with 5 classes, an invalid one, bad JSON) and a lenet
    checkpoint with a `global_step`, saved from the design's own graph."""
    folder = tmp_path_factory.mktemp("designs")
    paths = {
        "lenet": _write(folder / "lenet.json", dumps(template("lenet"))),
        "lenet5": _write(folder / "lenet5.json", dumps(template("lenet", num_classes=5))),
        "invalid": _write(folder / "invalid.json", json.dumps(INVALID_DESIGN)),
        "not_json": _write(folder / "not_json.json", "{'name': 'lenet'}"),
        "not_design": _write(folder / "not_design.json", json.dumps({"name": "lenet"})),
    }
    built = build_graph(template("lenet"))
    with built.graph.as_default():
        tf.compat.v1.train.get_or_create_global_step()
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            paths["checkpoint"] = saver.save(session, str(folder / "ckpt" / "model"))
    return paths


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_templates_lists_every_template_with_its_description(capsys):
    code, out, _ = _run(capsys, "templates")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "lenet",
        "cifarnet",
        "vgg_16",
        "resnet_small",
        "inception_block",
    ]
    assert "LeNet as TF-Slim's nets/lenet.py" in lines[0]
    # Descriptions start in one column.
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_template_prints_the_design_json(capsys):
    code, out, _ = _run(capsys, "template", "lenet")
    assert code == 0
    assert loads(out) == template("lenet")


def test_template_options_set_classes_and_input_shape(capsys):
    code, out, _ = _run(
        capsys, "template", "lenet", "--num-classes", "5", "--input-shape", "32,32,3"
    )
    assert code == 0
    design = loads(out)
    assert design["input"]["shape"] == [32, 32, 3]
    assert analyze(design).output_shape == (5,)


def test_template_options_that_make_an_invalid_design_exit_2(capsys):
    code, out, err = _run(capsys, "template", "lenet", "--num-classes", "99999999999999")
    assert code == EXIT_INVALID and out == ""
    assert "template 'lenet' with these options is not a valid design:" in err
    assert "num_outputs` must be an int below 2**31, got 99999999999999" in err


def test_template_output_validates_from_stdin(capsys, monkeypatch):
    _, text, _ = _run(capsys, "template", "lenet")
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = _run(capsys, "validate", "-")
    assert code == 0
    assert out.strip() == LENET_VALID


def test_template_piped_into_validate_in_a_subprocess(capsys):
    _, text, _ = _run(capsys, "template", "lenet")
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "validate", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == LENET_VALID


def test_validate_a_file_prints_blocks_shape_and_parameters(files, capsys):
    code, out, err = _run(capsys, "validate", files["lenet"])
    assert code == 0
    assert out.strip() == LENET_VALID


def test_validate_lists_every_problem_as_path_and_message(files, capsys):
    code, out, err = _run(capsys, "validate", files["invalid"])
    assert code == EXIT_INVALID and out == ""
    assert "is not a valid design; 2 problems:" in err
    assert "  - blocks[0].args.num_outputs: must be an int >= 1, got 0." in err
    assert "  - blocks[1].op: must be a layer op" in err
    assert "Did you mean 'fully_connected'?" in err


def test_codegen_prints_the_code_of_the_design(files, capsys):
    code, out, _ = _run(capsys, "codegen", files["lenet"])
    assert code == 0
    assert out == generate_code(template("lenet"))
    assert "def model(inputs, is_training=True):" in out
    compile(out, "lenet.py", "exec")


def test_codegen_writes_the_code_to_a_file(files, capsys, tmp_path):
    target = tmp_path / "lenet_model.py"
    code, out, err = _run(capsys, "codegen", files["lenet"], "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text() == generate_code(template("lenet"))
    assert f"codegen: wrote {target}" in err


def test_summary_prints_an_aligned_layer_table_and_totals(files, capsys):
    code, out, _ = _run(capsys, "summary", files["lenet"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["scope", "op", "output", "shape", "params", "FLOPs"]
    conv1 = lines[2]
    # conv1: 832 parameters; FLOPs 2*5*5*1*32 per output position * 28*28 positions
    # (1,254,400) + one bias add per output (28*28*32 = 25,088) = 1,279,488.
    assert conv1.split() == ["conv1", "convolution2d", "[?,", "28,", "28,", "32]", "832", "1,279,488"]  # fmt: skip
    # Numbers are right-aligned under their header.
    assert conv1.index("832") + len("832") == lines[0].index("params") + len("params")
    assert conv1.endswith("1,279,488") and len(conv1) == len(lines[0])
    scopes = [line.split()[0] for line in lines[2:10]]
    assert scopes == ["conv1", "pool1", "conv2", "pool2", "Flatten", "fc3", "dropout3", "fc4"]
    assert lines[-1].startswith(f"total: 8 layers, {LENET_PARAMS} parameters")
    assert "0 non-trainable" in lines[-1] and "FLOPs" in lines[-1]


def test_diagram_writes_dot_source(files, capsys, tmp_path):
    target = tmp_path / "lenet.dot"
    code, _, err = _run(capsys, "diagram", files["lenet"], "-o", str(target))
    assert code == 0 and f"diagram: wrote {target}" in err
    dot = target.read_text()
    assert dot.startswith("digraph model {")
    for scope in ("conv1", "pool2", "fc4", "logits"):
        assert scope in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_diagram_renders_svg(files, capsys, tmp_path):
    target = tmp_path / "lenet.svg"
    assert main(["diagram", files["lenet"], "-o", str(target)]) == 0
    svg = target.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "conv1" in svg


def test_diagram_without_graphviz_exits_2_suggesting_dot(files, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # No `dot` program in an empty folder.
    code, _, err = _run(capsys, "diagram", files["lenet"], "-o", str(tmp_path / "x.svg"))
    assert code == EXIT_INVALID
    assert "Install Graphviz" in err and "-o FILE.dot" in err
    assert not (tmp_path / "x.svg").exists()


def test_restore_plan_matches_every_variable_of_the_same_design(files, capsys):
    checkpoint_dir = files["checkpoint"].rsplit("/", 1)[0]  # A folder uses its latest.
    code, out, _ = _run(capsys, "restore-plan", files["lenet"], "--checkpoint", checkpoint_dir)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"checkpoint: {files['checkpoint']}"
    assert lines[2].split() == ["variable", "shape", "checkpoint", "shape", "status"]
    rows = [line.split() for line in lines[4:12]]
    assert [row[0] for row in rows] == [
        f"{scope}/{name}"
        for scope in ("conv1", "conv2", "fc3", "fc4")
        for name in ("weights", "biases")
    ]
    assert all(row[-1] == "matched" for row in rows)
    assert "unused checkpoint entries (1):" in out and "global_step  []" in out
    assert "traps: none" in out
    code_text = out.split("\ncode:\n", 1)[1]
    assert "slim.assign_from_checkpoint_fn(CHECKPOINT_PATH, variables_to_restore)" in code_text
    compile(code_text, "restore.py", "exec")


def test_restore_plan_json_reports_a_new_head_and_its_trap(files, capsys):
    code, out, _ = _run(
        capsys, "restore-plan", files["lenet5"], "--checkpoint", files["checkpoint"], "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["checkpoint"] == files["checkpoint"]
    status = {row["Variable"]: row["Status"] for row in report["variables"]}
    assert status["fc3/weights"] == "matched"
    assert status["fc4/weights"] == status["fc4/biases"] == "shape mismatch"
    fc4 = next(row for row in report["variables"] if row["Variable"] == "fc4/weights")
    assert (fc4["Shape"], fc4["Checkpoint shape"]) == ("[1024, 5]", "[1024, 10]")
    assert [e["Entry"] for e in report["unused"]] == ["global_step"]
    assert [t["kind"] for t in report["traps"]] == ["shape_mismatch_restored"]
    assert "fc4/weights" in report["traps"][0]["names"]
    assert "assign_from_checkpoint_fn" in report["code"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["template", "lenett"], "unknown template 'lenett'; choose one of lenet, "),
        (["template", "lenett"], "Did you mean 'lenet'?"),
        (["validate", "{missing}"], "no such file '{missing}'."),
        (["summary", "{not_json}"], "The design is not valid JSON: Expecting property name"),
        (["validate", "{not_design}"], "format: must be 'slim-workbench-design', got None."),
        (["codegen", "{invalid}"], "blocks[0].args.num_outputs: must be an int >= 1, got 0."),
        (["summary", "{invalid}"], "is not a valid design; 2 problems:"),
        (["diagram", "{lenet}", "-o", "{tmp}/lenet.png"], "`-o` must end in .svg or .dot"),
        (["diagram", "{invalid}", "-o", "{tmp}/x.dot"], "blocks[1].op: must be a layer op"),
        (["codegen", "{lenet}", "-o", "{tmp}/no/such/dir/m.py"], "cannot write"),
        (
            ["restore-plan", "{lenet}", "--checkpoint", "{tmp}/nothing"],
            "`checkpoint` must be an existing checkpoint prefix",
        ),
        (
            ["restore-plan", "{invalid}", "--checkpoint", "{checkpoint}"],
            "blocks[1].op: must be a layer op",
        ),
    ],
    ids=[
        "unknown-template",
        "template-did-you-mean",
        "missing-file",
        "bad-json",
        "not-a-design",
        "codegen-invalid",
        "summary-invalid",
        "diagram-suffix",
        "diagram-invalid",
        "codegen-unwritable",
        "missing-checkpoint",
        "restore-plan-invalid",
    ],
)
def test_bad_input_exits_2_with_its_message(files, capsys, tmp_path, argv, message):
    names = dict(files, missing=str(tmp_path / "missing.json"), tmp=str(tmp_path))
    argv = [arg.format(**names) for arg in argv]
    code, out, err = _run(capsys, *argv)
    assert code == EXIT_INVALID
    assert out == ""
    assert err.startswith(f"slim-workbench {argv[0]}: ")
    assert message.format(**names) in err


@pytest.mark.parametrize(
    "argv",
    [
        ["template", "lenet", "--num-classes", "0"],
        ["template", "lenet", "--input-shape", "28,x"],
        ["diagram", "design.json"],
        ["restore-plan", "design.json"],
    ],
    ids=["zero-classes", "bad-shape", "diagram-without-output", "restore-without-checkpoint"],
)
def test_bad_arguments_exit_2_from_argparse(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == EXIT_INVALID
    assert "error:" in capsys.readouterr().err


def test_diagram_beyond_the_node_limit_exits_2_suggesting_dot(files, capsys, tmp_path, monkeypatch):
    from workbench.models.inspect import render

    monkeypatch.setattr(render, "MAX_DRAWN_NODES", 3)
    code, _, err = _run(capsys, "diagram", files["lenet"], "-o", str(tmp_path / "x.svg"))
    assert code == EXIT_INVALID
    assert "must have at most 3 nodes to be drawn, got" in err and "-o FILE.dot" in err
    assert not (tmp_path / "x.svg").exists()


def test_an_output_file_that_cannot_be_written_whole_keeps_its_old_contents(
    files, capsys, tmp_path, monkeypatch
):
    target = tmp_path / "model.py"
    target.write_text("# the code saved before\n")
    target.chmod(0o644)

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    code, _, err = _run(capsys, "codegen", files["lenet"], "-o", str(target))
    assert code == EXIT_INVALID
    assert f"cannot write {str(target)!r}: No space left on device" in err
    assert target.read_text() == "# the code saved before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]  # No partial file.
    monkeypatch.undo()
    assert _run(capsys, "codegen", files["lenet"], "-o", str(target))[0] == 0
    assert "import slimlib as slim" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o644  # Replaced, keeping its permissions.
