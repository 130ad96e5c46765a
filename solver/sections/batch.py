"""The batch of the worked update: the error over its examples (seed 002's error over D, section 3.2), each
example's loss and gradient, and the batch gradient written out per parameter, with the weight-decay term."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Grid, Part, chain
from ..formatting import partial
from .prose import examples_named, math, say
from .records import Table

MAX_WRITTEN_EXAMPLES = 4
"""Batches up to this size get the gradient written out per parameter from each example's; larger ones a table
of the batch, decay and total gradient (each example's loss is in the examples table either way)."""
MAX_WRITTEN_SQUARES = 12
"""Decayed parameters whose squares the penalty writes out one by one; more are elided to the first two and the
last."""


@dataclass(frozen=True)
class Batch:
    """The record of the batch section (fields: docs/templates.md)."""

    intro: list
    error: Grid
    examples: Table
    passes: Table | None
    """Each example's activations and deltas (when the batch has several and the table fits the page)."""
    gradients_intro: list
    gradients: Table | None
    equations: Grid


def tuple_text(texts: list[str]) -> str:
    """One entry as it is, several as '(a, b)'."""
    return texts[0] if len(texts) == 1 else "(" + ", ".join(texts) + ")"


def _vector(fmt, values, given: bool = False) -> str:
    return tuple_text([fmt.given(v) if given else fmt.value(v) for v in values])


def _combined(fmt, terms: list[str], reduction: str) -> str:
    """The reduction of printed per-example terms: (a + b) / n or a + b."""
    wrapped = [f"({t})" if t.startswith("-") and i else t for i, t in enumerate(terms)]
    total = " + ".join(wrapped)
    if len(terms) == 1:
        return total
    return f"({total}) / {len(terms)}" if reduction == "mean" else total


def _error(ctx) -> Grid:
    values = ctx.values
    return batch_error(ctx, [p.forward.loss for p in values.passes], values.data_loss, values.penalty, values.loss,
                       [ctx.given(ref) for ref in decayed(ctx)])


def batch_error(ctx, losses: list, data_loss, penalty, loss, parameters: list[str], prime: str = "") -> Grid:
    """The batch loss from its examples' ``losses`` (mean or sum), plus the penalty on the decayed ``parameters``
    (as printed) when there is one; ``prime`` marks the values after the update."""
    fmt, N = ctx.fmt, ctx.N
    reduction = ctx.spec.training.reduction
    name = f"{{{N.loss}}}{prime}"
    mark = ctx.mark("loss_after" if prime else "loss")
    equations = []
    if len(losses) > 1:
        symbolic = (f"\\frac{{1}}{{\\lvert B \\rvert}} \\sum_{{d \\in B}} {N.loss}_d{prime}" if reduction == "mean"
                    else f"\\sum_{{d \\in B}} {N.loss}_d{prime}")
        terms = [fmt.value(value) for value in losses]
        data = fmt.value(data_loss)
        lhs = f"{{{N.loss}_{{\\text{{data}}}}}}{prime}" if penalty is not None else name
        equations.append(chain(lhs, symbolic, _combined(fmt, terms, reduction), data,
                               boxed=penalty is None, mark=mark if penalty is None else ""))
    if penalty is not None:
        lam = fmt.given(ctx.solution.optimizer.weight_decay)
        letter = decayed_letter(ctx)
        shown = fmt.value(penalty)
        squares = [f"{_wrapped(number)}^2" for number in parameters]
        if len(squares) > MAX_WRITTEN_SQUARES:
            squares = squares[:2] + ["\\dots"] + squares[-1:]
        squared = f"({letter}{prime})^2" if prime else f"{letter}^2"
        equations.append(chain(f"\\frac{{\\lambda}}{{2}} \\sum {squared}",
                               f"\\frac{{{lam}}}{{2}} \\left({' + '.join(squares)}\\right)",
                               Part((shown,), fmt.relation(penalty, shown))))
        equations.append(chain(name, f"{fmt.value(data_loss)} + {shown}", fmt.value(loss), boxed=True, mark=mark))
    return Grid.packed(equations, max_columns=1)


def decayed(ctx) -> list:
    """The parameters the penalty sums over: the weights, and the biases with ``decay_biases``."""
    decay_biases = ctx.solution.optimizer.decay_biases
    return [ref for ref in ctx.network.parameters() if ref.kind == "weight" or decay_biases]


def decayed_letter(ctx) -> str:
    """The letter of a decayed parameter: theta when biases decay too, else w."""
    return "\\theta" if ctx.solution.optimizer.decay_biases else "w"


def _wrapped(number: str) -> str:
    return f"({number})" if number.startswith("-") else number


def examples_table(ctx, forwards: list, prime: str = "") -> Table:
    """Each example of the worked batch: input, target, output and loss of its forward pass in ``forwards``."""
    fmt, N, step = ctx.fmt, ctx.N, ctx.step
    L = ctx.network.depth
    rows = [[str(number), _vector(fmt, example.input, given=True), _vector(fmt, example.target, given=True),
             _vector(fmt, forward.output), fmt.value(forward.loss)]
            for number, example, forward in zip(step.examples, step.batch, forwards)]
    output = f"{{{N.activation(L, 1)}}}{prime}" if ctx.network.sizes[-1] == 1 else f"\\text{{output}}{prime}"
    return Table(["d", "\\text{input}", "\\text{target}", output, f"{N.loss}_d{prime}"], rows, align="c" + "r" * 4)


PASSES_TABLE_WIDTH = 100
"""The widest per-example activations-and-deltas table the batch section prints (estimated characters)."""


def passes_table(ctx) -> Table | None:
    """Each example of the batch: its hidden activations and every delta (as the convention shows it), so that
    each example's gradients delta * a can be checked; None for one example or a table too wide to print."""
    fmt, N, values, network = ctx.fmt, ctx.N, ctx.values, ctx.network
    if len(values.passes) < 2:
        return None
    hidden = list(network.layer_indices)[:-1]
    header = ["d"] + [tuple_text([N.activation(l, j) for j in ctx.rows(l)]) for l in hidden] + \
        [tuple_text([N.delta(l, j) for j in ctx.rows(l)]) for l in network.layer_indices]
    rows = []
    for number, example in zip(ctx.step.examples, values.passes):
        cells = [str(number)] + [_vector(fmt, example.forward.layers[l - 1].a) for l in hidden]
        cells += [_vector(fmt, [ctx.convention.shown(d) for d in example.deltas[l - 1]]) for l in network.layer_indices]
        rows.append(cells)
    table = Table(header, rows, align="c" + "r" * (len(header) - 1))
    return table if table.width <= PASSES_TABLE_WIDTH else None


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
    examples = examples_named(step.examples if several else [step.example])
    others = [str(e) for e in step.examples[1:]]
    intro = say("batch.intro", examples=examples, reduction="mean" if spec.training.reduction == "mean" else "sum",
                first=str(step.example),
                others=f"example {others[0]} goes" if len(others) == 1 else "the others go",
                own="its own" if len(others) == 1 else "their own") if several else say("batch.single",
                                                                                       example=str(step.example))
    if values.penalty is not None:
        letter = decayed_letter(ctx)
        intro += say("batch.penalty", term=math(f"\\frac{{\\lambda}}{{2}} \\sum {letter}^2"),
                     grad=math(f"\\lambda \\, {letter}"),
                     biases=" and bias" if ctx.solution.optimizer.decay_biases else
                     " (the biases are not decayed)")
    table, equations = _gradients(ctx)
    hidden = [] if len(values.passes) <= MAX_WRITTEN_EXAMPLES else say(
        "batch.table_only", count=str(len(values.passes)))
    batch_examples = examples_table(ctx, [p.forward for p in values.passes])
    return Batch(intro, _error(ctx), batch_examples, passes_table(ctx), say("batch.gradients") + hidden, table,
                 equations)
