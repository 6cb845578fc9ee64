"""The ``nnlabs`` command line: run labs, print the worked example, report the set-up.

Errors the package raises on purpose, and files or folders that cannot be read or
written, print as one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import sys
from collections.abc import Sequence
from typing import Any

from nnlabs.errors import DataNotFoundError, DownloadError, NnlabsError, ParameterError

# CLI option -> keyword of a lab's settings or run(); None values are not passed.
_RUN_OPTIONS = ("seed", "epochs", "repeats", "validation", "scaling", "rows", "color", "data_dir")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnlabs", description="Neural-network labs of §11.11, as reproducible software."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a lab (or 'all') and print its comparison table")
    run.add_argument("lab", help="lab name, or 'all'")
    run.add_argument("--seed", type=int, help="split seed (repeat r uses seed + r)")
    run.add_argument("--epochs", type=int, help="maximum training epochs of the network")
    run.add_argument("--repeats", type=int, help="number of seeded splits (intervals when > 1)")
    run.add_argument("--validation", help="'split' (from training rows) or 'test' (the notes)")
    run.add_argument("--scaling", help="'train' (scaler fit on training rows) or 'all' (notes)")
    run.add_argument("--rows", type=int, help="rows to sample (taxi, nyc311)")
    run.add_argument("--color", help="taxi colour: 'yellow' (default) or 'green' (taxi lab)")
    run.add_argument("--data-dir", help="folder with local data files (default: NNLABS_DATA_DIR)")
    run.add_argument("--out", default="outputs", help="folder for plot, model, results.json")
    run.add_argument("--no-cache", action="store_true", help="always train; ignore the cache")
    run.add_argument(
        "--notes",
        action="store_true",
        help="the notes' own protocol (e.g. early stopping on the test rows); see docs/errata.md",
    )

    worked = sub.add_parser("worked-example", help="print the §11.4 worked example step by step")
    worked.add_argument("--task", default="regression", help="'regression' or 'classification'")
    worked.add_argument("--observation", type=int, default=1, help="observation 1 or 2")

    sub.add_parser("doctor", help="report backend, devices and versions")
    return parser


def _lab_kwargs(module, options: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    settings_cls = next(
        obj
        for name, obj in vars(module).items()
        if name.endswith("Settings") and dataclasses.is_dataclass(obj)
    )
    accepted = {f.name for f in dataclasses.fields(settings_cls)}
    accepted |= set(inspect.signature(module.run).parameters)
    kwargs = {}
    for key, value in options.items():
        if value is None:
            continue
        if key in accepted:
            kwargs[key] = value
        elif strict:
            flag = "--" + key.replace("_", "-")
            raise ParameterError(f"{flag} does not apply to lab {module.__name__.split('.')[-1]!r}")
    return kwargs


def _cmd_run(args: argparse.Namespace) -> int:
    from nnlabs import labs
    from nnlabs._io import check_writable_dir
    from nnlabs.data._paths import check_data_dir

    names = list(labs.LABS) if args.lab == "all" else [args.lab]
    modules = [labs.get(name) for name in names]
    # Paths are checked before any lab trains; nothing is created until a lab saves.
    check_writable_dir(args.out, "--out")
    if args.data_dir is not None:
        check_data_dir(args.data_dir, "--data-dir")
    options = {key: getattr(args, key) for key in _RUN_OPTIONS}
    for module in modules:
        kwargs = _lab_kwargs(module, options, strict=args.lab != "all")
        if args.notes:
            kwargs = {**getattr(module, "NOTES_PROTOCOL", {}), **kwargs}
        try:
            result = module.run(out_dir=args.out, cache=not args.no_cache, **kwargs)
        except (DataNotFoundError, DownloadError) as exc:
            if args.lab != "all":
                raise
            # `run all` is the offline main job: a lab whose data cannot be had is skipped.
            print(f"{module.__name__.split('.')[-1]}: skipped, its data is unavailable: {exc}\n")
            continue
        print(result)
        for kind, path in result.files.items():
            print(f"  {kind}: {path}")
        print()
    return 0


def _cmd_worked_example(args: argparse.Namespace) -> int:
    from nnlabs import worked_example

    print(worked_example.main_walkthrough(task=args.task, observation=args.observation))
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from nnlabs.doctor import report

    for key, value in report().items():
        print(f"{key:>14}: {value}")
    return 0


_COMMANDS = {"run": _cmd_run, "worked-example": _cmd_worked_example, "doctor": _cmd_doctor}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnlabs`` command; returns the exit status."""
    args = _build_parser().parse_args(argv)
    try:
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
