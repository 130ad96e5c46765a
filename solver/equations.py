"""Equation chains (lhs = step = step = result) and the layout decision of where to break them."""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable

LINE_WIDTH = 92
GRID_WIDTH = 96
"""Visible characters that equations side by side may take together (their widths are estimated
more closely than a long chain's, which breaks at LINE_WIDTH)."""


_STACKED = {r"\frac": "max", r"\dfrac": "max", r"\tfrac": "max", r"\underbrace": "first", r"\boxed": "first",
            r"\text": "first", r"\mathrm": "first", r"\mathbf": "first", r"\boldsymbol": "first",
            r"\operatorname": "first", r"\sqrt": "first"}
_SPACED = {"+", "-", "=", "<", ">", r"\approx", r"\cdot", r"\times", r"\leftarrow", r"\rightarrow", r"\odot"}
"""Operators and relations: TeX sets space around them, so each counts as two characters."""
_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[{}]|[_^]|[^\\{}_^\s]|\s+")


@lru_cache(maxsize=65536)
def visible_width(latex: str) -> int:
    """A rough count of the characters a LaTeX fragment shows: a command counts as one, a fraction as
    its wider half, sub- and superscripts as half their width, matrices by their widest row."""
    tokens = _TOKEN.findall(latex)
    return round(_width(tokens, 0, len(tokens))[0])


def _group(tokens, start):
    """The tokens of the braced group (or single token) at ``start`` and the index after it."""
    if start >= len(tokens):
        return [], start
    if tokens[start] != "{":
        return [tokens[start]], start + 1
    depth, index = 0, start
    while index < len(tokens):
        depth += {"{": 1, "}": -1}.get(tokens[index], 0)
        if depth == 0:
            return tokens[start + 1:index], index + 1
        index += 1
    return tokens[start + 1:], len(tokens)


def _width(tokens, start, end) -> tuple[float, int]:
    total, index = 0.0, start
    while index < end:
        token = tokens[index]
        if token.isspace() or token in ("}", "&"):
            index += 1
        elif token in ("_", "^"):
            group, index = _group(tokens, index + 1)
            total += 0.6 * _width(group, 0, len(group))[0]
        elif token == "{":
            group, index = _group(tokens, index)
            total += _width(group, 0, len(group))[0]
        elif token in _STACKED:
            first, index = _group(tokens, index + 1)
            if _STACKED[token] == "max":
                second, index = _group(tokens, index)
                total += max(_width(first, 0, len(first))[0], _width(second, 0, len(second))[0])
            else:
                total += _width(first, 0, len(first))[0] + (1 if token == r"\boxed" else 0)
        elif token == r"\begin":
            _, body = _group(tokens, index + 1)
            closing = next((i for i in range(body, end) if tokens[i] == r"\end"), end)
            rows = "".join(tokens[body:closing]).split(r"\\")
            total += max(visible_width(row) + 2 * row.count("&") for row in rows) + 3
            index = _group(tokens, closing + 1)[1]
        elif token in (r"\left", r"\right", r"\bigl", r"\bigr", r"\color", r"\,", r"\;", r"\quad"):
            index += 1
            if token == r"\color":
                _, index = _group(tokens, index)
        else:
            total += 2 if token in _SPACED else 1
            index += 1
    return total, index


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
    note: str = ""
    """A remark set after the chain, e.g. the unrounded value of a result that rounds to zero."""
    mark: str = ""
    """Labels of the exam questions this line answers (``q1, q7``), set at the right of its last row
    in an exam's worked key; empty in handouts."""
    anchor: str = ""
    """A stable name to link to (``gradient-W1-1-2``), for formats with links (HTML ids)."""

    def _texts(self) -> list[tuple[str, str]]:
        texts = [(p.relation, p.text) for p in self.parts]
        if self.boxed and texts:
            relation, text = texts[-1]
            texts[-1] = (relation, f"\\boxed{{{text}}}")
        return texts

    @property
    def one_line(self) -> str:
        """The whole chain on one line, as the right-hand side of an alignment point after the lhs."""
        line = " ".join(f"{relation} {text}" for relation, text in self._texts())
        return f"{line} \\quad {self.note}" if self.note else line

    @property
    def width(self) -> int:
        """Visible characters of the chain written on one line."""
        return (visible_width(self.lhs + " " + self.one_line) + (2 if self.note else 0)
                + (len(self.mark) + MARK_GAP if self.mark else 0))

    def rows(self, width: int = LINE_WIDTH) -> list[tuple[str, str]]:
        """Aligned rows (left, right): parts share a line while they fit; long parts break between pieces."""
        if self.label:
            width -= 8
        if self.mark:
            width -= len(self.mark) + MARK_GAP
        lines: list[list[str]] = []  # each line's steps ('= text'), or one broken step's '\\quad piece'
        current: list[str] = []
        boxed_index = len(self.parts) - 1 if self.boxed else -1
        for index, part in enumerate(self.parts):
            relation = part.relation
            if index == boxed_index:
                chunks = [f"\\boxed{{{part.text}}}"]
            else:
                chunks = self._chunks(part, width - 4)
            first = f"{relation} {chunks[0]}"
            if current and visible_width(" ".join(current + [first])) <= width:
                current.append(first)
            else:
                if current:
                    lines.append(current)
                current = [first]
            for chunk in chunks[1:]:
                lines.append(current)
                current = [f"\\quad {chunk}"]
        if current:
            lines.append(current)
        _no_lone_result(lines, width)
        rows = [("" if k else self.lhs, " ".join(line)) for k, line in enumerate(lines)]
        if self.note:
            left, right = rows[-1]
            if visible_width(right + self.note) + 4 <= width:
                rows[-1] = (left, f"{right} \\quad {self.note}")
            else:
                rows.append(("", f"\\quad {self.note}"))
        return rows

    def lines(self, mark: Callable[[str], str] | None = None) -> list[str]:
        """Rows of an aligned environment (``left &right``); ``mark(labels)`` ends the last one if marked."""
        lines = [f"{left} &{right}" for left, right in self.rows()]
        lines[-1] += self.mark_text(mark)
        return lines

    def mark_text(self, mark: Callable[[str], str] | None) -> str:
        """``mark(labels)`` of a marked equation (an exam worked key), else ''."""
        return str(mark(self.mark)) if self.mark and mark else ""

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


def _no_lone_result(lines: list[list[str]], width: int) -> None:
    """A result alone on the last line takes the step before it along, when that fits and leaves a step
    behind (not '= 0.25' under a line of arithmetic)."""
    if len(lines) < 2 or len(lines[-1]) != 1 or len(lines[-2]) < 2 or lines[-1][0].startswith("\\quad"):
        return
    moved = lines[-2][-1]
    if not moved.startswith("\\quad") and visible_width(" ".join([moved] + lines[-1])) <= width:
        lines[-1].insert(0, lines[-2].pop())


MARK_GAP = 4
"""Visible characters counted for the space before an exam question label."""

COLUMN_GAP = 8
"""Visible characters counted for the space between two equations side by side."""


@dataclass(frozen=True)
class Grid:
    """Equations in suggested rows (e.g. one neuron's z and a side by side). The layout sets a row's
    equations side by side when every row of the grid fits the line that way, else one per line."""

    rows: tuple[tuple[Equation, ...], ...]

    @classmethod
    def of(cls, rows) -> "Grid":
        return cls(tuple(tuple(eq for eq in row if eq is not None) for row in rows if row))

    @classmethod
    def packed(cls, equations, max_columns: int = 3, width: int = GRID_WIDTH) -> "Grid":
        """Equations filled row by row into as many columns (up to ``max_columns``) as the line allows."""
        equations = list(equations)
        for columns in range(min(max_columns, len(equations)), 1, -1):
            grid = cls.of([equations[i:i + columns] for i in range(0, len(equations), columns)])
            if grid.side_by_side(width):
                return grid
        return cls.of([[eq] for eq in equations])

    @property
    def equations(self) -> list[Equation]:
        return [eq for row in self.rows for eq in row]

    def side_by_side(self, width: int = GRID_WIDTH) -> bool:
        """Whether the rows' equations fit next to each other (each column as wide as its widest cell)."""
        columns = max((len(row) for row in self.rows), default=0)
        if columns <= 1:
            return True
        widths = [max((row[c].width for row in self.rows if c < len(row)), default=0) for c in range(columns)]
        return sum(widths) + COLUMN_GAP * (columns - 1) <= width

    def lines(self, mark: Callable[[str], str] | None = None) -> list[str]:
        """Rows of an aligned environment: ``l1 &r1 & l2 &r2`` side by side, else one equation per line.
        ``mark(labels)`` follows each marked equation (see :meth:`Equation.lines`)."""
        if self.side_by_side() and any(len(row) > 1 for row in self.rows):
            return [" & ".join(f"{eq.lhs} &{eq.one_line}{eq.mark_text(mark)}" for eq in row) for row in self.rows]
        return [line for eq in self.equations for line in eq.lines(mark)]


def chain(lhs: str, *parts, boxed: bool = False, label: str = "", note: str = "", mark: str = "",
          anchor: str = "") -> Equation:
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
    return Equation(lhs, honest_relations(tuple(built)), boxed, label, note, mark, anchor)


_COLOUR = re.compile(r"\\color\{[A-Za-z#0-9]+\}")
_SCIENTIFIC = re.compile(r"([0-9]*\.?[0-9]+)\s*\\times\s*10\^\{(-?[0-9]+)\}")
"""A number in scientific notation as the formatter writes it ('2.27 \\times 10^{-4}')."""
_NUMBER = re.compile(r"[0-9]*\.?[0-9]+(?:e-?[0-9]+)?")
_ARITHMETIC_TEXT = re.compile(r"^[-+*/() 0-9.e]+$")


def arithmetic_value(latex: str) -> Fraction | None:
    """The exact value of a written-out calculation on numbers ('0.15(0.05) + 0.35', '(0.9)(0.0435)',
    '0.6 \\cdot (1 - 0.6)', '2.5 \\times 10^{-7} \\cdot 0.5', '\\frac{0.0048}{1 - 0.9^{1}}'), or None when
    the text is not pure arithmetic on decimal numbers."""
    if plain_number(latex) is not None:
        return None
    text = _SCIENTIFIC.sub(r"\1e\2", _COLOUR.sub("", latex).replace(r"\boxed", ""))
    text = _powers(_fractions(text))
    if text is None:
        return None
    for wide, narrow in ((r"\left(", "("), (r"\right)", ")"), (r"\bigl(", "("), (r"\bigr)", ")"),
                         (r"\cdot", "*"), (r"\times", "*")):
        text = text.replace(wide, narrow)
    text = text.replace("{", "").replace("}", "").strip()
    if not text or not _ARITHMETIC_TEXT.match(text):
        return None
    text = re.sub(r"\)\s*\(", ")*(", text)
    text = re.sub(r"([0-9.])\s*\(", r"\1*(", text)
    text = re.sub(r"\)\s*([0-9.])", r")*\1", text)
    numbers: list[Fraction] = []

    def name(match) -> str:
        numbers.append(Fraction(match.group(0)))
        return f"n{len(numbers) - 1}"

    try:
        tree = ast.parse(_NUMBER.sub(name, text), mode="eval")
    except SyntaxError:
        return None
    return _evaluate(tree.body, numbers)


MAX_EXPONENT = 64
"""Powers in a calculation beyond this exponent are not worked out exactly (the line keeps its relation)."""


def _braced(text: str, start: int) -> int | None:
    """The index just past the group that opens with ``{`` at ``start``, or None when it is not closed."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    return None


def _fractions(text: str) -> str | None:
    """``\\frac{a}{b}`` written as ``((a)/(b))``, nested ones too; None when a group is not closed."""
    while (start := text.find(r"\frac{")) >= 0:
        middle = _braced(text, start + 5)
        end = _braced(text, middle) if middle is not None and text[middle:middle + 1] == "{" else None
        if end is None:
            return None
        text = f"{text[:start]}(({text[start + 6:middle - 1]})/({text[middle + 1:end - 1]})){text[end:]}"
    return text


def _powers(text: str | None) -> str | None:
    """``x^{k}`` and ``x^2`` written as ``x**(k)``; None when a group is not closed."""
    if text is None:
        return None
    while (start := text.find("^")) >= 0:
        if text[start + 1:start + 2] == "{":
            end = _braced(text, start + 1)
            if end is None:
                return None
            text = f"{text[:start]}**({text[start + 2:end - 1]}){text[end:]}"
        else:
            text = f"{text[:start]}**{text[start + 1:]}"
    return text


def _power(base: Fraction, exponent: Fraction) -> Fraction | None:
    """``base ** exponent`` exactly, for a whole exponent of at most MAX_EXPONENT in size."""
    if exponent.denominator != 1 or abs(exponent) > MAX_EXPONENT or (base == 0 and exponent < 0):
        return None
    return base ** int(exponent)


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: _power}


def _evaluate(node, numbers: list[Fraction]) -> Fraction | None:
    """Exact value of a parsed calculation whose numbers are the names n0, n1, ..."""
    if isinstance(node, ast.Name) and re.fullmatch(r"n[0-9]+", node.id):
        return numbers[int(node.id[1:])]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left, numbers), _evaluate(node.right, numbers)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _evaluate(node.operand, numbers)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    return None


def honest_relations(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """Parts whose relation is '=' exactly when the previous part, written-out arithmetic on the shown
    numbers, gives the shown number; otherwise '\\approx'. Parts that are not such a pair keep theirs."""
    checked = list(parts)
    for index in range(1, len(parts)):
        result = plain_number(parts[index].text)
        if result is None:
            result = arithmetic_value(parts[index].text)
        calculation = arithmetic_value(parts[index - 1].text)
        if calculation is None:
            calculation = plain_number(parts[index - 1].text)
        if result is None or calculation is None or parts[index].relation not in ("=", r"\approx"):
            continue
        relation = "=" if calculation == result else r"\approx"
        checked[index] = Part(parts[index].pieces, relation)
    return tuple(checked)


PLAIN_NUMBER = re.compile(r"-?[0-9]*\.?[0-9]+")
"""A number written in plain decimal notation (no exponent)."""


def plain_number(latex: str) -> Fraction | None:
    """The value of a printed number ('0.047', '\\boxed{-0.5}', '(-0.3)' in colour), or None when the text
    is anything else (a calculation, a symbol, scientific notation)."""
    text = _COLOUR.sub("", latex).replace(r"\boxed", "").replace("{", "").replace("}", "").strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return Fraction(text) if PLAIN_NUMBER.fullmatch(text) else None


def printed_dot(pairs, *addends: str) -> Fraction | None:
    """The exact sum of products of printed numbers plus printed addends (a row of a matrix product
    as the reader would work it out from what is printed), or None when one is not a plain number."""
    numbers = [(plain_number(a), plain_number(b)) for a, b in pairs]
    extra = [plain_number(text) for text in addends]
    if any(None in pair for pair in numbers) or None in extra:
        return None
    return sum((a * b for a, b in numbers), Fraction(0)) + sum(extra, Fraction(0))
