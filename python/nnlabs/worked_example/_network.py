"""The network's parameters, held explicitly, and the forward pass (Eq 11.23-11.32, 11.46-11.48).

Shapes follow Keras' Dense layer, so the notes' stacked matrix W̃ (Eq 11.45) is
``[bias; weights]``: layer l maps (n, K_{l-1}) to (n, K_l) with ``weights`` (K_{l-1}, K_l),
column k holding node k's weights, and ``bias`` (K_l,).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnlabs.errors import DataError, ParameterError
from nnlabs.validation import check_choice, check_finite_matrix, check_int
from nnlabs.worked_example._activations import HIDDEN_ACTIVATIONS, get_activation

TASKS = ("regression", "classification")


def _parameter_array(name: str, value: object, ndim: int) -> np.ndarray:
    """Return ``value`` as a read-only float64 copy with ``ndim`` dimensions, all finite."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be numeric; could not convert it ({exc})") from exc
    if arr.ndim != ndim:
        raise ParameterError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ParameterError(f"{name} must hold only finite values; got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Layer:
    """One fully connected layer: A = g(A_prev @ weights + bias).

    Attributes:
        weights: (K_prev, K) array; entry (j, k) is w_{k,j} in the notes' notation.
        bias: (K,) array; entry k is w_{k,0}.
        activation: ``"linear"``, ``"relu"``, ``"sigmoid"`` or ``"softmax"``.
    """

    weights: np.ndarray
    bias: np.ndarray
    activation: str = "relu"

    def __post_init__(self) -> None:
        weights = _parameter_array("weights", self.weights, 2)
        bias = _parameter_array("bias", self.bias, 1)
        if bias.shape[0] != weights.shape[1]:
            raise ParameterError(
                f"bias must have one value per unit ({weights.shape[1]}, the columns of "
                f"weights); got {bias.shape[0]}"
            )
        get_activation(self.activation)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "bias", bias)

    @property
    def units(self) -> int:
        """K, the number of nodes in this layer."""
        return int(self.weights.shape[1])

    @property
    def n_parameters(self) -> int:
        """K × (K_prev + 1): every weight plus one bias per node."""
        return int(self.weights.size + self.bias.size)

    def stacked(self) -> np.ndarray:
        """The notes' W̃ (Eq 11.45): the bias row on top of the weights, (K_prev + 1, K)."""
        return np.vstack([self.bias[None, :], self.weights])


@dataclass(frozen=True, eq=False)
class Network:
    """A feed-forward network: hidden layers, then one output layer.

    Attributes:
        layers: the hidden layers in order, then the output layer.
        task: ``"regression"`` (linear output, ½ squared error) or ``"classification"``
            (softmax output over M >= 2 classes, cross-entropy).
    """

    layers: tuple[Layer, ...]
    task: str = "regression"

    def __post_init__(self) -> None:
        check_choice("task", self.task, TASKS)
        layers = tuple(self.layers)
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise ParameterError(f"layers must be a non-empty sequence of Layer; got {layers!r}")
        for index in range(1, len(layers)):
            expected, got = layers[index - 1].units, layers[index].weights.shape[0]
            if got != expected:
                raise ParameterError(
                    f"layers[{index}].weights must have {expected} rows (the units of "
                    f"layers[{index - 1}]); got {got}"
                )
        for index, layer in enumerate(layers[:-1]):
            check_choice(f"layers[{index}].activation", layer.activation, HIDDEN_ACTIVATIONS)
        self._check_output(layers[-1], len(layers) - 1)
        object.__setattr__(self, "layers", layers)

    def _check_output(self, layer: Layer, index: int) -> None:
        wanted = "linear" if self.task == "regression" else "softmax"
        if layer.activation != wanted:
            raise ParameterError(
                f"layers[{index}].activation must be {wanted!r} for task {self.task!r} "
                f"(the output layer); got {layer.activation!r}"
            )
        if self.task == "regression" and layer.units != 1:
            raise ParameterError(
                f"layers[{index}] must have 1 unit for regression (one ŷ); got {layer.units}"
            )
        if self.task == "classification" and layer.units < 2:
            raise ParameterError(
                f"layers[{index}] must have at least 2 units for classification; got {layer.units}"
            )

    @property
    def sizes(self) -> tuple[int, ...]:
        """(p, K_1, ..., K_L, outputs), e.g. (5, 4, 3, 1) for the notes' regression network."""
        return (int(self.layers[0].weights.shape[0]), *(layer.units for layer in self.layers))

    @property
    def n_inputs(self) -> int:
        """p, the number of input features."""
        return self.sizes[0]

    @property
    def parameter_counts(self) -> tuple[int, ...]:
        """Parameters per layer, e.g. (24, 15, 4) for the notes' regression network."""
        return tuple(layer.n_parameters for layer in self.layers)

    @property
    def n_parameters(self) -> int:
        """All weights and biases together."""
        return sum(self.parameter_counts)


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """Every intermediate of one forward pass over n observations.

    Attributes:
        inputs: X, (n, p).
        Z: pre-activations per layer; Z[l] is (n, K_l) (Z[-1] holds ŷ or the scores Z_m).
        A: activations per layer, A[l] = g(Z[l]); A[-1] is ŷ (n, 1) or P̂ (n, M).
    """

    inputs: np.ndarray
    Z: tuple[np.ndarray, ...]
    A: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        """ŷ (n, 1) for regression or the class probabilities P̂ (n, M) for classification."""
        return self.A[-1]

    def layer_input(self, index: int) -> np.ndarray:
        """What layer ``index`` multiplies: X for index 0, else A[index - 1]; (n, K_prev)."""
        return self.inputs if index == 0 else self.A[index - 1]


def check_inputs(network: Network, X: object) -> np.ndarray:
    """Return X as a finite (n, p) float array matching the network's p inputs."""
    arr = check_finite_matrix("X", X)
    if arr.shape[1] != network.n_inputs:
        raise DataError(
            f"X must have {network.n_inputs} columns (one per network input); got {arr.shape[1]}"
        )
    return arr


def check_targets(network: Network, y: object, n: int) -> np.ndarray:
    """Return y as (n,) floats (regression) or (n,) class indices 0..M-1 (classification)."""
    try:
        arr = np.asarray(y, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise DataError(f"y must be numeric; could not convert it ({exc})") from exc
    if arr.size != n:
        raise DataError(f"y must have {n} values (one per row of X); got {arr.size}")
    if not np.isfinite(arr).all():
        raise DataError(f"y must hold only finite values; got {arr.tolist()}")
    if network.task == "regression":
        return arr
    n_classes = network.layers[-1].units
    if not np.all((arr == np.round(arr)) & (arr >= 0) & (arr < n_classes)):
        raise DataError(
            f"y must hold class indices 0..{n_classes - 1} for classification; got {arr.tolist()}"
        )
    return arr.astype(np.intp)


def forward(network: Network, X: object) -> ForwardTrace:
    """Run the forward pass (Eq 11.46-11.48) on X (n, p) and keep every z and A."""
    inputs = check_inputs(network, X)
    Z: list[np.ndarray] = []
    A: list[np.ndarray] = []
    previous = inputs
    for layer in network.layers:
        z = previous @ layer.weights + layer.bias
        previous = get_activation(layer.activation).function(z)
        Z.append(z)
        A.append(previous)
    return ForwardTrace(inputs=inputs, Z=tuple(Z), A=tuple(A))


def total_loss(network: Network, X: object, y: object) -> float:
    """R(θ): the summed ½ squared error (Eq 11.30) or cross-entropy (Eq 11.34)."""
    from nnlabs.worked_example._losses import cross_entropy_loss, squared_error_loss

    trace = forward(network, X)
    targets = check_targets(network, y, trace.inputs.shape[0])
    if network.task == "regression":
        return squared_error_loss(targets, trace.output)
    return cross_entropy_loss(targets, trace.output)


def random_network(
    sizes: Sequence[int],
    task: str = "regression",
    *,
    hidden_activation: str = "relu",
    seed: int = 0,
) -> Network:
    """A network of the given ``sizes`` (p, K_1, ..., outputs) with Eq 11.22 initial values.

    Every weight and bias of a layer with p_in inputs is drawn from Uniform(-1/√p_in, 1/√p_in).
    """
    task = check_choice("task", task, TASKS)
    check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    sizes = tuple(check_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes))
    if len(sizes) < 2:
        raise ParameterError(f"sizes must list the inputs and the outputs at least; got {sizes}")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    layers = []
    for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        bound = 1.0 / np.sqrt(n_in)
        is_output = index == len(sizes) - 2
        activation = hidden_activation
        if is_output:
            activation = "linear" if task == "regression" else "softmax"
        weights = rng.uniform(-bound, bound, size=(n_in, n_out))
        layers.append(Layer(weights, rng.uniform(-bound, bound, size=n_out), activation))
    return Network(tuple(layers), task)
