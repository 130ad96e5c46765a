"""Loss over the training steps (several examples or epochs): table, plot data and final parameters."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Grid, chain
from .optimizer import NAMES
from .prose import say
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
    fixed_ticks: bool = False
    """Whether the plot's loss axis is labelled in fixed-point decimals (every loss in [0.001, 10000)), rather
    than in pgfplots' own mix of decimals and powers of ten."""


def build(ctx) -> History:
    fmt, steps = ctx.fmt, ctx.solution.steps
    rows, points = [], []
    for step in steps:
        before, after = float(step.exact.loss), float(step.exact.loss_after)
        examples = str(step.example) if len(step.examples) == 1 else f"{step.examples[0]}\\text{{--}}{step.examples[-1]}"
        rows.append([str(step.index), str(step.epoch), examples, fmt.rounded(before), fmt.rounded(after)])
        points.append((step.index, before))
    points.append((steps[-1].index + 1, float(steps[-1].exact.loss_after)))
    final = ctx.solution.final_parameters
    per_neuron = [[chain(ctx.N.parameter(ref), fmt.rounded(ref.entry(final.weights, final.biases)))
                   for ref in ctx.layer_refs(l) if ref.row == j]
                  for l in ctx.network.layer_indices for j in ctx.rows(l)]
    grid = Grid.of(per_neuron)
    epochs = ctx.spec.epoch_count
    spec = ctx.spec
    per_example_sgd = spec.batch_size == 1 and spec.training.optimizer == "sgd"
    epochs_text = f", for {epochs} epochs" if epochs > 1 else ""
    intro = say("history.intro", epochs=epochs_text, count=len(steps)) if per_example_sgd else say(
        "history.intro_batches", optimizer=NAMES[spec.training.optimizer], count=len(steps), epochs=epochs_text,
        per="per example" if spec.batch_size == 1 else f"per batch of {spec.batch_size} examples",
        loss="loss" if spec.batch_size == 1 else "batch loss")
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
    )


FIXED_TICKS = (1e-3, 1e4)
"""Losses within these bounds get fixed-point tick labels on the plot."""


def _coordinate(point: tuple[int, float]) -> str:
    """A pgfplots coordinate ``(step,loss)``, the loss to 10 significant figures."""
    x, y = point
    return f"({x},{y:.10g})"
