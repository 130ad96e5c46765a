"""Activation functions used by the network: definition and derivative, once per function."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..equations import Grid, chain
from ..formatting import partial
from ..functions import a as a_sym
from .prose import math, say
from .records import Block


@dataclass(frozen=True)
class Activations:
    """The record of the activation section (fields: docs/templates.md)."""

    heading: str
    blocks: list[Block]


def build(ctx) -> Activations:
    blocks, explained = [], False
    for name in dict.fromkeys(ctx.network.activation_names):
        layer = ctx.network.activation_names.index(name) + 1
        activation = ctx.network.activation(layer)
        f = ctx.N.function(layer)
        if activation.elementwise:
            formula = ctx.fmt.latex(activation.formula)
            if f in formula:
                formula = ctx.fmt.latex(activation.formula.rewrite(sp.exp), order=None)
            definition = chain(f"{f}(z)", formula)
            parts = [ctx.fmt.latex(activation.derivative)]
            output_form = activation.derivative_in_output
            if output_form is not None and output_form.subs(a_sym, activation.formula) != activation.derivative:
                parts.append(ctx.fmt.latex(output_form, names={a_sym: f"{f}(z)"}))
            derivative = chain(f"{f}'(z)", *parts)
            if name == "relu":
                text = say("activation.relu", rule=math(f"{f}'(z) = 1 \\text{{ for }} z > 0, \\text{{ else }} 0"))
            elif output_form is not None and name != "identity" and not explained:
                text = say("activation.output_form" if len(parts) > 1 else "activation.output_only",
                           a=math("a = f(z)"))
                explained = True
            else:
                text = []
            grid = Grid.of([[definition, derivative]])
        else:
            definition = chain(f"{f}(\\mathbf{{z}})_j", "\\frac{e^{z_j}}{\\sum_k e^{z_k}}")
            derivative = chain(partial("a_k", "z_j"), "a_k\\,(\\mathbf{1}[k = j] - a_j)")
            rule = math(f"{partial(ctx.N.loss, 'z_j')} = \\sum_k {partial(ctx.N.loss, 'a_k')}\\, a_k\\,"
                        "(\\mathbf{1}[k = j] - a_j)")
            text = say("activation.softmax", rule=rule)
            grid = Grid.of([[definition], [derivative]])
        blocks.append(Block(activation.title, grid, text))
    if len(blocks) == 1:
        only = blocks[0]
        return Activations(f"The activation function: {activation.in_text}", [Block("", only.grid, only.text)])
    return Activations("Activation functions and their derivatives", blocks)


