""" "Check yourself": small exercises whose answer is checked on the spot.

Two kinds:

* ``check_number(answer, expected, ...)`` for "compute this" questions. The learner
  writes ``answer = ...`` in a cell and runs ``check_number(answer, ...)``; the result
  says right or wrong at once, with a hint when wrong. ``answer = None`` (how the
  notebooks ship) just says what to do.
* ``multiple_choice(question, options, correct, ...)`` for "which one" questions: radio
  buttons that give feedback the moment one is picked.

Expected values should be computed with the package, not typed in, so the text and the
check can never disagree.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as w
import numpy as np

RIGHT, WRONG, TODO = "✅", "❌", "✏️"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. Shows as coloured text in a notebook."""

    correct: bool | None  # None: not answered yet
    message: str

    def __str__(self) -> str:
        mark = TODO if self.correct is None else (RIGHT if self.correct else WRONG)
        return f"{mark} {self.message}"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return bool(self.correct)

    def _repr_html_(self) -> str:
        color = {None: "#666666", True: "#009E73", False: "#D55E00"}[self.correct]
        return f"<div style='color:{color};font-weight:bold'>{html.escape(str(self))}</div>"


def check_number(
    answer,
    expected: float | np.ndarray,
    tolerance: float = 1e-2,
    hint: str = "",
    explanation: str = "",
) -> Feedback:
    """Compare a numeric answer (a number or array) with the expected value.

    Correct when ``|answer - expected| <= tolerance * max(1, |expected|)`` everywhere.
    """
    if answer is None or answer is Ellipsis:
        return Feedback(None, "Replace the None with your answer, then run this cell again.")
    try:
        given = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"Your answer should be a number, got {answer!r}. {hint}".strip())
    target = np.asarray(expected, dtype=float)
    if given.shape != target.shape:
        return Feedback(False, f"Expected shape {target.shape}, got {given.shape}. {hint}".strip())
    close = np.all(np.abs(given - target) <= tolerance * np.maximum(1.0, np.abs(target)))
    if close:
        return Feedback(True, f"Correct! {explanation}".strip())
    return Feedback(False, f"Not quite. {hint}".strip() if hint else "Not quite. Try again.")


class MultipleChoice:
    """A question with radio buttons; picking an option shows at once whether it is right.

    ``correct`` is the index of the right option; ``explanations`` (optional, one per
    option) says why each is right or wrong.
    """

    def __init__(
        self,
        question: str,
        options: Sequence[str],
        correct: int,
        explanations: Sequence[str] | None = None,
        hint: str = "",
    ):
        if not 0 <= correct < len(options):
            raise ValueError(f"correct must index one of the {len(options)} options, got {correct}")
        if explanations is not None and len(explanations) != len(options):
            raise ValueError(
                f"give one explanation per option: {len(options)} options, {len(explanations)} given"
            )
        self.question = question
        self.options = list(options)
        self.correct = correct
        self.explanations = list(explanations) if explanations else None
        self.hint = hint
        self.buttons = w.RadioButtons(options=self.options, value=None, layout={"width": "max-content"})
        self.feedback = w.HTML()
        self.buttons.observe(self._on_pick, names="value")
        self.widget = w.VBox([w.HTML(f"<b>{html.escape(question)}</b>"), self.buttons, self.feedback])

    def check(self, choice: int) -> Feedback:
        """The feedback for picking option number ``choice`` (0-based)."""
        why = self.explanations[choice] if self.explanations else ""
        if choice == self.correct:
            return Feedback(True, f"Correct! {why}".strip())
        return Feedback(False, f"Not this one. {why or self.hint}".strip())

    def _on_pick(self, change) -> None:
        if change["new"] is not None:
            self.feedback.value = self.check(self.options.index(change["new"]))._repr_html_()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self._text()
        items = "".join(f"<li>{html.escape(o)}</li>" for o in self.options)
        bundle["text/html"] = f"<p><b>{html.escape(self.question)}</b></p><ol type='a'>{items}</ol>"
        return bundle

    def _text(self) -> str:
        lines = [self.question] + [f"  ({chr(97 + i)}) {o}" for i, o in enumerate(self.options)]
        return "\n".join(lines)

    __repr__ = _text


def multiple_choice(
    question: str,
    options: Sequence[str],
    correct: int,
    explanations: Sequence[str] | None = None,
    hint: str = "",
) -> MultipleChoice:
    """A multiple-choice question with instant feedback (see ``MultipleChoice``)."""
    return MultipleChoice(question, options, correct, explanations, hint)


def relative_error(a: float, b: float) -> float:
    """|a - b| / max(|a|, |b|, 1e-12): how far apart two numbers are, relative to their size."""
    return abs(a - b) / max(abs(a), abs(b), 1e-12) if math.isfinite(a) and math.isfinite(b) else math.inf
