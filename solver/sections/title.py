"""Title: heading, what the handout covers, notes and the rounding statement."""
from __future__ import annotations

from dataclasses import dataclass

from ..inline_math import prose_segments
from ..notation import PALETTE
from .optimizer import training_name
from .update import trains_otherwise
from .prose import TEXT, math, say, sentence


@dataclass(frozen=True)
class Title:
    """The record of the title section (fields: docs/templates.md)."""

    title: str
    byline: list[str]
    intro: list
    notes: list
    rounding: str
    legend: list


def build(ctx) -> Title:
    spec, step = ctx.spec, ctx.step
    count = len(ctx.solution.steps)
    if count == 1:
        steps = say("title.one_step")
    elif trains_otherwise(ctx):
        steps = say("title.first_of_updates", count=count, name=training_name(spec))
    else:
        steps = say("title.first_of", count=count)
    return Title(
        title=spec.title,
        byline=([TEXT["title.version"].format(code=ctx.version)] if ctx.version else [])
        + [text for text in (spec.author, spec.course, spec.date) if text],
        intro=say("title.intro", steps=steps, sizes="-".join(str(n) for n in ctx.network.sizes),
                  eta=math(f"{ctx.N.eta} = {ctx.fmt.given(spec.learning_rate)}"),
                  outcome=say(f"title.outcome.{step.loss_trend}")),
        notes=prose_segments(spec.notes) if spec.notes else [],
        rounding=ctx.solution.policy.describe(),
        legend=_legend(ctx) if ctx.N.colour else [],
    )


def _legend(ctx) -> list:
    """'Colour code: x inputs, w weights and biases, ...' with each sample symbol in its colour."""
    samples = {"input": ctx.act(0, 1), "weight": ctx.N.weight(1, 1, 1), "activation": ctx.act(1, 1),
               "error": ctx.N.delta(1, 1)}
    parts = []
    for index, colour in enumerate(PALETTE):
        parts += [", " if index else "", math(ctx.N.paint(colour.role, samples[colour.role])), f" {colour.meaning}"]
    return say("title.legend", items=sentence(*[part for part in parts if part]))
