"""The §11.4 walkthrough as tables (pandas) and as printable text, in the notes' order.

Step tables have the columns ``quantity``, ``formula``, ``exact`` (full precision, from the
network), ``notes_arithmetic`` (the same step redone from the rounded values the notes carry
forward) and ``notes_print`` (the number the notes print); the last two are NaN where the
notes do not compute or print that quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnlabs.validation import check_choice, check_int
from nnlabs.worked_example import _notes_values as nv
from nnlabs.worked_example._activations import sigmoid
from nnlabs.worked_example._backward import backward_matrix, gradient_descent_step, with_ones
from nnlabs.worked_example._chain_rule import (
    ChainRuleTerm,
    chain_rule_gradients,
    layer1_weight_term,
    layer2_weight_term,
    output_weight_term,
)
from nnlabs.worked_example._network import TASKS, ForwardTrace, Network, forward, total_loss
from nnlabs.worked_example._notes_arithmetic import notes_arithmetic

if TYPE_CHECKING:
    import pandas as pd

OBSERVATIONS = (1, 2)
STEP_COLUMNS = ["quantity", "formula", "exact", "notes_arithmetic", "notes_print"]
CHAIN_COLUMNS = ["parameter", "equation", "factor", "symbol", *STEP_COLUMNS[2:]]


@dataclass(frozen=True, eq=False)
class _Context:
    """Everything one walkthrough needs: the network, the batch and observation i."""

    task: str
    i: int  # 1-based, as in the notes
    network: Network
    X: np.ndarray
    y: np.ndarray
    trace: ForwardTrace
    notes: dict[str, float]
    printed: dict[str, float]

    @property
    def row(self) -> int:
        return self.i - 1


def _context(task: str, observation: int) -> _Context:
    task = check_choice("task", task, TASKS)
    i = check_choice("observation", check_int("observation", observation), OBSERVATIONS)
    network = nv.notes_network(task)
    X, y = nv.notes_data(task)
    notes = notes_arithmetic(task, i)
    printed = nv.printed_values(task, i)
    return _Context(task, i, network, X, y, forward(network, X), notes, printed)


def _data_frame(records: list, columns: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame from row records; pandas is imported here so the package loads fast."""
    import pandas as pd

    return pd.DataFrame.from_records(records, columns=columns)


def _frame(ctx: _Context, rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """A step table from (quantity, formula, exact) rows, notes' columns looked up."""
    records = [
        (q, f, float(v), ctx.notes.get(q, np.nan), ctx.printed.get(q, np.nan)) for q, f, v in rows
    ]
    return _data_frame(records, columns=STEP_COLUMNS)


def _parameters_table(ctx: _Context) -> pd.DataFrame:
    p, k1, k2, out = ctx.network.sizes
    counts = ctx.network.parameter_counts
    records = [
        ("Hidden Layer 1", f"K₁ × (p + 1) = {k1} × {p + 1}", counts[0], 24),
        ("Hidden Layer 2", f"K₂ × (K₁ + 1) = {k2} × {k1 + 1}", counts[1], 15),
        ("Output layer", f"{out} × (K₂ + 1) = {out} × {k2 + 1}", counts[2], 4 if out == 1 else 8),
        # Table 11.20 prints 61 for "this worked example".
        ("Total", "sum of the above", ctx.network.n_parameters, 61),
    ]
    return _data_frame(records, columns=["layer", "formula", "parameters", "notes"])


def _weights_table(ctx: _Context) -> pd.DataFrame:
    records = []
    groups = [("Hidden Layer 1", "layer1", "k"), ("Hidden Layer 2", "layer2", "m")]
    groups.append(("Output layer", ctx.task, "m"))
    for (name, key, letter), layer in zip(groups, ctx.network.layers, strict=True):
        for node in range(layer.units):
            weights = dict(enumerate(layer.weights[:, node], start=1))
            row = {"layer": name, "node": f"{letter}={node + 1}", "source": nv.SOURCES[key][node]}
            row["bias"] = layer.bias[node]
            row.update({f"w_{j}": w for j, w in weights.items()})
            records.append(row)
    return _data_frame(records)


def _inputs_table(ctx: _Context) -> pd.DataFrame:
    x = ctx.X[ctx.row]
    rows = [(f"X_{j}", f"input {j}", v) for j, v in enumerate(x, start=1)]
    target = ctx.y[ctx.row]
    label = "attendance (millions)"
    if ctx.task == "classification":
        label = f"{nv.CLASS_NAMES[int(target)]} (class m = {int(target) + 1}; 0-based {target})"
    rows.append((f"y_{ctx.i}", label, target))
    return _frame(ctx, rows)


def _pre_activation_table(ctx: _Context) -> pd.DataFrame:
    i, layer = ctx.i, ctx.network.layers[0]
    x = ctx.X[ctx.row]
    rows = [("w_1,0", "bias", layer.bias[0])]
    for j, (w, xj) in enumerate(zip(layer.weights[:, 0], x, strict=True), start=1):
        rows.append((f"w_1,{j}·X_{j}", f"({w:g})({xj:g})", w * xj))
    rows.append((f"z_1,{i}", "Eq 11.23: sum of the above", ctx.trace.Z[0][ctx.row, 0]))
    return _frame(ctx, rows)


def _activation_options_table(ctx: _Context) -> pd.DataFrame:
    i, z = ctx.i, float(ctx.trace.Z[0][ctx.row, 0])
    s = float(sigmoid(z))
    rows = [
        (f"A_1,{i} (linear)", "g(z) = z (Eq 11.25)", z),
        (f"e^(-z_1,{i})", "for the sigmoid", np.exp(-z)),
        (f"A_1,{i} (sigmoid)", "g(z) = 1/(1 + e^(-z)) (Eq 11.26)", s),
        (f"A_1,{i} (ReLU)", "g(z) = max(0, z) (Eq 11.27)", max(z, 0.0)),
        (f"sigmoid(-z_1,{i})", "1/(1 + e^(z))", float(sigmoid(-z))),
        (f"g'(z_1,{i}) (linear)", "1", 1.0),
        (f"g'(z_1,{i}) (sigmoid)", "g(z)(1 - g(z))", s * (1 - s)),
        (f"g'(z_1,{i}) (ReLU)", "1[z > 0]", float(z > 0)),
    ]
    return _frame(ctx, rows)


def _layer_table(ctx: _Context, layer: int) -> pd.DataFrame:
    i, sup = ctx.i, "" if layer == 0 else "⁽²⁾"
    letter = "k" if layer == 0 else "m"
    rows = []
    z_row, a_row = ctx.trace.Z[layer][ctx.row], ctx.trace.A[layer][ctx.row]
    for node, (z, a) in enumerate(zip(z_row, a_row, strict=True)):
        rows.append((f"z{sup}_{node + 1},{i}", f"{letter} = {node + 1}", z))
        rows.append((f"A{'⁽¹⁾' if layer == 0 else sup}_{node + 1},{i}", "ReLU(z)", a))
    return _frame(ctx, rows)


def _layer2_node1_table(ctx: _Context) -> pd.DataFrame:
    layer, a1 = ctx.network.layers[1], ctx.trace.A[0][ctx.row]
    rows = [("w⁽²⁾_1,0", "bias", layer.bias[0])]
    for k, (w, a) in enumerate(zip(layer.weights[:, 0], a1, strict=True), start=1):
        rows.append((f"w⁽²⁾_1,{k}·A⁽¹⁾_{k}", f"({w:g})({a:.4g})", w * a))
    rows.append((f"z⁽²⁾_1,{ctx.i}", "sum of the above", ctx.trace.Z[1][ctx.row, 0]))
    return _frame(ctx, rows)


def _output_table(ctx: _Context) -> pd.DataFrame:
    i, head = ctx.i, ctx.network.layers[2]
    a2, target = ctx.trace.A[1][ctx.row], ctx.y[ctx.row]
    if ctx.task == "regression":
        y_hat = float(ctx.trace.output[ctx.row, 0])
        rows = [("β_0", "bias", head.bias[0])]
        rows += [
            (f"β_{k}·A⁽²⁾_{k}", f"({b:g})({a:.4g})", b * a)
            for k, (b, a) in enumerate(zip(head.weights[:, 0], a2, strict=True), start=1)
        ]
        rows += [
            (f"ŷ_{i}", "Eq 11.28", y_hat),
            (f"y_{i}", "observed", target),
            (f"Loss_{i}", "½(y_i - ŷ_i)² (Eq 11.29)", 0.5 * (target - y_hat) ** 2),
            ("δ_out", "-(y_i - ŷ_i) (Eq 11.37)", -(target - y_hat)),
        ]
        return _frame(ctx, rows)
    scores, p = ctx.trace.Z[2][ctx.row], ctx.trace.output[ctx.row]
    rows = [(f"Z_{m}", f"{nv.CLASS_NAMES[m - 1]} (Eq 11.31)", scores[m - 1]) for m in (1, 2)]
    rows += [(f"e^Z_{m}", "", np.exp(scores[m - 1])) for m in (1, 2)]
    rows += [
        ("Σ e^Z", "", np.exp(scores).sum()),
        ("P̂(Flop)", "softmax (Eq 11.32)", p[0]),
        ("P̂(Hit)", "softmax (Eq 11.32)", p[1]),
        (f"Loss_{i}", f"-log P̂({nv.CLASS_NAMES[int(target)]}) (Eq 11.33)", -np.log(p[int(target)])),
    ]
    rows += [
        (f"δ_out,{m}", f"P̂({m}) - 1[y_i = {m}] (Eq 11.44)", p[m - 1] - float(target == m - 1))
        for m in (1, 2)
    ]
    return _frame(ctx, rows)


def _term_specs(ctx: _Context) -> list[tuple[str, int, int]]:
    """Which parameters the walkthrough differentiates: (kind, index_a, index_b), 1-based."""
    if ctx.task == "classification":
        outputs = [("output", k, m) for k in (1, 2) for m in (1, 2)]
        return [*outputs, ("layer2", 1, 1), ("layer1", 1, 1)]
    # Observation 1 follows §11.4.5.5; observation 2 the practice exercise (w⁽²⁾_2,1).
    hidden = ("layer2", 1, 1) if ctx.i == 1 else ("layer2", 2, 1)
    return [("output", 1, 1), ("output", 2, 1), ("output", 3, 1), hidden, ("layer1", 1, 1)]


def _term(ctx: _Context, spec: tuple[str, int, int]) -> tuple[ChainRuleTerm, float]:
    """The chain-rule term for ``spec`` at observation i, and the parameter's current value."""
    kind, a, b = spec
    net, X, y, i = ctx.network, ctx.X, ctx.y, ctx.i
    if kind == "output":
        return output_weight_term(net, X, y, i, a, b), float(net.layers[2].weights[a - 1, b - 1])
    if kind == "layer2":
        return layer2_weight_term(net, X, y, i, a, b), float(net.layers[1].weights[b - 1, a - 1])
    return layer1_weight_term(net, X, y, i, a, b), float(net.layers[0].weights[b - 1, a - 1])


def _chain_rule_table(ctx: _Context) -> pd.DataFrame:
    records = []
    for spec in _term_specs(ctx):
        term, _ = _term(ctx, spec)
        head = (term.parameter, term.equation)
        records += [(*head, f.label, f.symbol, f.value, np.nan, np.nan) for f in term.factors]
        total = f"∂R_{ctx.i}/∂{term.parameter}"
        notes = (ctx.notes.get(total, np.nan), ctx.printed.get(total, np.nan))
        records.append((*head, total, "product", term.value, *notes))
    return _data_frame(records, columns=CHAIN_COLUMNS)


def _updates_table(ctx: _Context) -> pd.DataFrame:
    eta, rows = nv.LEARNING_RATE, []
    for spec in _term_specs(ctx):
        term, old = _term(ctx, spec)
        formula = f"{old:g} - {eta:g} × ({term.value + 0.0:.4g})"
        rows.append((f"{term.parameter} new", formula, old - eta * term.value))
    return _frame(ctx, rows)


_TABLE_11_19_NOTES = (
    "(10 × 6)(6 × 4) → 10 × 4", "10 × 4", "(10 × 5)(5 × 3) → 10 × 3", "10 × 3",
    "(10 × 4)(4 × 1) → 10 × 1", "10 × 1", "(3 × 10)(10 × 1) → 3 × 1", "10 × 3",
    "(5 × 10)(10 × 3) → 5 × 3", "10 × 4", "(6 × 10)(10 × 4) → 6 × 4",
)  # fmt: skip


def _dims(*shapes: tuple[int, ...]) -> str:
    """'(a × b)(c × d) → e × f' from operand shapes and the result's shape (last)."""
    text = [f"{r} × {c}" for r, c in shapes]
    if len(text) == 1:
        return text[0]
    return "".join(f"({t})" for t in text[:-1]) + f" → {text[-1]}"


def _matrix_table(ctx: _Context) -> pd.DataFrame:
    """Table 11.19 over the whole batch, with the bias rows made explicit."""
    back = backward_matrix(ctx.network, ctx.X, ctx.y)
    tr, (d1, d2, d_out) = back.trace, back.deltas
    w1, w2, w_out = (layer.stacked() for layer in ctx.network.layers)
    x_t, a1_t, a2_t = with_ones(tr.inputs), with_ones(tr.A[0]), with_ones(tr.A[1])
    g = back.gradients
    out = "ŷ = Ã⁽²⁾β" if ctx.task == "regression" else "P̂ = softmax(Ã⁽²⁾B)"
    rows = [
        ("Forward: L1 pre-activation", "Z⁽¹⁾ = X̃W̃⁽¹⁾", (x_t.shape, w1.shape, tr.Z[0].shape), ""),
        ("Forward: L1 activation", "A⁽¹⁾ = g(Z⁽¹⁾)", (tr.A[0].shape,), ""),
        ("Forward: L2 pre-activation", "Z⁽²⁾ = Ã⁽¹⁾W̃⁽²⁾", (a1_t.shape, w2.shape, tr.Z[1].shape),
         ""),
        ("Forward: L2 activation", "A⁽²⁾ = g(Z⁽²⁾)", (tr.A[1].shape,), ""),
        ("Forward: prediction", out, (a2_t.shape, w_out.shape, tr.output.shape), ""),
        ("Output error", "δ_out", (d_out.shape,), ""),
        ("Backward: output gradient", "(Ã⁽²⁾)ᵀδ_out", (a2_t.T.shape, d_out.shape,
         g.stacked(2).shape), "Ã⁽²⁾ has the 1s column: the top row is ∂R/∂β_0"),
        ("Backward: L2 delta", "δ_out(β[1:])ᵀ ⊙ g'(Z⁽²⁾)", (d_out.shape, w_out[1:].T.shape,
         d2.shape), "bias row of β dropped"),
        ("Backward: L2 gradient", "(Ã⁽¹⁾)ᵀΔ⁽²⁾", (a1_t.T.shape, d2.shape, g.stacked(1).shape), ""),
        ("Backward: L1 delta", "Δ⁽²⁾(W̃⁽²⁾[1:])ᵀ ⊙ g'(Z⁽¹⁾)", (d2.shape, w2[1:].T.shape,
         d1.shape), "bias row of W̃⁽²⁾ dropped"),
        ("Backward: L1 gradient", "X̃ᵀΔ⁽¹⁾", (x_t.T.shape, d1.shape, g.stacked(0).shape), ""),
    ]  # fmt: skip
    records = [
        (op, form, _dims(*shapes), shapes[-1], notes, bias)
        for (op, form, shapes, bias), notes in zip(rows, _TABLE_11_19_NOTES, strict=True)
    ]
    columns = ["operation", "matrix_form", "dimensions", "result_shape", "notes_dimensions",
               "bias_rows"]  # fmt: skip
    return _data_frame(records, columns=columns)


def _batch_table(ctx: _Context) -> pd.DataFrame:
    back = backward_matrix(ctx.network, ctx.X, ctx.y)
    scalar = chain_rule_gradients(ctx.network, ctx.X, ctx.y)
    updated = gradient_descent_step(ctx.network, back.gradients, nv.LEARNING_RATE)
    loss = "Eq 11.30" if ctx.task == "regression" else "Eq 11.34"
    gap = np.abs(back.gradients.vector() - scalar.vector()).max()
    rows = [
        ("R(θ) before", f"{loss}, n = {ctx.X.shape[0]}", total_loss(ctx.network, ctx.X, ctx.y)),
        ("‖∇R‖", "matrix form", np.linalg.norm(back.gradients.vector())),
        ("max |matrix - chain rule|", "both backward passes", gap),
        ("R(θ) after one update", f"Eq 11.52, η = {nv.LEARNING_RATE:g}",
         total_loss(updated, ctx.X, ctx.y)),
    ]  # fmt: skip
    return _frame(ctx, rows)


def walkthrough_tables(task: str = "regression", observation: int = 1) -> dict[str, pd.DataFrame]:
    """The walkthrough's tables for ``task`` and ``observation`` (1, or 2 = the exercise).

    Keys in the notes' order: parameters, weights, inputs, pre_activation,
    activation_options, layer1, layer2_node1, layer2, output, chain_rule, updates,
    matrix_form (Table 11.19 over the 10-observation batch) and batch (one update of all
    parameters at once).
    """
    ctx = _context(task, observation)
    return {
        "parameters": _parameters_table(ctx),
        "weights": _weights_table(ctx),
        "inputs": _inputs_table(ctx),
        "pre_activation": _pre_activation_table(ctx),
        "activation_options": _activation_options_table(ctx),
        "layer1": _layer_table(ctx, 0),
        "layer2_node1": _layer2_node1_table(ctx),
        "layer2": _layer_table(ctx, 1),
        "output": _output_table(ctx),
        "chain_rule": _chain_rule_table(ctx),
        "updates": _updates_table(ctx),
        "matrix_form": _matrix_table(ctx),
        "batch": _batch_table(ctx),
    }


_TITLES = {
    "parameters": "Step 1. Parameters to initialise (§11.4.2)",
    "weights": "Step 1. Initial weights and biases (notes' tables; 'chosen' rows are ours)",
    "inputs": "Step 2. Inputs for observation i = {i} (Table 11.9 / §11.4.9)",
    "pre_activation": "Step 2.1. Pre-activation of Layer 1 node k = 1 (Eq 11.23)",
    "activation_options": "Step 2.2. Activation functions at z_1,{i} (Table 11.10)",
    "layer1": "Step 2.3. Hidden Layer 1, ReLU (Table 11.11)",
    "layer2_node1": "Step 2.3. Layer 2 node m = 1 (Table 11.12 weights)",
    "layer2": "Step 2.3. Hidden Layer 2, ReLU (Table 11.13)",
    "output": "Step 3. Output layer and loss",
    "chain_rule": "Step 4. Backpropagation, one chain-rule factor per row (Eq 11.39, 11.42, 11.43)",
    "updates": "Step 4. Updates θ - η ∂R_{i}/∂θ with η = 0.01 (Eq 11.35)",
    "matrix_form": "§11.4.6. Matrix form over the n = 10 batch (Table 11.19)",
    "batch": "§11.4.6. One simultaneous update of every parameter (Eq 11.52)",
}


def _format_table(frame: pd.DataFrame) -> str:
    shown = frame.dropna(axis="columns", how="all")
    # +0.0 turns -0.0 into 0.0; 6 significant digits show the notes' rounding next to ours.
    return shown.to_string(index=False, na_rep="", float_format=lambda v: f"{v + 0.0:.6g}")


def main_walkthrough(task: str = "regression", observation: int = 1) -> str:
    """The text ``nnlabs worked-example --task TASK --observation I`` prints.

    ``task`` is ``"regression"`` or ``"classification"``; ``observation`` is 1 (the worked
    example) or 2 (the practice exercise). Returns the step tables in the notes' order.
    """
    tables = walkthrough_tables(task, observation)
    i = int(observation)
    head = [
        f"Worked example (§11.4): {task}, observation i = {i}",
        "Network 5-4-3 with ReLU hidden layers and a "
        + (
            "linear output (regression)." if task == "regression" else "softmax output (Flop, Hit)."
        ),
        "exact = full precision; notes_arithmetic = the notes' step from their rounded values;",
        "notes_print = the number printed in the notes.",
    ]
    if i == 2:
        head.append(
            "Practice exercise (§11.4.9): it uses A⁽¹⁾_1,2 = 0.972, but Table 11.8 gives "
            "z_1,2 = -0.225, so A⁽¹⁾_1,2 = 0"
            + (" and ∂R_2/∂w⁽²⁾_2,1 = 0." if task == "regression" else ".")
        )
    parts = ["\n".join(head)]
    for key, frame in tables.items():
        parts.append(f"{_TITLES[key].format(i=i)}\n{_format_table(frame)}")
    return "\n\n".join(parts) + "\n"
