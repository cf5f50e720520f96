import pytest

from nnlesson.exercises import Feedback, check_number, multiple_choice


def test_unanswered_says_what_to_do():
    feedback = check_number(None, 0.5)
    assert feedback.correct is None
    assert "Replace the None" in str(feedback)


def test_right_and_wrong_numbers():
    assert check_number(0.7616, 0.76159, tolerance=1e-3).correct is True
    wrong = check_number(0.5, 0.76159, hint="apply tanh to the weighted sum")
    assert wrong.correct is False
    assert "apply tanh" in str(wrong)


def test_arrays_and_shapes():
    assert check_number([1.0, 2.0], [1.0, 2.0]).correct
    assert "shape" in check_number([1.0], [1.0, 2.0]).message


def test_not_a_number_is_explained():
    feedback = check_number("abc", 1.0)
    assert feedback.correct is False and "number" in feedback.message


def test_multiple_choice_gives_instant_feedback():
    question = multiple_choice(
        "Which is largest?", ["1", "3", "2"], correct=1, explanations=["no", "yes", "no"]
    )
    question.buttons.value = "1"
    assert "Not this one" in question.feedback.value
    question.buttons.value = "3"
    assert "Correct" in question.feedback.value
    assert question.check(1).correct and not question.check(0).correct
    bundle = question._repr_mimebundle_()
    assert "(b) 3" in bundle["text/plain"] and "application/vnd.jupyter.widget-view+json" in bundle


def test_multiple_choice_rejects_bad_definitions():
    with pytest.raises(ValueError, match="correct must index"):
        multiple_choice("?", ["a", "b"], correct=2)
    with pytest.raises(ValueError, match="one explanation per option"):
        multiple_choice("?", ["a", "b"], correct=0, explanations=["x"])


def test_feedback_is_truthy_only_when_correct():
    assert Feedback(True, "")
    assert not Feedback(False, "")
    assert not Feedback(None, "")
