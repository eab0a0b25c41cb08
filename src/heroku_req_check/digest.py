"""The tree digest: one comment line in the root file that changes whenever a file it pulls in
changes, so that every cache keyed on the root file's bytes is invalidated with it.

Google's buildpacks (`pkg/python/python.go` prepareDependenciesLayer: `cache.WithFiles(reqs...)`
hashes the root requirements.txt bytes only) and Heroku classic v167+ (`diff`, then `cmp`, of
the root requirements.txt) reuse their cached packages while the root file's bytes stay the same.
pip ignores a comment line, so writing this line changes nothing pip installs.

What is hashed (the README's "Tree digest" says the same, with a shell recipe):
- the inputs are every local file the root pulls in: each requirements or constraints file the
  walk read (nested includes too), and for each local project (`-e .`, `./pkg`) its metadata
  files that exist (`pyproject.toml`, `setup.cfg`, `setup.py`), for a local archive the archive;
  the root file itself is not an input (its bytes are already the caches' key);
- each input's bytes with line endings made `\\n` (`\\r\\n` and a lone `\\r`), so a checkout that
  converts line endings (pip reads both the same) does not change the digest;
- the digest is the SHA-256 of the lines `<sha256 hex of the input>  <path>\\n`, inputs sorted
  by path (UTF-8 bytes, `/` separators, relative to the app directory): exactly the output of
  `sha256sum` over the sorted inputs, hashed again.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from .model import RequirementsTree

PREFIX = "# heroku-req-check: tree sha256:"
LINE_RE = re.compile(r"^# heroku-req-check: tree sha256:(?P<hex>[0-9a-f]*)[ \t]*$")
METADATA_FILES = ("pyproject.toml", "setup.cfg", "setup.py")

Reader = Callable[[str], bytes | None]


def inputs(tree: RequirementsTree, read: Reader) -> list[str]:
    """The repo-relative paths the digest covers, sorted as it hashes them."""
    paths = {path for path in tree.files if path != tree.root}
    for project in getattr(tree, "projects", ()):
        # a local project's metadata decides what pip installs for `-e .` (issue 16 adds the
        # files its dependencies come from to tree.files, which are then covered above)
        if project.resolved is None or project.kind == "url":
            continue
        if project.kind == "archive":
            paths.add(project.resolved)
            continue
        for name in METADATA_FILES:
            path = posixpath.normpath(posixpath.join(project.resolved, name))
            if read(path) is not None:
                paths.add(path)
    paths.discard(tree.root)
    return sorted(paths, key=lambda p: p.encode("utf-8"))


def normalise(data: bytes) -> bytes:
    """Line endings as `\\n`: the bytes pip reads the same whatever the checkout did."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _sha256() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 (`_sha2` from 3.12, `_sha256` before): hashlib would load
    OpenSSL's libcrypto for these few hashes (~4 MB of peak memory, ~1 ms per run). The same
    digest either way; hashlib where neither module exists."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found]
        except ImportError:
            from hashlib import sha256
    return sha256  # type: ignore[no-any-return]


def compute(paths: list[str], read: Reader, known: dict[str, str] | None = None) -> str:
    """The hex digest of `paths` (from `inputs`) read through `read` (a vanished file is hashed
    as empty: it is still listed, so its disappearance changes the digest). `known`: the hex
    digests of files already hashed (path -> hex), reused and filled in."""
    sha256 = _sha256()
    known = {} if known is None else known
    lines = []
    for path in paths:
        if path not in known:
            known[path] = sha256(normalise(read(path) or b"")).hexdigest()
        lines.append(f"{known[path]}  {path}\n")
    return str(sha256("".join(lines).encode("utf-8")).hexdigest())


def line_for(hex_digest: str) -> str:
    return PREFIX + hex_digest


def find(text: str) -> tuple[int, str] | None:
    """(1-based physical line, hex) of the first digest line in the root file's text."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = LINE_RE.match(line)
        if match:
            return number, match.group("hex")
    return None


def is_digest(text: str) -> bool:
    return LINE_RE.match(text) is not None
