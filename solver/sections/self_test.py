"""Self-test: short questions on this network; each answer is the handout's own line for it, so it uses
the same shown numbers as the question."""
from __future__ import annotations

from dataclasses import dataclass

from ..equations import Equation
from ..formatting import partial_inline
from ..parameters import ParameterRef
from .backward import number_blocks, fprime_equation
from .forward import neuron_equations
from ..optimizers import STATE_SYMBOLS
from .optimizer import hyperparameters, parameter_rows, second_update, state_before
from .prose import math, say, sentence
from .update import new_value_equation, trains_otherwise, update_equations


@dataclass(frozen=True)
class SelfTest:
    """The record of the self-test section (fields: docs/templates.md)."""

    intro: list
    questions: list[dict]


def _inline(eq: Equation, short: bool = False) -> dict:
    """An equation as inline math; ``short`` keeps only its first and last step (no tall fractions)."""
    parts = (eq.parts[0], eq.parts[-1]) if short and len(eq.parts) > 2 else eq.parts
    return math(f"{eq.lhs} {Equation(eq.lhs, parts).one_line}")


def _optimizer_question(ctx, ref) -> dict:
    """The first update of one parameter by an optimizer with state: from its gradient, the optimizer's
    constants and the zero state, the new state and value (the update section's own lines)."""
    N, fmt = ctx.N, ctx.fmt
    given = [math(f"{partial_inline(N.loss, N.parameter(ref))} = {fmt.value(ctx.gradient(ref))}")]
    for symbol, value in hyperparameters(ctx).items():
        given += [", ", math(f"{symbol} = {value}")]
    answer = _worked_lines(parameter_rows(ctx, ref, marked=False))
    return _qa(sentence("With ", *given, ", ", math(f"{N.eta} = {fmt.given(ctx.spec.learning_rate)}"),
                        " and every state at 0, what are the state and the new value of ",
                        math(N.parameter(ref)), " (now ", math(ctx.given(ref)), ") after the first update?"),
               sentence(*answer, "."))


def _second_update_question(ctx, worked) -> dict:
    """The second update of the chain parameter (``worked``, the optimizer section's): from the state the first
    update left and the new gradient, the new state and value."""
    N, fmt, settings = ctx.N, ctx.fmt, ctx.solution.optimizer
    ref, old, second = worked.ref, worked.old, worked.second
    given = [math(f"g = {fmt.value(ctx.gradient(ref, second))}")]
    state = [math(f"{STATE_SYMBOLS[buffer]} = {fmt.value(state_before(second, buffer, ref))}") for buffer in settings.buffers]
    constants = [math(f"{symbol} = {value}") for symbol, value in hyperparameters(ctx).items()]
    constants.append(math(f"{N.eta} = {fmt.given(ctx.spec.learning_rate)}"))
    answer = _worked_lines(worked.rows)
    return _qa(sentence("At the second update (", math("t = 2"), ") of ", math(N.parameter(ref)), " (now ",
                        math(old), "), its gradient is ", *given, " and the first update left ", *_listed(state),
                        ". With ", *_listed(constants), ", what are its new state and value?"),
               sentence(*answer, "."))


def _worked_lines(rows: list[list[Equation]]) -> list:
    """An optimizer's substituted rule as one inline answer: 'state, state, so new value'."""
    lines = [eq for row in rows for eq in row]
    answer = []
    for k, eq in enumerate(lines):
        answer += ([", so "] if k == len(lines) - 1 else [", "] if k else []) + [_inline(eq, short=True)]
    return answer


def _listed(items: list) -> list:
    """'a', 'a and b', 'a, b and c'."""
    joined = []
    for k, item in enumerate(items):
        joined += ([] if k == 0 else [" and "] if k == len(items) - 1 else [", "]) + [item]
    return joined


def _qa(question: list, answer: list) -> dict:
    return {"question": question, "answer": answer}


def _update_question(ctx, ref) -> dict:
    """The new value of one parameter by plain SGD, from its gradient (or, in the negated convention, its delta
    and input)."""
    N, fmt, L = ctx.N, ctx.fmt, ctx.network.depth
    update = new_value_equation(ctx, ref)
    gradient = partial_inline(N.loss, N.parameter(ref))  # a slash: an inline fraction is too small to read
    # the delta rule (eta delta x) only when the update follows it: a batch, weight decay or an optimizer update
    # with the gradient g, which the question must then give
    by_delta = ctx.convention.negated and not trains_otherwise(ctx)
    given = (math(f"{N.delta(L, 1)} = {ctx.shown_delta(L, 1)}") if by_delta
             else math(f"{gradient} = {fmt.value(ctx.gradient(ref))}"))
    if by_delta:
        given_parts = [given, ", ", math(f"{ctx.act(L - 1, 1)} = {ctx.shown_activation(L - 1, 1)}")]
    else:
        given_parts = [given]
    return _qa(
        sentence("With ", *given_parts, " and ", math(f"{N.eta} = {fmt.given(ctx.spec.learning_rate)}"),
                 ", what is the new value of ", math(N.parameter(ref)), " (now ", math(ctx.given(ref)), ")?"),
        sentence(*([_inline(update_equations(ctx, ref)[0]), ", so "] if by_delta else []), _inline(update), "."))


def build(ctx) -> SelfTest:
    N, net, fmt = ctx.N, ctx.network, ctx.fmt
    L = net.depth
    fwd = ctx.values.forward
    questions = []
    if net.activation(1).elementwise:
        activation_eq = neuron_equations(ctx, fwd, 1, 1)[1]
        fprime = _inline(fprime_equation(ctx, 1, 1, fwd), short=True)
        questions.append(_qa(
            sentence("Given ", math(f"{N.preactivation(1, 1)} = {fmt.value(fwd.layers[0].z[0])}"), ", compute ",
                     math(ctx.act(1, 1)), " and ", math(N.fprime(1, 1)), "."),
            sentence(_inline(activation_eq, short=True), " and ", fprime, ".")))
    delta_symbol = N.delta(L, 1)
    output_delta = next(eq for block in number_blocks(ctx) for eq in block.grid.equations if eq.lhs == delta_symbol)
    questions.append(_qa(
        sentence("Compute the output delta ", math(N.delta(L, 1)), " from ",
                 math(f"{ctx.act(L, 1)} = {fmt.value(fwd.output[0])}"), " and ",
                 math(f"{N.target(1)} = {fmt.given(ctx.step.target[0])}"), "."),
        sentence(_inline(output_delta), ".")))
    ref = ParameterRef("weight", L, 1, 1)
    worked = second_update(ctx)
    if worked is not None and not ctx.convention.negated:
        questions.append(_second_update_question(ctx, worked))
    elif ctx.solution.optimizer.buffers and not ctx.convention.negated:
        questions.append(_optimizer_question(ctx, ref))
    else:
        questions.append(_update_question(ctx, ref))
    zero_inputs = [k for k, x in enumerate(ctx.step.inputs, 1) if x == 0]
    if zero_inputs:
        x = N.activation(0, zero_inputs[0])
        questions.append(_qa(
            sentence("Why does no weight leaving ", math(x), " change in this step?"),
            sentence("Because ", math(f"{x} = 0"), ": each such gradient is a delta times ", math(x), ", which is 0.")))
    verdict = {"down": "Yes", "up": "No, it raises it", "same": "No"}[ctx.step.loss_trend]
    before, after = fmt.value(ctx.values.loss), fmt.value(ctx.values.loss_after)
    questions.append(_qa(
        sentence("Does the first update reduce its loss, and by how much?" if len(ctx.solution.steps) > 1
                 else "Does this one update reduce the loss, and by how much?"),
        sentence(f"{verdict}: ", math(N.loss), " goes from ", math(before), " to ", math(after),
                 ", a change of ", math(fmt.difference(after, before, ctx.step.shown_loss_change)), ".")))
    return SelfTest(say("self_test.intro"), questions)
