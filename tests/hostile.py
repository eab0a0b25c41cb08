"""The hostile-input corpus: generated cases, each a small repository on disk.

Every case writes a root `requirements.txt` holding one hostile thing, and after it (before it
when the hostile thing must end the file) `-r canary.txt`, a file declaring `pylibmc==1.6.3`.
The canary finding proves the walk went on past the hostile line. `where` says which
(file, line) problems the case must produce; the exact messages are in
tests/fixtures/golden/hostile.json (regenerate with UPDATE_GOLDENS=1 and review the diff).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Builder = Callable[[Path, Path], None]  # (repo, outside dir) -> None


@dataclass(frozen=True)
class Case:
    name: str
    root: bytes  # the root file's bytes
    where: tuple[tuple[str, int | None], ...]  # expected problem locations, in order
    build: Builder | None = None  # extra files, symlinks, FIFOs
    canary: bool = True
    group: str = "include"
    extra: dict[str, bytes] = field(default_factory=dict)


CANARY = b"pylibmc==1.6.3\n"
SPELLINGS = (
    ("r-space", "-r {t}"),
    ("r-glued", "-r{t}"),
    ("requirement", "--requirement {t}"),
    ("requirement-eq", "--requirement={t}"),
    ("c-space", "-c {t}"),
    ("constraint-eq", "--constraint={t}"),
)


def _symlink(target: str, name: str) -> Builder:
    def build(repo: Path, outside: Path) -> None:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target.format(outside=outside), path)

    return build


def _chain(repo: Path, outside: Path) -> None:
    os.symlink("chain2.txt", repo / "chain1.txt")
    os.symlink(str(outside / "secret.txt"), repo / "chain2.txt")


def _loop(repo: Path, outside: Path) -> None:
    os.symlink("loop2.txt", repo / "loop1.txt")
    os.symlink("loop1.txt", repo / "loop2.txt")


def _fifo(repo: Path, outside: Path) -> None:
    os.mkfifo(repo / "fifo.txt")


def _big(repo: Path, outside: Path) -> None:
    with open(repo / "big.txt", "wb") as handle:  # sparse: no disk used
        handle.truncate(100 * 1024 * 1024)


def _directory(repo: Path, outside: Path) -> None:
    (repo / "sub").mkdir()
    (repo / "sub" / "requirements.txt").mkdir()


def _files(files: dict[str, bytes]) -> Builder:
    def build(repo: Path, outside: Path) -> None:
        for name, data in files.items():
            path = repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    return build


# (name, include target, builder, problem location relative to the root: "root" = the
# including line, or (file, line) for problems inside the included file)
TARGETS: tuple[tuple[str, str, Builder | None, tuple[tuple[str, int | None], ...] | None], ...] = (
    ("dotdot-etc-passwd", "../../etc/passwd", None, None),
    ("deep-dotdot", "a/../../../../../../../../etc/passwd", None, None),
    ("absolute", "/etc/passwd", None, None),
    ("absolute-outside-dir", "/tmp/../etc/hostname", None, None),
    ("tilde", "~/.ssh/id_rsa", None, None),
    ("symlink-file-out", "link-out.txt", _symlink("{outside}/secret.txt", "link-out.txt"), None),
    ("symlink-dir-out", "linkdir/secret.txt", _symlink("{outside}", "linkdir"), None),
    (
        "dotdot-after-symlinked-dir",
        "linkdir/../x.txt",
        _symlink("{outside}/inner", "linkdir"),
        None,
    ),
    ("symlink-chain-out", "chain1.txt", _chain, None),
    ("symlink-loop", "loop1.txt", _loop, None),
    (
        "symlink-dangling",
        "dangling.txt",
        _symlink("/nonexistent-outside/x.txt", "dangling.txt"),
        None,
    ),
    ("escape-from-subdir", "sub/../../x.txt", None, None),
    ("url-https", "https://example.invalid/requirements.txt", None, None),
    ("url-http", "http://example.invalid/requirements.txt", None, None),
    ("url-file", "file:///etc/passwd", None, None),
    ("url-vcs", "git+https://example.invalid/repo.git", None, None),
    ("url-ftp", "ftp://example.invalid/r.txt", None, None),
    ("windows-drive", "C:\\evil.txt", None, None),
    ("missing", "missing.txt", None, None),
    ("directory", "sub/requirements.txt", _directory, None),
    ("fifo", "fifo.txt", _fifo, None),
    ("over-size-limit", "big.txt", _big, None),
    ("env-var", "${HOME}/requirements.txt", None, None),
    ("self-cycle", "requirements.txt", None, None),
    (
        "nul-bytes",
        "nul.txt",
        _files({"nul.txt": b"\x00\x01\x02pylibmc\x00" * 64}),
        (("nul.txt", 1),),
    ),
    # invalid UTF-8 at byte 128, the first NUL, then garbage lines up to the per-file cap
    ("binary", "bin.txt", _files({"bin.txt": bytes(range(256)) * 16}), ()),
    (
        "megabyte-line",
        "long.txt",
        _files({"long.txt": b"a" * (1024 * 1024) + b"\n"}),
        (("long.txt", 1),),
    ),
)


def include_cases() -> list[Case]:
    cases = []
    for name, target, build, inner in TARGETS:
        for spelling_name, spelling in SPELLINGS:
            line = spelling.format(t=target)
            root = f"# hostile: {name}\n{line}\n-r canary.txt\n".encode()
            where = inner if inner is not None else (("requirements.txt", 2),)
            if name == "self-cycle" and spelling_name.startswith("c"):
                where = ()  # a file constraining itself is read once: pip does the same
            cases.append(Case(f"{name}[{spelling_name}]", root, where, build))
    return cases


BAD_LINES: tuple[tuple[str, str], ...] = (
    ("empty-r", "-r"),
    ("empty-c", "-c"),
    ("r-single-quotes", "-r 'missing one.txt'"),
    ("r-double-quotes", '-r "missing.txt"'),
    ("r-two-paths", "-r a.txt b.txt"),
    ("pin-without-version", "requests=="),
    ("two-names", "requests flask"),
    ("unclosed-extras", "requests[security"),
    ("only-extras", "[security]"),
    ("bad-marker", "requests; python_version <"),
    ("double-semicolon", "requests;;"),
    ("parenthesised-spec", "requests (==2.0"),
    ("at-nothing", "requests @"),
    ("unknown-option", "--unknown-option"),
    ("unknown-short-option", "-Z"),
    ("option-after-requirement", "requests==2.0 --unknown"),
    ("install-option", "requests==2.0 --install-option=--prefix=/tmp"),
    ("env-in-name", "${PKG}==1.0"),
    ("env-in-version", "requests==${VERSION}"),
    ("env-in-editable", "-e ${SRC}"),
    ("index-url", "--index-url https://example.invalid/simple"),
    ("index-url-short", "-i https://example.invalid/simple"),
    ("extra-index-url", "--extra-index-url=https://example.invalid/simple"),
    ("find-links", "--find-links https://example.invalid/wheels"),
    ("find-links-file", "-f file:///etc"),
    ("trusted-host", "--trusted-host example.invalid"),
    ("editable-vcs", "-e hg+https://example.invalid/repo#egg=thing"),
    ("editable-git", "-e git+https://example.invalid/repo.git#egg=thing"),
    ("editable-file-url", "-e file:///etc#egg=etc"),
    ("editable-outside", "-e ../../outside"),
    ("direct-url", "thing @ https://example.invalid/thing-1.0.tar.gz"),
    ("direct-file-url", "thing @ file:///etc/passwd"),
    ("bare-url", "https://example.invalid/thing-1.0.tar.gz"),
    ("local-wheel", "./dist/thing-1.0-py3-none-any.whl"),
    ("no-binary", "--no-binary :all:"),
    ("pre", "--pre"),
    ("require-hashes", "--require-hashes"),
    ("hash-alone", "--hash=sha256:abc"),
    ("use-feature", "--use-feature=fast-deps"),
    ("nul-in-line", "requests\x00==2.0"),
    ("tab-separated", "requests\t==\t2.0"),
    ("form-feed", "requests==2.0\x0c"),
    ("vertical-tab", "requests\x0b==2.0"),
    ("unicode-name", "réquests==2.0"),
    ("very-long-name", "a" * 5000 + "==1.0"),
    ("comment-after-nothing", "   # just a comment \\"),
)


def bad_line_cases() -> list[Case]:
    return [
        Case(
            f"bad-line[{name}]",
            f"# bad line: {name}\n{line}\n-r canary.txt\n".encode(),
            (),  # locations come from the golden file: a bad line is not always a problem
            None,
            group="bad-line",
        )
        for name, line in BAD_LINES
    ]


def _encoded(text: str, codec: str, bom: bytes = b"") -> bytes:
    return bom + text.encode(codec)


ENCODINGS: tuple[tuple[str, bytes], ...] = (
    ("utf8", b"requests==2.0\n-r canary.txt\n"),
    ("utf8-bom", codecs.BOM_UTF8 + b"requests==2.0\n-r canary.txt\n"),
    ("utf16-le-bom", _encoded("requests==2.0\n-r canary.txt\n", "utf-16-le", codecs.BOM_UTF16_LE)),
    ("utf16-be-bom", _encoded("requests==2.0\n-r canary.txt\n", "utf-16-be", codecs.BOM_UTF16_BE)),
    ("utf32-be-bom", _encoded("requests==2.0\n-r canary.txt\n", "utf-32-be", codecs.BOM_UTF32_BE)),
    ("utf32-le-bom", _encoded("requests==2.0\n-r canary.txt\n", "utf-32-le", codecs.BOM_UTF32_LE)),
    ("pep263-latin1", "# -*- coding: latin-1 -*-\n# café\n-r canary.txt\n".encode("latin-1")),
    ("pep263-second-line", "#!x\n# coding=latin-1\n# é\n-r canary.txt\n".encode("latin-1")),
    ("pep263-unknown", b"# coding: no-such-codec\n-r canary.txt\n"),
    ("invalid-utf8", b"requests==2.0 # \xff\xfe broken\n-r canary.txt\n"),
    ("invalid-utf8-late", b"requests==2.0\n" * 50 + b"\xc3\x28\n-r canary.txt\n"),
    ("latin1-without-declaration", "# café\n-r canary.txt\n".encode("latin-1")),
    ("crlf", b"requests==2.0\r\n-r canary.txt\r\n"),
    ("cr-only", b"requests==2.0\r-r canary.txt\r"),
    ("mixed-eol", b"requests==2.0\r\n-r canary.txt\nflask\r"),
    ("no-final-newline", b"requests==2.0\n-r canary.txt"),
    ("tabs", b"\trequests==2.0\t# tab\n\t-r\tcanary.txt\n"),
    ("form-feeds", b"\x0c\nrequests==2.0\n\x0c-r canary.txt\n"),
    ("trailing-backslash-eof", b"-r canary.txt\nrequests==2.0 \\"),
    ("only-backslash-eof", b"-r canary.txt\n\\"),
    ("continuation-into-comment", b"-r canary.txt\nrequests==2.0 \\\n# comment\n"),
    ("unicode-line-separator", "requests==2.0\u2028-r canary.txt\n".encode()),
    ("nel-separator", "requests==2.0\x85-r canary.txt\n".encode()),
    ("empty-file-then-include", b"\n\n\n-r canary.txt\n"),
)


def encoding_cases() -> list[Case]:
    # pip reads a UTF-32-LE file as UTF-16 (the BOMs share a prefix): nothing in it is read,
    # so the canary include there is unreachable, for pip and for us
    unreadable = {"utf32-le-bom"}
    return [
        Case(f"encoding[{name}]", data, (), None, canary=name not in unreadable, group="encoding")
        for name, data in ENCODINGS
    ]


def _both(*builders: Builder) -> Builder:
    def build(repo: Path, outside: Path) -> None:
        for builder in builders:
            builder(repo, outside)

    return build


def _fifo_named(name: str) -> Builder:
    def build(repo: Path, outside: Path) -> None:
        os.mkfifo(repo / name)

    return build


def _big_named(name: str) -> Builder:
    def build(repo: Path, outside: Path) -> None:
        with open(repo / name, "wb") as handle:
            handle.truncate(100 * 1024 * 1024)

    return build


SETUP_PY = b"from setuptools import setup\nsetup()\n"
TOOL = b'[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
DYNAMIC = TOOL + b'[project]\nname = "app"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\n'
POETRY = (
    b'[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    b'[tool.poetry]\nname = "app"\nversion = "1"\n[tool.poetry.dependencies]\n'
)
# (name, builder): a local project (`-e .`) whose metadata is hostile; nothing outside the
# repository may be opened, nothing run, and the walk must still reach the canary
METADATA: tuple[tuple[str, Builder], ...] = (
    ("pyproject-symlink-out", _symlink("{outside}/secret.txt", "pyproject.toml")),
    (
        "setup-cfg-symlink-out",
        _both(_files({"setup.py": SETUP_PY}), _symlink("{outside}/secret.txt", "setup.cfg")),
    ),
    ("setup-py-symlink-out", _symlink("{outside}/secret.txt", "setup.py")),
    ("pyproject-fifo", _both(_files({"setup.py": SETUP_PY}), _fifo_named("pyproject.toml"))),
    ("pyproject-over-size", _both(_files({"setup.py": SETUP_PY}), _big_named("pyproject.toml"))),
    ("pyproject-binary", _files({"pyproject.toml": bytes(range(256)) * 4})),
    (
        "pyproject-utf16",
        _files({"pyproject.toml": codecs.BOM_UTF16_LE + "[project]".encode("utf-16-le")}),
    ),
    (
        "dynamic-file-dotdot",
        _files({"pyproject.toml": DYNAMIC + b'dependencies = {file = ["../../etc/passwd"]}\n'}),
    ),
    (
        "dynamic-file-absolute",
        _files({"pyproject.toml": DYNAMIC + b'dependencies = {file = ["/etc/passwd"]}\n'}),
    ),
    (
        "dynamic-file-symlink-out",
        _both(
            _files({"pyproject.toml": DYNAMIC + b'dependencies = {file = ["reqs.in"]}\n'}),
            _symlink("{outside}/secret.txt", "reqs.in"),
        ),
    ),
    (
        "setup-cfg-file-out",
        _files(
            {
                "setup.py": SETUP_PY,
                "setup.cfg": b"[options]\ninstall_requires = file: ../../etc/passwd\n",
            }
        ),
    ),
    (
        "setup-cfg-interpolation",
        _files({"setup.py": SETUP_PY, "setup.cfg": b"[options]\ninstall_requires = a%(b\n"}),
    ),
    (
        "setup-cfg-duplicate-section",
        _files({"setup.py": SETUP_PY, "setup.cfg": b"[options]\n[options]\n"}),
    ),
    ("setup-py-deep-nesting", _files({"setup.py": b"x = " + b"(" * 5000 + b")" * 5000 + b"\n"})),
    ("setup-py-not-python", _files({"setup.py": b"\x00\xff garbage\n"})),
    (
        "setup-py-exec",
        _files({"setup.py": b"import os\nos.system('touch /tmp/pwned')\nsetup(**eval('{}'))\n"}),
    ),
    (
        "poetry-path-out",
        _files({"pyproject.toml": POETRY + b'x = {path = "../../outside"}\ny = {path = "/etc"}\n'}),
    ),
    ("poetry-path-self", _files({"pyproject.toml": POETRY + b'app = {path = "."}\n'})),
    (
        "toml-deep-arrays",
        _files(
            {
                "pyproject.toml": TOOL
                + b"[project]\ndependencies = "
                + b"[" * 5000
                + b"]" * 5000
                + b"\n"
            }
        ),
    ),
)


def metadata_cases() -> list[Case]:
    return [
        Case(f"metadata[{name}]", b"-e .\n-r canary.txt\n", (), builder, group="metadata")
        for name, builder in METADATA
    ]


def all_cases() -> list[Case]:
    return include_cases() + bad_line_cases() + encoding_cases() + metadata_cases()
