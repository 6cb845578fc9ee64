"""A lab's fitted models as pipelines from raw rows: predict new rows, save, load (§11.10).

``FittedLab`` holds what a lab run fitted on its first split: the row schema of the
training rows, the design of each model input (fitted transformers) and every model of
the table as a scikit-learn ``Pipeline`` (schema -> design -> estimator). So
``fitted.predict(rows)`` takes rows as a user has them, the lab's raw columns, and
returns one column per model.

A saved lab is a folder (``save``):

* ``lab.json``: the lab, task, classes, settings, the row schema (columns, kinds,
  dtypes, ranges, levels), the models and the files that hold them, the versions;
* ``design_<input>.skops`` and ``<model>.skops``: scikit-learn parts, in skops' format,
  which loads without running code; ``<model>.keras`` (and its ``.history.csv``): the
  networks, loaded with Keras' ``safe_mode`` (no ``Lambda`` layer, no custom code);
* ``manifest.json``, written last: the size and SHA-256 of every file and a checksum
  of the manifest itself.

``load`` checks the manifest and every file against it, reads only the files
``lab.json`` names with the formats it knows, accepts in a skops file only the types
nnlabs writes (``TRUSTED_TYPES``, plus those the caller trusts) and refuses anything
else with a ``DataError``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs.design.schema import RowSchema
from nnlabs.errors import DataError, NnlabsWarning, ParameterError
from nnlabs.io import default_mode, jsonable

FORMAT = 1
MANIFEST = "manifest.json"
LAB_FILE = "lab.json"
PREPARE = "prepare.skops"
TYPES = ("response", "class", "prob")
# Types a skops file of a saved lab may hold beyond those skops trusts itself: the
# classes nnlabs saves. Anything else in a file refuses the load.
TRUSTED_TYPES = (
    "nnlabs.design.transformers.ColumnMaxScaler",
    "nnlabs.design.transformers.Columns",
    "nnlabs.design.transformers.Lump",
    "nnlabs.design.transformers.ModelMatrix",
    "nnlabs.labs._taxi_embedding.ZoneInputs",
    "nnlabs.labs.nyc311.RequestFeatures",
    "nnlabs.labs.taxi.StreamScaler",
    "nnlabs.labs.taxi.TripFeatures",
    "nnlabs.models.baselines.LassoCV",
    "nnlabs.models.baselines.LogisticLassoCV",
    "nnlabs.models.baselines._Path",
    "nnlabs.models.trees.GradientBoostedClassifier",
    "nnlabs.models.trees.GradientBoostedRegressor",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)
_VERSIONED = ("numpy", "pandas", "scikit-learn", "keras", "skops")


class LoadWarning(NnlabsWarning):
    """A saved lab was written with other versions than those loading it."""


class FittedLab:
    """The fitted models of a lab run, each a pipeline from the lab's raw rows.

    Attributes:
        lab, title: the lab's name and table caption.
        task: ``"regression"`` or ``"classification"``.
        response: the response's column name in the raw data (ignored in new rows).
        classes: a classifier's class names (label 0, label 1); None for regression.
        threshold: P(class 1) above which a row is class 1.
        schema: the fitted ``RowSchema`` of the training rows.
        models: model name -> fitted ``sklearn.pipeline.Pipeline`` (``"schema"``,
            ``"design"``, ``"model"``), in table order.
        inputs: model name -> the design input it reads (``"x"``, ``"xe"``).
        networks: the names of the Keras networks among ``models``.
        prepare: a stateless transformer applied to new rows before the schema (the taxi
            lab's ``TripFeatures``: TLC's pickup and dropoff times to the lab's columns),
            or None.
        settings: the settings the lab ran with, as a dict.
        versions: the versions that fitted (or saved) it.
    """

    def __init__(
        self,
        *,
        lab: str,
        title: str,
        task: str,
        response: str,
        classes: tuple[str, str] | None,
        schema: RowSchema,
        models: dict[str, Any],
        inputs: dict[str, str],
        networks: list[str],
        settings: dict[str, Any],
        threshold: float = 0.5,
        versions: dict[str, str] | None = None,
        prepare=None,
    ) -> None:
        self.lab = lab
        self.title = title
        self.task = task
        self.response = response
        self.classes = tuple(classes) if classes is not None else None
        self.schema = schema
        self.models = dict(models)
        self.inputs = dict(inputs)
        self.networks = list(networks)
        self.settings = dict(settings)
        self.threshold = float(threshold)
        self.prepare = prepare
        self.versions = dict(versions) if versions is not None else current_versions()

    def __repr__(self) -> str:
        return (
            f"<FittedLab {self.lab}: {', '.join(self.models)}; {len(self.schema.columns_)} "
            f"input columns ({', '.join(self.schema.feature_names_in_)})>"
        )

    # ------------------------------------------------------------------------ predicting

    def predict(self, rows: pd.DataFrame, model=None, type: str | None = None) -> pd.DataFrame:
        """Predictions for new raw ``rows``, one column per model, indexed as ``rows``.

        Args:
            rows: a DataFrame with the lab's raw columns (``schema.table()`` lists them;
                the response and other columns are ignored). It is checked first
                (``RowSchema.check``): a missing column, a wrong dtype, a missing value
                or a level the training rows never had is a ``DataError`` naming the
                column; notes (``DataWarning``) say what was ignored or extrapolated.
            model: a model name, a list of them, or None for every model of the table.
            type: ``"response"`` (a regression's value; a classifier's P(class 1)),
                ``"class"`` (the class name) or ``"prob"`` (each class's probability).
                None: ``"response"``, and for a classifier ``"class"`` as well.

        Returns:
            Columns named by model for ``"response"``, ``"<model> class"`` (categorical,
            ``classes``) for ``"class"``, ``"<model> P(<class>)"`` for ``"prob"``.
        """
        names = self._names(model)
        kinds = self._types(type)
        if self.prepare is not None:
            rows = self.prepare.transform(rows)
        checked = self.schema.check(rows)
        out: dict[str, Any] = {}
        for name in names:
            tail = self.models[name][-2:]  # design -> model: the rows are checked already
            if self.task == "regression":
                out[name] = tail.predict(checked)
                continue
            p1 = tail.predict_proba(checked)[:, 1]
            if "response" in kinds:
                out[name] = p1
            if "class" in kinds:
                labels = np.where(p1 > self.threshold, self.classes[1], self.classes[0])
                out[f"{name} class"] = pd.Categorical(labels, categories=list(self.classes))
            if "prob" in kinds:
                out[f"{name} P({self.classes[0]})"] = 1.0 - p1
                out[f"{name} P({self.classes[1]})"] = p1
        return pd.DataFrame(out, index=checked.index)

    def _names(self, model) -> list[str]:
        if model is None:
            return list(self.models)
        names = [model] if isinstance(model, str) else list(model)
        unknown = [n for n in names if n not in self.models]
        if unknown or not names:
            raise ParameterError(
                f"model must be one of {', '.join(map(repr, self.models))} (or a list of "
                f"them, or None for all); got {unknown[0] if unknown else model!r}"
            )
        return names

    def _types(self, type: str | None) -> tuple[str, ...]:
        if type is None:
            return ("response",) if self.task == "regression" else ("response", "class")
        if type not in TYPES:
            raise ParameterError(f"type must be one of {', '.join(map(repr, TYPES))}; got {type!r}")
        if type != "response" and self.task == "regression":
            raise ParameterError(
                f"type {type!r} needs a classification lab; lab {self.lab!r} is a regression"
            )
        return (type,)

    # ------------------------------------------------------------------------ saving

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write this fitted lab to the folder ``path`` (see the module docstring).

        The folder is written beside ``path`` under a temporary name and renamed into
        place, so a reader sees the old lab or the new one, never half of one. An
        existing ``path`` is replaced only when it is a saved lab. Returns ``path``.
        """
        target = Path(path)
        if target.exists() and not (target / MANIFEST).is_file():
            if not target.is_dir() or any(target.iterdir()):
                raise ParameterError(
                    f"path must be a new folder or a saved lab to replace; {target} exists "
                    "and is not a saved lab"
                )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        os.chmod(tmp, default_mode(0o777))
        try:
            self._write(tmp)
            _publish(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return target

    def _write(self, folder: Path) -> None:
        import skops.io as sio

        designs: dict[str, str] = {}
        for name, pipe in self.models.items():
            key = self.inputs[name]
            if key not in designs:
                designs[key] = f"design_{_slug(key)}.skops"
                sio.dump(pipe["design"], folder / designs[key])
        if self.prepare is not None:
            sio.dump(self.prepare, folder / PREPARE)
        entries = []
        for name, pipe in self.models.items():
            estimator, slug = pipe["model"], _slug(name)
            entry = {"name": name, "input": self.inputs[name], "design": designs[self.inputs[name]]}
            if name in self.networks:
                entry.update(kind="keras", file=f"{slug}.keras", history=f"{slug}.history.csv")
                entry["estimator"] = type(estimator).__name__
                entry["params"] = _network_params(estimator)
                estimator.model_.save(folder / entry["file"])
                estimator.history_.to_csv(folder / entry["history"], index=False)
            else:
                entry.update(kind="skops", file=f"{slug}.skops")
                sio.dump(estimator, folder / entry["file"])
            entries.append(entry)
        lab = {
            "format": FORMAT,
            "lab": self.lab,
            "title": self.title,
            "task": self.task,
            "response": self.response,
            "classes": list(self.classes) if self.classes is not None else None,
            "threshold": self.threshold,
            "settings": self.settings,
            "schema": self.schema.to_dict(),
            "prepare": PREPARE if self.prepare is not None else None,
            "models": entries,
            "saved": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "versions": current_versions(),
        }
        (folder / LAB_FILE).write_text(json.dumps(jsonable(lab, strict=False), indent=2) + "\n")
        _write_manifest(folder)

    # ------------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        lab: str | None = None,
        trusted: tuple[str, ...] = (),
    ) -> FittedLab:
        """Load a saved lab; see ``load_lab``."""
        folder = find_saved_lab(path, lab)
        files = _verified_files(folder)
        if LAB_FILE not in files:
            raise DataError(f"{folder}: {MANIFEST} does not list {LAB_FILE}; not a saved lab")
        meta = _read_lab(folder)
        _warn_versions(folder, meta.get("versions", {}))
        schema = RowSchema.from_dict(meta["schema"])
        allowed = (*TRUSTED_TYPES, *trusted)
        prepare = None
        if meta.get("prepare") is not None:
            _listed(folder, meta["prepare"], files)
            prepare = _load_skops(folder / meta["prepare"], allowed)
        designs: dict[str, Any] = {}
        models, inputs, networks = {}, {}, []
        for entry in meta["models"]:
            name = entry["name"]
            needed = [
                entry["file"],
                entry["design"],
                *([entry["history"]] if "history" in entry else []),
            ]
            for file in needed:
                _listed(folder, file, files)
            if entry["design"] not in designs:
                designs[entry["design"]] = _load_skops(folder / entry["design"], allowed)
            if entry["kind"] == "keras":
                estimator = _load_network(folder, entry)
                networks.append(name)
            elif entry["kind"] == "skops":
                estimator = _load_skops(folder / entry["file"], allowed)
            else:
                raise DataError(
                    f"{folder}: model {name!r} is stored as {entry['kind']!r}, a format this "
                    "version of nnlabs does not read (keras, skops)"
                )
            models[name] = lab_pipeline(schema, designs[entry["design"]], estimator, prepare)
            inputs[name] = entry["input"]
        return cls(
            lab=meta["lab"],
            title=meta["title"],
            task=meta["task"],
            response=meta["response"],
            classes=meta["classes"],
            schema=schema,
            models=models,
            inputs=inputs,
            networks=networks,
            settings=meta["settings"],
            threshold=meta["threshold"],
            versions=meta.get("versions"),
            prepare=prepare,
        )


def load_lab(
    path: str | os.PathLike[str], *, lab: str | None = None, trusted: tuple[str, ...] = ()
) -> FittedLab:
    """Load a lab saved by ``LabResult.save`` or ``FittedLab.save``, to predict new rows.

    ``path`` is the saved lab's folder (``outputs/hitters_model``) or the folder a run was
    saved to (``outputs``): then the one ``<lab>_model`` in it, or the one ``lab`` names.
    The folder is checked against its manifest first; no code from it runs (skops with
    ``trusted`` types beyond ``TRUSTED_TYPES``, Keras with ``safe_mode``). Raises
    ``DataError`` for a missing, altered or unknown folder or file.
    """
    return FittedLab.load(path, lab=lab, trusted=tuple(trusted))


def find_saved_lab(path: str | os.PathLike[str], lab: str | None = None) -> Path:
    """The saved lab's folder at ``path``: ``path`` itself, or its one ``*_model``."""
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (a saved lab is a folder with {MANIFEST})")
    if (folder / MANIFEST).is_file():
        return folder
    found = sorted(p.parent for p in folder.glob(f"*_model/{MANIFEST}"))
    if lab is not None:
        found = [p for p in found if p.name == f"{lab}_model"]
    if len(found) == 1:
        return found[0]
    if not found:
        what = f"lab {lab!r}" if lab is not None else "any lab"
        raise DataError(f"{folder}: holds no saved lab for {what} (no {MANIFEST})")
    names = ", ".join(str(p) for p in found)
    raise DataError(f"{folder} holds several saved labs ({names}); name one, or pass lab=")


# ---- files ---------------------------------------------------------------------------


def current_versions() -> dict[str, str]:
    """The versions of Python, nnlabs, the Keras backend and the libraries a lab uses."""
    import keras

    import nnlabs

    out = {"python": sys.version.split()[0], "nnlabs": nnlabs.__version__}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["backend"] = keras.backend.backend()
    return out


def _warn_versions(folder: Path, saved: dict[str, Any]) -> None:
    now = current_versions()
    differ = [
        f"{k} {saved[k]} (now {now[k]})"
        for k in ("nnlabs", "scikit-learn", "keras", "skops", "numpy")
        if k in saved and saved[k] != now.get(k)
    ]
    if differ:
        warnings.warn(
            f"{folder} was saved with {', '.join(differ)}; its predictions may differ slightly",
            LoadWarning,
            stacklevel=3,
        )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "model"


def _network_params(estimator) -> dict[str, Any]:
    params = {}
    for key in ("threshold", "standardize_target", "batch_size", "epochs"):
        if key in estimator.get_params(deep=False):
            params[key] = estimator.get_params(deep=False)[key]
    return params


def lab_pipeline(schema: RowSchema, design, estimator, prepare=None):
    """The pipeline from raw rows: (prepare ->) schema -> design -> model."""
    from sklearn.pipeline import Pipeline

    steps = [("prepare", prepare)] if prepare is not None else []
    return Pipeline([*steps, ("schema", schema), ("design", design), ("model", estimator)])


def _digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _write_manifest(folder: Path) -> None:
    files = {}
    for path in sorted(folder.iterdir()):
        digest, size = _digest(path)
        files[path.name] = {"sha256": digest, "bytes": size}
    body = {"format": FORMAT, "files": files}
    manifest = {**body, "checksum": hashlib.sha256(_canonical(body)).hexdigest()}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _verified_files(folder: Path) -> dict[str, dict[str, Any]]:
    """The manifest's files, each checked for its size and SHA-256."""
    bad = f"{folder}: {MANIFEST} is damaged or was altered"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        body = {k: v for k, v in manifest.items() if k != "checksum"}
        ok = hashlib.sha256(_canonical(body)).hexdigest() == manifest["checksum"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise DataError(f"{bad} (it is not the JSON nnlabs writes)") from None
    if not ok:
        raise DataError(f"{bad} (its checksum does not match); refusing to load")
    if body.get("format") != FORMAT:
        raise DataError(
            f"{folder}: a saved lab of format {body.get('format')!r}; this version of nnlabs "
            f"reads format {FORMAT}"
        )
    files = body.get("files")
    if not isinstance(files, dict):
        raise DataError(f"{bad} (it lists no files)")
    for name, want in files.items():
        path = folder / name
        if Path(name).name != name or not path.is_file() or path.is_symlink():
            raise DataError(f"{folder}: {name}, listed in {MANIFEST}, is missing or not a file")
        digest, size = _digest(path)
        if digest != want.get("sha256") or size != want.get("bytes"):
            raise DataError(
                f"{folder}: {name} was altered after saving (its SHA-256 does not match "
                f"{MANIFEST}); refusing to load"
            )
    return files


def _listed(folder: Path, name: Any, files: dict[str, Any]) -> None:
    if not isinstance(name, str) or name not in files:
        raise DataError(f"{folder}: {LAB_FILE} names {name!r}, which {MANIFEST} does not list")
    if not name.endswith((".skops", ".keras", ".csv")):
        raise DataError(f"{folder}: {name} has a format this version of nnlabs does not read")


def _read_lab(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / LAB_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise DataError(
                f"{folder}: {LAB_FILE} is of format {meta.get('format')!r}; this version of "
                f"nnlabs reads format {FORMAT}"
            )
        for key in ("lab", "title", "task", "response", "classes", "threshold", "schema"):
            meta[key]
        if not all(
            isinstance(e, dict) and {"name", "input", "design", "kind", "file"} <= set(e)
            for e in meta["models"]
        ):
            raise ValueError("a model entry lacks a field")
    except DataError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{folder}: {LAB_FILE} is not one nnlabs wrote ({exc})") from None
    return meta


def _load_skops(path: Path, allowed: tuple[str, ...]):
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a file skops cannot even parse
        raise DataError(f"{path}: not a skops file nnlabs can read ({exc})") from None
    refused = [t for t in untrusted if t not in allowed]
    if refused:
        raise DataError(
            f"{path} holds type(s) nnlabs does not load: {', '.join(refused)}; refusing to "
            "load (pass trusted=[...] to load_lab if you wrote them)"
        )
    try:
        return sio.load(path, trusted=untrusted)
    except Exception as exc:
        raise DataError(f"{path}: could not be loaded ({type(exc).__name__}: {exc})") from None


def _load_network(folder: Path, entry: dict[str, Any]):
    import keras

    from nnlabs.models.estimators import NetworkClassifier, NetworkRegressor

    kinds = {"NetworkRegressor": NetworkRegressor, "NetworkClassifier": NetworkClassifier}
    estimator_class = kinds.get(entry.get("estimator"))
    if estimator_class is None:
        raise DataError(
            f"{folder}: model {entry['name']!r} is a {entry.get('estimator')!r}; nnlabs loads "
            f"{', '.join(kinds)}"
        )
    path = folder / entry["file"]
    try:
        model = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # Keras' refusal (a Lambda layer, custom code) or damage
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
        raise DataError(f"{path}: refused or unreadable network ({detail})") from None
    history = pd.read_csv(folder / entry["history"]) if "history" in entry else pd.DataFrame()
    params = {k: v for k, v in entry.get("params", {}).items() if k != "build"}
    return estimator_class.from_fitted(model, history, **params)


def _publish(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` onto ``target``; an old saved lab there is moved aside first."""
    if not target.exists():
        os.replace(tmp, target)
        return
    aside = target.parent / f".{target.name}.{os.getpid()}.old"
    os.replace(target, aside)
    try:
        os.replace(tmp, target)
    except OSError:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
