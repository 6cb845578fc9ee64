"""The numbers of §11.4, each with the table or equation it comes from.

The notes give the parameters of one node per layer only (Tables 11.8, 11.12) and the inputs
of two observations (Table 11.9 and the practice exercise). Everything marked "chosen" or
"invented" below is ours, picked so that the network reproduces what the notes tabulate:

* Layer 1 nodes 2-4 give z = -0.305, 1.441, -0.088 for observation 1 exactly (Table 11.11).
  Their weights have two decimals and lie inside Eq 11.22's range ±1/√5 ≈ ±0.447, like
  Table 11.8's.
* Layer 2 node 2 gives A⁽²⁾ = 1.230 (to 2e-5) for observation 1 (Table 11.13) and 1.113 for
  observation 2 (the practice exercise), with w⁽²⁾₂,₁ = -0.30 as the exercise states. Its
  other weights cannot all stay inside ±1/√4 = 0.5: then z⁽²⁾₂,₁ <= 0.5 - 0.2916 + 0.5 × 1.441
  ≈ 0.93 < 1.230 (the notes' own w⁽²⁾₁,₂ = 0.55 is outside that range too).
* Layer 2 node 3 is inactive (ReLU output 0) for observations 1 and 2, as Table 11.13 and the
  exercise say, and active for four of the invented observations.
* Observations 3-10 are invented (the notes say n = 10 but list two); with them every
  hidden node is active for some observations and inactive for others.

With Table 11.8 the notes' node 1 of layer 1 is *inactive* for observation 2 (z = -0.225);
the exercise's A⁽¹⁾₁,₂ = 0.972 is observation 1's value (errata W1, docs/errata.md).
"""

from __future__ import annotations

import numpy as np

from nnlabs.validation import check_choice
from nnlabs.worked_example._network import TASKS, Layer, Network

LEARNING_RATE = 0.01  # η of §11.4.5.5.1 and the practice exercise
CLASS_NAMES = ("Flop", "Hit")  # output node m = 1 is Flop, m = 2 is Hit (§11.4.4.4)
HIT_THRESHOLD = 5.0  # "Hit (opening weekend > 5 million viewers)" (§11.4.4.4)

# Inputs X_1..X_5, one row per observation.
X_NOTES = np.array(
    [
        [1.5, 0.8, -0.3, 2.1, 0.5],  # i = 1: Table 11.9
        [0.9, 1.4, -0.6, 0.3, 1.1],  # i = 2: practice exercise (§11.4.9)
        [2.0, 1.1, 0.4, 1.2, -0.7],  # i = 3..10: invented
        [0.3, -0.5, 1.3, 0.8, 0.2],
        [1.1, 0.6, -1.0, 1.7, 0.9],
        [-0.4, 0.2, 0.7, -0.6, 1.5],
        [1.8, 1.6, 0.1, 0.9, -0.2],
        [0.5, -0.9, -0.4, 1.4, 0.6],
        [1.2, 0.3, 0.9, -0.3, -0.8],
        [-0.7, 1.0, -0.2, 0.5, 0.4],
    ]
)
# Attendance in millions: y_1 = 6.1 (§11.4.4.3), y_2 = 4.3 (exercise), the rest invented
# within 0.6 of the initial network's predictions, like y_1 and y_2. With targets far off,
# the gradient of the *summed* loss is so large that one step at η = 0.01 raises R(θ).
Y_ATTENDANCE = np.array([6.1, 4.3, 3.5, 2.4, 5.8, 3.1, 4.2, 3.4, 2.9, 3.3])
# 0 = Flop, 1 = Hit. The rule "> 5 million" gives y_1 = Hit (§11.4.4.7) and y_2 = Flop
# (exercise), as the notes state, so it is used for the invented observations too.
Y_CLASS = (Y_ATTENDANCE > HIT_THRESHOLD).astype(np.intp)

# Layer 1, one row per node k: bias w_{k,0}, then w_{k,1}..w_{k,5}.
LAYER1 = np.array(
    [
        [-0.12, 0.34, -0.21, 0.07, 0.41, -0.18],  # k = 1: Table 11.8
        [0.40, 0.00, -0.34, 0.35, -0.18, 0.10],  # k = 2: chosen (z_{2,1} = -0.305)
        [-0.28, 0.37, -0.02, -0.30, 0.42, 0.42],  # k = 3: chosen (z_{3,1} = 1.441)
        [0.03, -0.12, 0.41, -0.13, -0.20, 0.23],  # k = 4: chosen (z_{4,1} = -0.088)
    ]
)
# Layer 2, one row per node m: bias w⁽²⁾_{m,0}, then w⁽²⁾_{m,1}..w⁽²⁾_{m,4}.
LAYER2 = np.array(
    [
        [0.05, -0.30, 0.55, 0.22, -0.48],  # m = 1: Table 11.12
        [0.34, -0.30, -0.85, 0.82, 0.16],  # m = 2: chosen (A⁽²⁾ = 1.230, then 1.113)
        [-0.03, 0.17, 0.31, -0.48, 0.31],  # m = 3: chosen (inactive for i = 1, 2)
    ]
)
# Regression output: β_0, β_1, β_2, β_3 (Eq 11.28 and the practice exercise).
BETA_REGRESSION = np.array([[1.50, 2.80, 3.10, 0.95]])
# Classification output, one row per class m: β_{m,0}, β_{m,1}..β_{m,3} (Table 11.14).
BETA_CLASSIFICATION = np.array(
    [
        [-0.50, 1.20, -0.60, 0.30],  # m = 1: Flop
        [0.80, -0.40, 1.10, 0.20],  # m = 2: Hit
    ]
)

# Where each node's parameters come from, for the walkthrough's tables.
SOURCES = {
    "layer1": ("Table 11.8", "chosen", "chosen", "chosen"),
    "layer2": ("Table 11.12", "chosen", "chosen"),
    "regression": ("Eq 11.28",),
    "classification": ("Table 11.14", "Table 11.14"),
}


def _layer(rows: np.ndarray, activation: str) -> Layer:
    """A Layer from the notes' row-per-node layout [bias, weights...]."""
    return Layer(weights=rows[:, 1:].T, bias=rows[:, 0], activation=activation)


def notes_network(task: str = "regression") -> Network:
    """The 5-4-3 ReLU network of §11.4 with a regression (1 linear) or classification head.

    Returns a Network with sizes (5, 4, 3, 1) or (5, 4, 3, 2); see the module docstring for
    which parameters are the notes' and which are chosen.
    """
    task = check_choice("task", task, TASKS)
    if task == "regression":
        head = _layer(BETA_REGRESSION, "linear")
    else:
        head = _layer(BETA_CLASSIFICATION, "softmax")
    return Network((_layer(LAYER1, "relu"), _layer(LAYER2, "relu"), head), task)


def notes_data(task: str = "regression") -> tuple[np.ndarray, np.ndarray]:
    """The 10-observation batch: X (10, 5) and y (10,) attendance or 0/1 class (Flop/Hit)."""
    task = check_choice("task", task, TASKS)
    y = Y_ATTENDANCE if task == "regression" else Y_CLASS
    return X_NOTES.copy(), y.copy()


# Intermediate values the notes print and then carry forward (3 decimals).
TABLE_11_11_Z = np.array([0.972, -0.305, 1.441, -0.088])  # layer 1 z, observation 1
TABLE_11_13_A2 = np.array([0.075, 1.230, 0.000])  # layer 2 A⁽²⁾, observation 1
# Given in the practice exercise (§11.4.9) for observation 2.
EXERCISE_A2 = np.array([0.000, 1.113, 0.000])  # A⁽²⁾_{m,2}
EXERCISE_Z2_22 = 0.934  # z⁽²⁾_{2,2}, printed as "active" (but ReLU(0.934) is not 1.113)
EXERCISE_A1_12 = 0.972  # A⁽¹⁾_{1,2}: observation 1's value; Table 11.8 gives 0 here
EXERCISE_W2_21 = -0.30  # w⁽²⁾_{2,1}: the value of w⁽²⁾_{1,1} in Table 11.12

# Every number the notes print in bold or in a table, by the walkthrough's quantity names.
_PRINTED_FORWARD_OBS1 = {
    "z_1,1": 0.972,  # §11.4.3.1
    "e^(-z_1,1)": 0.3786,  # Eq 11.26 line (exact: 0.3783)
    "A_1,1 (linear)": 0.972,  # Table 11.10
    "A_1,1 (sigmoid)": 0.725,
    "A_1,1 (ReLU)": 0.972,
    "sigmoid(-z_1,1)": 0.275,  # "had z = -0.972 ... sigmoid would output ≈ 0.275"
    **{f"z_{k},1": v for k, v in enumerate(TABLE_11_11_Z, start=1)},  # Table 11.11
    **{f"A⁽¹⁾_{k},1": max(v, 0.0) for k, v in enumerate(TABLE_11_11_Z, start=1)},
    "z⁽²⁾_1,1": 0.075,  # §11.4.3.3
    **{f"A⁽²⁾_{m},1": v for m, v in enumerate(TABLE_11_13_A2, start=1)},  # Table 11.13
}
_PRINTED = {
    ("regression", 1): {
        **_PRINTED_FORWARD_OBS1,
        "ŷ_1": 5.52,  # Eq 11.28
        "Loss_1": 0.168,  # Eq 11.29
        "δ_out": -0.58,  # §11.4.5.5.1
        "∂R_1/∂β_1": -0.0435,
        "∂R_1/∂β_2": -0.7134,
        "β_1 new": 2.8004,
        "β_2 new": 3.107,
        "∂R_1/∂w⁽²⁾_1,1": -1.578,  # §11.4.5.5.2
        "w⁽²⁾_1,1 new": -0.284,
    },
    ("classification", 1): {
        **_PRINTED_FORWARD_OBS1,
        "Z_1": -1.148,  # §11.4.4.5
        "Z_2": 2.123,
        "e^Z_1": 0.317,  # §11.4.4.6 (exact e^-1.148 = 0.3173)
        "e^Z_2": 8.357,  # (exact e^2.123 = 8.3562)
        "Σ e^Z": 8.674,
        "P̂(Flop)": 0.037,
        "P̂(Hit)": 0.963,
        "Loss_1": 0.038,  # Eq 11.33 (from the rounded 0.963)
        "δ_out,1": 0.037,  # Eq 11.44
        "δ_out,2": -0.037,
    },
    ("regression", 2): {
        "A⁽¹⁾_1,2": EXERCISE_A1_12,
        "z⁽²⁾_2,2": EXERCISE_Z2_22,
        **{f"A⁽²⁾_{m},2": v for m, v in enumerate(EXERCISE_A2, start=1)},
        "ŷ_2": 4.95,  # A1
        "Loss_2": 0.211,  # A2
        "δ_out": 0.65,
        "∂R_2/∂β_1": 0.0,  # C6
        "∂R_2/∂β_2": 0.723,  # A3 in the text; the notes' R check prints 0.724
        "∂R_2/∂β_3": 0.0,  # C6
        "∂R_2/∂w⁽²⁾_2,1": 1.959,  # B4
        "w⁽²⁾_2,1 new": -0.3196,  # B5
    },
    ("classification", 2): {
        "A⁽¹⁾_1,2": EXERCISE_A1_12,
        "z⁽²⁾_2,2": EXERCISE_Z2_22,
        **{f"A⁽²⁾_{m},2": v for m, v in enumerate(EXERCISE_A2, start=1)},
    },
}


def printed_values(task: str, observation: int) -> dict[str, float]:
    """The numbers the notes print for ``task`` and ``observation`` (1 or 2), by quantity."""
    return dict(_PRINTED[(task, observation)])
