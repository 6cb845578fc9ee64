"""§11.4's worked example: every number of the walkthrough, the backward pass two ways, errors.

Tolerances, stated per number:
* ``EXACT`` (1e-12): the quantity is exact in decimal arithmetic (sums of products of the
  notes' 2-decimal weights and 1-decimal inputs, or the notes' own rounded arithmetic), so
  only floating-point round-off separates it from the printed value.
* ``printed(k)`` (0.5e-k): the quantity rounds to the number the notes print with k decimals.
* Wider tolerances are stated where the notes' value comes from a rounded intermediate
  (ŷ rounded to 5.52 shifts δ by 0.004); each says why.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache

import numpy as np
import pandas as pd
import pytest

from nnlabs import DataError, ParameterError
from nnlabs import worked_example as we

EXACT = 1e-12


def printed(decimals: int) -> float:
    """Half a unit in the last printed decimal: the value rounds to the printed number."""
    return 0.5 * 10.0**-decimals


@cache
def tables(task: str, observation: int) -> dict[str, pd.DataFrame]:
    return we.walkthrough_tables(task, observation)


def cell(task: str, observation: int, table: str, quantity: str, column: str = "exact") -> float:
    frame = tables(task, observation)[table]
    key = "quantity" if "quantity" in frame.columns else "factor"
    rows = frame[frame[key] == quantity]
    assert len(rows) == 1, f"{quantity!r} in {table}: {len(rows)} rows"
    return float(rows.iloc[0][column])


def reg1(table: str, quantity: str, column: str = "exact") -> float:
    return cell("regression", 1, table, quantity, column)


def cls1(table: str, quantity: str, column: str = "exact") -> float:
    return cell("classification", 1, table, quantity, column)


def reg2(table: str, quantity: str, column: str = "exact") -> float:
    return cell("regression", 2, table, quantity, column)


# --- Step 1: parameters -------------------------------------------------------------------


def test_parameter_counts_are_24_15_and_4_or_8():
    assert we.notes_network("regression").parameter_counts == (24, 15, 4)
    assert we.notes_network("classification").parameter_counts == (24, 15, 8)
    assert we.notes_network("regression").n_parameters == 43
    assert we.notes_network("classification").n_parameters == 47
    frame = tables("regression", 1)["parameters"]
    assert frame["parameters"].tolist() == [24, 15, 4, 43]
    # Table 11.20's "61" is neither 43 nor 47 (recorded in the errata).
    assert frame["notes"].iloc[-1] == 61


def test_notes_parameters_are_in_the_network():
    net = we.notes_network("classification")
    layer1, layer2, head = net.layers
    np.testing.assert_array_equal(layer1.weights[:, 0], [0.34, -0.21, 0.07, 0.41, -0.18])
    assert layer1.bias[0] == -0.12  # Table 11.8
    np.testing.assert_array_equal(layer2.weights[:, 0], [-0.30, 0.55, 0.22, -0.48])
    assert layer2.bias[0] == 0.05  # Table 11.12
    np.testing.assert_array_equal(head.bias, [-0.50, 0.80])  # Table 11.14
    np.testing.assert_array_equal(head.weights, [[1.20, -0.40], [-0.60, 1.10], [0.30, 0.20]])
    reg_head = we.notes_network("regression").layers[2]
    np.testing.assert_array_equal(
        np.r_[reg_head.bias, reg_head.weights[:, 0]], [1.5, 2.8, 3.1, 0.95]
    )


def test_chosen_layer1_weights_respect_eq_11_22_range():
    weights = we.notes_network().layers[0]
    bound = 1 / np.sqrt(5)
    assert np.abs(weights.weights).max() < bound and np.abs(weights.bias).max() < bound


# --- Step 2: forward pass, observation 1 ------------------------------------------------------


def test_z_1_1_is_0_972():
    assert reg1("pre_activation", "z_1,1") == pytest.approx(0.972, abs=EXACT)
    assert reg1("pre_activation", "z_1,1", "notes_arithmetic") == pytest.approx(0.972, abs=EXACT)
    products = tables("regression", 1)["pre_activation"]["exact"].iloc[:-1]
    np.testing.assert_allclose(products, [-0.12, 0.51, -0.168, -0.021, 0.861, -0.09], atol=EXACT)


def test_activation_options_at_z_1_1():
    assert reg1("activation_options", "A_1,1 (linear)") == pytest.approx(0.972, abs=EXACT)
    assert reg1("activation_options", "A_1,1 (ReLU)") == pytest.approx(0.972, abs=EXACT)
    sig = reg1("activation_options", "A_1,1 (sigmoid)")
    assert sig == pytest.approx(0.7255, abs=printed(4))  # exact: 0.72552
    # e^(-0.972) is 0.3783; the notes print 0.3786 (erratum), and 1/1.3786 = 0.72537 is the
    # 0.725 they print. The exact 0.72552 rounds to 0.726 at 3 decimals.
    assert reg1("activation_options", "e^(-z_1,1)") == pytest.approx(0.3783, abs=printed(4))
    assert abs(reg1("activation_options", "e^(-z_1,1)", "notes_print") - 0.3783) > 2e-4
    notes_sig = reg1("activation_options", "A_1,1 (sigmoid)", "notes_arithmetic")
    assert notes_sig == pytest.approx(0.725, abs=printed(3))
    assert sig == pytest.approx(0.726, abs=printed(3))
    # "Had z = -0.972 ... sigmoid would output ≈ 0.275": 1 - 0.725; exactly 0.27448.
    flipped = "sigmoid(-z_1,1)"
    assert reg1("activation_options", flipped, "notes_arithmetic") == pytest.approx(
        0.275, abs=printed(3)
    )
    assert reg1("activation_options", flipped) == pytest.approx(1 - sig, abs=EXACT)


def test_layer1_reproduces_table_11_11():
    z = [reg1("layer1", f"z_{k},1") for k in range(1, 5)]
    a = [reg1("layer1", f"A⁽¹⁾_{k},1") for k in range(1, 5)]
    np.testing.assert_allclose(z, [0.972, -0.305, 1.441, -0.088], atol=EXACT)
    np.testing.assert_allclose(a, [0.972, 0.0, 1.441, 0.0], atol=EXACT)


def test_layer2_node1_is_0_075():
    z = reg1("layer2_node1", "z⁽²⁾_1,1")
    assert z == pytest.approx(0.07542, abs=EXACT)  # 0.05 - 0.2916 + 0.31702
    assert z == pytest.approx(0.075, abs=printed(3))


def test_layer2_reproduces_table_11_13():
    a = [reg1("layer2", f"A⁽²⁾_{m},1") for m in (1, 2, 3)]
    np.testing.assert_allclose(a, [0.075, 1.230, 0.000], atol=printed(3))
    assert a[1] == pytest.approx(1.230, abs=2e-5)  # chosen so, see _notes_values
    assert a[2] == 0.0


# --- Step 3: output layer, observation 1 ------------------------------------------------------


def test_regression_prediction_is_5_52():
    # The notes' arithmetic: 1.50 + 0.210 + 3.813 = 5.523, printed and carried as 5.52.
    assert reg1("output", "ŷ_1", "notes_arithmetic") == pytest.approx(5.52, abs=EXACT)
    assert reg1("output", "ŷ_1") == pytest.approx(5.52, abs=printed(2))  # exact: 5.52424


def test_regression_loss_is_0_168_or_0_166_unrounded():
    assert reg1("output", "Loss_1", "notes_arithmetic") == pytest.approx(0.1682, abs=EXACT)
    assert reg1("output", "Loss_1", "notes_arithmetic") == pytest.approx(0.168, abs=printed(3))
    # Without rounding ŷ: from Table 11.13's values ŷ = 5.523, and from the network 5.52424.
    from_table = 0.5 * (6.1 - (1.5 + 2.8 * 0.075 + 3.1 * 1.230)) ** 2
    assert from_table == pytest.approx(0.166, abs=printed(3))
    assert reg1("output", "Loss_1") == pytest.approx(0.166, abs=printed(3))


def test_softmax_scores_are_minus_1_148_and_2_123():
    assert cls1("output", "Z_1", "notes_arithmetic") == pytest.approx(-1.148, abs=EXACT)
    assert cls1("output", "Z_2", "notes_arithmetic") == pytest.approx(2.123, abs=EXACT)
    assert cls1("output", "Z_1") == pytest.approx(-1.148, abs=printed(3))
    assert cls1("output", "Z_2") == pytest.approx(2.123, abs=printed(3))


def test_softmax_probabilities_are_0_037_and_0_963():
    for column in ("exact", "notes_arithmetic"):
        assert cls1("output", "P̂(Flop)", column) == pytest.approx(0.037, abs=printed(3))
        assert cls1("output", "P̂(Hit)", column) == pytest.approx(0.963, abs=printed(3))
    total = cls1("output", "P̂(Flop)") + cls1("output", "P̂(Hit)")
    assert total == pytest.approx(1.0, abs=EXACT)


def test_cross_entropy_is_0_037_exact_and_0_038_as_printed():
    # Exact: -log(0.96340) = 0.0373. The notes print 0.038 = -log of the rounded 0.963.
    assert cls1("output", "Loss_1") == pytest.approx(0.037, abs=printed(3))
    assert cls1("output", "Loss_1", "notes_arithmetic") == pytest.approx(0.038, abs=printed(3))


# --- Step 4: backward pass, observation 1 -------------------------------------------------------


def test_regression_output_error_is_minus_0_58():
    assert reg1("output", "δ_out", "notes_arithmetic") == pytest.approx(-0.58, abs=EXACT)
    assert reg1("output", "δ_out") == pytest.approx(-0.58, abs=printed(2))  # exact: -0.5758


def test_output_weight_gradients_minus_0_0435_and_minus_0_7134():
    chain = "chain_rule"
    assert reg1(chain, "∂R_1/∂β_1", "notes_arithmetic") == pytest.approx(-0.0435, abs=EXACT)
    assert reg1(chain, "∂R_1/∂β_2", "notes_arithmetic") == pytest.approx(-0.7134, abs=EXACT)
    # Unrounded δ = -0.5758 (not -0.58): the products move by up to 0.58 % of themselves.
    assert reg1(chain, "∂R_1/∂β_1") == pytest.approx(-0.0435, abs=2e-4)
    assert reg1(chain, "∂R_1/∂β_2") == pytest.approx(-0.7134, abs=6e-3)
    assert reg1(chain, "∂R_1/∂β_3") == 0.0  # A⁽²⁾_3 = 0: a dead node gets no update


def test_updated_output_weights_are_2_8004_and_3_107():
    for column in ("exact", "notes_arithmetic"):
        assert reg1("updates", "β_1 new", column) == pytest.approx(2.8004, abs=printed(4))
        assert reg1("updates", "β_2 new", column) == pytest.approx(3.107, abs=printed(3))
    assert reg1("updates", "β_1 new", "notes_arithmetic") == pytest.approx(2.800435, abs=EXACT)


def test_layer2_weight_gradient_minus_1_578_and_update_minus_0_284():
    notes = reg1("chain_rule", "∂R_1/∂w⁽²⁾_1,1", "notes_arithmetic")
    assert notes == pytest.approx(-1.578528, abs=EXACT)  # (-0.58)(2.80)(1)(0.972)
    # The notes print -1.578: truncated; it rounds to -1.579. Tolerance: one unit of the
    # last printed digit.
    assert notes == pytest.approx(-1.578, abs=1e-3)
    # Unrounded δ: -1.5670, 0.7 % smaller, for the same reason as ∂R/∂β_2.
    assert reg1("chain_rule", "∂R_1/∂w⁽²⁾_1,1") == pytest.approx(-1.578, abs=0.012)
    for column in ("exact", "notes_arithmetic"):
        assert reg1("updates", "w⁽²⁾_1,1 new", column) == pytest.approx(-0.284, abs=printed(3))


def test_layer2_gradient_reports_each_factor_of_eq_11_42():
    net = we.notes_network("regression")
    X, y = we.notes_data("regression")
    term = we.layer2_weight_term(net, X, y, i=1, m=1, j=1)
    values = [f.value for f in term.factors]
    delta = reg1("output", "δ_out")
    assert delta == pytest.approx(-(6.1 - 5.524238), abs=EXACT)
    np.testing.assert_allclose(values, [delta, 2.8, 1.0, 0.972], atol=EXACT)
    assert [f.label[:3] for f in term.factors] == ["(1)", "(2)", "(3)", "(4)"]
    assert term.value == pytest.approx(np.prod(values), rel=EXACT)
    assert term.equation == "Eq 11.42"


def test_layer1_gradient_reports_the_sum_over_layer2_nodes():
    net = we.notes_network("regression")
    X, y = we.notes_data("regression")
    term = we.layer1_weight_term(net, X, y, i=1, k=1, j=1)
    # Σ_m β_m g'(z⁽²⁾_m) w⁽²⁾_m,1 = 2.8(1)(-0.30) + 3.1(1)(-0.30) + 0.95(0)(0.17) = -1.77
    assert term.factors[1].value == pytest.approx(-1.77, abs=EXACT)
    assert [f.value for f in term.factors[2:]] == [1.0, 1.5]
    assert len(term.factors) == 4 and term.equation == "Eq 11.43"


def test_classification_output_errors_are_plus_and_minus_0_037():
    assert cls1("output", "δ_out,1", "notes_arithmetic") == pytest.approx(0.037, abs=EXACT)
    assert cls1("output", "δ_out,2", "notes_arithmetic") == pytest.approx(-0.037, abs=EXACT)
    assert cls1("output", "δ_out,1") == pytest.approx(0.037, abs=printed(3))
    assert cls1("output", "δ_out,2") == pytest.approx(-cls1("output", "δ_out,1"), abs=EXACT)


def test_classification_hidden_error_sums_over_classes():
    net = we.notes_network("classification")
    X, y = we.notes_data("classification")
    term = we.layer2_weight_term(net, X, y, i=1, m=1, j=1)
    delta = cls1("output", "δ_out,1")
    # Σ_c δ_c β_c,1 = δ_1 (1.20) + δ_2 (-0.40), with δ_2 = -δ_1.
    assert term.factors[0].value == pytest.approx(delta * (1.20 + 0.40), rel=1e-12)


# --- The practice exercise, observation 2 ---------------------------------------------------


def test_exercise_answers_from_its_given_values():
    col = "notes_arithmetic"
    assert reg2("output", "ŷ_2", col) == pytest.approx(4.9503, abs=EXACT)
    assert reg2("output", "ŷ_2", col) == pytest.approx(4.95, abs=printed(2))
    assert reg2("output", "Loss_2", col) == pytest.approx(0.211, abs=printed(3))
    assert reg2("chain_rule", "∂R_2/∂β_2", col) == pytest.approx(0.724, abs=printed(3))
    assert reg2("chain_rule", "∂R_2/∂w⁽²⁾_2,1", col) == pytest.approx(1.959, abs=printed(3))
    assert reg2("updates", "w⁽²⁾_2,1 new", col) == pytest.approx(-0.3196, abs=printed(4))
    assert reg2("chain_rule", "∂R_2/∂β_1", col) == 0.0
    assert reg2("chain_rule", "∂R_2/∂β_3", col) == 0.0


def test_exercise_with_table_11_8_node1_is_inactive():
    assert reg2("pre_activation", "z_1,2") == pytest.approx(-0.225, abs=EXACT)
    assert reg2("layer1", "A⁽¹⁾_1,2") == 0.0
    assert reg2("layer1", "A⁽¹⁾_1,2", "notes_print") == 0.972  # what the exercise uses
    assert reg2("chain_rule", "∂R_2/∂w⁽²⁾_2,1") == 0.0
    assert reg2("updates", "w⁽²⁾_2,1 new") == -0.30


def test_exercise_network_agrees_with_the_given_layer2_values():
    a = [reg2("layer2", f"A⁽²⁾_{m},2") for m in (1, 2, 3)]
    np.testing.assert_allclose(a, [0.0, 1.113, 0.0], atol=printed(3))
    assert reg2("output", "ŷ_2") == pytest.approx(4.95, abs=printed(2))
    assert reg2("output", "Loss_2") == pytest.approx(0.211, abs=printed(3))
    assert reg2("chain_rule", "∂R_2/∂β_2") == pytest.approx(0.724, abs=printed(3))
    assert reg2("chain_rule", "∂R_2/∂β_1") == 0.0 and reg2("chain_rule", "∂R_2/∂β_3") == 0.0
    # The exercise's z⁽²⁾_2,2 = 0.934 contradicts its A⁽²⁾_2,2 = 1.113 under ReLU.
    assert reg2("layer2", "z⁽²⁾_2,2") == pytest.approx(reg2("layer2", "A⁽²⁾_2,2"), abs=EXACT)


# --- §11.4.6: matrix form ----------------------------------------------------------------------


def test_table_11_19_shapes_for_n_10_regression():
    frame = tables("regression", 1)["matrix_form"]
    assert frame["result_shape"].tolist() == [
        (10, 4), (10, 4), (10, 3), (10, 3), (10, 1), (10, 1),
        (4, 1), (10, 3), (5, 3), (10, 4), (6, 4),
    ]  # fmt: skip
    result = frame["dimensions"].str.split("→").str[-1].str.strip()
    notes_result = frame["notes_dimensions"].str.split("→").str[-1].str.strip()
    # Only the output gradient differs: the notes' (3 × 1) has no row for β_0.
    assert frame.loc[result != notes_result, "operation"].tolist() == ["Backward: output gradient"]
    products = frame["notes_dimensions"].str.contains("→")
    full_differs = products & (frame["dimensions"] != frame["notes_dimensions"])
    assert frame.loc[full_differs, "operation"].tolist() == ["Backward: output gradient"]
    assert frame.loc[6, "notes_dimensions"] == "(3 × 10)(10 × 1) → 3 × 1"
    assert frame.loc[0, "dimensions"] == "(10 × 6)(6 × 4) → 10 × 4"


def test_table_11_19_shapes_for_n_10_classification():
    frame = tables("classification", 1)["matrix_form"]
    assert frame["result_shape"].tolist() == [
        (10, 4), (10, 4), (10, 3), (10, 3), (10, 2), (10, 2),
        (4, 2), (10, 3), (5, 3), (10, 4), (6, 4),
    ]  # fmt: skip


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_matrix_and_chain_rule_backward_passes_agree(task):
    net = we.notes_network(task)
    X, y = we.notes_data(task)
    matrix = we.backward_matrix(net, X, y).gradients
    scalar = we.chain_rule_gradients(net, X, y)
    np.testing.assert_allclose(matrix.vector(), scalar.vector(), rtol=0, atol=1e-12)
    assert np.abs(matrix.vector()).max() > 0.1


def test_bias_rows_of_the_output_gradient():
    net = we.notes_network("regression")
    X, y = we.notes_data("regression")
    back = we.backward_matrix(net, X, y)
    delta = back.delta_out
    grad = back.gradients.stacked(2)
    assert grad[0, 0] == pytest.approx(delta.sum(), abs=EXACT)  # ∂R/∂β_0 = Σ_i δ_i
    # The notes' (A⁽²⁾)ᵀ δ_out is the gradient below the bias row.
    np.testing.assert_allclose(grad[1:], back.trace.A[1].T @ delta, atol=EXACT)


def test_matrix_gradients_sum_the_per_observation_terms():
    net = we.notes_network("regression")
    X, y = we.notes_data("regression")
    total = we.backward_matrix(net, X, y).gradients.weights[2][1, 0]  # ∂R/∂β_2
    terms = [we.output_weight_term(net, X, y, i, k=2).value for i in range(1, 11)]
    assert total == pytest.approx(sum(terms), abs=EXACT)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_one_simultaneous_update_lowers_the_batch_loss(task):
    net = we.notes_network(task)
    X, y = we.notes_data(task)
    grads = we.backward_matrix(net, X, y).gradients
    new = we.gradient_descent_step(net, grads, 0.01)
    for old_layer, new_layer, g in zip(net.layers, new.layers, grads.weights, strict=True):
        np.testing.assert_allclose(new_layer.weights, old_layer.weights - 0.01 * g, atol=EXACT)
    assert we.total_loss(new, X, y) < we.total_loss(net, X, y)
    # The input network is unchanged: gradients of all layers come from the old parameters.
    assert net.layers[0].weights[0, 0] == 0.34


# --- Finite differences (NumPy only; the Keras checks are in test_worked_example_autodiff) ---

SHAPES = [
    ((5, 4, 3, 1), "regression", "relu"),
    ((5, 4, 3, 2), "classification", "relu"),
    ((3, 6, 2, 1), "regression", "sigmoid"),
    ((7, 5, 4, 3), "classification", "sigmoid"),
    ((4, 3, 5, 2), "classification", "linear"),
]


def _random_problem(sizes, task, activation, seed=3):
    rng = np.random.default_rng(seed)
    net = we.random_network(sizes, task, hidden_activation=activation, seed=seed)
    X = rng.normal(size=(12, sizes[0]))
    y = rng.normal(size=12) if task == "regression" else rng.integers(0, sizes[-1], size=12)
    return net, X, y


@pytest.mark.parametrize(("sizes", "task", "activation"), SHAPES)
def test_manual_gradients_match_finite_differences(sizes, task, activation):
    net, X, y = _random_problem(sizes, task, activation)
    matrix = we.backward_matrix(net, X, y).gradients
    numeric = we.finite_difference_gradients(net, X, y)
    assert we.relative_error(matrix, numeric) < 1e-6
    assert we.relative_error(we.chain_rule_gradients(net, X, y), matrix) < 1e-12


def test_finite_differences_detect_a_wrong_gradient():
    net, X, y = _random_problem((5, 4, 3, 1), "regression", "relu")
    good = we.backward_matrix(net, X, y).gradients
    bad = we.Gradients(good.weights, tuple(2 * b for b in good.bias))
    assert we.relative_error(bad, we.finite_difference_gradients(net, X, y)) > 1e-3


# --- Activations and losses -------------------------------------------------------------------


def _numeric_derivative(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize("name", ["linear", "relu", "sigmoid"])
def test_activation_derivatives_match_finite_differences(name):
    act = we.get_activation(name)
    z = np.array([-2.5, -0.7, -0.088, 0.075, 0.972, 3.0])
    np.testing.assert_allclose(act.derivative(z), _numeric_derivative(act.function, z), atol=1e-8)


def test_activation_values():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(we.relu(z), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(we.relu_derivative(z), [0.0, 0.0, 1.0])  # g'(0) = 0
    assert we.sigmoid(np.array(0.0)) == 0.5
    np.testing.assert_allclose(we.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    np.testing.assert_array_equal(we.linear(z), z)


def test_softmax_rows_and_jacobian():
    scores = np.array([[-1.148, 2.123], [0.3, -0.2], [1000.0, 999.0]])
    p = we.softmax(scores)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=EXACT)
    np.testing.assert_allclose(we.softmax(scores + 7.0), p, atol=EXACT)
    jac = we.softmax_jacobian(scores[:1])[0]
    h = 1e-6
    numeric = np.column_stack(
        [(we.softmax(scores[:1] + h * e) - we.softmax(scores[:1] - h * e))[0] / (2 * h)
         for e in np.eye(2)]
    )  # fmt: skip
    np.testing.assert_allclose(jac, numeric, atol=1e-9)
    with pytest.raises(TypeError, match="no element-wise derivative"):
        we.get_activation("softmax").derivative(scores)


def test_output_errors_are_loss_derivatives():
    y, y_hat = np.array([6.1, 4.3]), np.array([5.52, 4.95])
    assert we.squared_error_loss(y, y_hat) == pytest.approx(0.5 * (0.58**2 + 0.65**2), abs=EXACT)
    np.testing.assert_allclose(we.squared_error_output_error(y, y_hat), [[-0.58], [0.65]])
    scores, labels = np.array([[-1.148, 2.123]]), np.array([1])
    h, numeric = 1e-6, []
    for e in np.eye(2):
        up = we.cross_entropy_loss(labels, we.softmax(scores + h * e))
        down = we.cross_entropy_loss(labels, we.softmax(scores - h * e))
        numeric.append((up - down) / (2 * h))
    error = we.cross_entropy_output_error(labels, we.softmax(scores))
    np.testing.assert_allclose(error[0], numeric, atol=1e-9)


# --- The walkthrough text ---------------------------------------------------------------------


WALKTHROUGHS = [("regression", 1), ("classification", 1), ("regression", 2), ("classification", 2)]


@pytest.mark.parametrize(("task", "observation"), WALKTHROUGHS)
def test_main_walkthrough_prints_every_step_in_order(task, observation):
    text = we.main_walkthrough(task, observation)
    headings = ["Step 1.", "Step 2.1.", "Step 2.2.", "Step 2.3.", "Step 3.", "Step 4.",
                "Table 11.19", "Eq 11.52"]  # fmt: skip
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert f"observation i = {observation}" in text
    assert "nan" not in text.lower()


def test_main_walkthrough_shows_the_notes_numbers():
    text = we.main_walkthrough("regression", 1)
    for number in ("0.972", "5.52424", "-0.58", "-0.7134", "3.107", "-1.578", "61"):
        assert number in text
    assert "0.934" in we.main_walkthrough("regression", 2)
    assert "P̂(Hit)" in we.main_walkthrough("classification", 1)


def test_walkthrough_tables_are_dataframes_in_the_notes_order():
    frames = tables("classification", 2)
    assert list(frames)[:3] == ["parameters", "weights", "inputs"]
    assert list(frames)[-2:] == ["matrix_form", "batch"]
    assert all(isinstance(f, pd.DataFrame) and len(f) for f in frames.values())


def test_import_is_light():
    code = (
        "import sys, nnlabs.worked_example; print('keras' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- Bad input --------------------------------------------------------------------------------


def test_unknown_task_and_observation():
    with pytest.raises(
        ParameterError, match="task must be one of 'regression', 'classification'; got 'clustering'"
    ):
        we.walkthrough_tables("clustering")
    with pytest.raises(ParameterError, match="observation must be one of 1, 2; got 3"):
        we.main_walkthrough("regression", 3)
    with pytest.raises(ParameterError, match="observation must be an integer; got '1'"):
        we.main_walkthrough("regression", "1")
    with pytest.raises(ParameterError, match="task must be one of"):
        we.notes_network("ranking")


def test_unknown_activation():
    with pytest.raises(
        ParameterError,
        match="activation must be one of 'linear', 'relu', 'sigmoid', 'softmax'; got 'tanh'",
    ):
        we.get_activation("tanh")
    with pytest.raises(ParameterError, match=r"activation must be one of .*got 'tanh'"):
        we.Layer(np.ones((2, 2)), np.zeros(2), activation="tanh")
    with pytest.raises(
        ParameterError,
        match="hidden_activation must be one of 'linear', 'relu', 'sigmoid'; got 'softmax'",
    ):
        we.random_network((3, 2, 1), hidden_activation="softmax")
    hidden = we.Layer(np.ones((3, 2)), np.zeros(2), "softmax")
    head = we.Layer(np.ones((2, 1)), np.zeros(1), "linear")
    with pytest.raises(ParameterError, match=r"layers\[0\]\.activation must be one of"):
        we.Network((hidden, head), "regression")
    with pytest.raises(ParameterError, match=r"layers\[1\]\.activation must be 'softmax'"):
        we.Network((we.Layer(np.ones((3, 2)), np.zeros(2)), head), "classification")


def test_mismatched_shapes():
    net = we.notes_network()
    X, y = we.notes_data()
    with pytest.raises(DataError, match=r"X must have 5 columns .*; got 4"):
        we.forward(net, X[:, :4])
    with pytest.raises(DataError, match=r"y must have 10 values .*; got 9"):
        we.backward_matrix(net, X, y[:9])
    with pytest.raises(DataError, match="X must be a 2-D matrix"):
        we.forward(net, X[0])
    first = we.Layer(np.ones((5, 4)), np.zeros(4))
    with pytest.raises(ParameterError, match=r"layers\[1\]\.weights must have 4 rows .*; got 3"):
        we.Network((first, we.Layer(np.ones((3, 1)), np.zeros(1), "linear")))
    with pytest.raises(ParameterError, match="bias must have one value per unit"):
        we.Layer(np.ones((5, 4)), np.zeros(3))
    with pytest.raises(ParameterError, match="must have 1 unit for regression"):
        we.Network((we.Layer(np.ones((5, 2)), np.zeros(2), "linear"),), "regression")
    grads = we.backward_matrix(net, X, y).gradients
    short = we.Gradients(grads.weights[:2], grads.bias[:2])
    with pytest.raises(ParameterError, match="gradients must have one entry per layer"):
        we.gradient_descent_step(net, short)
    swapped = we.Gradients(grads.weights[::-1], grads.bias[::-1])
    with pytest.raises(ParameterError, match="gradients for layer 0 must have shapes"):
        we.gradient_descent_step(net, swapped)


def test_non_finite_inputs():
    net = we.notes_network()
    X, y = we.notes_data()
    X[3, 2] = np.nan
    with pytest.raises(DataError, match=r"X must hold only finite values.*row 3, column 2"):
        we.forward(net, X)
    X, y = we.notes_data()
    y[0] = np.inf
    with pytest.raises(DataError, match="y must hold only finite values"):
        we.total_loss(net, X, y)
    with pytest.raises(ParameterError, match="weights must hold only finite values"):
        we.Layer(np.array([[np.nan]]), np.zeros(1))


def test_bad_labels_indices_and_settings():
    net = we.notes_network("classification")
    X, _ = we.notes_data("classification")
    with pytest.raises(DataError, match=r"y must hold class indices 0\.\.1"):
        we.backward_matrix(net, X, np.full(10, 2))
    X, y = we.notes_data("classification")
    with pytest.raises(ParameterError, match=r"k must be an integer in 0\.\.3; got 4"):
        we.output_weight_term(net, X, y, i=1, k=4)
    with pytest.raises(ParameterError, match=r"i must be an integer in 1\.\.10; got 11"):
        we.layer1_weight_term(net, X, y, i=11, k=1, j=1)
    shallow = we.random_network((5, 3, 2), "classification")
    with pytest.raises(ParameterError, match="network must have exactly 2 hidden layers"):
        we.chain_rule_gradients(shallow, X, y)
    grads = we.backward_matrix(net, X, y).gradients
    with pytest.raises(ParameterError, match="learning_rate must be a number in"):
        we.gradient_descent_step(net, grads, learning_rate=0)
    with pytest.raises(ParameterError, match=r"sizes\[1\] must be an integer >= 1; got 0"):
        we.random_network((5, 0, 1))
