"""Loss over the training steps (several examples or epochs): table, plot data and final parameters.

The plot follows the loss before each update when every epoch is one update; with several updates an epoch, each
on other examples, those losses belong to different examples and zig-zag, so the plot follows the training loss
over every example before each epoch instead."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Grid, chain
from .optimizer import NAMES
from .prose import math, say, words
from .records import Table


@dataclass(frozen=True)
class History:
    """The record of the history section (fields: docs/templates.md)."""

    intro: list
    table: Table
    points: list[tuple[int, float]]
    coordinates: str
    last_coordinate: str
    final_intro: list
    final: Grid
    axis: list = ()
    """The x axis title (``step k`` or ``epoch e``) as segments."""
    legend: tuple[list, list] = ((), ())
    """The legend of the filled points and of the hollow last one (none in the epoch plot, whose points are all
    after an epoch), as segments."""
    epoch_note: list = ()
    """With the epoch plot, the training loss at the start and at the end."""
    description: str = ""
    """What the plot shows, in plain words (image alt text)."""

    @property
    def plot_lines(self) -> int:
        """Lines to keep together from the plot on: the plot, the note under it and the final parameters."""
        return PLOT_LINES + (2 if self.epoch_note else 1) + len(self.final.lines())
    fixed_ticks: bool = False
    """Whether the plot's loss axis is labelled in fixed-point decimals (every loss in [0.001, 10000)), rather
    than in pgfplots' own mix of decimals and powers of ten."""


def build(ctx) -> History:
    fmt, steps, spec = ctx.fmt, ctx.solution.steps, ctx.spec
    rows = []
    for step in steps:
        before, after = float(step.exact.loss), float(step.exact.loss_after)
        examples = str(step.example) if len(step.examples) == 1 else f"{step.examples[0]}\\text{{--}}{step.examples[-1]}"
        rows.append([str(step.index), str(step.epoch), examples, fmt.rounded(before), fmt.rounded(after)])
    per_epoch = len(spec.batches()) > 1
    if per_epoch:
        losses = ctx.solution.epoch_losses
        points = [(epoch, float(loss)) for epoch, loss in enumerate(losses)]
        unit, symbol, quantity = "epoch", "e", "training loss"
    else:
        points = [(step.index, float(step.exact.loss)) for step in steps]
        points.append((steps[-1].index + 1, float(steps[-1].exact.loss_after)))
        unit, symbol, quantity = "step", "k", "loss"
    final = ctx.solution.final_parameters
    per_neuron = [[chain(ctx.N.parameter(ref), fmt.rounded(ref.entry(final.weights, final.biases)))
                   for ref in ctx.layer_refs(l) if ref.row == j]
                  for l in ctx.network.layer_indices for j in ctx.rows(l)]
    grid = Grid.of(per_neuron)
    epochs = spec.epoch_count
    per_example_sgd = spec.batch_size == 1 and spec.training.optimizer == "sgd"
    epochs_text = f", for {epochs} epochs" if epochs > 1 else ""
    described = quantity if per_epoch or spec.batch_size == 1 else "batch loss"
    shows = say("history.shows_epochs" if per_epoch else "history.shows_steps", quantity=described,
                count=str(len(steps)), updates="steps" if per_example_sgd else "updates")
    intro = say("history.intro", epochs=epochs_text, shows=shows) if per_example_sgd else say(
        "history.intro_batches", optimizer=NAMES[spec.training.optimizer], epochs=epochs_text, shows=shows,
        per="per example" if spec.batch_size == 1 else f"per batch of {spec.batch_size} examples")
    return History(
        intro=intro,
        table=Table(["\\text{step}", "\\text{epoch}", "\\text{example}", "\\text{loss before}", "\\text{loss after}"],
                    rows, align="ccc" + "rr"),
        points=points,
        coordinates=" ".join(_coordinate(point) for point in points),
        last_coordinate=_coordinate(points[-1]),
        final_intro=say("history.final"),
        final=grid if grid.side_by_side() else Grid.packed(grid.equations, max_columns=4),
        fixed_ticks=all(FIXED_TICKS[0] <= loss < FIXED_TICKS[1] for _, loss in points),
        axis=say("history.axis", unit=unit, symbol=math(symbol)),
        legend=(say("history.legend_epochs", quantity=quantity, symbol=math(symbol), start=math(f"{symbol} = 0")), [])
        if per_epoch else (say("history.legend_before", quantity=quantity, symbol=math(symbol)),
                           say("history.legend_after", quantity=quantity, last=str(steps[-1].index))),
        epoch_note=_epoch_note(ctx) if per_epoch else [],
        description=words(say("history.plot_alt", quantity=quantity,
                              over=say("history.over_epochs" if per_epoch else "history.over_steps"))),
    )


def _epoch_note(ctx) -> list:
    """The training loss at the start and after the last epoch, and what it is."""
    spec, losses, fmt = ctx.spec, ctx.solution.epoch_losses, ctx.fmt
    count = len(spec.training_examples)
    what = say("history.training_loss", reduction="mean" if spec.training.reduction == "mean" else "total",
               count=str(count), penalty=" plus the weight-decay penalty" if ctx.solution.optimizer.decays else "")
    start, end = losses[0], losses[-1]
    if start == end:
        return say("history.epochs_same", what=what, start=math(fmt.rounded(start)), last=str(len(losses) - 1))
    return say("history.epochs", what=what, trend="falls" if end < start else "rises",
               start=math(fmt.rounded(start)), end=math(fmt.rounded(end)), last=str(len(losses) - 1))


PLOT_LINES = 12
"""The plot's height with its axis titles and legend, in lines of text."""
FIXED_TICKS = (1e-3, 1e4)
"""Losses within these bounds get fixed-point tick labels on the plot."""


def _coordinate(point: tuple[int, float]) -> str:
    """A pgfplots coordinate ``(step,loss)``, the loss to 10 significant figures."""
    x, y = point
    return f"({x},{y:.10g})"
