"""After the update: the forward pass with the new parameters, the new loss, and before/after."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation, Grid
from .batch import batch_error, decayed, examples_table
from .forward import layer_blocks
from .loss import loss_equation
from .prose import examples_named, math, say
from .records import Block, Table


@dataclass(frozen=True)
class After:
    """The record of the after section (fields: docs/templates.md)."""

    blocks: list[Block]
    loss: Equation
    batch_intro: list
    batch_examples: Table | None
    batch_loss: Grid | None
    comparison: Table
    verdict: list


def build(ctx) -> After:
    values, fmt, step = ctx.values, ctx.fmt, ctx.step
    L = ctx.network.depth
    rows = []
    several = len(values.passes) > 1
    example = f"\\text{{, example {step.example}}}" if several else ""
    for j, (y0, y1, dy, e0, e1, de) in enumerate(step.shown_output_changes(), 1):
        y, t = ctx.act(L, j), ctx.N.target(j)
        rows.append(_row(fmt, f"\\text{{output }} {y}{example}", y0, y1, dy))
        rows.append(_row(fmt, f"\\lvert {y} - {t} \\rvert{example}", e0, e1, de))
    batch = several or values.penalty is not None
    label = f"\\text{{batch loss }} {ctx.N.loss}" if batch else f"\\text{{loss }} {ctx.N.loss}"
    rows.append(_row(fmt, label, values.loss, values.loss_after, step.shown_loss_change))
    comparison = Table(["", "\\text{before}", "\\text{after}", "\\text{change}"], rows)
    before, after = (math(text) for text in fmt.full_precision([step.exact.loss, step.exact.loss_after]))
    percent = step.loss_change_percent
    verdict = say(f"after.{step.loss_trend}", before=before, after=after,
                  percent=math(fmt.percent(percent)) if percent is not None else "")
    batch_loss = batch_error(ctx, [f.loss for f in values.afters], values.data_loss_after, values.penalty_after,
                             values.loss_after, [fmt.value(ctx.new_value(ref)) for ref in decayed(ctx)],
                             prime="'") if batch else None
    if several:
        intro = say("after.batch", others=_others(step), first=str(step.example))
    else:
        intro = say("after.penalty") if batch else []
    return After(layer_blocks(ctx, values.after, new=values.new, prime="'"),
                 loss_equation(ctx, values.after, prime="'"), intro,
                 examples_table(ctx, values.afters, prime="'") if several else None, batch_loss, comparison, verdict)


def _others(step) -> str:
    """The batch's other examples as the subject of a sentence, with its verb."""
    others = [number for number in step.examples if number != step.example]
    return f"{examples_named(others)} {'goes' if len(others) == 1 else 'go'} through"


def _row(fmt, label: str, before, after, change) -> list[str]:
    """label | before | after | change, the change as the two printed numbers give it."""
    before_text, after_text = fmt.value(before), fmt.value(after)
    return [label, before_text, after_text, fmt.difference(after_text, before_text, change)]
