"""The handout's sections: one module per section, named like its template part
(``forward.py`` feeds ``parts/forward.tex.j2`` and ``parts/forward.md.j2``).

Each module has ``build(ctx) -> record``: it turns the Solution, through the shared
:class:`~solver.sections.context.SectionContext`, into a record of ready strings, equations and
tables. Sections translate; they do not compute (numbers come from the Solution). This package's
``__init__`` imports no section module, so problem validation can read :data:`SECTION_NAMES`
without importing SymPy.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from importlib import import_module

SECTION_NAMES = (
    "title", "setup", "diagram", "activation", "forward", "loss", "backward", "gradients", "batch",
    "chain", "update", "after", "rates", "optimizer", "summary", "check", "history", "reference", "self_test",
)
"""Every section, in the default order."""

def trains_by_rule(spec) -> bool:
    """Anything but plain per-example SGD without weight decay (whose update is written with the delta): a batch,
    weight decay or an optimizer with state."""
    return spec.training.optimizer != "sgd" or spec.batch_size > 1 or spec.training.weight_decay != 0


ONLY_WHEN = {
    "chain": lambda spec, steps: not trains_by_rule(spec),
    "batch": lambda spec, steps: spec.batch_size > 1 or spec.training.weight_decay != 0,
    "optimizer": lambda spec, steps: spec.training.optimizer != "sgd",
    "rates": lambda spec, steps: bool(spec.compare_learning_rates),
    "history": lambda spec, steps: steps > 1,
}
"""Sections left out of the default list unless the problem needs them: a batch of several examples or weight
decay, an optimizer with state, a learning-rate comparison, several updates. The fully expanded chain is left
out of training handouts (a batch, decay or an optimizer), whose pages go to the training itself."""


@dataclass(frozen=True)
class Handout:
    """The sections a handout shows, in order, with the record of each, and the shared context."""

    sections: tuple[str, ...]
    records: dict
    context: object

    @property
    def referenced(self) -> frozenset[str]:
        """The sections that another section's prose refers to (``prose.section_ref``): the LaTeX parts label
        only these, so a handout without references still builds in one pdflatex pass."""
        return frozenset(segment["ref"] for segment in _segments(list(self.records.values())) if "ref" in segment)


def _segments(value):
    """Every prose segment (a dict with ``text``) inside a record, its fields, lists and tuples."""
    if isinstance(value, dict):
        if "text" in value:
            yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _segments(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from _segments(getattr(value, field.name))


def chosen_sections(spec, steps: int) -> tuple[str, ...]:
    """The problem's ``sections`` list, or every section that applies (see :data:`ONLY_WHEN`)."""
    if spec.sections is not None:
        return tuple(spec.sections)
    return tuple(name for name in SECTION_NAMES if name not in ONLY_WHEN or ONLY_WHEN[name](spec, steps))


def build_handout(solution, marks: dict | None = None, version: str = "") -> Handout:
    """Every chosen section's record for ``solution``; ``marks`` (an exam's worked key) labels the lines
    that answer its questions and ``version`` names the exam version under the title (see
    :class:`~solver.sections.context.SectionContext`)."""
    from .context import SectionContext

    context = SectionContext(solution, dict(marks or {}), version)
    names = chosen_sections(solution.spec, len(solution.steps))
    records = {name: import_module(f"{__name__}.{name}").build(context) for name in names}
    return Handout(names, records, context)
