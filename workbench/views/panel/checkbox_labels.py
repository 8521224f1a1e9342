"""`CheckboxLabels`: clicking a checkbox's label toggles the checkbox, on every page.

Bokeh draws a `Checkbox` as an input and a separate text element, not a `<label>` around
both, so its text does nothing when clicked. This empty component, put on the page once,
listens to clicks on the whole document: a click on the text beside a checkbox (in the same
shadow root) clicks the checkbox, which toggles it as a click on the box itself does.
"""

from __future__ import annotations

from panel.custom import JSComponent


class CheckboxLabels(JSComponent):
    """Makes the text of every Bokeh checkbox on the page toggle its box (one per page)."""

    _esm = """
// The checkbox that `target`, the text beside it, belongs to; null for anything else.
function boxOf(target) {
  if (!(target instanceof Element) || !target.classList.contains("bk-label")) {
    return null
  }
  const root = target.parentNode
  if (!(root instanceof ShadowRoot) || root.host.getAttribute("aria-disabled") === "true") {
    return null
  }
  const box = root.querySelector("input[type=checkbox]")
  return box !== null && box.parentNode === root && !box.disabled ? box : null
}

export function render({ el }) {
  el.style.display = "none"
  if (window.__slimCheckboxLabels) {
    return
  }
  window.__slimCheckboxLabels = true
  document.addEventListener("click", (event) => {
    const box = boxOf(event.composedPath()[0])
    if (box !== null) {
      box.click()
    }
  })
  // Shows the text as clickable.
  document.addEventListener("pointerover", (event) => {
    const target = event.composedPath()[0]
    if (boxOf(target) !== null) {
      target.style.cursor = "pointer"
    }
  })
}
"""

    def __init__(self, **params):
        params.setdefault("width", 0)
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)
