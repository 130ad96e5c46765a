"""Network diagram: the layout (coordinates and labels) and its caption."""
from __future__ import annotations

from dataclasses import dataclass

from ..diagram import diagram_layout
from .prose import math, say


@dataclass(frozen=True)
class Diagram:
    """The record of the diagram section (fields: docs/templates.md)."""

    layout: dict | None
    caption: list
    biases: list


def build(ctx) -> Diagram:
    layout = diagram_layout(ctx)
    if layout is None:
        return Diagram(None, [], [])
    if layout["labelled"]:
        example = f" of example {ctx.step.example}" if len(ctx.spec.training_examples) > 1 else ""
        caption = say("diagram.labelled", values=say("diagram.values", example=example) if ctx.diagram_values else "")
    else:
        caption = say("diagram.unlabelled")
    biases = layout.get("biases") or []
    listed = ", ".join(f"{symbol} = {value}" for symbol, value in biases)
    return Diagram(layout, caption, say("diagram.biases", list=math(listed)) if biases else [])
