"""The ``nnlabs`` command line: run labs, print the worked example, report the set-up.

A lab's options come from its settings (``nnlabs.labs.describe``): ``--epochs``,
``--units 64,32``, ``--standardize-target false``... An option a lab does not have is
an error for that lab and ignored by ``run all``. Errors the package raises on purpose,
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
    _lab_arguments(run, "folder for plot, model, results.json and the HTML report")
    report = sub.add_parser(
        "report", help="run a lab (or 'all') and write its self-contained HTML report"
    )
    _lab_arguments(report, "folder for the HTML report (<lab>_report.html)")

    worked = sub.add_parser("worked-example", help="print the §11.4 worked example step by step")
    worked.add_argument("--task", default="regression", help="'regression' or 'classification'")
    worked.add_argument("--observation", type=int, default=1, help="observation 1 or 2")

    sub.add_parser("doctor", help="report backend, devices and versions")
    return parser


def _lab_arguments(run: argparse.ArgumentParser, out_help: str) -> None:
    """The arguments of ``run`` and ``report``: the lab, the folder, every lab setting."""
    run.add_argument("lab", help="lab name, or 'all'")
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
        run.add_argument(_flag(name), dest=name, help=text)
    for name, field in _setting_options().items():
        run.add_argument(_flag(name), dest=name, metavar=field["metavar"], help=field["help"])


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _setting_options() -> dict[str, dict[str, str]]:
    """Every setting of every registered lab that a command line can give, with its help."""
    from nnlabs import labs

    options: dict[str, dict[str, Any]] = {}
    for lab in labs.names():
        for field in labs.describe(lab)["settings"]:
            if field["kind"] == "object":
                continue
            entry = options.setdefault(field["name"], {"field": field, "defaults": []})
            entry["defaults"].append(f"{lab} {_show(field['default'])}")
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


def _lab_kwargs(lab: str, args: argparse.Namespace, *, strict: bool) -> dict[str, Any]:
    """The settings and inputs given on the command line that lab ``lab`` takes."""
    from nnlabs import labs

    described = labs.describe(lab)
    kinds = {f["name"]: f["kind"] for f in described["settings"]}
    kwargs: dict[str, Any] = dict(described["notes_protocol"]) if args.notes else {}
    given = {k: getattr(args, k) for k in [*_INPUT_OPTIONS, *_setting_options()]}
    for key, value in given.items():
        if value is None:
            continue
        if key in kinds:
            kwargs[key] = _convert(key, kinds[key], value)
        elif key in described["inputs"]:
            kwargs[key] = value
        elif strict:
            raise ParameterError(f"{_flag(key)} does not apply to lab {lab!r}")
    return kwargs


def _cmd_run(args: argparse.Namespace, *, save: bool = True) -> int:
    """``nnlabs run``: run, save, write the report, print; ``save=False``: the report only."""
    from nnlabs import labs
    from nnlabs.data._paths import check_data_dir
    from nnlabs.io import check_writable_dir

    names = labs.names() if args.lab == "all" else [labs.get(args.lab).name]
    # Paths are checked before any lab trains; nothing is created until a lab saves.
    check_writable_dir(args.out, "--out")
    if args.data_dir is not None:
        check_data_dir(args.data_dir, "--data-dir")
    for name in names:
        kwargs = _lab_kwargs(name, args, strict=args.lab != "all")
        try:
            result = labs.run(
                name,
                out_dir=args.out if save else None,
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
        result.report(args.out, command=_command_line(args, name))
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
    "worked-example": _cmd_worked_example,
    "doctor": _cmd_doctor,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnlabs`` command; returns the exit status."""
    try:
        args = _build_parser().parse_args(argv)
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
