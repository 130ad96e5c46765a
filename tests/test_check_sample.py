"""The finite-difference check of a large network takes a seeded sample of its parameters: the trace and the
handout state the sample, and a wrong gradient in the sample is still caught."""
from __future__ import annotations

import re

import numpy as np
import pytest

from solver import api
from solver.api import build_network, problem_from_mapping, solve
from solver.build import render_outputs
from solver.check import checked_parameters
from solver.errors import VerificationError


def sigmoid_network(layers: list[int]) -> dict:
    """A sigmoid/MSE problem with weights and biases drawn uniformly from [-0.5, 0.5] (2 decimals)."""
    rng = np.random.default_rng(3)
    pairs = list(zip(layers, layers[1:]))
    return {"network": {"layers": layers}, "loss": "mse", "learning_rate": 0.5,
            "weights": [np.round(rng.uniform(-0.5, 0.5, (rows, cols)), 2).tolist() for cols, rows in pairs],
            "biases": [np.round(rng.uniform(-0.5, 0.5, rows), 2).tolist() for _, rows in pairs],
            "input": np.round(rng.uniform(-1, 1, layers[0]), 2).tolist(), "target": [0.5] * layers[-1],
            "options": {"chain": [len(layers) - 1, 1, 1]}}


LARGE = [8, 16, 16, 4]  # 8*16 + 16 + 16*16 + 16 + 16*4 + 4 = 484 parameters


def test_a_network_of_up_to_200_parameters_checks_every_one():
    problem = problem_from_mapping(sigmoid_network([4, 12, 8, 3]))  # 60 + 104 + 27 = 191 parameters
    check = solve(problem).to_json_dict()["steps"][0]["check"]
    assert (check["parameters_checked"], check["parameters_total"], check["sample"]) == (191, 191, None)


def test_a_large_network_checks_a_seeded_sample_of_200_stated_in_the_trace_and_the_handout():
    problem = problem_from_mapping(sigmoid_network(LARGE))
    solution = solve(problem)
    check = solution.to_json_dict()["steps"][0]["check"]
    assert (check["parameters_checked"], check["parameters_total"], check["sample"]["seed"]) == (200, 484, 14)
    every = [ref.key for ref in build_network(problem.spec).parameters()]
    sample = check["sample"]["parameters"]
    assert len(set(sample)) == 200 and sample == [key for key in every if key in set(sample)]  # network order
    assert {key[:2] for key in sample} == {"W1", "W2", "W3", "b1", "b2", "b3"}
    assert solve(problem).to_json_dict()["steps"][0]["check"]["sample"] == check["sample"]  # the same every run
    markdown = render_outputs(solution, ("md",))["handout.md"]
    assert ("This network has 484 parameters, so a random sample of 200 of them (drawn with seed 14, the same in "
            "every run) is checked this way") in markdown
    assert "relative error of every sampled parameter and leaves them blank for the others" in markdown
    summary_rows = [line.split("|")[1:-1] for line in markdown.splitlines() if line.count("|") == 8]
    parameter_rows = [cells for cells in summary_rows if cells[0].startswith((" $w", " $b"))]
    assert len(parameter_rows) == 484
    assert sum([c.strip() for c in cells[3:5]] == ["", ""] for cells in parameter_rows) == 284  # not sampled


def _corrupt(monkeypatch, key: str, amount: float) -> None:
    """Every step's backpropagated gradient of the parameter ``key`` is off by the factor 1 + amount."""
    real = api.train_batch

    def corrupted(*args, **kwargs):
        values = real(*args, **kwargs)
        ref = next(ref for ref in build_network(problem_from_mapping(sigmoid_network(LARGE)).spec).parameters()
                   if ref.key == key)
        array = values.grad_W[ref.layer - 1] if ref.kind == "weight" else values.grad_b[ref.layer - 1]
        array[ref.indices] *= 1 + amount
        return values

    monkeypatch.setattr(api, "train_batch", corrupted)


@pytest.mark.parametrize("position", [0, 99, 199])
def test_a_wrong_gradient_of_a_sampled_parameter_is_caught(monkeypatch, position):
    problem = problem_from_mapping(sigmoid_network(LARGE))
    key = checked_parameters(build_network(problem.spec))[position].key
    _corrupt(monkeypatch, key, 1e-3)
    with pytest.raises(VerificationError, match=rf"gradient check failed for {re.escape(key)}: backprop"):
        solve(problem)
