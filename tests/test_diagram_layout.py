"""``diagram_layout`` of solver/diagram.py on networks small enough to lay out by hand, through a stand-in for
the handout's view (symbols, numbers and titles as plain strings). Fast (part of the mutation subset).

A 1-1 network at the first spacing tried (column gap 3.6 cm, row gap 1.6 cm): the neurons sit at (0, 0) and
(3.6, 0); the arrow leaves the source circle (radius 0.45) at x = 0.45 and stops 0.05 outside the target
circle, at x = 3.1. The label "0.5" is 3 x 0.15 + 0.12 = 0.57 cm wide and 0.32 high; at the preferred
fraction 0.3 its centre is at x = 1.08 and its box (0.795 .. 1.365) keeps 0.51 from the source circle's
centre (0.45 + 0.06) and far more than 0.45 + 0.32 from the target's, and stays 0.43 above the value boxes
(centred 0.75 below each neuron): nothing moves it, and no larger spacing can score better than 0. The SVG
adds a 1.4 cm margin and scales by 50 px per cm with y down from top + 0.6, where top = 1.0 (the titles'
height above the highest neuron); the lowest point is the value boxes, 0.75 + 0.35 below the neurons."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from solver.diagram import Node, diagram_layout


class View:
    """What diagram_layout reads from a handout's view, for a network of the given layer sizes."""

    def __init__(self, sizes, values=True, bias=True):
        self.network = SimpleNamespace(sizes=list(sizes), layer_indices=range(1, len(sizes)), has_bias=bias)
        self.diagram_values = values
        self.notation = SimpleNamespace(layer_title=lambda l: ["Input layer", "Hidden layer", "Output layer"][
            0 if l == 0 else (2 if l == len(sizes) - 1 else 1)], bias=lambda l, j: f"b_{{{l}{j}}}")

    def act(self, l, j):
        return f"x_{{{j}}}" if l == 0 else f"a^{{({l})}}_{{{j}}}"

    def shown_activation(self, l, j):
        return "10" if l == 0 else "0.62"

    def given_weight(self, l, j, k):
        return "0.5"

    def given_bias(self, l, j):
        return "-0.1"


def test_a_one_to_one_network_is_laid_out_to_the_millimetre():
    layout = diagram_layout(View([1, 1]))
    assert layout["nodes"] == [Node(0.0, 0.0, "x_{1}", "x1", "10"), Node(3.6, 0.0, "a^{(1)}_{1}", "a(1)1", "0.62")]
    (edge,) = layout["edges"]
    assert (edge.x1, edge.y1, edge.x2, edge.y2, edge.label) == (0.0, 0.0, 3.6, 0.0, "0.5")
    assert edge.label_fraction == 0.3 and edge.label_width == pytest.approx(0.57)
    assert (edge.start, edge.end, edge.label_at) == ("(0.450,0.000)", "(3.100,0.000)", "(1.080,0.000)")
    assert layout["labelled"] is True
    assert layout["label_boxes"] == [pytest.approx((0.795, -0.16, 1.365, 0.16))]
    assert layout["layer_titles"] == [("(0.000,1.000)", "Input layer"), ("(3.600,1.000)", "Output layer")]
    assert layout["biases"] == [("b_{11}", "-0.1")]
    assert (layout["column_gap"], layout["row_gap"]) == (3.6, 1.6)
    assert layout["neuron_radius"] == 0.45 and layout["neuron_size"] == "0.90cm"


def test_the_svg_of_a_one_to_one_network_is_the_same_drawing_in_pixels():
    svg = diagram_layout(View([1, 1]))["svg"]
    # width (3.6 + 2 x 1.4) x 50 = 320; height (1.0 + 0.6 + 0.75 + 0.35) x 50 = 135
    assert (svg["width"], svg["height"], svg["viewbox"]) == (320, 135, "0 0 320 135")
    source, target = svg["nodes"]
    assert source == {"x": 70.0, "y": 80.0, "r": 22.5, "vy": 117.5, "text": "x1", "base": "x", "sup": "",
                      "sub": "1", "sup_dx": -5.5, "value": "10",
                      # the value "10" is 0.42 wide: its box's top-left corner (-0.21, -0.59) is (59.5, 109.5) px
                      "vbox": (pytest.approx(59.5, abs=0.051), pytest.approx(109.5, abs=0.051), 21.0, 16.0)}
    assert target["x"] == 250.0 and target["y"] == 80.0 and target["vy"] == 117.5
    assert (target["text"], target["base"], target["sup"], target["sub"]) == ("a(1)1", "a", "(1)", "1")
    assert target["sup_dx"] == -5.5 and target["value"] == "0.62"
    assert target["vbox"] == (pytest.approx(232.0, abs=0.051), pytest.approx(109.5, abs=0.051), 36.0, 16.0)
    (edge,) = svg["edges"]
    assert (edge["x1"], edge["y1"], edge["x2"], edge["y2"]) == (92.5, 80.0, 225.0, 80.0)
    assert (edge["label"], edge["lx"], edge["ly"]) == ("0.5", 124.0, 80.0)
    # the label box's top-left corner (0.795, 0.16) is (109.75, 72) px; 0.57 x 0.32 cm is 28.5 x 16 px
    assert edge["box"] == (pytest.approx(109.75, abs=0.051), pytest.approx(72.0, abs=0.051), 28.5, 16.0)
    assert svg["titles"] == [{"x": 70.0, "y": 20, "text": "Input layer"}, {"x": 250.0, "y": 20, "text": "Output layer"}]


def test_without_values_the_drawing_ends_below_the_circles():
    layout = diagram_layout(View([1, 1], values=False), values=None)
    assert [node.value for node in layout["nodes"]] == ["", ""]
    svg = layout["svg"]
    assert [node["vbox"] for node in svg["nodes"]] == [None, None]
    assert [node["value"] for node in svg["nodes"]] == ["", ""]
    # the lowest point is 0.45 + 0.3 below the neurons: (1.0 + 0.6 + 0.75) x 50 = 117.5, rounded to 118
    assert svg["height"] == 118
    assert diagram_layout(View([1, 1], values=False), values=True)["nodes"][0].value == "10"
    assert diagram_layout(View([1, 1]), values=False)["nodes"][1].value == ""


def test_a_network_without_biases_lists_none():
    assert diagram_layout(View([1, 1], bias=False))["biases"] == []


def test_layers_wider_than_four_are_drawn_without_labels_at_the_first_spacing():
    layout = diagram_layout(View([5, 1]))
    assert layout["labelled"] is False and layout["label_boxes"] == []
    assert [edge.label for edge in layout["edges"]] == [""] * 5
    assert [edge.label_width for edge in layout["edges"]] == [0.0] * 5
    assert [(node.x, node.y) for node in layout["nodes"]] == [
        (0.0, 3.2), (0.0, 1.6), (0.0, 0.0), (0.0, -1.6), (0.0, -3.2), (3.6, 0.0)]
    # the titles stand 1.0 above the highest neuron: (5 - 1) / 2 x 1.6 + 1 = 4.2
    assert layout["layer_titles"] == [("(0.000,4.200)", "Input layer"), ("(3.600,4.200)", "Output layer")]
    assert (layout["column_gap"], layout["row_gap"]) == (3.6, 1.6)
    assert [edge["box"] for edge in layout["svg"]["edges"]] == [None] * 5


def test_layers_of_twelve_are_drawn_and_of_thirteen_are_not():
    assert diagram_layout(View([12, 1])) is not None
    assert diagram_layout(View([13, 1])) is None
    assert diagram_layout(View([1, 4, 1]))["labelled"] is True


def test_two_edges_from_one_neuron_stagger_their_labels():
    # the second edge leaving the source prefers 0.5 instead of 0.3, so the two labels do not sit side by side
    layout = diagram_layout(View([1, 2]))
    assert [edge.label_fraction for edge in layout["edges"]] == [0.3, 0.5]
