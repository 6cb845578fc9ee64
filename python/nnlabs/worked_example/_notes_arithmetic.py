"""The notes' own arithmetic: each step redone from the rounded values the notes carry forward.

The network (``notes_network``) gives every number at full precision. The notes instead round
as they go (A⁽²⁾ to 3 decimals in Table 11.13, ŷ_1 to 5.52, P̂ to 0.963), and several printed
results (δ = -0.58, ∂R/∂β_2 = -0.7134, Loss = 0.038) follow from the rounded values only.
This module reproduces those steps, so each printed number can be traced to its inputs.
The practice exercise is redone as its R check does it: from the given values, unrounded.
"""

from __future__ import annotations

import math

import numpy as np

from nnlabs.worked_example import _notes_values as nv


def _forward_observation_1() -> dict[str, float]:
    x, w = nv.X_NOTES[0], nv.LAYER1[0]
    z11 = float(w[0] + w[1:] @ x)  # Eq 11.23 with Tables 11.8 and 11.9
    a1 = np.maximum(nv.TABLE_11_11_Z, 0.0)  # ReLU of Table 11.11
    w2 = nv.LAYER2[0]
    sigmoid_notes = 1.0 / (1.0 + nv.printed_values("regression", 1)["e^(-z_1,1)"])
    return {
        "z_1,1": z11,
        "e^(-z_1,1)": math.exp(-z11),
        "A_1,1 (linear)": z11,
        # The notes divide by 1 + 0.3786, their (wrong) e^(-0.972), giving 0.72537 -> 0.725;
        # with e^(-0.972) = 0.37833 the sigmoid is 0.72552, which rounds to 0.726.
        "A_1,1 (sigmoid)": sigmoid_notes,
        "A_1,1 (ReLU)": max(z11, 0.0),
        "sigmoid(-z_1,1)": 1.0 - sigmoid_notes,  # printed 0.275; exact 0.27448
        "z⁽²⁾_1,1": float(w2[0] + w2[1:] @ a1),  # Table 11.12 times Table 11.11
    }


def _regression_observation_1() -> dict[str, float]:
    beta, a2, y = nv.BETA_REGRESSION[0], nv.TABLE_11_13_A2, nv.Y_ATTENDANCE[0]
    y_hat = round(float(beta[0] + beta[1:] @ a2), 2)  # 5.523, printed and used as 5.52
    delta = -(y - y_hat)  # Eq 11.37
    eta = nv.LEARNING_RATE
    grad_b1, grad_b2 = delta * a2[0], delta * a2[1]  # Eq 11.39
    # Eq 11.42 for w⁽²⁾_1,1: factors δ, β_1, g'(0.075) = 1, A⁽¹⁾_1 = 0.972.
    grad_w = delta * beta[1] * 1.0 * nv.TABLE_11_11_Z[0]
    return {
        "ŷ_1": y_hat,
        "Loss_1": 0.5 * (y - y_hat) ** 2,  # Eq 11.29
        "δ_out": delta,
        "∂R_1/∂β_1": grad_b1,
        "∂R_1/∂β_2": grad_b2,
        "∂R_1/∂β_3": delta * a2[2],
        "β_1 new": beta[1] - eta * grad_b1,  # Eq 11.35
        "β_2 new": beta[2] - eta * grad_b2,
        "β_3 new": beta[3] - eta * delta * a2[2],
        "∂R_1/∂w⁽²⁾_1,1": grad_w,
        "w⁽²⁾_1,1 new": nv.LAYER2[0, 1] - eta * grad_w,
    }


def _classification_observation_1() -> dict[str, float]:
    beta, a2 = nv.BETA_CLASSIFICATION, nv.TABLE_11_13_A2
    scores = beta[:, 0] + beta[:, 1:] @ a2  # Eq 11.31: -1.148, 2.123
    e = np.exp(scores)
    p = np.round(e / e.sum(), 3)  # printed, and carried into the loss, as 0.037, 0.963
    return {
        "Z_1": float(scores[0]),
        "Z_2": float(scores[1]),
        "e^Z_1": float(e[0]),
        "e^Z_2": float(e[1]),
        "Σ e^Z": float(e.sum()),
        "P̂(Flop)": float(p[0]),
        "P̂(Hit)": float(p[1]),
        "Loss_1": float(-math.log(p[1])),  # Eq 11.33, true class Hit
        "δ_out,1": float(p[0] - 0.0),  # Eq 11.44
        "δ_out,2": float(p[1] - 1.0),
    }


def _regression_observation_2() -> dict[str, float]:
    beta, a2, y = nv.BETA_REGRESSION[0], nv.EXERCISE_A2, nv.Y_ATTENDANCE[1]
    y_hat = float(beta[0] + beta[1:] @ a2)  # 4.9503; the R check does not round it
    delta = -(y - y_hat)
    # Eq 11.42 for w⁽²⁾_2,1 with the exercise's factors β_2, g' = 1, A⁽¹⁾_1,2 = 0.972.
    grad_w = delta * beta[2] * 1.0 * nv.EXERCISE_A1_12
    return {
        **{f"A⁽²⁾_{m},2": float(v) for m, v in enumerate(a2, start=1)},
        "A⁽¹⁾_1,2": nv.EXERCISE_A1_12,
        "ŷ_2": y_hat,
        "Loss_2": 0.5 * (y - y_hat) ** 2,
        "δ_out": delta,
        "∂R_2/∂β_1": delta * a2[0],
        "∂R_2/∂β_2": delta * a2[1],
        "∂R_2/∂β_3": delta * a2[2],
        "β_2 new": beta[2] - nv.LEARNING_RATE * delta * a2[1],
        "∂R_2/∂w⁽²⁾_2,1": grad_w,
        "w⁽²⁾_2,1 new": nv.EXERCISE_W2_21 - nv.LEARNING_RATE * grad_w,
    }


def notes_arithmetic(task: str, observation: int) -> dict[str, float]:
    """Every step the notes compute for ``task`` and ``observation`` (1 or 2), by quantity.

    Steps the notes do not compute are absent (the exercise has no classification part).
    """
    if observation == 1:
        tail = (
            _regression_observation_1() if task == "regression" else _classification_observation_1()
        )
        return {**_forward_observation_1(), **tail}
    return _regression_observation_2() if task == "regression" else {}
