"""Title: heading, what the handout covers, notes and the rounding statement."""
from __future__ import annotations

from dataclasses import dataclass

from .prose import math, say


@dataclass(frozen=True)
class Title:
    title: str
    byline: list[str]
    intro: list
    notes: str | None
    rounding: str


def build(ctx) -> Title:
    spec, step = ctx.spec, ctx.step
    count = len(ctx.solution.steps)
    steps = say("title.one_step") if count == 1 else say("title.first_of", count=count)
    return Title(
        title=spec.title,
        byline=[text for text in (spec.author, spec.course, spec.date) if text],
        intro=say("title.intro", steps=steps, sizes=" - ".join(str(n) for n in ctx.network.sizes),
                  eta=math(f"{ctx.N.eta} = {ctx.fmt.given(spec.learning_rate)}"),
                  outcome=say(f"title.outcome.{step.loss_trend}")),
        notes=spec.notes,
        rounding=ctx.solution.policy.describe(),
    )
