"""The family-file format in process (solver.families): drawing grids and choices, which entries a rule
fills, question and constraint validation, and the field path and message of every refusal. Literal
expectations; fast (part of the mutation subset)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from seed001_family import family_file
from solver.errors import ProblemError
from solver.families import (ChoiceRule, ConstraintsSpec, FamilySpec, QuestionSpec, RangeRule, ToleranceSpec,
                             _validation_pickers, instantiate, load_family, marking_problems, question_problems)
from solver.rounding import RoundingPolicy


def message(model, data) -> str:
    """The first validation message of ``data`` for ``model``."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()[0]["msg"]


def test_a_range_is_the_exact_decimal_grid_without_the_excluded_values():
    rule = RangeRule.model_validate({"range": [-0.3, 0.3], "step": 0.1, "exclude": [0]})
    assert [str(v) for v in rule.values()] == ["-0.3", "-0.2", "-0.1", "0.1", "0.2", "0.3"]
    # the upper end is included when the grid reaches it, trailing zeros and exponents are tidied away
    assert [str(v) for v in RangeRule.model_validate({"range": [0, 10], "step": 5}).values()] == ["0", "5", "10"]
    assert [str(v) for v in RangeRule.model_validate({"range": [0.50, 1.2], "step": 0.25}).values()] == [
        "0.5", "0.75", "1"]
    assert [str(v) for v in RangeRule.model_validate({"range": [2, 2], "step": 1}).values()] == ["2"]
    assert ChoiceRule.model_validate({"choice": [0.25, "tanh", [1, 2]]}).values() == (0.25, "tanh", [1, 2])


@pytest.mark.parametrize("rule, expected", [
    ({"range": [1, 0], "step": 0.1}, "the lower end 1 is above the upper end 0"),
    ({"range": [0, 1], "step": 0}, "must be positive, got 0"),
    ({"range": [0, 1], "step": -0.5}, "must be positive, got -0.5"),
    ({"range": [0, 1000], "step": 0.01}, "the grid has more than 100,000 values; use a larger step"),
    ({"range": [0, 1], "step": 1, "exclude": [0, 1]}, "every value of the grid is excluded"),
])
def test_a_bad_range_is_refused_with_its_reason(rule, expected):
    assert expected in message(RangeRule, rule)


def test_a_grid_just_under_the_limit_is_accepted():
    assert len(RangeRule.model_validate({"range": [0, 999.99], "step": 0.01}).values()) == 100_000


@pytest.mark.parametrize("tolerance, expected", [
    ("policy", ToleranceSpec(policy=True)),
    ({"absolute": 0.001}, ToleranceSpec(absolute=Decimal("0.001"))),
    ({"relative": 0.02}, ToleranceSpec(relative=Decimal("0.02"))),
])
def test_tolerance_forms(tolerance, expected):
    assert QuestionSpec.model_validate({"id": "q", "ask": "loss", "tolerance": tolerance}).tolerance == expected


@pytest.mark.parametrize("tolerance, expected", [
    ({"absolute": 0.001, "relative": 0.01}, "give exactly one of absolute, relative or policy"),
    ({"absolute": 0.001, "policy": True}, "give exactly one of absolute, relative or policy"),
    ({}, "give exactly one of absolute, relative or policy"),
    ({"absolute": 0}, "absolute: must be positive, got 0"),
    ({"relative": -0.1}, "relative: must be positive, got -0.1"),
])
def test_a_bad_tolerance_is_refused(tolerance, expected):
    assert expected in message(ToleranceSpec, tolerance)


def test_question_defaults_and_parameter_reference():
    question = QuestionSpec.model_validate({"id": "q.1-a_B", "ask": "gradient", "parameter": "W2[1,3]"})
    assert (question.points, question.step, question.decimals, question.significant) == (Decimal(1), 1, None, None)
    assert question.tolerance == ToleranceSpec(policy=True) and question.feedback is None
    ref = question.parameter_ref
    assert (ref.kind, ref.layer, ref.row, ref.column, ref.key) == ("weight", 2, 1, 3, "W2[1,3]")
    assert QuestionSpec.model_validate({"id": "q", "ask": "loss"}).parameter_ref is None
    assert QuestionSpec.model_validate({"id": "q", "ask": "loss", "points": 2.5}).points == Decimal("2.5")


@pytest.mark.parametrize("question, expected", [
    ({"id": "q", "ask": "loss", "points": 1.25},
     "must be a positive whole or half number (the exam class counts in halves), got 1.25"),
    ({"id": "q", "ask": "loss", "points": 0}, "must be a positive whole or half number"),
    ({"id": "q", "ask": "loss", "points": -1}, "must be a positive whole or half number"),
    ({"id": "q", "ask": "loss", "decimals": 2, "significant": 3}, "give either decimals or significant, not both"),
    ({"id": "q", "ask": "delta", "layer": 1}, "ask: delta needs 'neuron'"),
    ({"id": "q", "ask": "delta", "neuron": 1}, "ask: delta needs 'layer'"),
    ({"id": "q", "ask": "gradient"}, "ask: gradient needs 'parameter'"),
    ({"id": "q", "ask": "new_weight"}, "ask: new_weight needs 'parameter'"),
    ({"id": "q", "ask": "section"}, "ask: section needs 'section'"),
    ({"id": "q", "ask": "loss", "index": 1}, "'index' is not used with ask: loss"),
    ({"id": "q", "ask": "output", "layer": 1}, "'layer' is not used with ask: output"),
    ({"id": "q", "ask": "loss_after", "neuron": 1}, "'neuron' is not used with ask: loss_after"),
    ({"id": "q", "ask": "loss", "parameter": "W1[1,1]"}, "'parameter' is not used with ask: loss"),
    ({"id": "q", "ask": "output", "section": "forward"}, "'section' is not used with ask: output"),
    ({"id": "q", "ask": "gradient", "parameter": "V1[1,1]"}, "V1[1,1]"),
])
def test_a_bad_question_is_refused(question, expected):
    assert expected in message(QuestionSpec, question)


def test_an_output_question_may_name_its_output():
    assert QuestionSpec.model_validate({"id": "q", "ask": "output", "index": 2}).index == 2


def test_constraints_are_checked_cheap_ones_first():
    constraints = ConstraintsSpec.model_validate({"loss_decreases": True, "nonzero_at_policy": True,
                                                  "min_derivative": 0.05, "distinct_versions": True,
                                                  "no_symmetric_hidden": True})
    assert constraints.active == ("distinct_versions", "no_symmetric_hidden", "min_derivative", "loss_decreases",
                                  "nonzero_at_policy")
    assert ConstraintsSpec().active == ()
    assert ConstraintsSpec.model_validate({"min_derivative": 0.1}).active == ("min_derivative",)
    assert "must be positive, got 0" in message(ConstraintsSpec, {"min_derivative": 0})


def picked(problem: dict, rules: dict) -> tuple[dict, dict]:
    """``instantiate`` with a picker that writes where each value came from: 'rule path|entry path'."""
    def pick(path, entry):
        return f"{'.'.join(map(str, path))}|{'.'.join(map(str, entry))}"
    return instantiate(problem, rules, pick)


RULE = RangeRule.model_validate({"range": [0, 1], "step": 0.5})


def test_a_rule_for_a_whole_matrix_draws_every_entry_in_row_major_order():
    problem = {"network": {"layers": [2, 3, 1]}, "weights": RULE, "biases": RULE, "input": RULE, "target": RULE,
               "learning_rate": RULE}
    filled, drawn = picked(problem, {("weights",): RULE, ("biases",): RULE, ("input",): RULE, ("target",): RULE,
                                     ("learning_rate",): RULE})
    assert filled["weights"] == [[["weights|weights.0.0.0", "weights|weights.0.0.1"],
                                  ["weights|weights.0.1.0", "weights|weights.0.1.1"],
                                  ["weights|weights.0.2.0", "weights|weights.0.2.1"]],
                                 [["weights|weights.1.0.0", "weights|weights.1.0.1", "weights|weights.1.0.2"]]]
    assert filled["biases"] == [["biases|biases.0.0", "biases|biases.0.1", "biases|biases.0.2"], ["biases|biases.1.0"]]
    assert filled["input"] == ["input|input.0", "input|input.1"]
    assert filled["target"] == ["target|target.0"]
    assert filled["learning_rate"] == "learning_rate|learning_rate"
    assert list(drawn)[:3] == ["weights[0][0][0]", "weights[0][0][1]", "weights[0][1][0]"]
    assert len(drawn) == 6 + 3 + 3 + 1 + 2 + 1 + 1
    assert drawn["biases[1][0]"] == "biases|biases.1.0" and drawn["learning_rate"] == "learning_rate|learning_rate"


def test_a_rule_for_one_layer_or_one_row_draws_that_shape():
    problem = {"network": {"layers": [2, 3, 1]}, "weights": [RULE, [RULE]], "biases": [RULE, [RULE]]}
    rules = {("weights", 0): RULE, ("weights", 1, 0): RULE, ("biases", 0): RULE, ("biases", 1, 0): RULE}
    filled, drawn = picked(problem, rules)
    assert filled["weights"][0] == [["weights.0|weights.0.0.0", "weights.0|weights.0.0.1"],
                                    ["weights.0|weights.0.1.0", "weights.0|weights.0.1.1"],
                                    ["weights.0|weights.0.2.0", "weights.0|weights.0.2.1"]]
    assert filled["weights"][1] == [["weights.1.0|weights.1.0.0", "weights.1.0|weights.1.0.1",
                                     "weights.1.0|weights.1.0.2"]]
    assert filled["biases"] == [["biases.0|biases.0.0", "biases.0|biases.0.1", "biases.0|biases.0.2"],
                                ["biases.1.0|biases.1.0"]]
    assert len(drawn) == 6 + 3 + 3 + 1


def test_a_choice_between_lists_picks_one_whole_list_and_the_network_is_filled_first():
    lists = ChoiceRule.model_validate({"choice": [[1, 0], [0, 1]]})
    sizes = ChoiceRule.model_validate({"choice": [[2, 2, 1], [2, 3, 1]]})
    problem = {"target": lists, "network": {"layers": sizes, "activation": "sigmoid"},
               "examples": [{"input": RULE, "target": RULE}]}
    filled, drawn = picked(problem, {("target",): lists, ("network", "layers"): sizes,
                                     ("examples", 0, "input"): RULE, ("examples", 0, "target"): RULE})
    assert filled["target"] == "target|target"
    assert filled["network"] == {"layers": "network.layers|network.layers", "activation": "sigmoid"}
    assert list(drawn) == ["network.layers", "target", "examples[0].input", "examples[0].target"]
    # with known layer sizes an example's input and target are drawn per entry
    filled, drawn = picked({"network": {"layers": [2, 1]}, "examples": [{"input": RULE, "target": RULE}]},
                           {("examples", 0, "input"): RULE, ("examples", 0, "target"): RULE})
    assert filled["examples"] == [{"input": ["examples.0.input|examples.0.input.0",
                                             "examples.0.input|examples.0.input.1"],
                                   "target": ["examples.0.target|examples.0.target.0"]}]
    assert list(drawn) == ["examples[0].input[0]", "examples[0].input[1]", "examples[0].target[0]"]


QUESTIONS = """\
  - {id: q1, ask: output}
  - {id: q2, ask: gradient, parameter: "W2[1,2]"}
"""


def test_load_family_finds_every_rule_and_validates_the_first_values(tmp_path):
    path = family_file(tmp_path, QUESTIONS + "constraints: {distinct_versions: true}\nmax_attempts: 7\n",
                       ("[[0.40, 0.45]]", "[[0.40, {choice: [0.45, 0.5]}]]"),
                       ("input: [0.05, 0.10]", "input: {range: [0.05, 0.10], step: 0.05}"))
    family = load_family(path)
    assert family.name == "family" and family.source == str(path)
    assert list(family.rules) == [("weights", 1, 0, 1), ("input",)]
    assert family.rules[("input",)].values() == (Decimal("0.05"), Decimal("0.1"))
    assert [q.id for q in family.questions] == ["q1", "q2"]
    assert family.constraints.active == ("distinct_versions",) and family.spec.max_attempts == 7
    assert family.spec.weights[1] == [[Decimal("0.40"), Decimal("0.45")]]
    assert family.spec.input == [Decimal("0.05"), Decimal("0.05")]
    assert "questions" not in family.problem and "max_attempts" not in family.problem
    assert len(family.sha256) == 64
    filled, drawn = family.instantiate(lambda path, entry: family.rules[path].values()[-1])
    assert filled["weights"][1] == [[Decimal("0.40"), Decimal("0.5")]] and filled["input"] == [Decimal("0.1"), Decimal("0.1")]
    assert drawn == {"weights[1][0][1]": Decimal("0.5"), "input[0]": Decimal("0.1"), "input[1]": Decimal("0.1")}


@pytest.mark.parametrize("edits, field, expected", [
    # every option of a choice is validated, not only the first
    ((("activation: sigmoid", "activation: {choice: [sigmoid, tanhh]}"),), "network.activation", "unknown value"),
    # the last value of a range too
    ((("learning_rate: 0.5", "learning_rate: {range: [-1, 0.5], step: 0.5}"),), "learning_rate",
     "must be positive"),
    ((("rounding: {decimals: 3}", "rounding: {decimals: {choice: [2, 3]}}"),), "rounding.decimals",
     "a drawing rule is not allowed here: this field is the same for every version (rules may be used in network, "
     "weights, biases, input, target, examples, epochs, loss, learning_rate)"),
    ((("- {id: q1, ask: output}", "- {id: {choice: [a, b]}, ask: output}"),), "questions[0].id",
     "a drawing rule is not allowed here"),
    ((("input: [0.05, 0.10]", "input: {range: [0.1, 0.05], step: 0.05}"),), "input.range",
     "the lower end 0.1 is above the upper end 0.05"),
    ((("input: [0.05, 0.10]", "input: {range: [0.05, 0.1], stp: 0.05}"),), "input.stp", "unknown key 'stp'"),
    ((("- {id: q1, ask: output}", "- {id: q2, ask: output}"),), "questions",
     "question id 'q2' is used twice"),
    ((('title: "Seed 001 family"', 'title: "a\\tb"'),), "title",
     "contains the control character U+0009; use plain text on one line"),
    ((('"W2[1,2]"', '"W2[2,1]"'),), "questions[1].parameter",
     "no parameter W2[2,1] in a [2, 2, 1] network: the row (neuron of layer 2) must be 1 (there is only one), got 2"),
])
def test_a_bad_family_names_the_field(tmp_path, edits, field, expected):
    with pytest.raises(ProblemError) as caught:
        load_family(family_file(tmp_path, QUESTIONS, *edits))
    assert caught.value.path == field and expected in caught.value.message, str(caught.value)
    assert caught.value.source.endswith("family.yaml") and caught.value.line is not None


def spec(**changes) -> FamilySpec:
    base = {"network": {"layers": [2, 3, 1], "activation": "sigmoid", "bias": True},
            "weights": [[[0.1, 0.2]] * 3, [[0.1, 0.2, 0.3]]], "biases": [[0.1] * 3, [0.1]],
            "input": [0.5, 0.5], "target": [0.5], "loss": "mse", "learning_rate": 0.5,
            "questions": [{"id": "q", "ask": "loss"}]}
    return FamilySpec.model_validate({**base, **changes})


@pytest.mark.parametrize("question, found", [
    ({"ask": "output", "index": 2}, [(("questions", 0, "index"),
                                      "index (one of the 1 outputs) must be 1 (there is only one), got 2")]),
    ({"ask": "delta", "layer": 3, "neuron": 1}, [(("questions", 0, "layer"),
                                                 "layer (a non-input layer) must be between 1 and 2, got 3")]),
    ({"ask": "delta", "layer": 1, "neuron": 4}, [(("questions", 0, "neuron"),
                                                 "neuron (of layer 1) must be between 1 and 3, got 4")]),
    ({"ask": "delta", "layer": 1, "neuron": 3}, []),
    ({"ask": "gradient", "parameter": "b1[3]"}, []),
    ({"ask": "gradient", "parameter": "W1[3,3]"}, [(("questions", 0, "parameter"),
                                                   "no parameter W1[3,3] in a [2, 3, 1] network: the column (neuron "
                                                   "of layer 0) must be between 1 and 2, got 3")]),
    ({"ask": "loss", "step": 2}, [(("questions", 0, "step"), "there are only 1 SGD steps, got step 2")]),
])
def test_question_problems_name_the_field(question, found):
    family = spec(questions=[{"id": "q", **question}])
    assert question_problems(family.questions, family) == found


def test_a_bias_question_needs_biases():
    family = spec(network={"layers": [2, 3, 1], "activation": "sigmoid", "bias": False}, biases=None,
                  questions=[{"id": "q", "ask": "new_weight", "parameter": "b2[1]"}])
    assert question_problems(family.questions, family) == [
        (("questions", 0, "parameter"), "b2[1] asks for a bias, but network.bias is false")]


def test_marking_problems_name_the_precision_and_the_tolerance():
    family = spec(rounding={"decimals": 2, "mode": "carry"}, questions=[
        {"id": "a", "ask": "loss", "decimals": 3},
        {"id": "b", "ask": "loss", "decimals": 2, "tolerance": {"absolute": 0.004}},
        {"id": "c", "ask": "loss", "decimals": 1, "tolerance": {"absolute": 0.05}},
        {"id": "d", "ask": "loss", "significant": 2}])
    found = marking_problems(family.questions, family)
    assert [field for field, _ in found] == [("questions", 0, "decimals"), ("questions", 1, "tolerance"),
                                             ("questions", 3, "significant")]
    assert found[1][1].startswith("question 'b': the absolute tolerance 0.004 is less than half a unit in the last "
                                  "decimal at 2 decimal places (0.005)")
    assert found[2][1] == ("question 'd': in carry mode every result is rounded to 2 decimal places as it is "
                           "computed, so the question cannot ask for 2 significant figures; ask for at most 2 decimal "
                           "places or use rounding mode: display")
    assert RoundingPolicy.from_spec(family.rounding) == RoundingPolicy(2, None, "carry")


SOFTMAX_FAMILY = """\
title: softmax family
network: {layers: [2, 2, 2], activation: [sigmoid, softmax]}
weights: {range: [-0.9, 0.9], step: 0.1, exclude: [0]}
biases: {range: [-0.5, 0.5], step: 0.1}
input: [0.5, 0.25]
target: TARGET
loss: cross_entropy
learning_rate: 0.5
questions:
  - {id: q1, ask: loss}
"""


def test_rules_that_only_work_together_are_refused_naming_the_draw(tmp_path):
    """Load time proves each rule's values with the others at their first: independent one-hot targets fail
    (target[0] = 1 with target[1] = 1 sums to 2), and the message says which draw and how to write it."""
    path = tmp_path / "family.yaml"
    path.write_text(SOFTMAX_FAMILY.replace("TARGET", "[{choice: [0, 1]}, {choice: [1, 0]}]"))
    with pytest.raises(ProblemError) as caught:
        load_family(path)
    assert caught.value.path == "target" and caught.value.line == 6
    assert caught.value.message == (
        "with softmax and cross_entropy the targets must sum to 1, got 2 (in the draw with target[0] drawn as 1 "
        "and every other rule at its first value; every value of each rule must give a valid problem with the "
        "others at their first, so draw values that only work together as one choice of whole lists)")
    path.write_text(SOFTMAX_FAMILY.replace("TARGET", "{choice: [[0, 1], [1, 0]]}"))
    assert load_family(path).rules[("target",)].values() == ([Decimal(0), Decimal(1)], [Decimal(1), Decimal(0)])


def test_the_shape_a_rule_fills_follows_the_layers():
    from solver.families import _shape

    layers = [3, 2, 1]
    assert _shape(("weights",), layers) == [(2, 3), (1, 2)]
    assert (_shape(("weights", 1), layers), _shape(("weights", 0, 1), layers)) == ((1, 2), (3,))
    assert (_shape(("biases",), layers), _shape(("biases", 1), layers)) == ([(2,), (1,)], (1,))
    assert (_shape(("input",), layers), _shape(("target",), layers)) == ((3,), (1,))
    # one past the last layer, or layers that are not a list of whole numbers: a single value
    assert _shape(("weights", 2), layers) is None and _shape(("biases", 2), layers) is None
    assert _shape(("weights",), [3, "2", 1]) is None and _shape(("weights",), []) is None


def test_the_network_is_drawn_once_and_a_problem_without_one_is_filled_as_it_is():
    """Each entry is drawn exactly once: a picker that counts its calls sees the network's rule first and
    once (drawing it again for the rest of the problem would give the network the second value)."""
    calls = []

    def count(path, entry):
        calls.append(path)
        return len(calls)

    activation = ChoiceRule.model_validate({"choice": ["sigmoid", "tanh"]})
    problem = {"learning_rate": RULE, "network": {"layers": [2, 1], "activation": activation}}
    filled, drawn = instantiate(problem, {("network", "activation"): activation, ("learning_rate",): RULE}, count)
    assert filled == {"learning_rate": 2, "network": {"layers": [2, 1], "activation": 1}}
    assert drawn == {"network.activation": 1, "learning_rate": 2}
    assert calls == [("network", "activation"), ("learning_rate",)]
    # no network (or a network that is not a mapping): nothing to take the layers from, values left as they are
    assert instantiate({"title": "t", "input": [1, 2]}, {}, count) == ({"title": "t", "input": [1, 2]}, {})


def test_a_family_without_a_network_is_refused_naming_the_network(tmp_path):
    with pytest.raises(ProblemError) as caught:
        load_family(family_file(tmp_path, QUESTIONS, (
            "network: {layers: [2, 2, 1], activation: sigmoid, bias: true}\n", "")))
    assert (caught.value.path, caught.value.message, caught.value.line) == ("network", "required field is missing",
                                                                            None)


def test_a_bad_rule_in_block_style_names_the_full_path_and_the_line_of_the_mistake(tmp_path):
    """The rule's own errors carry the line inside the rule (the line map re-rooted at the rule); an error
    of the whole rule (no inner path) is the rule's path itself, at the rule's first line."""
    with pytest.raises(ProblemError) as caught:
        load_family(family_file(tmp_path, QUESTIONS, ("input: [0.05, 0.10]",
                                                      "input:\n  range: [0.05, 0.1]\n  stp: 0.05")))
    # lines 9 input:, 10 range:, 11 stp:
    assert (caught.value.path, caught.value.message, caught.value.line) == (
        "input.stp", "unknown key 'stp' (did you mean 'step'?) (and 1 more)", 11)
    assert caught.value.source == str(tmp_path / "family.yaml")
    with pytest.raises(ProblemError) as caught:
        load_family(family_file(tmp_path, QUESTIONS, ("input: [0.05, 0.10]",
                                                      "input:\n  range: [0, 1]\n  step: 1\n  exclude: [0, 1]")))
    # the rule mapping starts on line 10 (its first key), the line the document gives the path input
    assert (caught.value.path, caught.value.message, caught.value.line) == (
        "input", "every value of the grid is excluded", 10)


def test_the_validation_draws_are_the_firsts_then_each_other_choice_and_the_last_grid_value():
    rate = RangeRule.model_validate({"range": [0.1, 0.4], "step": 0.1})      # 0.1, 0.2, 0.3, 0.4
    two = RangeRule.model_validate({"range": [0, 1], "step": 1})              # 0, 1
    layers = ChoiceRule.model_validate({"choice": [[2, 1], [2, 2, 1], [3, 1]]})
    whole = ChoiceRule.model_validate({"choice": ["a", "b"]})
    rules = {("learning_rate",): rate, ("input",): two, ("network", "layers"): layers, (): whole}
    pickers = list(_validation_pickers(rules))
    rest = " and every other rule at its first value"
    assert [words for words, _ in pickers] == [
        "", "learning_rate drawn as 0.4" + rest, "input drawn as 1" + rest,
        "network.layers drawn as [2, 2, 1]" + rest, "network.layers drawn as [3, 1]" + rest,
        "the value drawn as b" + rest]
    assert [[str(pick(path, path)) for path in rules] for _, pick in pickers] == [
        ["0.1", "0", "[2, 1]", "a"], ["0.4", "0", "[2, 1]", "a"], ["0.1", "1", "[2, 1]", "a"],
        ["0.1", "0", "[2, 2, 1]", "a"], ["0.1", "0", "[3, 1]", "a"], ["0.1", "0", "[2, 1]", "b"]]


def _training_problems(optimizer: dict, train_biases: bool, *questions: dict) -> list:
    family = spec(network={"layers": [2, 3, 1], "activation": "sigmoid", "bias": True, "train_biases": train_biases},
                  training=optimizer, questions=[{"id": f"q{i}", **q} for i, q in enumerate(questions)])
    return question_problems(family.questions, family)


def test_optimizer_state_of_a_fixed_bias_is_refused_and_only_that():
    momentum = {"optimizer": "momentum", "momentum": 0.9}
    fixed = "b2[1] is a fixed bias (train_biases: false): it has no optimizer state"
    assert _training_problems(momentum, False, {"ask": "velocity", "parameter": "b2[1]"},
                              {"ask": "velocity", "parameter": "W2[1,1]"},
                              {"ask": "gradient", "parameter": "b2[1]"}) == [(("questions", 0, "parameter"), fixed)]
    assert _training_problems({"optimizer": "adam"}, False, {"ask": "moment", "moment": "second",
                                                              "parameter": "b2[1]"}) == [
        (("questions", 0, "parameter"), fixed)]
    # trained biases have state
    assert _training_problems(momentum, True, {"ask": "velocity", "parameter": "b2[1]"}) == []


def test_which_optimizer_keeps_which_state():
    assert _training_problems({"optimizer": "nesterov", "momentum": 0.9}, True,
                              {"ask": "velocity", "parameter": "W2[1,1]"}) == []
    assert _training_problems({"optimizer": "sgd"}, True, {"ask": "moment", "moment": "second",
                                                             "parameter": "W2[1,1]"}) == [
        (("questions", 0, "ask"), "moment second is not kept by optimizer sgd (use adam or rmsprop)")]
    assert _training_problems({"optimizer": "rmsprop"}, True, {"ask": "moment", "moment": "first_corrected",
                                                                 "parameter": "W2[1,1]"}) == [
        (("questions", 0, "ask"), "moment first_corrected is not kept by optimizer rmsprop (it keeps: second)")]
