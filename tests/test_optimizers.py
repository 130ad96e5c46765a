"""Training beyond one SGD step against real PyTorch (float64 tensors, torch.optim.SGD/RMSprop/Adam) as the
independent reference: every optimizer x batch size (1, 2, all) x reduction x weight-decay mode over two
epochs, the new parameters, the batch gradient and the optimizer state after every update; and
hand-computed values of a one-weight linear network."""
from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
import torch

from solver.api import problem_from_mapping, solve

W1 = [[0.15, -0.20], [0.25, 0.30]]
B1 = [0.35, -0.35]
W2 = [[0.40, -0.45]]
B2 = [0.60]
EXAMPLES = [([0.05, 0.10], [0.50]), ([0.90, -0.40], [0.20]), ([-0.30, 0.60], [0.90])]
HYPER = {"sgd": {}, "momentum": {"momentum": 0.9}, "nesterov": {"momentum": 0.8},
         "rmsprop": {"alpha": 0.9, "epsilon": 1e-6}, "adam": {"betas": [0.8, 0.95], "epsilon": 1e-7}}
DECAY = {"none": {}, "weights": {"weight_decay": 0.05}, "biases too": {"weight_decay": 0.05, "decay_biases": True}}
STATE_KEYS = {"momentum": {"velocity": "momentum_buffer"}, "nesterov": {"velocity": "momentum_buffer"},
              "rmsprop": {"square_average": "square_avg"},
              "adam": {"first_moment": "exp_avg", "second_moment": "exp_avg_sq"}}
LEARNING_RATE = 0.3


def _problem(optimizer: str, batch, reduction: str, decay: str, train_biases: bool = True) -> dict:
    return {
        "network": {"layers": [2, 2, 1], "activation": ["tanh", "sigmoid"], "train_biases": train_biases},
        "weights": [W1, W2], "biases": [B1, B2],
        "examples": [{"input": x, "target": t} for x, t in EXAMPLES],
        "loss": "mse", "learning_rate": LEARNING_RATE,
        "training": {"batch": batch, "reduction": reduction, "epochs": 2, "optimizer": optimizer,
                     **HYPER[optimizer], **DECAY[decay]},
    }


def _torch_optimizer(optimizer: str, weights, biases, decay: str, train_biases: bool):
    settings = DECAY[decay]
    wd = settings.get("weight_decay", 0.0)
    groups = [{"params": weights, "weight_decay": wd}]
    if train_biases:
        groups.append({"params": biases, "weight_decay": wd if settings.get("decay_biases") else 0.0})
    hyper = HYPER[optimizer]
    if optimizer in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(groups, lr=LEARNING_RATE, momentum=hyper.get("momentum", 0.0),
                               nesterov=optimizer == "nesterov")
    if optimizer == "rmsprop":
        return torch.optim.RMSprop(groups, lr=LEARNING_RATE, alpha=hyper["alpha"], eps=hyper["epsilon"])
    return torch.optim.Adam(groups, lr=LEARNING_RATE, betas=tuple(hyper["betas"]), eps=hyper["epsilon"])


def _torch_training(optimizer: str, batch, reduction: str, decay: str, train_biases: bool = True) -> list[dict]:
    """Per update: parameters after it, the gradient of the batch loss (before decay) and the optimizer state."""
    t = lambda values: torch.tensor(values, dtype=torch.float64)  # noqa: E731
    w1, b1, w2, b2 = (t(v).requires_grad_() for v in (W1, B1, W2, B2))
    if not train_biases:
        b1.requires_grad_(False)
        b2.requires_grad_(False)
    opt = _torch_optimizer(optimizer, [w1, w2], [b1, b2], decay, train_biases)
    size = len(EXAMPLES) if batch == "all" else batch
    updates = []
    for _ in range(2):
        for start in range(0, len(EXAMPLES), size):
            chunk = EXAMPLES[start:start + size]
            x = t([example[0] for example in chunk])
            target = t([example[1] for example in chunk])
            y = torch.sigmoid(torch.tanh(x @ w1.T + b1) @ w2.T + b2)
            per_example = 0.5 * ((y - target) ** 2).sum(dim=1)
            loss = per_example.mean() if reduction == "mean" else per_example.sum()
            opt.zero_grad()
            loss.backward()
            grads = [p.grad.clone() if p.grad is not None else None for p in (w1, w2, b1, b2)]
            opt.step()
            state = {}
            for ours, theirs in STATE_KEYS.get(optimizer, {}).items():
                state[ours] = [opt.state[p][theirs].clone() for p in (w1, w2) + ((b1, b2) if train_biases else ())]
            updates.append({"params": [p.detach().clone() for p in (w1, w2, b1, b2)], "grads": grads,
                            "state": state})
    return updates


def _close(ours, theirs, tolerance=1e-10):
    assert torch.allclose(torch.tensor(ours, dtype=torch.float64), theirs, rtol=tolerance, atol=1e-13), (ours, theirs)


CASES = [(optimizer, batch, reduction, decay)
         for optimizer, batch, reduction, decay in itertools.product(HYPER, (1, 2, "all"), ("mean", "sum"), DECAY)
         if batch != 1 or reduction == "mean"]


@pytest.mark.parametrize("optimizer,batch,reduction,decay", CASES)
def test_training_agrees_with_pytorch(optimizer, batch, reduction, decay):
    trace = solve(problem_from_mapping(_problem(optimizer, batch, reduction, decay))).to_json_dict()
    reference = _torch_training(optimizer, batch, reduction, decay)
    assert len(trace["steps"]) == len(reference) == 2 * {1: 3, 2: 2, "all": 1}[batch]
    for step, expected in zip(trace["steps"], reference):
        w1, w2, b1, b2 = expected["params"]
        _close(step["W_new"][0], w1)
        _close(step["W_new"][1], w2)
        _close(step["b_new"][0], b1)
        _close(step["b_new"][1], b2)
        data_W = step.get("batch_grad_W", step["grad_W"])
        data_b = step.get("batch_grad_b", step["grad_b"])
        g1, g2, gb1, gb2 = expected["grads"]
        _close(data_W[0], g1)
        _close(data_W[1], g2)
        _close(data_b[0], gb1)
        _close(data_b[1], gb2)
        state = step["optimizer"]["state_after"]
        assert state["step"] == step["step"]
        for name, tensors in expected["state"].items():
            ours = state[name]["W"] + state[name]["b"]
            for mine, theirs in zip(ours, tensors):
                _close(mine, theirs)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_fixed_biases_agree_with_pytorch(optimizer):
    trace = solve(problem_from_mapping(_problem(optimizer, 2, "mean", "weights", train_biases=False))).to_json_dict()
    reference = _torch_training(optimizer, 2, "mean", "weights", train_biases=False)
    for step, expected in zip(trace["steps"], reference):
        _close(step["W_new"][0], expected["params"][0])
        _close(step["W_new"][1], expected["params"][1])
        assert step["b_new"] == [B1, B2]
        for name, tensors in expected["state"].items():
            assert step["optimizer"]["state_after"][name]["b"] is None
            for mine, theirs in zip(step["optimizer"]["state_after"][name]["W"], tensors):
                _close(mine, theirs)


def _one_weight(**training) -> dict:
    """y = w x with w = 0.5 and no bias; for x = 1, t = 0 the loss 1/2 (w x - t)^2 has gradient w."""
    examples = training.pop("examples", [{"input": [1], "target": [0]}])
    rate = training.pop("learning_rate", 0.1)
    return {"network": {"layers": [1, 1], "activation": "identity", "bias": False}, "weights": [[[0.5]]],
            "examples": examples, "loss": "mse", "learning_rate": rate, "training": training}


def _weights(solution) -> list:
    return [step.exact.new.weights[0][0, 0] for step in solution.steps]


def test_momentum_by_hand():
    # v1 = g1 = 0.5, w1 = 0.45; g2 = 0.45, v2 = 0.9 * 0.5 + 0.45 = 0.9, w2 = 0.45 - 0.1 * 0.9 = 0.36
    solution = solve(problem_from_mapping(_one_weight(optimizer="momentum", momentum=0.9, epochs=2)))
    assert _weights(solution) == [Fraction("0.45"), Fraction("0.36")]
    assert solution.steps[1].exact.state_after.buffers["velocity"].weights[0][0, 0] == Fraction("0.9")


def test_nesterov_by_hand():
    # v1 = 0.5, change 0.1 (0.5 + 0.9 * 0.5) = 0.095, w1 = 0.405;
    # g2 = 0.405, v2 = 0.45 + 0.405 = 0.855, change 0.1 (0.405 + 0.7695) = 0.11745, w2 = 0.28755
    solution = solve(problem_from_mapping(_one_weight(optimizer="nesterov", momentum=0.9, epochs=2)))
    assert _weights(solution) == [Fraction("0.405"), Fraction("0.28755")]


def test_first_adam_step_moves_each_weight_by_about_the_learning_rate():
    # m_hat = g and v_hat = g^2 after one step, so the change is lr g / (|g| + eps) = lr sign(g) (1 - eps/|g|)
    problem = _problem("adam", 1, "mean", "none")
    solution = solve(problem_from_mapping(problem))
    first = solution.first
    for change, grad in zip(first.exact.change_W, first.exact.grad_W):
        for c, g in zip(change.ravel(), grad.ravel()):
            g = float(g)
            assert float(c) == pytest.approx(LEARNING_RATE * (1 if g > 0 else -1), rel=1e-3)
            assert float(c) == pytest.approx(LEARNING_RATE * g / (abs(g) + HYPER["adam"]["epsilon"]), rel=1e-12)


def test_rmsprop_first_step_by_hand():
    # s = 0.01 * 0.25 = 0.0025, sqrt(s) = 0.05, change = 0.1 * 0.5 / (0.05 + 1e-8)
    solution = solve(problem_from_mapping(_one_weight(optimizer="rmsprop")))
    assert solution.first.exact.state_after.buffers["square_average"].weights[0][0, 0] == Fraction("0.0025")
    assert float(_weights(solution)[0]) == pytest.approx(0.5 - 0.05 / 0.05000001, rel=1e-14)


def test_weight_decay_in_gradient_and_loss_by_hand():
    # g = 0.5 + 0.1 * 0.5 = 0.55, w = 0.5 - 0.1 * 0.55 = 0.445; loss 0.125 + 0.1 / 2 * 0.25 = 0.1375
    solution = solve(problem_from_mapping(_one_weight(weight_decay=0.1)))
    values = solution.first.exact
    assert values.grad_W[0][0, 0] == Fraction("0.55")
    assert _weights(solution) == [Fraction("0.445")]
    assert (values.data_loss, values.penalty, values.loss) == (Fraction("0.125"), Fraction("0.0125"),
                                                                Fraction("0.1375"))


@pytest.mark.parametrize("reduction,gradient", [("mean", Fraction("1.25")), ("sum", Fraction("2.5"))])
def test_full_batch_gradient_by_hand(reduction, gradient):
    # examples x = 1 and x = 2 with t = 0: per-example gradients w x^2 = 0.5 and 2.0
    examples = [{"input": [1], "target": [0]}, {"input": [2], "target": [0]}]
    solution = solve(problem_from_mapping(_one_weight(examples=examples, batch="all", reduction=reduction)))
    assert len(solution.steps) == 1
    assert solution.first.exact.grad_W[0][0, 0] == gradient
    assert _weights(solution) == [Fraction("0.5") - Fraction("0.1") * gradient]
