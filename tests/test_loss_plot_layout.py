"""The loss-plot layout of solver/diagram.py (``loss_plot`` and its tick helpers) pinned with literal
pixel coordinates and labels worked out by hand. Fast (part of the mutation subset).

The plot is 560 x 310 px with margins left 78, top 20, right 24, bottom 52, so the frame is 458 x 238 px
(right edge 536, bottom 258); a step x is drawn at 78 + (x - x_lo) / (x_hi - x_lo) * 458 and a loss y at
20 + (y_hi - y) / (y_hi - y_lo) * 238, both rounded to 0.1 px, where x_lo/x_hi pad the steps by
max(0.4, 3 % of their range) and y_lo/y_hi are the first and last tick."""
from __future__ import annotations

import pytest

from solver.diagram import integer_tick_step, loss_plot, nice_step, nice_ticks, tick_label


def same(actual: dict, expected: dict) -> None:
    """Equal keys and values, each value with the same repr (229 and 229.0 print differently in the SVG)."""
    assert sorted(actual) == sorted(expected)
    for key in expected:
        assert repr(actual[key]) == repr(expected[key]), key


def test_a_three_point_plot_is_laid_out_to_the_pixel():
    # x: 1..3 padded by 0.4 -> [0.6, 3.4]: 78 + 0.4/2.8*458 = 143.43, 78 + 229 = 307, 78 + 2.4/2.8*458 = 470.57.
    # y: the axis starts at 0, so ticks 0..0.3 in steps of 0.1 (0.3 / 5 = 0.06 goes up to 0.1):
    # 0.3 -> 20, 0.25 -> 20 + 0.05/0.3*238 = 59.67, 0.2 -> 20 + 0.1/0.3*238 = 99.33, 0.1 -> 178.67, 0 -> 258.
    plot = loss_plot([(1, 0.3), (2, 0.25), (3, 0.2)])
    points = [{"x": 143.4, "y": 20.0}, {"x": 307.0, "y": 59.7}, {"x": 470.6, "y": 99.3}]
    y_ticks = [{"y": 258.0, "label": "0"}, {"y": 178.7, "label": "0.1"}, {"y": 99.3, "label": "0.2"},
               {"y": 20.0, "label": "0.3"}]
    x_ticks = [{"x": 143.4, "label": "1"}, {"x": 307.0, "label": "2"}, {"x": 470.6, "label": "3"}]
    same(plot, {
        "width": 560, "height": 310, "left": 78, "top": 20, "inner_width": 458, "inner_height": 238,
        "points": points, "polyline": "143.4,20.0 307.0,59.7 470.6,99.3", "y_ticks": y_ticks, "x_ticks": x_ticks,
        "y_grid": [258.0, 178.7, 99.3, 20.0], "x_grid": [143.4, 307.0, 470.6],
        "tick_x": 70, "tick_y": 276, "center_x": 307, "label_y": 302, "y_title_x": 18, "y_title_y": 139,
        "y_tick_mark_x": 74, "x_tick_mark_y": 262, "frame_bottom": 258, "frame_right": 536})


def test_a_long_plot_pads_by_three_percent_and_labels_every_second_step():
    # 21 points: steps 1..21 padded by 0.03 * 20 = 0.6 -> [0.4, 21.6]; x ticks every 2 steps (a 1-2-5 step
    # for 20 intervals in about 10); losses 1.0 down to 0.0 in steps of 0.05: ticks 0, 0.2, ..., 1.0 (zero written '0')
    points = [(k, (21 - k) / 20) for k in range(1, 22)]
    plot = loss_plot(points)
    assert [t["label"] for t in plot["x_ticks"]] == [str(k) for k in range(2, 21, 2)]
    assert plot["x_ticks"][0]["x"] == round(78 + 1.6 / 21.2 * 458, 1) == 112.6
    assert plot["points"][0]["x"] == round(78 + 0.6 / 21.2 * 458, 1) == 91.0
    assert plot["points"][-1] == {"x": round(78 + 20.6 / 21.2 * 458, 1), "y": 258.0}
    assert [t["label"] for t in plot["y_ticks"]] == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    assert plot["points"][0]["y"] == 20.0


def test_one_point_gets_an_axis_from_0_up_to_it():
    # a single loss 0.5: ticks 0 ... 0.5 in steps of 0.1, the point on the top tick
    plot = loss_plot([(1, 0.5)])
    assert [t["label"] for t in plot["y_ticks"]] == ["0", "0.1", "0.2", "0.3", "0.4", "0.5"]
    assert plot["points"] == [{"x": 307.0, "y": 20.0}]
    assert plot["x_ticks"] == [{"x": 307.0, "label": "1"}]


def test_the_y_step_and_the_pixels_of_a_plot_whose_ticks_need_two_decimals():
    # losses 0.25 .. 0: a raw step of 0.25 / 5 = 0.05, so six ticks with two decimals; 0.13 is drawn at
    # 20 + 0.12 / 0.25 * 238 = 134.24 -> 134.2
    plot = loss_plot([(1, 0.25), (2, 0.13), (3, 0.0)])
    assert [t["label"] for t in plot["y_ticks"]] == ["0", "0.05", "0.10", "0.15", "0.20", "0.25"]
    assert [p["y"] for p in plot["points"]] == [20.0, 134.2, 258.0]


def test_a_small_fall_is_drawn_on_an_axis_from_0():
    # 0.7226 -> 0.7150 (XOR's two epochs): ticks 0 ... 0.8 in steps of 0.2, so the fall is drawn as the
    # 1 % it is: 0.7226 at 20 + 0.0774/0.8*238 = 43.03, 0.715 at 20 + 0.085/0.8*238 = 45.29
    plot = loss_plot([(0, 0.7226), (1, 0.7190), (2, 0.7150)])
    assert [t["label"] for t in plot["y_ticks"]] == ["0", "0.2", "0.4", "0.6", "0.8"]
    assert [p["y"] for p in plot["points"]] == [43.0, 44.1, 45.3]


def test_the_y_axis_aims_at_five_intervals():
    # losses 0.6 .. 0: 0.6 / 5 = 0.12 goes up to a step of 0.2 (aiming at six intervals, 0.1, would give seven ticks)
    assert [t["label"] for t in loss_plot([(1, 0.6), (2, 0.0)])["y_ticks"]] == ["0", "0.2", "0.4", "0.6"]


def test_a_raw_step_within_the_tolerance_above_a_nice_step_keeps_it():
    # 0.5 / (1 - 1e-9) times (1 - 1e-9) is 0.5 again in float64: the boundary of the 1e-9 tolerance
    assert nice_step(0.5 / (1 - 1e-9), 1) == 0.5


@pytest.mark.parametrize("span, target, step", [
    (0, 5, 1.0), (-2, 5, 1.0),                   # no span: a unit step
    (0.1, 5, 0.02), (1, 5, 0.2), (7, 5, 2),      # raw step 0.02, 0.2, 1.4
    (0.5, 1, 0.5), (1, 1, 1), (7, 1, 10),        # raw steps exactly 0.5 and 1 are kept; 7 goes up to 10
    (3, 0, 5), (30, 10, 5), (0.05, 1, 0.05),     # a target of 0 counts as 1
])
def test_nice_steps_are_the_next_one_two_or_five(span, target, step):
    assert nice_step(span, target) == pytest.approx(step, rel=1e-12)


def test_nice_ticks_cover_the_range_with_multiples_of_the_step():
    assert nice_ticks(0.2, 0.3) == [0.2, 0.22, 0.24, 0.26, 0.28, 0.3]
    assert nice_ticks(0.5, 0.5) == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    assert nice_ticks(0, 0) == [-0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6]
    assert nice_ticks(-3, -3) == [-5.0, -4.0, -3.0, -2.0, -1.0]
    assert nice_ticks(0.11, 0.49, target=2) == [0.0, 0.2, 0.4, 0.6]
    assert nice_ticks(0, 7, integer=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 1, integer=True) == [0, 1]


@pytest.mark.parametrize("value, step, label", [
    (0.45, 0.05, "0.45"), (0.4, 0.2, "0.4"), (3, 1, "3"), (10, 5, "10"), (0.4, 0.1, "0.4"), (2, 1 - 1e-15, "2"),
    (0.004, 0.001, "0.004"), (-0.001, 0.1, "0"), (1e-17, 0.2, "0"), (0, 1e-5, "0"),
    (4e-18, 1e-18, "4e-18"), (2.5e-5, 5e-6, "2.5e-5"), (-3e-7, 1e-7, "-3e-7"), (1e-5, 1e-6, "1.0e-5"), (1.1e-5, 1e-6, "1.1e-5"), (1e-19, 1e-18, "1e-19"),
    (1.5e-4, 5e-5, "1.5e-4"),
])
def test_tick_labels_have_just_enough_digits(value, step, label):
    assert tick_label(value, step) == label


@pytest.mark.parametrize("count, target, step", [
    (1, 10, 1), (2, 10, 1), (3, 10, 1), (21, 10, 2), (31, 10, 5), (51, 10, 5), (101, 10, 10), (21, 20, 1),
    (41, 4, 10), (3, 1, 2), (2, 1, 1), (1, 1, 1),
])
def test_integer_tick_steps_are_one_two_or_five_times_a_power_of_ten(count, target, step):
    assert integer_tick_step(count, target) == step


def test_integer_tick_steps_aim_at_ten_intervals_by_default():
    # 12 positions are 11 intervals: 1.1 goes up to 2 (aiming at 11 intervals would give 1)
    assert integer_tick_step(12) == 2
