"""TensorFlow's start-up noise is hidden unless NNLABS_VERBOSE asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from nnlabs import _backend
from nnlabs.errors import ParameterError

NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795969572.683096   11575 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.",
    "E0000 00:00:1795969591.884002   11575 node_def_util.cc:682] NodeDef mentions attribute "
    "use_unbounded_threadpool which is not in the op definition",
    "W0000 00:00:1700000000.000001 42 cpu_feature_guard.cc:210] oneDNN custom operations are on.",
]


@pytest.mark.parametrize("line", NOISE)
def test_native_log_lines_are_noise(line):
    assert _backend.is_noise(line + "\n")


@pytest.mark.parametrize(
    "line",
    [
        "WARNING:tensorflow:5 out of the last 5 calls triggered tf.function retracing.",
        "UserWarning: something the user should see",
        "Traceback (most recent call last):",
        "Table 11.32: test-set MAE",
    ],
)
def test_other_lines_are_not_noise(line):
    assert not _backend.is_noise(line)


def test_the_filter_drops_native_lines_and_keeps_the_rest(capfd):
    with _backend.native_stderr_filtered():
        os.write(2, ("\n".join(NOISE) + "\nkept: a real message\n").encode())
    err = capfd.readouterr().err
    assert err == "kept: a real message\n"


def test_the_filter_restores_stderr_after_an_error(capfd):
    with pytest.raises(RuntimeError), _backend.native_stderr_filtered():
        os.write(2, (NOISE[1] + "\nbefore the error\n").encode())
        raise RuntimeError("boom")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "before the error\nafter\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), ("on", True), ("", False), ("0", False), ("no", False)],
)
def test_verbose_reads_nnlabs_verbose(monkeypatch, value, expected):
    monkeypatch.setenv("NNLABS_VERBOSE", value)
    assert _backend.verbose() is expected


def test_a_bad_nnlabs_verbose_names_the_variable_and_value(monkeypatch):
    monkeypatch.setenv("NNLABS_VERBOSE", "loud")
    with pytest.raises(ParameterError, match=r"^NNLABS_VERBOSE must be one of .*; got 'loud'$"):
        _backend.verbose()


# TensorFlow's import, a fit (tf.data graph rewriting) and repeated tf.function tracing:
# in a fresh interpreter, as a user's first `import nnlabs` would be.
SCRIPT = textwrap.dedent(
    """
    import nnlabs, numpy as np, keras, tensorflow as tf
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    m.compile("adam", "mse")
    x = np.random.rand(64, 3).astype("float32")
    m.fit(x, x[:, :1], epochs=1, verbose=0, validation_data=(x, x[:, :1]))
    for i in range(7):
        tf.function(lambda v: v * 2)(tf.constant(float(i)))
    import sys; print("python stderr still works", file=sys.stderr)
    """
)


def run_script(verbose: str | None) -> str:
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "NNLABS_VERBOSE")
    }
    env["KERAS_BACKEND"] = env["NNLABS_BACKEND"] = "tensorflow"
    if verbose is not None:
        env["NNLABS_VERBOSE"] = verbose
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.slow
def test_tensorflow_is_quiet_by_default_and_talks_when_asked():
    quiet = run_script(None)
    assert quiet == "python stderr still works\n"
    loud = run_script("1")
    assert "retracing" in loud  # the tensorflow logger is left alone
    assert loud.endswith("python stderr still works\n")


_JAX_SCRIPT = textwrap.dedent(
    """
    import os
    import nnlabs
    import jax, jax.numpy as jnp
    jax.jit(lambda x: x * 2.0 + 1.0)(jnp.ones(3)).block_until_ready()
    print(os.environ["JAX_COMPILATION_CACHE_DIR"])
    """
)


@pytest.mark.parametrize("own", [False, True])
def test_jax_keeps_compiled_programs_in_the_nnlabs_cache_unless_told_otherwise(own, tmp_path):
    from test_determinism import _require

    _require("jax")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    env.update(NNLABS_BACKEND="jax", NNLABS_CACHE_DIR=str(tmp_path / "nnlabs"))
    if own:
        env["JAX_COMPILATION_CACHE_DIR"] = str(tmp_path / "mine")
    run = subprocess.run(
        [sys.executable, "-c", _JAX_SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    folder = tmp_path / ("mine" if own else "nnlabs/jax")
    assert run.stdout.strip() == str(folder)
    # Even a program that compiles in milliseconds is kept (JAX's default threshold is 1 s).
    assert any(folder.iterdir())
