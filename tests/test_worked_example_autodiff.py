"""The from-scratch gradients of §11.4 against Keras: TensorFlow autodiff and one SGD step.

Everything runs in float64 (the Keras layers, losses and the optimizer's learning rate), so
the manual and the framework's numbers agree to round-off: gradients to 1e-8 relative error
(the acceptance bound; in practice about 1e-16), one SGD step to 1e-12 absolute.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlabs import DataError, ParameterError
from nnlabs import worked_example as we

keras = pytest.importorskip("keras")
if keras.backend.backend() != "tensorflow":
    pytest.skip("the GradientTape checks need the TensorFlow backend", allow_module_level=True)

# (sizes, task, hidden activation): both heads, 1 to 3 hidden layers, three activations.
SHAPES = [
    ((5, 4, 3, 1), "regression", "relu"),
    ((5, 4, 3, 2), "classification", "relu"),
    ((3, 6, 2, 1), "regression", "sigmoid"),
    ((7, 5, 4, 3), "classification", "sigmoid"),
    ((4, 3, 5, 2), "classification", "linear"),
    ((4, 7, 1), "regression", "sigmoid"),
    ((6, 5, 4, 3, 2), "classification", "relu"),
]
IDS = [f"{'-'.join(map(str, s))}-{t[:5]}-{a}" for s, t, a in SHAPES]


def _problem(sizes, task, activation, seed=11):
    rng = np.random.default_rng(seed)
    net = we.random_network(sizes, task, hidden_activation=activation, seed=seed)
    X = rng.normal(size=(16, sizes[0]))
    y = rng.normal(size=16) if task == "regression" else rng.integers(0, sizes[-1], size=16)
    return net, X, y


def _max_abs_difference(a: we.Network, b: we.Network) -> float:
    pairs = zip(a.layers, b.layers, strict=True)
    return max(
        max(np.abs(p.weights - q.weights).max(), np.abs(p.bias - q.bias).max()) for p, q in pairs
    )


@pytest.mark.parametrize(("sizes", "task", "activation"), SHAPES, ids=IDS)
def test_manual_gradients_equal_tensorflow_autodiff(sizes, task, activation):
    net, X, y = _problem(sizes, task, activation)
    manual = we.backward_matrix(net, X, y).gradients
    autodiff = we.keras_gradients(net, X, y)
    assert we.relative_error(manual, autodiff) < 1e-8
    assert np.linalg.norm(manual.vector()) > 1e-3  # not trivially zero
    if len(sizes) == 4:  # the chain-rule form is written for two hidden layers
        assert we.relative_error(we.chain_rule_gradients(net, X, y), autodiff) < 1e-8


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_notes_network_gradients_equal_tensorflow_autodiff(task):
    net = we.notes_network(task)
    X, y = we.notes_data(task)
    autodiff = we.keras_gradients(net, X, y)
    assert we.relative_error(we.backward_matrix(net, X, y).gradients, autodiff) < 1e-8
    assert we.relative_error(we.finite_difference_gradients(net, X, y), autodiff) < 1e-6


@pytest.mark.parametrize(("sizes", "task", "activation"), SHAPES[:5], ids=IDS[:5])
def test_one_manual_update_equals_one_keras_sgd_step(sizes, task, activation):
    net, X, y = _problem(sizes, task, activation)
    manual = we.gradient_descent_step(net, we.backward_matrix(net, X, y).gradients, 0.01)
    framework = we.keras_sgd_step(net, X, y, learning_rate=0.01)
    assert _max_abs_difference(manual, framework) < 1e-12
    assert _max_abs_difference(manual, net) > 1e-4  # the step moved the parameters


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_notes_network_update_equals_keras_sgd_step(task):
    net = we.notes_network(task)
    X, y = we.notes_data(task)
    manual = we.gradient_descent_step(net, we.backward_matrix(net, X, y).gradients, 0.01)
    assert _max_abs_difference(manual, we.keras_sgd_step(net, X, y, 0.01)) < 1e-12


def test_keras_model_is_the_same_network_in_float64():
    before = keras.config.floatx()
    net = we.notes_network("classification")
    X, y = we.notes_data("classification")
    model = we.keras_model(net)
    assert all(w.dtype == np.float64 for w in model.get_weights())
    output = np.asarray(model(X))
    np.testing.assert_allclose(output, we.forward(net, X).output, rtol=0, atol=1e-14)
    assert [layer.name for layer in model.layers[1:]] == ["hidden_1", "hidden_2", "output"]
    we.keras_sgd_step(net, X, y)
    assert keras.config.floatx() == before  # the float64 optimizer leaves the default alone


def test_keras_losses_are_sums_like_the_notes_r():
    for task in ("regression", "classification"):
        net = we.notes_network(task)
        X, y = we.notes_data(task)
        output = we.forward(net, X).output
        target = y.reshape(-1, 1) if task == "regression" else y
        value = float(we.keras_loss(task)(target, output))
        assert value == pytest.approx(we.total_loss(net, X, y), rel=1e-12)


def test_keras_checks_reject_bad_input():
    net = we.notes_network()
    X, y = we.notes_data()
    with pytest.raises(ParameterError, match="learning_rate must be a number in"):
        we.keras_sgd_step(net, X, y, learning_rate=-0.01)
    with pytest.raises(DataError, match="X must have 5 columns"):
        we.keras_gradients(net, X[:, 1:], y)
