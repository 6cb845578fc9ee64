"""The training-history plot (train vs validation metric by epoch), written as PNG."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nnlabs.io import atomic_path


def plot_history(history: pd.DataFrame, metric: str, path: str | Path, *, title: str) -> Path:
    """Plot ``metric`` and ``val_<metric>`` against ``epoch`` and save a PNG at ``path``.

    Unlike R's ``plot.keras_training_history`` the x-axis ends at the last epoch run,
    so an early stop is not mistaken for a plateau.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    try:
        for column, label in ((metric, "training"), (f"val_{metric}", "validation")):
            if column in history:
                ax.plot(history["epoch"], history[column], label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return Path(path)
