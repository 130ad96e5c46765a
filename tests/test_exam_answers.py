"""Exam answers in process (``answers.answer_question``) against the independent oracle
(tests/seed_oracle.py) and an independent rounding (tests/hand_rounding.py): every ask kind on a few
random networks, both sign conventions, both precisions and every tolerance rule; wording and labels
of the seed 001 family as literals. Fast: part of the mutation subset."""
from __future__ import annotations

import random
from decimal import Decimal
from decimal import Decimal as D

import mpmath
import pytest

from hand_rounding import half_unit, written
from seed_oracle import Net, sgd_step
from solver.answers import answer_question, question_label, question_marks
from solver.api import problem_from_mapping, solve
from solver.errors import ProblemError
from solver.families import QuestionSpec

HIDDEN = ("sigmoid", "tanh", "relu", "identity")


def grid(rng: random.Random, low: int = -9, high: int = 9) -> Decimal:
    """A nonzero value of the grid -0.9, -0.8, ..., 0.9 as written in a problem file."""
    return Decimal(rng.choice([n for n in range(low, high + 1) if n])) / 10


LOSSES = ("mse", "bce", "cross_entropy")
PRESETS = ("named", "layered", "mitchell", "arrows")
ROUNDINGS = ({"decimals": 3}, {"significant": 4}, {"decimals": 4}, {"significant": 3})


def random_problem(seed: int) -> dict:
    """A random network of depth 2 or 3 whose loss fits its output activation; seeds 0-5 give every
    loss with both conventions, and every preset and rounding."""
    rng = random.Random(seed)
    layers = [rng.randint(1, 3) for _ in range(rng.randint(3, 4) - 1)] + [rng.randint(2, 3)]
    loss = LOSSES[seed % 3]
    output = {"mse": rng.choice(["sigmoid", "tanh", "identity"]), "bce": "sigmoid", "cross_entropy": "softmax"}[loss]
    if loss == "cross_entropy":
        target = [Decimal(0)] * layers[-1]
        target[rng.randrange(layers[-1])] = Decimal(1)
    else:
        target = [Decimal(rng.randint(1, 9)) / 10 for _ in range(layers[-1])]
    return {
        "network": {"layers": layers, "activation": [rng.choice(HIDDEN) for _ in layers[1:-1]] + [output],
                    "bias": True},
        "weights": [[[grid(rng) for _ in range(cols)] for _ in range(rows)] for cols, rows in zip(layers, layers[1:])],
        "biases": [[grid(rng, -5, 5) for _ in range(rows)] for rows in layers[1:]],
        "input": [grid(rng) for _ in range(layers[0])],
        "target": target,
        "loss": loss,
        "learning_rate": Decimal(rng.choice(["0.25", "0.5", "1.0"])),
        "convention": ("descent", "mitchell")[seed // 3 % 2],
        "notation": PRESETS[seed % 4],
        "rounding": ROUNDINGS[seed // 2 % 4],
    }


def questions_for(problem: dict, seed: int) -> list[QuestionSpec]:
    """One question of every ask kind, on random neurons and parameters, with every tolerance rule."""
    rng = random.Random(seed)
    layers = problem["network"]["layers"]
    depth = len(layers) - 1
    layer = rng.randint(1, depth)
    weight_layer, bias_layer = rng.randint(1, depth), rng.randint(1, depth)
    weight = f"W{weight_layer}[{rng.randint(1, layers[weight_layer])},{rng.randint(1, layers[weight_layer - 1])}]"
    bias = f"b{bias_layer}[{rng.randint(1, layers[bias_layer])}]"
    asked = [
        {"id": "out", "ask": "output"},
        {"id": "out2", "ask": "output", "index": layers[-1], "tolerance": {"relative": Decimal("0.01")}},
        {"id": "loss", "ask": "loss", "decimals": 6},
        {"id": "delta", "ask": "delta", "layer": layer, "neuron": rng.randint(1, layers[layer])},
        {"id": "grad", "ask": "gradient", "parameter": weight, "significant": 5},
        {"id": "gradb", "ask": "gradient", "parameter": bias, "tolerance": {"absolute": Decimal("0.5")}},
        {"id": "neww", "ask": "new_weight", "parameter": weight},
        {"id": "newb", "ask": "new_weight", "parameter": bias},
        {"id": "after", "ask": "loss_after"},
        {"id": "fwd", "ask": "section", "section": "forward"},
    ]
    return [QuestionSpec.model_validate(q) for q in asked]


def oracle_parts(question: QuestionSpec, step: dict, layers: list[int], convention: str) -> list[tuple]:
    """(part key, quantity, oracle value) of every number the question asks for, from the oracle."""
    depth = len(layers) - 1
    if question.ask == "output":
        rows = [question.index] if question.index else range(1, layers[-1] + 1)
        parts = [(f"y[{j}]", ("activation", depth, j), step["a"][depth][j - 1]) for j in rows]
        return [("", quantity, value) for _, quantity, value in parts] if len(parts) == 1 else parts
    if question.ask in ("loss", "loss_after"):
        return [("", (question.ask,), step[question.ask])]
    if question.ask == "delta":
        sign = -1 if convention == "mitchell" else 1
        value = step["delta"][question.layer - 1][question.neuron - 1]
        return [("", ("delta", question.layer, question.neuron), sign * value)]
    if question.ask == "section":
        return [(f"a{l}[{j}]", ("activation", l, j), step["a"][l][j - 1])
                for l in range(1, depth + 1) for j in range(1, layers[l] + 1)]
    ref = question.parameter_ref
    name = {("gradient", "weight"): "grad_W", ("gradient", "bias"): "grad_b",
            ("new_weight", "weight"): "W_new", ("new_weight", "bias"): "b_new"}[question.ask, ref.kind]
    entry = step[name][ref.layer - 1][ref.row - 1]
    value = entry[ref.column - 1] if ref.kind == "weight" else entry
    return [("", ("gradient" if question.ask == "gradient" else "new", ref.key), value)]


def oracle_step(problem: dict) -> dict:
    net = Net(problem["network"]["activation"], problem["weights"], problem["biases"], problem["input"],
              problem["target"], problem["loss"], problem["learning_rate"])
    return sgd_step(net)


def expected_label(question: QuestionSpec, quantity: tuple, notation) -> str:
    """The LaTeX label of one answer, from the notation preset (its strings are pinned in test_fragments)."""
    if quantity[0] == "activation":
        return notation.activation(*quantity[1:])
    if quantity[0] == "loss":
        return notation.loss
    if quantity[0] == "loss_after":
        return f"{{{notation.loss}}}^{{\\mathrm{{new}}}}"
    if quantity[0] == "delta":
        return notation.delta(*quantity[1:])
    symbol = notation.parameter(question.parameter_ref)
    if quantity[0] == "gradient":
        return f"\\dfrac{{\\partial {notation.loss}}}{{\\partial {symbol}}}"
    return f"{{{symbol}}}^{{\\mathrm{{new}}}}"


@pytest.mark.parametrize("seed", range(6))
def test_every_ask_kind_equals_the_oracle_on_random_networks(seed):
    problem = random_problem(seed)
    solution = solve(problem_from_mapping(problem))
    step = oracle_step(problem)
    layers = problem["network"]["layers"]
    for question in questions_for(problem, seed):
        answered = answer_question(question, solution)
        precision = ({"decimals": question.decimals} if question.decimals is not None
                     else {"significant": question.significant} if question.significant is not None
                     else problem["rounding"])
        expected = oracle_parts(question, step, layers, problem["convention"])
        assert [(a.key, a.quantity) for a in answered.answers] == [(key, q) for key, q, _ in expected], question.id
        for answer, (_, quantity, oracle) in zip(answered.answers, expected):
            where = (seed, question.id, answer.key)
            assert mpmath.almosteq(mpmath.mpf(answer.value), oracle, rel_eps=1e-12, abs_eps=1e-15), where
            assert answer.shown == written(oracle, **precision), where
            assert answer.label == expected_label(question, quantity, solution.notation), where
            if question.tolerance.policy:
                assert Decimal(answer.tolerance_shown) == half_unit(oracle, **precision), where
            elif question.tolerance.relative is not None:
                assert answer.tolerance == pytest.approx(0.01 * abs(float(oracle)), rel=1e-12), where
                assert answer.tolerance_shown == written(Decimal("0.01") * abs(Decimal(repr(answer.value))),
                                                         significant=2), where
            else:
                assert (answer.tolerance, answer.tolerance_shown) == (0.5, "0.5"), where
            assert answer.tolerance == float(Decimal(answer.tolerance_shown)) or question.tolerance.relative, where
        assert answered.points == 1 and answered.step == 1 and answered.ask == question.ask
        assert answered.answer_id(answered.answers[0]) == (
            question.id if len(answered.answers) == 1 else f"{question.id}:{answered.answers[0].key}")


SEED001 = {
    "network": {"layers": [2, 2, 1], "activation": "sigmoid", "bias": True},
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
    "biases": [[0.35, 0.35], [0.60]],
    "input": [0.05, 0.10], "target": [0.50], "loss": "mse", "learning_rate": 0.5,
    "notation": "named", "rounding": {"decimals": 3},
}
"""The seed 001 network (problems/seed001_named_2_2_1.yaml)."""


@pytest.mark.parametrize("question, convention, prompt, answers", [
    # values of the oracle for seed 001: y 0.7513651, E 0.0315922, delta_o 0.0469589, delta_h2 0.0050845,
    # dE/dw1 0.000226624, w5 0.3860703, b3 0.5765205, E new 0.0296960 (2 % of it 0.000594), h 0.5932700, 0.5968844
    ({"ask": "output"}, "descent", r"Compute the network output $\hat{y}$.", [("", r"\hat{y}", "0.751", "0.0005")]),
    ({"ask": "loss", "decimals": 5}, "descent", "Compute the loss $E$. Give it to 5 decimal places.",
     [("", "E", "0.03159", "0.000005")]),
    ({"ask": "delta", "layer": 2, "neuron": 1}, "descent",
     r"Compute the error term $\delta_{o} = \dfrac{\partial E}{\partial z_{o}}$.",
     [("", r"\delta_{o}", "0.047", "0.0005")]),
    ({"ask": "delta", "layer": 1, "neuron": 2}, "mitchell",
     r"Compute the error term $\delta_{h_2} = -\dfrac{\partial E}{\partial z_{h_2}}$.",
     [("", r"\delta_{h_2}", "-0.005", "0.0005")]),
    ({"ask": "gradient", "parameter": "W1[1,1]", "significant": 3}, "descent",
     r"Compute the gradient $\dfrac{\partial E}{\partial w_{1}}$. Give it to 3 significant figures.",
     [("", r"\dfrac{\partial E}{\partial w_{1}}", "0.000227", "0.0000005")]),
    ({"ask": "new_weight", "parameter": "W2[1,1]", "decimals": 4}, "descent",
     r"Compute the new value ${w_{5}}^{\mathrm{new}}$ after the update. Give it to 4 decimal places.",
     [("", r"{w_{5}}^{\mathrm{new}}", "0.3861", "0.00005")]),
    ({"ask": "new_weight", "parameter": "b2[1]"}, "descent",
     r"Compute the new value ${b_{3}}^{\mathrm{new}}$ after the update.",
     [("", r"{b_{3}}^{\mathrm{new}}", "0.577", "0.0005")]),
    ({"ask": "loss_after", "tolerance": {"relative": Decimal("0.02")}}, "descent",
     r"Compute the loss ${E}^{\mathrm{new}}$ after the update, for the same example.",
     [("", r"{E}^{\mathrm{new}}", "0.030", "0.00059")]),
    ({"ask": "section", "section": "forward"}, "descent",
     r"Compute the forward pass: the activations $h_{1}$, $h_{2}$, $\hat{y}$.",
     [("a1[1]", "h_{1}", "0.593", "0.0005"), ("a1[2]", "h_{2}", "0.597", "0.0005"),
      ("a2[1]", r"\hat{y}", "0.751", "0.0005")]),
], ids=["output", "loss", "delta", "delta-mitchell", "gradient", "new-weight", "new-bias", "loss-after",
        "section"])
def test_seed001_wording_labels_and_printed_answers_are_literal(question, convention, prompt, answers):
    solution = solve(problem_from_mapping({**SEED001, "convention": convention}))
    answered = answer_question(QuestionSpec.model_validate({"id": "q", **question}), solution)
    assert answered.prompt == prompt
    assert [(a.key, a.label, a.shown, a.tolerance_shown) for a in answered.answers] == answers


def test_a_later_sgd_step_is_named_in_the_prompt_and_marked_only_in_step_one():
    problem = {**SEED001, "examples": [{"input": [0.05, 0.10], "target": [0.50]},
                                       {"input": [0.10, 0.05], "target": [0.25]}]}
    del problem["input"], problem["target"]
    solution = solve(problem_from_mapping(problem))
    first, second = (answer_question(QuestionSpec.model_validate({"id": f"q{n}", "ask": "loss", "step": n}), solution)
                     for n in (1, 2))
    assert first.prompt == "SGD step 1: Compute the loss $E$."
    assert second.prompt == "SGD step 2: Compute the loss $E$."
    # the oracle: 0.0315922 before the first update; 0.1218256 for example 2 after it
    assert (first.answers[0].shown, second.answers[0].shown, first.step, second.step) == ("0.032", "0.122", 1, 2)
    assert question_marks([first, second]) == {("loss",): ("q1",)}
    assert question_label(7) == "q7"


def test_carry_mode_widens_the_tolerance_to_the_full_precision_answer():
    # seed 002 (2-2-2, 3 significant figures, carry mode): a student carries the outputs 0.620 and 0.647, so
    # E = ((1 - 0.620)^2 + 0.647^2) / 2 = 0.2815045 -> 0.282; at full precision E = 0.281384 -> 0.281. Both
    # methods are right, so the tolerance is the gap between them, 0.001 (not half a unit, 0.0005)
    problem = {"network": {"layers": [2, 2, 2], "activation": "sigmoid", "bias": False},
               "weights": [[[D("0.15"), D("0.25")], [D("0.20"), D("0.30")]],
                           [[D("0.40"), D("0.45")], [D("0.50"), D("0.55")]]],
               "input": [D("0.5"), D("0.8")], "target": [D("1"), D("0")], "loss": "mse", "learning_rate": D("0.5"),
               "convention": "mitchell", "rounding": {"significant": 3, "mode": "carry"}}
    solution = solve(problem_from_mapping(problem))
    carried = written(((1 - Decimal("0.620")) ** 2 + Decimal("0.647") ** 2) / 2, significant=3)
    full = written(sgd_step(Net("sigmoid", problem["weights"], None, problem["input"], problem["target"]))["loss"],
                   significant=3)
    assert (carried, full) == ("0.282", "0.281")
    outputs = answer_question(QuestionSpec.model_validate({"id": "y", "ask": "output"}), solution).answers
    assert [answer.shown for answer in outputs] == ["0.620", "0.647"]
    (loss,) = answer_question(QuestionSpec.model_validate({"id": "E", "ask": "loss"}), solution).answers
    assert (loss.shown, loss.tolerance_shown, loss.tolerance) == ("0.282", "0.001", 0.001)
    # a stated tolerance as wide as the gap is kept as written
    stated = QuestionSpec.model_validate({"id": "E", "ask": "loss", "tolerance": {"absolute": D("0.0010")}})
    (loss,) = answer_question(stated, solution).answers
    assert (loss.tolerance_shown, loss.tolerance) == ("0.0010", 0.001)


EXACT_OUTPUT = {"network": {"layers": [1, 1], "activation": "identity", "bias": False},
                "weights": [[[D("0.1234")]]], "input": [D("1")], "target": [D("0")], "loss": "mse",
                "learning_rate": D("0.5"), "rounding": {"decimals": 3}}
"""y = 0.1234 exactly: printed at 3 decimals as 0.123, 0.0004 from the value."""


def test_a_tolerance_exactly_the_printed_gap_accepts_the_key():
    solution = solve(problem_from_mapping(EXACT_OUTPUT))
    question = QuestionSpec.model_validate({"id": "y", "ask": "output", "tolerance": {"absolute": D("0.0004")}})
    (answer,) = answer_question(question, solution).answers
    assert (answer.shown, answer.tolerance, answer.tolerance_shown) == ("0.123", 0.0004, "0.0004")


def test_a_tolerance_below_the_printed_gap_is_refused_naming_the_question_and_version():
    question = QuestionSpec.model_validate({"id": "y", "ask": "output", "tolerance": {"absolute": D("0.0003")}})
    with pytest.raises(ProblemError) as plain_error:
        answer_question(question, solve(problem_from_mapping(EXACT_OUTPUT)))
    assert str(plain_error.value) == (
        "<problem>: questions: question 'y': the tolerance 0.0003 rejects the answer the key prints (0.123, from "
        "0.1234); use tolerance: policy, or one of at least 0.0004")
    drawn = solve(problem_from_mapping(EXACT_OUTPUT, "exam (2026).yaml (version 3)"))
    with pytest.raises(ProblemError) as family_error:
        answer_question(question, drawn, "exam (2026).yaml", 4)
    assert str(family_error.value) == (
        "exam (2026).yaml: questions[4].tolerance: question 'y' (version 3): the tolerance 0.0003 rejects the answer "
        "the key prints (0.123, from 0.1234); use tolerance: policy, or one of at least 0.0004")


def test_a_question_of_several_numbers_asks_for_each_and_keeps_its_feedback():
    solution = solve(problem_from_mapping(SEED001))
    question = QuestionSpec.model_validate({"id": "f", "ask": "section", "section": "forward", "decimals": 4,
                                            "feedback": "Apply $\\sigma$ to each $z$."})
    answered = answer_question(question, solution)
    # the oracle: h1 0.5932700, h2 0.5968844, y 0.7513651
    assert answered.prompt == (r"Compute the forward pass: the activations $h_{1}$, $h_{2}$, $\hat{y}$. "
                               "Give each to 4 decimal places.")
    assert [answer.shown for answer in answered.answers] == ["0.5933", "0.5969", "0.7514"]
    assert answered.feedback == "Apply $\\sigma$ to each $z$."


def test_two_questions_asking_the_same_number_both_mark_its_line():
    solution = solve(problem_from_mapping(SEED001))
    asked = [answer_question(QuestionSpec.model_validate(q), solution) for q in (
        {"id": "a", "ask": "output"}, {"id": "b", "ask": "loss"}, {"id": "c", "ask": "output", "decimals": 4})]
    assert question_marks(asked) == {("activation", 2, 1): ("q1", "q3"), ("loss",): ("q2",)}
