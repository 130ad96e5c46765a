"""Exam questions about training beyond one SGD step (velocity, moment, batch_gradient, the new weight under
any optimizer), against real PyTorch (float64) as the independent reference; their validation; a whole exam
with such questions."""
from __future__ import annotations

import pytest
import torch
import yaml

from solver.answers import answer_question
from solver.api import problem_from_mapping, solve
from solver.errors import ProblemError
from solver.exam import build_exam
from solver.families import QuestionSpec, load_family

W1 = [[0.15, -0.20], [0.25, 0.30]]
B1 = [0.35, -0.35]
W2 = [[0.40, -0.45]]
B2 = [0.60]
EXAMPLES = [([0.05, 0.10], [0.50]), ([0.90, -0.40], [0.20])]
RATE = 0.5


def _problem(training: dict) -> dict:
    return {"network": {"layers": [2, 2, 1], "activation": "sigmoid"}, "weights": [W1, W2], "biases": [B1, B2],
            "examples": [{"input": x, "target": t} for x, t in EXAMPLES], "loss": "mse", "learning_rate": RATE,
            "training": {"epochs": 2, **training}}


def _torch_updates(make_optimizer, batch: int, decay: float = 0.0) -> list[dict]:
    """Per update: each parameter's gradient of the batch loss (mean, before decay), new value and state."""
    w1, b1, w2, b2 = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (W1, B1, W2, B2))
    opt = make_optimizer([{"params": [w1, w2], "weight_decay": decay}, {"params": [b1, b2], "weight_decay": 0.0}])
    updates = []
    for _ in range(2):
        for start in range(0, len(EXAMPLES), batch):
            chunk = EXAMPLES[start:start + batch]
            x = torch.tensor([c[0] for c in chunk], dtype=torch.float64)
            t = torch.tensor([c[1] for c in chunk], dtype=torch.float64)
            y = torch.sigmoid(torch.sigmoid(x @ w1.T + b1) @ w2.T + b2)
            loss = (0.5 * ((y - t) ** 2).sum(dim=1)).mean()
            opt.zero_grad()
            loss.backward()
            grad = w2.grad[0, 0].item()
            opt.step()
            state = {name: value.clone() for name, value in opt.state[w2].items()}  # step() updates them in place
            updates.append({"grad": grad, "new": w2[0, 0].item(), "state": state})
    return updates


def _answer(solution, **question) -> float:
    answered = answer_question(QuestionSpec.model_validate({"id": "q", **question}), solution)
    assert len(answered.answers) == 1
    return answered.answers[0].value


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_velocity_and_new_weight_under_momentum_agree_with_pytorch(step):
    solution = solve(problem_from_mapping(_problem({"optimizer": "momentum", "momentum": 0.9})))
    reference = _torch_updates(lambda groups: torch.optim.SGD(groups, lr=RATE, momentum=0.9), batch=1)[step - 1]
    velocity = reference["state"]["momentum_buffer"][0, 0].item()
    assert _answer(solution, ask="velocity", parameter="W2[1,1]", step=step) == pytest.approx(velocity, rel=1e-12)
    assert _answer(solution, ask="new_weight", parameter="W2[1,1]", step=step) == pytest.approx(reference["new"],
                                                                                              rel=1e-12)


@pytest.mark.parametrize("moment,key", [("first", "exp_avg"), ("second", "exp_avg_sq")])
def test_adam_moments_batch_gradient_and_new_weight_agree_with_pytorch(moment, key):
    solution = solve(problem_from_mapping(_problem({"optimizer": "adam", "batch": "all", "weight_decay": 0.1})))
    updates = _torch_updates(lambda groups: torch.optim.Adam(groups, lr=RATE), batch=2, decay=0.1)
    for step, reference in enumerate(updates, 1):
        assert _answer(solution, ask="moment", moment=moment, parameter="W2[1,1]", step=step) == pytest.approx(
            reference["state"][key][0, 0].item(), rel=1e-12)
        assert _answer(solution, ask="batch_gradient", parameter="W2[1,1]", step=step) == pytest.approx(
            reference["grad"], rel=1e-12)
        assert _answer(solution, ask="new_weight", parameter="W2[1,1]", step=step) == pytest.approx(
            reference["new"], rel=1e-12)


def test_questions_about_later_updates_name_the_update():
    solution = solve(problem_from_mapping(_problem({"optimizer": "momentum", "momentum": 0.9})))
    answered = answer_question(QuestionSpec.model_validate(
        {"id": "q", "ask": "velocity", "parameter": "W2[1,1]", "step": 3}), solution)
    assert answered.prompt == "Update 3: Compute the velocity $v(w^{(2)}_{1,1})$ after the update."


def test_bias_corrected_moments_by_hand():
    # after the first update m_hat = g and v_hat = g^2 exactly (1 - beta^1 cancels 1 - beta)
    solution = solve(problem_from_mapping(_problem({"optimizer": "adam", "batch": "all"})))
    g = _answer(solution, ask="gradient", parameter="W2[1,1]")
    assert _answer(solution, ask="moment", moment="first_corrected", parameter="W2[1,1]") == pytest.approx(g, rel=1e-12)
    assert _answer(solution, ask="moment", moment="second_corrected", parameter="W2[1,1]") == pytest.approx(
        g * g, rel=1e-12)


def test_rmsprop_second_moment_is_its_square_average():
    solution = solve(problem_from_mapping(_problem({"optimizer": "rmsprop", "alpha": 0.9})))
    g = _answer(solution, ask="gradient", parameter="W2[1,1]")
    assert _answer(solution, ask="moment", moment="second", parameter="W2[1,1]") == pytest.approx(0.1 * g * g,
                                                                                               rel=1e-12)


def _family(tmp_path, training: dict, questions: list[dict]):
    family = {**_problem(training), "weights": [W1, [[{"range": [0.3, 0.5], "step": 0.1}, -0.45]]],
              "rounding": {"significant": 4}, "questions": questions}
    path = tmp_path / "family.yaml"
    path.write_text(yaml.safe_dump(family, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("training,question,message", [
    ({"optimizer": "adam"}, {"ask": "velocity", "parameter": "W2[1,1]"},
     "velocity needs training.optimizer momentum or nesterov, not adam"),
    ({"optimizer": "rmsprop"}, {"ask": "moment", "moment": "first", "parameter": "W2[1,1]"},
     "moment first is not kept by optimizer rmsprop (it keeps: second)"),
    ({"optimizer": "sgd"}, {"ask": "moment", "moment": "second", "parameter": "W2[1,1]"},
     "(use adam or rmsprop)"),
])
def test_questions_about_state_the_optimizer_does_not_keep_are_refused(tmp_path, training, question, message):
    path = _family(tmp_path, training, [{"id": "q1", **question}])
    with pytest.raises(ProblemError) as caught:
        load_family(path)
    assert caught.value.path == "questions[0].ask"
    assert message in caught.value.message


def test_moment_question_needs_its_moment(tmp_path):
    path = _family(tmp_path, {"optimizer": "adam"}, [{"id": "q1", "ask": "moment", "parameter": "W2[1,1]"}])
    with pytest.raises(ProblemError, match="ask: moment needs 'moment'"):
        load_family(path)


def test_an_exam_with_training_questions_marks_them_in_the_worked_key(tmp_path):
    questions = [{"id": "q1", "ask": "velocity", "parameter": "W2[1,1]"},
                 {"id": "q2", "ask": "new_weight", "parameter": "W2[1,1]", "step": 2},
                 {"id": "q3", "ask": "batch_gradient", "parameter": "W2[1,1]"}]
    path = _family(tmp_path, {"optimizer": "momentum", "momentum": 0.9}, questions)
    out = tmp_path / "exam"
    build_exam(path, 2, 7, out, formats=("md",))
    answers = (out / "answers.csv").read_text(encoding="utf-8").splitlines()
    assert len(answers) == 1 + 2 * 3
    worked = next(out.glob("worked/*/handout.md")).read_text(encoding="utf-8")
    assert "v(w^{(2)}_{1,1})" in worked and "[q1]" in worked


def test_a_batch_key_marks_the_batch_loss_before_and_after_on_their_own_lines(tmp_path):
    questions = [{"id": "q1", "ask": "loss"}, {"id": "q2", "ask": "loss_after"}]
    path = _family(tmp_path, {"batch": "all", "optimizer": "sgd"}, questions)
    out = tmp_path / "exam"
    build_exam(path, 1, 7, out, formats=("md",))
    worked = next(out.glob("worked/*/handout.md")).read_text(encoding="utf-8")
    marked = {label: [line for line in worked.splitlines() if f"[{label}]" in line] for label in ("q1", "q2")}
    assert len(marked["q1"]) == 1 and "\\sum_{d \\in B}" in marked["q1"][0] and "'" not in marked["q1"][0]
    assert len(marked["q2"]) == 1 and "\\sum_{d \\in B} \\mathcal{L}_d'" in marked["q2"][0]


def test_the_second_momentum_update_is_worked_in_full_with_pytorchs_numbers():
    """The shipped momentum problem: W1[1,1]'s second update substituted, every number from PyTorch (SGD with
    momentum 0.9, float64) at the handout's 4 significant figures: v2 = 0.9 v1 + g2, w'' = w' - 0.5 v2."""
    from pathlib import Path

    from solver.build import render_outputs
    from solver.spec import load_problem

    root = Path(__file__).resolve().parent.parent
    data = yaml.safe_load((root / "problems" / "training_momentum_2_2_1.yaml").read_text())
    (w1, w2), (b1, b2) = data["weights"], data["biases"]
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w1, b1, w2, b2)]
    opt = torch.optim.SGD(params, lr=0.5, momentum=0.9)
    trace = []
    for example in data["examples"]:
        x, t = (torch.tensor(example[k], dtype=torch.float64) for k in ("input", "target"))
        y = torch.sigmoid(params[2] @ torch.sigmoid(params[0] @ x + params[1]) + params[3])
        opt.zero_grad()
        (0.5 * ((y - t) ** 2).sum()).backward()
        gradient = params[0].grad[0, 0].item()
        opt.step()
        trace.append((gradient, opt.state[params[0]]["momentum_buffer"][0, 0].item(), params[0][0, 0].item()))
    (_, v1, new1), (g2, v2, new2) = trace
    assert [f"{value:.4g}" for value in (v1, g2, v2, new1, new2)] == [
        "0.0002266", "0.0009664", "0.00117", "0.1499", "0.1493"]  # the handout pads 0.00117 to 4 figures
    markdown = render_outputs(solve(load_problem(root / "problems" / "training_momentum_2_2_1.yaml")),
                              ("md",))["handout.md"]
    assert (r"v(w^{(1)}_{1,1}) &= 0.9 \cdot 0.0002266 + 0.0009664 \approx 0.001170 & {w^{(1)}_{1,1}}' &= "
            r"0.1499 - 0.5 \cdot 0.001170 \approx \boxed{0.1493}") in markdown
    # next to plain SGD's step -eta g2: the change w'' - w' (exact, at 4 figures) and their ratio v2 / g2 at 3
    assert f"{-0.5 * g2:.4g}" == "-0.0004832" and f"{new2 - new1:.4g}" == "-0.0005852" and f"{v2 / g2:.3g}" == "1.21"
    assert ("Plain SGD would change $w^{(1)}_{1,1}$ by $-\\eta \\, g \\approx -0.0004832$; SGD with momentum changes "
            "it by $-0.0005852$, 1.21 times as much.") in markdown
