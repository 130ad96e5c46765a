"""The handout view: every section's equations and tables, formatted from the Solution.

Templates read only this view (and the Solution's metadata); no number is computed or
rounded in a template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from .diagram import DIAGRAM_MAX_WIDTH
from .equations import Equation, Part, chain
from .formatting import Formatter, column, partial, partial_inline, pmatrix, symbol_list
from .functions import LOSSES, a as a_sym
from .network import ParameterRef
from .solution import Solution, StepRecord
from .spec import SECTION_NAMES

MATRIX_MAX_WIDTH = 6
DIAGRAM_LABEL_MAX = 4
CHECK_ROWS_MAX = 24
PATHS_SHOWN_MAX = 8


@dataclass
class Neuron:
    """One neuron's worked lines in a section."""

    title: str
    equations: list[Equation] = field(default_factory=list)


@dataclass
class Block:
    """A titled group of neurons or equations (one layer, one rule...)."""

    title: str
    neurons: list[Neuron] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)
    text: str = ""


@dataclass
class Table:
    """A table of LaTeX math cells; ``header`` cells are math too."""

    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    align: str = ""

    @property
    def column_spec(self) -> str:
        return self.align or "l" + "r" * (len(self.header) - 1)


class HandoutView:
    """Everything a handout template shows, built section by section."""

    def __init__(self, solution: Solution):
        self.solution = solution
        self.spec = solution.spec
        self.network = solution.network
        self.notation = solution.notation
        self.fmt = Formatter(solution.policy, solution.notation)
        self.step: StepRecord = solution.first
        self.values = self.step.shown
        self.mitchell = self.spec.convention == "mitchell"
        self.sign = -1 if self.mitchell else 1
        self.matrix_form = (self.spec.options.matrix_form if self.spec.options.matrix_form is not None
                            else self.notation.preset == "layered")
        self.matrix_form = self.matrix_form and max(self.network.sizes) <= MATRIX_MAX_WIDTH
        self.diagram_values = (self.spec.options.diagram_values if self.spec.options.diagram_values is not None
                               else self.notation.preset == "layered")
        self.sections = list(self.spec.sections or SECTION_NAMES)
        if len(solution.steps) == 1 and "history" in self.sections and self.spec.sections is None:
            self.sections.remove("history")

    @property
    def network_drawable(self) -> bool:
        return max(self.network.sizes) <= DIAGRAM_MAX_WIDTH

    # ------------------------------------------------------------------ helpers
    @property
    def N(self):
        return self.notation

    def act(self, layer: int, row: int) -> str:
        return self.N.activation(layer, row)

    def shown_activation(self, layer: int, row: int) -> str:
        """An activation's number: given inputs exactly, computed ones by the policy."""
        if layer == 0:
            return self.fmt.given(self.step.inputs[row - 1])
        return self.fmt.value(self.values.forward.layers[layer - 1].a[row - 1])

    def given_weight(self, layer: int, row: int, column: int) -> str:
        return self.fmt.given(self.spec.weights[layer - 1][row - 1][column - 1])

    def given_bias(self, layer: int, row: int) -> str:
        return self.fmt.given(self.spec.biases[layer - 1][row - 1])

    def shown_delta(self, layer: int, row: int, values=None) -> str:
        """A delta as the convention shows it (mitchell: -dE/dnet)."""
        values = values or self.values
        return self.fmt.value(self.sign * values.deltas[layer - 1][row - 1])

    def term_order(self, weight: str, activation: str) -> str:
        return f"{activation} {weight}" if self.N.preset in ("arrows", "mitchell") else f"{weight} {activation}"

    def number_order(self, weight: str, activation: str) -> str:
        pair = (activation, weight) if self.N.preset in ("arrows", "mitchell") else (weight, activation)
        return self.fmt.product(*pair)

    def d_loss(self, by: str) -> str:
        return partial(self.N.loss, by)

    # ------------------------------------------------------------------ setup
    @property
    def given_equations(self) -> list[Equation]:
        N, spec = self.N, self.spec
        eqs = [chain(N.activation(0, k), self.fmt.given(v)) for k, v in enumerate(self.step.inputs, 1)]
        eqs += [chain(N.target(j), self.fmt.given(v)) for j, v in enumerate(self.step.target, 1)]
        eqs.append(chain(N.eta, self.fmt.given(spec.learning_rate)))
        return eqs

    @property
    def parameter_blocks(self) -> list[Block]:
        """Given weights (and biases) per layer."""
        blocks = []
        for l in self.network.layer_indices:
            eqs = []
            for j in range(1, self.network.sizes[l] + 1):
                eqs += [chain(self.N.weight(l, j, k), self.given_weight(l, j, k))
                        for k in range(1, self.network.sizes[l - 1] + 1)]
                if self.network.has_bias:
                    eqs.append(chain(self.N.bias(l, j), self.given_bias(l, j)))
            title = f"{self.N.layer_title(l - 1)} to {self.N.layer_title(l).lower()}"
            blocks.append(Block(title, equations=eqs))
        return blocks

    @property
    def parameter_matrices(self) -> list[Equation]:
        eqs = []
        for l in self.network.layer_indices:
            rows = [[self.given_weight(l, j, k) for k in range(1, self.network.sizes[l - 1] + 1)]
                    for j in range(1, self.network.sizes[l] + 1)]
            eqs.append(chain(self.N.weight_matrix(l), pmatrix(rows)))
            if self.network.has_bias:
                eqs.append(chain(self.N.bias_vector(l), column([self.given_bias(l, j)
                                                                for j in range(1, self.network.sizes[l] + 1)])))
        return eqs

    def _layer_symbols(self, kind: str, l: int) -> str:
        size = self.network.sizes[l]
        getter = {"a": self.N.activation, "z": self.N.preactivation, "delta": self.N.delta, "b": self.N.bias}[kind]
        return symbol_list([getter(l, j) for j in range(1, size + 1)])

    @property
    def glossary(self) -> list[tuple[str, str]]:
        """(symbol, meaning) rows; meanings are plain prose."""
        N, net = self.N, self.network
        L = net.depth
        rows = [(self._layer_symbols("a", 0), "input features of this example")]
        for l in range(1, L):
            rows.append((self._layer_symbols("z", l), f"pre-activations (weighted sums) of {N.layer_title(l).lower()}"))
            rows.append((self._layer_symbols("a", l), f"activations of {N.layer_title(l).lower()}"))
        rows.append((self._layer_symbols("z", L), "pre-activation(s) of the output layer"))
        rows.append((self._layer_symbols("a", L), "network output (prediction)"))
        rows.append((symbol_list([N.target(j) for j in range(1, net.sizes[L] + 1)]), "target value(s)"))
        weights = [N.weight(r.layer, r.row, r.column) for r in net.parameters() if r.kind == "weight"]
        rows.append((symbol_list(weights), "weights (first index: receiving neuron)" if N.preset in ("layered", "mitchell")
                     else "weights (strength of a connection)"))
        if net.has_bias:
            biases = [N.bias(r.layer, r.row) for r in net.parameters() if r.kind == "bias"]
            rows.append((symbol_list(biases), "biases (a weight on a constant input 1)"))
        rows.append((N.loss, f"loss: {LOSSES[self.spec.loss].title.lower()}"))
        for name in dict.fromkeys(net.activation_names):
            layer = net.activation_names.index(name) + 1
            rows.append((N.function(layer) + "(\\cdot)", f"{name} activation"))
        meaning = ("error term, minus the derivative of the loss by the neuron's net input" if self.mitchell
                   else "error signal, the derivative of the loss by the neuron's pre-activation")
        rows.append((self._layer_symbols("delta", L), meaning))
        rows.append((N.eta, "learning rate"))
        return rows

    @property
    def neuron_equations(self) -> list[Equation]:
        eqs = []
        for l in self.network.layer_indices:
            for j in range(1, self.network.sizes[l] + 1):
                eqs.append(chain(self.N.preactivation(l, j), self.symbolic_sum(l, j)))
                eqs.append(chain(self.act(l, j), self.activation_call(l, j)))
        return eqs

    def symbolic_sum(self, l: int, j: int) -> list[str]:
        terms = [self.term_order(self.N.paint("weight", self.N.weight(l, j, k)),
                                 self.N.paint("input" if l == 1 else "activation", self.act(l - 1, k)))
                 for k in range(1, self.network.sizes[l - 1] + 1)]
        if self.network.has_bias:
            terms.append(self.N.paint("weight", self.N.bias(l, j)))
        return [terms[0]] + [f"+ {t}" for t in terms[1:]]

    def activation_call(self, l: int, j: int) -> str:
        activation = self.network.activation(l)
        if activation.elementwise:
            return f"{self.N.function(l)}({self.N.preactivation(l, j)})"
        zs = [self.N.preactivation(l, k) for k in range(1, self.network.sizes[l] + 1)]
        return f"\\frac{{e^{{{zs[j - 1]}}}}}{{{' + '.join(f'e^{{{z}}}' for z in zs)}}}"

    # ------------------------------------------------------------------ activation functions
    @property
    def activation_blocks(self) -> list[Block]:
        blocks = []
        for name in dict.fromkeys(self.network.activation_names):
            layer = self.network.activation_names.index(name) + 1
            activation = self.network.activation(layer)
            f = self.N.function(layer)
            if activation.elementwise:
                definition = chain(f"{f}(z)", sp.latex(activation.formula))
                derived = sp.latex(activation.derivative)
                parts = [derived]
                if activation.derivative_in_output is not None and activation.derivative_in_output != activation.derivative:
                    parts.append(sp.latex(activation.derivative_in_output, symbol_names={a_sym: f"{f}(z)"}))
                derivative = chain(f"{f}'(z)", *parts)
                text = ("The last form is the one used in backpropagation: each neuron already has its activation "
                        "a = f(z), so the derivative costs one multiplication." if activation.derivative_in_output
                        is not None and name != "identity" else "")
            else:
                definition = chain(f"{f}(\\mathbf{{z}})_j", "\\frac{e^{z_j}}{\\sum_k e^{z_k}}")
                derivative = chain(partial("a_k", "z_j"), "a_k\\,(\\mathbb{1}[k = j] - a_j)")
                text = ("Softmax couples the outputs: every output depends on every pre-activation of its layer, so "
                        "the output delta sums over the Jacobian.")
            blocks.append(Block(activation.title, equations=[definition, derivative], text=text))
        return blocks

    # ------------------------------------------------------------------ forward pass
    def forward_blocks(self, values=None, weights=None, biases=None) -> list[Block]:
        """Neuron-by-neuron forward pass (before the update by default)."""
        values = values or self.values.forward
        blocks = []
        for l in self.network.layer_indices:
            neurons = []
            layer = values.layers[l - 1]
            for j in range(1, self.network.sizes[l] + 1):
                w_text = [(weights(l, j, k) if weights else self.given_weight(l, j, k))
                          for k in range(1, self.network.sizes[l - 1] + 1)]
                inputs = [self.fmt.given(values.inputs[k - 1]) if l == 1 and isinstance(values.inputs[k - 1], Decimal)
                          else (self.shown_activation(0, k) if l == 1 else self.fmt.value(values.layers[l - 2].a[k - 1]))
                          for k in range(1, self.network.sizes[l - 1] + 1)]
                substituted = [self.number_order(w, x) for w, x in zip(w_text, inputs)]
                products = [self.fmt.value(p) for p in layer.products[j - 1]]
                if self.network.has_bias:
                    b = biases(l, j) if biases else self.given_bias(l, j)
                    substituted.append(b)
                    products.append(b)
                z_value = self.fmt.value(layer.z[j - 1])
                z_eq = chain(self.N.preactivation(l, j), self.symbolic_sum(l, j),
                             self.fmt.signed_terms(substituted),
                             self.fmt.signed_terms(products) if len(products) > 1 else None,
                             Part((z_value,), self._sum_relation(layer, j)))
                a_eq = chain(self.act(l, j), *self.activation_value_parts(l, j, layer))
                neurons.append(Neuron(f"{self.N.layer_title(l)}, neuron {j}", [z_eq, a_eq]))
            blocks.append(Block(self.N.layer_title(l), neurons))
        return blocks

    def _sum_relation(self, layer, j) -> str:
        """'=' unless carry mode rounded the weighted sum to give z."""
        return self.fmt.relation(layer.weighted_sum[j - 1], layer.z[j - 1])

    def activation_value_parts(self, l: int, j: int, layer) -> list:
        activation = self.network.activation(l)
        f = self.N.function(l)
        z_text = self.fmt.value(layer.z[j - 1])
        a_text = self.fmt.value(layer.a[j - 1])
        if not activation.elementwise:
            zs = [self.fmt.value(v) for v in layer.z]
            return [f"\\frac{{e^{{{zs[j - 1]}}}}}{{{' + '.join(f'e^{{{v}}}' for v in zs)}}}", a_text]
        parts = [f"{f}({z_text})"]
        if activation.name == "sigmoid":
            exponent = "0" if z_text.strip("0.") == "" else (z_text[1:] if z_text.startswith("-") else f"-{z_text}")
            parts.append(f"\\frac{{1}}{{1 + e^{{{exponent}}}}}")
        parts.append(Part((a_text,), "=" if not self.fmt.policy.carries else r"\approx"))
        return parts

    # ------------------------------------------------------------------ matrix form
    def vector(self, values) -> str:
        return column([self.fmt.value(v) for v in values])

    def matrix_forward(self, values=None) -> list[Equation]:
        values = values or self.values.forward
        N = self.N
        eqs = []
        for l in self.network.layer_indices:
            weights = pmatrix([[self.given_weight(l, j, k) for k in range(1, self.network.sizes[l - 1] + 1)]
                               for j in range(1, self.network.sizes[l] + 1)])
            previous = column([self.shown_activation(0, k) for k in range(1, self.network.sizes[0] + 1)]) \
                if l == 1 else self.vector(values.layers[l - 2].a)
            symbolic = f"{N.weight_matrix(l)} {N.activation_vector(l - 1)}"
            numeric = f"{weights} {previous}"
            if self.network.has_bias:
                symbolic += f" + {N.bias_vector(l)}"
                numeric += " + " + column([self.given_bias(l, j) for j in range(1, self.network.sizes[l] + 1)])
            eqs.append(chain(N.preactivation_vector(l), symbolic, numeric, self.vector(values.layers[l - 1].z)))
            eqs.append(chain(N.activation_vector(l), f"{N.function(l)}({N.preactivation_vector(l)})",
                             self.vector(values.layers[l - 1].a)))
        return eqs

    # ------------------------------------------------------------------ loss
    def loss_equation(self, forward=None) -> Equation:
        forward = forward or self.values.forward
        sym = self.network.symbols
        L = self.network.depth
        loss = self.solution.derivation.loss
        raw = dict(zip(sym.a[L], forward.output))
        raw.update(zip(sym.t, self.step.target))
        numbers = {s: self.fmt.given(v) if s in sym.t else self.fmt.value(v) for s, v in raw.items()}
        return chain(self.N.loss, self.fmt.pieces(loss), self.fmt.pieces(loss, numbers),
                     Part((self.fmt.value(forward.loss),), self.fmt.relation_for(loss, raw, forward.loss)),
                     boxed=True)

    # ------------------------------------------------------------------ backward: symbolic rules
    def delta_definition(self, l: int, j: int) -> str:
        if self.mitchell:
            return f"-{partial(self.N.loss, self.N.preactivation(l, j))}"
        return partial(self.N.loss, self.N.preactivation(l, j))

    def _display_delta_expr(self, node) -> sp.Expr:
        """The delta formula as the convention writes it."""
        if not self.mitchell:
            return node.delta
        if node.delta_kind == "product" and node.layer == self.network.depth:
            return sp.Mul(negate_for_display(node.dE_da), node.fprime, evaluate=False)
        if node.layer == self.network.depth:
            return negate_for_display(node.delta)
        return node.delta

    @property
    def rule_blocks(self) -> list[Block]:
        """The boxed chain-rule equations, output layer first."""
        N, derivation, net = self.N, self.solution.derivation, self.network
        L = net.depth
        blocks = []
        output_eqs = []
        for node in derivation.nodes[L]:
            y, zL = self.act(L, node.row), N.preactivation(L, node.row)
            output_eqs.append(chain(self.d_loss(y), self.fmt.latex(node.dE_da)))
            if node.fprime is not None:
                output_eqs.append(chain(partial(y, zL), self.fmt.latex(node.fprime)))
            delta_pieces = self.fmt.pieces(self._display_delta_expr(node))
            output_eqs.append(chain(N.delta(L, node.row), self.delta_definition(L, node.row), delta_pieces,
                                    boxed=len(delta_pieces) == 1))
        output_eqs += self.gradient_rules(L)
        blocks.append(Block(N.layer_title(L), equations=output_eqs))
        for l in range(L - 1, 0, -1):
            eqs = []
            for node in derivation.nodes[l]:
                lhs = self.d_loss(self.act(l, node.row))
                eqs.append(chain(f"-{lhs}" if self.mitchell else lhs, self.fmt.pieces(node.dE_da)))
                eqs.append(chain(N.delta(l, node.row), self.delta_definition(l, node.row),
                                 self.fmt.pieces(node.delta), boxed=len(node.dE_da.args) <= 4))
            eqs += self.gradient_rules(l)
            blocks.append(Block(N.layer_title(l), equations=eqs))
        return blocks

    def gradient_rules(self, l: int) -> list[Equation]:
        derivation = self.solution.derivation
        refs = [r for r in self.network.parameters() if r.layer == l]
        eqs = []
        for ref in refs:
            expr = derivation.gradient(ref)
            if self.mitchell:
                expr = sp.Mul(-1, expr, evaluate=False)
            eqs.append(chain(self.d_loss(self.N.parameter(ref)), self.fmt.latex(expr), boxed=True))
        return eqs

    # ------------------------------------------------------------------ backward: numbers
    @property
    def backward_blocks(self) -> list[Block]:
        N, derivation, net, v = self.N, self.solution.derivation, self.network, self.values
        sym = net.symbols
        L = net.depth
        fwd = v.forward
        blocks = []
        eqs = []
        raw = dict(zip(sym.a[L], fwd.output))
        raw.update(zip(sym.t, self.step.target))
        raw.update(zip(sym.z[L], fwd.layers[-1].z))
        out_values = {s: self.fmt.given(x) if s in sym.t else self.fmt.value(x) for s, x in raw.items()}
        for node in derivation.nodes[L]:
            j = node.row
            y = self.act(L, j)
            dE = self.sign * v.output_dE_da[j - 1]
            lhs = self.d_loss(y) if not self.mitchell else f"-{self.d_loss(y)}"
            dE_expr = node.dE_da if not self.mitchell else negate_for_display(node.dE_da)
            if node.delta_kind == "product":
                eqs.append(chain(lhs, self.fmt.latex(dE_expr), self.fmt.substituted(dE_expr, out_values),
                                 Part((self.fmt.value(dE),), self.fmt.relation_for(dE_expr, raw, dE))))
                fp = fwd.layers[-1].fprime[j - 1]
                eqs.append(self.fprime_equation(L, j, fwd))
                eqs.append(chain(N.delta(L, j), self.fmt.product(self.fmt.value(dE), self.fmt.value(fp)),
                                 Part((self.shown_delta(L, j),), self.fmt.relation(dE * fp, self.sign *
                                                                                   v.deltas[-1][j - 1])),
                                 boxed=True))
            else:
                expr = self._display_delta_expr(node)
                shown_delta = self.sign * v.deltas[-1][j - 1]
                eqs.append(chain(N.delta(L, j), self.fmt.pieces(expr), self.fmt.pieces(expr, out_values),
                                 Part((self.shown_delta(L, j),), self.fmt.relation_for(expr, raw, shown_delta)),
                                 boxed=True))
        blocks.append(Block(N.layer_title(L), equations=eqs))
        for l in range(L - 1, 0, -1):
            neurons = []
            for node in derivation.nodes[l]:
                j = node.row
                terms_sym = [f"{N.paint('weight', N.weight(l + 1, k, j))} {N.paint('error', N.delta(l + 1, k))}"
                             for k in range(1, net.sizes[l + 1] + 1)]
                terms_num = [self.fmt.product(self.given_weight(l + 1, k, j), self.shown_delta(l + 1, k))
                             for k in range(1, net.sizes[l + 1] + 1)]
                terms_val = [self.fmt.value(self.sign * t) for t in v.downstream_terms[l - 1][j - 1]]
                total = self.sign * v.downstream_sums[l - 1][j - 1]
                lhs = self.d_loss(self.act(l, j)) if not self.mitchell else \
                    f"\\sum_{{k}} w_{{k{N.unit_number(l, j)}}} \\delta_{{k}}"
                sum_eq = chain(lhs, [terms_sym[0]] + [f"+ {t}" for t in terms_sym[1:]],
                               self.fmt.signed_terms(terms_num),
                               self.fmt.signed_terms(terms_val) if len(terms_val) > 1 else None,
                               self.fmt.value(total))
                fp = fwd.layers[l - 1].fprime[j - 1]
                fp_eq = self.fprime_equation(l, j, fwd)
                delta_eq = chain(N.delta(l, j), f"{self.fmt.wrap(self.fmt.value(total), total)} \\cdot "
                                                f"{self.fmt.wrap(self.fmt.value(fp), fp)}",
                                 Part((self.shown_delta(l, j),), self.fmt.relation(total * fp, self.sign *
                                                                                   v.deltas[l - 1][j - 1])),
                                 boxed=True)
                neurons.append(Neuron(f"{N.layer_title(l)}, neuron {j}", [sum_eq, fp_eq, delta_eq]))
            blocks.append(Block(N.layer_title(l), neurons))
        return blocks

    def fprime_equation(self, l: int, j: int, fwd) -> Equation:
        activation = self.network.activation(l)
        sym = self.network.symbols
        node_fp = self.solution.derivation.node(l, j).fprime
        raw = {sym.a[l][j - 1]: fwd.layers[l - 1].a[j - 1], sym.z[l][j - 1]: fwd.layers[l - 1].z[j - 1]}
        fp = fwd.layers[l - 1].fprime[j - 1]
        substituted = (self.fmt.substituted(node_fp, {s: self.fmt.value(x) for s, x in raw.items()})
                       if activation.name != "identity" else None)
        return chain(self.N.fprime(l, j), self.fmt.latex(node_fp), substituted,
                     Part((self.fmt.value(fp),), self.fmt.relation_for(node_fp, raw, fp)))

    @property
    def fprime_equations(self) -> list[Equation]:
        """Activation derivatives of every hidden neuron (seed 000's 'sigmoid derivatives' section)."""
        fwd = self.values.forward
        return [self.fprime_equation(l, j, fwd) for l in range(1, self.network.depth)
                for j in range(1, self.network.sizes[l] + 1) if self.network.activation(l).elementwise]

    @property
    def matrix_backward(self) -> list[Equation]:
        """BP1-BP4 with the matrices written out."""
        N, net, v = self.N, self.network, self.values
        L = net.depth
        fwd = v.forward
        eqs = []
        sgn = self.sign
        if net.activation(L).elementwise and self.solution.derivation.nodes[L][0].delta_kind == "product":
            grad = column([self.fmt.value(sgn * x) for x in v.output_dE_da])
            fps = self.vector(fwd.layers[-1].fprime)
            eqs.append(chain(N.delta_vector(L), f"\\nabla_{{a}} {N.loss} \\odot {N.function(L)}'({N.preactivation_vector(L)})",
                             f"{grad} \\odot {fps}", column([self.shown_delta(L, j) for j in range(1, net.sizes[L] + 1)]),
                             label="BP1"))
        else:
            eqs.append(chain(N.delta_vector(L), column([self.shown_delta(L, j) for j in range(1, net.sizes[L] + 1)]),
                             label="BP1"))
        for l in range(L - 1, 0, -1):
            transposed = pmatrix([[self.given_weight(l + 1, k, j) for k in range(1, net.sizes[l + 1] + 1)]
                                  for j in range(1, net.sizes[l] + 1)])
            deltas = column([self.shown_delta(l + 1, k) for k in range(1, net.sizes[l + 1] + 1)])
            sums = self.vector([sgn * s for s in v.downstream_sums[l - 1]])
            eqs.append(chain(N.delta_vector(l),
                             f"\\left((\\mathbf{{W}}^{{({l + 1})}})^{{T}} {N.delta_vector(l + 1)}\\right) \\odot "
                             f"{N.function(l)}'({N.preactivation_vector(l)})",
                             f"\\left({transposed} {deltas}\\right) \\odot {self.vector(fwd.layers[l - 1].fprime)}",
                             f"{sums} \\odot {self.vector(fwd.layers[l - 1].fprime)}",
                             column([self.shown_delta(l, j) for j in range(1, net.sizes[l] + 1)]), label="BP2"))
        for l in net.layer_indices:
            gradient = pmatrix([[self.fmt.value(x) for x in row] for row in v.grad_W[l - 1]])
            eqs.append(chain(f"\\frac{{\\partial {N.loss}}}{{\\partial {N.weight_matrix(l)}}}",
                             f"{N.delta_vector(l)} ({N.activation_vector(l - 1)})^{{T}}" if not self.mitchell
                             else f"-{N.delta_vector(l)} ({N.activation_vector(l - 1)})^{{T}}",
                             gradient, label="BP3"))
            if net.has_bias:
                eqs.append(chain(f"\\frac{{\\partial {N.loss}}}{{\\partial {N.bias_vector(l)}}}",
                                 N.delta_vector(l) if not self.mitchell else f"-{N.delta_vector(l)}",
                                 self.vector(v.grad_b[l - 1]), label="BP4"))
        return eqs

    # ------------------------------------------------------------------ gradients
    def gradient_value(self, ref: ParameterRef, values=None):
        values = values or self.values
        if ref.kind == "weight":
            return values.grad_W[ref.layer - 1][ref.row - 1, ref.column - 1]
        return values.grad_b[ref.layer - 1][ref.row - 1]

    @property
    def gradient_blocks(self) -> list[Block]:
        N, net = self.N, self.network
        blocks = []
        for l in range(net.depth, 0, -1):
            eqs = []
            for ref in [r for r in net.parameters() if r.layer == l]:
                g = self.gradient_value(ref)
                delta = self.shown_delta(l, ref.row)
                exact_product = self.values.deltas[l - 1][ref.row - 1]
                if ref.kind == "weight":
                    local = self.shown_activation(l - 1, ref.column)
                    exact_product = exact_product * self.values.forward.activations(l - 1)[ref.column - 1]
                    product = self.fmt.product(delta, local)
                    symbolic = f"{N.delta(l, ref.row)} {self.act(l - 1, ref.column)}"
                else:
                    product, symbolic = None, N.delta(l, ref.row)
                if self.mitchell:
                    symbolic = f"-{symbolic}"
                    product = f"-{product}" if product else f"-{self.fmt.wrap(delta, delta)}"
                eq = chain(self.d_loss(N.parameter(ref)), symbolic, product,
                           Part((self.fmt.value(g),), self.fmt.relation(exact_product, g)), boxed=True)
                small = self.fmt.small(self.step.exact.grad_W[l - 1][ref.row - 1, ref.column - 1]
                                       if ref.kind == "weight" else self.step.exact.grad_b[l - 1][ref.row - 1])
                if small:
                    eq = Equation(eq.lhs, eq.parts, eq.boxed, notes=(small,))
                eqs.append(eq)
            blocks.append(Block(f"{N.layer_title(l)} parameters", equations=eqs))
        return blocks

    # ------------------------------------------------------------------ one expanded chain
    @property
    def chain_view(self) -> dict:
        N, net, derivation = self.N, self.network, self.solution.derivation
        layer, row, col = self.spec.options.chain
        ref = ParameterRef("weight", layer, row, col)
        L = net.depth
        fwd = self.values.forward
        paths = net.paths(layer, row, PATHS_SHOWN_MAX)
        out_kind = derivation.nodes[L][0].delta_kind
        sequences, numeric_terms, path_texts = [], [], []
        for path in paths:
            factors = []
            m = path[-1]
            if out_kind == "product":
                y = self.act(L, m)
                node = derivation.node(L, m)
                factors.append((self.d_loss(y), self.fmt.latex(node.dE_da), self.fmt.value(self.step.shown.output_dE_da[m - 1])))
                factors.append((partial(y, N.preactivation(L, m)), self.fmt.latex(node.fprime),
                                self.fmt.value(fwd.layers[-1].fprime[m - 1])))
            else:
                factors.append((self.d_loss(N.preactivation(L, m)), self.fmt.latex(derivation.node(L, m).delta),
                                self.fmt.value(self.values.deltas[-1][m - 1])))
            for position in range(len(path) - 1, 0, -1):
                upper_layer = layer + position
                upper, lower = path[position], path[position - 1]
                lower_layer = upper_layer - 1
                factors.append((partial(N.preactivation(upper_layer, upper), self.act(lower_layer, lower)),
                                N.weight(upper_layer, upper, lower), self.given_weight(upper_layer, upper, lower)))
                factors.append((partial(self.act(lower_layer, lower), N.preactivation(lower_layer, lower)),
                                self.fmt.latex(derivation.node(lower_layer, lower).fprime),
                                self.fmt.value(fwd.layers[lower_layer - 1].fprime[lower - 1])))
            local = self.shown_activation(layer - 1, col)
            factors.append((partial(N.preactivation(layer, row), N.weight(layer, row, col)),
                            self.act(layer - 1, col), local))
            sequences.append(" \\cdot ".join(f"\\underbrace{{{d}}}_{{{s}}}" for d, s, _ in factors))
            numeric_terms.append(" \\cdot ".join(self.fmt.wrap(value, value) for _, _, value in factors))
            nodes = [N.weight(layer, row, col)] + [x for p, l in zip(path, range(layer, L + 1))
                                                   for x in (N.preactivation(l, p), self.act(l, p))] + [N.loss]
            path_texts.append(" \\rightarrow ".join(nodes))
        exact_value = self.step.exact.grad_W[layer - 1][row - 1, col - 1]
        shown = self.fmt.value(self.gradient_value(ref))
        small = self.fmt.small(exact_value)
        lhs = self.d_loss(N.weight(layer, row, col))
        expanded = [chain(lhs if i == 0 else "", Part((s,), "=" if i == 0 else "+")) for i, s in enumerate(sequences)]
        numeric = chain(lhs, [numeric_terms[0]] + [f"+ {t}" for t in numeric_terms[1:]] if numeric_terms else None,
                        Part((small,), r"\approx") if small else None,
                        Part((shown,), r"\approx" if small or self.fmt.policy.carries else "="), boxed=True)
        total = net.path_count(layer)
        return {
            "parameter": N.weight(layer, row, col),
            "paths": path_texts,
            "path_count": total,
            "paths_shown": len(paths),
            "expanded": expanded,
            "numeric": numeric,
            "summation": self._chain_summation(layer, row, col),
            "rounds_to_zero": bool(small),
        }

    def _chain_summation(self, layer, row, col) -> Equation:
        N = self.N
        return chain(self.d_loss(N.weight(layer, row, col)),
                     f"{self.act(layer - 1, col)} \\cdot {N.fprime(layer, row)} \\cdot "
                     f"{self.d_loss(self.act(layer, row))}" if self.network.activation(layer).elementwise else
                     f"{self.act(layer - 1, col)} \\cdot {N.delta(layer, row)}")

    # ------------------------------------------------------------------ update
    @property
    def update_rule(self) -> list[Equation]:
        N = self.N
        if self.mitchell:
            return [chain("\\Delta w_{ji}", f"{N.eta} \\, \\delta_j \\, x_{{ji}}"),
                    chain("w_{ji}", Part(("w_{ji} + \\Delta w_{ji}",), "\\leftarrow"))]
        return [chain("\\theta", Part((f"\\theta - {N.eta} \\, {partial(N.loss, chr(92) + 'theta')}",), "\\leftarrow"))]

    def parameter_new(self, ref: ParameterRef, values=None):
        values = values or self.values
        if ref.kind == "weight":
            return values.new.weights[ref.layer - 1][ref.row - 1, ref.column - 1]
        return values.new.biases[ref.layer - 1][ref.row - 1]

    def parameter_old(self, ref: ParameterRef) -> str:
        return self.given_weight(ref.layer, ref.row, ref.column) if ref.kind == "weight" \
            else self.given_bias(ref.layer, ref.row)

    def updated_refs(self) -> list[ParameterRef]:
        return [r for r in self.network.parameters() if r.kind == "weight" or self.network.train_biases]

    @property
    def update_blocks(self) -> list[Block]:
        N, net = self.N, self.network
        eta = self.fmt.given(self.spec.learning_rate)
        blocks = []
        for l in range(net.depth, 0, -1):
            eqs = []
            for ref in [r for r in self.updated_refs() if r.layer == l]:
                g = self.gradient_value(ref)
                new = self.fmt.value(self.parameter_new(ref))
                old = self.parameter_old(ref)
                symbol = N.parameter(ref)
                change_value = (self.values.change_W[l - 1][ref.row - 1, ref.column - 1] if ref.kind == "weight"
                                else self.values.change_b[l - 1][ref.row - 1])
                relation = self._update_relation(ref, change_value)
                if self.mitchell:
                    change = self.fmt.value(-change_value)
                    local = f" \\, {self.act(l - 1, ref.column)}" if ref.kind == "weight" else ""
                    eqs.append(chain(f"\\Delta {symbol}", f"{N.eta} \\, {N.delta(l, ref.row)}{local}",
                                     self.fmt.product(eta, self.fmt.value(-g)), change))
                    eqs.append(chain(f"{{{symbol}}}'", f"{old} + {self.fmt.wrap(change, change)}",
                                     Part((new,), relation), boxed=True))
                else:
                    eqs.append(chain(f"{{{symbol}}}'", f"{old} - {self.fmt.product(eta, self.fmt.value(g))}",
                                     Part((new,), relation), boxed=True))
            blocks.append(Block(f"{N.layer_title(l)} parameters", equations=eqs))
        return blocks

    def _update_relation(self, ref, change) -> str:
        """'=' when old - change is exactly the shown new value (carry mode), else '\\approx'."""
        if not self.fmt.policy.carries:
            return "="
        old = self.spec.weights[ref.layer - 1][ref.row - 1][ref.column - 1] if ref.kind == "weight" \
            else self.spec.biases[ref.layer - 1][ref.row - 1]
        return self.fmt.relation(old - change, self.parameter_new(ref))

    @property
    def frozen_biases_text(self) -> str:
        if self.network.has_bias and not self.network.train_biases:
            return "The biases are fixed in this problem (train_biases: false): they keep their values."
        return ""

    # ------------------------------------------------------------------ after the update
    @property
    def after_blocks(self) -> list[Block]:
        new = self.values.new
        return self.forward_blocks(self.values.after,
                                   weights=lambda l, j, k: self.fmt.value(new.weights[l - 1][j - 1, k - 1]),
                                   biases=lambda l, j: self.fmt.value(new.biases[l - 1][j - 1]))

    @property
    def after_loss(self) -> Equation:
        return self.loss_equation(self.values.after)

    @property
    def comparison(self) -> Table:
        """Output, error and loss before and after the update, from the numbers the handout shows."""
        shown, fmt = self.values, self.fmt
        rows = []
        for j in range(1, self.network.sizes[-1] + 1):
            before, after = shown.forward.output[j - 1], shown.after.output[j - 1]
            target = self._in_shown_numbers(self.step.target[j - 1])
            y = self.act(self.network.depth, j)
            rows.append([f"\\text{{output }} {y}", fmt.value(before), fmt.value(after), fmt.value(after - before)])
            e0, e1 = abs(before - target), abs(after - target)
            rows.append([f"|{y} - {self.N.target(j)}|", fmt.value(e0), fmt.value(e1), fmt.value(e1 - e0)])
        loss0, loss1 = shown.forward.loss, shown.after.loss
        rows.append([f"\\text{{loss }} {self.N.loss}", fmt.value(loss0), fmt.value(loss1), fmt.value(loss1 - loss0)])
        return Table(["", "\\text{before}", "\\text{after}", "\\text{change}"], rows)

    def _in_shown_numbers(self, given: Decimal):
        """A given value in the number system of the shown step (Decimal in carry mode, else Fraction)."""
        return given if self.fmt.policy.carries else Fraction(given)

    @property
    def improvement(self) -> dict:
        """Loss reduction and percent improvement from the shown losses; full precision stated in prose."""
        fmt = self.fmt
        loss0, loss1 = self.values.forward.loss, self.values.after.loss
        reduction = loss0 - loss1
        percent = 100 * reduction / loss0 if loss0 else 0
        exact0, exact1 = float(self.step.exact.forward.loss), float(self.step.exact.after.loss)
        return {
            "reduction": chain(f"\\Delta {self.N.loss}", f"{fmt.value(loss0)} - {fmt.value(loss1)}", fmt.value(reduction)),
            "percent": chain("\\text{improvement}",
                             f"\\frac{{{fmt.value(reduction)}}}{{{fmt.value(loss0)}}} \\times 100\\,\\%",
                             Part((f"{fmt.rounded(percent)}\\,\\%",), fmt.relation(percent, fmt.policy.round(percent)))),
            "decreased": exact1 < exact0,
            "loss_before_full": f"{exact0:.10g}",
            "loss_after_full": f"{exact1:.10g}",
        }

    # ------------------------------------------------------------------ summary tables
    @property
    def gradient_table(self) -> Table:
        rows = []
        for ref in self.network.parameters():
            g = self.gradient_value(ref)
            small = self.fmt.small(self.step.exact.grad_W[ref.layer - 1][ref.row - 1, ref.column - 1]
                                   if ref.kind == "weight" else self.step.exact.grad_b[ref.layer - 1][ref.row - 1])
            rows.append([partial_inline(self.N.loss, self.N.parameter(ref)), self.fmt.value(g), small or ""])
        return Table(["\\text{gradient}", "\\text{value}", "\\text{before rounding}"], rows)

    @property
    def parameter_table(self) -> Table:
        rows = []
        for ref in self.network.parameters():
            new = self.parameter_new(ref)
            old_exact = (self.step.before.weights[ref.layer - 1][ref.row - 1, ref.column - 1] if ref.kind == "weight"
                         else self.step.before.biases[ref.layer - 1][ref.row - 1])
            change = float(self.parameter_new(ref, self.step.exact)) - float(old_exact)
            rows.append([self.N.parameter(ref), self.parameter_old(ref), self.fmt.value(new),
                         ("+" if change > 0 and self.fmt.rounded(change) != self.fmt.rounded(0) else "")
                         + self.fmt.rounded(change)])
        return Table(["\\text{parameter}", "\\text{old}", "\\text{new}", "\\text{change}"], rows)

    @property
    def quantity_table(self) -> Table:
        fwd = self.values.forward
        rows = []
        for l in self.network.layer_indices:
            for j in range(1, self.network.sizes[l] + 1):
                fp = fwd.layers[l - 1].fprime
                rows.append([f"{l}", f"{j}", self.fmt.value(fwd.layers[l - 1].z[j - 1]),
                             self.fmt.value(fwd.layers[l - 1].a[j - 1]),
                             self.fmt.value(fp[j - 1]) if fp is not None else "\\text{--}",
                             self.shown_delta(l, j)])
        header = ["l", "j", "z", "a", "f'(z)", "\\delta"]
        return Table(header, rows, align="cc" + "r" * 4)

    # ------------------------------------------------------------------ check
    @property
    def check_view(self) -> dict:
        report = self.step.check
        rows = []
        ordered = sorted(report.rows, key=lambda r: -r.relative_error)[:CHECK_ROWS_MAX] \
            if len(report.rows) > CHECK_ROWS_MAX else report.rows
        for row in ordered:
            rows.append([self.N.parameter(row.parameter), f"{row.backprop:.8f}", f"{row.finite_difference:.8f}",
                         self._sci(row.relative_error)])
        return {
            "table": Table(["\\text{parameter}", "\\text{backprop}", "\\text{central difference}",
                            "\\text{relative error}"], rows),
            "epsilon": self._sci(report.step),
            "max_error": self._sci(report.max_relative_error),
            "tolerance": self._sci(1e-5),
            "sympy_checked": report.sympy_checked,
            "sympy_error": self._sci(report.max_sympy_error) if report.sympy_checked else "",
            "rows_total": len(report.rows),
            "rows_shown": len(ordered),
            "formula": chain(self.d_loss("\\theta"),
                             Part((f"\\frac{{{self.N.loss}(\\theta + \\varepsilon) - {self.N.loss}(\\theta - \\varepsilon)}}"
                                   "{2\\varepsilon}",), "\\approx")),
            "error_formula": chain("\\text{relative error}",
                                   "\\frac{|g_{\\text{backprop}} - g_{\\text{numeric}}|}"
                                   "{\\max(|g_{\\text{backprop}}| + |g_{\\text{numeric}}|,\\ 10^{-6})}"),
            "kinks": sum(r.at_kink for r in report.rows),
        }

    @staticmethod
    def _sci(value: float) -> str:
        if value == 0:
            return "0"
        mantissa, exponent = f"{value:.2e}".split("e")
        exponent = int(exponent)
        return mantissa if exponent == 0 else f"{mantissa} \\times 10^{{{exponent}}}"

    # ------------------------------------------------------------------ reference and self-test
    @property
    def recipe(self) -> list[Equation]:
        N, L = self.N, self.network.depth
        out = self.solution.derivation.nodes[L][0]
        first = chain(N.delta(L, 1), self.delta_definition(L, 1), self.fmt.latex(self._display_delta_expr(out)))
        hidden = [chain(N.delta(l, 1), self.fmt.pieces(self.solution.derivation.node(l, 1).delta))
                  for l in range(L - 1, 0, -1)][:1]
        grad = chain(self.d_loss(N.weight(1, 1, 1)), self.fmt.latex(
            self.solution.derivation.gradient(ParameterRef("weight", 1, 1, 1)) if not self.mitchell
            else sp.Mul(-1, self.solution.derivation.gradient(ParameterRef("weight", 1, 1, 1)), evaluate=False)))
        return [first] + hidden + [grad] + self.update_rule

    @property
    def pitfalls(self) -> list[list[dict]]:
        """Common mistakes, as sentences of text and math segments."""
        names = set(self.network.activation_names)
        items = [["Evaluate each activation derivative at the neuron's own pre-activation ", math("z"),
                  " (or through its own activation ", math("a = f(z)"), "), never at another neuron's input."],
                 ["Keep track of which local input multiplies which weight: the gradient of a weight is the delta "
                  "of the neuron it feeds into times the activation it comes from."],
                 ["Use the weights from before the update when propagating deltas backwards; update all parameters "
                  "only after every gradient is known."],
                 ["Rounding too early hides small but real gradients: keep full precision and round only for "
                  "display."]]
        if "sigmoid" in names:
            items.insert(0, ["The sigmoid derivative is ", math("\\sigma'(z) = a(1 - a)"), " with ",
                             math("a = \\sigma(z)"), "; writing ", math("\\sigma'(a)"), " is a common slip."])
        if self.mitchell:
            items.append(["In this convention ", math("\\delta"), " is minus the derivative of the loss, so the "
                          "update adds ", math("\\eta\\,\\delta\\,x"), "; the new weights are the same as with "
                          "gradient descent."])
        if self.spec.loss in ("bce", "cross_entropy"):
            items.append(["With a matching output activation the activation derivative cancels: the output delta "
                          "is simply ", math("a - t"), "."])
        return [_sentence(item) for item in items]

    @property
    def self_test(self) -> list[dict]:
        """Questions with answers computed from this network; each a list of text and math segments."""
        N, net, fmt = self.N, self.network, self.fmt
        L = net.depth
        fwd = self.values.forward
        questions = []
        if net.activation(1).elementwise:
            z_text = fmt.value(fwd.layers[0].z[0])
            questions.append(_qa(
                ["Given ", math(f"{N.preactivation(1, 1)} = {z_text}"), ", compute ", math(self.act(1, 1)),
                 " and ", math(N.fprime(1, 1)), "."],
                [math(f"{self.act(1, 1)} = {N.function(1)}({z_text}) = {fmt.value(fwd.layers[0].a[0])}"), " and ",
                 math(f"{N.fprime(1, 1)} = {fmt.value(fwd.layers[0].fprime[0])}"), "."]))
        questions.append(_qa(
            ["Compute the output delta ", math(N.delta(L, 1)), " from ",
             math(f"{self.act(L, 1)} = {fmt.value(fwd.output[0])}"), " and ",
             math(f"{N.target(1)} = {fmt.given(self.step.target[0])}"), "."],
            [math(f"{N.delta(L, 1)} = {self.shown_delta(L, 1)}"), "."]))
        ref = ParameterRef("weight", L, 1, 1)
        questions.append(_qa(
            ["With ", math(f"{N.delta(L, 1)} = {self.shown_delta(L, 1)}"), ", ",
             math(f"{self.act(L - 1, 1)} = {self.shown_activation(L - 1, 1)}"), " and ",
             math(f"{N.eta} = {fmt.given(self.spec.learning_rate)}"), ", what is the new value of ",
             math(f"{N.parameter(ref)} = {self.parameter_old(ref)}"), "?"],
            [math(f"{{{N.parameter(ref)}}}' = {fmt.value(self.parameter_new(ref))}"), "."]))
        zero_inputs = [k for k, x in enumerate(self.step.inputs, 1) if x == 0]
        if zero_inputs:
            x = N.activation(0, zero_inputs[0])
            questions.append(_qa(
                ["Why does no weight leaving ", math(x), " change in this step?"],
                ["Because ", math(f"{x} = 0"), ": each such gradient is a delta times ", math(x), ", which is 0."]))
        loss0, loss1 = float(self.step.exact.forward.loss), float(self.step.exact.after.loss)
        verdict = "Yes" if loss1 < loss0 else "No"
        questions.append(_qa(
            ["Does this one update reduce the loss, and by how much?"],
            [f"{verdict}: ", math(f"{N.loss}: {fmt.rounded(loss0)} \\rightarrow {fmt.rounded(loss1)}"),
             ", a change of ", math(fmt.rounded(loss1 - loss0)), "."]))
        return questions

    # ------------------------------------------------------------------ history
    @property
    def history(self) -> dict:
        rows, points = [], []
        for step in self.solution.steps:
            before, after = float(step.exact.forward.loss), float(step.exact.after.loss)
            rows.append([str(step.index), str(step.epoch), str(step.example), self.fmt.rounded(before),
                         self.fmt.rounded(after)])
            points.append((step.index, before))
        last = self.solution.steps[-1]
        points.append((last.index + 1, float(last.exact.after.loss)))
        return {"table": Table(["\\text{step}", "\\text{epoch}", "\\text{example}", "\\text{loss before}",
                                "\\text{loss after}"], rows, align="ccc" + "rr"),
                "points": points,
                "coordinates": " ".join(f"({x},{y:.10g})" for x, y in points)}


def math(latex: str) -> dict:
    """A math segment of a sentence."""
    return {"math": True, "text": latex}


def _sentence(parts: list) -> list[dict]:
    return [part if isinstance(part, dict) else {"math": False, "text": part} for part in parts]


def _qa(question: list, answer: list) -> dict:
    return {"question": _sentence(question), "answer": _sentence(answer)}


def negate_for_display(expr: sp.Expr) -> sp.Expr:
    """-(a - t) written as (t - a): negate a sum term by term and reverse it; negate one factor of a product."""
    if isinstance(expr, sp.Add):
        return sp.Add(*reversed([-arg for arg in expr.args]), evaluate=False)
    if isinstance(expr, sp.Mul):
        args = list(expr.args)
        for index, factor in enumerate(args):
            if isinstance(factor, sp.Add):
                args[index] = negate_for_display(factor)
                return sp.Mul(*args, evaluate=False)
    return sp.Mul(-1, expr, evaluate=False)
