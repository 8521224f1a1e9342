"""TF-Slim's `layers.rev_block_lib`: `rev_block`, `RevBlock` and `recompute_grad`."""

from slimlib._src.layers.rev_block import RevBlock as RevBlock
from slimlib._src.layers.rev_block import recompute_grad as recompute_grad
from slimlib._src.layers.rev_block import rev_block as rev_block

__all__ = ["RevBlock", "recompute_grad", "rev_block"]
