"""Cross-checks against Keras: the same network as a float64 Keras model.

Keras (and TensorFlow) are imported inside the functions, so that importing
``nnlabs.worked_example`` stays light. Losses are sums over the batch, as R(θ) in the notes,
not Keras' default mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nnlabs.errors import NnlabsError
from nnlabs.validation import check_float
from nnlabs.worked_example._backward import Gradients
from nnlabs.worked_example._network import Layer, Network, check_inputs, check_targets

if TYPE_CHECKING:
    import keras

_DTYPE = "float64"


def keras_model(network: Network) -> keras.Model:
    """A float64 ``keras.Model`` with the network's layers and parameters: (n, p) -> (n, M).

    Layers are named ``hidden_1``, ``hidden_2``, ..., ``output``.
    """
    import keras

    inputs = keras.Input(shape=(network.n_inputs,), dtype=_DTYPE, name="inputs")
    x = inputs
    denses = []
    for index, layer in enumerate(network.layers):
        last = index == len(network.layers) - 1
        dense = keras.layers.Dense(
            layer.units,
            activation=layer.activation,
            dtype=_DTYPE,
            name="output" if last else f"hidden_{index + 1}",
        )
        x = dense(x)
        denses.append((dense, layer))
    model = keras.Model(inputs, x, name=f"worked_example_{network.task}")
    for dense, layer in denses:
        dense.set_weights([np.array(layer.weights), np.array(layer.bias)])
    return model


def network_from_keras(model: keras.Model, task: str) -> Network:
    """The Network held by a model built with ``keras_model`` (after training, say)."""
    layers = []
    for dense in model.layers[1:]:
        kernel, bias = dense.get_weights()
        layers.append(Layer(kernel, bias, dense.get_config()["activation"]))
    return Network(tuple(layers), task)


def keras_loss(task: str) -> keras.losses.Loss:
    """R(θ) as a Keras loss, float64, summed over observations (``reduction="sum"``)."""
    import keras

    if task == "classification":
        return keras.losses.SparseCategoricalCrossentropy(reduction="sum", dtype=_DTYPE)

    class HalfSquaredError(keras.losses.Loss):
        """½ (y - ŷ)² per observation (Eq 11.29)."""

        def call(self, y_true, y_pred):
            # y arrives as (n,) against ŷ's (n, 1); unmatched, they would broadcast to (n, n).
            y_true = keras.ops.reshape(y_true, keras.ops.shape(y_pred))
            return 0.5 * keras.ops.sum(keras.ops.square(y_true - y_pred), axis=-1)

    return HalfSquaredError(reduction="sum", dtype=_DTYPE, name="half_squared_error")


def keras_gradients(network: Network, X: object, y: object) -> Gradients:
    """∂R/∂θ by TensorFlow's automatic differentiation (``tf.GradientTape``).

    X is (n, p), y is (n,); returns Gradients shaped like the network. Needs the TensorFlow
    backend of Keras.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        raise NnlabsError(
            "keras_gradients needs the TensorFlow backend of Keras; "
            f"got {keras.backend.backend()!r} (set NNLABS_BACKEND=tensorflow)"
        )
    import tensorflow as tf

    inputs = check_inputs(network, X)
    targets = check_targets(network, y, inputs.shape[0])
    model = keras_model(network)
    dense_layers = model.layers[1:]
    with tf.GradientTape() as tape:
        output = model(tf.constant(inputs, dtype=tf.float64))
        if network.task == "regression":
            residual = tf.constant(targets, dtype=tf.float64) - output[:, 0]
            loss = 0.5 * tf.reduce_sum(residual**2)
        else:
            picked = tf.gather(output, tf.constant(targets), axis=1, batch_dims=1)
            loss = -tf.reduce_sum(tf.math.log(picked))
    grads = tape.gradient(loss, [(d.kernel, d.bias) for d in dense_layers])
    return Gradients(
        tuple(np.asarray(k, dtype=np.float64) for k, _ in grads),
        tuple(np.asarray(b, dtype=np.float64) for _, b in grads),
    )


def _float64_sgd(learning_rate: float) -> keras.optimizers.SGD:
    """``keras.optimizers.SGD`` whose learning-rate variable is float64.

    Keras stores η in the default float type, float32, where 0.01 is 0.0099999998; the step
    would then differ from the float64 one in the 8th significant digit.
    """
    import keras

    previous = keras.config.floatx()
    keras.config.set_floatx(_DTYPE)
    try:
        return keras.optimizers.SGD(learning_rate=learning_rate)
    finally:
        keras.config.set_floatx(previous)


def keras_sgd_step(network: Network, X: object, y: object, learning_rate: float = 0.01) -> Network:
    """One step of ``keras.optimizers.SGD`` on the whole batch (``train_on_batch``).

    The Keras model is compiled with the summed loss of ``keras_loss``, so one step is
    θ - η ∂R/∂θ, the notes' Eq 11.52; returns the updated parameters as a Network.
    """
    eta = check_float("learning_rate", learning_rate, 0.0, np.inf, low_inclusive=False)
    inputs = check_inputs(network, X)
    targets = check_targets(network, y, inputs.shape[0])
    model = keras_model(network)
    model.compile(optimizer=_float64_sgd(eta), loss=keras_loss(network.task))
    model.train_on_batch(inputs, targets)
    return network_from_keras(model, network.task)
