"""The setup section's training glossary and examples sentence, pinned as whole literal rows (each row is the
meaning a student reads for a symbol; expected text written from the optimizers' definitions)."""
from __future__ import annotations

import pytest

from seed001_problem import SEED001
from solver.api import problem_from_mapping, solve
from solver.sections import build_handout

THREE = [{"input": [0.05, 0.10], "target": [0.50]}, {"input": [0.10, 0.05], "target": [0.25]},
         {"input": [0.20, 0.30], "target": [0.75]}]
"""Three examples on seed 001's network (E is its loss symbol, w_1 ... its weights)."""
PROBLEM = {key: value for key, value in SEED001.items() if key not in ("input", "target")}

SQUARED = "squared error (with the factor 1/2)"
GENERAL = [("\\eta", "learning rate")]


def setup(training: dict, examples=THREE):
    return build_handout(solve(problem_from_mapping({**PROBLEM, "examples": examples, "training": training}))) \
        .records["setup"]


def training_rows(record) -> list[tuple[str, str]]:
    """The rows from the learning rate on: the training glossary."""
    rows = record.glossary
    return rows[[symbol for symbol, _ in rows].index("\\eta"):]


@pytest.mark.parametrize("training, loss_rows, rows", [
    ({"batch": 1, "optimizer": "momentum", "momentum": 0.9},
     [("E", f"loss: {SQUARED}"), ("E_d", f"loss of example d: {SQUARED}")],
     [("\\theta", "any trained parameter (a weight or a bias)"),
      ("g", "gradient of the example's loss by the parameter"),
      ("\\mu", "momentum coefficient"), ("v", "velocity: the decayed sum of past gradients"),
      ("t", "update count: 1 at the first update")]),
    ({"batch": 2, "optimizer": "adam", "weight_decay": 0.01, "decay_biases": True},
     [("E", "batch loss: the mean of the examples' losses, plus the weight-decay penalty"),
      ("E_d", f"loss of example d of the batch: {SQUARED}")],
     [("\\theta", "any trained parameter (a weight or a bias)"),
      ("g", "gradient of the batch loss by the parameter (with the decay term)"),
      ("B", "the batch (the examples of one update)"), ("E_{\\text{data}}", "the loss without the penalty"),
      ("\\lambda", "weight-decay coefficient (weights and biases)"),
      ("\\beta_1, \\beta_2", "decay rates of the moments"),
      ("m, v", "moments: running averages of the gradient and its square"),
      ("\\hat{m}, \\hat{v}", "bias-corrected moments"), ("\\epsilon", "keeps the denominator above 0"),
      ("t", "update count: 1 at the first update")]),
    ({"batch": 1, "optimizer": "rmsprop", "weight_decay": 0.01},
     [("E", f"loss: {SQUARED}, plus the weight-decay penalty"), ("E_d", f"loss of example d: {SQUARED}")],
     [("\\theta", "any trained parameter (a weight or a bias)"),
      ("g", "gradient of the example's loss by the parameter (with the decay term)"),
      ("E_{\\text{data}}", "the loss without the penalty"), ("\\lambda", "weight-decay coefficient (weights only)"),
      ("\\alpha", "smoothing constant"), ("s", "running average of the squared gradient"),
      ("\\epsilon", "keeps the denominator above 0"), ("t", "update count: 1 at the first update")]),
    ({"batch": 3, "reduction": "sum", "optimizer": "nesterov", "momentum": 0.5},
     [("E", "batch loss: the sum of the examples' losses"), ("E_d", f"loss of example d of the batch: {SQUARED}")],
     [("\\theta", "any trained parameter (a weight or a bias)"), ("g", "gradient of the batch loss by the parameter"),
      ("B", "the batch (the examples of one update)"), ("\\mu", "momentum coefficient"),
      ("v", "velocity: the decayed sum of past gradients"), ("t", "update count: 1 at the first update")]),
    ({"batch": 2},  # plain SGD over a batch: no state, no update count
     [("E", "batch loss: the mean of the examples' losses"), ("E_d", f"loss of example d of the batch: {SQUARED}")],
     [("\\theta", "any trained parameter (a weight or a bias)"), ("g", "gradient of the batch loss by the parameter"),
      ("B", "the batch (the examples of one update)")]),
    ({"batch": 1},  # plain per-example SGD: no training glossary
     [("E", f"loss: {SQUARED}"), ("E_d", f"loss of example d: {SQUARED}")], []),
], ids=["momentum", "adam-batch-decay-biases", "rmsprop-decay", "nesterov-sum", "sgd-batch", "sgd"])
def test_the_glossary_names_every_training_symbol_the_handout_uses(training, loss_rows, rows):
    record = setup(training)
    glossary = record.glossary
    loss_at = [symbol for symbol, _ in glossary].index("E")
    assert glossary[loss_at:loss_at + 2] == loss_rows
    assert training_rows(record) == GENERAL + rows


def test_one_example_needs_no_example_loss_symbol():
    record = build_handout(solve(problem_from_mapping(SEED001))).records["setup"]
    assert ("E", f"loss: {SQUARED}") in record.glossary
    assert "E_d" not in dict(record.glossary) and training_rows(record) == GENERAL


@pytest.mark.parametrize("training, examples, sentence", [
    ({"batch": 1, "epochs": 2}, THREE, "The training examples, used in this order (3 SGD updates per epoch, 2 epochs):"),
    ({"batch": 1, "epochs": 1, "optimizer": "momentum", "momentum": 0.9}, THREE[:2],
     "The training examples, used in this order (2 momentum updates per epoch):"),
    ({"batch": 1, "epochs": 3, "optimizer": "adam"}, THREE[:1] + THREE[:1],
     "The training examples, used in this order (2 Adam updates per epoch, 3 epochs):"),
    ({"batch": 2, "epochs": 2, "optimizer": "nesterov", "momentum": 0.9}, THREE,
     "The training examples, in this order, 2 per update (2 updates per epoch, 2 epochs):"),
    ({"batch": "all", "epochs": 1, "optimizer": "rmsprop"}, THREE,
     "The training examples, in this order, 3 per update (1 update per epoch):"),
], ids=["sgd", "momentum-one-epoch", "adam-epochs", "nesterov-short-last-batch", "rmsprop-full-batch"])
def test_the_examples_sentence_counts_updates_and_epochs(training, examples, sentence):
    intro = setup(training, examples).examples_intro
    assert "".join(segment["text"] for segment in intro) == sentence

