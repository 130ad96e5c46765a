"""The update: the rule, then every new parameter, per layer in columns."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation, Grid, Part, chain
from ..formatting import partial
from .optimizer import parameter_rows, rule as optimizer_rule, rule_sentence
from .prose import say
from .records import Block, merged


@dataclass(frozen=True)
class Update:
    """The record of the update section (fields: docs/templates.md)."""

    rule: Grid
    notes: list
    blocks: list[Block]


def update_rule(ctx) -> list[Equation]:
    N = ctx.N
    if ctx.convention.negated:
        return [chain("\\Delta w_{ji}", f"{N.eta} \\, \\delta_j \\, x_{{ji}}"),
                chain("w_{ji}", Part(("w_{ji} + \\Delta w_{ji}",), "\\leftarrow"))]
    return [chain("\\theta", Part((f"\\theta - {N.eta} \\, {partial(N.loss, chr(92) + 'theta')}",), "\\leftarrow"))]


def any_update_rule(ctx) -> list[Equation]:
    """The rule this problem's updates follow: the optimizer's (with g) or plain SGD's (with the delta)."""
    return optimizer_rule(ctx) if trains_otherwise(ctx) else update_rule(ctx)


def update_equations(ctx, ref) -> list[Equation]:
    """The new value of one parameter (mitchell: the change first, with every factor of the rule)."""
    N, l = ctx.N, ref.layer
    eta = ctx.fmt.given(ctx.spec.learning_rate)
    new = ctx.fmt.value(ctx.new_value(ref))
    symbol = N.parameter(ref)
    old = ctx.given(ref)
    if ctx.convention.negated:
        change = ctx.fmt.value(-ref.entry(ctx.values.change_W, ctx.values.change_b))
        factors = [eta, ctx.shown_delta(l, ref.row)]
        local = ""
        if ref.kind == "weight":
            factors.append(ctx.shown_activation(l - 1, ref.column))
            local = f" \\, {ctx.act(l - 1, ref.column)}"
        carried = ctx.fmt.product(eta, ctx.fmt.value(-ctx.gradient(ref)), roles=(None, "error"))
        roles = (None, "error", N.activation_role(l - 1))
        return [chain(f"\\Delta {symbol}", f"{N.eta} \\, {N.delta(l, ref.row)}{local}", ctx.fmt.product(*factors, roles=roles),
                      carried if ref.kind == "weight" else None, change, anchor=f"update-{ref.slug}"),
                chain(f"{{{symbol}}}'", f"{old} + {ctx.fmt.wrap(change, change)}", new, boxed=True,
                      mark=ctx.mark("new", ref.key))]
    gradient = ctx.fmt.value(ctx.gradient(ref))
    return [chain(f"{{{symbol}}}'", f"{old} - {ctx.fmt.product(eta, gradient, roles=(None, 'error'))}", new, boxed=True,
                  mark=ctx.mark("new", ref.key), anchor=f"update-{ref.slug}")]


def new_value_equation(ctx, ref) -> Equation:
    """The line that gives one parameter's new value, by the rule this problem trains with."""
    if trains_otherwise(ctx):
        return parameter_rows(ctx, ref)[-1][-1]
    return update_equations(ctx, ref)[-1]


def trains_otherwise(ctx) -> bool:
    """Anything but plain per-example SGD without weight decay (whose rule is written with the delta)."""
    spec = ctx.spec
    return spec.training.optimizer != "sgd" or spec.batch_size > 1 or spec.training.weight_decay != 0


def build(ctx) -> Update:
    otherwise = trains_otherwise(ctx)
    blocks = []
    for l in range(ctx.network.depth, 0, -1):
        refs = ctx.layer_refs(l, trained_only=True)
        if otherwise:
            grid = Grid.of([row for ref in refs for row in parameter_rows(ctx, ref)])
        else:
            equations = [eq for ref in refs for eq in update_equations(ctx, ref)]
            grid = Grid.packed(equations, max_columns=2 if ctx.convention.negated else 3)
        blocks.append(Block(f"{ctx.N.layer_title(l)} parameters", grid))
    notes = rule_sentence(ctx) if otherwise else []
    notes += say("update.frozen") if ctx.network.has_bias and not ctx.network.train_biases else []
    rule = any_update_rule(ctx)
    return Update(Grid.packed(rule, max_columns=2), notes, merged(blocks, ctx.chain_network))
