"""Network architecture, parameter indexing and the canonical SymPy symbols of every quantity."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from .functions import ACTIVATIONS, Activation
from .parameters import ParameterRef, parameter_count


@dataclass(frozen=True)
class Network:
    """Layer sizes (inputs first), one activation per non-input layer, and bias switches."""

    sizes: tuple[int, ...]
    activation_names: tuple[str, ...]
    has_bias: bool
    train_biases: bool

    @property
    def depth(self) -> int:
        """Number of non-input layers, L."""
        return len(self.sizes) - 1

    @property
    def layer_indices(self) -> range:
        """1..L."""
        return range(1, self.depth + 1)

    def activation(self, layer: int) -> Activation:
        return ACTIVATIONS[self.activation_names[layer - 1]]

    @property
    def parameter_count(self) -> int:
        return parameter_count(self.sizes, self.has_bias)

    def parameters(self) -> list[ParameterRef]:
        """Every parameter, layer by layer, weights row-major then biases."""
        refs = []
        for l in self.layer_indices:
            refs += [ParameterRef("weight", l, j, k) for j in range(1, self.sizes[l] + 1)
                     for k in range(1, self.sizes[l - 1] + 1)]
            if self.has_bias:
                refs += [ParameterRef("bias", l, j) for j in range(1, self.sizes[l] + 1)]
        return refs

    def paths(self, layer: int, row: int, limit: int = 64) -> list[tuple[int, ...]]:
        """Neuron paths from neuron (layer, row) to each output: tuples of row indices for layers layer..L."""
        found: list[tuple[int, ...]] = [(row,)]
        for l in range(layer + 1, self.depth + 1):
            found = [p + (j,) for p in found for j in range(1, self.sizes[l] + 1)]
            if len(found) > limit:
                return []
        return found

    def path_count(self, layer: int) -> int:
        count = 1
        for l in range(layer + 1, self.depth + 1):
            count *= self.sizes[l]
        return count

    @cached_property
    def symbols(self) -> "NetworkSymbols":
        return NetworkSymbols(self)


class NetworkSymbols:
    """Canonical SymPy symbols: a[l][j] (a[0] = inputs), z[l][j], w[l][j][k], b[l][j], delta[l][j], t[j]."""

    def __init__(self, network: Network):
        sizes = network.sizes
        real = {"real": True}
        self.a = [[sp.Symbol(f"a_{l}_{j}", **real) for j in range(1, n + 1)] for l, n in enumerate(sizes)]
        self.z = [[]] + [[sp.Symbol(f"z_{l}_{j}", **real) for j in range(1, sizes[l] + 1)]
                         for l in network.layer_indices]
        self.w = [[]] + [[[sp.Symbol(f"w_{l}_{j}_{k}", **real) for k in range(1, sizes[l - 1] + 1)]
                          for j in range(1, sizes[l] + 1)] for l in network.layer_indices]
        self.b = [[]] + [[sp.Symbol(f"b_{l}_{j}", **real) for j in range(1, sizes[l] + 1)]
                         for l in network.layer_indices]
        self.delta = [[]] + [[sp.Symbol(f"delta_{l}_{j}", **real) for j in range(1, sizes[l] + 1)]
                             for l in network.layer_indices]
        self.t = [sp.Symbol(f"t_{j}", **real) for j in range(1, sizes[-1] + 1)]
        self.loss = sp.Symbol("E", real=True)
        self.eta = sp.Symbol("eta", positive=True)

    def parameter(self, ref: ParameterRef) -> sp.Symbol:
        return ref.entry(self.w[1:], self.b[1:])
