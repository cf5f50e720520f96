r"""Draw the engine's own computation graph with matplotlib (no Graphviz needed).

Every :class:`~nnlesson.engine.Tensor` remembers the tensors it was made from
(``.parents``) and the operation that made it (``.op``). That is a graph, and the
backward pass walks it from the loss back to the inputs. This module draws it:

* each **value** (a tensor) is a box with its ``label``, its forward value (``data``) and
  its gradient ``dL/d(value)`` (``grad``; ``grad ?`` where no backward pass has stored
  one yet, ``no grad`` for a constant);
* each **operation** is a small oval (``+``, ``*``, ``tanh`` ...) just left of the box of
  its result, with arrows from its inputs;
* an arrow can carry the gradient that the operation passed back to that input,
  ``dL/dx = dL/dz * dz/dx`` (``edge_grads=True``).

Layout (a simple layered drawing, no layout library): the column of a value is the
longest path from the leaves to it, so every arrow goes left to right and the loss is on
the right; a leaf (a tensor you created) then moves right, next to the first operation
that uses it, so that its arrow does not cross a column. Within a column, values are
ordered by the mean height of their neighbours (the barycentre heuristic), which keeps
arrows from crossing in small graphs.

It is meant for **small** graphs, such as one neuron or a few scalar operations: at most
``MAX_NODES`` (40) values, beyond which :func:`draw_graph` raises ``ValueError``.

Three helpers expose the backward pass itself, so a drawing (or a learner) can replay it
one node at a time: :func:`graph_nodes` (every value of the graph, oldest first),
:func:`backward_order` (the order in which ``Tensor.backward`` visits them: newest first)
and :func:`backward_steps` (what each visit receives and passes on).

Two engine internals are read here, on purpose, because the engine has no public way to
do these things and a drawing must show the engine's own numbers, not a copy of its rules:

* ``node._backward``, the operation's own chain-rule function (``g -> dL/d(parent)`` per
  input), is called to *replay* the backward pass node by node without touching any
  ``.grad`` (``Tensor.backward`` runs the whole pass at once);
* ``engine._creation_order`` sorts the graph oldest first, constants included (the public
  :func:`engine.backward_order` leaves constants out), the same order ``backward`` relies on.

Both only read the graph; nothing here changes a tensor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from nnlesson import engine
from nnlesson.engine import Tensor
from nnlesson.engine import _creation_order as _order  # oldest first (see the module docstring)
from nnlesson.plots import COLORS, PALETTE, subplots

__all__ = [
    "MAX_NODES",
    "BackwardStep",
    "GraphDrawing",
    "backward_order",
    "backward_steps",
    "draw_graph",
    "format_value",
    "graph_nodes",
]

MAX_NODES = 40
"""The largest graph :func:`draw_graph` accepts (values, constants included)."""

# Geometry, in "units" that are about an inch when the figure is sized by draw_graph.
_DX = 3.0  # from one column to the next
_DY = 1.0  # from one row to the next
_BOX_W, _BOX_H = 1.62, 0.72
_OP_W, _OP_H = 0.62, 0.38
_OP_GAP = 0.40  # from the left edge of a box to the centre of its operation's oval
_FONT = 8.0  # points, at one inch per unit

# Colours: fills by kind of value, the highlight for "being processed now".
_FILL = {"leaf": "#DCEBF7", "result": "#FFFFFF", "constant": "#EEEEEE"}
_EDGE = {"leaf": PALETTE[0], "result": "#555555", "constant": COLORS["grey"]}
_HIGHLIGHT_FILL = "#FBE0CF"
_GRAD_COLOR = PALETTE[2]
_UNKNOWN_COLOR = COLORS["grey"]
_EDGE_LABEL_COLOR = "#333333"


# ------------------------------------------------------------------ the graph itself
def graph_nodes(root: Tensor, max_nodes: int | None = None) -> list[Tensor]:
    """Every tensor ``root`` was computed from (``root`` and constants included), oldest first.

    Walks ``.parents`` with a loop (no recursion). With ``max_nodes``, stops and raises
    ``ValueError`` as soon as the graph turns out to be larger.
    """
    if not isinstance(root, Tensor):
        raise ValueError(f"expected a Tensor (the result of an expression), got {type(root).__name__}")
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
                if max_nodes is not None and len(seen) > max_nodes:
                    raise ValueError(
                        f"draw_graph draws small graphs, at most {max_nodes} values; this graph has "
                        f"more. Draw a smaller expression (one neuron, a few scalar operations) or "
                        f"look at it with MLP.trace and histograms instead"
                    )
    return sorted(seen, key=_order)


def backward_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root.backward()`` visits, in the order it visits them (newest first):
    ``engine.backward_order``, with a clear error for a graph that needs no gradient."""
    if not root.requires_grad:
        raise ValueError("this tensor does not depend on any tensor requiring a gradient: nothing to visit")
    return engine.backward_order(root)


@dataclass(frozen=True)
class BackwardStep:
    """One visit of the backward pass.

    ``node`` receives ``grad`` = dL/d(node), the sum of everything passed to it, and passes
    ``dL/d(parent) += grad * d(node)/d(parent)`` to each parent: ``passed`` holds
    ``(slot, parent, gradient)`` for each input slot of its operation (a leaf passes nothing).
    """

    node: Tensor
    grad: np.ndarray
    passed: tuple[tuple[int, Tensor, np.ndarray], ...]

    @property
    def local_gradients(self) -> tuple[np.ndarray, ...]:
        """``d(node)/d(parent)`` per passed gradient, for scalar nodes (``passed / grad``).

        Computed by calling the operation's own backward function (``node._backward``, an
        engine internal: see the module docstring) with an upstream gradient of 1, which for
        a scalar is exactly the local derivative.
        """
        if self.node._backward is None:
            return ()
        ones = self.node._backward(np.ones_like(self.node.data))
        return tuple(np.asarray(ones[slot]) for slot, _, _ in self.passed)


def backward_steps(root: Tensor, grad=None) -> list[BackwardStep]:
    """Replay ``root.backward(grad)`` one node at a time, without touching any ``.grad``.

    Returns one :class:`BackwardStep` per visited node, in the engine's order
    (:func:`backward_order`). The gradients are the ones ``root.backward()`` computes
    (each operation's own backward function, ``node._backward``, is called with the
    gradient that reached it, as ``Tensor.backward`` does), so after ``root.backward()`` on
    a fresh graph ``step.grad`` equals ``step.node.grad`` for every step.
    """
    order = backward_order(root)
    seed = np.ones_like(root.data) if grad is None else np.asarray(grad, dtype=root.data.dtype)
    if seed.shape != root.data.shape:
        raise ValueError(f"grad has shape {seed.shape} but the tensor has shape {root.data.shape}")
    pending = {root: seed}
    steps = []
    for node in order:
        g = pending.pop(node, None)
        if g is None:
            continue
        passed = []
        if node._backward is not None:
            for slot, (parent, parent_grad) in enumerate(zip(node.parents, node._backward(g), strict=True)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                parent_grad = np.array(parent_grad)
                passed.append((slot, parent, parent_grad))
                pending[parent] = pending[parent] + parent_grad if parent in pending else parent_grad
        steps.append(BackwardStep(node, np.array(g), tuple(passed)))
    return steps


def _arrow(start, end, rad: float = 0.0) -> FancyArrowPatch:
    """An arrow of the graph from ``start`` to ``end``, curved by ``rad`` (0: straight)."""
    return FancyArrowPatch(
        start,
        end,
        connectionstyle=f"arc3,rad={rad}",
        arrowstyle="-|>",
        mutation_scale=8,
        shrinkA=0,
        shrinkB=0,
        color="#555555",
        linewidth=1.0,
        zorder=2,
    )


def _kind(node: Tensor) -> str:
    if node.parents:
        return "result"
    return "leaf" if node.requires_grad else "constant"


def _stored_grad(node: Tensor) -> np.ndarray | None:
    """The gradient the engine stored, or None if no backward pass reached this node."""
    return node.grad if node.has_grad else None  # .grad alone would read zeros


def format_value(value, digits: int = 4) -> str:
    """A short text for a box: a number with ``digits`` decimals, a tiny array in brackets,
    or the shape of a larger one."""
    array = np.asarray(value, dtype=float)
    if array.size == 1:
        v = float(array.reshape(()))
        if v != 0 and (abs(v) >= 1e4 or abs(v) < 10.0**-digits):
            return f"{v:.{max(digits - 1, 1)}e}"
        return f"{v:.{digits}f}" if v != 0 else f"{0.0:.{digits}f}"  # 0.0000, never -0.0000
    if array.size <= 3:
        return "[" + ", ".join(f"{v:.2f}" for v in array.ravel()) + "]"
    return "array " + "×".join(str(n) for n in array.shape)


# ------------------------------------------------------------------ the layout
def _layout(nodes: list[Tensor]) -> dict[int, tuple[float, float]]:
    """Column and height of every node (by index into ``nodes``, oldest first)."""
    index = {id(n): i for i, n in enumerate(nodes)}
    parents = [[index[id(p)] for p in n.parents] for n in nodes]
    children: list[list[int]] = [[] for _ in nodes]
    for i, ps in enumerate(parents):
        for p in ps:
            children[p].append(i)
    # Column: the longest path from the leaves (oldest first: parents come before children).
    column = [0] * len(nodes)
    for i, ps in enumerate(parents):
        if ps:
            column[i] = 1 + max(column[p] for p in ps)
    # A leaf moves right, next to its first consumer.
    for i, ps in enumerate(parents):
        if not ps and children[i]:
            column[i] = max(0, min(column[c] for c in children[i]) - 1)
    n_columns = max(column) + 1
    layers = [[i for i in range(len(nodes)) if column[i] == c] for c in range(n_columns)]
    height = {}

    def place(layer: list[int]) -> None:
        for rank, i in enumerate(layer):
            height[i] = ((len(layer) - 1) / 2 - rank) * _DY

    for layer in layers:
        place(layer)

    def barycentre(i: int, neighbours: list[list[int]]) -> float:
        ns = neighbours[i]
        return -np.mean([height[n] for n in ns]) if ns else -height[i]

    # Two sweeps of the barycentre heuristic: right to left (by consumers), left to right (by inputs).
    for sweep in (range(n_columns - 1, -1, -1), range(n_columns)):
        for c in sweep:
            neighbours = children if sweep.step == -1 else parents
            layers[c].sort(key=lambda i, nb=neighbours: (barycentre(i, nb), i))
            place(layers[c])
    return {i: (column[i] * _DX, height[i]) for i in range(len(nodes))}


def _signature(nodes: list[Tensor]) -> tuple:
    index = {id(n): i for i, n in enumerate(nodes)}
    return tuple((n.op, tuple(index[id(p)] for p in n.parents), _kind(n), n.data.shape) for n in nodes)


# ------------------------------------------------------------------ the drawing
class GraphDrawing:
    """The artists of one drawn graph, kept so they can be updated in place.

    ``nodes`` are the drawn tensors, oldest first. :meth:`update` changes what the boxes
    and arrows say (values, gradients, highlight) without drawing anything anew, which is
    what makes a slider that steps through the backward pass fast. Give it a new ``root``
    of the same shape of graph (e.g. the same expression at other input values) and the
    new values are shown in the same places.
    """

    def __init__(self, root: Tensor, ax: Axes, max_nodes: int, fontsize: float | None):
        self.ax = ax
        self.figure = ax.figure
        self.nodes = graph_nodes(root, max_nodes=max_nodes)
        self.root = root
        self._signature = _signature(self.nodes)
        self.positions = _layout(self.nodes)
        self._index = {id(n): i for i, n in enumerate(self.nodes)}
        self._edges = self._edge_geometry()
        xs = [x for x, _ in self.positions.values()]
        ys = [y for _, y in self.positions.values()]
        label_ys = [e[5] for e in self._edges.values()]
        left = min(xs) - _BOX_W / 2 - 0.15
        right = max(xs) + _BOX_W / 2 + 0.15
        bottom = min(ys + label_ys) - _BOX_H / 2 - 0.2
        top = max(ys + label_ys) + _BOX_H / 2 + 0.2
        self.extent = (left, right, bottom, top)
        if fontsize is None:
            fig_w, fig_h = self.figure.get_size_inches()
            bbox = ax.get_position()
            scale = min(bbox.width * fig_w / (right - left), bbox.height * fig_h / (top - bottom))
            fontsize = float(np.clip(_FONT * scale, 5.0, 10.0))
        self.fontsize = fontsize
        ax.set_xlim(left, right)
        ax.set_ylim(bottom, top)
        ax.set_aspect("equal", adjustable="box")
        ax.axis("off")
        self._draw()

    # -- building the artists once ------------------------------------------------
    def _draw(self) -> None:
        ax, fs = self.ax, self.fontsize
        self.boxes, self.label_texts, self.data_texts, self.grad_texts = [], [], [], []
        self.ops: dict[int, Ellipse] = {}
        self.arrows: dict[tuple[int, int], FancyArrowPatch] = {}  # (child, slot) -> arrow
        self.edge_texts: dict[tuple[int, int], object] = {}
        for i, node in enumerate(self.nodes):
            x, y = self.positions[i]
            kind = _kind(node)
            box = FancyBboxPatch(
                (x - _BOX_W / 2, y - _BOX_H / 2),
                _BOX_W,
                _BOX_H,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=_FILL[kind],
                edgecolor=_EDGE[kind],
                linewidth=1.2,
                zorder=3,
            )
            ax.add_patch(box)
            self.boxes.append(box)
            has_label = bool(node.label)
            rows = (0.22, 0.0, -0.22) if has_label else (None, 0.11, -0.13)
            label = ax.text(
                x,
                y + (rows[0] or 0.0),
                node.label,
                ha="center",
                va="center",
                fontsize=fs,
                fontweight="bold",
                zorder=4,
            )
            data = ax.text(x, y + rows[1], "", ha="center", va="center", fontsize=fs * 0.92, zorder=4)
            grad = ax.text(x, y + rows[2], "", ha="center", va="center", fontsize=fs * 0.92, zorder=4)
            self.label_texts.append(label)
            self.data_texts.append(data)
            self.grad_texts.append(grad)
            if node.parents:
                ox = x - _BOX_W / 2 - _OP_GAP
                oval = Ellipse(
                    (ox, y), _OP_W, _OP_H, facecolor="white", edgecolor="#555555", linewidth=1.0, zorder=3
                )
                ax.add_patch(oval)
                self.ops[i] = oval
                ax.text(
                    ox,
                    y,
                    node.op,
                    ha="center",
                    va="center",
                    fontsize=fs * (0.92 if len(node.op) <= 4 else 0.7),
                    zorder=4,
                )
                ax.add_patch(_arrow((ox + _OP_W / 2, y), (x - _BOX_W / 2, y)))
                self._draw_inputs(i, node, ox, y)

    def _edge_geometry(self) -> dict[tuple[int, int], tuple]:
        """For each input arrow (result, slot): the parent's index, the arc3 curvature, the
        arrow's start and end, where its label goes and the height of the curve's peak.

        Straight between neighbouring columns; curved over the boxes in between when an
        arrow skips columns; two curves for a value used twice by one operation. The ends
        are computed here (the right edge of the box, the rim of the oval) rather than by
        matplotlib's clipping of arrows at patches, which is slow.
        """
        edges = {}
        for i, node in enumerate(self.nodes):
            x, oy = self.positions[i]
            centre = np.array([x - _BOX_W / 2 - _OP_GAP, oy])
            slots = [self._index[id(p)] for p in node.parents]
            for slot, p in enumerate(slots):
                px, py = self.positions[p]
                start = np.array([px + _BOX_W / 2, py])
                if slots.count(p) > 1:
                    first = slots.index(p) == slot
                    start[1] += 0.17 if first else -0.17
                    rad = -0.25 if first else 0.25
                elif px < x - _DX - 1e-9:
                    rad = self._bend(start, centre, above=py >= oy)
                else:
                    rad = 0.0
                end = centre
                for _ in range(2):  # aim at the oval's rim, along the curve's last direction
                    d = end - start
                    control = (start + end) / 2 + rad * np.array([d[1], -d[0]])
                    u = control - centre if rad else start - centre
                    angle = np.arctan2(u[1], u[0])
                    r = 1.0 / np.hypot(np.cos(angle) / (_OP_W / 2), np.sin(angle) / (_OP_H / 2))
                    end = centre + r * np.array([np.cos(angle), np.sin(angle)])
                d = end - start
                control = (start + end) / 2 + rad * np.array([d[1], -d[0]])
                where = 0.25 * start + 0.5 * control + 0.25 * end  # the curve at t = 1/2
                edges[(i, slot)] = (p, rad, start, end, where, where[1])
        return edges

    def _draw_inputs(self, i: int, node: Tensor, ox: float, oy: float) -> None:
        ax, fs = self.ax, self.fontsize
        for slot in range(len(node.parents)):
            _, rad, start, end, where, _ = self._edges[(i, slot)]
            arrow = _arrow(tuple(start), tuple(end), rad)
            ax.add_patch(arrow)
            self.arrows[(i, slot)] = arrow
            text = ax.text(
                where[0],
                where[1],
                "",
                ha="center",
                va="center",
                fontsize=fs * 0.85,
                zorder=5,
                color=_EDGE_LABEL_COLOR,
                bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
            )
            text.set_visible(False)
            self.edge_texts[(i, slot)] = text

    def _bend(self, start: np.ndarray, end: np.ndarray, above: bool) -> float:
        """The arc3 curvature that takes an arrow over (or under) the boxes it would cross."""
        d = end - start
        length = float(np.hypot(*d))
        sign = 1.0 if above else -1.0
        need = 0.0  # the height the curve must reach above (below) its chord at t = 1/2
        for x, y in self.positions.values():
            for edge in (x - _BOX_W / 2 - _OP_GAP - _OP_W / 2, x + _BOX_W / 2):
                t = (edge - start[0]) / d[0]
                if not 0.1 < t < 0.9:
                    continue
                chord = start[1] + t * d[1]
                clearance = sign * (y - chord) + _BOX_H / 2 + 0.1
                if clearance > 0 and abs(y - chord) < _BOX_H:
                    need = max(need, clearance / (4 * t * (1 - t)))
        height = max(need, 0.12 * length)
        # arc3 puts its control point rad * |d| off the chord; the curve peaks at half that.
        return -sign * 2 * height / length

    # -- changing what they say ----------------------------------------------------
    def update(
        self,
        root: Tensor | None = None,
        grads: Mapping[Tensor, np.ndarray] | None = None,
        passed: Mapping[tuple[Tensor, int], np.ndarray] | bool = False,
        highlight: Tensor | Sequence[Tensor] | None = None,
    ) -> None:
        """Show values, gradients and a highlight; nothing is drawn anew.

        ``root``: a new graph of the same shape (same operations, same wiring) whose values
        to show. ``grads``: ``{tensor: dL/dtensor}`` to show; ``None`` shows what the engine
        stored (``grad ?`` where the backward pass has not been). ``passed``: ``True`` labels
        every arrow with the gradient the operation passed back along it (a replay of the
        backward pass); a mapping ``{(result, slot): gradient}`` labels just those arrows.
        ``highlight``: the node(s) being processed, drawn in the highlight colour together
        with the arrows into them.
        """
        if root is not None and root is not self.root:
            nodes = graph_nodes(root, max_nodes=len(self.nodes))
            if _signature(nodes) != self._signature:
                raise ValueError(
                    "this drawing shows a graph of another shape; draw the new graph with draw_graph"
                )
            self.root, self.nodes = root, nodes
            self._index = {id(n): i for i, n in enumerate(nodes)}
        if passed is True:  # replay the backward pass from the gradient stored at the root (else 1)
            seed = _stored_grad(self.root) if grads is None else grads.get(self.root)
            passed = (
                {(s.node, slot): g for s in backward_steps(self.root, seed) for slot, _, g in s.passed}
                if self.root.requires_grad
                else {}
            )
        passed = passed or {}
        if highlight is None:
            lit = set()
        elif isinstance(highlight, Tensor):
            lit = {self._index[id(highlight)]}
        else:
            lit = {self._index[id(h)] for h in highlight}
        for i, node in enumerate(self.nodes):
            kind = _kind(node)
            self.data_texts[i].set_text(f"data {format_value(node.data)}")
            self.label_texts[i].set_text(node.label)
            if kind == "constant":
                text, color = "no grad", _UNKNOWN_COLOR
            else:
                g = _stored_grad(node) if grads is None else grads.get(node)
                text = "grad ?" if g is None else f"grad {format_value(g)}"
                color = _UNKNOWN_COLOR if g is None else _GRAD_COLOR
            self.grad_texts[i].set_text(text)
            self.grad_texts[i].set_color(COLORS["highlight"] if i in lit else color)
            on = i in lit
            self.boxes[i].set_facecolor(_HIGHLIGHT_FILL if on else _FILL[kind])
            self.boxes[i].set_edgecolor(COLORS["highlight"] if on else _EDGE[kind])
            self.boxes[i].set_linewidth(2.4 if on else 1.2)
            if i in self.ops:
                self.ops[i].set_edgecolor(COLORS["highlight"] if on else "#555555")
                self.ops[i].set_linewidth(2.0 if on else 1.0)
        for (i, slot), text in self.edge_texts.items():
            g = passed.get((self.nodes[i], slot))
            on = i in lit
            self.arrows[(i, slot)].set_color(COLORS["highlight"] if on and g is not None else "#555555")
            self.arrows[(i, slot)].set_linewidth(1.8 if on and g is not None else 1.0)
            text.set_visible(g is not None)
            if g is not None:
                text.set_text(format_value(g, digits=3))
                text.set_color(COLORS["highlight"] if on else _EDGE_LABEL_COLOR)
                text.set_fontweight("bold" if on else "normal")

    def node(self, label: str) -> Tensor:
        """The drawn tensor with this label (the first one, oldest first)."""
        for n in self.nodes:
            if n.label == label:
                return n
        raise ValueError(f"no node labelled {label!r}; labels: {[n.label for n in self.nodes if n.label]}")

    def edge_label(self, result: Tensor, slot: int) -> str:
        """The text on the arrow into ``result``'s operation at input ``slot`` ('' if hidden)."""
        text = self.edge_texts[(self._index[id(result)], slot)]
        return text.get_text() if text.get_visible() else ""

    def box_text(self, node: Tensor) -> str:
        """What ``node``'s box says, lines joined by newlines (for tests and checks)."""
        i = self._index[id(node)]
        parts = [self.label_texts[i].get_text(), self.data_texts[i].get_text(), self.grad_texts[i].get_text()]
        return "\n".join(p for p in parts if p)


def draw_graph(
    root: Tensor,
    ax: Axes | None = None,
    grads: Mapping[Tensor, np.ndarray] | None = None,
    edge_grads: Mapping[tuple[Tensor, int], np.ndarray] | bool = False,
    highlight: Tensor | Sequence[Tensor] | None = None,
    title: str = "",
    max_nodes: int = MAX_NODES,
    fontsize: float | None = None,
) -> GraphDrawing:
    """Draw the computation graph that produced ``root``, left (inputs) to right (``root``).

    Each value is a box: its ``label`` (bold, if it has one), ``data`` (the forward value)
    and ``grad`` (dL/d value). Leaves you created are blue, constants grey (``no grad``),
    results white; each operation is an oval before its result.

    * ``grads``: ``None`` shows the gradients the engine stored, so call
      ``root.backward()`` first (it keeps every node's gradient by default,
      ``keep_grads=True``); nodes it has not reached say ``grad ?``. A mapping
      ``{tensor: gradient}`` shows those instead.
    * ``edge_grads=True`` labels each arrow with the gradient passed back along it,
      ``dL/dz * dz/dx``, which shows where gradients add up (a value used twice gets two).
    * ``highlight``: a node (or list) to draw in the highlight colour.

    Small graphs only: at most ``max_nodes`` (default ``MAX_NODES`` = 40) values, constants
    included; a larger graph raises ``ValueError``. Returns a :class:`GraphDrawing`
    (``.figure``, ``.ax``, ``.update(...)`` to change the texts in place). Without ``ax``
    a figure sized to the graph is made (``plots.subplots``, so a notebook shows it).
    """
    if max_nodes > MAX_NODES:
        raise ValueError(f"max_nodes can be at most {MAX_NODES}: larger graphs are unreadable as boxes")
    graph_nodes(root, max_nodes=max_nodes)  # raises early for a large graph
    sized_here = ax is None
    if sized_here:
        _, axes = subplots(width=6.0, height=3.0)
        ax = axes[0, 0]
        fontsize = _FONT if fontsize is None else fontsize
    drawing = GraphDrawing(root, ax, max_nodes=max_nodes, fontsize=fontsize)
    if sized_here:  # one inch per unit, so the boxes fit their text
        left, right, bottom, top = drawing.extent
        drawing.figure.set_size_inches(right - left + 0.2, top - bottom + 0.2 + (0.35 if title else 0.0))
    if title:
        ax.set_title(title)
    drawing.update(grads=grads, passed=edge_grads, highlight=highlight)
    return drawing
