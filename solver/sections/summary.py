"""Summary tables: every parameter (old, gradient, new, change) and every neuron's computed quantities.

With the optimizer section the parameter table leaves out the new value and the change: the state table of
update 1 gives each new value, with the state it came from."""
from __future__ import annotations

from dataclasses import dataclass

from ..formatting import partial_inline
from .check import relative_error
from .prose import math, say, text
from .records import TABLES_SIDE_BY_SIDE_WIDTH, Table


@dataclass(frozen=True)
class Summary:
    """The record of the summary section (fields: docs/templates.md)."""

    parameters: Table
    quantities: Table
    note: list

    @property
    def side_by_side(self) -> bool:
        """Both tables fit next to each other (small networks)."""
        return (self.parameters.width + self.quantities.width <= TABLES_SIDE_BY_SIDE_WIDTH
                and not self.parameters.breaks and not self.quantities.breaks)


def build(ctx) -> Summary:
    fmt, N, step = ctx.fmt, ctx.N, ctx.step
    checks = {row.parameter: row for row in step.check.rows} if "check" in ctx.section_names else {}
    rows = []
    in_state_table = "optimizer" in ctx.section_names  # update 1's state table has each new value
    refs = ctx.network.parameters()
    gradients = dict(zip(refs, fmt.column([ctx.gradient(ref) for ref in refs])))
    checked = [ref for ref in refs if ref in checks]
    differences = dict(zip(checked, fmt.column([checks[ref].finite_difference for ref in checked])))
    for ref in refs:
        small = fmt.small(ctx.gradient(ref, step.exact))
        trained = ref.kind == "weight" or ctx.network.train_biases
        new_text = fmt.value(ctx.new_value(ref)) if trained else ctx.given(ref)  # a fixed bias keeps its given value
        if not trained:
            change_text = fmt.difference(new_text, new_text, 0)
        elif ctx.convention.negated:
            change = -ref.entry(ctx.values.change_W, ctx.values.change_b)
            change_text = ("+" if change > 0 else "") + fmt.value(change)
        else:
            change_text = fmt.difference(new_text, ctx.given(ref), step.parameter_change(ref))
        row = [N.parameter(ref), ctx.given(ref), gradients[ref] + (f"\\ ({small})" if small else "")]
        if ref in checks:
            row += [differences[ref], relative_error(checks[ref].relative_error)]
        elif checks:
            row += ["", ""]
        rows.append(row + ([] if in_state_table else [new_text, change_text]))
    header = ["\\text{parameter}", "\\text{old}", partial_inline(N.loss, "\\theta")]
    if checks:
        header += ["\\text{central difference}", "\\text{rel. error}"]
    parameters = Table(header + ([] if in_state_table else ["\\text{new}", "\\text{change}"]), rows)
    fwd = ctx.values.forward
    quantities = []
    for l in ctx.network.layer_indices:
        layer = fwd.layers[l - 1]
        for j in ctx.rows(l):
            quantities.append([ctx.act(l, j), fmt.value(layer.z[j - 1]), fmt.value(layer.a[j - 1]),
                               fmt.value(layer.fprime[j - 1]) if layer.fprime is not None else "\\text{--}",
                               ctx.shown_delta(l, j)])
    quantities_table = Table(["\\text{neuron}", N.letters["preactivation"], "a", "f'(z)", N.letters["delta"]],
                             quantities, align="l" + "r" * 4)
    note = (say("summary.mitchell", rule=math(f"\\delta = -{partial_inline(N.loss, N.letters['preactivation'])}"))
            if ctx.convention.negated else [])
    if ctx.spec.batch_size > 1:
        note = note + ([text(" ")] if note else []) + say("summary.example", example=str(step.example))
    return Summary(parameters, quantities_table, note)
