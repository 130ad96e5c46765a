"""The given data of a problem, as an exam sheet or quiz prints it: a sentence about the network,
the defining formulas, and labelled rows of ``symbol = value`` (values exactly as written)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .diagram import diagram_layout
from .functions import LOSSES
from .sections.context import SectionContext
from .sections.setup import neuron_grid
from .rounding import plain
from .solution import Solution


@dataclass(frozen=True)
class GivenRow:
    """One row of the given-data table: a plain-text title and ``(LaTeX symbol, value)`` items."""

    title: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class GivenData:
    """What a student is told: ``network`` (plain text), ``formulas`` (LaTeX), ``rows``, the network
    drawing without any computed value (``diagram``, a layout from ``diagram.py``, or None when too wide)
    and the symbolic neuron equations (``neurons``: lines of an aligned environment)."""

    network: str
    formulas: tuple[str, ...]
    rows: tuple[GivenRow, ...]
    diagram: dict | None
    neurons: tuple[str, ...]


def _network_sentence(solution: Solution) -> str:
    network, spec = solution.network, solution.spec
    names = network.activation_names
    if len(set(names)) == 1:
        activations = f"{names[0]} activation in every layer"
    else:
        activations = "activations " + ", ".join(f"{name} (layer {l})" for l, name in enumerate(names, 1))
    bias = "with biases" if network.has_bias else "without biases"
    if network.has_bias and not network.train_biases:
        bias += " (biases are not updated)"
    steps = len(solution.steps)
    training = f" Plain SGD: {steps} updates, one per example in order." if steps > 1 else ""
    return (f"A {'-'.join(str(n) for n in network.sizes)} network (inputs first), {bias}, {activations}; "
            f"loss: {LOSSES[spec.loss].title.lower()}. Every parameter is updated at once, with the gradients "
            f"of the parameters before the update.{training}")


def _formulas(solution: Solution) -> tuple[str, ...]:
    notation, network = solution.notation, solution.network
    formulas = []
    for name in dict.fromkeys(network.activation_names):
        activation = network.activation(network.activation_names.index(name) + 1)
        definition = sp.latex(activation.formula)
        if activation.elementwise and activation.latex_name not in definition:
            formulas.append(f"{activation.latex_name}(z) = {definition}")
    loss = sp.latex(solution.derivation.loss, symbol_names=notation.symbol_names())
    formulas.append(f"{notation.loss} = {loss}")
    formulas.append(f"w^{{\\mathrm{{new}}}} = w - {notation.eta}\\,\\frac{{\\partial {notation.loss}}}{{\\partial w}}"
                    + (" \\text{ for every weight and bias}" if network.has_bias and network.train_biases else
                       " \\text{ for every weight}"))
    return tuple(formulas)


def given_data(solution: Solution) -> GivenData:
    """The given data of the solution's problem."""
    notation, network, spec = solution.notation, solution.network, solution.spec
    rows = []
    examples = spec.training_examples
    for number, example in enumerate(examples, 1):
        prefix = f"Example {number}: " if len(examples) > 1 else ""
        names = ("input", "target") if prefix else ("Input", "Target")
        rows.append(GivenRow(prefix + names[0], tuple(
            (notation.activation(0, k), plain(v)) for k, v in enumerate(example.input, 1))))
        rows.append(GivenRow(prefix + names[1], tuple(
            (notation.target(j), plain(v)) for j, v in enumerate(example.target, 1))))
    for l in network.layer_indices:
        title = notation.layer_title(l)
        rows.append(GivenRow(f"{title}: weights", tuple(
            (notation.weight(l, j, k), plain(spec.weights[l - 1][j - 1][k - 1]))
            for j in range(1, network.sizes[l] + 1) for k in range(1, network.sizes[l - 1] + 1))))
        if network.has_bias:
            rows.append(GivenRow(f"{title}: biases", tuple(
                (notation.bias(l, j), plain(spec.biases[l - 1][j - 1])) for j in range(1, network.sizes[l] + 1))))
    rows.append(GivenRow("Learning rate", ((notation.eta, plain(spec.learning_rate)),)))
    context = SectionContext(solution)
    return GivenData(_network_sentence(solution), _formulas(solution), tuple(rows),
                     diagram_layout(context, values=False), tuple(neuron_grid(context).lines()))
