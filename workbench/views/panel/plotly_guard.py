"""`PlotlyGuard`: keeps a hidden tab's Plotly chart from throwing in the browser.

Tabs rendered when opened remove a hidden tab's views, and Panel's Plotly view purges its
chart then; a resize can still reach that view afterwards, and `Plotly.relayout` on a purged
(or never drawn) chart throws `Cannot read properties of undefined (reading '_guiEditing')`.
Rendering this empty component once makes such a call a no-op for the whole page.
"""

from __future__ import annotations

from panel.custom import JSComponent


class PlotlyGuard(JSComponent):
    """An empty element whose script wraps `Plotly.relayout` to skip charts not drawn."""

    _esm = """
function wrap() {
  const plotly = window.Plotly
  if (plotly == null) {
    setTimeout(wrap, 100)  // Plotly's bundle is still loading.
    return
  }
  if (plotly.relayout.skipsUndrawn) {
    return
  }
  const relayout = plotly.relayout
  const guarded = function (chart, ...args) {
    const element = typeof chart === "string" ? document.getElementById(chart) : chart
    if (element == null || element._fullLayout == null) {
      return Promise.resolve(element)
    }
    return relayout.call(this, chart, ...args)
  }
  guarded.skipsUndrawn = true
  plotly.relayout = guarded
}

export function render() {
  wrap()
}
"""
