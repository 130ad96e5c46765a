"""Equation chains (lhs = step = step = result) and the layout decision of where to break them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

LINE_WIDTH = 64
_COMMAND = re.compile(r"\\(?:left|right|mathrm|mathbf|boldsymbol|operatorname|color\{[a-z]+\}|[a-zA-Z]+)")


def visible_width(latex: str) -> int:
    """A rough count of the characters a LaTeX fragment shows (commands count as one)."""
    stripped = _COMMAND.sub("#", latex)
    stripped = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: "x" * max(len(m[1]), len(m[2])), stripped)
    return len(re.sub(r"[{}_^ ]", "", stripped))


@dataclass(frozen=True)
class Part:
    """One right-hand side: pieces joined by spaces; a line may break between pieces."""

    pieces: tuple[str, ...]
    relation: str = "="

    @property
    def text(self) -> str:
        return " ".join(self.pieces)


@dataclass(frozen=True)
class Equation:
    """``lhs = part1 = part2 ...``, the last part optionally boxed."""

    lhs: str
    parts: tuple[Part, ...]
    boxed: bool = False
    label: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def _texts(self) -> list[tuple[str, str]]:
        texts = [(p.relation, p.text) for p in self.parts]
        if self.boxed and texts:
            relation, text = texts[-1]
            texts[-1] = (relation, f"\\boxed{{{text}}}")
        return texts

    @property
    def inline(self) -> str:
        """The whole chain on one line."""
        return " ".join([self.lhs] + [f"{relation} {text}" for relation, text in self._texts()])

    def rows(self, width: int = LINE_WIDTH) -> list[tuple[str, str]]:
        """Aligned rows (left, right): parts share a line while they fit; long parts break between pieces."""
        rows: list[tuple[str, str]] = []
        current = ""
        boxed_index = len(self.parts) - 1 if self.boxed else -1
        for index, part in enumerate(self.parts):
            relation = part.relation
            if index == boxed_index:
                chunks = [f"\\boxed{{{part.text}}}"]
            else:
                chunks = self._chunks(part, width - 4)
            first = f"{relation} {chunks[0]}"
            if current and visible_width(current + first) <= width:
                current = f"{current} {first}"
            else:
                if current:
                    rows.append(("" if rows else self.lhs, current))
                current = first
            for chunk in chunks[1:]:
                rows.append(("" if rows else self.lhs, current))
                current = f"\\quad {chunk}"
        if current:
            rows.append(("" if rows else self.lhs, current))
        return rows

    @staticmethod
    def _chunks(part: Part, width: int) -> list[str]:
        chunks, current = [], ""
        for piece in part.pieces:
            if current and visible_width(current + piece) > width:
                chunks.append(current)
                current = piece
            else:
                current = f"{current} {piece}".strip()
        return chunks + [current] if current else chunks or [""]

    @property
    def is_long(self) -> bool:
        return len(self.rows()) > 1


def chain(lhs: str, *parts, boxed: bool = False, label: str = "") -> Equation:
    """Build an equation from parts given as strings, lists of pieces or ``Part`` objects."""
    built = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, Part):
            built.append(part)
        elif isinstance(part, (list, tuple)):
            built.append(Part(tuple(part)))
        else:
            built.append(Part((part,)))
    return Equation(lhs, tuple(built), boxed, label)
