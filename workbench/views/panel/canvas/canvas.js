// Browser side of workbench.views.panel.canvas.DesignCanvas: draws the palette and the design
// and reports drops, clicks and keys to Python with `model.send_msg`. Python applies them to
// its DesignEditor and sends the new design back, which redraws everything. No imports: the
// page must work offline, with only what Panel itself serves.
//
// The block kinds are not declared here: `esm_constants.kinds` (from the kind table,
// workbench/models/design/kinds.py, `canvas_layout`) says for each kind what its header
// shows, which argument dict its chips show and which fields hold blocks.

// The layout of a kind; an unknown kind is drawn as a bare badge.
function kindLayout(layouts, kind) {
  return layouts[kind] || {badge: true, head: [], chips: null, body: [], defaults: {}, group: "structure"}
}

// `block[field]`, or the field's default when the block leaves it out.
function fieldValue(block, field, layout) {
  return block[field] !== undefined ? block[field] : (layout.defaults || {})[field]
}

// Bokeh may hand dicts over as `Map`s; the drawing code wants plain objects.
function plain(value) {
  if (value instanceof Map) {
    const out = {}
    for (const [key, item] of value) {
      out[key] = plain(item)
    }
    return out
  }
  if (Array.isArray(value)) {
    return value.map(plain)
  }
  if (value !== null && typeof value === "object") {
    const out = {}
    for (const key of Object.keys(value)) {
      out[key] = plain(value[key])
    }
    return out
  }
  return value
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue
    }
    el.setAttribute(key, value === true ? "" : String(value))
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child)
    }
  }
  return el
}

function shapeText(shape) {
  if (!Array.isArray(shape)) {
    return ""
  }
  return "[" + shape.map((d) => (d === null || d === undefined ? "?" : String(d))).join(", ") + "]"
}

// Values written as Python; a named choice ({"name": "l2_regularizer", "scale": 0.0005})
// as the call it stands for, l2_regularizer(scale=0.0005).
function valueText(value) {
  if (value === null || value === undefined) {
    return "None"
  }
  if (value === true || value === false) {
    return value ? "True" : "False"
  }
  if (typeof value === "string") {
    return "'" + value + "'"
  }
  if (Array.isArray(value)) {
    return "[" + value.map(valueText).join(", ") + "]"
  }
  if (typeof value === "object" && typeof value.name === "string") {
    const params = Object.entries(value).filter(([k]) => k !== "name")
    return `${value.name}(${params.map(([k, v]) => `${k}=${valueText(v)}`).join(", ")})`
  }
  if (typeof value === "object") {
    return "{" + Object.entries(value).map(([k, v]) => `'${k}': ${valueText(v)}`).join(", ") + "}"
  }
  return String(value)
}

function chipText(value) {
  const text = valueText(value)
  return text.length > 40 ? text.slice(0, 38) + "\u2026" : text
}

// A block's own arguments, then those it inherits from enclosing arg_scopes (`given`,
// `{name: {value, from}}`), drawn apart and titled with the scope they come from.
function argChips(args, given = {}, limit = 6) {
  const entries = Object.entries(args || {})
  const inherited = Object.entries(given || {})
  if (entries.length === 0 && inherited.length === 0) {
    return null
  }
  const line = h("div", {class: "wb-args"})
  for (const [name, value] of entries.slice(0, limit)) {
    line.append(h("span", {class: "wb-arg", title: `${name}=${valueText(value)}`}, `${name}=${chipText(value)}`))
  }
  if (entries.length > limit) {
    line.append(h("span", {class: "wb-arg wb-more"}, `+${entries.length - limit} more`))
  }
  for (const [name, {value, from}] of inherited.slice(0, limit)) {
    line.append(h("span", {
      class: "wb-arg wb-inherited", "data-arg": name,
      title: `${name}=${valueText(value)}, inherited from the arg_scope at ${from}`,
    }, `${name}=${chipText(value)}`))
  }
  if (inherited.length > limit) {
    line.append(h("span", {class: "wb-arg wb-more"}, `+${inherited.length - limit} inherited`))
  }
  return line
}

function isWithin(path, ancestor) {
  return path === ancestor || path.startsWith(ancestor + ".") || path.startsWith(ancestor + "[")
}

export function render({model, el}) {
  // Set from `esm_constants` on every draw: how each block kind is drawn.
  let layouts = {}
  // Set on every draw: what each block inherits from arg_scopes, by path.
  let inherited = {}

  function isLayerEntry(entry) {
    return entry && entry.op && (!entry.kind || kindLayout(layouts, entry.kind).group === "layer")
  }

  function entryLabel(entry) {
    return entry.kind && kindLayout(layouts, entry.kind).group === "structure" ? entry.kind : entry.op
  }

  const root = h("div", {class: "wb-root", tabindex: "0"})
  const indicator = h("div", {class: "wb-indicator"})
  // While dragging: {type: "palette", entry} or {type: "block", path}, plus `gap`, the
  // {container, index} the drop indicator shows.
  let drag = null
  let pending = false

  function send(msg) {
    const clean = {}
    for (const [key, value] of Object.entries(msg)) {
      if (value !== undefined) {
        clean[key] = value
      }
    }
    model.send_msg(clean)
  }

  function movable(path) {
    return path !== null && path !== undefined && !path.endsWith(".block")
  }

  function endDrag() {
    drag = null
    indicator.remove()
    for (const node of root.querySelectorAll(".wb-dragging, .wb-over, .wb-slot-over")) {
      node.classList.remove("wb-dragging", "wb-over", "wb-slot-over")
    }
    if (pending) {
      setTimeout(drawWhenIdle, 0)  // the redraw held back while the drag went on
    }
  }

  // ------------------------------------------------------------------- drop targets

  function accepts(list) {
    if (drag === null) {
      return false
    }
    return !(drag.type === "block" && isWithin(list.dataset.container, drag.path))
  }

  // The gap under the pointer: how many blocks of the list lie above its y.
  function gapIndex(list, y) {
    let index = 0
    for (const child of list.children) {
      if (!child.classList.contains("wb-block")) {
        continue
      }
      const box = child.getBoundingClientRect()
      if (y < box.top + box.height / 2) {
        break
      }
      index += 1
    }
    return index
  }

  function showIndicator(list, index) {
    const blocks = [...list.children].filter((c) => c.classList.contains("wb-block"))
    const before = blocks[index] || null
    if (indicator.parentNode !== list || indicator.nextSibling !== before) {
      list.insertBefore(indicator, before)
    }
    for (const node of root.querySelectorAll(".wb-over")) {
      if (node !== list) {
        node.classList.remove("wb-over")
      }
    }
    list.classList.add("wb-over")
  }

  function listEl(blocks, container, status, hint) {
    const list = h("div", {class: "wb-list", "data-container": container})
    blocks.forEach((block, index) => list.append(blockEl(block, `${container}[${index}]`, status)))
    if (blocks.length === 0) {
      list.append(h("div", {class: "wb-empty"}, hint))
    }
    list.addEventListener("dragover", (event) => {
      if (!accepts(list)) {
        return  // an enclosing list may take it
      }
      event.preventDefault()
      event.stopPropagation()
      event.dataTransfer.dropEffect = drag.type === "palette" ? "copy" : "move"
      drag.gap = {container, index: gapIndex(list, event.clientY)}
      showIndicator(list, drag.gap.index)
    })
    list.addEventListener("drop", (event) => {
      if (!accepts(list)) {
        return
      }
      event.preventDefault()
      event.stopPropagation()
      // Drop where the indicator is: the gap of the last dragover over this list.
      const shown = drag.gap && drag.gap.container === container
      const index = shown ? drag.gap.index : gapIndex(list, event.clientY)
      if (drag.type === "palette") {
        send({action: "insert", op: drag.entry.op, kind: drag.entry.kind, container, index})
      } else {
        send({action: "move", path: drag.path, container, index})
      }
      endDrag()
    })
    return list
  }

  // ------------------------------------------------------------------------- blocks

  function headEl(block, path, state) {
    const head = h("div", {class: "wb-head"})
    const layout = kindLayout(layouts, block.kind)
    if (layout.badge) {
      head.append(h("span", {class: "wb-badge"}, block.kind))
    }
    for (const item of layout.head) {
      const value = fieldValue(block, item.field, layout)
      let text
      if (item.show === "length") {
        text = String((value || []).length)
      } else if (item.show === "list") {
        text = Array.isArray(value) && value.length ? "[" + value.join(", ") + "]" : item.empty
      } else {
        text = String(value)
      }
      head.append(h("span", {class: `wb-${item.style}`}, item.template.replace("{}", text)))
    }
    if (block.scope) {
      head.append(h("span", {class: "wb-scope", title: "variable scope"}, block.scope))
    }
    head.append(h("span", {class: "wb-spacer"}))
    if (state.shape) {
      head.append(h("span", {class: "wb-shape", title: "output shape"}, "\u2192 " + shapeText(state.shape)))
    }
    return head
  }

  function column(title, body, extra) {
    return h("div", {class: "wb-column"}, h("div", {class: "wb-column-title"}, title, extra), body)
  }

  // A repeat's one layer: a slot a palette layer can be dropped on to replace it.
  function slotEl(block, path, field, status) {
    const slot = h("div", {class: "wb-slot", "data-slot": path})
    slot.append(blockEl(block, `${path}.${field}`, status))
    slot.addEventListener("dragover", (event) => {
      if (drag && drag.type === "palette" && isLayerEntry(drag.entry)) {
        event.preventDefault()
        event.stopPropagation()
        event.dataTransfer.dropEffect = "copy"
        drag.gap = null
        indicator.remove()
        slot.classList.add("wb-slot-over")
      }
    })
    slot.addEventListener("dragleave", (event) => {
      if (!slot.contains(event.relatedTarget)) {
        slot.classList.remove("wb-slot-over")
      }
    })
    slot.addEventListener("drop", (event) => {
      if (drag && drag.type === "palette" && isLayerEntry(drag.entry)) {
        event.preventDefault()
        event.stopPropagation()
        send({action: "replace_layer", path, op: drag.entry.op})
        endDrag()
      }
    })
    return slot
  }

  // A list of lists of blocks side by side, each removable, and a button adding one.
  function branchesEl(lists, path, part, status) {
    const columns = h("div", {class: "wb-columns"})
    lists.forEach((branch, number) => {
      const remove = lists.length > 1
        ? h("button", {class: "wb-mini", title: `Remove branch ${number}`, "aria-label": `remove branch ${number}`}, "\u00d7")
        : null
      if (remove) {
        remove.addEventListener("click", (event) => {
          event.stopPropagation()
          send({action: "remove_branch", path, branch: number})
        })
      }
      const container = `${path}.${part.field}[${number}]`
      columns.append(column(`branch ${number}`, listEl(branch, container, status, part.hint), remove))
    })
    const add = h("button", {class: "wb-add-branch", title: "Add a branch"}, "+ branch")
    add.addEventListener("click", (event) => {
      event.stopPropagation()
      send({action: "add_branch", path})
    })
    columns.append(add)
    return columns
  }

  // What a block holds, as its kind's layout says: one layer, lists of blocks (side by
  // side when there are several), lists of lists, or one argument set per call.
  function bodyEl(block, path, status) {
    const layout = kindLayout(layouts, block.kind)
    const parts = layout.body
    if (parts.length === 0) {
      return null
    }
    const first = parts[0]
    if (first.type === "layer") {
      return slotEl(block[first.field], path, first.field, status)
    }
    if (first.type === "block_lists") {
      return branchesEl(fieldValue(block, first.field, layout) || [], path, first, status)
    }
    if (first.type === "argument_list") {
      const rows = h("ol", {class: "wb-per-layer"})
      for (const args of fieldValue(block, first.field, layout) || []) {
        rows.append(h("li", {}, argChips(args) || h("span", {class: "wb-none"}, "no arguments")))
      }
      return rows
    }
    const list = (part) => listEl(fieldValue(block, part.field, layout) || [], `${path}.${part.field}`, status, part.hint)
    if (parts.length === 1) {
      return list(first)
    }
    return h("div", {class: "wb-columns"}, ...parts.map((part) => column(part.title, list(part))))
  }

  function blockEl(block, path, status) {
    const state = status[path] || {}
    const classes = ["wb-block", `wb-kind-${block.kind}`]
    if (state.error) {
      classes.push("wb-invalid")
    }
    if (path === model.selected) {
      classes.push("wb-selected")
    }
    const card = h("div", {class: classes.join(" "), "data-path": path, "data-kind": block.kind})
    const layout = kindLayout(layouts, block.kind)
    const args = layout.chips ? block[layout.chips] : null
    const given = inherited[path] || {}
    const error = state.error ? h("div", {class: "wb-error", role: "note"}, state.error) : null
    for (const part of [headEl(block, path, state), argChips(args, given), error, bodyEl(block, path, status)]) {
      if (part !== null) {
        card.append(part)
      }
    }
    card.addEventListener("click", (event) => {
      event.stopPropagation()
      root.focus({preventScroll: true})
      if (model.selected !== path) {
        send({action: "select", path})
      }
    })
    if (movable(path)) {
      card.setAttribute("draggable", "true")
      card.addEventListener("dragstart", (event) => {
        event.stopPropagation()
        drag = {type: "block", path}
        event.dataTransfer.effectAllowed = "move"
        event.dataTransfer.setData("text/plain", path)
        setTimeout(() => card.classList.add("wb-dragging"), 0)
      })
      card.addEventListener("dragend", endDrag)
    }
    return card
  }

  // ---------------------------------------------------------------- palette, toolbar

  function paletteEl(entries) {
    const groups = new Map()
    for (const entry of entries) {
      const group = entry.group || "other"
      if (!groups.has(group)) {
        groups.set(group, [])
      }
      groups.get(group).push(entry)
    }
    const aside = h("aside", {class: "wb-palette", "aria-label": "palette"},
      h("div", {class: "wb-palette-title"}, "Palette"))
    for (const [group, items] of groups) {
      const list = h("div", {class: "wb-items"})
      for (const entry of items) {
        const label = entryLabel(entry)
        const kind = entry.kind || "layer"
        const item = h("div", {
          class: `wb-item wb-item-${kind}`, draggable: "true", title: entry.doc || label,
          "data-op": entry.op, "data-kind": entry.kind,
        }, label)
        item.addEventListener("dragstart", (event) => {
          drag = {type: "palette", entry}
          event.dataTransfer.effectAllowed = "copy"
          event.dataTransfer.setData("text/plain", label)
        })
        item.addEventListener("dragend", endDrag)
        list.append(item)
      }
      aside.append(h("section", {class: "wb-group"}, h("div", {class: "wb-group-name"}, group), list))
    }
    aside.append(h("p", {class: "wb-hint"},
      "Drag an entry into the model. Click a block to select it; Delete removes it, " +
      "Ctrl+D duplicates, Ctrl+Z undoes."))
    return aside
  }

  function button(label, title, disabled, action) {
    const el = h("button", {class: "wb-button", title, disabled}, label)
    el.addEventListener("click", (event) => {
      event.stopPropagation()
      action()
    })
    return el
  }

  function toolbarEl(design) {
    const selected = model.selected
    const input = (design.input || {}).shape
    return h("div", {class: "wb-toolbar"},
      h("span", {class: "wb-title"}, design.name || "design"),
      h("span", {class: "wb-sub"}, input ? `input ${shapeText(input)}` : ""),
      h("span", {class: "wb-spacer"}),
      button("\u21b6 Undo", "Undo (Ctrl+Z)", !model.can_undo, () => send({action: "undo"})),
      button("\u21b7 Redo", "Redo (Ctrl+Shift+Z)", !model.can_redo, () => send({action: "redo"})),
      h("span", {class: "wb-separator"}),
      button("Duplicate", "Duplicate the selected block (Ctrl+D)", !movable(selected),
        () => send({action: "duplicate", path: selected})),
      button("Delete", "Delete the selected block (Delete)", !movable(selected),
        () => send({action: "delete", path: selected})))
  }

  function messageEl() {
    if (!model.message) {
      return null
    }
    const close = h("button", {class: "wb-mini", title: "Dismiss", "aria-label": "dismiss"}, "\u00d7")
    close.addEventListener("click", () => { model.message = "" })
    return h("div", {class: "wb-message", role: "alert"}, h("span", {}, model.message), close)
  }

  function mainEl(design, status) {
    const blocks = design.blocks || []
    const input = design.input || {}
    const scroll = h("div", {class: "wb-scroll"})
    scroll.append(h("div", {class: "wb-io"}, h("span", {class: "wb-badge"}, "input"),
      h("span", {class: "wb-shape"}, shapeText(input.shape)), h("span", {class: "wb-sub"}, input.dtype || "")))
    scroll.append(listEl(blocks, "blocks", status, "Drop layers from the palette here to start the model"))
    const last = blocks.length ? (status[`blocks[${blocks.length - 1}]`] || {}).shape : null
    if (last) {
      scroll.append(h("div", {class: "wb-io"}, h("span", {class: "wb-badge"}, "output"),
        h("span", {class: "wb-shape"}, shapeText(last))))
    }
    scroll.addEventListener("click", () => {
      if (model.selected !== null && model.selected !== undefined) {
        send({action: "select", path: null})
      }
    })
    return h("section", {class: "wb-main"}, toolbarEl(design), messageEl(), scroll)
  }

  // -------------------------------------------------------------------------- draw

  function draw() {
    pending = false
    const design = plain(model.spec) || {}
    const status = plain(model.status) || {}
    const constants = plain(model.esm_constants) || {}
    layouts = constants.kinds || {}
    inherited = plain(model.inherited) || {}
    const entries = [...(plain(model.palette) || []), ...(constants.structure || [])]
    const scrolls = [...root.querySelectorAll(".wb-scroll, .wb-palette")].map((n) => [n.scrollTop, n.scrollLeft])
    const focused = root.getRootNode().activeElement
    const hadFocus = focused !== null && (focused === root || root.contains(focused))
    endDrag()
    root.replaceChildren(paletteEl(entries), mainEl(design, status))
    const panes = root.querySelectorAll(".wb-scroll, .wb-palette")
    scrolls.forEach(([top, left], i) => {
      if (panes[i]) {
        panes[i].scrollTop = top
        panes[i].scrollLeft = left
      }
    })
    if (hadFocus) {
      root.focus({preventScroll: true})
    }
  }

  // A redraw replaces every node, the one being dragged too: the browser then ends the drag
  // without a drop, and the user's gesture is lost. An update that arrives during a drag
  // (the server's answer to the previous edit, a validation status) waits for its end.
  function drawWhenIdle() {
    if (pending && drag === null) {
      draw()
    }
  }

  function schedule() {
    if (!pending) {
      pending = true
      setTimeout(drawWhenIdle, 0)
    }
  }

  root.addEventListener("keydown", (event) => {
    const selected = model.selected
    const key = event.key.toLowerCase()
    const mod = event.ctrlKey || event.metaKey
    if ((event.key === "Delete" || event.key === "Backspace") && movable(selected)) {
      send({action: "delete", path: selected})
    } else if (mod && key === "z" && !event.shiftKey && model.can_undo) {
      send({action: "undo"})
    } else if (mod && ((key === "z" && event.shiftKey) || key === "y") && model.can_redo) {
      send({action: "redo"})
    } else if (mod && key === "d" && movable(selected)) {
      send({action: "duplicate", path: selected})
    } else if (event.key === "Escape" && selected !== null && selected !== undefined) {
      send({action: "select", path: null})
    } else {
      return
    }
    event.preventDefault()
  })
  // A press begins a new gesture: a drag still marked as going on lost its end (its source
  // node was removed by something else), and must not hold back redraws any longer.
  root.addEventListener("mousedown", () => {
    if (drag !== null) {
      endDrag()
    }
  })
  // Reached only when no list took the dragover: the pointer is outside every drop target.
  root.addEventListener("dragover", () => {
    if (drag !== null) {
      drag.gap = null
    }
    indicator.remove()
    for (const node of root.querySelectorAll(".wb-over")) {
      node.classList.remove("wb-over")
    }
  })

  model.on(["spec", "status", "inherited", "selected", "palette", "can_undo", "can_redo", "message"], schedule)
  draw()
  el.append(root)
}
