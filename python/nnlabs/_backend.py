"""Choosing the Keras backend before Keras is imported, and keeping TensorFlow quiet.

``NNLABS_BACKEND`` wins over ``KERAS_BACKEND``; TensorFlow is the default. Keras reads
its backend once, at import, so this runs when ``nnlabs`` is imported.

Quiet by default: TensorFlow's start-up and graph-building lines on stderr (oneDNN and
CUDA probing, absl's "All log messages before absl::InitializeLog()" notice, "NodeDef
mentions attribute use_unbounded_threadpool", tf.function retracing warnings) would bury
the labs' own output, so they are hidden unless ``NNLABS_VERBOSE`` is set (``1``,
``true``, ``yes`` or ``on``). What the user set themselves (``TF_CPP_MIN_LOG_LEVEL``, a
logger's level) is kept.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from types import ModuleType

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

# Native log lines: glog/absl's "I0000 00:00:1795969572.683096   11575 file.cc:31] ..."
# and absl's notice printed before its logging is initialized.
_NATIVE_NOISE = re.compile(
    r"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] .*"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
)

# Python loggers whose warnings are start-up or tracing chatter; set to ERROR when quiet.
_CHATTY_LOGGERS = ("tensorflow", "jax._src.xla_bridge")


def configure_backend() -> str:
    """Set ``KERAS_BACKEND`` from ``NNLABS_BACKEND`` (or the default) and return it.

    Unless ``NNLABS_VERBOSE`` asks for TensorFlow's own output, also hides its
    start-up noise (see the module docstring).
    """
    from nnlabs.errors import ParameterError

    wanted = os.environ.get("NNLABS_BACKEND") or os.environ.get("KERAS_BACKEND")
    wanted = (wanted or DEFAULT_BACKEND).strip().lower()
    if wanted not in BACKENDS:
        listed = ", ".join(BACKENDS)
        raise ParameterError(f"NNLABS_BACKEND must be one of {listed}; got {wanted!r}")
    if not verbose():
        quiet_tensorflow()
    if "keras" in sys.modules:
        # Keras already chose; report what it uses rather than pretend to switch.
        return sys.modules["keras"].backend.backend()
    os.environ["KERAS_BACKEND"] = wanted
    if wanted == "jax":
        persistent_jax_cache()
    return wanted


def persistent_jax_cache() -> None:
    """Keep JAX's compiled programs on disk, so a second process does not recompile.

    ``JAX_COMPILATION_CACHE_DIR`` (unless set) becomes ``jax`` in the nnlabs cache
    folder; every program is kept (a lab's compile in well under JAX's default 1 s
    threshold). It halves a fresh Hitters network fit on JAX (docs/performance.md).
    """
    from nnlabs.cache import default_cache_dir

    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(default_cache_dir() / "jax"))
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")


def verbose() -> bool:
    """Whether ``NNLABS_VERBOSE`` asks for TensorFlow's start-up output."""
    from nnlabs.errors import ParameterError

    value = os.environ.get("NNLABS_VERBOSE", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    accepted = ", ".join(repr(v) for v in (*_TRUE, *_FALSE[1:]))
    raise ParameterError(
        f"NNLABS_VERBOSE must be one of {accepted} (or unset); got {os.environ['NNLABS_VERBOSE']!r}"
    )


def quiet_tensorflow() -> None:
    """Hide TensorFlow's native log lines and Python-side chatter; idempotent.

    - ``TF_CPP_MIN_LOG_LEVEL=3`` (unless set): native INFO, WARNING and ERROR lines
      after absl's logging starts (CUDA probing, graph rewriting) are dropped;
    - the lines printed before that (while ``import tensorflow`` runs) are taken off
      file descriptor 2 by :func:`native_stderr_filtered` around that import;
    - the ``tensorflow`` logger (tf.function retracing) and, once imported, absl's
      logger are set to ERROR when the user has not set their level.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in _CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)
    if "tensorflow" not in sys.modules and not any(
        isinstance(finder, _QuietTensorFlowImport) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


@contextlib.contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """Drop native log lines written to file descriptor 2 inside the block.

    Native code writes to the descriptor, not to ``sys.stderr``, so the descriptor is
    pointed at a temporary file for the block; afterwards every line that is not a
    native log line (a Python warning, say) is written to ``sys.stderr``. Where the
    process has no descriptor 2 the block runs unchanged.
    """
    _flush(sys.stderr)
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            _flush(sys.stderr)
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = "".join(line for line in text.splitlines(keepends=True) if not is_noise(line))
            if kept:
                sys.stderr.write(kept)
                _flush(sys.stderr)


def is_noise(line: str) -> bool:
    """Whether one line of stderr is a native TensorFlow/absl log line."""
    return _NATIVE_NOISE.fullmatch(line.rstrip("\r\n")) is not None


def _flush(stream) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        stream.flush()


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` on ``sys.path`` and runs its import quietly (once)."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "tensorflow":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _QuietLoader(spec.loader, self)
        return spec


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, finder: _QuietTensorFlowImport) -> None:
        self._loader = loader
        self._finder = finder

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # One import only: a later reload is the user's business.
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self._finder)
        with native_stderr_filtered():
            self._loader.exec_module(module)
        absl = logging.getLogger("absl")
        if "absl.logging" in sys.modules and absl.level in (logging.NOTSET, logging.WARNING):
            absl.setLevel(logging.ERROR)

    def __getattr__(self, name):
        # Everything else (get_resource_reader, is_package, ...) is the real loader's.
        return getattr(self._loader, name)
