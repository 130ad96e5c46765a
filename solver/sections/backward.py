"""Backward pass: the chain-rule equations (symbolic), the numbers, and BP1-BP4 in matrix form."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..convention import negate_for_display
from ..equations import Equation, Grid, Part, chain, printed_dot
from ..formatting import column, partial, pmatrix
from .prose import math, say, sentence
from .records import Block, merged


@dataclass(frozen=True)
class Backward:
    """The record of the backward section (fields: docs/templates.md)."""

    intro: list
    rules: list[Block]
    numbers: list[Block]
    matrix: list[Equation]
    matrix_note: list


def build(ctx) -> Backward:
    N = ctx.N
    if ctx.convention.negated:
        delta, net_input = N.letters["delta"], N.letters["preactivation"]
        intro = say("backward.mitchell", rule=math(f"{delta}_j = -{partial(N.loss, net_input + '_j')}"),
                    update=math(f"{N.eta}\\, \\delta_j\\, x_{{ji}}"))
    else:
        intro = say("backward.descent",
                    rule=math(f"{N.letters['delta']} = {partial(N.loss, N.letters['preactivation'])}"))
    L = ctx.network.depth
    if ctx.network.activation(L).name == "softmax" and ctx.spec.loss == "cross_entropy":
        letters = N.letters
        jacobian = (f"{partial(N.loss, letters['preactivation'] + '_j')} = \\sum_k "
                    f"{partial(N.loss, letters['output'] + '_k')}\\, {letters['output']}_k\\,(\\mathbf{{1}}[k = j] - "
                    f"{letters['output']}_j) = {letters['output']}_j - {letters['target']}_j")
        intro = intro + sentence(" ") + say("backward.softmax_ce", sum=math(jacobian))
    return Backward(intro, merged(_rule_blocks(ctx), ctx.chain_network), merged(number_blocks(ctx), ctx.chain_network),
                    _matrix(ctx) if ctx.matrix_form else [],
                    say("backward.hadamard", odot=math("\\odot")) if ctx.matrix_form else [])


def display_delta(ctx, node):
    """A node's delta formula as the convention writes it."""
    if not ctx.convention.negated:
        return node.delta
    if node.layer != ctx.network.depth:
        return node.delta
    if node.delta_kind == "product":
        return sp.Mul(negate_for_display(node.dE_da), node.fprime, evaluate=False)
    return negate_for_display(node.delta)


def _rule_blocks(ctx) -> list[Block]:
    """The boxed chain-rule equations, output layer first."""
    N, derivation = ctx.N, ctx.solution.derivation
    L = ctx.network.depth
    rows = []
    for node in derivation.nodes[L]:
        y, z = ctx.act(L, node.row), N.preactivation(L, node.row)
        pieces = ctx.fmt.pieces(display_delta(ctx, node))
        delta = chain(N.delta(L, node.row), ctx.example_delta_definition(L, node.row), pieces, boxed=len(pieces) == 1)
        if node.fprime is not None:
            rows.append([chain(ctx.d_example_loss(y), ctx.fmt.latex(node.dE_da)),
                         chain(partial(y, z), ctx.fmt.latex(node.fprime)), delta])
        else:
            rows.append([delta])
    blocks = [Block(N.layer_title(L), _stacked_or_rows(rows + _gradient_rule_rows(ctx, L)))]
    for l in range(L - 1, 0, -1):
        rows = []
        for node in derivation.nodes[l]:
            lhs = ctx.convention.prefix(ctx.d_example_loss(ctx.act(l, node.row)))
            rows.append([chain(lhs, ctx.fmt.pieces(node.dE_da)),
                         chain(N.delta(l, node.row), ctx.example_delta_definition(l, node.row),
                               ctx.fmt.pieces(node.delta), boxed=len(node.dE_da.args) <= 4)])
        blocks.append(Block(N.layer_title(l), _stacked_or_rows(rows + _gradient_rule_rows(ctx, l))))
    return blocks


def _stacked_or_rows(rows) -> Grid:
    """The rows side by side if they fit, else each row in pairs (reading order kept), else one per line."""
    grid = Grid.of(rows)
    if grid.side_by_side():
        return grid
    pairs = Grid.of([row[i:i + 2] for row in grid.rows for i in range(0, len(row), 2)])
    return pairs if pairs.side_by_side() else Grid.of([[eq] for eq in grid.equations])


def _gradient_rule_rows(ctx, l: int) -> list[list[Equation]]:
    """dE/dw = delta x for every parameter of layer l, one row per receiving neuron."""
    derivation = ctx.solution.derivation
    rows = []
    for j in ctx.rows(l):
        rows.append([chain(ctx.d_example_loss(ctx.N.parameter(ref)),
                           ctx.fmt.latex(ctx.convention.expression(derivation.gradient(ref))), boxed=True)
                     for ref in ctx.layer_refs(l) if ref.row == j])
    return rows


def number_blocks(ctx) -> list[Block]:
    N, derivation, net, v = ctx.N, ctx.solution.derivation, ctx.network, ctx.values
    sym = net.symbols
    L = net.depth
    fwd = v.forward
    texts = {s: ctx.fmt.value(x) for s, x in zip(sym.a[L], fwd.output)}
    texts.update({s: ctx.fmt.given(x) for s, x in zip(sym.t, ctx.step.target)})
    texts.update({s: ctx.fmt.value(x) for s, x in zip(sym.z[L], fwd.layers[-1].z)})
    rows = []
    for node in derivation.nodes[L]:
        j = node.row
        delta_text = ctx.shown_delta(L, j)
        if node.delta_kind == "product":
            lhs = ctx.convention.prefix(ctx.d_example_loss(ctx.act(L, j)))
            dE_expr = negate_for_display(node.dE_da) if ctx.convention.negated else node.dE_da
            dE_text = ctx.fmt.value(ctx.convention.shown(v.output_dE_da[j - 1]))
            fp_text = ctx.fmt.value(fwd.layers[-1].fprime[j - 1])
            rows.append([chain(lhs, ctx.fmt.latex(dE_expr), ctx.fmt.substituted(dE_expr, texts),
                               Part((dE_text,), ctx.fmt.relation_for(dE_expr, texts, dE_text))),
                         fprime_equation(ctx, L, j, fwd),
                         chain(N.delta(L, j), ctx.fmt.product(dE_text, fp_text), delta_text, boxed=True,
                               mark=ctx.mark("delta", L, j))])
        else:
            expr = display_delta(ctx, node)
            rows.append([chain(N.delta(L, j), ctx.fmt.pieces(expr), ctx.fmt.pieces(expr, texts),
                               Part((delta_text,), ctx.fmt.relation_for(expr, texts, delta_text)), boxed=True,
                               mark=ctx.mark("delta", L, j))])
    blocks = [Block(N.layer_title(L), _stacked_or_rows(rows))]
    for l in range(L - 1, 0, -1):
        rows = []
        for node in derivation.nodes[l]:
            j = node.row
            downstream = ctx.rows(l + 1)
            symbolic = [f"{N.paint('weight', N.weight(l + 1, k, j))} {N.paint('error', N.delta(l + 1, k))}"
                        for k in downstream]
            numbers = [ctx.fmt.product(ctx.given_weight(l + 1, k, j), ctx.shown_delta(l + 1, k), roles=("weight", "error"))
                       for k in downstream]
            total = ctx.fmt.value(ctx.convention.shown(v.downstream_sums[l - 1][j - 1]))
            fp_text = ctx.fmt.value(fwd.layers[l - 1].fprime[j - 1])
            lhs = ctx.d_example_loss(ctx.act(l, j)) if not ctx.convention.negated else \
                f"\\sum_{{k}} w_{{k{N.unit_number(l, j)}}} \\delta_{{k}}"
            rows.append([chain(lhs, [symbolic[0]] + [f"+ {t}" for t in symbolic[1:]],
                               ctx.fmt.signed_terms(numbers), total),
                         fprime_equation(ctx, l, j, fwd),
                         chain(N.delta(l, j), f"{ctx.fmt.wrap(total, total)} \\cdot {ctx.fmt.wrap(fp_text, fp_text)}",
                               ctx.shown_delta(l, j), boxed=True, mark=ctx.mark("delta", l, j))])
        blocks.append(Block(N.layer_title(l), _stacked_or_rows(rows)))
    return blocks


def fprime_equation(ctx, l: int, j: int, fwd) -> Equation:
    """f'(z) of one neuron: formula, numbers substituted, value."""
    sym = ctx.network.symbols
    node_fp = ctx.solution.derivation.node(l, j).fprime
    texts = {sym.a[l][j - 1]: ctx.fmt.value(fwd.layers[l - 1].a[j - 1]),
             sym.z[l][j - 1]: ctx.fmt.value(fwd.layers[l - 1].z[j - 1])}
    shown = ctx.fmt.value(fwd.layers[l - 1].fprime[j - 1])
    substituted = (ctx.fmt.substituted(node_fp, texts) if ctx.network.activation(l).name not in ("identity", "relu")
                   else None)
    formula = ctx.fmt.latex(node_fp)
    if formula == shown:  # a constant derivative (the identity's 1): the formula is its value
        return chain(ctx.N.fprime(l, j), formula)
    return chain(ctx.N.fprime(l, j), formula, substituted, Part((shown,), ctx.fmt.relation_for(node_fp, texts, shown)))


def _matrix(ctx) -> list[Equation]:
    """BP1-BP4 with the matrices written out; '=' where every entry of a result is exact."""
    N, net, v = ctx.N, ctx.network, ctx.values
    L = net.depth
    fwd, exact = v.forward, ctx.step.exact
    shown = ctx.convention.shown
    relation = ctx.fmt.entries_relation

    def texts(values):
        return [ctx.fmt.value(x) for x in values]

    def deltas(l):
        return [ctx.shown_delta(l, j) for j in ctx.rows(l)]

    def exact_deltas(l):
        return [shown(x) for x in exact.deltas[l - 1]]

    def elementwise(left, right):
        return [printed_dot([(a, b)]) for a, b in zip(left, right)]

    eqs = []
    if net.activation(L).elementwise and ctx.solution.derivation.nodes[L][0].delta_kind == "product":
        dE, fprimes = texts([shown(x) for x in v.output_dE_da]), texts(fwd.layers[-1].fprime)
        eqs.append(chain(N.delta_vector(L), f"\\nabla_{{a}} {N.loss} \\odot {N.function(L)}'({N.preactivation_vector(L)})",
                         f"{column(dE)} \\odot {column(fprimes)}",
                         Part((column(deltas(L)),), relation(elementwise(dE, fprimes), deltas(L))), label="BP1"))
    else:
        eqs.append(chain(N.delta_vector(L), Part((column(deltas(L)),), relation(exact_deltas(L), deltas(L))),
                         label="BP1"))
    for l in range(L - 1, 0, -1):
        transposed = [[ctx.given_weight(l + 1, k, j) for k in ctx.rows(l + 1)] for j in ctx.rows(l)]
        fprimes = texts(fwd.layers[l - 1].fprime)
        sums = texts([shown(s) for s in v.downstream_sums[l - 1]])
        eqs.append(chain(N.delta_vector(l),
                         f"\\left((\\mathbf{{W}}^{{({l + 1})}})^{{T}} {N.delta_vector(l + 1)}\\right) \\odot "
                         f"{N.function(l)}'({N.preactivation_vector(l)})",
                         f"\\left({pmatrix(transposed)} {column(deltas(l + 1))}\\right) \\odot {column(fprimes)}",
                         Part((f"{column(sums)} \\odot {column(fprimes)}",),
                              relation([printed_dot(zip(row, deltas(l + 1))) for row in transposed], sums)),
                         Part((column(deltas(l)),), relation(elementwise(sums, fprimes), deltas(l))), label="BP2"))
    example, exact_example = v.passes[0], exact.passes[0]
    loss = N.loss if ctx.example_is_update else f"{N.loss}_{{{ctx.step.example}}}"
    for l in net.layer_indices:
        gradient = [texts(row) for row in example.grad_W[l - 1]]
        exact_gradient = [x for row in exact_example.grad_W[l - 1] for x in row]
        eqs.append(chain(f"\\frac{{\\partial {loss}}}{{\\partial {N.weight_matrix(l)}}}",
                         ctx.convention.prefix(f"{N.delta_vector(l)} ({N.activation_vector(l - 1)})^{{T}}"),
                         Part((pmatrix(gradient),), relation(exact_gradient, [x for row in gradient for x in row])),
                         label="BP3"))
        if net.has_bias:
            bias_gradient = texts(example.grad_b[l - 1])
            eqs.append(chain(f"\\frac{{\\partial {loss}}}{{\\partial {N.bias_vector(l)}}}",
                             ctx.convention.prefix(N.delta_vector(l)),
                             Part((column(bias_gradient),), relation(list(exact_example.grad_b[l - 1]), bias_gradient)),
                             label="BP4"))
    return eqs
