"""Inspect counts a whole net dropped into a design once, as `slim-workbench summary` does."""

from __future__ import annotations

from workbench.models.design import build_graph, net_design, shapes
from workbench.models.editor import DesignEditor
from workbench.models.inspect import tabulate_layers
from workbench.models.session import WorkbenchSession

# slimlib's lenet on 28x28x1: conv1 5*5*1*32+32, conv2 5*5*32*64+64, fc3 3136*1024+1024,
# fc4 1024*10+10; 9 layer calls, as `slim-workbench summary` lists them.
LENET_PARAMS = 832 + 51264 + 3212288 + 10250
LENET_LAYERS = 9


def test_a_net_block_is_counted_once(tmp_path):
    design = net_design("lenet")
    # A cold cache: the design's analysis builds the net in a scratch graph while Inspect's
    # trace is open; that build must not be recorded.
    shapes._net_output.cache_clear()
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(design))
    session.inspect_design()
    totals = session.inspect.totals
    assert (totals["params"], totals["layers"]) == (LENET_PARAMS, LENET_LAYERS) == (3274634, 9)
    summary = tabulate_layers(build_graph(design).trace).totals
    assert (summary["params"], summary["layers"]) == (totals["params"], totals["layers"])
    assert all(row.input_shape[0] == 1 for row in session.inspect.table.rows)
