"""Parameters by reference: the 1-based ``ParameterRef``, its text form (``W1[1,2]``, ``b2[1]``),
bounds checks against the layer sizes, and the one accessor that reads a parameter's entry.

Every index that names a neuron or parameter is 1-based and is checked against the network before it
is used, so that an index 0 never wraps around to the last entry (Python's ``[-1]``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_KEY = re.compile(r"W(\d+)\[(\d+),(\d+)\]|b(\d+)\[(\d+)\]")


def parameter_count(sizes: Sequence[int], bias: bool) -> int:
    """Weights and biases of a network with layer ``sizes`` (inputs first)."""
    weights = sum(rows * cols for cols, rows in zip(sizes, sizes[1:]))
    return weights + (sum(sizes[1:]) if bias else 0)


@dataclass(frozen=True)
class ParameterRef:
    """One trainable parameter: weight (layer, row j, column k) or bias (layer, row j); 1-based."""

    kind: str
    layer: int
    row: int
    column: int | None = None

    @property
    def key(self) -> str:
        """A stable machine name: W1[1,2] or b1[1] (1-based)."""
        if self.kind == "weight":
            return f"W{self.layer}[{self.row},{self.column}]"
        return f"b{self.layer}[{self.row}]"

    @property
    def slug(self) -> str:
        """The key as a URL fragment: W1-1-2 or b1-1 (1-based)."""
        return re.sub(r"[\[\],]+", "-", self.key).strip("-")

    @property
    def indices(self) -> tuple[int, ...]:
        """0-based (row, column) of a weight or (row,) of a bias inside its layer's matrix or vector."""
        if min(self.layer, self.row, 1 if self.column is None else self.column) < 1:
            raise IndexError(f"{self.key}: indices are 1-based")
        return (self.row - 1,) if self.column is None else (self.row - 1, self.column - 1)

    def entry(self, weights: Sequence, biases: Sequence | None):
        """This parameter's entry in per-layer weight matrices or bias vectors (lists or arrays)."""
        indices = self.indices
        if self.kind == "weight":
            row, column = indices
            matrix = weights[self.layer - 1]
            return matrix[row, column] if hasattr(matrix, "shape") else matrix[row][column]
        return biases[self.layer - 1][indices[0]]


def parse_parameter_key(text: str) -> ParameterRef:
    """``W1[1,2]`` -> a weight ref, ``b2[1]`` -> a bias ref; ValueError names what is wrong.

    Indices are 1-based and written without leading zeros: ``W0[1,1]``, ``W1[0,1]`` and ``W01[1,1]``
    are refused (a 0-based index would silently name another parameter)."""
    match = _KEY.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a parameter such as W1[1,2] or b2[1] (1-based), got '{text}'")
    numbers = [group for group in match.groups() if group is not None]
    for written in numbers:
        if written != str(int(written)):
            raise ValueError(f"'{text}': write indices without leading zeros (1-based, as in W1[1,2])")
    if any(int(written) == 0 for written in numbers):
        raise ValueError(f"'{text}': indices are 1-based (the first layer, row and column are 1, "
                         f"as in W1[1,2] or b1[1]); 0 names nothing")
    if match.group(1):
        return ParameterRef("weight", *(int(match.group(i)) for i in (1, 2, 3)))
    return ParameterRef("bias", int(match.group(4)), int(match.group(5)))


def index_problem(what: str, value: int, count: int) -> str | None:
    """A message when the 1-based ``value`` is outside 1..count, else None."""
    if 1 <= value <= count:
        return None
    if count == 1:
        return f"{what} must be 1 (there is only one), got {value}"
    return f"{what} must be between 1 and {count}, got {value}"


def parameter_problem(ref: ParameterRef, layers: Sequence[int]) -> str | None:
    """A message when ``ref`` names no parameter of a network with these layer sizes, else None."""
    depth = len(layers) - 1
    problem = index_problem("the layer", ref.layer, depth)
    if problem is None:
        problem = index_problem(f"the row (neuron of layer {ref.layer})", ref.row, layers[ref.layer])
    if problem is None and ref.kind == "weight":
        problem = index_problem(f"the column (neuron of layer {ref.layer - 1})", ref.column, layers[ref.layer - 1])
    return None if problem is None else f"no parameter {ref.key} in a {list(layers)} network: {problem}"
