"""The documentation points only at files that ship with the repository.

A link to a file outside the repository (``../shared/MODEL.md``) is broken in every clone; a link
to a heading that was renamed is broken too. Every relative link and image in README.md and
docs/*.md must resolve to a file in the repository, and its ``#anchor`` to a heading there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.S)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, re.M)}


def links(document: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", document.read_text(encoding="utf-8")))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(document):
    broken = []
    for target in links(document):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (document.parent / path).resolve() if path else document
        if ROOT.resolve() not in file.parents and file != ROOT.resolve() or not file.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading #{anchor} in {file.name}")
    assert not broken, broken


def test_the_model_document_is_linked_from_the_readme():
    assert "docs/model.md" in links(ROOT / "README.md") or \
        any(t.startswith("docs/model.md") for t in links(ROOT / "README.md"))


def test_slug_follows_github():
    assert slug("Not (yet) modelled") == "not-yet-modelled"
    assert slug("5. Handling: where rushing becomes failure demand") == "5-handling-where-rushing-becomes-failure-demand"
