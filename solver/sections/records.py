"""Record types shared by the section modules: titled blocks of equations and tables of math cells."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..equations import Grid


@dataclass(frozen=True)
class Block:
    """A titled group of equations (one layer, one rule...) with an optional sentence after it."""

    title: str
    grid: Grid
    text: list = field(default_factory=list)


TABLE_UNBROKEN_ROWS = 30


@dataclass(frozen=True)
class Table:
    """A table of LaTeX math cells; ``header`` cells are math too; ``align`` is a LaTeX column spec."""

    header: list[str]
    rows: list[list[str]]
    align: str = ""

    @property
    def column_spec(self) -> str:
        return self.align or "l" + "r" * (len(self.header) - 1)

    @property
    def breaks(self) -> bool:
        """Long tables may break across pages (header repeated); shorter ones stay in one piece."""
        return len(self.rows) > TABLE_UNBROKEN_ROWS

    @property
    def environment(self) -> str:
        return "longtable" if self.breaks else "tabular"

    @property
    def needed_lines(self) -> int:
        """Lines to keep together with the heading before the table (rows, rules and heading)."""
        return min(len(self.rows), TABLE_UNBROKEN_ROWS) + 5

    @property
    def markdown_align(self) -> list[str]:
        """GitHub table alignment markers, one per column."""
        marks = {"l": ":---", "r": "---:", "c": ":---:"}
        return [marks.get(letter, "---") for letter in self.column_spec if letter in marks]
