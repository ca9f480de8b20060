import numpy as np
import pytest

from backproplib.activations import sigmoid, sigmoid_prime
from backproplib.exercises import Feedback, check_function, check_value, chapter01

# independent solutions, worked out by hand from the running example's printed parameters
Z4 = 0.6 * 0.5 + -0.1 * -1.0 + 0.2 * 2.0 + 0.2  # row 4 of W^[1] and b_4 = 0.2
Z3 = -0.3 * 0.5 + 0.1 * -1.0 + 0.4 * 2.0 + 0.0


def test_1_1_solution_and_mistakes():
    assert chapter01.check_1_1(Z4).passed
    assert chapter01.check_1_1(...).status == "not yet done"
    activation = chapter01.check_1_1(1 / (1 + np.exp(-Z4)))
    assert not activation.passed and "that is the activation a_4 = g(z_4)" in activation.message
    no_bias = chapter01.check_1_1(Z4 - 0.2)
    assert not no_bias.passed and "the bias b_4 is missing" in no_bias.message
    node_3 = chapter01.check_1_1(Z3)
    assert not node_3.passed and "that is z_3" in node_3.message
    other = chapter01.check_1_1(0.123)
    assert other.status == "not yet right" and "row 4 of W^[1]" in other.hint
    assert "1.0" not in str(other)  # never reveals the solution


def test_1_2_solution_and_mistakes():
    right = [(128, 784), (64, 128), (10, 64)]
    assert chapter01.check_1_2(right, (32, 64)).passed
    assert chapter01.check_1_2(right, ...).status == "not yet done"
    transposed = chapter01.check_1_2([s[::-1] for s in right], (32, 64))
    assert "the weight shapes are transposed" in transposed.message
    z_transposed = chapter01.check_1_2(right, (64, 32))
    assert "Z^[2] is transposed" in z_transposed.message
    assert "not right" in chapter01.check_1_2(right[:2], (32, 64)).message
    assert "give weight_shapes as a list" in chapter01.check_1_2(3, (32, 64)).message


def test_1_3_solution_and_mistakes():
    at_z = sigmoid_prime(0.8)
    at_a = sigmoid_prime(sigmoid(0.8))
    assert chapter01.check_1_3(at_z, at_a).passed
    assert "swapped" in chapter01.check_1_3(at_a, at_z).message
    assert "slope_at_a is not" in chapter01.check_1_3(at_z, at_z).message
    assert "slope_at_z is not" in chapter01.check_1_3(0.1, at_a).message


def test_feedback_text():
    text = str(Feedback("9.9", "not yet right", "the value is off.", "look at row 2."))
    assert text == "Exercise 9.9: NOT YET RIGHT. The value is off.\n  Hint: Look at row 2."
    assert repr(Feedback("1", "correct", "fine.")) == "Exercise 1: CORRECT. Fine."


def test_check_value_shapes_and_types():
    assert "shape (2,), expected shape (3,)" in check_value("x", np.ones(2), np.ones(3)).message
    assert "expected a number or an array of numbers, got dict" in check_value("x", {}, 1.0).message


def test_check_function_paths():
    cases = [((1.0,), 2.0), ((2.0,), 4.0)]
    assert check_function("f", lambda x: 2 * x, cases).passed
    assert check_function("f", ..., cases).status == "not yet done"
    assert "expected a function, got int" in check_function("f", 3, cases).message

    def not_written(x):
        raise NotImplementedError

    assert check_function("f", not_written, cases).status == "not yet done"
    assert "raised ZeroDivisionError" in check_function("f", lambda x: 1 / 0, cases).message
    named = check_function("f", lambda x: x, cases, mistakes=[(lambda x: x, "forgot the 2", "h")])
    assert named.message == "forgot the 2"
    assert "wrong values" in check_function("f", lambda x: -x, cases).message


@pytest.mark.parametrize("answer", [np.float32(Z4), np.array(Z4), [Z4]])
def test_answers_of_other_types(answer):
    result = chapter01.check_1_1(answer)
    assert result.passed == (np.shape(answer) == ())


def test_feedback_keeps_symbols_as_written():
    # "z_3" (a weighted input) must not become "Z_3" (a batch matrix in the book's notation)
    assert str(Feedback("1", "correct", "z_3 is right.")) == "Exercise 1: CORRECT. z_3 is right."
    assert str(Feedback("1", "correct", "g'(z) it is.")) == "Exercise 1: CORRECT. g'(z) it is."
    assert str(Feedback("1", "correct", "fine answer.")) == "Exercise 1: CORRECT. Fine answer."


@pytest.mark.parametrize("symbol", ["x - h is", "b is", "y is", "a is", "dW is", "tanh is"])
def test_feedback_never_changes_the_case_of_a_symbol(symbol):
    # "x" (a sample) and "X" (a batch), "a" and "A", "b" and "B" are different things here
    assert str(Feedback("1", "not yet right", symbol)).endswith(f"NOT YET RIGHT. {symbol}")


def test_1_3_praise_does_not_print_the_answers():
    praise = str(chapter01.check_1_3(sigmoid_prime(0.8), sigmoid_prime(sigmoid(0.8))))
    assert f"{float(sigmoid_prime(0.8)):.4f}" not in praise
    assert f"{float(sigmoid_prime(sigmoid(0.8))):.4f}" not in praise


def test_1_3_accepts_the_printed_value_and_says_so():
    printed_z, printed_a = round(float(sigmoid_prime(0.8)), 4), round(float(sigmoid_prime(sigmoid(0.8))), 4)
    feedback = chapter01.check_1_3(printed_z, printed_a)
    assert feedback.passed and "right to the 4 decimals" in feedback.message
    assert "4 decimals" not in chapter01.check_1_3(sigmoid_prime(0.8), sigmoid_prime(sigmoid(0.8))).message


@pytest.mark.parametrize("text", ["0.2139", "sigmoid'(0.8)", [0.2, 0.1]])
def test_1_3_answers_a_text_with_a_clear_message(text):
    feedback = chapter01.check_1_3(text, 0.2)
    assert feedback.status == "not yet right" and "slope_at_z should be one number" in feedback.message


def test_check_function_reports_a_column_shape():
    def column(values):
        return np.asarray(values, dtype=float).reshape(-1, 1)

    feedback = check_function("9.9", column, [(([1.0, 2.0],), np.array([1.0, 2.0]))])
    assert feedback.status == "not yet right"
    assert "the right values, but shape (2, 1); expected shape (2,)" in feedback.message
    wrong = check_function("9.9", lambda v: np.zeros((3, 1)), [(([1.0, 2.0],), np.array([1.0, 2.0]))])
    assert "shape (3, 1); expected shape (2,)" in wrong.message
