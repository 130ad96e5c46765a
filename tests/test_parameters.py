"""Parameters by reference: the text form, 1-based bounds, and the one accessor (no index wraps around)."""
from __future__ import annotations

import numpy as np
import pytest

from solver.parameters import ParameterRef, index_problem, parameter_problem, parse_parameter_key


def test_keys_parse_to_refs_and_back():
    assert parse_parameter_key("W2[1,3]") == ParameterRef("weight", 2, 1, 3)
    assert parse_parameter_key("b1[2]") == ParameterRef("bias", 1, 2)
    assert parse_parameter_key("W12[10,11]").key == "W12[10,11]"


@pytest.mark.parametrize("text, message", [
    ("W0[1,1]", "'W0[1,1]': indices are 1-based"),
    ("W1[0,1]", "'W1[0,1]': indices are 1-based"),
    ("W1[1,0]", "'W1[1,0]': indices are 1-based"),
    ("b1[0]", "'b1[0]': indices are 1-based"),
    ("W00[1,1]", "'W00[1,1]': write indices without leading zeros"),
    ("W1[01,1]", "'W1[01,1]': write indices without leading zeros"),
    ("W1[1, 2]", "expected a parameter such as W1[1,2] or b2[1] (1-based), got 'W1[1, 2]'"),
    ("W1[1,2]\n", "expected a parameter such as W1[1,2]"),
    ("w1[1,2]", "expected a parameter such as W1[1,2]"),
])
def test_bad_keys_are_refused(text, message):
    with pytest.raises(ValueError) as caught:
        parse_parameter_key(text)
    assert str(caught.value).startswith(message)


def test_bounds_name_the_index_and_its_range():
    assert index_problem("the layer", 3, 2) == "the layer must be between 1 and 2, got 3"
    assert index_problem("neuron", 2, 1) == "neuron must be 1 (there is only one), got 2"
    assert index_problem("neuron", 1, 1) is None
    assert parameter_problem(ParameterRef("weight", 2, 1, 2), [3, 2, 1]) is None
    assert parameter_problem(ParameterRef("weight", 1, 1, 4), [3, 2, 1]) == (
        "no parameter W1[1,4] in a [3, 2, 1] network: the column (neuron of layer 0) must be between 1 and 3, got 4")
    assert parameter_problem(ParameterRef("bias", 2, 2), [3, 2, 1]) == (
        "no parameter b2[2] in a [3, 2, 1] network: the row (neuron of layer 2) must be 1 (there is only one), got 2")


def test_entry_reads_row_and_column_not_swapped():
    weights = [np.array([[11, 12, 13], [21, 22, 23]]), [[31, 32]]]
    biases = [[1, 2], [3]]
    assert ParameterRef("weight", 1, 2, 3).entry(weights, biases) == 23
    assert ParameterRef("weight", 2, 1, 2).entry(weights, biases) == 32
    assert ParameterRef("bias", 1, 2).entry(weights, biases) == 2


@pytest.mark.parametrize("ref", [ParameterRef("weight", 1, 0, 1), ParameterRef("weight", 1, 1, 0),
                                 ParameterRef("bias", 1, 0), ParameterRef("weight", 0, 1, 1)])
def test_entry_never_wraps_a_zero_index_around(ref):
    with pytest.raises(IndexError):
        ref.entry([np.eye(2)], [[1, 2]])
