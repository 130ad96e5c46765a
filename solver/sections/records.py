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


def merged(blocks: list[Block], chain_network: bool) -> list[Block]:
    """The blocks of a chain network (one neuron per layer) as one untitled block: a heading per layer
    would stand over a single line. Other networks keep one titled block per layer."""
    if not chain_network or len(blocks) < 2:
        return blocks
    grid = Grid.packed([eq for block in blocks for eq in block.grid.equations], max_columns=3)
    return [Block("", grid, [segment for block in blocks for segment in block.text])]


TABLE_UNBROKEN_ROWS = 30
TABLES_SIDE_BY_SIDE_WIDTH = 115
"""Two tables whose estimated widths sum to at most this many characters are set next to each other."""


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
    def needed_lines_with_intro(self) -> int:
        """Lines to keep together when a section heading (about three lines with its space) and a sentence of
        up to three lines lead into the table."""
        return self.needed_lines + 5

    @property
    def width(self) -> int:
        """Estimated visible width: the widest cell of each column, plus padding between columns."""
        from ..equations import visible_width

        columns = zip(*([self.header] + self.rows))
        return sum(max(visible_width(cell) for cell in column) + 3 for column in columns)

    @property
    def markdown_align(self) -> list[str]:
        """GitHub table alignment markers, one per column."""
        marks = {"l": ":---", "r": "---:", "c": ":---:"}
        return [marks.get(letter, "---") for letter in self.column_spec if letter in marks]
