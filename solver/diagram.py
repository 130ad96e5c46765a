"""Network diagram and loss-plot layout: coordinates and labels (the drawings themselves are templates)."""
from __future__ import annotations

from dataclasses import dataclass

from pylatexenc.latex2text import LatexNodes2Text

LABEL_MAX_WIDTH = 4
DIAGRAM_MAX_WIDTH = 12
COLUMN_GAP = 3.6
ROW_GAP = 1.6
PIXELS_PER_CM = 50
_TEXT = LatexNodes2Text()


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
        return f"({self.x:.3f},{self.y - 0.75:.3f})"


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_fraction: float = 0.3

    @property
    def start(self) -> str:
        return f"({self.x1:.3f},{self.y1:.3f})"

    @property
    def end(self) -> str:
        return f"({self.x2:.3f},{self.y2:.3f})"

    @property
    def label_point(self) -> tuple[float, float]:
        f = self.label_fraction
        return self.x1 + (self.x2 - self.x1) * f, self.y1 + (self.y2 - self.y1) * f

    @property
    def label_at(self) -> str:
        x, y = self.label_point
        return f"({x:.3f},{y:.3f})"


def plain_text(latex: str) -> str:
    """A LaTeX symbol as plain Unicode text for SVG (e.g. 'w_{1}' -> 'w1')."""
    text = _TEXT.latex_to_text(latex)
    return text.replace("_", "").replace("^", "").replace("{", "").replace("}", "").strip()


def diagram_layout(view) -> dict | None:
    """Coordinates (cm, y up) of nodes and edges, plus an SVG version; None when too wide to draw legibly."""
    net = view.network
    if max(net.sizes) > DIAGRAM_MAX_WIDTH:
        return None
    labelled = max(net.sizes) <= LABEL_MAX_WIDTH
    position, nodes, edges = {}, [], []
    for l, size in enumerate(net.sizes):
        for j in range(1, size + 1):
            x, y = l * COLUMN_GAP, ((size - 1) / 2 - (j - 1)) * ROW_GAP
            label = view.act(l, j)
            value = view.shown_activation(l, j) if view.diagram_values else ""
            nodes.append(Node(x, y, label, plain_text(label), value))
            position[(l, j)] = (x, y)
    for l in net.layer_indices:
        for j in range(1, net.sizes[l] + 1):
            for k in range(1, net.sizes[l - 1] + 1):
                (x1, y1), (x2, y2) = position[(l - 1, k)], position[(l, j)]
                edges.append(Edge(x1, y1, x2, y2, view.given_weight(l, j, k) if labelled else ""))
    top = (max(net.sizes) - 1) / 2 * ROW_GAP + 1.0
    titles = [(f"({l * COLUMN_GAP:.3f},{top:.3f})", view.N.layer_title(l)) for l in range(len(net.sizes))]
    return {
        "nodes": nodes,
        "edges": edges,
        "labelled": labelled,
        "layer_titles": titles,
        "biases": [(view.N.bias(l, j), view.given_bias(l, j)) for l in net.layer_indices
                   for j in range(1, net.sizes[l] + 1)] if net.has_bias else [],
        "svg": _svg_layout(nodes, edges, titles, top, (len(net.sizes) - 1) * COLUMN_GAP),
    }


def _svg_layout(nodes, edges, titles, top, width) -> dict:
    """Pixel coordinates (y down) for the SVG drawing."""
    margin = 1.4

    def px(x: float, y: float) -> tuple[int, int]:
        return round((x + margin) * PIXELS_PER_CM), round((top + 0.6 - y) * PIXELS_PER_CM)

    total_w = round((width + 2 * margin) * PIXELS_PER_CM)
    total_h = round((2 * top + 1.6) * PIXELS_PER_CM)
    svg_nodes = []
    for node in nodes:
        x, y = px(node.x, node.y)
        svg_nodes.append({"x": x, "y": y, "vy": y + 36, "text": node.text, "value": node.value})
    svg_edges = []
    radius = 22
    for edge in edges:
        x1, y1 = px(edge.x1, edge.y1)
        x2, y2 = px(edge.x2, edge.y2)
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        lx, ly = px(*edge.label_point)
        svg_edges.append({"x1": round(x1 + ux * radius), "y1": round(y1 + uy * radius),
                          "x2": round(x2 - ux * radius), "y2": round(y2 - uy * radius),
                          "label": edge.label, "lx": lx, "ly": ly})
    svg_titles = []
    for at, text in titles:
        x = float(at.strip("()").split(",")[0])
        svg_titles.append({"x": px(x, 0)[0], "y": 20, "text": text})
    return {"nodes": svg_nodes, "edges": svg_edges, "titles": svg_titles, "width": total_w, "height": total_h,
            "viewbox": f"0 0 {total_w} {total_h}"}


def loss_plot(points: list[tuple[int, float]]) -> dict:
    """Pixel layout of a loss-per-step line plot for SVG."""
    width, height, left, top, right, bottom = 520, 300, 70, 30, 20, 40
    inner_w, inner_h = width - left - right, height - top - bottom
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_min, x_max = min(xs), max(xs)
    y_min, y_max = min(ys), max(ys)
    if y_max == y_min:
        y_min, y_max = y_min - 0.5 * abs(y_min or 1), y_max + 0.5 * abs(y_max or 1)

    def sx(x):
        return round(left + (x - x_min) / max(x_max - x_min, 1) * inner_w, 1)

    def sy(y):
        return round(top + (y_max - y) / (y_max - y_min) * inner_h, 1)

    screen = [{"x": sx(x), "y": sy(y)} for x, y in points]
    y_ticks = [{"y": sy(v), "label": f"{v:.4g}"} for v in (y_min, (y_min + y_max) / 2, y_max)]
    step = max(1, len(xs) // 8)
    x_ticks = [{"x": sx(x), "label": str(x)} for x in xs[::step]]
    return {"width": width, "height": height, "left": left, "top": top, "inner_width": inner_w,
            "inner_height": inner_h, "points": screen, "polyline": " ".join(f"{p['x']},{p['y']}" for p in screen),
            "y_ticks": y_ticks, "x_ticks": x_ticks, "tick_x": left - 6, "tick_y": top + inner_h + 16,
            "center_x": width // 2, "label_y": height - 4, "title_y": top - 8}
