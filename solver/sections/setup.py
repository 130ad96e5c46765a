"""Problem setup: the given data (once: scalars, or matrices in matrix form), glossary, neuron equations."""
from __future__ import annotations

from dataclasses import dataclass

from ..dependencies import plain_sgd
from ..equations import Grid, chain
from ..formatting import column, pmatrix, symbol_list
from ..functions import LOSSES
from .optimizer import hyperparameters
from .prose import math, say
from .records import Block, Table


@dataclass(frozen=True)
class Setup:
    """The record of the setup section (fields: docs/templates.md)."""

    given: Grid
    parameters: list[Block]
    matrices: Grid | None
    bias_note: list
    matrix_note: list
    glossary: list[tuple[str, str]]
    neurons: Grid
    examples_intro: list
    examples: Table | None

    @property
    def glossary_pairs(self) -> list[tuple]:
        """The glossary in two columns side by side: (left row, right row or None), read down each column."""
        half = (len(self.glossary) + 1) // 2
        left, right = self.glossary[:half], self.glossary[half:]
        return [(row, right[i] if i < len(right) else None) for i, row in enumerate(left)]


def build(ctx) -> Setup:
    N, net = ctx.N, ctx.network
    several = len(ctx.spec.training_examples) > 1
    given = [] if several else [chain(N.activation(0, k), ctx.fmt.given(v)) for k, v in enumerate(ctx.step.inputs, 1)]
    given += [] if several else [chain(N.target(j), ctx.fmt.given(v)) for j, v in enumerate(ctx.step.target, 1)]
    given.append(chain(N.eta, ctx.fmt.given(ctx.spec.learning_rate)))
    given += [chain(symbol, value) for symbol, value in training_constants(ctx).items()]
    bias_note = (say("setup.no_bias") if not net.has_bias
                 else say("setup.frozen_bias") if not net.train_biases else [])
    parameters = [] if ctx.matrix_form else _parameter_blocks(ctx)
    if ctx.chain_network:
        given += [eq for block in parameters for eq in block.grid.equations]
        parameters = []
    return Setup(
        given=Grid.packed(given, max_columns=6),
        parameters=parameters,
        matrices=_matrices(ctx) if ctx.matrix_form else None,
        bias_note=bias_note,
        matrix_note=say("setup.matrices", j=math("j"), k=math("k")) if ctx.matrix_form else [],
        glossary=_glossary(ctx),
        neurons=neuron_grid(ctx),
        examples_intro=_examples_intro(ctx) if several else [],
        examples=_examples(ctx) if several else None,
    )


def training_constants(ctx) -> dict[str, str]:
    """Symbol -> printed value of the optimizer's hyperparameters and the weight-decay coefficient."""
    settings = ctx.solution.optimizer
    constants = hyperparameters(ctx)
    if settings.decays:
        constants["\\lambda"] = ctx.fmt.given(settings.weight_decay)
    return constants


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


OPTIMIZER_SHORT = {"momentum": "momentum", "nesterov": "Nesterov", "rmsprop": "RMSprop", "adam": "Adam"}


def _examples_intro(ctx) -> list:
    spec = ctx.spec
    epochs = spec.epoch_count
    over = f", {_counted(epochs, 'epoch')}" if epochs > 1 else ""
    if spec.batch_size == 1:
        kind = f"{OPTIMIZER_SHORT.get(spec.training.optimizer, 'SGD')} update"
        return say("setup.examples", updates=_counted(len(spec.training_examples), kind), epochs=over)
    return say("setup.examples_batches", size=str(spec.batch_size),
               updates=_counted(len(spec.batches()), "update"), epochs=over)


def _examples(ctx) -> Table:
    """Every training example (several examples or epochs): inputs and targets as written."""
    N, L = ctx.N, ctx.network.depth
    header = ["\\text{example}"] + [N.activation(0, k) for k in ctx.rows(0)] + [N.target(j) for j in ctx.rows(L)]
    rows = [[str(number)] + [ctx.fmt.given(v) for v in example.input] + [ctx.fmt.given(v) for v in example.target]
            for number, example in enumerate(ctx.spec.training_examples, 1)]
    return Table(header, rows, align="c" + "r" * (len(header) - 1))


def neuron_grid(ctx) -> Grid:
    """Every neuron's pre-activation and activation, symbolically, side by side."""
    return Grid.of([[chain(ctx.N.preactivation(l, j), ctx.symbolic_sum(l, j)),
                     chain(ctx.act(l, j), ctx.activation_call(l, j))]
                    for l in ctx.network.layer_indices for j in ctx.rows(l)])


def _parameter_blocks(ctx) -> list[Block]:
    """Per layer the given weights and biases, one row per receiving neuron where it fits."""
    blocks = []
    for l in ctx.network.layer_indices:
        rows = [[chain(ctx.N.parameter(ref), ctx.given(ref)) for ref in ctx.layer_refs(l)
                 if ref.row == j] for j in ctx.rows(l)]
        grid = Grid.of(rows)
        if not grid.side_by_side():
            grid = Grid.packed([eq for row in rows for eq in row], max_columns=4)
        title = f"{ctx.N.layer_title(l - 1)} to {ctx.N.layer_title(l).lower()}"
        blocks.append(Block(title, grid))
    return blocks


def _matrices(ctx) -> Grid:
    """W and b of each layer side by side."""
    rows = []
    for l in ctx.network.layer_indices:
        weights = chain(ctx.N.weight_matrix(l), pmatrix([[ctx.given_weight(l, j, k) for k in ctx.rows(l - 1)]
                                                          for j in ctx.rows(l)]))
        bias = (chain(ctx.N.bias_vector(l), column([ctx.given_bias(l, j) for j in ctx.rows(l)]))
                if ctx.network.has_bias else None)
        rows.append([weights, bias])
    return Grid.of(rows)


def _glossary(ctx) -> list[tuple[str, str]]:
    """(symbol, meaning) rows; meanings are plain prose."""
    N, net = ctx.N, ctx.network
    L = net.depth

    def layer_symbols(getter, layer):
        return symbol_list([getter(layer, j) for j in ctx.rows(layer)])

    rows = [(layer_symbols(N.activation, 0), "inputs of this example")]
    for l in range(1, L):
        name = N.layer_title(l).lower()
        rows.append((layer_symbols(N.preactivation, l), f"pre-activations (weighted sums), {name}"))
        rows.append((layer_symbols(N.activation, l), f"activations, {name}"))
    several = net.sizes[L] > 1
    rows.append((layer_symbols(N.preactivation, L),
                 "pre-activations of the output layer" if several else "pre-activation of the output layer"))
    rows.append((layer_symbols(N.activation, L), "network outputs (prediction)" if several else "network output (prediction)"))
    rows.append((symbol_list([N.target(j) for j in ctx.rows(L)]), "target values" if several else "target value"))
    rows.append((symbol_list([N.parameter(r) for r in net.parameters() if r.kind == "weight"]),
                 N.style.weight_meaning))
    if net.has_bias:
        rows.append((symbol_list([N.parameter(r) for r in net.parameters() if r.kind == "bias"]),
                     "biases (a weight on a constant input\u00a01)"))
    rows.append((N.loss, _loss_meaning(ctx)))
    kind = LOSSES[ctx.spec.loss].title.lower()
    if ctx.spec.batch_size > 1:
        rows.append((f"{N.loss}_d", f"loss of example d of the batch: {kind}"))
    elif ctx.solution.optimizer.decays or len(ctx.spec.training_examples) > 1:
        rows.append((f"{N.loss}_d", f"loss of example d: {kind}"))
    for name in dict.fromkeys(net.activation_names):
        layer = net.activation_names.index(name) + 1
        rows.append((N.function(layer) + "(\\cdot)", f"{net.activation(layer).in_text} activation"))
    rows.append(("f(\\cdot), f'(\\cdot)",
                 "any neuron's activation function and its derivative (in general statements)"))
    rows.append((symbol_list([N.delta(l, j) for l in range(1, L + 1) for j in ctx.rows(l)]),
                 ctx.convention.delta_meaning))
    rows.append((N.eta, "learning rate"))
    return rows + _training_glossary(ctx)


def _loss_meaning(ctx) -> str:
    """What the loss symbol stands for: one example's loss, or the update's (a batch's, with any penalty)."""
    spec, decays = ctx.spec, ctx.solution.optimizer.decays
    penalty = ", plus the weight-decay penalty" if decays else ""
    if spec.batch_size > 1:
        how = "mean" if spec.training.reduction == "mean" else "sum"
        return f"batch loss: the {how} of the examples' losses{penalty}"
    return f"loss: {LOSSES[spec.loss].title.lower()}{penalty}"


OPTIMIZER_GLOSSARY = {
    "momentum": [("\\mu", "momentum coefficient"), ("v", "velocity: the decayed sum of past gradients")],
    "rmsprop": [("\\alpha", "smoothing constant"),
                ("s", "running average of the squared gradient"),
                ("\\epsilon", "keeps the denominator above 0")],
    "adam": [("\\beta_1, \\beta_2", "decay rates of the moments"),
             ("m, v", "moments: running averages of the gradient and its square"),
             ("\\hat{m}, \\hat{v}", "bias-corrected moments"),
             ("\\epsilon", "keeps the denominator above 0")],
}
OPTIMIZER_GLOSSARY["nesterov"] = OPTIMIZER_GLOSSARY["momentum"]


def _training_glossary(ctx) -> list[tuple[str, str]]:
    """The symbols of batches, weight decay and the optimizer's state, for training beyond plain SGD."""
    spec, settings = ctx.spec, ctx.solution.optimizer
    if plain_sgd(spec):
        return []
    loss = "batch loss" if spec.batch_size > 1 else "example's loss"
    rows = [("\\theta", "any trained parameter (a weight or a bias)"),
            ("g", f"gradient of the {loss} by the parameter" + (" (with the decay term)" if settings.decays else ""))]
    if spec.batch_size > 1:
        rows.append(("B", "the batch (the examples of one update)"))
    if settings.decays:
        rows.append((f"{ctx.N.loss}_{{\\text{{data}}}}", "the loss without the penalty"))
        which = "weights and biases" if settings.decay_biases else "weights only"
        rows.append(("\\lambda", f"weight-decay coefficient ({which})"))
    rows += OPTIMIZER_GLOSSARY.get(settings.name, [])
    if settings.buffers:
        rows.append(("t", "update count: 1 at the first update"))
    return rows
