"""Parameter gradients: delta of the receiving neuron times the local input, per layer in columns."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation, Grid, Part, chain
from .prose import say
from .records import Block, merged


@dataclass(frozen=True)
class Gradients:
    """The record of the gradients section (fields: docs/templates.md)."""

    intro: list
    blocks: list[Block]


def gradient_equation(ctx, ref) -> Equation:
    """dE/dw = delta x = (numbers) = value; a value that rounds to zero also shows its size."""
    N, l = ctx.N, ref.layer
    delta = ctx.shown_delta(l, ref.row)
    if ref.kind == "weight":
        symbolic = f"{N.delta(l, ref.row)} {ctx.act(l - 1, ref.column)}"
        product = ctx.fmt.product(delta, ctx.shown_activation(l - 1, ref.column),
                                  roles=("error", N.activation_role(l - 1)))
    else:
        symbolic, product = N.delta(l, ref.row), None
    if ctx.convention.negated:
        symbolic = f"-{symbolic}"
        product = f"-{product}" if product else f"-{ctx.fmt.wrap(delta, delta)}"
    value = ctx.fmt.value(ctx.example_gradient(ref))
    exact = ctx.example_gradient(ref, ctx.step.exact)
    mark = ctx.mark("gradient", ref.key) if ctx.example_is_update else ""
    return chain(ctx.d_example_loss(N.parameter(ref)), symbolic, product, Part((value,), ctx.fmt.relation(exact, value)),
                 boxed=ctx.example_is_update, note=ctx.fmt.unrounded_note(exact), mark=mark,
                 anchor=f"gradient-{ref.slug}")

def build(ctx) -> Gradients:
    blocks = [Block(f"{ctx.N.layer_title(l)} parameters",
                    Grid.packed([gradient_equation(ctx, ref) for ref in ctx.layer_refs(l)], max_columns=3))
              for l in range(ctx.network.depth, 0, -1)]
    intro = say("gradients.intro_negated" if ctx.convention.negated
                else "gradients.intro_bias" if ctx.network.has_bias else "gradients.intro")
    return Gradients(intro, merged(blocks, ctx.chain_network))
