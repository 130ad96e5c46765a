"""Loss during training (several examples or epochs): the table of every update, the plot of the training loss
after each epoch, and the final parameters.

The table gives each update's loss on its own examples, before and after it. The plot follows the training loss
over every example (what the updates minimise) at the start and after each epoch: with several updates an epoch,
each on other examples, the updates' own losses belong to different examples and would zig-zag."""
from __future__ import annotations

from dataclasses import dataclass

from ..diagram import loss_ticks
from ..equations import Grid, chain
from .batch import tuple_text
from .optimizer import training_name
from .prose import math, say, section_ref
from .records import Table


@dataclass(frozen=True)
class History:
    """The record of the history section (fields: docs/templates.md)."""

    intro: list
    table: Table
    points: list[tuple[int, float]]
    coordinates: str
    y_ticks: str
    """The loss axis's tick values for pgfplots (``0,0.2,0.4``): those of the SVG plot, from 0."""
    y_min: str
    y_max: str
    note: list
    final_intro: list
    final: Grid
    fixed_ticks: bool = False
    """Whether the plot's loss axis is labelled in fixed-point decimals (every loss in [0.001, 10000)), rather
    than in pgfplots' own mix of decimals and powers of ten."""
    fits_intro: list = ()
    fits: Table | None = None
    """Every training example's output and own loss at the start and after the last update (several examples)."""
    fits_note: list = ()
    """For a sigmoid output with targets 0 and 1: how many examples the 0.5 threshold classifies right."""

    @property
    def fits_lines(self) -> int:
        """Lines to keep together: the sentence before the table of each example's fit and the table."""
        return self.fits.needed_lines + 2 if self.fits else 0

    @property
    def plot_lines(self) -> int:
        """Lines to keep together from the plot on: the plot, the note under it and the final parameters."""
        return PLOT_LINES + 2 + len(self.final.lines())


PLOT_LINES = 10
"""The plot's height with its axis titles, in lines of text."""
FIXED_TICKS = (1e-3, 1e4)
"""Losses within these bounds get fixed-point tick labels on the plot."""


def build(ctx) -> History:
    fmt, steps, spec = ctx.fmt, ctx.solution.steps, ctx.spec
    rows = []
    for step in steps:
        before, after = float(step.exact.loss), float(step.exact.loss_after)
        examples = str(step.example) if len(step.examples) == 1 else f"{step.examples[0]}\\text{{--}}{step.examples[-1]}"
        rows.append([str(step.index), str(step.epoch), examples, fmt.rounded(before), fmt.rounded(after)])
    points = [(epoch, float(loss)) for epoch, loss in enumerate(ctx.solution.epoch_losses)]
    final = ctx.solution.final_parameters
    per_neuron = [[chain(ctx.N.parameter(ref), fmt.rounded(ref.entry(final.weights, final.biases)))
                   for ref in ctx.layer_refs(l) if ref.row == j]
                  for l in ctx.network.layer_indices for j in ctx.rows(l)]
    grid = Grid.of(per_neuron)
    ticks = [f"{tick:g}" for tick in loss_ticks([loss for _, loss in points])]
    epochs = spec.epoch_count
    epochs_text = f", for {epochs} epochs" if epochs > 1 else ""
    shows = say("history.shows", whose="its example's" if spec.batch_size == 1 else "its batch's")
    if spec.batch_size == 1 and spec.training.optimizer == "sgd":
        intro = say("history.intro", epochs=epochs_text, shows=shows)
    else:
        intro = say("history.intro_batches", optimizer=training_name(spec), epochs=epochs_text,
                    per="per example" if spec.batch_size == 1 else f"per batch of {spec.batch_size} examples",
                    shows=shows)
    if "optimizer" in ctx.section_names and ctx.solution.optimizer.buffers:  # the last update's table has them
        final_intro = say("history.final_in_table", theta=math("\\theta'"), index=str(len(steps)),
                          optimizer=section_ref("optimizer"))
        final_grid = Grid.packed([])
    else:
        final_intro = say("history.final")
        final_grid = grid if grid.side_by_side() else Grid.packed(grid.equations, max_columns=4)
    fits_intro, fits = _fits(ctx)
    return History(
        fits_intro=fits_intro, fits=fits, fits_note=_classified(ctx) if fits else [],
        intro=intro,
        table=Table(["\\text{step}", "\\text{epoch}", "\\text{example}", "\\text{loss before}", "\\text{loss after}"],
                    rows, align="ccc" + "rr"),
        points=points,
        coordinates=" ".join(_coordinate(point) for point in points),
        y_ticks=",".join(ticks), y_min=ticks[0], y_max=ticks[-1],
        note=_note(ctx),
        final_intro=final_intro,
        final=final_grid,
        fixed_ticks=all(FIXED_TICKS[0] <= loss < FIXED_TICKS[1] for _, loss in points),
    )


def _fits(ctx) -> tuple[list, Table | None]:
    """The table of each example's output and loss with the given parameters and after training (several
    examples only: with one, the note says it all)."""
    fits = ctx.solution.example_fits
    if len(fits) < 2:
        return [], None
    fmt, L = ctx.fmt, ctx.network.depth
    rows = []
    for index, (example, fit) in enumerate(zip(ctx.spec.training_examples, fits), start=1):
        rows.append([str(index), tuple_text([fmt.given(t) for t in example.target]),
                     tuple_text([fmt.rounded(y) for y in fit.outputs_before]),
                     tuple_text([fmt.rounded(y) for y in fit.outputs_after]),
                     fmt.rounded(fit.loss_before), fmt.rounded(fit.loss_after)])
    target = tuple_text([ctx.N.target(j) for j in ctx.rows(L)])
    output = tuple_text([ctx.N.activation(L, j) for j in ctx.rows(L)])
    header = ["\\text{example}", target, f"{output}\\ \\text{{at start}}", f"{output}\\ \\text{{after}}",
              f"{ctx.N.loss}_d\\ \\text{{at start}}", f"{ctx.N.loss}_d\\ \\text{{after}}"]
    return say("history.fits"), Table(header, rows, align="c" + "r" * 5)


def _classified(ctx) -> list:
    """'Read as classes ..., 2 of the 4 examples are right at the start and 2 after the last update.' for one
    sigmoid output and targets 0 and 1 (else nothing)."""
    network, examples = ctx.network, ctx.spec.training_examples
    if network.sizes[-1] != 1 or network.activation(network.depth).name != "sigmoid" or any(
            float(example.target[0]) not in (0.0, 1.0) for example in examples):
        return []
    right = [sum((float(outputs[0]) >= 0.5) == (float(example.target[0]) == 1.0)
                 for example, outputs in zip(examples, column))
             for column in ([fit.outputs_before for fit in ctx.solution.example_fits],
                            [fit.outputs_after for fit in ctx.solution.example_fits])]
    return say("history.classified", output=math(ctx.N.activation(network.depth, 1)), before=str(right[0]),
               after=str(right[1]), count=str(len(examples)))


def _note(ctx) -> list:
    """The training loss at the start and after the last epoch, and what it is."""
    spec, losses, fmt = ctx.spec, ctx.solution.epoch_losses, ctx.fmt
    count = len(spec.training_examples)
    penalty = " plus the weight-decay penalty" if ctx.solution.optimizer.decays else ""
    what = say("history.one_example", penalty=penalty) if count == 1 else say(
        "history.training_loss", reduction="mean" if spec.training.reduction == "mean" else "total",
        count=str(count), penalty=penalty)
    start, end, count = losses[0], losses[-1], len(losses) - 1
    epochs = f"the {count} epochs" if count > 1 else "the epoch"
    if start == end:
        return say("history.same", what=what, start=math(fmt.rounded(start)), epochs=epochs)
    return say("history.change", what=what, trend="falls" if end < start else "rises",
               start=math(fmt.rounded(start)), end=math(fmt.rounded(end)), epochs=epochs)


def _coordinate(point: tuple[int, float]) -> str:
    """A pgfplots coordinate ``(epoch,loss)``, the loss to 10 significant figures."""
    x, y = point
    return f"({x},{y:.10g})"
