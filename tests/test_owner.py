"""The project's owner on GitHub is one setting: heroku_req_check.REPOSITORY. Every place
that names the repository (README, examples, code) must agree with it, so that
`scripts/set-owner NAME` (which rewrites them all) leaves nothing behind."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from heroku_req_check import ISSUES_URL, REPOSITORY
from heroku_req_check.report import sarif

ROOT = Path(__file__).resolve().parents[1]
# github.com/<owner>/heroku-req-check, ghcr.io/<owner>/..., uses: <owner>/heroku-req-check
MENTION = re.compile(r"(?:github\.com/|ghcr\.io/|uses: )([\w.-]+)/heroku-req-check\b")


def mentions(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True)
    for name in files.stdout.split():
        path = root / name
        if path.suffix not in {".md", ".yml", ".yaml", ".py", ".toml"} or not path.is_file():
            continue
        if name.startswith(("tests/", ".github/")):
            continue  # tests hold sample owners; the workflows use the repository they run in
        owners = set(MENTION.findall(path.read_text(encoding="utf-8", errors="replace")))
        if owners:
            found[name] = owners
    return found


def test_every_mention_uses_the_one_owner() -> None:
    owner = REPOSITORY.split("/")[0]
    found = mentions(ROOT)
    assert "README.md" in found and "examples/workflows/heroku-req-check.yml" in found
    wrong = {name: owners for name, owners in found.items() if owners != {owner}}
    assert wrong == {}
    assert f"https://github.com/{REPOSITORY}/issues" == ISSUES_URL
    assert sarif.README.startswith(f"https://github.com/{REPOSITORY}#")


def test_set_owner_rewrites_every_mention(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(copy)], check=True)
    for name in subprocess.run(["git", "ls-files", "-m", "-o", "--exclude-standard"], cwd=ROOT,
                               capture_output=True, text=True).stdout.split():  # fmt: skip
        if (ROOT / name).is_file():  # uncommitted work: test what is on disk
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    subprocess.run([str(copy / "scripts" / "set-owner"), "acme-corp"], cwd=copy, check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run(["git", "add", "-A"], cwd=copy, check=True)
    after = mentions(copy)
    assert after and all(owners == {"acme-corp"} for owners in after.values()), after
    init = (copy / "src/heroku_req_check/__init__.py").read_text()
    assert 'REPOSITORY = "acme-corp/heroku-req-check"' in init
