"""The backward pass one parameter at a time, as products of chain-rule factors.

Eq 11.39 (output layer), Eq 11.42 (hidden layer 2) and Eq 11.43 (hidden layer 1), for a
network with exactly two hidden layers, as in §11.4. Indices follow the notes: nodes,
classes and observations count from 1, and index 0 is the bias (its "input" is 1).

For classification the notes give only the output error (Eq 11.44). Going back one layer, the
error reaching A⁽²⁾_m is the sum over classes Σ_c δ_c β_{c,m}, which replaces the regression
factors (1)·(2) = δ β_m; it is reported as one factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from nnlabs.errors import ParameterError
from nnlabs.validation import check_int
from nnlabs.worked_example._activations import get_activation
from nnlabs.worked_example._backward import Gradients, output_error
from nnlabs.worked_example._network import ForwardTrace, Network, check_targets, forward


@dataclass(frozen=True)
class Factor:
    """One link of the chain: what it is (``label``), its formula (``symbol``), its value."""

    label: str
    symbol: str
    value: float


@dataclass(frozen=True)
class ChainRuleTerm:
    """∂R_i/∂θ for one parameter θ and one observation i, as a product of factors."""

    parameter: str
    equation: str
    observation: int
    factors: tuple[Factor, ...]

    @property
    def value(self) -> float:
        """The product of the factors."""
        return float(prod(f.value for f in self.factors))


@dataclass(frozen=True, eq=False)
class _Pass:
    """A forward pass with its targets and output error, shared by many terms."""

    network: Network
    trace: ForwardTrace
    delta: np.ndarray  # δ_out, (n, M)

    def gate(self, layer: int, i: int, node: int) -> float:
        """g'(z) of ``node`` (0-based) in ``layer`` (0-based) for observation ``i`` (0-based)."""
        activation = get_activation(self.network.layers[layer].activation)
        return float(activation.derivative(self.trace.Z[layer][i, node]))


def _prepare(network: Network, X: object, y: object) -> _Pass:
    if len(network.layers) != 3:
        raise ParameterError(
            "network must have exactly 2 hidden layers for the chain-rule form (Eq 11.39-11.43); "
            f"got {len(network.layers) - 1}"
        )
    trace = forward(network, X)
    targets = check_targets(network, y, trace.inputs.shape[0])
    return _Pass(network, trace, output_error(network, trace, targets))


def _index(name: str, value: object, low: int, high: int) -> int:
    """A 1-based (or 0 = bias) index checked against its range, returned as given."""
    index = check_int(name, value)
    if not low <= index <= high:
        raise ParameterError(f"{name} must be an integer in {low}..{high}; got {value!r}")
    return index


def _error_factors(run: _Pass, i: int, m: int) -> list[Factor]:
    """Factors (1)·(2): the error reaching layer-2 node m (1-based) from the output."""
    beta = run.network.layers[2].weights  # (K_2, M)
    if run.network.task == "regression":
        return [
            Factor("(1) ∂Loss_i/∂ŷ_i", "-(y_i - ŷ_i)", float(run.delta[i, 0])),
            Factor("(2) ∂ŷ_i/∂A⁽²⁾_m", f"β_{m}", float(beta[m - 1, 0])),
        ]
    value = float(run.delta[i] @ beta[m - 1])
    return [Factor("(1)·(2) Σ_c δ_c ∂Z_c/∂A⁽²⁾_m", f"Σ_c δ_c β_c,{m}", value)]


def _output_term(run: _Pass, i: int, k: int, m: int) -> ChainRuleTerm:
    a2 = 1.0 if k == 0 else float(run.trace.A[1][i, k - 1])
    if run.network.task == "regression":
        first = Factor("(1) ∂Loss_i/∂ŷ_i", "-(y_i - ŷ_i)", float(run.delta[i, 0]))
        name, leverage = f"β_{k}", Factor("(2) ∂ŷ_i/∂β_k", "1" if k == 0 else f"A⁽²⁾_{k}", a2)
    else:
        first = Factor("(1) ∂Loss_i/∂Z_m", f"P̂({m}|x_i) - 1[y_i = {m}]", float(run.delta[i, m - 1]))
        name = f"β_{m},{k}"
        leverage = Factor("(2) ∂Z_m/∂β_m,k", "1" if k == 0 else f"A⁽²⁾_{k}", a2)
    return ChainRuleTerm(name, "Eq 11.39", i + 1, (first, leverage))


def _layer2_term(run: _Pass, i: int, m: int, j: int) -> ChainRuleTerm:
    a1 = 1.0 if j == 0 else float(run.trace.A[0][i, j - 1])
    factors = [
        *_error_factors(run, i, m),
        Factor("(3) ∂A⁽²⁾_m/∂z⁽²⁾_m", f"g'(z⁽²⁾_{m})", run.gate(1, i, m - 1)),
        Factor("(4) ∂z⁽²⁾_m/∂w⁽²⁾_m,j", "1" if j == 0 else f"A⁽¹⁾_{j}", a1),
    ]
    return ChainRuleTerm(f"w⁽²⁾_{m},{j}", "Eq 11.42", i + 1, tuple(factors))


def _layer1_term(run: _Pass, i: int, k: int, j: int) -> ChainRuleTerm:
    beta = run.network.layers[2].weights  # (K_2, M)
    w2 = run.network.layers[1].weights  # (K_1, K_2)
    regression = run.network.task == "regression"
    back = 0.0
    for m in range(w2.shape[1]):
        # Node k feeds every layer-2 node m; each path passes its own gate g'(z⁽²⁾_m).
        upstream = beta[m, 0] if regression else run.delta[i] @ beta[m]
        back += float(upstream) * run.gate(1, i, m) * float(w2[k - 1, m])
    x = 1.0 if j == 0 else float(run.trace.inputs[i, j - 1])
    if regression:
        first = [Factor("(1) ∂Loss_i/∂ŷ_i", "-(y_i - ŷ_i)", float(run.delta[i, 0]))]
        label = "(2)-(4) Σ_m β_m g'(z⁽²⁾_m) w⁽²⁾_m,k"
        symbol = f"Σ_m β_m g'(z⁽²⁾_m) w⁽²⁾_m,{k}"
    else:
        first = []
        label = "(1)-(4) Σ_m (Σ_c δ_c β_c,m) g'(z⁽²⁾_m) w⁽²⁾_m,k"
        symbol = f"Σ_m (Σ_c δ_c β_c,m) g'(z⁽²⁾_m) w⁽²⁾_m,{k}"
    factors = [
        *first,
        Factor(label, symbol, back),
        Factor("(5) ∂A⁽¹⁾_k/∂z⁽¹⁾_k", f"g'(z⁽¹⁾_{k})", run.gate(0, i, k - 1)),
        Factor("(6) ∂z⁽¹⁾_k/∂w⁽¹⁾_k,j", "1" if j == 0 else f"X_{j}", x),
    ]
    return ChainRuleTerm(f"w⁽¹⁾_{k},{j}", "Eq 11.43", i + 1, tuple(factors))


def output_weight_term(
    network: Network, X: object, y: object, i: int, k: int, m: int = 1
) -> ChainRuleTerm:
    """∂R_i/∂β_k (regression) or ∂R_i/∂β_m,k (class m) as Eq 11.39's two factors.

    X (n, p) and y (n,) are the batch; ``i`` is the observation (1..n), ``k`` the layer-2
    node (0 = the bias β_0 or β_m,0), ``m`` the class (1..M; 1 for regression).
    """
    run = _prepare(network, X, y)
    i = _index("i", i, 1, run.trace.inputs.shape[0])
    k = _index("k", k, 0, network.sizes[2])
    m = _index("m", m, 1, network.sizes[3])
    return _output_term(run, i - 1, k, m)


def layer2_weight_term(
    network: Network, X: object, y: object, i: int, m: int, j: int
) -> ChainRuleTerm:
    """∂R_i/∂w⁽²⁾_m,j as Eq 11.42's four factors; j = 0 is the bias w⁽²⁾_m,0.

    ``i`` is the observation (1..n), ``m`` the layer-2 node (1..K_2), ``j`` the layer-1 node.
    """
    run = _prepare(network, X, y)
    i = _index("i", i, 1, run.trace.inputs.shape[0])
    m = _index("m", m, 1, network.sizes[2])
    j = _index("j", j, 0, network.sizes[1])
    return _layer2_term(run, i - 1, m, j)


def layer1_weight_term(
    network: Network, X: object, y: object, i: int, k: int, j: int
) -> ChainRuleTerm:
    """∂R_i/∂w⁽¹⁾_k,j as Eq 11.43's factors; j = 0 is the bias w_k,0.

    ``i`` is the observation (1..n), ``k`` the layer-1 node (1..K_1), ``j`` the input (0..p).
    """
    run = _prepare(network, X, y)
    i = _index("i", i, 1, run.trace.inputs.shape[0])
    k = _index("k", k, 1, network.sizes[1])
    j = _index("j", j, 0, network.sizes[0])
    return _layer1_term(run, i - 1, k, j)


def chain_rule_gradients(network: Network, X: object, y: object) -> Gradients:
    """∂R/∂θ for every parameter, each as Σ_i of its chain-rule product (Eq 11.39-11.43).

    Deliberately one scalar product per parameter and observation, to be compared with
    ``backward_matrix``; returns Gradients shaped like the network.
    """
    run = _prepare(network, X, y)
    n = run.trace.inputs.shape[0]
    p, k1, k2, n_out = network.sizes
    stacked = [np.zeros((p + 1, k1)), np.zeros((k1 + 1, k2)), np.zeros((k2 + 1, n_out))]
    for i in range(n):
        for j in range(p + 1):
            for k in range(1, k1 + 1):
                stacked[0][j, k - 1] += _layer1_term(run, i, k, j).value
        for j in range(k1 + 1):
            for m in range(1, k2 + 1):
                stacked[1][j, m - 1] += _layer2_term(run, i, m, j).value
        for k in range(k2 + 1):
            for m in range(1, n_out + 1):
                stacked[2][k, m - 1] += _output_term(run, i, k, m).value
    return Gradients(tuple(g[1:] for g in stacked), tuple(g[0] for g in stacked))
