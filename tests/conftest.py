from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TREES = FIXTURES / "trees"


def tree_names() -> list[str]:
    return sorted(p.name for p in TREES.iterdir() if p.is_dir())


@pytest.fixture
def copy_tree(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a fixture tree somewhere writable (symlinks kept as symlinks)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(TREES / name, target, symlinks=True)
        return target

    return copy
