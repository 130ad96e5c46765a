"""Mistake models and follow-through in Mitchell's convention (delta = -dE/dz on the paper), the rule that
only answers on the paper are used, and a lecturer's own mistake model. Expected values are written out
from the sample network's formulas (see test_grade.Net)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from solver.exam import build_exam
from solver.grade import grade
from solver.mistakes import MISTAKES, MistakeCase, diagnose, mistake

from test_grade import SAMPLE, Net, versions


@pytest.fixture(scope="module")
def mitchell_exam(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mitchell")
    family = folder / "family.yaml"
    family.write_text(SAMPLE.read_text().replace("convention: descent", "convention: mitchell"))
    build_exam(family, 1, 1, folder / "exam", ("md",))
    return folder / "exam"


def responses(folder: Path, rows: list[list[str]]) -> Path:
    path = folder / "responses.csv"
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "version", "q1", "q2", "q3", "q4", "q5", "q6"])
        writer.writerows(rows)
    return path


def test_a_mitchell_delta_with_the_descent_sign_is_sign_and_later_work_follows_through(mitchell_exam, tmp_path):
    (code, net), = versions(mitchell_exam).items()
    y = net.output()
    delta = (net.t - y) * y * (1 - y)  # Mitchell: -dE/dz = (t - y) y (1 - y)
    assert round(delta, 3) == -0.124
    # a student writing delta_M = +0.124 (the descent sign) has dE/dz = -0.124: gradient and update flip
    wrong_way = -0.124
    gradient = net.W2[0] * wrong_way * net.hidden()[0] * (1 - net.hidden()[0]) * net.x[1]
    new = net.W2[0] - net.eta * wrong_way * net.hidden()[0]
    assert (round(gradient, 3), round(new, 3)) == (-0.005, 0.358)
    result = grade(mitchell_exam, responses(tmp_path, [
        ["right", code, "0.641", "0.146", "-0.124", "0.005", "0.241", "0.125"],
        ["flipped", code, "0.641", "0.146", "0.124", "-0.005", "0.358", ""],
    ]))
    statuses = [(r.student, r.question, r.status, r.diagnosis) for r in result.rows]
    assert statuses[:6] == [("right", f"q{n}", "correct", "") for n in range(1, 7)]
    assert statuses[6:] == [("flipped", "q1", "correct", ""), ("flipped", "q2", "correct", ""),
                            ("flipped", "q3", "wrong", "sign"), ("flipped", "q4", "follow_through", ""),
                            ("flipped", "q5", "follow_through", ""), ("flipped", "q6", "blank", "")]


def test_only_answers_on_the_paper_are_used(mitchell_exam, tmp_path):
    """A wrong loss with the output left blank is wrong (no earlier answer to follow from); a later answer
    never lends its value to an earlier question."""
    (code, net), = versions(mitchell_exam).items()
    assert round(net.loss(0.5), 3) == 0.080
    result = grade(mitchell_exam, responses(tmp_path, [
        ["blank_output", code, "", "0.080", "", "", "", ""],
        ["late_slip", code, "0.641", "0.146", "-0.124", "0.005", "0.300", "0.129"],
    ]))
    rows = {(r.student, r.question): r for r in result.rows}
    assert rows[("blank_output", "q2")].status == "wrong"
    assert rows[("late_slip", "q5")].status == "wrong"
    # the loss after from the new W2[1,1] = 0.300 (every other parameter updated correctly)
    delta = -(-0.124)
    h = net.hidden()
    W1 = [[net.W1[j][k] - net.eta * net.W2[j] * delta * h[j] * (1 - h[j]) * net.x[k] for k in range(2)]
          for j in range(2)]
    W1[0][1] = net.W1[0][1] - net.eta * 0.005
    b1 = [net.b1[j] - net.eta * net.W2[j] * delta * h[j] * (1 - h[j]) for j in range(2)]
    after = net.loss(net.output(net.hidden(W1, b1), [0.300, net.W2[1] - net.eta * delta * h[1]],
                                net.b2 - net.eta * delta))
    assert round(after, 3) == 0.129
    assert rows[("late_slip", "q6")].status == "follow_through"


def test_a_lecturer_adds_a_mistake_with_one_function(mitchell_exam):
    from solver.grade import load_exam_key

    graph = next(iter(load_exam_key(mitchell_exam).versions.values())).graph
    case = MistakeCase(graph, (1, "loss"), {})
    assert diagnose(case, 0.146 * 4, 0.0005) == ""

    @mistake
    def loss_times_four(case):
        """Four times the loss."""
        return 4 * case.own if case.kind == "loss" else None

    try:
        assert MISTAKES[-1].name == "loss_times_four" and MISTAKES[-1].description == "Four times the loss."
        assert diagnose(case, round(4 * case.own, 3), 0.0005) == "loss_times_four"
    finally:
        MISTAKES.pop()


def test_the_registry_order_is_the_documented_one():
    assert [m.name for m in MISTAKES] == [
        "target_minus_output", "sign", "missing_derivative", "missing_half", "updated_weights_in_backward",
        "learning_rate_missing", "learning_rate_twice", "batch_sum_for_mean", "decay_left_out",
        "bias_correction_left_out", "activation_for_preactivation", "rounding"]
    assert [m.tolerance_factor for m in MISTAKES][-1] == 10
