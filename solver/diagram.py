"""Network diagram and loss-plot layout: coordinates and labels (the drawings themselves are templates).

Diagram geometry is in centimetres with y up (TikZ); the SVG version is the same drawing scaled to
pixels with y down. Weight labels are placed here, not by TikZ: every label is a box estimated from
its text, put on its own edge at a fraction ``t`` of the way from the source neuron, so that no two
label boxes meet, no box covers a neuron circle, an arrowhead or a neuron's value, and (as far as
possible) no box sits on another edge's line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pylatexenc.latex2text import LatexNodes2Text

LABEL_MAX_WIDTH = 4
DIAGRAM_MAX_WIDTH = 12
COLUMN_GAP = 3.6
ROW_GAP = 1.6
PIXELS_PER_CM = 50

NEURON_RADIUS = 0.45
"""Circle radius in cm (TikZ ``minimum size=9mm``; the SVG circle has the same radius)."""
ARROW_GAP = 0.05
"""The arrow tip stops this far outside the target circle, so the tip is not drawn under the circle's line."""
VALUE_OFFSET = 0.75
"""A neuron's value is written this far below the neuron's centre."""

LABEL_CHAR_WIDTH = 0.15
"""Estimated width of one character of a \\scriptsize label, cm (a 7pt digit is 0.12 cm, a minus 0.19 cm;
a 12px SVG digit is at most 0.15 cm)."""
LABEL_PADDING = 0.12
"""Added to a label's text width: TikZ ``inner sep=1pt`` each side (the SVG draws the box itself, in white)."""
LABEL_HEIGHT = 0.32
"""Estimated height of a label box, cm (7pt digits with 1pt inner sep are 0.23 cm)."""
LABEL_GAP = 0.06
"""Least clearance between two label boxes, and between a label box and a neuron circle, cm."""
TIP_CLEARANCE = 0.32
"""Least clearance between a label box and its target circle: the arrowhead (2.2 mm) stays visible."""
FRACTIONS = tuple(i / 40 for i in range(2, 39))
"""Candidate positions of a label along its edge (fraction of the way from source to target)."""
PREFERRED_FRACTION = 0.3
CROSSING_MARGIN = 0.08
"""A label should keep this far from every other edge's line, so it is clear which edge it belongs to."""
MAX_DIAGRAM_CM = 15.5
"""The column gap grows only while the diagram (with its labels and titles) fits the text width."""
GAP_STEP = 0.4
ENLARGEMENT_COST = 4.0
"""How a label sitting on another edge's line weighs against enlarging the diagram: a 0.9 cm wider column gap
(a quarter of COLUMN_GAP) costs as much as one such label. The spacing chosen has the least
(labels on other lines + ENLARGEMENT_COST * relative enlargement of the gaps)."""
MAX_ROW_GAP = 3.2

_TEXT = LatexNodes2Text()


@dataclass(frozen=True)
class Box:
    """An axis-parallel rectangle in cm: x0 <= x1, y0 <= y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def around(cls, x: float, y: float, width: float, height: float) -> Box:
        return cls(x - width / 2, y - height / 2, x + width / 2, y + height / 2)

    def gap_to(self, other: Box) -> float:
        """Distance between the two rectangles (0 when they touch or overlap; negative is never returned)."""
        dx = max(other.x0 - self.x1, self.x0 - other.x1, 0.0)
        dy = max(other.y0 - self.y1, self.y0 - other.y1, 0.0)
        return math.hypot(dx, dy)

    def intersects(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def distance_to_point(self, x: float, y: float) -> float:
        """Distance from a point to the rectangle (0 inside)."""
        dx = max(self.x0 - x, 0.0, x - self.x1)
        dy = max(self.y0 - y, 0.0, y - self.y1)
        return math.hypot(dx, dy)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.x0, self.y0, self.x1, self.y1


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    label: str
    text: str
    value: str

    @property
    def at(self) -> str:
        return f"({self.x:.3f},{self.y:.3f})"

    @property
    def value_at(self) -> str:
        return f"({self.x:.3f},{self.y - VALUE_OFFSET:.3f})"

    @property
    def value_box(self) -> Box | None:
        return Box.around(self.x, self.y - VALUE_OFFSET, label_width(self.value), LABEL_HEIGHT) if self.value else None


@dataclass(frozen=True)
class Edge:
    """An arrow from the source neuron's centre (x1, y1) to the target neuron's centre (x2, y2).

    The drawn line runs from ``start`` to ``end``, on the two circles' boundaries; the label's
    centre is at ``label_fraction`` of the way between the two centres.
    """

    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_fraction: float = PREFERRED_FRACTION
    label_width: float = 0.0

    @property
    def length(self) -> float:
        return max(math.hypot(self.x2 - self.x1, self.y2 - self.y1), 1e-9)

    def point(self, fraction: float) -> tuple[float, float]:
        return self.x1 + (self.x2 - self.x1) * fraction, self.y1 + (self.y2 - self.y1) * fraction

    @property
    def tail(self) -> tuple[float, float]:
        """Where the line leaves the source circle."""
        return self.point(NEURON_RADIUS / self.length)

    @property
    def tip(self) -> tuple[float, float]:
        """Where the arrowhead's point is: just outside the target circle."""
        return self.point(1 - (NEURON_RADIUS + ARROW_GAP) / self.length)

    @property
    def start(self) -> str:
        return "({:.3f},{:.3f})".format(*self.tail)

    @property
    def end(self) -> str:
        return "({:.3f},{:.3f})".format(*self.tip)

    @property
    def label_point(self) -> tuple[float, float]:
        return self.point(self.label_fraction)

    @property
    def label_at(self) -> str:
        x, y = self.label_point
        return f"({x:.3f},{y:.3f})"

    @property
    def label_box(self) -> Box | None:
        return Box.around(*self.label_point, self.label_width, LABEL_HEIGHT) if self.label else None


@lru_cache(maxsize=4096)
def plain_text(latex: str) -> str:
    """A LaTeX symbol as plain Unicode text for SVG (e.g. 'w_{1}' -> 'w1')."""
    text = _TEXT.latex_to_text(latex)
    return text.replace("_", "").replace("^", "").replace("{", "").replace("}", "").strip()


def label_width(latex: str) -> float:
    """Conservative width (cm) of a \\scriptsize label (or a 12px SVG label) from its number of characters."""
    return len(plain_text(latex)) * LABEL_CHAR_WIDTH + LABEL_PADDING


def _positions(sizes, column_gap: float, row_gap: float) -> dict:
    return {(l, j): (l * column_gap, ((size - 1) / 2 - (j - 1)) * row_gap)
            for l, size in enumerate(sizes) for j in range(1, size + 1)}


def place_labels(edges: list[Edge], circles: list[tuple[float, float]], obstacles: list[Box]) -> list[Edge] | None:
    """Each labelled edge with a label fraction whose box meets no other label box, circle or obstacle.

    Every candidate fraction whose box keeps clear of the circles (and of the arrowhead) and of the
    obstacles costs (number of other edges' lines within CROSSING_MARGIN of the box, distance from the
    preferred fraction); labels of edges that leave the same neuron alternate between two preferred
    fractions, so neighbouring labels stagger. Edges with the fewest cheap candidates are placed first,
    each at its cheapest candidate clear of the labels already placed; then each label in turn moves to
    a cheaper clear candidate while one exists. None when some label has no clear position.
    """
    labelled = [i for i, edge in enumerate(edges) if edge.label]
    candidates: dict[int, list] = {}
    rank: dict[tuple[float, float], int] = {}
    for i in labelled:
        edge = edges[i]
        source = (edge.x1, edge.y1)
        preferred = PREFERRED_FRACTION + (0.2 if rank.get(source, 0) % 2 else 0.0)
        rank[source] = rank.get(source, 0) + 1
        left, right = min(edge.x1, edge.x2) - 1.0, max(edge.x1, edge.x2) + 1.0
        nearby = [(*other.tail, *other.tip) for other in edges
                  if other is not edge and min(other.x1, other.x2) < right and max(other.x1, other.x2) > left]
        boxes = _boxes_along(edge, FRACTIONS)
        clear = np.ones(len(FRACTIONS), dtype=bool)
        for cx, cy in circles:
            if left < cx < right:
                needed = TIP_CLEARANCE if (cx, cy) == (edge.x2, edge.y2) else LABEL_GAP
                clear &= _distance_to_point(boxes, cx, cy) >= NEURON_RADIUS + needed
        for box in obstacles:
            if box.x1 > left and box.x0 < right:
                clear &= _gaps(boxes, box) >= LABEL_GAP
        crossings = _segments_meeting(boxes + _HALO, nearby)
        options = [((int(crossings[n]), round(abs(fraction - preferred), 6)), fraction, Box(*boxes[n]))
                   for n, fraction in enumerate(FRACTIONS) if clear[n]]
        if not options:
            return None
        candidates[i] = sorted(options)

    def cheap(i):
        best = candidates[i][0][0][0]
        return sum(1 for option in candidates[i] if option[0][0] == best)

    chosen: dict[int, tuple] = {}

    def fits(box: Box, skip: int) -> bool:
        return all(box.gap_to(option[2]) >= LABEL_GAP for j, option in chosen.items() if j != skip)

    for i in sorted(labelled, key=lambda i: (cheap(i), len(candidates[i]), i)):
        option = next((option for option in candidates[i] if fits(option[2], i)), None)
        if option is None:
            return None
        chosen[i] = option
    for _ in range(4):
        moved = False
        for i in labelled:
            better = next((option for option in candidates[i] if option[0] < chosen[i][0] and fits(option[2], i)), None)
            if better is not None:
                chosen[i], moved = better, True
        if not moved:
            break
    return [Edge(edge.x1, edge.y1, edge.x2, edge.y2, edge.label, chosen[i][1], edge.label_width)
            if i in chosen else edge for i, edge in enumerate(edges)]


def label_crossings(edges: list[Edge]) -> int:
    """How many (label, other edge) pairs have the other edge's line within CROSSING_MARGIN of the label."""
    count = 0
    for edge in edges:
        if edge.label:
            others = [(*other.tail, *other.tip) for other in edges if other is not edge]
            count += int(_segments_meeting(np.array([edge.label_box.as_tuple()]) + _HALO, others)[0])
    return count


_HALO = np.array([-CROSSING_MARGIN, -CROSSING_MARGIN, CROSSING_MARGIN, CROSSING_MARGIN])


def _boxes_along(edge: Edge, fractions) -> np.ndarray:
    """Label boxes (rows x0, y0, x1, y1) centred at each fraction along the edge."""
    t = np.asarray(fractions)
    x, y = edge.x1 + (edge.x2 - edge.x1) * t, edge.y1 + (edge.y2 - edge.y1) * t
    w, h = edge.label_width / 2, LABEL_HEIGHT / 2
    return np.stack([x - w, y - h, x + w, y + h], axis=1)


def _distance_to_point(boxes: np.ndarray, x: float, y: float) -> np.ndarray:
    dx = np.maximum(np.maximum(boxes[:, 0] - x, x - boxes[:, 2]), 0.0)
    dy = np.maximum(np.maximum(boxes[:, 1] - y, y - boxes[:, 3]), 0.0)
    return np.hypot(dx, dy)


def _gaps(boxes: np.ndarray, box: Box) -> np.ndarray:
    dx = np.maximum(np.maximum(box.x0 - boxes[:, 2], boxes[:, 0] - box.x1), 0.0)
    dy = np.maximum(np.maximum(box.y0 - boxes[:, 3], boxes[:, 1] - box.y1), 0.0)
    return np.hypot(dx, dy)


def _segments_meeting(boxes: np.ndarray, segments) -> np.ndarray:
    """For each box (rows x0, y0, x1, y1), how many of the segments (x1, y1, x2, y2) pass through it.

    Separating axes: a segment misses a rectangle when their bounding boxes are apart or all four
    corners lie strictly on one side of the segment's line."""
    if not segments:
        return np.zeros(len(boxes), dtype=int)
    seg = np.asarray(segments, dtype=float)[None, :, :]
    b = boxes[:, None, :]
    overlap = ((np.minimum(seg[..., 0], seg[..., 2]) <= b[..., 2]) & (np.maximum(seg[..., 0], seg[..., 2]) >= b[..., 0])
               & (np.minimum(seg[..., 1], seg[..., 3]) <= b[..., 3]) & (np.maximum(seg[..., 1], seg[..., 3]) >= b[..., 1]))
    dx, dy = seg[..., 2] - seg[..., 0], seg[..., 3] - seg[..., 1]
    sides = [dx * (cy - seg[..., 1]) - dy * (cx - seg[..., 0])
             for cx, cy in ((b[..., 0], b[..., 1]), (b[..., 0], b[..., 3]), (b[..., 2], b[..., 1]), (b[..., 2], b[..., 3]))]
    low, high = np.minimum.reduce(sides), np.maximum.reduce(sides)
    return (overlap & (low <= 0) & (high >= 0)).sum(axis=1)


def _texts(view, labelled: bool, values: bool) -> dict:
    """Everything the drawing shows, read from the view once: neuron symbols and values, weight labels."""
    net = view.network
    return {
        "nodes": {(l, j): (view.act(l, j), view.shown_activation(l, j) if values else "")
                  for l, size in enumerate(net.sizes) for j in range(1, size + 1)},
        "weights": {(l, j, k): view.given_weight(l, j, k) if labelled else ""
                    for l in net.layer_indices for j in range(1, net.sizes[l] + 1)
                    for k in range(1, net.sizes[l - 1] + 1)},
    }


def _drawing(sizes, texts: dict, column_gap: float, row_gap: float, labelled: bool):
    """Nodes and edges (labels placed) at the given gaps, or None when some label has no clear place."""
    position = _positions(sizes, column_gap, row_gap)
    nodes = []
    for (l, j), (x, y) in position.items():
        label, value = texts["nodes"][(l, j)]
        nodes.append(Node(x, y, label, plain_text(label), value))
    edges = []
    for l in range(1, len(sizes)):
        for k in range(1, sizes[l - 1] + 1):
            for j in range(1, sizes[l] + 1):
                (x1, y1), (x2, y2) = position[(l - 1, k)], position[(l, j)]
                label = texts["weights"][(l, j, k)] if labelled else ""
                edges.append(Edge(x1, y1, x2, y2, label, PREFERRED_FRACTION, label_width(label) if label else 0.0))
    if not labelled:
        return nodes, edges
    obstacles = [node.value_box for node in nodes if node.value_box is not None]
    placed = place_labels(edges, list(position.values()), obstacles)
    return (nodes, placed) if placed is not None else None


def _spacings(widest_gap: float) -> list[tuple[float, float]]:
    """(column gap, row gap) pairs to try, least enlarged first: the column gap grows in GAP_STEP steps
    while the diagram fits the page, the row gap in 0.2 cm steps up to MAX_ROW_GAP."""
    columns = [COLUMN_GAP + i * GAP_STEP for i in range(int((widest_gap - COLUMN_GAP) / GAP_STEP + 1e-9) + 1)]
    rows = [ROW_GAP + i * 0.2 for i in range(int((MAX_ROW_GAP - ROW_GAP) / 0.2 + 1e-9) + 1)]
    pairs = [(round(c, 3), round(r, 3)) for c in columns for r in rows]
    return sorted(pairs, key=lambda pair: (pair[0] / COLUMN_GAP + pair[1] / ROW_GAP, pair[1]))


def diagram_layout(view, values: bool | None = None) -> dict | None:
    """Coordinates (cm, y up) of nodes and edges, plus an SVG version; None when too wide to draw legibly.

    Weight labels are placed by :func:`place_labels` at the least enlarged spacing that works best:
    spacings (column gap up to what fits the page, row gap up to MAX_ROW_GAP) are tried least enlarged
    first; one where some label has no clear place is skipped, and of the others the one with the least
    (labels touching another edge's line + ENLARGEMENT_COST * enlargement) is drawn. ``label_boxes``
    lists each label's estimated box (x0, y0, x1, y1) in cm, in the order of the labelled edges;
    ``column_gap`` and ``row_gap`` are the spacing chosen. ``values`` (default: the view's
    ``diagram_values``) writes each neuron's activation under it; exam papers draw without them.
    """
    net = view.network
    if max(net.sizes) > DIAGRAM_MAX_WIDTH:
        return None
    labelled = max(net.sizes) <= LABEL_MAX_WIDTH
    columns = max(len(net.sizes) - 1, 1)
    widest_gap = max(COLUMN_GAP, (MAX_DIAGRAM_CM - 2 * NEURON_RADIUS - 1.0) / columns)
    values = view.diagram_values if values is None else values
    texts = _texts(view, labelled, values)
    drawing, column_gap, row_gap = None, COLUMN_GAP, ROW_GAP
    if labelled:
        best = None
        for column_gap, row_gap in _spacings(widest_gap):
            enlargement = ENLARGEMENT_COST * (column_gap / COLUMN_GAP + row_gap / ROW_GAP - 2)
            if best is not None and enlargement >= best[0]:
                break  # spacings come least enlarged first: nothing later can score better
            placed = _drawing(net.sizes, texts, column_gap, row_gap, True)
            if placed is None:
                continue
            score = label_crossings(placed[1]) + enlargement
            if best is None or score < best[0]:
                best = (score, placed, column_gap, row_gap)
        if best is None:  # not seen for layers of at most LABEL_MAX_WIDTH neurons; then draw without labels
            labelled = False
        else:
            _, drawing, column_gap, row_gap = best
    if drawing is None:
        column_gap, row_gap = COLUMN_GAP, ROW_GAP
        drawing = _drawing(net.sizes, _texts(view, False, values), column_gap, row_gap, False)
    nodes, edges = drawing
    top = (max(net.sizes) - 1) / 2 * row_gap + 1.0
    titles = [(f"({l * column_gap:.3f},{top:.3f})", view.notation.layer_title(l)) for l in range(len(net.sizes))]
    return {
        "nodes": nodes,
        "edges": edges,
        "labelled": labelled,
        "layer_titles": titles,
        "biases": [(view.notation.bias(l, j), view.given_bias(l, j)) for l in net.layer_indices
                   for j in range(1, net.sizes[l] + 1)] if net.has_bias else [],
        "label_boxes": [edge.label_box.as_tuple() for edge in edges if edge.label],
        "neuron_radius": NEURON_RADIUS,
        "neuron_size": f"{2 * NEURON_RADIUS:.2f}cm",
        "column_gap": column_gap,
        "row_gap": row_gap,
        "svg": _svg_layout(nodes, edges, titles, top, (len(net.sizes) - 1) * column_gap),
    }


def _svg_layout(nodes, edges, titles, top, width) -> dict:
    """Pixel coordinates (y down) for the SVG drawing."""
    margin = 1.4
    lowest = min(node.y for node in nodes)
    bottom = lowest - (VALUE_OFFSET + 0.35 if any(node.value for node in nodes) else NEURON_RADIUS + 0.3)

    def px(x: float, y: float) -> tuple[float, float]:
        return round((x + margin) * PIXELS_PER_CM, 1), round((top + 0.6 - y) * PIXELS_PER_CM, 1)

    total_w = round((width + 2 * margin) * PIXELS_PER_CM)
    total_h = round((top + 0.6 - bottom) * PIXELS_PER_CM)
    svg_nodes = []
    for node in nodes:
        x, y = px(node.x, node.y)
        base, sup, sub = script_parts(node.label)
        vbox = None
        if node.value:  # the value's white background, as TikZ's fill=white
            box = node.value_box
            vbox = (*px(box.x0, box.y1), round((box.x1 - box.x0) * PIXELS_PER_CM, 1),
                    round(LABEL_HEIGHT * PIXELS_PER_CM, 1))
        svg_nodes.append({"x": x, "y": y, "r": round(NEURON_RADIUS * PIXELS_PER_CM, 1),
                          "vy": round(y + VALUE_OFFSET * PIXELS_PER_CM, 1), "text": node.text,
                          "base": base, "sup": sup, "sub": sub, "sup_dx": -round(len(sub) * 5.5, 1),
                          "value": svg_number(node.value), "vbox": vbox})
    svg_edges = []
    for edge in edges:
        (x1, y1), (x2, y2) = px(*edge.tail), px(*edge.tip)
        lx, ly = px(*edge.label_point)
        box = None
        if edge.label:  # the label's white background: its estimated box, as TikZ's fill=white
            (bx, by), w, h = px(edge.label_box.x0, edge.label_box.y1), edge.label_width, LABEL_HEIGHT
            box = (bx, by, round(w * PIXELS_PER_CM, 1), round(h * PIXELS_PER_CM, 1))
        svg_edges.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "label": svg_number(edge.label), "lx": lx, "ly": ly,
                          "box": box})
    svg_titles = []
    for at, text in titles:
        x = float(at.strip("()").split(",")[0])
        svg_titles.append({"x": px(x, 0)[0], "y": 20, "text": text})
    return {"nodes": svg_nodes, "edges": svg_edges, "titles": svg_titles, "width": total_w, "height": total_h,
            "viewbox": f"0 0 {total_w} {total_h}"}


def svg_number(latex: str) -> str:
    """A number label as SVG text: plain characters, a true minus sign."""
    text = plain_text(latex) if latex else ""
    return text.replace("-", "\u2212")


def script_parts(latex: str) -> tuple[str, str, str]:
    """A symbol like 'a^{(1)}_{2}' split into plain-text base, superscript and subscript ('a', '(1)', '2')."""
    base, scripts, i = [], {"^": [], "_": []}, 0
    while i < len(latex):
        char = latex[i]
        if char in "^_":
            i += 1
            if i < len(latex) and latex[i] == "{":
                depth, j = 0, i
                while j < len(latex):
                    depth += {"{": 1, "}": -1}.get(latex[j], 0)
                    if depth == 0:
                        break
                    j += 1
                scripts[char].append(latex[i + 1:j])
                i = j + 1
            else:
                scripts[char].append(latex[i:i + 1])
                i += 1
            continue
        base.append(char)
        i += 1
    return (plain_text("".join(base)), plain_text("".join(scripts["^"])), plain_text("".join(scripts["_"])))


# ---------------------------------------------------------------------------------- loss plot
def nice_step(span: float, target: int) -> float:
    """A 1-2-5 step (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …) giving about ``target`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw * (1 - 1e-9):
            return factor * magnitude
    return 10 * magnitude


def nice_ticks(low: float, high: float, target: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high]: multiples of a 1-2-5 step from below ``low`` to above ``high``."""
    if high == low:
        low, high = low - 0.5 * (abs(low) or 1), high + 0.5 * (abs(high) or 1)
    step = nice_step(high - low, target)
    if integer:
        step = max(1, round(step))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    places = 2 - math.floor(math.log10(step))  # two digits below the step's: removes float noise (3 * 0.1), keeps 4e-18
    return [round(i * step, places) for i in range(first, last + 1)]


def tick_label(value: float, step: float) -> str:
    """A tick value written with just enough decimals for its step (0.2 -> '0.4', 0.05 -> '0.45'); below a
    step of 0.001 in scientific notation with just enough digits ('4e-18', '2.5e-5')."""
    if value != 0 and step < 1e-3:
        digits = max(0, math.floor(math.log10(abs(value)) + 1e-9) - math.floor(math.log10(step) + 1e-9))
        mantissa, exponent = f"{value:.{digits}e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def integer_tick_step(count: int, target: int = 10) -> int:
    """A 1-2-5 integer distance between x ticks for ``count`` integer positions."""
    return max(1, round(nice_step(max(count - 1, 1), target)))


def loss_ticks(losses: list[float]) -> list[float]:
    """The loss axis's tick values: from 0 (a 1 % fall is drawn as one) to a round value at or above the
    largest loss, about five intervals apart."""
    return nice_ticks(min(0.0, min(losses)), max(losses), target=5)


def loss_plot(points: list[tuple[int, float]]) -> dict:
    """Pixel layout of the training-loss plot for SVG.

    ``points`` are (epoch, loss): the training loss at the start (x = 0) and after each epoch. The loss axis
    has the ticks of :func:`loss_ticks`.
    """
    width, height, left, top, right = 560, 310, 78, 20, 24
    bottom = 52  # tick labels and the x axis title sit below the frame
    inner_w, inner_h = width - left - right, height - top - bottom
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_min, x_max = min(xs), max(xs)
    y_ticks_values = loss_ticks(ys)
    y_lo, y_hi = y_ticks_values[0], y_ticks_values[-1]
    y_step = y_ticks_values[1] - y_ticks_values[0] if len(y_ticks_values) > 1 else 1.0
    pad = max(0.4, 0.03 * (x_max - x_min))
    x_lo, x_hi = x_min - pad, x_max + pad

    def sx(x):
        return round(left + (x - x_lo) / (x_hi - x_lo) * inner_w, 1)

    def sy(y):
        return round(top + (y_hi - y) / (y_hi - y_lo) * inner_h, 1)

    screen = [{"x": sx(x), "y": sy(y)} for x, y in points]
    y_ticks = [{"y": sy(v), "label": tick_label(v, y_step)} for v in y_ticks_values]
    x_step = integer_tick_step(len(xs))
    x_ticks = [{"x": sx(x), "label": str(x)} for x in range(x_min, x_max + 1) if x % x_step == 0 or x_step == 1]
    frame_bottom = top + inner_h
    return {"width": width, "height": height, "left": left, "top": top, "inner_width": inner_w,
            "inner_height": inner_h, "points": screen, "polyline": " ".join(f"{p['x']},{p['y']}" for p in screen),
            "y_ticks": y_ticks, "x_ticks": x_ticks, "y_grid": [t["y"] for t in y_ticks],
            "x_grid": [t["x"] for t in x_ticks], "tick_x": left - 8, "tick_y": frame_bottom + 18,
            "center_x": left + inner_w // 2, "label_y": frame_bottom + 44,
            "y_title_x": 18, "y_title_y": top + inner_h // 2,
            "y_tick_mark_x": left - 4, "x_tick_mark_y": frame_bottom + 4,
            "frame_bottom": frame_bottom, "frame_right": left + inner_w}
