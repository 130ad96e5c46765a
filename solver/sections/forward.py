"""Forward pass: per layer one block, each neuron's pre-activation and activation side by side."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Grid, Part, chain, printed_dot
from ..formatting import column, pmatrix
from ..functions import z as z_sym
from ..parameters import ParameterRef
from .prose import say
from .records import Block, merged


@dataclass(frozen=True)
class Forward:
    """The record of the forward section (fields: docs/templates.md)."""

    intro: list
    blocks: list[Block]
    matrix: Grid | None


def build(ctx) -> Forward:
    return Forward(say("forward.intro"), layer_blocks(ctx, ctx.values.forward),
                   matrix_grid(ctx) if ctx.matrix_form else None)


def layer_blocks(ctx, forward, new=None, prime: str = "") -> list[Block]:
    """One block per layer for a forward pass; ``new`` (shown values) gives the updated parameters,
    ``prime`` marks the symbols of the pass after the update."""
    blocks = []
    for l in ctx.network.layer_indices:
        rows = [neuron_equations(ctx, forward, l, j, new, prime) for j in ctx.rows(l)]
        blocks.append(Block(ctx.N.layer_title(l), Grid.of(rows)))
    return merged(blocks, ctx.chain_network)


def _parameter_text(ctx, ref, new) -> str:
    return ctx.given(ref) if new is None else ctx.fmt.value(ref.entry(new.weights, new.biases))


def neuron_equations(ctx, forward, l: int, j: int, new=None, prime: str = "") -> list:
    """[z = ..., a = ...] of one neuron in a forward pass (see :func:`layer_blocks` for ``new``, ``prime``)."""
    layer = forward.layers[l - 1]
    weights = [_parameter_text(ctx, ParameterRef("weight", l, j, k), new) for k in ctx.rows(l - 1)]
    inputs = [ctx.shown_activation(l - 1, k, forward) for k in ctx.rows(l - 1)]
    substituted = [ctx.number_term(w, x, l) for w, x in zip(weights, inputs)]
    products = [ctx.fmt.value(p) for p in layer.products[j - 1]]
    roles = [None] * len(substituted)
    if ctx.network.has_bias:
        bias = _parameter_text(ctx, ParameterRef("bias", l, j), new)
        substituted.append(bias)
        products.append(bias)
        roles.append("weight")
    show_products = ctx.N.style.show_products and len(products) > 1
    z_value = ctx.fmt.value(layer.z[j - 1])
    z_eq = chain(_primed(ctx.N.preactivation(l, j), prime), ctx.symbolic_sum(l, j) if not prime else None,
                 ctx.fmt.signed_terms(substituted, roles), ctx.fmt.signed_terms(products) if show_products else None,
                 Part((z_value,), ctx.fmt.relation(layer.weighted_sum[j - 1], layer.z[j - 1])))
    mark = ctx.mark("activation", l, j) if new is None and not prime else ""
    return [z_eq, chain(_primed(ctx.act(l, j), prime), *_activation_parts(ctx, layer, l, j), mark=mark)]


def _primed(symbol: str, prime: str) -> str:
    return f"{{{symbol}}}{prime}" if prime else symbol


def _activation_parts(ctx, layer, l: int, j: int) -> list:
    activation = ctx.network.activation(l)
    z_text = ctx.fmt.value(layer.z[j - 1])
    a_text = ctx.fmt.value(layer.a[j - 1])
    if not activation.elementwise:
        zs = [ctx.fmt.value(v) for v in layer.z]
        return [f"\\frac{{e^{{{zs[j - 1]}}}}}{{{' + '.join(f'e^{{{v}}}' for v in zs)}}}",
                Part((a_text,), r"\approx")]
    parts = [f"{ctx.N.function(l)}({z_text})"]
    if activation.name == "sigmoid":
        exponent = "0" if z_text.strip("0.") == "" else (z_text[1:] if z_text.startswith("-") else f"-{z_text}")
        parts.append(f"\\frac{{1}}{{1 + e^{{{exponent}}}}}")
    return parts + [Part((a_text,), ctx.fmt.relation_for(activation.formula, {z_sym: z_text}, a_text))]


def matrix_grid(ctx, forward=None) -> Grid:
    """z = W a + b and a = f(z) per layer with the matrices written out; '=' where every entry is exact."""
    forward = forward or ctx.values.forward
    N = ctx.N
    rows = []
    for l in ctx.network.layer_indices:
        weights = [[ctx.given_weight(l, j, k) for k in ctx.rows(l - 1)] for j in ctx.rows(l)]
        previous = [ctx.shown_activation(l - 1, k, forward) for k in ctx.rows(l - 1)]
        biases = [[ctx.given_bias(l, j)] if ctx.network.has_bias else [] for j in ctx.rows(l)]
        symbolic = f"{N.weight_matrix(l)} {N.activation_vector(l - 1)}"
        numeric = f"{pmatrix(weights)} {column(previous)}"
        if ctx.network.has_bias:
            symbolic += f" + {N.bias_vector(l)}"
            numeric += " + " + column([bias for bias, in biases])
        layer = forward.layers[l - 1]
        zs, activations = [ctx.fmt.value(v) for v in layer.z], [ctx.fmt.value(v) for v in layer.a]
        sums = [printed_dot(zip(row, previous), *bias) for row, bias in zip(weights, biases)]
        rows.append([chain(N.preactivation_vector(l), symbolic, numeric,
                           Part((column(zs),), ctx.fmt.entries_relation(sums, zs)))])
        activation = ctx.network.activation(l)
        exact = activation.elementwise and all(
            ctx.fmt.relation_for(activation.formula, {z_sym: z}, a) == "=" for z, a in zip(zs, activations))
        rows.append([chain(N.activation_vector(l), f"{N.function(l)}({N.preactivation_vector(l)})",
                           Part((column(activations),), "=" if exact else r"\approx"))])
    return Grid.of(rows)
