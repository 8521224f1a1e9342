// Browser side of workbench.views.panel.diagram_viewer.DiagramViewer: shows the model
// diagram's SVG fitted to the window, zooms (wheel, buttons) and pans (drag), and reports a
// click on a scope box or a folded node to Python, which folds or unfolds it and sends the
// new SVG. No imports: the page must work offline, with only what Panel itself serves.

const MIN_SCALE = 0.05
const MAX_SCALE = 4
const MARGIN = 8
const CLICK_SLOP = 4 // Pixels a press may move and still be a click, not a pan.
// A tall drawing fitted whole is too small to read: at first it is shown at least this
// large (when its width allows) from the top; Fit shows all of it.
const READABLE = 0.8

function button(label, title, onClick) {
  const el = document.createElement("button")
  el.type = "button"
  el.className = "wb-diagram-button"
  el.textContent = label
  el.title = title
  el.addEventListener("click", onClick)
  return el
}

// Graphviz writes the size in points ("612pt"); CSS pixels are 4/3 of a point.
function lengthPx(text) {
  const value = parseFloat(text || "0")
  return /pt$/.test(text || "") ? value * 4 / 3 : value
}

export function render({model, el}) {
  const view = document.createElement("div")
  view.className = "wb-diagram-view"
  const stage = document.createElement("div")
  stage.className = "wb-diagram-stage"
  view.append(stage)

  const zoomText = document.createElement("span")
  zoomText.className = "wb-diagram-zoom"
  const state = {scale: 1, x: 0, y: 0, width: 0, height: 0, fitted: false}

  function apply() {
    stage.style.transform = `translate(${state.x}px, ${state.y}px) scale(${state.scale})`
    zoomText.textContent = `${Math.round(state.scale * 100)}%`
    view.dataset.scale = state.scale.toFixed(4)
    delete view.dataset.fit // A zoom or a move leaves the fitted view; fit() marks it again.
  }

  // The part of the view the reader can see, in the view's own pixels: the window or a
  // scrolling ancestor (the page's main area) may hide its top or bottom.
  function visiblePart() {
    const box = view.getBoundingClientRect()
    let top = Math.max(box.top, 0)
    let bottom = Math.min(box.bottom, window.innerHeight)
    for (let node = view.parentElement; node; node = node.parentElement) {
      if (getComputedStyle(node).overflowY !== "visible") {
        const clip = node.getBoundingClientRect()
        top = Math.max(top, clip.top)
        bottom = Math.min(bottom, clip.bottom)
      }
    }
    return {top: top - box.top, height: Math.max(0, bottom - top)}
  }

  // Fit (whole): brings the view on screen as far as it goes, then fits the whole drawing
  // in what is seen of it. At first (not whole) the drawing fills the view's width from its
  // top, at a readable size.
  function fit(whole) {
    const width = view.clientWidth
    if (!width || !view.clientHeight || !state.width || !state.height) {
      return false
    }
    if (whole) {
      view.scrollIntoView({block: "nearest", inline: "nearest", behavior: "instant"})
    }
    const seen = whole ? visiblePart() : {top: 0, height: view.clientHeight}
    if (!seen.height) {
      return false
    }
    const byWidth = (width - 2 * MARGIN) / state.width
    const byHeight = (seen.height - 2 * MARGIN) / state.height
    const scale = Math.min(1, byWidth, whole ? byHeight : Math.max(byHeight, READABLE))
    state.scale = Math.max(MIN_SCALE, scale)
    state.x = (width - state.width * state.scale) / 2
    state.y = seen.top + MARGIN
    state.fitted = true
    apply()
    view.dataset.fit = whole ? "whole" : "top"
    return true
  }

  function zoomAt(factor, cx, cy) {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, state.scale * factor))
    state.x = cx - (cx - state.x) * (scale / state.scale)
    state.y = cy - (cy - state.y) * (scale / state.scale)
    state.scale = scale
    apply()
  }

  function zoomCentre(factor) {
    zoomAt(factor, view.clientWidth / 2, view.clientHeight / 2)
  }

  function draw() {
    stage.innerHTML = model.svg || ""
    const svg = stage.querySelector("svg")
    if (!svg) {
      state.width = state.height = 0
      return
    }
    state.width = lengthPx(svg.getAttribute("width"))
    state.height = lengthPx(svg.getAttribute("height"))
    svg.style.width = `${state.width}px`
    svg.style.height = `${state.height}px`
    if (!state.fitted) {
      fit(false)
    } else if (state.width * state.scale <= view.clientWidth) {
      // Folding or unfolding keeps the zoom and what is above; re-centre a narrow drawing.
      state.x = (view.clientWidth - state.width * state.scale) / 2
      apply()
    }
  }

  // Ctrl+wheel (a touchpad pinch too) zooms at the pointer; the wheel alone moves the drawing.
  view.addEventListener("wheel", (event) => {
    event.preventDefault()
    if (event.ctrlKey || event.metaKey) {
      const box = view.getBoundingClientRect()
      const factor = Math.exp(-event.deltaY * 0.0015)
      zoomAt(factor, event.clientX - box.left, event.clientY - box.top)
    } else {
      state.x -= event.shiftKey ? event.deltaY : event.deltaX
      state.y -= event.shiftKey ? 0 : event.deltaY
      apply()
    }
  }, {passive: false})

  let press = null
  view.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) {
      return
    }
    press = {x: event.clientX, y: event.clientY, left: state.x, top: state.y,
             target: event.target, moved: false}
    view.setPointerCapture(event.pointerId)
  })
  view.addEventListener("pointermove", (event) => {
    if (!press) {
      return
    }
    const dx = event.clientX - press.x
    const dy = event.clientY - press.y
    if (!press.moved && Math.hypot(dx, dy) < CLICK_SLOP) {
      return
    }
    press.moved = true
    view.classList.add("wb-panning")
    state.x = press.left + dx
    state.y = press.top + dy
    apply()
  })
  view.addEventListener("pointerup", () => {
    const done = press
    press = null
    view.classList.remove("wb-panning")
    if (!done || done.moved || !(done.target instanceof Element)) {
      return
    }
    const folding = done.target.closest('g[id^="wb-"]')
    if (folding) {
      model.send_msg({action: "toggle", id: folding.id})
    }
  })
  view.addEventListener("pointercancel", () => {
    press = null
    view.classList.remove("wb-panning")
  })

  const bar = document.createElement("div")
  bar.className = "wb-diagram-bar"
  const hint = document.createElement("span")
  hint.className = "wb-diagram-hint"
  hint.textContent = "Click a scope's box to fold it, a folded node [+] to open it. " +
    "Ctrl+wheel or the buttons zoom; drag or the wheel moves."
  bar.append(
    button("Fit", "Fit the whole diagram in the window", () => fit(true)),
    button("\u2212", "Zoom out", () => zoomCentre(1 / 1.25)),
    zoomText,
    button("+", "Zoom in", () => zoomCentre(1.25)),
    button("Fold all", "Fold every top scope", () => model.send_msg({action: "fold_all"})),
    button("Unfold all", "Open every scope", () => model.send_msg({action: "unfold_all"})),
    hint,
  )

  const observer = new ResizeObserver(() => {
    if (!state.fitted) {
      fit(false)
    }
  })
  observer.observe(view)
  model.on("remove", () => observer.disconnect())
  model.on("svg", draw)

  el.classList.add("wb-diagram")
  el.append(bar, view)
  draw()
  apply()
}
