"""Quick reference: the recipe in this network's symbols, and common pitfalls."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..equations import Grid, chain
from ..parameters import ParameterRef
from .backward import display_delta
from .prose import math, say, sentence
from .update import any_update_rule


@dataclass(frozen=True)
class Reference:
    """The record of the reference section (fields: docs/templates.md)."""

    intro: list
    recipe: Grid
    pitfalls: list[list]


def build(ctx) -> Reference:
    N, L = ctx.N, ctx.network.depth
    derivation = ctx.solution.derivation
    output = chain(N.delta(L, 1), ctx.delta_definition(L, 1), ctx.fmt.latex(display_delta(ctx, derivation.nodes[L][0])))
    hidden = [chain(N.delta(l, 1), ctx.fmt.pieces(derivation.node(l, 1).delta)) for l in range(L - 1, 0, -1)][:1]
    gradient = chain(ctx.d_loss(N.weight(1, 1, 1)), ctx.fmt.latex(
        ctx.convention.expression(derivation.gradient(ParameterRef("weight", 1, 1, 1)))))
    recipe = [output] + hidden + [gradient] + any_update_rule(ctx)
    return Reference(say("reference.recipe_negated" if ctx.convention.negated else "reference.recipe"), Grid.packed(recipe, max_columns=3), _pitfalls(ctx))


def _pitfalls(ctx) -> list[list]:
    names = set(ctx.network.activation_names)
    items = [sentence("Evaluate each activation derivative at the neuron's own pre-activation ", math("z"),
                      " (or through its own activation ", math("a = f(z)"), "), never at another neuron's input."),
             sentence("Keep track of which local input multiplies which weight: the gradient of a weight is "
                      + ("minus " if ctx.convention.negated else "") +
                      "the delta of the neuron it feeds into times the activation it comes from."),
             sentence("Use the weights from before the update when propagating deltas backwards; update all "
                      "parameters only after every gradient is known."),
             sentence("This handout rounds as it goes, as a hand calculation does; a computer keeps full precision, "
                      "so its last digits can differ slightly from the ones here.") if ctx.solution.policy.carries else
             sentence("Rounding too early hides small but real gradients: keep full precision and round only for "
                      "display.")]
    if "sigmoid" in names:
        items.insert(0, sentence("The sigmoid derivative is ", math("\\sigma'(z) = a(1 - a)"), " with ",
                                 math("a = \\sigma(z)"), "; writing ", math("\\sigma'(a)"), " is a common slip."))
    if any(ctx.network.activation(l).has_kink for l in ctx.network.layer_indices):
        items.append(sentence("A ReLU neuron with ", math("z \\le 0"), " passes no gradient back: its delta is 0, "
                              "so none of its incoming weights change in this step."))
    if ctx.convention.negated:
        items.append(sentence("In this convention ", math("\\delta"), " is minus the derivative of the loss, so the "
                              "update adds ", math("\\eta\\,\\delta\\,x"), "; the new weights are the same as with "
                              "gradient descent."))
    if ctx.spec.loss in ("bce", "cross_entropy"):
        items.append(sentence("With a matching output activation the activation derivative cancels: the output "
                              "delta is simply ", math(f"{ctx.N.letters['output']} - {ctx.N.letters['target']}"),
                              "."))
    return items + _training_pitfalls(ctx)


def _training_pitfalls(ctx) -> list[list]:
    """Slips in batches, weight decay and the optimizer's rule, for the training this handout uses."""
    spec, settings = ctx.spec, ctx.solution.optimizer
    items = []
    size = math("\\lvert B \\rvert")
    scale_free = settings.name in ("adam", "rmsprop")
    decay_aside = (" (in the data part: the weight-decay term is added once per update, not per example)"
                   if settings.decays else "")
    if spec.batch_size > 1 and scale_free:
        first, second, ratio = (("g and m", "v", "\\hat{m} / \\sqrt{\\hat{v}}") if settings.name == "adam"
                                else ("g", "s", "g / \\sqrt{s}"))
        items.append(sentence(f"Summing the examples' gradients instead of averaging them (or the reverse) scales "
                              f"{first} by ", size, f" and {second} by ", math("\\lvert B \\rvert^2"),
                              ", yet hardly changes the step: ", math(ratio), " cancels the scale, all but ",
                              math("\\epsilon"), f"{decay_aside}."))
    elif spec.batch_size > 1 and spec.training.reduction == "mean":
        items.append(sentence("The batch gradient is the mean of the examples' gradients: summing them instead "
                              "makes every step ", size, f" times larger{decay_aside}."))
    elif spec.batch_size > 1:
        items.append(sentence("The batch loss here is the sum of the examples' losses, not their mean: dividing "
                              "by ", size, f" makes every step that many times smaller{decay_aside}."))
    if settings.decays:
        which = "every weight and bias" if settings.decay_biases else "every weight but not the biases"
        items.append(sentence("Weight decay adds ", math("\\lambda \\, \\theta"), f" to the gradient of {which}; "
                              "forgetting it, or decaying a parameter the rule leaves out, changes the update."))
    if settings.name in ("momentum", "nesterov"):
        items.append(sentence("The velocity carries over between updates: at ", math("t = 1"), " it equals the "
                              "gradient, but from then on it is ", math("\\mu \\, v + g"), ", not ", math("g"), "."))
    if settings.name == "nesterov":
        items.append(sentence("Nesterov steps along ", math("g + \\mu \\, v"), " with the new velocity, not "
                              "along ", math("v"), " alone."))
    if settings.name == "adam":
        beta1, beta2 = (Decimal(beta) for beta in settings.betas)
        factor = ctx.fmt.rounded((1 - beta1) / (1 - beta2).sqrt())
        items.append(sentence("Both moments start at 0, so leaving out the bias corrections changes the first "
                              "steps: without both, the first step is ",
                              math(f"(1 - \\beta_1) / \\sqrt{{1 - \\beta_2}} \\approx {factor}"),
                              " times the right one; without only ", math("m"), "'s correction (keeping ",
                              math("v"), "'s), it is ", math("1 - \\beta_1"), " times the right one."))
    if settings.name in ("adam", "rmsprop"):
        root = "\\sqrt{\\hat{v}} + \\epsilon" if settings.name == "adam" else "\\sqrt{s} + \\epsilon"
        items.append(sentence(math("\\epsilon"), " is added after the square root: ", math(root), "."))
    return items
