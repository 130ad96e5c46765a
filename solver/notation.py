"""Notation presets: a mapping from roles (input, weight, delta, ...) to LaTeX symbols.

One preset per seed document; every base letter can be overridden from the problem file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .network import Network
from .symbols import check_symbol

@dataclass(frozen=True)
class RoleColour:
    """The colour of one role under colour coding: a LaTeX colour name, its RGB hex, the legend text and
    ``text_hex``, a darker shade of the same hue with at least 4.5:1 contrast on white (WCAG AA, for HTML)."""

    role: str
    name: str
    hex: str
    meaning: str
    text_hex: str


PALETTE = (
    RoleColour("input", "bpinput", "CC79A7", "inputs", "A16084"),
    RoleColour("weight", "bpweight", "0072B2", "weights and biases", "0072B2"),
    RoleColour("activation", "bpactivation", "009E73", "activations", "008561"),
    RoleColour("error", "bperror", "D55E00", "error signals and gradients", "C05500"),
)
"""Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and readable on white."""
ROLE_COLOURS = {colour.role: colour for colour in PALETTE}
_COLOUR_NAME = re.compile(r"\\color\{(" + "|".join(colour.name for colour in PALETTE) + r")\}")


def markdown_colours(text: str, accessible: bool = False) -> str:
    """Colour names as KaTeX and MathJax read them (``\\color{#0072B2}``), for Markdown output; with
    ``accessible``, the darker text shades (``text_hex``) that HTML pages use."""
    by_name = {colour.name: colour.text_hex if accessible else colour.hex for colour in PALETTE}
    return _COLOUR_NAME.sub(lambda match: f"\\color{{#{by_name[match.group(1)]}}}", text)

@dataclass(frozen=True)
class Preset:
    """One notation preset as data: base letters, how neurons are indexed, how products are written."""

    name: str
    letters: dict
    indices: str
    """'arrows' (w_{x1 -> h1}), 'numbered' (w_1, w_2, ... in reading order), 'units' (Mitchell: units
    numbered across the network, w_{ji}) or 'layered' (w^{(l)}_{j,k})."""
    product: str
    """How numbers multiply: 'parens' (0.4)(0.5), 'juxtapose' 0.4(0.5) or 'cdot' 0.4 \\cdot 0.5."""
    input_first: bool
    """Terms written input times weight (x w) rather than weight times input (w x)."""
    matrix_form: bool
    """Matrix form (and BP1-BP4) shown by default."""
    diagram_values: bool
    """Activations written under the diagram's neurons by default."""
    show_products: bool
    """The forward pass writes each weight-times-input product before the sum."""
    weight_meaning: str


PRESETS = {preset.name: preset for preset in (
    Preset("arrows", dict(input="x", hidden="h", output="o", preactivation="z", weight="w", bias="b",
                          delta=r"\delta", target="y", loss="E", learning_rate=r"\eta"),
           "arrows", "parens", True, False, False, True, "weights (strength of a connection)"),
    Preset("named", dict(input="x", hidden="h", output=r"\hat{y}", preactivation="z", weight="w", bias="b",
                         delta=r"\delta", target="t", loss="E", learning_rate=r"\eta"),
           "numbered", "juxtapose", False, False, False, False, "weights (strength of a connection)"),
    Preset("mitchell", dict(input="x", hidden="o", output="o", preactivation=r"\mathrm{net}", weight="w", bias="b",
                            delta=r"\delta", target="t", loss="E", learning_rate=r"\eta"),
           "units", "parens", True, False, False, False, "weights (first index: receiving unit)"),
    Preset("layered", dict(input="x", hidden="a", output="a", preactivation="z", weight="w", bias="b",
                           delta=r"\delta", target="y", loss=r"\mathcal{L}", learning_rate=r"\eta"),
           "layered", "cdot", False, True, True, True, "weights (first index: receiving neuron)"),
)}


@dataclass(frozen=True)
class Notation:
    """LaTeX symbols for every quantity of one network in one preset."""

    preset: str
    network: Network
    letters: dict = field(default_factory=dict)
    colour: bool = False

    @classmethod
    def build(cls, preset: str, network: Network, overrides: dict | None = None, colour: bool = False,
              source: str = "<problem>") -> "Notation":
        letters = dict(PRESETS[preset].letters)
        for role, text in (overrides or {}).items():
            if role in letters:
                letters[role] = check_symbol(text, source, role)
        return cls(preset, network, letters, colour)

    @property
    def style(self) -> Preset:
        """The preset's record (indices, product style, term order, defaults)."""
        return PRESETS[self.preset]

    # --- colour -----------------------------------------------------------------
    @staticmethod
    def activation_role(layer: int) -> str:
        """The colour role of layer ``layer``'s activations: 'input' for layer 0, else 'activation'."""
        return "input" if layer == 0 else "activation"

    def paint(self, role: str, latex: str) -> str:
        """Wrap ``latex`` in the colour of ``role`` when colour coding is on."""
        if not self.colour or role not in ROLE_COLOURS:
            return latex
        return "{\\color{" + ROLE_COLOURS[role].name + "}" + latex + "}"

    # --- helpers ----------------------------------------------------------------
    @property
    def _sizes(self):
        return self.network.sizes

    @property
    def _depth(self) -> int:
        return self.network.depth

    def _single_output(self) -> bool:
        return self._sizes[-1] == 1

    def unit_number(self, layer: int, row: int) -> int:
        """Mitchell numbering: units counted 1..n across all layers, inputs first."""
        return sum(self._sizes[:layer]) + row

    def node_label(self, layer: int, row: int) -> str:
        """Short plain label of a neuron used inside subscripts (arrows/named presets): x1, h1, o."""
        if layer == 0:
            return f"x{row}"
        if layer == self._depth:
            return "o" if self._single_output() else f"o{row}"
        if self._depth == 2:
            return f"h{row}"
        return f"h^{{({layer})}}_{row}"

    def _index(self, *numbers: int) -> str:
        return ",".join(str(n) for n in numbers) if any(n > 9 for n in numbers) else "".join(str(n) for n in numbers)

    # --- quantities ---------------------------------------------------------------
    def activation(self, layer: int, row: int) -> str:
        """Activation of neuron ``row`` in ``layer`` (layer 0: the inputs)."""
        L = self.letters
        if layer == 0:
            return f"{L['input']}_{{{row}}}"
        if self.style.indices == "units":
            return f"{L['output']}_{{{self.unit_number(layer, row)}}}"
        if self.style.indices == "layered":
            letter = L["output"] if layer == self._depth else L["hidden"]
            if layer == self._depth and self._single_output():
                return f"{letter}^{{({layer})}}"
            return f"{letter}^{{({layer})}}_{{{row}}}"
        if layer == self._depth:
            return L["output"] if self._single_output() else f"{L['output']}_{{{row}}}"
        if self._depth == 2:
            return f"{L['hidden']}_{{{row}}}"
        return f"{L['hidden']}^{{({layer})}}_{{{row}}}"

    def preactivation(self, layer: int, row: int) -> str:
        L = self.letters
        if self.style.indices == "units":
            return f"{L['preactivation']}_{{{self.unit_number(layer, row)}}}"
        if self.style.indices == "layered":
            if layer == self._depth and self._single_output():
                return f"{L['preactivation']}^{{({layer})}}"
            return f"{L['preactivation']}^{{({layer})}}_{{{row}}}"
        return f"{L['preactivation']}_{{{self._subscript(layer, row)}}}"

    def _subscript(self, layer: int, row: int) -> str:
        """The neuron's name used as a subscript in the arrows/named presets."""
        if self.style.indices == "numbered":
            if layer == self._depth:
                return "o" if self._single_output() else f"o_{row}"
            return f"h_{row}" if self._depth == 2 else f"h^{{({layer})}}_{row}"
        return self.node_label(layer, row)

    def weight(self, layer: int, row: int, column: int) -> str:
        L = self.letters
        if self.style.indices == "arrows":
            return f"{L['weight']}_{{{self.node_label(layer - 1, column)} \\rightarrow {self.node_label(layer, row)}}}"
        if self.style.indices == "numbered":
            return f"{L['weight']}_{{{self._weight_number(layer, row, column)}}}"
        if self.style.indices == "units":
            return f"{L['weight']}_{{{self._index(self.unit_number(layer, row), self.unit_number(layer - 1, column))}}}"
        return f"{L['weight']}^{{({layer})}}_{{{row},{column}}}"

    def _weight_number(self, layer: int, row: int, column: int) -> int:
        before = sum(self._sizes[l] * self._sizes[l - 1] for l in range(1, layer))
        return before + (row - 1) * self._sizes[layer - 1] + column

    def bias(self, layer: int, row: int) -> str:
        L = self.letters
        if self.style.indices == "numbered":
            return f"{L['bias']}_{{{sum(self._sizes[1:layer]) + row}}}"
        if self.style.indices == "units":
            return f"{L['bias']}_{{{self.unit_number(layer, row)}}}"
        if self.style.indices == "layered":
            if layer == self._depth and self._single_output():
                return f"{L['bias']}^{{({layer})}}"
            return f"{L['bias']}^{{({layer})}}_{{{row}}}"
        return f"{L['bias']}_{{{self.node_label(layer, row)}}}"

    def delta(self, layer: int, row: int) -> str:
        L = self.letters
        if self.style.indices == "units":
            return f"{L['delta']}_{{{self.unit_number(layer, row)}}}"
        if self.style.indices == "layered":
            if layer == self._depth and self._single_output():
                return f"{L['delta']}^{{({layer})}}"
            return f"{L['delta']}^{{({layer})}}_{{{row}}}"
        return f"{L['delta']}_{{{self._subscript(layer, row)}}}"

    def target(self, row: int) -> str:
        L = self.letters
        if self._single_output():
            return L["target"]
        if self.style.indices == "units":
            return f"{L['target']}_{{{self.unit_number(self._depth, row)}}}"
        return f"{L['target']}_{{{row}}}"

    @property
    def loss(self) -> str:
        return self.letters["loss"]

    @property
    def eta(self) -> str:
        return self.letters["learning_rate"]

    def function(self, layer: int) -> str:
        """The activation function's symbol in ``layer`` (\\sigma, \\tanh, ...)."""
        return self.network.activation(layer).latex_name

    def fprime(self, layer: int, row: int) -> str:
        """f'(z) of neuron (layer, row), e.g. \\sigma'(z_{h1})."""
        return f"{self.function(layer)}'({self.preactivation(layer, row)})"

    def parameter(self, ref) -> str:
        if ref.kind == "weight":
            return self.weight(ref.layer, ref.row, ref.column)
        return self.bias(ref.layer, ref.row)

    # --- vectors and matrices (matrix form) ---------------------------------------
    def weight_matrix(self, layer: int) -> str:
        return f"\\mathbf{{W}}^{{({layer})}}"

    def bias_vector(self, layer: int) -> str:
        return f"\\mathbf{{b}}^{{({layer})}}"

    def activation_vector(self, layer: int) -> str:
        return f"\\mathbf{{a}}^{{({layer})}}" if layer else "\\mathbf{x}"

    def preactivation_vector(self, layer: int) -> str:
        return f"\\mathbf{{z}}^{{({layer})}}"

    def delta_vector(self, layer: int) -> str:
        return f"\\boldsymbol{{\\delta}}^{{({layer})}}"

    # --- SymPy printing --------------------------------------------------------------
    def symbol_names(self) -> dict:
        """Canonical SymPy symbol -> LaTeX, for ``sympy.latex(..., symbol_names=...)`` (a copy)."""
        return dict(self._symbol_names)

    @cached_property
    def _symbol_names(self) -> dict:
        """Canonical SymPy symbol -> LaTeX, for ``sympy.latex(..., symbol_names=...)``."""
        sym = self.network.symbols
        names = {sym.loss: self.loss, sym.eta: self.eta}
        for l, row in enumerate(sym.a):
            for j, s in enumerate(row, 1):
                names[s] = self.paint(self.activation_role(l), self.activation(l, j))
        for l in self.network.layer_indices:
            for j in range(1, self._sizes[l] + 1):
                names[sym.z[l][j - 1]] = self.preactivation(l, j)
                names[sym.b[l][j - 1]] = self.paint("weight", self.bias(l, j))
                names[sym.delta[l][j - 1]] = self.paint("error", self.delta(l, j))
                for k in range(1, self._sizes[l - 1] + 1):
                    names[sym.w[l][j - 1][k - 1]] = self.paint("weight", self.weight(l, j, k))
        for j, s in enumerate(sym.t, 1):
            names[s] = self.target(j)
        return names

    def layer_title(self, layer: int) -> str:
        """Prose name of a layer."""
        if layer == 0:
            return "Input layer"
        if layer == self._depth:
            return "Output layer"
        return "Hidden layer" if self._depth == 2 else f"Hidden layer {layer}"
