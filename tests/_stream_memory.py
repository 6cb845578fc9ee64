"""Child process for tests/test_stream.py: peak memory of one epoch, streamed or in memory.

``python tests/_stream_memory.py MODE SHUFFLE_ROWS WARM PATH...`` warms up on the small
file ``WARM``, then trains a tiny network for one epoch on the trips of ``PATH...``,
either from a ``TripStream`` with a buffer of ``SHUFFLE_ROWS`` rows (``stream``) or
from arrays read with ``read_trips`` (``memory``),
and prints one JSON line: the peak resident set (``VmHWM``, reset when training starts)
above what the process held then, after a first fit had warmed up Keras and pyarrow
(``above_start_mib``), and the rows trained on.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The benchmarks' /proc readers (ru_maxrss cannot serve: Linux carries it over from the
# parent across exec, so a child of a large pytest process reports the parent's peak).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import proc_status_mib, reset_peak


def peak_mib() -> float:
    """This process's peak resident set since the last ``reset_peak``, MiB."""
    return proc_status_mib("VmHWM")


def build(n_inputs: int):
    """A compiled 8-unit network with MAE loss."""
    import keras

    model = keras.Sequential(
        [keras.Input((n_inputs,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mae")
    return model


def main(mode: str, shuffle_rows: int, warm_path: str, paths: list[str]) -> dict:
    import numpy as np

    from nnlabs.data.stream import TripStream
    from nnlabs.data.taxi import read_trips
    from nnlabs.models.estimators import NetworkRegressor

    # Warm up on a small file: Keras, the backend, the compiled training step and
    # pyarrow's scan allocate what they need once. The measured fit trains the same
    # model further, so its compilation does not count against the data.
    model = build(7)
    warm = NetworkRegressor(lambda n: model, epochs=1, batch_size=4096)
    warm.fit(np.zeros((8192, 7), np.float32), np.zeros(8192))
    warm.fit_stream(TripStream([warm_path], batch_size=4096, scan_rows=8192).fit())
    start = reset_peak()
    net = NetworkRegressor(lambda n: model, epochs=1, batch_size=4096)
    if mode == "stream":
        stream = TripStream(paths, batch_size=4096, shuffle_rows=shuffle_rows, scan_rows=8192)
        net.fit_stream(stream.fit())
        rows = stream.n_rows_
    else:
        frames = [read_trips(p) for p in paths]
        x = np.concatenate([f.iloc[:, 1:].to_numpy(np.float64) for f in frames])
        y = np.concatenate([f["fare_amount"].to_numpy(np.float64) for f in frames])
        del frames
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        net.fit(x, y)
        rows = len(y)
    return {"mode": mode, "rows": int(rows), "above_start_mib": peak_mib() - start}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:])))
