"""The Python package the R package carries (environments/bundle_python.py, `make rpkg`):
the wheel matches python/, the pins match uv.lock, the versions agree, and nothing in
the R package asks a package index for a project named nnlabs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import nnlabs

tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python >= 3.11")

ROOT = Path(__file__).resolve().parents[1]
RPKG = ROOT / "rpkg"
SOURCES = ROOT / "python" / "nnlabs"
PIN = re.compile(r"(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^ ;]+)( ; .+)?")


def load_bundler():
    spec = importlib.util.spec_from_file_location(
        "bundle_python", ROOT / "environments" / "bundle_python.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundler = load_bundler()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "python"
    bundler.bundle(out)
    return out


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def source_files() -> dict[str, bytes]:
    return {
        f"nnlabs/{path.relative_to(SOURCES).as_posix()}": path.read_bytes()
        for path in SOURCES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def uv_export(*extra: str) -> str:
    done = subprocess.run(
        [*bundler.uv_command(), "export", *bundler.EXPORT_OPTIONS, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_versions_agree_everywhere(bundle):
    version = pyproject_version()
    assert nnlabs.__version__ == version
    assert bundler.description_version(RPKG / "DESCRIPTION") == version
    fields = dict(line.split(": ", 1) for line in (bundle / "BUNDLE").read_text().splitlines())
    assert fields["Version"] == version
    assert fields["Wheel"] == f"nnlabs-{version}-py3-none-any.whl"
    assert fields["Requires-Python"] == "<3.14,>=3.10"
    assert fields["Extras"] == "cuda, dask, jax, metal"


def test_the_wheel_holds_exactly_the_sources(bundle):
    (wheel,) = bundle.glob("*.whl")
    assert wheel.name == f"nnlabs-{pyproject_version()}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        packaged = {
            name: archive.read(name)
            for name in archive.namelist()
            if not name.startswith(f"nnlabs-{pyproject_version()}.dist-info/")
        }
        metadata = bundler.wheel_metadata(wheel)
    expected = source_files()
    assert sorted(packaged) == sorted(expected)
    for name, content in expected.items():
        assert packaged[name] == content, name
    assert metadata["Version"] == pyproject_version()


def test_the_pins_are_uv_export_of_the_lock(bundle):
    base = (bundle / "requirements.txt").read_text()
    wheel_line = f"./nnlabs-{pyproject_version()}-py3-none-any.whl\n"
    assert base.endswith(wheel_line)
    assert base.removesuffix(wheel_line) == uv_export()
    for extra in ("cuda", "jax", "metal"):
        assert (bundle / f"requirements-{extra}.txt").read_text() == uv_export("--extra", extra)


def test_every_pin_is_a_locked_version(bundle):
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {(p["name"], p["version"]) for p in lock["package"] if "version" in p}
    for file in bundle.glob("requirements*.txt"):
        for line in file.read_text().splitlines():
            if line.startswith("./"):
                continue
            match = PIN.fullmatch(line)
            assert match, f"{file.name}: not an exact pin: {line!r}"
            name = match["name"].lower().replace("_", "-").replace(".", "-")
            assert (name, match["version"]) in locked, f"{file.name}: {line!r} not in uv.lock"


def test_nothing_asks_an_index_for_nnlabs_by_name(bundle):
    wheel = f"./nnlabs-{pyproject_version()}-py3-none-any.whl"
    for file in bundle.glob("requirements*.txt"):
        for line in file.read_text().splitlines():
            if re.match(r"\s*nnlabs\b", line, re.IGNORECASE):
                pytest.fail(f"{file.name} names the project nnlabs: {line!r}")
            if "nnlabs" in line.lower():
                assert line == wheel, f"{file.name}: {line!r}"
    # The R code: no installer is ever given a literal requirement. py_require() is fed
    # python_requirements() (the wheel path and the pins); uv pip install gets -r files.
    code = "\n".join(
        re.sub(r"#.*", "", path.read_text()) for path in sorted((RPKG / "R").glob("*.R"))
    )
    assert not re.search(r"\b(py_install|virtualenv_install|conda_install|pip_install)\s*\(", code)
    calls = re.findall(r"\bpy_require\((?!\))([^\n]*)\)", code)
    assert calls, "the R package declares its requirements with py_require()"
    for arguments in calls:
        assert '"' not in arguments, f"py_require() with a literal: py_require({arguments})"
        assert "python_requirements(" in arguments
    installs = re.findall(r"c\(\"pip\", \"install\"[^\n]*", code)
    assert installs and all('"-r", files' in call for call in installs), installs


def test_a_version_mismatch_stops_the_bundle_and_leaves_nothing(tmp_path):
    description = tmp_path / "DESCRIPTION"
    description.write_text("Package: nnlabs\nVersion: 9.9.9\n")
    out = tmp_path / "python"
    with pytest.raises(bundler.BundleError, match=r"Version must equal .*got 9\.9\.9 and "):
        bundler.bundle(out, description=description)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DESCRIPTION"]
