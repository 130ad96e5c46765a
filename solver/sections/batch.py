"""The batch of the worked update: the error over its examples (seed 002's error over D), each example's
loss and gradient, and the batch gradient written out per parameter, with the weight-decay term."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Grid, chain
from ..formatting import partial
from .prose import math, say
from .records import Table

MAX_WRITTEN_EXAMPLES = 4
"""Batches up to this size get the gradient written out per parameter from each example's; larger ones a table
of the batch, decay and total gradient (each example's loss is in the examples table either way)."""


@dataclass(frozen=True)
class Batch:
    """The record of the batch section (fields: docs/templates.md)."""

    intro: list
    error: Grid
    examples: Table
    gradients_intro: list
    gradients: Table | None
    equations: Grid


def _vector(fmt, values, given: bool = False) -> str:
    texts = [fmt.given(v) if given else fmt.value(v) for v in values]
    return texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"


def _combined(fmt, terms: list[str], reduction: str) -> str:
    """The reduction of printed per-example terms: (a + b) / n or a + b."""
    wrapped = [f"({t})" if t.startswith("-") and i else t for i, t in enumerate(terms)]
    total = " + ".join(wrapped)
    if len(terms) == 1:
        return total
    return f"({total}) / {len(terms)}" if reduction == "mean" else total


def _error(ctx) -> Grid:
    fmt, N, values = ctx.fmt, ctx.N, ctx.values
    reduction = ctx.spec.training.reduction
    loss = N.loss
    several = len(values.passes) > 1
    equations = []
    if several:
        symbolic = (f"\\frac{{1}}{{\\lvert B \\rvert}} \\sum_{{d \\in B}} {loss}_d" if reduction == "mean"
                    else f"\\sum_{{d \\in B}} {loss}_d")
        terms = [fmt.value(p.forward.loss) for p in values.passes]
        data = fmt.value(values.data_loss)
        lhs = f"{loss}_{{\\text{{data}}}}" if values.penalty is not None else loss
        equations.append(chain(lhs, symbolic, _combined(fmt, terms, reduction), data, boxed=values.penalty is None,
                               mark=ctx.mark("loss") if values.penalty is None else ""))
    if values.penalty is not None:
        lam = fmt.given(ctx.solution.optimizer.weight_decay)
        squares = "\\theta^2" if ctx.solution.optimizer.decay_biases else "w^2"
        penalty = fmt.value(values.penalty)
        equations.append(chain("\\frac{\\lambda}{2} \\sum " + squares, f"\\frac{{{lam}}}{{2}} \\sum {squares}", penalty))
        data = fmt.value(values.data_loss)
        equations.append(chain(loss, f"{data} + {penalty}", fmt.value(values.loss), boxed=True, mark=ctx.mark("loss")))
    return Grid.packed(equations, max_columns=1)


def _examples(ctx) -> Table:
    fmt, N, values, step = ctx.fmt, ctx.N, ctx.values, ctx.step
    L = ctx.network.depth
    rows = [[str(number), _vector(fmt, example.input, given=True), _vector(fmt, example.target, given=True),
             _vector(fmt, p.forward.output), fmt.value(p.forward.loss)]
            for number, example, p in zip(step.examples, step.batch, values.passes)]
    output = N.activation(L, 1) if ctx.network.sizes[-1] == 1 else "\\text{output}"
    return Table(["d", "\\text{input}", "\\text{target}", output, f"{N.loss}_d"], rows, align="c" + "r" * 4)


def _gradients(ctx) -> tuple[Table | None, Grid]:
    """The batch gradient written out per parameter for a small batch, else as a table (per-example columns
    left out)."""
    fmt, N, values, step = ctx.fmt, ctx.N, ctx.values, ctx.step
    settings = ctx.solution.optimizer
    reduction = ctx.spec.training.reduction
    written = len(values.passes) <= MAX_WRITTEN_EXAMPLES
    header = [""]
    if written:
        header += [partial(f"{N.loss}_{{{d}}}", "\\theta") for d in step.examples]
    if len(values.passes) > 1:
        header.append(("\\text{mean}" if reduction == "mean" else "\\text{sum}"))
    if values.decay_grad is not None:
        header.append("\\lambda \\, \\theta")
    header.append(partial(N.loss, "\\theta"))
    rows, equations = [], []
    decayed = lambda ref: ref.kind == "weight" or settings.decay_biases  # noqa: E731
    for ref in ctx.network.parameters():
        if ref.kind == "bias" and not ctx.network.train_biases:
            continue
        per_example = [fmt.value(ref.entry(p.grad_W, p.grad_b)) for p in values.passes]
        data = fmt.value(ref.entry(values.data_grad.weights, values.data_grad.biases))
        total = fmt.value(ctx.gradient(ref))
        row = [N.parameter(ref)] + (per_example if written else [])
        if len(values.passes) > 1:
            row.append(data)
        if values.decay_grad is not None:
            row.append(fmt.value(ref.entry(values.decay_grad.weights, values.decay_grad.biases)))
        rows.append(row + [total])
        if written:
            rhs = _combined(fmt, per_example, reduction)
            if values.decay_grad is not None and decayed(ref):
                rhs += f" + {fmt.product(fmt.given(settings.weight_decay), ctx.given(ref))}"
            marks = [ctx.mark("gradient", ref.key)]
            if values.decay_grad is None:
                marks.append(ctx.mark("batch_gradient", ref.key))
            equations.append(chain(partial(N.loss, N.parameter(ref)), rhs, total, anchor=f"batch-{ref.slug}",
                                   mark=", ".join(m for m in marks if m)))
    return (None if written else Table(header, rows)), Grid.packed(equations, max_columns=2)


def build(ctx) -> Batch:
    values, step, spec = ctx.values, ctx.step, ctx.spec
    several = len(values.passes) > 1
    examples = (f"examples {step.examples[0]} to {step.examples[-1]}" if several else f"example {step.example}")
    intro = say("batch.intro", examples=examples, reduction="mean" if spec.training.reduction == "mean" else "sum",
                first=str(step.example)) if several else say("batch.single", example=str(step.example))
    if values.penalty is not None:
        intro += say("batch.penalty", term=math("\\frac{\\lambda}{2} \\sum w^2"), grad=math("\\lambda \\, w"),
                     biases="" if ctx.solution.optimizer.decay_biases else
                     " (the biases are not decayed: in PyTorch, a parameter group with weight_decay=0)")
    table, equations = _gradients(ctx)
    hidden = [] if len(values.passes) <= MAX_WRITTEN_EXAMPLES else say(
        "batch.table_only", count=str(len(values.passes)))
    return Batch(intro, _error(ctx), _examples(ctx), say("batch.gradients") + hidden, table, equations)
