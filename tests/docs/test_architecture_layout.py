"""The package layout in docs/architecture.md names every package under ``rlvr_envs/``.

The page is the map a new contributor reads first; a package added without a line there (the
server and its clients were) leaves them guessing where things live.
"""

from __future__ import annotations

import re

from scripts.refresh_docs import ROOT

PAGE = ROOT / "docs" / "architecture.md"


def layout_block() -> str:
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Package layout", 1)[1]
    return section.split("```text\n", 1)[1].split("```", 1)[0]


def test_every_package_is_in_the_layout() -> None:
    named = set(re.findall(r"([\w.]+)/", layout_block()))
    packages = sorted(init.parent for init in (ROOT / "rlvr_envs").rglob("__init__.py"))
    missing = [str(p.relative_to(ROOT)) for p in packages if p != ROOT / "rlvr_envs" and p.name not in named]
    assert not missing, f"packages docs/architecture.md's layout does not name: {missing}"


def test_every_top_level_module_is_in_the_layout() -> None:
    named = set(re.findall(r"([\w]+\.py)", layout_block()))
    modules = sorted(path.name for path in (ROOT / "rlvr_envs").glob("*.py"))
    assert set(modules) <= named, sorted(set(modules) - named)
