"""Every relative link in README.md, docs/ and data/ resolves, anchors included.

Markdown links ``[text](path#anchor)`` are resolved from the file that holds them; a
bare mention of a Markdown file (``docs/results.md``) from the repository root.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "data" / "README.md"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
MENTION = re.compile(r"(?<![\w/.(])((?:docs|data|bench|crosscheck|rpkg)/[\w./-]+\.md)\b")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {_slug(line.lstrip("#")) for line in lines if line.startswith("#")}


def _links(path: Path) -> list[tuple[str, Path, str]]:
    text = path.read_text(encoding="utf-8")
    found = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        found.append((target, resolved, anchor))
    found += [(m, (ROOT / m).resolve(), "") for m in MENTION.findall(text)]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    broken = []
    for target, resolved, anchor in _links(path):
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no heading with anchor #{anchor}")
    assert not broken, f"{path.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_link_checker_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n[ok](page.md#title) [gone](missing.md) [bad](page.md#nope)\n")
    results = [
        (t, r.exists(), a in _anchors(r) if r.exists() and a else True) for t, r, a in _links(page)
    ]
    assert results == [
        ("page.md#title", True, True),
        ("missing.md", False, True),
        ("page.md#nope", True, False),
    ]
