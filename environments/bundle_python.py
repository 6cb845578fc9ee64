"""Put the Python package into the R package: the wheel and the locked requirements.

    python environments/bundle_python.py [--out rpkg/inst/python]

writes, into a folder made beside OUT and then renamed to it (nothing half-written):

- ``nnlabs-<version>-py3-none-any.whl``, built from ``python/`` by ``uv build --wheel``;
- ``requirements.txt``: ``uv export --locked --no-dev --no-hashes --no-emit-project
  --no-header --no-annotate`` (every pin of ``uv.lock`` with its platform markers), then
  the line ``./<wheel>``: the project itself comes from the bundled file, never from an
  index (the path is relative to this folder, where ``install_nnlabs()`` runs uv);
- ``requirements-<extra>.txt`` for each extra of the wheel: the same export with
  ``--extra <extra>`` (base pins included);
- ``BUNDLE``: a DCF file the R package reads (Version, Wheel, Requires-Python, Extras).

The R package's DESCRIPTION Version must equal the Python package's version.
"""

from __future__ import annotations

import argparse
import email.parser
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "rpkg" / "inst" / "python"
EXPORT_OPTIONS = (
    "--locked",
    "--no-dev",
    "--no-hashes",
    "--no-emit-project",
    "--no-header",
    "--no-annotate",
)


class BundleError(Exception):
    """The bundle cannot be made; the message says why."""


def uv_command() -> list[str]:
    """uv as the Makefile runs it: $UV, else `uv` on PATH, else `python -m uv`."""
    if os.environ.get("UV"):
        return shlex.split(os.environ["UV"])
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def run_uv(*args: str) -> str:
    done = subprocess.run(
        [*uv_command(), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BundleError(f"uv {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def export_requirements(extra: str | None = None) -> str:
    """The locked pins as uv exports them (base set, or base plus one extra)."""
    return run_uv("export", *EXPORT_OPTIONS, *(("--extra", extra) if extra else ()))


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def description_version(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    raise BundleError(f"{path} has no Version field")


def bundle(out: Path, description: Path = ROOT / "rpkg" / "DESCRIPTION") -> Path:
    """Write the bundle to ``out`` (replacing it) and return the wheel's path there."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        run_uv("build", "--wheel", "--quiet", "--out-dir", str(stage), str(ROOT))
        # uv marks its output folder as ignored; the bundle is only the files below.
        (stage / ".gitignore").unlink(missing_ok=True)
        wheels = sorted(stage.glob("*.whl"))
        if len(wheels) != 1:
            raise BundleError(f"uv build wrote {len(wheels)} wheels into {stage}; expected 1")
        wheel = wheels[0]
        meta = wheel_metadata(wheel)
        version = meta["Version"]
        if meta["Name"] != "nnlabs" or wheel.name != f"nnlabs-{version}-py3-none-any.whl":
            raise BundleError(f"unexpected wheel {wheel.name} (project {meta['Name']})")
        r_version = description_version(description)
        if r_version != version:
            raise BundleError(
                f"{description} Version must equal the Python package's version "
                f"(pyproject.toml); got {r_version} and {version}"
            )
        extras = sorted(meta.get_all("Provides-Extra") or [])
        base = export_requirements()
        (stage / "requirements.txt").write_text(f"{base}./{wheel.name}\n", encoding="utf-8")
        for extra in extras:
            (stage / f"requirements-{extra}.txt").write_text(
                export_requirements(extra), encoding="utf-8"
            )
        requires_python = ",".join(
            sorted(part.strip() for part in meta["Requires-Python"].split(","))
        )
        (stage / "BUNDLE").write_text(
            f"Version: {version}\n"
            f"Wheel: {wheel.name}\n"
            f"Requires-Python: {requires_python}\n"
            f"Extras: {', '.join(extras)}\n"
            "Generated-By: environments/bundle_python.py (make rpkg); do not edit\n",
            encoding="utf-8",
        )
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
        return out / wheel.name
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="bundle folder")
    args = parser.parse_args(argv)
    try:
        wheel = bundle(args.out)
    except BundleError as exc:
        print(f"bundle_python: error: {exc}", file=sys.stderr)
        return 1
    print(f"bundle_python: wrote {wheel.name} and the locked requirements to {wheel.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
