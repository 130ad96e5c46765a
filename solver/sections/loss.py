"""Loss: the loss formula, with the shown output and target substituted."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation, Part, chain


@dataclass(frozen=True)
class Loss:
    """The record of the loss section (fields: docs/templates.md)."""

    equation: Equation


def loss_equation(ctx, forward, prime: str = "") -> Equation:
    """E = formula = substituted = value, for a forward pass (``prime`` marks the pass after the update)."""
    sym = ctx.network.symbols
    L = ctx.network.depth
    texts = {s: ctx.fmt.value(v) for s, v in zip(sym.a[L], forward.output)}
    texts.update({s: ctx.fmt.given(v) for s, v in zip(sym.t, ctx.step.target)})
    loss = ctx.solution.derivation.loss
    shown = ctx.fmt.value(forward.loss)
    name = ctx.N.loss if ctx.example_is_update else f"{ctx.N.loss}_{{{ctx.step.example}}}"
    lhs = f"{{{name}}}{prime}" if prime else name
    mark = ctx.mark("loss_after" if prime else "loss") if ctx.example_is_update else ""
    return chain(lhs, ctx.fmt.pieces(loss) if not prime else None, ctx.fmt.pieces(loss, texts),
                 Part((shown,), ctx.fmt.relation_for(loss, texts, shown)), boxed=True, mark=mark)


def build(ctx) -> Loss:
    return Loss(loss_equation(ctx, ctx.values.forward))
