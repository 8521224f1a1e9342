"""The batch norms a `slimlib.nets` net calls itself, found by name, and the frozen sets of
them a job refuses, so that a refused freeze is known before Start.

ResNet v2 calls `slim.batch_norm` itself for the `preact` of every unit
(`NET/blockI/unit_J/bottleneck_v2/preact`) and for `postnorm` (`NET/postnorm`), with the
net's one `is_training` (see `frozen_norms.build_with_frozen_norms`, which refuses the same
sets when it builds the net). Freezing their statistics is honoured for all of them together
or for none. No other net of `slimlib.nets` calls a batch norm itself. The names are enough:
a plan's graph and a design's analysis have them, and a job's `model.net` gives them from
the net's units per block, with no build and no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "OwnBatchNorms",
    "RefusedFreeze",
    "in_scope",
    "net_own_batch_norms",
    "own_batch_norms",
    "refused_freezes",
]

NET_TITLE = "ResNet v2"
#: Units per block of `resnet_v2_DEPTH` (slimlib's table, written out so that checking a
#: job config imports no TensorFlow; a test holds them equal).
RESNET_V2_UNITS: dict[int, tuple[int, ...]] = {
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
    200: (3, 24, 36, 3),
}
_PREACT = re.compile(r"(?P<net>.+)/block\d+/unit_\d+/bottleneck_v2/preact")
_SHOWN = 3  # Scopes quoted in one message; the rest are counted.


@dataclasses.dataclass(frozen=True)
class OwnBatchNorms:
    """The batch norms one ResNet v2 calls itself.

    Attributes:
      net_scope: The net's variable scope, e.g. `"resnet_v2_50"`.
      scopes: Its own batch norms' scopes, units first, `postnorm` last.
    """

    net_scope: str
    scopes: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class RefusedFreeze:
    """Frozen batch norms that hold some of a net's own batch norms but not all.

    Attributes:
      own: The net and its own batch norms.
      frozen: Those of them frozen.
      unfrozen: Those of them not frozen.
    """

    own: OwnBatchNorms
    frozen: tuple[str, ...]
    unfrozen: tuple[str, ...]

    @property
    def message(self) -> str:
        """What is refused, why, and what is accepted, in one paragraph."""
        own = self.own
        return (
            f"{NET_TITLE} at scope {own.net_scope!r} calls its {len(own.scopes)} own batch "
            "norms (the `preact` of every unit and `postnorm`) itself, with its one "
            "is_training, so their statistics can be kept frozen for all of them or for "
            f"none: {len(self.frozen)} are frozen ({_listed(self.frozen)}) but "
            f"{len(self.unfrozen)} are not ({_listed(self.unfrozen)}), a mix no job can "
            f"build. Freeze all of {NET_TITLE}'s own batch norms, or unfreeze them (the batch "
            "norms of its convolutions may be frozen in any mix)."
        )


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    more = len(names) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def in_scope(name: str, scope: str) -> bool:
    """Whether `name` lies in `scope` (a whole path component, not a prefix), as a job
    reads `restore.frozen_batch_norms`."""
    return name == scope or name.startswith(scope + "/")


def own_batch_norms(batch_norms: Iterable[str]) -> list[OwnBatchNorms]:
    """The ResNet v2 nets among the batch-norm scopes `batch_norms`, with their own ones.

    Example:
      >>> own = own_batch_norms(["r/block1/unit_1/bottleneck_v2/preact",
      ...     "r/block1/unit_1/bottleneck_v2/conv1/BatchNorm", "r/postnorm", "postnorm"])
      >>> [(o.net_scope, o.scopes) for o in own]
      [('r', ('r/block1/unit_1/bottleneck_v2/preact', 'r/postnorm'))]
    """
    scopes = list(dict.fromkeys(batch_norms))
    nets: dict[str, list[str]] = {}
    for scope in scopes:
        found = _PREACT.fullmatch(scope)
        if found:
            nets.setdefault(found["net"], []).append(scope)
    present = set(scopes)
    for net, own in nets.items():
        if f"{net}/postnorm" in present:
            own.append(f"{net}/postnorm")
    return [OwnBatchNorms(net, tuple(own)) for net, own in nets.items()]


def net_own_batch_norms(net: str, scope: str | None = None) -> list[OwnBatchNorms]:
    """The batch norms the `nets_factory` net `net` calls itself, built at `scope` (default:
    its own scope, its name), from its units per block; empty for a net that calls none.

    Example:
      >>> [len(o.scopes) for o in net_own_batch_norms("resnet_v2_50")], net_own_batch_norms("vgg_16")
      ([17], [])
    """
    match = re.fullmatch(r"resnet_v2_(\d+)", net)
    if not match or int(match[1]) not in RESNET_V2_UNITS:
        return []
    top = net if scope is None else scope
    units = RESNET_V2_UNITS[int(match[1])]
    own = [
        f"{top}/block{block}/unit_{unit}/bottleneck_v2/preact"
        for block, count in enumerate(units, start=1)
        for unit in range(1, count + 1)
    ]
    return [OwnBatchNorms(top, (*own, f"{top}/postnorm"))]


def refused_freezes(
    nets: Sequence[OwnBatchNorms], frozen_batch_norms: Sequence[str]
) -> list[RefusedFreeze]:
    """The nets of which `frozen_batch_norms` (scopes, as `restore.frozen_batch_norms`
    names them) freeze some own batch norms but not all.

    Example:
      >>> own = OwnBatchNorms("r", ("r/block1/unit_1/bottleneck_v2/preact", "r/postnorm"))
      >>> [r.unfrozen for r in refused_freezes([own], ["r/block1"])]
      [('r/postnorm',)]
      >>> refused_freezes([own], ["r"]), refused_freezes([own], ["r/block1/unit_1/conv1"])
      ([], [])
    """
    refused = []
    for own in nets:
        frozen = tuple(s for s in own.scopes if any(in_scope(s, e) for e in frozen_batch_norms))
        if frozen and len(frozen) < len(own.scopes):
            unfrozen = tuple(s for s in own.scopes if s not in frozen)
            refused.append(RefusedFreeze(own, frozen, unfrozen))
    return refused
