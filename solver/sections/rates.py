"""The learning-rate comparison (seed 002 section 9.2): the first update with each rate of
``compare_learning_rates``, one weight's change and new value, and the loss after."""
from __future__ import annotations

from dataclasses import dataclass

from ..parameters import ParameterRef
from .prose import math, say, text
from .records import Table


@dataclass(frozen=True)
class Rates:
    """The record of the rates section (fields: docs/templates.md)."""

    intro: list
    table: Table | None
    verdict: list


def build(ctx) -> Rates:
    fmt, N = ctx.fmt, ctx.N
    trials = ctx.solution.rate_comparison
    ref = ParameterRef("weight", *ctx.spec.options.chain)
    symbol = N.parameter(ref)
    if not trials:
        return Rates([], None, [])
    rows = []
    for trial in trials:
        values = trial.printed
        rows.append([fmt.given(trial.learning_rate), fmt.value(-ref.entry(values.change_W, values.change_b)),
                     fmt.value(ctx.new_value(ref, values)), fmt.value(values.loss_after),
                     "\\uparrow" if trial.loss_trend == "up" else "\\downarrow" if trial.loss_trend == "down" else "="])
    table = Table([N.eta, f"\\Delta {symbol}", f"{{{symbol}}}'", f"{N.loss}'", "\\text{loss}"], rows, align="rrrrc")
    rising = [fmt.given(t.learning_rate) for t in trials if t.loss_trend == "up"]
    level = [fmt.given(t.learning_rate) for t in trials if t.loss_trend == "same"]
    if rising:
        verdict = say("rates.overshoot", rates=math(f"{N.eta} = " + ", ".join(rising)))
    elif level:  # no rate raises the loss, but not every rate lowers it
        verdict = say("rates.level", rates=math(f"{N.eta} = " + ", ".join(level)),
                      rest="; every other rate lowers it" if len(level) < len(trials) else "")
    else:
        largest = max(trials, key=lambda t: t.learning_rate)
        lowest = min(trials, key=lambda t: t.values.loss_after)
        verdict = (say("rates.all_down") if largest.values.loss_after <= lowest.values.loss_after else
                   say("rates.all_down_smaller", best=math(f"{N.eta} = {fmt.given(lowest.learning_rate)}")))
    if ctx.solution.optimizer.name in ("adam", "rmsprop"):
        verdict = verdict + [text(" ")] + say(f"rates.{ctx.solution.optimizer.name}", change=math(f"\\Delta {symbol}"))
    intro = say("rates.intro", state=say("rates.state") if ctx.solution.optimizer.buffers else "",
                change=math(f"\\Delta {symbol} = {{{symbol}}}' - {symbol}"), parameter=math(symbol),
                before=math(f"{N.loss} = {fmt.value(ctx.values.loss)}"))
    return Rates(intro, table, verdict)
