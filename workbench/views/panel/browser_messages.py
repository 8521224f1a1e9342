"""`AppliesBrowserMessages`: how a custom component takes the messages its browser side sends.

The browser sides of `DesignCanvas` and `DiagramViewer` report what the user did as small
dicts (`{"action": ...}`). The component applies each with its own `_apply`, which raises
TypeError, ValueError or KeyError to refuse one; the reason goes to the component's `message`
parameter, which the browser shows, and the next message applied clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AppliesBrowserMessages:
    """Mixed into a `JSComponent` that has a `message` parameter and an `_apply(msg)` method."""

    def apply(self, msg: Mapping[str, Any]) -> bool:
        """Applies one message from the browser (the component's `_apply` says which).

        Returns:
          True if applied; False if refused, with the reason in `message`.
        """
        try:
            self._apply(msg)
        except (TypeError, ValueError, KeyError) as error:
            # A KeyError's text is its key's repr, quotes included: its argument reads better.
            self.message = str(error.args[0] if isinstance(error, KeyError) else error)
            return False
        self.message = ""
        return True

    def _apply(self, msg: Mapping[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _apply(msg).")

    def _handle_msg(self, data: Any) -> None:
        # Panel calls this with each message that the browser side sends.
        self.apply(data)
