"""The answers an exam question asks for, read from a Solution: full-precision value, the value as
printed by the rounding policy, the tolerance, and the question's wording.

Wording is plain English with ``$...$`` math only (no characters that need escaping in LaTeX,
Markdown or HTML); the math comes from the problem's notation preset.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .dependencies import plain_sgd
from .errors import ProblemError
from .families import MOMENT_BUFFERS, QuestionSpec
from .optimizers import STATE_SYMBOLS
from .rounding import plain, to_decimal
from .solution import Solution
from .tolerance import absolute_width, precision_text, question_policy

PROMPTS = {
    "output": "Compute the network output {what}.",
    "loss": "Compute the loss {what}.",
    "delta": "Compute the error term {what}.",
    "gradient": "Compute the gradient {what}.",
    "new_weight": "Compute the new value {what} after the update.",
    "loss_after": "Compute the loss {what} after the update, for the same example.",
    "section": "Compute the forward pass: the activations {what}.",
    "velocity": "Compute the velocity {what} after the update.",
    "moment": "Compute the moment estimate {what} after the update.",
    "batch_gradient": "Compute the gradient {what} of the batch loss (without weight decay).",
}
"""One sentence per kind of question; ``{what}`` becomes the asked quantities in ``$...$``."""
ASKED = {"output": "network output", "loss": "loss", "delta": "error term", "gradient": "gradient",
         "new_weight": "new value after the update", "loss_after": "loss after the update",
         "section": "forward-pass activation", "velocity": "velocity after the update",
         "moment": "moment estimate after the update", "batch_gradient": "gradient of the batch loss"}
"""What each kind of question asks, in a few words (the marking report's question column)."""

@dataclass(frozen=True)
class Answer:
    """One graded number: its part key ('' for a one-number question), LaTeX label, full-precision
    value, the value as printed, the absolute tolerance (number and as printed), and the quantity it is
    (as ``sections.context.SectionContext.marks`` names it)."""

    key: str
    label: str
    value: float
    shown: str
    tolerance: float
    tolerance_shown: str
    quantity: tuple = ()


@dataclass(frozen=True)
class AnsweredQuestion:
    """A question of one version with its wording, answers and the family's feedback text."""

    id: str
    points: Decimal
    ask: str
    prompt: str
    answers: tuple[Answer, ...]
    feedback: str | None = None
    step: int = 1

    @property
    def points_shown(self) -> str:
        return plain(self.points)

    @property
    def answer_points(self) -> Fraction:
        """Points of each answer: the question's points shared equally."""
        return Fraction(self.points) / len(self.answers)

    def answer_id(self, answer: Answer) -> str:
        """``q3`` for a one-number question, ``q3:a1[2]`` for one part of a longer one."""
        return f"{self.id}:{answer.key}" if answer.key else self.id


def _quantities(question: QuestionSpec, solution: Solution, exact: bool = False) -> list[tuple[str, str, object, tuple]]:
    """(part key, LaTeX label, value, quantity) of every number the question asks for: as a hand calculation
    in the problem's rounding mode finds it, or at full precision (``exact``)."""
    notation, network = solution.notation, solution.network
    step = solution.steps[question.step - 1]
    values = step.exact if exact else step.shown
    depth = network.depth
    ask = question.ask
    if ask == "output":
        rows = [question.index] if question.index else range(1, network.sizes[-1] + 1)
        parts = [(f"y[{j}]", notation.activation(depth, j), values.forward.output[j - 1], ("activation", depth, j))
                 for j in rows]
        return [("", *rest) for _, *rest in parts] if len(parts) == 1 else parts
    if ask == "loss":
        return [("", notation.loss, values.loss, ("loss",))]
    if ask == "loss_after":
        return [("", f"{{{notation.loss}}}^{{\\mathrm{{new}}}}", values.loss_after, ("loss_after",))]
    if ask == "delta":
        l, j = question.layer, question.neuron
        sign = -1 if solution.spec.convention == "mitchell" else 1
        return [("", notation.delta(l, j), sign * values.deltas[l - 1][j - 1], ("delta", l, j))]
    if ask == "section":
        return [(f"a{l}[{j}]", notation.activation(l, j), values.forward.layers[l - 1].a[j - 1], ("activation", l, j))
                for l in network.layer_indices for j in range(1, network.sizes[l] + 1)]
    ref = question.parameter_ref
    symbol = notation.parameter(ref)
    if ask == "gradient":
        label = f"\\dfrac{{\\partial {notation.loss}}}{{\\partial {symbol}}}"
        return [("", label, ref.entry(values.grad_W, values.grad_b), ("gradient", ref.key))]
    if ask == "batch_gradient":
        label = f"\\dfrac{{\\partial {notation.loss}_{{\\text{{data}}}}}}{{\\partial {symbol}}}"
        data = values.data_grad
        return [("", label, ref.entry(data.weights, data.biases), ("batch_gradient", ref.key))]
    if ask in ("velocity", "moment"):
        buffer = "velocity" if ask == "velocity" else MOMENT_BUFFERS[(solution.optimizer.name, question.moment)]
        state = values.derived[buffer] if buffer in values.derived else values.state_after.buffers[buffer]
        label = f"{STATE_SYMBOLS[buffer]}({symbol})"
        return [("", label, ref.entry(state.weights, state.biases), (ask, buffer, ref.key))]
    return [("", f"{{{symbol}}}^{{\\mathrm{{new}}}}", ref.entry(values.new.weights, values.new.biases), ("new", ref.key))]


def _what(question: QuestionSpec, solution: Solution, labels: list[str]) -> str:
    """The asked quantities in math, with the definition of delta in the problem's convention."""
    if question.ask == "delta":
        z = solution.notation.preactivation(question.layer, question.neuron)
        sign = "-" if solution.spec.convention == "mitchell" else ""
        return f"${labels[0]} = {sign}\\dfrac{{\\partial {solution.notation.loss}}}{{\\partial {z}}}$"
    return ", ".join(f"${label}$" for label in labels)


def answer_question(question: QuestionSpec, solution: Solution, source: str | None = None,
                    number: int | None = None) -> AnsweredQuestion:
    """The question's wording and every answer, read from the solution (the values a student finds
    by hand: in carry mode, the rounded-as-you-go values), shown at the question's precision.

    Raises ProblemError (naming ``questions[number].tolerance`` when ``number``, the question's
    0-based position, is given) when the tolerance rejects the answer the key prints."""
    policy = question_policy(question, solution.policy)
    answers = []
    exact_values = [value for _, _, value, _ in _quantities(question, solution, exact=True)]
    for (key, label, value, quantity), exact in zip(_quantities(question, solution), exact_values):
        tolerance, tolerance_shown = absolute_width(question, value, policy)
        shown = policy.show(value)
        printed_gap = abs(Decimal(shown) - to_decimal(value))
        if Decimal(repr(float(tolerance))) < printed_gap:
            version = solution.problem.source.rsplit(" (", 1)[-1].rstrip(")") if source else ""
            field = "questions" if number is None else f"questions[{number}].tolerance"
            raise ProblemError(source or solution.problem.source, field, (
                f"question '{question.id}'{f' ({version})' if version else ''}: the tolerance {tolerance_shown} "
                f"rejects the answer the key prints ({shown}, from {plain(to_decimal(value).normalize())}); "
                f"use tolerance: policy, or one of at least {plain(printed_gap.normalize())}"))
        if policy.carries:
            other_method = abs(Decimal(policy.show(exact)) - to_decimal(value))
            if Decimal(repr(float(tolerance))) < other_method:
                tolerance, tolerance_shown = other_method, plain(other_method.normalize())
        answers.append(Answer(key, label, float(value), shown, float(tolerance), tolerance_shown, quantity))
    prompt = PROMPTS[question.ask].format(what=_what(question, solution, [a.label for a in answers]))
    if len(solution.steps) > 1:
        prompt = f"{'SGD step' if plain_sgd(solution.spec) else 'Update'} {question.step}: {prompt}"
    if policy != solution.policy:
        prompt = f"{prompt} Give {'it' if len(answers) == 1 else 'each'} to {precision_text(policy)}."
    return AnsweredQuestion(question.id, question.points, question.ask, prompt, tuple(answers), question.feedback,
                            question.step)


def question_label(number: int) -> str:
    """The label of the paper's question ``number`` (1-based) in the keys: ``q3``."""
    return f"q{number}"


def question_marks(questions) -> dict[tuple, tuple[str, ...]]:
    """Quantity of the first SGD step (the one a worked key shows in full) -> the labels of the questions
    that ask for it, in paper order (``("activation", 2, 1) -> ("q1", "q7")``). Questions about later
    steps are not marked."""
    marks: dict[tuple, tuple[str, ...]] = {}
    for number, question in enumerate(questions, 1):
        if question.step == 1:
            for answer in question.answers:
                marks[answer.quantity] = marks.get(answer.quantity, ()) + (question_label(number),)
    return marks
