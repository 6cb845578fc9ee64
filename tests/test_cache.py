"""The model cache heals: a damaged entry is reported, discarded and trained again;
entries appear whole or not at all, with concurrent writers and with writers killed
mid-way."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from _cache_worker import KEY, concurrent_writer, round_key, tiny_history, tiny_model
from nnlabs import cache as _cache
from nnlabs.cache import FILES, MANIFEST, ModelCache, cache_key
from nnlabs.errors import CacheWarning

WORKER = Path(__file__).with_name("_cache_worker.py")


@pytest.fixture(scope="module")
def model():
    return tiny_model()


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _delete(path: Path) -> None:
    path.unlink()


def test_an_entry_holds_its_files_and_a_manifest_of_their_checksums(tmp_path, model):
    cache = ModelCache(tmp_path)
    entry = cache.save(KEY, model, tiny_history())
    assert entry == tmp_path / "models" / KEY
    assert sorted(p.name for p in entry.iterdir()) == sorted([*FILES, MANIFEST])
    manifest = json.loads((entry / MANIFEST).read_text())
    assert manifest["key"] == KEY and set(manifest["files"]) == set(FILES)
    assert manifest["files"]["history.csv"]["bytes"] == (entry / "history.csv").stat().st_size
    assert cache.verify(KEY)[0] is None
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        loaded, history = cache.load(KEY)
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert list(history["loss"]) == [1.0, 0.5]
    assert [p.name for p in cache.models_dir.iterdir()] == [KEY]  # no temporary left
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's 0o700


@pytest.mark.parametrize("damage", [_truncate, _garble, _delete], ids=lambda f: f.__name__[1:])
@pytest.mark.parametrize("name", [*FILES, MANIFEST])
def test_a_damaged_file_is_reported_discarded_and_stored_anew(tmp_path, model, name, damage):
    cache = ModelCache(tmp_path)
    entry = cache.save(KEY, model, tiny_history())
    damage(entry / name)
    with pytest.warns(CacheWarning) as caught:
        assert cache.load(KEY) is None
    assert len(caught) == 1
    message = str(caught[0].message)
    assert str(entry) in message and name in message and "discarded" in message
    assert "\n" not in message
    assert list(cache.models_dir.iterdir()) == []  # gone, and nothing half-deleted left
    assert cache.load(KEY) is None  # now a plain miss, without a second warning
    cache.save(KEY, model, tiny_history())
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert cache.load(KEY) is not None


def test_an_entry_keras_cannot_load_is_discarded(tmp_path, model, monkeypatch):
    # Sound checksums but unloadable (e.g. written by an incompatible Keras).
    cache = ModelCache(tmp_path)
    entry = cache.save(KEY, model, tiny_history())
    import keras

    monkeypatch.setattr(
        keras.models, "load_model", lambda path: (_ for _ in ()).throw(ValueError("bad layer"))
    )
    with pytest.warns(CacheWarning, match=r"could not be loaded \(ValueError: bad layer\)"):
        assert cache.load(KEY) is None
    assert not entry.exists()


def test_a_file_in_place_of_an_entry_is_discarded(tmp_path):
    cache = ModelCache(tmp_path)
    cache.models_dir.mkdir(parents=True)
    (cache.models_dir / KEY).write_text("not a folder")
    with pytest.warns(CacheWarning, match="is not a folder"):
        assert cache.load(KEY) is None
    assert not (cache.models_dir / KEY).exists()


def test_saving_onto_a_damaged_entry_replaces_it(tmp_path, model):
    cache = ModelCache(tmp_path)
    entry = cache.save(KEY, model, tiny_history())
    _truncate(entry / "model.keras")
    with pytest.warns(CacheWarning, match="truncated or altered model.keras"):
        assert cache.save(KEY, model, tiny_history()) == entry
    assert cache.verify(KEY)[0] is None
    assert sorted(p.name for p in cache.models_dir.iterdir()) == [KEY]


def test_a_sound_entry_is_kept_when_saved_again(tmp_path, model):
    cache = ModelCache(tmp_path)
    entry = cache.save(KEY, model, tiny_history())
    before = (entry / MANIFEST).read_bytes(), os.stat(entry).st_ino
    assert cache.save(KEY, model, tiny_history(epochs=3)) == entry
    assert ((entry / MANIFEST).read_bytes(), os.stat(entry).st_ino) == before


def test_an_unwritable_cache_folder_warns_and_stores_nothing(read_only_dir, model):
    with pytest.warns(CacheWarning, match=f"cannot write to {read_only_dir}"):
        assert ModelCache(read_only_dir / "c").save(KEY, model, tiny_history()) is None
    assert list(read_only_dir.iterdir()) == []


def test_a_cache_folder_under_a_file_warns_and_stores_nothing(tmp_path, model):
    (tmp_path / "file").write_text("x")
    with pytest.warns(CacheWarning, match="cannot write to .*file.*models"):
        assert ModelCache(tmp_path / "file").save(KEY, model, tiny_history()) is None
    assert ModelCache(tmp_path / "file").load(KEY) is None


def test_the_key_covers_the_backend_library_version(monkeypatch):
    import keras

    args = {"arrays": [np.arange(3.0)], "settings": {"epochs": 2}, "tag": "t"}
    before = cache_key(**args)
    assert cache_key(**args) == before
    library = sys.modules[_cache._BACKEND_MODULES[keras.backend.backend()]]
    assert _cache.backend_version(keras.backend.backend()) == library.__version__
    monkeypatch.setattr(library, "__version__", "0.0.0+other", raising=False)
    assert cache_key(**args) != before


def test_fit_network_retrains_when_its_entry_is_damaged(tmp_path):
    from nnlabs.labs.runner import fit_network
    from nnlabs.labs.spec import LabSettings
    from nnlabs.models.estimators import NetworkRegressor

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)), rng.normal(size=32)
    cache = ModelCache(tmp_path)

    def fit():
        est = NetworkRegressor(lambda n: tiny_model(fitted=False), epochs=2, seed=1)
        return fit_network(
            est, x, y, validation_data=None, cache=cache, settings=LabSettings(epochs=2), tag="t"
        )

    first = fit()
    assert first.cache_hit_ is False
    (entry,) = cache.models_dir.iterdir()
    _truncate(entry / "model.keras")  # used to end in a traceback ("File not found")
    with pytest.warns(CacheWarning, match="model.keras"):
        again = fit()
    assert again.cache_hit_ is False
    np.testing.assert_array_equal(again.predict(x), first.predict(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        third = fit()
    assert third.cache_hit_ is True
    np.testing.assert_array_equal(third.predict(x), first.predict(x))


@pytest.fixture(scope="module")
def payload(model, tmp_path_factory) -> Path:
    """The bytes of a real .keras file, for children that do not import Keras."""
    path = tmp_path_factory.mktemp("payload") / "tiny.keras"
    model.save(path)
    return path


def _assert_loads(cache: ModelCache, key: str, model) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        loaded, _ = cache.load(key)
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_concurrent_writers_of_the_same_keys_leave_sound_entries(tmp_path, model, payload):
    ctx = multiprocessing.get_context("spawn")
    workers, rounds = 4, 5
    barrier = ctx.Barrier(workers)
    root = tmp_path / "cache"
    data = payload.read_bytes()
    procs = [
        ctx.Process(
            target=concurrent_writer,
            args=(str(root), i, rounds, barrier, data, str(tmp_path / f"w{i}.json")),
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    reports = [json.loads((tmp_path / f"w{i}.json").read_text()) for i in range(workers)]
    for report in reports:
        assert report["errors"] == [] and report["warnings"] == []
        assert report["saved"] == report["sound"] == rounds
    cache = ModelCache(root)
    keys = [round_key(r) for r in range(rounds)]
    # One entry per key, and no temporary or trash folder left behind.
    assert sorted(p.name for p in cache.models_dir.iterdir()) == keys
    for key in keys:
        _assert_loads(cache, key, model)


STAGES = ("training", "model", "manifest", "publish", "replace")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_process_killed_mid_way_leaves_nothing_trusted(tmp_path, model, payload):
    roots = {stage: tmp_path / stage for stage in STAGES}
    ModelCache(roots["replace"]).save(KEY, model, tiny_history())
    _truncate(roots["replace"] / "models" / KEY / "model.keras")
    children = {}
    for stage, root in roots.items():
        marker = tmp_path / f"{stage}.ready"
        cmd = [sys.executable, str(WORKER), stage, str(root), str(marker), str(payload)]
        children[stage] = (subprocess.Popen(cmd), marker)
    try:
        deadline = time.monotonic() + 300
        for stage, (child, marker) in children.items():
            while not marker.exists():
                assert child.poll() is None, f"{stage}: the child ended early"
                assert time.monotonic() < deadline, f"{stage}: the child never got there"
                time.sleep(0.05)
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        for child, _ in children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
    for stage, root in roots.items():
        cache = ModelCache(root)
        leftovers = sorted(cache.models_dir.iterdir()) if cache.models_dir.exists() else []
        assert [p for p in leftovers if not p.name.startswith(".")] == [], stage
        with warnings.catch_warnings():
            warnings.simplefilter("error", CacheWarning)
            assert cache.load(KEY) is None, stage  # nothing published, nothing to warn about
        if stage != "training":
            assert leftovers, stage  # the killed writer's temporary (and trash) folder
        assert sorted(cache.sweep(max_age=0)) == leftovers, stage
        assert not cache.models_dir.exists() or list(cache.models_dir.iterdir()) == []
        cache.save(KEY, model, tiny_history())
        _assert_loads(cache, KEY, model)
