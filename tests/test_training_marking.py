"""Marking training questions (batch gradient, velocity, Adam's moments, the new weight under any optimizer,
with weight decay) with follow-through and diagnoses. The key values come from real PyTorch (float64), the
follow-through values from the optimizers' formulas written out here by hand."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
import torch
import yaml

from solver.exam import build_exam
from solver.grade import grade

W1 = [[0.15, -0.20], [0.25, 0.30]]
B1 = [0.35, -0.35]
W2 = [[0.40, -0.45]]
B2 = [0.60]
EXAMPLES = [([0.05, 0.10], [0.50]), ([0.90, -0.40], [0.20])]
ETA, MU, DECAY = 0.5, 0.9, 0.1


def family(tmp_path: Path, training: dict, questions: list[dict]) -> Path:
    """A family with one version (the learning rate is its only rule, drawn from one value)."""
    data = {"title": "Training quiz", "network": {"layers": [2, 2, 1], "activation": "sigmoid"},
            "weights": [W1, W2], "biases": [B1, B2], "loss": "mse", "learning_rate": {"choice": [ETA]},
            "examples": [{"input": x, "target": t} for x, t in EXAMPLES], "training": training,
            "rounding": {"decimals": 4}, "questions": questions}
    path = tmp_path / "family.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def torch_w2(make_optimizer, batch: int, decay: float, updates: int) -> list[dict]:
    """Per update of W2[1,1]: the data gradient (mean over the batch), the full gradient, the state and the
    new value, from PyTorch."""
    w1, b1, w2, b2 = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (W1, B1, W2, B2))
    opt = make_optimizer([{"params": [w1, w2], "weight_decay": decay}, {"params": [b1, b2], "weight_decay": 0.0}])
    found = []
    while len(found) < updates:
        for start in range(0, len(EXAMPLES), batch):
            x = torch.tensor([e[0] for e in EXAMPLES[start:start + batch]], dtype=torch.float64)
            t = torch.tensor([e[1] for e in EXAMPLES[start:start + batch]], dtype=torch.float64)
            y = torch.sigmoid(torch.sigmoid(x @ w1.T + b1) @ w2.T + b2)
            opt.zero_grad()
            (0.5 * ((y - t) ** 2).sum(dim=1)).mean().backward()
            data = w2.grad[0, 0].item()
            before = w2[0, 0].item()
            opt.step()
            state = {name: value.clone() for name, value in opt.state[w2].items()}
            found.append({"data": data, "gradient": data + decay * before, "before": before,
                          "new": w2[0, 0].item(), "state": state})
    return found[:updates]


def mark(exam: Path, tmp_path: Path, rows: dict[str, list[str]]) -> dict[str, list[tuple[str, str, str]]]:
    """Grade one row per student (answers in paper order); (question, status, diagnosis) per student."""
    manifest = json.loads((exam / "manifest.json").read_text())
    code = manifest["versions"][0]["code"]
    header = (exam / "responses_template.csv").read_text().strip().split(",")
    path = tmp_path / "responses.csv"
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for student, cells in rows.items():
            writer.writerow([student, code, *cells])
    result = grade(exam, path)
    found: dict[str, list[tuple[str, str, str]]] = {}
    for row in result.rows:
        found.setdefault(row.student, []).append((row.question, row.status, row.diagnosis))
    return found


def key(exam: Path) -> list[float]:
    """The key's full-precision answers, in paper order."""
    with open(exam / "answers.csv", newline="") as stream:
        return [float(r["answer"]) for r in csv.DictReader(stream)]


@pytest.fixture(scope="module")
def momentum_exam(tmp_path_factory):
    """A full batch of 2 (mean), momentum 0.9 and weight decay 0.1 on the weights, two updates."""
    folder = tmp_path_factory.mktemp("momentum")
    questions = [{"id": "g", "points": 1, "ask": "batch_gradient", "parameter": "W2[1,1]"},
                 {"id": "gd", "points": 1, "ask": "gradient", "parameter": "W2[1,1]"},
                 {"id": "v", "points": 1, "ask": "velocity", "parameter": "W2[1,1]"},
                 {"id": "w", "points": 1, "ask": "new_weight", "parameter": "W2[1,1]"},
                 {"id": "v2", "points": 1, "ask": "velocity", "parameter": "W2[1,1]", "step": 2}]
    training = {"batch": "all", "epochs": 2, "optimizer": "momentum", "momentum": MU, "weight_decay": DECAY}
    exam = folder / "exam"
    build_exam(family(folder, training, questions), 1, 1, exam, ("md",))
    reference = torch_w2(lambda groups: torch.optim.SGD(groups, lr=ETA, momentum=MU), 2, DECAY, 2)
    return exam, reference


def test_the_momentum_key_is_pytorchs(momentum_exam):
    exam, (first, second) = momentum_exam
    assert key(exam) == pytest.approx([
        first["data"], first["gradient"], first["state"]["momentum_buffer"][0, 0].item(), first["new"],
        second["state"]["momentum_buffer"][0, 0].item()], rel=1e-12)


def test_a_slip_in_the_batch_gradient_follows_through_the_velocity_and_the_new_weight(momentum_exam, tmp_path):
    exam, (first, second) = momentum_exam
    slipped = round(first["data"], 4) + 0.05
    gradient = slipped + DECAY * W2[0][0]  # g + lambda w, with the student's g
    velocity = gradient  # v1 = mu * 0 + g
    new = W2[0][0] - ETA * velocity
    marks = mark(exam, tmp_path, {"slip": [f"{slipped:.4f}", f"{gradient:.4f}", f"{velocity:.4f}", f"{new:.4f}", ""]})
    assert marks["slip"] == [("g", "wrong", ""), ("gd", "follow_through", ""), ("v", "follow_through", ""),
                             ("w", "follow_through", ""), ("v2", "blank", "")]


def test_the_batch_summed_and_the_decay_left_out_are_diagnosed(momentum_exam, tmp_path):
    exam, (first, second) = momentum_exam
    summed = 2 * first["data"]  # the sum of the two example gradients, where their mean was asked
    without_decay = first["data"]  # the gradient asked with lambda w, answered without it
    marks = mark(exam, tmp_path, {"sum": [f"{summed:.4f}", "", "", "", ""],
                                  "no_decay": ["", f"{without_decay:.4f}", "", "", ""]})
    assert marks["sum"][0] == ("g", "wrong", "batch_sum_for_mean")
    assert marks["no_decay"][1] == ("gd", "wrong", "decay_left_out")


def test_the_second_velocity_follows_through_from_the_first(momentum_exam, tmp_path):
    """A wrong v1 carried on: W2[1,1] after the update is not answered, so it is w - eta v1 with the student's
    v1, and v2 = mu v1 + g2 at that weight. PyTorch redoes update 2 from the student's v1 and weight."""
    exam, (first, second) = momentum_exam
    v1 = round(first["state"]["momentum_buffer"][0, 0].item(), 4) + 0.02
    w1, b1, w2, b2 = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (W1, B1, W2, B2))
    opt = torch.optim.SGD([{"params": [w1, w2], "weight_decay": DECAY}, {"params": [b1, b2], "weight_decay": 0.0}],
                          lr=ETA, momentum=MU)
    x = torch.tensor([e[0] for e in EXAMPLES], dtype=torch.float64)
    t = torch.tensor([e[1] for e in EXAMPLES], dtype=torch.float64)
    for update in (1, 2):
        opt.zero_grad()
        (0.5 * ((torch.sigmoid(torch.sigmoid(x @ w1.T + b1) @ w2.T + b2) - t) ** 2).sum(dim=1)).mean().backward()
        opt.step()
        if update == 1:
            with torch.no_grad():
                opt.state[w2]["momentum_buffer"][0, 0] = v1
                w2[0, 0] = W2[0][0] - ETA * v1
    v2 = opt.state[w2]["momentum_buffer"][0, 0].item()
    marks = mark(exam, tmp_path, {"carry": ["", "", f"{v1:.4f}", "", f"{v2:.4f}"]})
    assert marks["carry"][2] == ("v", "wrong", "") and marks["carry"][4] == ("v2", "follow_through", "")


@pytest.fixture(scope="module")
def adam_exam(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adam")
    questions = [{"id": "m", "points": 1, "ask": "moment", "parameter": "W2[1,1]", "moment": "first"},
                 {"id": "w", "points": 1, "ask": "new_weight", "parameter": "W2[1,1]"}]
    exam = folder / "exam"
    build_exam(family(folder, {"optimizer": "adam"}, questions), 1, 1, exam, ("md",))
    reference = torch_w2(lambda groups: torch.optim.Adam(groups, lr=ETA), 1, 0.0, 1)
    return exam, reference


def test_adam_without_bias_correction_is_diagnosed(adam_exam, tmp_path):
    """Step 1 from zero moments: m = 0.1 g, v = 0.001 g^2, so the corrected step is eta g / (|g| + eps), about
    eta; without the correction it is eta 0.1 g / (sqrt(0.001) |g| + eps), about 3.1623 eta."""
    exam, (first,) = adam_exam
    g = first["data"]
    assert key(exam) == pytest.approx([first["state"]["exp_avg"][0, 0].item(), first["new"]], rel=1e-12)
    assert first["state"]["exp_avg"][0, 0].item() == pytest.approx(0.1 * g, rel=1e-12)
    uncorrected = W2[0][0] - ETA * (0.1 * g) / (math.sqrt(0.001 * g * g) + 1e-8)
    assert uncorrected == pytest.approx(W2[0][0] - ETA * math.copysign(1 / math.sqrt(0.1), g), rel=1e-4)  # eps aside
    slipped = round(0.1 * g, 4) + 0.01
    carried = W2[0][0] - ETA * (slipped / 0.1) / (math.sqrt(0.001 * g * g / 0.001) + 1e-8)  # v-hat is the key's
    marks = mark(exam, tmp_path, {"no_correction": ["", f"{uncorrected:.4f}"],
                                  "slip": [f"{slipped:.4f}", f"{carried:.4f}"]})
    assert marks["no_correction"][1] == ("w", "wrong", "bias_correction_left_out")
    assert marks["slip"] == [("m", "wrong", ""), ("w", "follow_through", "")]


@pytest.mark.parametrize("name", sorted(p.name for p in (Path(__file__).resolve().parent.parent / "problems")
                                        .glob("training_*.yaml")))
def test_the_graph_gives_every_number_of_every_shipped_training_problem(name):
    """Every example's activations and deltas, the batch loss before and after, the batch gradient, the gradient,
    every optimizer state and every new parameter of every update, from the graph's own expressions."""
    from solver.api import load_problem, solve
    from solver.dependencies import QuantityGraph, example_tag

    solution = solve(load_problem(Path(__file__).resolve().parent.parent / "problems" / name))
    graph = QuantityGraph(solution)
    for step in solution.steps:
        values, k = step.exact, step.index
        expected = {(k, "loss"): values.loss, (k, "loss_after"): values.loss_after}
        for ref in solution.network.parameters():
            expected[(k, "new", ref.key)] = ref.entry(values.new.weights, values.new.biases)
            expected[(k, "gradient", ref.key)] = ref.entry(values.grad.weights, values.grad.biases)
            expected[(k, "batch_gradient", ref.key)] = ref.entry(values.data_grad.weights, values.data_grad.biases)
            for buffer, state in [*values.state_after.buffers.items(), *values.derived.items()]:
                if ref.kind == "weight" or state.biases is not None:
                    expected[(k, "state", buffer, ref.key)] = ref.entry(state.weights, state.biases)
        for example, example_values in enumerate(values.passes, 1):
            tag = example_tag(example)
            for l, layer in enumerate(example_values.forward.layers, 1):
                expected.update({(k, "a" + tag, l, j): a for j, a in enumerate(layer.a, 1)})
                expected.update({(k, "delta" + tag, l, j): d for j, d in enumerate(example_values.deltas[l - 1], 1)})
        assert len(expected) > 10
        for key_, value in expected.items():
            assert graph.value(key_) == pytest.approx(float(value), rel=1e-12, abs=1e-15), key_
