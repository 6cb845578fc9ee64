"""The ``nnlabs`` command line: run labs, predict with a saved lab, print the worked
example, report the set-up.

``nnlabs run LAB`` (and ``report LAB``) is one subcommand per registered lab, whose
options are that lab's settings (``nnlabs.labs.describe``): ``--epochs``, ``--units
64,32``, ``--standardize-target false``...; ``run all`` takes every lab's, each lab
using those it has. ``nnlabs predict --model DIR --data FILE`` predicts the rows of a
.csv or .parquet file with the lab ``run`` saved in ``DIR``. Errors the package raises on purpose,
and files or folders that cannot be read or written, print as one line on stderr with
exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from nnlabs.errors import DataNotFoundError, DownloadError, NnlabsError, ParameterError

# run() inputs offered on the command line, for the labs whose spec takes them.
_INPUT_OPTIONS = {"data_dir": "folder with local data files (default: NNLABS_DATA_DIR)"}
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line and status 2, as for every other bad input.
        self.exit(2, f"nnlabs: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nnlabs", description="Neural-network labs of §11.11, as reproducible software."
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    run = sub.add_parser(
        "run", help="run a lab (or 'all'), print its comparison table and write its report"
    )
    _lab_commands(run, "folder for the fitted lab, results.json, plot and HTML report")
    report = sub.add_parser(
        "report", help="run a lab (or 'all') and write its self-contained HTML report"
    )
    _lab_commands(report, "folder for the HTML report (<lab>_report.html)")
    _predict_command(sub)

    worked = sub.add_parser("worked-example", help="print the §11.4 worked example step by step")
    worked.add_argument("--task", default="regression", help="'regression' or 'classification'")
    worked.add_argument("--observation", type=int, default=1, help="observation 1 or 2")

    sub.add_parser("doctor", help="report backend, devices and versions")
    return parser


def _lab_commands(command: argparse.ArgumentParser, out_help: str) -> None:
    """One subcommand per registered lab, with that lab's settings, and ``all``."""
    from nnlabs import labs

    sub = command.add_subparsers(dest="lab", required=True, metavar="LAB", parser_class=_Parser)
    for name in labs.names():
        described = labs.describe(name)
        one = sub.add_parser(name, help=described["title"], description=described["title"])
        _lab_arguments(one, out_help, {name: described})
    every = {name: labs.describe(name) for name in labs.names()}
    all_labs = sub.add_parser("all", help="every lab in turn (a setting goes to the labs it fits)")
    _lab_arguments(all_labs, out_help, every)


def _lab_arguments(
    run: argparse.ArgumentParser, out_help: str, described: dict[str, dict[str, Any]]
) -> None:
    """The arguments of ``run LAB`` and ``report LAB``: the folder and the lab's settings."""
    run.add_argument("--out", default="outputs", help=out_help)
    run.add_argument("--no-cache", action="store_true", help="always train; ignore the cache")
    run.add_argument(
        "--n-jobs", help="repeats run at once (-1: every core; default 1, one after another)"
    )
    run.add_argument(
        "--notes",
        action="store_true",
        help="the notes' own protocol (e.g. early stopping on the test rows); see docs/errata.md",
    )
    for name, text in _INPUT_OPTIONS.items():
        if any(name in d["inputs"] for d in described.values()):
            run.add_argument(_flag(name), dest=name, help=text)
    for name, field in _setting_options(described).items():
        run.add_argument(_flag(name), dest=name, metavar=field["metavar"], help=field["help"])


def _predict_command(sub) -> None:
    predict = sub.add_parser(
        "predict", help="predict new rows with a saved lab (the folder `nnlabs run` wrote)"
    )
    predict.add_argument(
        "--model", required=True, metavar="DIR", help="a saved lab (outputs/hitters_model)"
    )
    predict.add_argument(
        "--data", required=True, metavar="FILE", help="new rows: a .csv or .parquet file"
    )
    predict.add_argument(
        "--out", metavar="FILE", help="write the predictions here (.csv or .parquet); else print"
    )
    predict.add_argument(
        "--only", action="append", metavar="MODEL", help="a model of the table (repeatable)"
    )
    predict.add_argument(
        "--type", choices=("response", "class", "prob"), help="what to predict (a classifier)"
    )


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _setting_options(described: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The settings of the labs ``described`` that a command line can give, with help."""
    options: dict[str, dict[str, Any]] = {}
    for lab, description in described.items():
        for field in description["settings"]:
            if field["kind"] == "object":
                continue
            entry = options.setdefault(field["name"], {"field": field, "defaults": []})
            shown = _show(field["default"])
            entry["defaults"].append(shown if len(described) == 1 else f"{lab} {shown}")
    return {
        name: {
            "metavar": entry["field"]["kind"].rstrip("?").upper().replace("[]", ",..."),
            "help": f"{entry['field']['rule']}; default: {', '.join(entry['defaults'])}",
        }
        for name, entry in options.items()
    }


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _convert(name: str, kind: str, text: str) -> Any:
    """The value of ``--name text`` as the setting's kind; its rule is checked later."""
    if kind.endswith("?") and text.lower() == "none":
        return None
    kind = kind.rstrip("?")
    if kind.endswith("[]"):
        return tuple(_convert(name, kind[:-2], part.strip()) for part in text.split(","))
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        rule = "an integer" if kind == "int" else "a number"
        raise ParameterError(f"{_flag(name)} must be {rule}; got {text!r}") from None
    if kind == "bool":
        if text.lower() not in _TRUE + _FALSE:
            raise ParameterError(f"{_flag(name)} must be true or false; got {text!r}")
        return text.lower() in _TRUE
    return text


def _lab_kwargs(lab: str, args: argparse.Namespace) -> dict[str, Any]:
    """The settings and inputs given on the command line that lab ``lab`` takes (under
    ``run all``, a setting another lab has is left out for this one)."""
    from nnlabs import labs

    described = labs.describe(lab)
    kinds = {f["name"]: f["kind"] for f in described["settings"]}
    kwargs: dict[str, Any] = dict(described["notes_protocol"]) if args.notes else {}
    skip = {"command", "lab", "out", "no_cache", "n_jobs", "notes", "argv"}
    for key, value in vars(args).items():
        if value is None or key in skip:
            continue
        if key in kinds:
            kwargs[key] = _convert(key, kinds[key], value)
        elif key in described["inputs"]:
            kwargs[key] = value
    return kwargs


def _cmd_run(args: argparse.Namespace, *, save: bool = True) -> int:
    """``nnlabs run``: run, save, write the report, print; ``save=False``: the report only."""
    from nnlabs import labs
    from nnlabs.data._paths import check_data_dir
    from nnlabs.io import check_writable_dir
    from nnlabs.presentation.report import write_report, write_run

    names = labs.names() if args.lab == "all" else [labs.get(args.lab).name]
    # Paths are checked before any lab trains; nothing is created until a lab saves.
    check_writable_dir(args.out, "--out")
    if getattr(args, "data_dir", None) is not None:
        check_data_dir(args.data_dir, "--data-dir")
    for name in names:
        kwargs = _lab_kwargs(name, args)
        try:
            result = labs.run(
                name,
                cache=not args.no_cache,
                n_jobs=None if args.n_jobs is None else _convert("n_jobs", "int", args.n_jobs),
                **kwargs,
            )
        except (DataNotFoundError, DownloadError) as exc:
            if args.lab != "all":
                raise
            # `run all` is the offline main job: a lab whose data cannot be had is skipped.
            print(f"{name}: skipped, its data is unavailable: {exc}\n")
            continue
        command = _command_line(args, name)
        if save:
            write_run(result, args.out, command=command)
        else:
            result.files["report"] = write_report(result, args.out, command=command)
        print(result)
        for kind, path in result.files.items():
            print(f"  {kind}: {path}")
        print()
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    return _cmd_run(args, save=False)


def _command_line(args: argparse.Namespace, lab: str) -> str:
    """The command that reruns ``lab`` as this invocation did (for the report)."""
    import shlex

    words = list(sys.argv[1:] if args.argv is None else args.argv)
    if args.lab != lab:  # `run all`: the command of this one lab
        words[words.index(args.lab)] = lab
    return "nnlabs " + shlex.join(words)


def _cmd_predict(args: argparse.Namespace) -> int:
    """``nnlabs predict``: a saved lab's predictions for the rows of a file."""
    import warnings

    from nnlabs.errors import DataWarning
    from nnlabs.io import atomic_path
    from nnlabs.labs.fitted import load_lab

    fitted = load_lab(args.model)
    rows = _read_rows(args.data)
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", DataWarning)
        out = fitted.predict(rows, model=args.only, type=args.type)
    for note in notes:  # the schema's notes: one line each, on stderr
        print(f"nnlabs: note: {note.message}", file=sys.stderr)
    if args.out is None:
        print(out.to_csv(index=False), end="")
        return 0
    target = _table_file(args.out, "--out")
    with atomic_path(target) as tmp:
        if target.suffix == ".parquet":
            out.to_parquet(tmp, index=False)
        else:
            out.to_csv(tmp, index=False)
    print(f"{len(out):,} predictions of {', '.join(fitted.models)} written to {target}")
    return 0


def _table_file(path: str, option: str):
    from pathlib import Path

    target = Path(path)
    if target.suffix not in (".csv", ".parquet"):
        raise ParameterError(f"{option} must be a .csv or .parquet file; got {path!r}")
    return target


def _read_rows(path: str):
    """The rows of a .csv or .parquet file, as a DataFrame."""
    import pandas as pd

    from nnlabs.errors import DataError

    target = _table_file(path, "--data")
    if not target.is_file():
        raise DataError(f"--data: no such file {path!r}")
    try:
        if target.suffix == ".parquet":
            return pd.read_parquet(target)
        return pd.read_csv(target)
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: could not be read as {target.suffix[1:]} ({exc})") from None


def _cmd_worked_example(args: argparse.Namespace) -> int:
    from nnlabs import worked_example

    print(worked_example.main_walkthrough(task=args.task, observation=args.observation))
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from nnlabs.doctor import report

    for key, value in report().items():
        print(f"{key:>14}: {value}")
    return 0


_COMMANDS = {
    "run": _cmd_run,
    "report": _cmd_report,
    "predict": _cmd_predict,
    "worked-example": _cmd_worked_example,
    "doctor": _cmd_doctor,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnlabs`` command; returns the exit status."""
    try:
        try:
            args = _build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a usage error, already printed (2)
            return exc.code if isinstance(exc.code, int) else 2
        args.argv = None if argv is None else list(argv)
        return _COMMANDS[args.command](args)
    except NnlabsError as exc:
        print(f"nnlabs: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder that could not be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"nnlabs: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
