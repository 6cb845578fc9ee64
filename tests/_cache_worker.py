"""Child processes for tests/test_cache.py: concurrent writers and processes killed mid-way.

The children store a real ``.keras`` file made by the parent (``StoredModel`` writes its
bytes, slowly, to widen every race window), so that most of them need not import Keras
and TensorFlow; the parent loads what they stored with Keras. Run as a script
(``python tests/_cache_worker.py STAGE ROOT MARKER PAYLOAD``) for the SIGKILL tests, or
through ``multiprocessing`` (``concurrent_writer``) for the concurrency test.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

KEY = "0123456789abcdef0123456789abcdef"


def tiny_model(seed: int = 0, *, fitted: bool = True):
    """A compiled 3-input, 1-output dense network (11 parameters), fitted for one epoch."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    if fitted:
        model.fit(np.ones((4, 3), "float32"), np.ones(4, "float32"), epochs=1, verbose=0)
    return model


def tiny_history(epochs: int = 2):
    import pandas as pd

    return pd.DataFrame({"loss": [1.0 / (e + 1) for e in range(epochs)]})


class StoredModel:
    """Stands in for a ``keras.Model``: ``save(path)`` writes ``payload`` in slow chunks."""

    def __init__(self, payload: bytes, chunks: int = 8, pause: float = 0.005) -> None:
        self.payload, self.chunks, self.pause = payload, chunks, pause

    def save(self, path) -> None:
        step = -(-len(self.payload) // self.chunks)
        with open(path, "wb") as fh:
            for start in range(0, len(self.payload), step):
                fh.write(self.payload[start : start + step])
                fh.flush()
                time.sleep(self.pause)


def round_key(r: int) -> str:
    return f"{KEY[:-3]}{r:03d}"


def concurrent_writer(root: str, worker: int, rounds: int, barrier, payload: bytes, out: str):
    """In lock-step with the other workers: watch, then store and check, the same keys.

    Records (in the JSON file ``out``) every exception, every CacheWarning, and every time
    the entry was seen in any state but absent or sound.
    """
    from nnlabs.cache import _MISSING, ModelCache
    from nnlabs.errors import CacheWarning

    cache = ModelCache(root)
    model = StoredModel(payload)
    report = {"worker": worker, "saved": 0, "sound": 0, "errors": [], "warnings": []}
    for r in range(rounds):
        key = round_key(r)
        barrier.wait(timeout=120)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # Worker 0 watches while the others write, then writes too.
                for _ in range(40 if worker == 0 else 0):
                    problem = cache.verify(key)[0]
                    if problem not in (None, _MISSING):
                        report["errors"].append(f"round {r}: entry seen while it {problem}")
                    time.sleep(0.002)
                if cache.save(key, model, tiny_history()) is not None:
                    report["saved"] += 1
                problem = cache.verify(key)[0]
            report["warnings"] += [
                str(w.message) for w in caught if issubclass(w.category, CacheWarning)
            ]
            stored = (cache.models_dir / key / "model.keras").read_bytes()
            if problem is not None or stored != payload:
                report["errors"].append(f"round {r}: after save the entry {problem}")
            else:
                report["sound"] += 1
        except Exception as exc:
            report["errors"].append(f"round {r}: {type(exc).__name__}: {exc}")
    Path(out).write_text(json.dumps(report), encoding="utf-8")


def _hang(marker: Path) -> None:
    """Tell the parent we reached the point where it should kill us, then wait for it."""
    marker.write_text("ready", encoding="utf-8")
    time.sleep(600)


def killed_child(stage: str, root: str, marker: str, payload: str) -> None:
    """Start storing (or training) a network and stop dead at ``stage`` until SIGKILLed.

    Stages: ``training`` (a real Keras fit through the labs' ``fit_network``, before
    anything is stored), ``model`` (model.keras half written), ``manifest`` (the data
    files complete, the manifest not yet written), ``publish`` (the manifest written, the
    folder not yet renamed onto the entry), ``replace`` (a damaged entry renamed aside,
    the new one not yet renamed in).
    """
    from nnlabs import cache as _cache

    mark = Path(marker)
    cache = _cache.ModelCache(root)
    model = StoredModel(Path(payload).read_bytes())
    if stage == "training":
        import keras
        import numpy as np

        from nnlabs.labs.runner import fit_network
        from nnlabs.labs.spec import LabSettings
        from nnlabs.models.estimators import NetworkRegressor

        class Hang(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                _hang(mark)

        est = NetworkRegressor(
            lambda n: tiny_model(fitted=False), epochs=5, callbacks=lambda: [Hang()]
        )
        x, y = np.ones((8, 3)), np.ones(8)
        fit_network(
            est, x, y, validation_data=None, cache=cache, settings=LabSettings(epochs=5), tag="t"
        )
        return
    if stage == "model":
        real_save = model.save

        def half_save(path):
            real_save(path)
            Path(path).write_bytes(model.payload[: len(model.payload) // 2])
            _hang(mark)

        model.save = half_save
    elif stage == "manifest":
        _cache.ModelCache._write_manifest = staticmethod(lambda folder, key: _hang(mark))
    elif stage == "publish":
        cache._publish = lambda key, tmp: _hang(mark)
    elif stage == "replace":
        real_rename = os.rename

        def rename(src, dst):
            real_rename(src, dst)
            if str(dst).endswith(".trash"):
                _hang(mark)

        _cache.os.rename = rename
    else:
        raise SystemExit(f"unknown stage {stage!r}")
    cache.save(KEY, model, tiny_history())


if __name__ == "__main__":
    killed_child(*sys.argv[1:5])
