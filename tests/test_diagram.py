"""Network diagram and loss plot geometry: weight labels never overlap each other or a neuron, each label
sits on its own edge, arrows end at the target circle, and the loss plot's ticks are round numbers.

The checks are geometric, on the layout that both the TikZ and the SVG drawings are made from
(solver/diagram.py); label boxes are that module's conservative estimates of the text's extent."""
from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest

from hand_rounding import written
from seed_oracle import Net, sgd_step
from solver.api import load_problem, problem_from_mapping, solve
from solver.diagram import (ARROW_GAP, LABEL_MAX_WIDTH, MAX_DIAGRAM_CM, diagram_layout, loss_plot, nice_ticks,
                            tick_label)

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = sorted((ROOT / "problems").glob("*.yaml"))
RADIUS = 0.45
"""The neuron circle's radius in cm (TikZ minimum size=9mm)."""


def make_view(solution):
    """The object diagram_layout() reads (the handout's shared section context)."""
    from solver.sections import build_handout

    return build_handout(solution).context


def layout_of(solution) -> dict:
    layout = diagram_layout(make_view(solution))
    assert layout is not None
    return layout


def random_problem(sizes: list[int], rng: np.random.Generator):
    layers = len(sizes) - 1
    return problem_from_mapping({
        "title": f"random {sizes}", "network": {"layers": sizes},
        "weights": [np.round(rng.uniform(-0.99, 0.99, (sizes[i + 1], sizes[i])), 2).tolist() for i in range(layers)],
        "biases": [np.round(rng.uniform(-0.5, 0.5, n), 2).tolist() for n in sizes[1:]],
        "input": np.round(rng.uniform(-1, 1, sizes[0]), 2).tolist(),
        "target": np.round(rng.uniform(0.05, 0.95, sizes[-1]), 2).tolist(),
        "learning_rate": 0.1,
    })


def random_sizes() -> list[list[int]]:
    rng = np.random.default_rng(2024)
    return [rng.integers(1, 7, size=int(rng.integers(2, 5))).tolist() for _ in range(30)]


RANDOM_SIZES = random_sizes()


# ---------------------------------------------------------------------------------- geometry helpers
def boxes_intersect(a, b) -> bool:
    """Closed rectangles (x0, y0, x1, y1) share a point."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def box_gap(a, b) -> float:
    dx = max(b[0] - a[2], a[0] - b[2], 0.0)
    dy = max(b[1] - a[3], a[1] - b[3], 0.0)
    return math.hypot(dx, dy)


def box_circle_distance(box, cx: float, cy: float) -> float:
    """Distance from the circle's centre to the rectangle (0 when the centre is inside)."""
    dx = max(box[0] - cx, 0.0, cx - box[2])
    dy = max(box[1] - cy, 0.0, cy - box[3])
    return math.hypot(dx, dy)


def on_segment(px: float, py: float, x1: float, y1: float, x2: float, y2: float) -> float | None:
    """The fraction t of the point along the segment, or None when the point is off the segment."""
    length2 = (x2 - x1) ** 2 + (y2 - y1) ** 2
    t = ((px - x1) * (x2 - x1) + (py - y1) * (y2 - y1)) / length2
    distance = abs((x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)) / math.sqrt(length2)
    return t if distance < 1e-9 and 0 < t < 1 else None


def label_problems(layout: dict) -> list[str]:
    """Every violated rule of the layout's weight labels and arrows, as readable messages."""
    problems = []
    boxes = layout["label_boxes"]
    labelled = [edge for edge in layout["edges"] if edge.label]
    if layout["labelled"]:
        if len(boxes) != len(layout["edges"]) or len(labelled) != len(layout["edges"]):
            problems.append(f"{len(boxes)} label boxes for {len(layout['edges'])} edges")
    else:
        assert not boxes and not labelled
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        if boxes_intersect(a, b):
            problems.append(f"label boxes {labelled[i].label} and {labelled[j].label} intersect: {a} {b}")
    for box, edge in zip(boxes, labelled):
        for node in layout["nodes"]:
            if box_circle_distance(box, node.x, node.y) <= RADIUS:
                problems.append(f"label {edge.label} covers the neuron at ({node.x}, {node.y})")
        for node in layout["nodes"]:
            if node.value and boxes_intersect(box, node.value_box.as_tuple()):
                problems.append(f"label {edge.label} covers the value {node.value}")
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if on_segment(cx, cy, edge.x1, edge.y1, edge.x2, edge.y2) is None:
            problems.append(f"label {edge.label} at ({cx:.3f}, {cy:.3f}) is off its edge")
    for edge in layout["edges"]:
        (tx, ty), (sx, sy) = edge.tip, edge.tail
        if on_segment(tx, ty, edge.x1, edge.y1, edge.x2, edge.y2) is None:
            problems.append("arrow tip off its edge")
        if abs(math.hypot(tx - edge.x2, ty - edge.y2) - (RADIUS + ARROW_GAP)) > 1e-9:
            problems.append("arrow tip not at the target circle's boundary")
        if abs(math.hypot(sx - edge.x1, sy - edge.y1) - RADIUS) > 1e-9:
            problems.append("arrow tail not at the source circle's boundary")
    return problems


def min_label_gap(layout: dict) -> float:
    boxes = layout["label_boxes"]
    return min((box_gap(a, b) for a, b in itertools.combinations(boxes, 2)), default=math.inf)


# ---------------------------------------------------------------------------------- diagrams
@pytest.mark.parametrize("path", PROBLEMS, ids=[p.stem for p in PROBLEMS])
def test_shipped_problem_labels_are_clear(path):
    layout = layout_of(solve(load_problem(path)))
    assert label_problems(layout) == []
    assert min_label_gap(layout) > 0.05


@pytest.mark.parametrize("sizes", RANDOM_SIZES, ids=["-".join(map(str, s)) for s in RANDOM_SIZES])
def test_random_layout_labels_are_clear(sizes):
    rng = np.random.default_rng([17, *sizes])
    layout = layout_of(solve(random_problem(sizes, rng)))
    assert layout["labelled"] == (max(sizes) <= LABEL_MAX_WIDTH)
    assert label_problems(layout) == []
    assert (len(sizes) - 1) * layout["column_gap"] <= max(MAX_DIAGRAM_CM, (len(sizes) - 1) * 3.6)


def test_dense_layers_get_more_room_rather_than_overlapping():
    """[2, 3, 3]: at the default gaps some labels would sit on other edges; the layout widens instead."""
    layout = layout_of(solve(load_problem(ROOT / "problems" / "extra_softmax_relu_2_3_3.yaml")))
    assert layout["column_gap"] > 3.6 or layout["row_gap"] > 1.6
    assert label_problems(layout) == []


def test_tikz_and_svg_draw_from_the_layout():
    solution = solve(load_problem(ROOT / "problems" / "extra_softmax_relu_2_3_3.yaml"))
    from solver.build import render_outputs

    outputs = render_outputs(solution, ("tex", "md"))
    layout = layout_of(solution)
    tex, svg = outputs["handout.tex"], outputs["network.svg"]
    for edge in layout["edges"]:
        assert f"{edge.start} -- {edge.end}" in tex
        assert f"at {edge.label_at} {{${edge.label}$}}" in tex
    assert svg.count('marker-end="url(#arrow)"') == len(layout["edges"])
    for edge in layout["svg"]["edges"]:
        assert f'x2="{edge["x2"]}" y2="{edge["y2"]}"' in svg


# ---------------------------------------------------------------------------------- loss plot
def test_nice_ticks_are_round_numbers():
    assert nice_ticks(0.5417, 1.2602) == pytest.approx([0.4, 0.6, 0.8, 1.0, 1.2, 1.4])
    assert nice_ticks(0.0213, 0.0391) == pytest.approx([0.02, 0.025, 0.03, 0.035, 0.04])
    assert nice_ticks(3, 3) == pytest.approx([1, 2, 3, 4, 5])
    assert nice_ticks(1, 41, integer=True) == [0, 10, 20, 30, 40, 50]
    assert tick_label(0.6000000001, 0.2) == "0.6" and tick_label(0.025, 0.005) == "0.025"
    # losses of a saturated output (~4e-18): distinct ticks (not all rounded to 0), short labels
    assert nice_ticks(4.2483e-18, 4.2484e-18) == pytest.approx([2e-18, 3e-18, 4e-18, 5e-18, 6e-18, 7e-18], rel=1e-9)
    assert tick_label(4e-18, 1e-18) == "4e-18" and tick_label(2.5e-5, 5e-6) == "2.5e-5" and tick_label(0, 1e-18) == "0"


def _is_round_step(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5, 10))


@pytest.fixture(scope="module")
def xor():
    return solve(load_problem(ROOT / "problems" / "extra_xor_epochs_2_2_1.yaml"))


def test_the_loss_plot_has_one_point_per_epoch_on_an_axis_from_0(xor):
    from solver.sections import build_handout

    points = build_handout(xor).records["history"].points
    assert [x for x, _ in points] == [0, 1, 2]  # four updates an epoch: the training loss after each epoch
    assert [y for _, y in points] == pytest.approx([float(v) for v in _xor_training_losses(xor.spec, every=True)],
                                                   rel=1e-12)
    plot = loss_plot(points)
    assert len(plot["points"]) == 3 and "legend" not in plot  # one series: the axis titles say what it is
    assert [t["label"] for t in plot["y_ticks"]] == ["0", "0.2", "0.4", "0.6", "0.8"]  # losses 0.7226 .. 0.7150


def test_loss_plot_ticks_are_round_and_cover_the_data(xor):
    from solver.sections import build_handout

    points = build_handout(xor).records["history"].points
    plot = loss_plot(points)
    values = [float(t["label"]) for t in plot["y_ticks"]]
    steps = {round(b - a, 10) for a, b in zip(values, values[1:])}
    assert len(steps) == 1 and _is_round_step(steps.pop())
    assert min(values) <= min(y for _, y in points) and max(values) >= max(y for _, y in points)
    assert [t["label"] for t in plot["x_ticks"]] == [str(x) for x, _ in points]
    for p in plot["points"]:
        assert plot["left"] < p["x"] < plot["frame_right"] and plot["top"] <= p["y"] <= plot["frame_bottom"]


def test_loss_plot_axis_titles_clear_the_tick_labels():
    points = [(k, 0.02 * k ** 1.5) for k in range(1, 42)]
    plot = loss_plot(points)
    font = 12
    assert [int(t["label"]) % 5 for t in plot["x_ticks"]] == [0] * len(plot["x_ticks"])
    # x axis title (13px, baseline label_y) below the tick labels (12px, baseline tick_y, small descent)
    assert plot["label_y"] - 13 > plot["tick_y"] + 4
    assert plot["label_y"] + 4 < plot["height"]
    # the rotated y title (13px tall, centred on y_title_x) left of the widest right-aligned tick label
    widest = max(len(t["label"]) for t in plot["y_ticks"]) * 0.65 * font
    assert plot["y_title_x"] + 13 / 2 + 4 < plot["tick_x"] - widest


def test_latex_loss_plot_has_integer_epochs_the_svg_ticks_and_the_training_loss_under_it(xor):
    from solver.build import render_outputs

    tex = render_outputs(xor, ("tex",))["handout.tex"]
    assert "xtick distance=1," in tex and "xlabel={epochs completed},ylabel={training loss}" in tex
    assert "ytick={0,0.2,0.4,0.6,0.8},ymin=0,ymax=0.8," in tex and "addlegendentry" not in tex
    coordinates = re.search(r"\\addplot\[mark=\*,blue\] coordinates \{(.*)\};", tex)[1].split()
    assert [c.split(",")[0] for c in coordinates] == ["(0", "(1", "(2"]
    assert all(len(c.split(",")[1].rstrip(")").lstrip("0.")) <= 10 for c in coordinates)
    start, end = _xor_training_losses(xor.spec)
    assert (f"The training loss (mean loss over the 4 examples) falls from ${written(start, decimals=4)}$ to "
            f"${written(end, decimals=4)}$ over the 2 epochs.") in tex


def _xor_training_losses(spec, every: bool = False) -> tuple:
    """The mean BCE over the four XOR examples at the start and after two epochs of per-example SGD (``every``:
    after each epoch too), by the independent oracle (tests/seed_oracle.py)."""
    activations, weights, biases = list(spec.activations), spec.weights, spec.biases
    examples = [(e.input, e.target) for e in spec.examples]

    def mean_loss():
        return sum(sgd_step(Net(activations, weights, biases, x, t, "bce", spec.learning_rate))["loss"]
                   for x, t in examples) / len(examples)

    losses = [mean_loss()]
    for _ in range(2):
        for x, t in examples:
            step = sgd_step(Net(activations, weights, biases, x, t, "bce", spec.learning_rate))
            weights, biases = step["W_new"], step["b_new"]
        losses.append(mean_loss())
    return tuple(losses) if every else (losses[0], losses[-1])
