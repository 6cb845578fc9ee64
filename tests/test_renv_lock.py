"""renv.lock (the R side's pinned packages) parses and agrees with rpkg/DESCRIPTION."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "renv.lock"
DESCRIPTION = ROOT / "rpkg" / "DESCRIPTION"

# Packages that ship with R itself; renv never records them.
BASE_R = frozenset(
    "base compiler datasets graphics grDevices grid methods parallel splines stats stats4 "
    "tcltk tools utils".split()
)
DEPENDENCY_FIELDS = ("Depends", "Imports", "Suggests")


def r_version(text: str) -> tuple[int, ...]:
    """An R version string ("1.0-3", "4.2.2") as a tuple of ints, R's ordering."""
    if not re.fullmatch(r"\d+([.-]\d+)*", text):
        raise ValueError(f"not an R version: {text!r}")
    return tuple(int(part) for part in re.split(r"[.-]", text))


def read_dcf(path: Path) -> dict[str, str]:
    """The fields of a Debian-control-format file; continuation lines are joined."""
    fields: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line[:1].isspace() and key is not None:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def dependencies(field: str) -> dict[str, tuple[int, ...] | None]:
    """ "pkg (>= 1.2), other" -> {"pkg": (1, 2), "other": None}."""
    out: dict[str, tuple[int, ...] | None] = {}
    for item in filter(None, (part.strip() for part in field.split(","))):
        match = re.fullmatch(r"([A-Za-z][A-Za-z0-9.]*)\s*(?:\(\s*>=\s*([0-9.-]+)\s*\))?", item)
        assert match, f"cannot read the dependency {item!r}"
        out[match[1]] = r_version(match[2]) if match[2] else None
    return out


@pytest.fixture(scope="module")
def lock() -> dict:
    return json.loads(LOCK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def description() -> dict[str, str]:
    return read_dcf(DESCRIPTION)


@pytest.mark.parametrize(
    ("low", "high"),
    [("1.28", "1.41"), ("1.3-0", "1.28"), ("3.0.0", "3.1.6"), ("0.1-3", "0.1-10")],
)
def test_r_versions_order_as_r_does(low, high):
    assert r_version(low) < r_version(high)


def test_r_version_rejects_text():
    with pytest.raises(ValueError, match="not an R version"):
        r_version("1.2.a")


def test_lock_records_r_and_its_repository(lock):
    assert set(lock) >= {"R", "Packages"}
    r_version(lock["R"]["Version"])
    repositories = lock["R"]["Repositories"]
    assert repositories, "R.Repositories must name at least one repository"
    for repository in repositories:
        assert set(repository) == {"Name", "URL"}
        assert repository["URL"].startswith("https://")
    assert "CRAN" in {r["Name"] for r in repositories}


def test_every_package_record_has_renvs_fields(lock):
    packages = lock["Packages"]
    assert packages
    for name, record in packages.items():
        assert record["Package"] == name
        r_version(record["Version"])
        assert record["Source"] == "Repository"
        assert record["Repository"] == "CRAN"
        assert isinstance(record["Requirements"], list)
        assert name not in BASE_R, f"{name} ships with R and is not locked"


def test_lock_is_closed_under_requirements(lock):
    packages = lock["Packages"]
    missing = {
        (name, needed)
        for name, record in packages.items()
        for needed in record["Requirements"]
        if needed not in packages
    }
    assert not missing, f"required but not locked: {sorted(missing)}"


def test_description_dependencies_are_locked_at_sufficient_versions(lock, description):
    packages = lock["Packages"]
    declared: dict[str, tuple[int, ...] | None] = {}
    for field in DEPENDENCY_FIELDS:
        declared.update(dependencies(description.get(field, "")))
    minimum_r = declared.pop("R", None)
    if minimum_r is not None:
        assert r_version(lock["R"]["Version"]) >= minimum_r
    external = {name: low for name, low in declared.items() if name not in BASE_R}
    assert {"reticulate", "testthat", "knitr", "rmarkdown"} <= set(external)
    for name, low in external.items():
        assert name in packages, f"{name} is in rpkg/DESCRIPTION but not in renv.lock"
        if low is not None:
            locked = r_version(packages[name]["Version"])
            assert locked >= low, f"{name} {packages[name]['Version']} is below {low}"


def test_vignette_tools_are_locked(lock):
    # knitr and rmarkdown knit the vignettes, ggplot2 draws plot(), jsonlite reads the
    # results.json a lab writes to out_dir (README.md, R section).
    assert {"knitr", "rmarkdown", "jsonlite", "ggplot2"} <= set(lock["Packages"])
