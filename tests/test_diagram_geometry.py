"""The geometry helpers of solver/diagram.py that the label placement is built from (boxes, points along an
edge, segment-box crossings, the spacings tried, node positions) and the SVG text helpers, pinned with
literal values worked out by hand (3-4-5 triangles, boxes on a unit square). Fast (part of the mutation
subset)."""
from __future__ import annotations

import numpy as np
import pytest

from solver.diagram import (Box, Edge, _boxes_along, _distance_to_point, _gaps, _positions, _segments_meeting,
                            _spacings, label_crossings, script_parts, svg_number)

UNIT = Box(0, 0, 1, 1)


def test_a_box_around_a_centre_extends_half_its_size_each_way():
    assert Box.around(1, 2, 4, 2) == Box(-1, 1, 3, 3)
    assert Box(-1, 1, 3, 3).as_tuple() == (-1, 1, 3, 3)


@pytest.mark.parametrize("other, gap", [
    (Box(4, 5, 6, 7), 5.0), (Box(-6, -7, -3, -4), 5.0),     # diagonal, on both sides: a 3-4-5 triangle
    (Box(3, 0.5, 4, 2), 2.0), (Box(-4, 0.5, -2, 2), 2.0),    # beside, overlapping in y
    (Box(0.2, 3, 0.4, 5), 2.0), (Box(0.2, -5, 0.4, -1), 1.0),  # above and below, overlapping in x
    (Box(1, 0, 2, 1), 0.0), (Box(0.5, 0.5, 2, 2), 0.0),      # touching, overlapping
])
def test_the_gap_between_boxes_is_the_shortest_distance(other, gap):
    assert UNIT.gap_to(other) == gap
    assert other.gap_to(UNIT) == gap
    assert list(_gaps(np.array([other.as_tuple()]), UNIT)) == [gap]


@pytest.mark.parametrize("other, meets", [
    (Box(0.5, 0.5, 2, 2), True), (Box(0.2, 0.2, 0.4, 0.4), True),
    (Box(1, 0, 2, 1), False), (Box(-1, 0, 0, 1), False), (Box(0, 1, 1, 2), False), (Box(0, -1, 1, 0), False),
    (Box(2, 0, 3, 1), False), (Box(-3, 0, -2, 1), False), (Box(0, 2, 1, 3), False), (Box(0, -3, 1, -2), False),
])
def test_boxes_intersect_only_with_a_common_interior(other, meets):
    assert UNIT.intersects(other) is meets
    assert other.intersects(UNIT) is meets


@pytest.mark.parametrize("x, y, distance", [
    (0.5, 0.5, 0.0), (1, 1, 0.0), (4, 5, 5.0), (-3, -4, 5.0), (0.5, 3, 2.0), (0.5, -2, 2.0), (3, 0.5, 2.0),
    (-2, 0.5, 2.0),
])
def test_the_distance_from_a_point_to_a_box(x, y, distance):
    assert UNIT.distance_to_point(x, y) == distance
    assert list(_distance_to_point(np.array([UNIT.as_tuple()]), x, y)) == [distance]


def test_a_point_along_an_edge_is_the_fraction_of_the_way_from_the_source():
    edge = Edge(1, 2, 5, 10, "")
    assert edge.point(0.25) == (2.0, 4.0)
    assert edge.point(0) == (1, 2)


def test_label_boxes_along_an_edge_are_centred_on_it():
    edge = Edge(0, 1, 4, 3, "w", 0.3, 1.0)
    boxes = _boxes_along(edge, [0.25, 0.5])
    np.testing.assert_allclose(boxes, [[0.5, 1.34, 1.5, 1.66], [1.5, 1.84, 2.5, 2.16]], rtol=0, atol=1e-12)


def test_a_segment_counts_when_it_passes_through_or_touches_a_box():
    boxes = np.array([UNIT.as_tuple(), (5, 5, 6, 6)], dtype=float)
    assert _segments_meeting(boxes, []).tolist() == [0, 0]
    assert _segments_meeting(boxes, []).dtype.kind == "i"                      # counts, also without segments
    assert _segments_meeting(boxes, [(-1, 0.5, 2, 0.5)]).tolist() == [1, 0]    # straight through
    assert _segments_meeting(boxes, [(0.5, -1, 0.5, 2)]).tolist() == [1, 0]    # vertical
    assert _segments_meeting(boxes, [(1, 1, 2, 2)]).tolist() == [1, 0]         # touching a corner
    assert _segments_meeting(boxes, [(-1, 2, 2, 2)]).tolist() == [0, 0]        # above: bounding boxes apart
    assert _segments_meeting(boxes, [(-1, -2, 2, -2)]).tolist() == [0, 0]      # below
    assert _segments_meeting(boxes, [(2, -1, 2, 2)]).tolist() == [0, 0]        # right
    assert _segments_meeting(boxes, [(-2, -1, -2, 2)]).tolist() == [0, 0]      # left
    assert _segments_meeting(boxes, [(0.8, 2, 2, 0.8)]).tolist() == [0, 0]     # bounding boxes meet, the line misses
    assert _segments_meeting(boxes, [(2, 0.8, 0.8, 2)]).tolist() == [0, 0]     # the same, drawn the other way
    assert _segments_meeting(boxes, [(-1, 0.5, 2, 0.5), (0, 0, 7, 7), (5.5, 0, 5.5, 4)]).tolist() == [2, 1]
    assert _segments_meeting(boxes, [(-3, 0.5, -1, 0.5)]).tolist() == [0, 0]   # on the box's line, stopping short
    assert _segments_meeting(boxes, [(-2, 0.5, 0, 0.5)]).tolist() == [1, 0]    # ending on the left side
    assert _segments_meeting(boxes, [(0.5, -2, 0.5, 0)]).tolist() == [1, 0]    # ending on the bottom side
    assert _segments_meeting(boxes, [(1, 1, 2, 0)]).tolist() == [1, 0]         # its line touches one corner only


def test_label_crossings_count_other_edges_through_a_labels_margin():
    # the label of the horizontal edge sits at (2, 0), 0.6 wide: the vertical edge through x = 2 crosses it,
    # the one at x = 5 does not, and the labelled edge's own line does not count
    labelled = Edge(0, 0, 4, 0, "w", 0.5, 0.6)
    through, far = Edge(2, -2, 2, 2, ""), Edge(5, -2, 5, 2, "")
    assert label_crossings([labelled, through, far]) == 1
    assert label_crossings([labelled, far]) == 0
    # a line 0.2 above the label's box (0.16 high) is within the 0.08 margin; 0.3 above is not
    assert label_crossings([labelled, Edge(0, 0.23, 4, 0.23, "")]) == 1
    assert label_crossings([labelled, Edge(0, 0.3, 4, 0.3, "")]) == 0
    assert label_crossings([Edge(0, 0, 4, 0, "w", 0.5, 0.6), Edge(2, -2, 2, 2, "v", 0.3, 0.6)]) == 1


def test_neurons_are_centred_on_their_column_one_row_gap_apart():
    assert _positions([2, 1, 3], 3.6, 1.6) == {
        (0, 1): (0, 0.8), (0, 2): (0, -0.8), (1, 1): (3.6, 0.0),
        (2, 1): (7.2, 1.6), (2, 2): (7.2, 0.0), (2, 3): (7.2, -1.6)}


def test_spacings_are_tried_least_enlarged_first():
    # column gaps 3.6, 4.0, 4.4 (0.4 steps up to the widest), row gaps 1.6 to 3.2 in 0.2 steps; the order is by
    # column gap / 3.6 + row gap / 1.6
    pairs = _spacings(4.4)
    assert len(pairs) == 27
    assert pairs[:6] == [(3.6, 1.6), (4.0, 1.6), (3.6, 1.8), (4.4, 1.6), (4.0, 1.8), (3.6, 2.0)]
    assert pairs[-1] == (4.4, 3.2)
    assert _spacings(3.6) == [(3.6, row) for row in (1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2)]
    assert _spacings(3.9) == _spacings(3.6)


@pytest.mark.parametrize("latex, parts", [
    ("a^{(1)}_{2}", ("a", "(1)", "2")), ("w_{1}", ("w", "", "1")), ("x_1^2", ("x", "2", "1")),
    ("a^{(2)}_{1,2}", ("a", "(2)", "1,2")), ("y_{a_{1}}", ("y", "", "a1")), ("a_{12", ("a", "", "12")),
    ("h", ("h", "", "")), ("X_{1}", ("X", "", "1")),
    ("a^", ("a", "", "")), ("\\hat{y}_{o}", ("ŷ", "", "o")),
    ("a_{12}^{3}", ("a", "3", "12")), ("x_12", ("x2", "", "1")),  # as in TeX, an unbraced script is one character
])
def test_a_symbol_splits_into_base_superscript_and_subscript(latex, parts):
    assert script_parts(latex) == parts


def test_svg_numbers_use_a_true_minus_sign():
    assert svg_number("-0.5") == "\u22120.5"
    assert svg_number("0.25") == "0.25"
    assert svg_number("") == ""
