"""The update: the rule, then every new parameter, per layer in columns (under an optimizer with state, a few
parameters worked in full and the others in the optimizer section's state table)."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation, Grid, Part, chain
from ..formatting import partial
from ..parameters import ParameterRef
from . import trains_by_rule
from .optimizer import parameter_rows, rule as optimizer_rule, rule_sentence
from .prose import say, section_ref, text
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
    return trains_by_rule(ctx.spec)


WORKED_QUANTITIES = ("new", "velocity", "moment")
"""Exam quantities whose line the update section writes: a parameter asked about is always worked in full."""


def worked_refs(ctx) -> set[ParameterRef] | None:
    """The parameters whose update is written out, or None for all of them.

    Under an optimizer with state each parameter takes two to five lines and the state table of the optimizer
    section lists every one, so the update works in full, per layer, the first weight (the chain's weight in
    its layer) and the first bias, and any parameter an exam question asks about."""
    if not (ctx.solution.optimizer.buffers and "optimizer" in ctx.section_names):
        return None
    chain = ParameterRef("weight", *ctx.spec.options.chain)
    worked = {ref for ref in ctx.network.parameters() if ref.row == 1 and ref.column in (1, None)
              and not (ref.kind == "weight" and ref.layer == chain.layer)}
    worked.add(chain)
    asked = {quantity[-1] for quantity in ctx.marks if quantity[0] in WORKED_QUANTITIES}
    return worked | {ref for ref in ctx.network.parameters() if ref.key in asked}


def _then(sentences: list, more: list) -> list:
    """``more`` after ``sentences``, a space between them."""
    return sentences + [text(" ")] + more if sentences else more


def build(ctx) -> Update:
    otherwise = trains_otherwise(ctx)
    worked = worked_refs(ctx)
    blocks, left_out = [], 0
    for l in range(ctx.network.depth, 0, -1):
        refs = ctx.layer_refs(l, trained_only=True)
        if worked is not None:
            left_out += sum(ref not in worked for ref in refs)
            refs = [ref for ref in refs if ref in worked]
        if otherwise:
            grid = Grid.of([row for ref in refs for row in parameter_rows(ctx, ref)])
        else:
            equations = [eq for ref in refs for eq in update_equations(ctx, ref)]
            grid = Grid.packed(equations, max_columns=2 if ctx.convention.negated else 3)
        blocks.append(Block(f"{ctx.N.layer_title(l)} parameters", grid))
    notes = rule_sentence(ctx) if otherwise else []
    if left_out:
        which = "one weight and one bias" if ctx.network.has_bias and ctx.network.train_biases else "one weight"
        notes = _then(notes, say("update.others", which=which, count=f"{left_out} other parameter{'s' if left_out > 1 else ''}",
                                 verb="follow" if left_out > 1 else "follows", optimizer=section_ref("optimizer")))
    if ctx.network.has_bias and not ctx.network.train_biases:
        notes = _then(notes, say("update.frozen"))
    rule = any_update_rule(ctx)
    return Update(Grid.packed(rule, max_columns=2), notes, merged(blocks, ctx.chain_network))
