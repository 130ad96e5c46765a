"""One fully expanded chain: every path from one weight to the loss, factor by factor."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation, Part, arithmetic_value, chain as equation
from ..formatting import partial
from ..parameters import ParameterRef
from .prose import math, say

PATHS_SHOWN_MAX = 8


@dataclass(frozen=True)
class Chain:
    """The record of the chain section (fields: docs/templates.md)."""

    parameter: str
    intro: list
    paths: list[list]
    expanded: list[Equation]
    numeric: Equation | None
    summation: Equation | None
    note: list


def build(ctx) -> Chain:
    N, net, derivation = ctx.N, ctx.network, ctx.solution.derivation
    layer, row, col = ctx.spec.options.chain
    ref = ParameterRef("weight", layer, row, col)
    L = net.depth
    fwd = ctx.values.forward
    paths = net.paths(layer, row, PATHS_SHOWN_MAX)
    lhs = ctx.d_example_loss(N.weight(layer, row, col))
    count = net.path_count(layer)
    if not paths:
        # too many paths only below a hidden layer, whose activation is elementwise (softmax is output-only)
        summation = equation(lhs, f"{ctx.act(layer - 1, col)} \\cdot {N.fprime(layer, row)} \\cdot "
                                  f"{ctx.d_example_loss(ctx.act(layer, row))}")
        return Chain(N.weight(layer, row, col), say("chain.too_many", count=count), [], [], None, summation, [])
    out_kind = derivation.nodes[L][0].delta_kind
    sequences, numeric_terms, path_texts = [], [], []
    for path in paths:
        factors = []
        m = path[-1]
        if out_kind == "product":
            y = ctx.act(L, m)
            node = derivation.node(L, m)
            factors.append((ctx.d_example_loss(y), ctx.fmt.latex(node.dE_da), ctx.fmt.value(ctx.values.output_dE_da[m - 1])))
            factors.append((partial(y, N.preactivation(L, m)), ctx.fmt.latex(node.fprime),
                            ctx.fmt.value(fwd.layers[-1].fprime[m - 1])))
        else:
            factors.append((ctx.d_example_loss(N.preactivation(L, m)), ctx.fmt.latex(derivation.node(L, m).delta),
                            ctx.fmt.value(ctx.values.deltas[-1][m - 1])))
        for position in range(len(path) - 1, 0, -1):
            upper_layer = layer + position
            upper, lower = path[position], path[position - 1]
            lower_layer = upper_layer - 1
            factors.append((partial(N.preactivation(upper_layer, upper), ctx.act(lower_layer, lower)),
                            N.weight(upper_layer, upper, lower), ctx.given_weight(upper_layer, upper, lower)))
            factors.append((partial(ctx.act(lower_layer, lower), N.preactivation(lower_layer, lower)),
                            ctx.fmt.latex(derivation.node(lower_layer, lower).fprime),
                            ctx.fmt.value(fwd.layers[lower_layer - 1].fprime[lower - 1])))
        factors.append((partial(N.preactivation(layer, row), N.weight(layer, row, col)),
                        ctx.act(layer - 1, col), ctx.shown_activation(layer - 1, col)))
        sequences.append(" \\cdot ".join(f"\\underbrace{{{d}}}_{{{s}}}" for d, s, _ in factors))
        numeric_terms.append(" \\cdot ".join(ctx.fmt.wrap(value, value) for _, _, value in factors))
        nodes = [N.weight(layer, row, col)] + [x for p, l in zip(path, range(layer, L + 1))
                                               for x in (N.preactivation(l, p), ctx.act(l, p))
                                               if out_kind == "product" or l < L or x != ctx.act(l, p)] + [N.loss]
        path_texts.append(say("chain.path", number=len(path_texts) + 1, path=math(" \\rightarrow ".join(nodes))))
    written = [numeric_terms[0]] + [f"+ {t}" for t in numeric_terms[1:]]
    exact = ctx.example_gradient(ref, ctx.step.exact)
    unrounded = ctx.fmt.unrounded_note(exact)
    shown = ctx.fmt.value(ctx.example_gradient(ref))
    product = arithmetic_value(" ".join(written))
    # a factor in scientific notation (significant figures, tiny values) is not plain arithmetic to redo:
    # then the line ends in the gradient as the handout shows it
    rounded = ctx.fmt.rounded(product) if product is not None else Part((shown,), ctx.fmt.relation(exact, shown))
    expanded = [equation(lhs if i == 0 else "", Part((s,), "=" if i == 0 else "+")) for i, s in enumerate(sequences)]
    numeric = equation(lhs, written, rounded, boxed=True, note=unrounded)
    note = say("chain.tiny") if unrounded else []
    if product is not None and rounded != shown:
        key = "chain.carried" if ctx.solution.policy.carries else "chain.full_precision"
        note = note + say(key, value=math(shown))
    if count == 1:
        intro = say("chain.one_path", path=path_texts[0][-1])
        path_texts = []
    else:
        intro = say("chain.paths", count=f"{count} paths")
    return Chain(N.weight(layer, row, col), intro, path_texts, expanded, numeric, None, note)
