"""Which files a `pip install` / `uv pip install` / `uv pip sync` command line makes the
installer open, read from its words.

pip's command line is parsed with optparse and pip 26.2.1's own option table for `install`
(general options included), so abbreviations (`--req x`), attached values (`-rx`,
`--requirement=x`) and option order behave as in pip. uv's (clap) table is uv 0.13.9's
`uv pip install --help` / `uv pip sync --help`: no abbreviations, `--opt=value`, `-rVALUE`.
"""

from __future__ import annotations

import optparse
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# pip 26.2.1, `pip install`: every option that takes a value (the rest are flags)
_PIP_VALUES = [
    "--abi",
    "--all-releases",
    "--build-constraint",
    "--cache-dir",
    "--cert",
    "--client-cert",
    "--config-settings",
    "--constraint",
    "--default-timeout",
    "--editable",
    "--exists-action",
    "--extra-index-url",
    "--find-links",
    "--group",
    "--implementation",
    "--index-url",
    "--keyring-provider",
    "--local-log",
    "--log",
    "--log-file",
    "--no-binary",
    "--only-binary",
    "--only-final",
    "--platform",
    "--prefix",
    "--progress-bar",
    "--proxy",
    "--pypi-url",
    "--python",
    "--python-version",
    "--refresh-package",
    "--report",
    "--requirement",
    "--requirements-from-script",
    "--resume-retries",
    "--retries",
    "--root",
    "--root-user-action",
    "--source",
    "--source-dir",
    "--source-directory",
    "--src",
    "--target",
    "--timeout",
    "--trusted-host",
    "--upgrade-strategy",
    # `pip wheel -w` and `pip download -d` (they read -r/-c files as install does)
    "--wheel-dir",
    "--dest",
    "--uploaded-prior-to",
    "--use-deprecated",
    "--use-feature",
]
_PIP_SHORT_VALUES = {"-C": "--config-settings", "-c": "--constraint", "-e": "--editable",
                     "-f": "--find-links", "-i": "--index-url", "-r": "--requirement",
                     "-t": "--target", "-w": "--wheel-dir", "-d": "--dest"}  # fmt: skip
_PIP_FLAGS = [
    "--break-system-packages",
    "--check-build-dependencies",
    "--compile",
    "--debug",
    "--disable-pip-version-check",
    "--dry-run",
    "--force-reinstall",
    "--help",
    "--ignore-installed",
    "--ignore-requires-python",
    "--isolated",
    "--no-build-isolation",
    "--no-cache-dir",
    "--no-clean",
    "--no-color",
    "--no-compile",
    "--no-dependencies",
    "--no-deps",
    "--no-index",
    "--no-input",
    "--no-proxy-env",
    "--no-python-version-warning",
    "--no-require-hashes",
    "--no-user",
    "--no-warn-conflicts",
    "--no-warn-script-location",
    "--only-dependencies",
    "--only-deps",
    "--pre",
    "--prefer-binary",
    "--quiet",
    "--require-hashes",
    "--require-venv",
    "--require-virtualenv",
    "--upgrade",
    "--use-pep517",
    "--user",
    "--verbose",
    "--version",
]
_PIP_SHORT_FLAGS = {"-I": "--ignore-installed", "-U": "--upgrade", "-V": "--version",
                    "-h": "--help", "-q": "--quiet", "-v": "--verbose"}  # fmt: skip

# uv 0.13.9, `uv pip install` and `uv pip sync` (and uv's global options): options with a value
_UV_VALUES = frozenset(
    [
        "-r",
        "--requirements",
        "--requirement",
        "-e",
        "--editable",
        "--no-editable-package",
        "-c",
        "--constraints",
        "--constraint",
        "--overrides",
        "--override",
        "--excludes",
        "-b",
        "--build-constraints",
        "--build-constraint",
        "--extra",
        "--cert",
        "--group",
        "-t",
        "--target",
        "--prefix",
        "--no-binary",
        "--only-binary",
        "--python-version",
        "--python-platform",
        "--output-format",
        "--torch-backend",
        "--index",
        "--default-index",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--index-strategy",
        "--keyring-provider",
        "-P",
        "--upgrade-package",
        "--upgrade-group",
        "--resolution",
        "--prerelease",
        "--prerelease-package",
        "--fork-strategy",
        "--exclude-newer",
        "--exclude-newer-package",
        "--no-sources-package",
        "--reinstall-package",
        "--link-mode",
        "-C",
        "--config-setting",
        "--config-settings-package",
        "--no-build-isolation-package",
        "--cache-dir",
        "--refresh-package",
        "-p",
        "--python",
        "--color",
        "--allow-insecure-host",
        "--directory",
        "--project",
        "--config-file",
    ]
)
_UV_KEYS = {
    "-r": "requirements", "--requirements": "requirements", "--requirement": "requirements",
    "-c": "constraints", "--constraints": "constraints", "--constraint": "constraints",
    "--overrides": "constraints", "--override": "constraints",
    "-b": "constraints", "--build-constraints": "constraints", "--build-constraint": "constraints",
    "-e": "editables", "--editable": "editables", "-f": "find_links", "--find-links": "find_links",
    "--group": "groups", "--directory": "directory",
    "-t": "writes", "--target": "writes", "--prefix": "writes",
}  # fmt: skip
ARCHIVE_EXTENSIONS = (
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)  # fmt: skip  (pip/_internal/utils/filetypes.py ARCHIVE_EXTENSIONS)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PIP_EXE = re.compile(r"pip(\d+(\.\d+)?)?")
_PYTHON_EXE = re.compile(r"(python|pypy)(\d+(\.\d+)?)?")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_INTERPRETER_VALUE_OPTIONS = frozenset(("-W", "-X", "-c", "--check-hash-based-pycs"))


@dataclass(frozen=True)
class Install:
    """One installer run: the paths it was given, as written (relative to its directory)."""

    tool: str  # "pip" or "uv"
    text: str  # the command as shown in messages
    action: str = "install"  # install, wheel, download (pip); install, sync (uv)
    requirements: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    editables: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # positional local paths (`.`, `./pkg`, `dist/x.whl`)
    find_links: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # `--group [path:]name`: reads a pyproject.toml
    no_index: bool = False
    directory: str = ""  # uv --directory: relative paths start there
    unknown: tuple[str, ...] = field(default=())  # options whose value is not known here
    # paths it writes besides site-packages: --target, --prefix, --root, --src, `pip wheel -w`,
    # `pip download -d`, --log, --report (None: one whose value is not known here)
    writes: tuple[str | None, ...] = ()
    wheel_dir: str | None = ""  # `pip wheel -w DIR` (the last one; "" = none, None = not known)


class _Error(Exception):
    pass


class _Parser(optparse.OptionParser):
    def error(self, msg: str) -> None:  # type: ignore[override]
        raise _Error(msg)


def _pip_parser() -> _Parser:
    parser = _Parser(add_help_option=False)
    parser.disable_interspersed_args = lambda: None  # type: ignore[method-assign]
    shorts = {v: k for k, v in _PIP_SHORT_VALUES.items()}
    for name in _PIP_VALUES:
        names = [shorts[name], name] if name in shorts else [name]
        parser.add_option(*names, dest=name.strip("-").replace("-", "_"), action="append")
    flag_shorts = {v: k for k, v in _PIP_SHORT_FLAGS.items()}
    for name in _PIP_FLAGS:
        names = [flag_shorts[name], name] if name in flag_shorts else [name]
        parser.add_option(*names, dest=name.strip("-").replace("-", "_"), action="count")
    return parser


_PARSER = _pip_parser()


def looks_like_path(arg: str) -> bool:
    """pip's _looks_like_path, or an archive name (constructors.py, _get_url_from_path)."""
    if _URL.match(arg) or ("@" in arg.split("/", 1)[0] and not arg.startswith(".")):
        return False
    name = strip_extras(arg)
    return "/" in name or name.startswith(".") or name.lower().endswith(ARCHIVE_EXTENSIONS)


def strip_extras(path: str) -> str:
    """`.[dev]` -> `.` (pip's strip_extras)."""
    match = re.match(r"^(.+)(\[[^\]]+\])$", path)
    return match.group(1) if match else path


_PREFIXES = frozenset(
    ("exec", "time", "command", "nice", "nohup", "then", "do", "else", "!", "if", "elif",
     "while", "until", "{")
)  # fmt: skip


def strip_prefix(words: list[str]) -> list[str]:
    """Drop `VAR=value` assignments, reserved words that open a compound command (`if`, `then`,
    `do`, `{`, ...) and wrappers (`sudo -E`, `env X=1`, `exec`, `time`): the command they run
    remains."""
    return _strip_prefix(words)


def _strip_prefix(words: list[str]) -> list[str]:
    i = 0
    while i < len(words):
        word = words[i]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word) or word in _PREFIXES:
            i += 1
        elif word in ("sudo", "env"):
            i += 1
            while i < len(words) and words[i].startswith("-"):
                takes = words[i] in ("-u", "-g", "-C", "-h", "-p", "-U", "-S")
                i += 2 if takes and word == "sudo" else 1
        else:
            break
    return words[i:]


def is_pip(program: str) -> bool:
    """`pip`, `pip3`, `pip3.12`."""
    return _PIP_EXE.fullmatch(program) is not None


def is_python(program: str) -> bool:
    """`python`, `python3`, `python3.12`, `pypy3`."""
    return _PYTHON_EXE.fullmatch(program) is not None


def python_module(args: Sequence[str]) -> tuple[str, list[str]] | None:
    """(module, its arguments) of `python [options] -m module ...`, else None."""
    i = 0
    while i < len(args) and args[i].startswith("-") and not args[i].startswith("-m"):
        i += 2 if args[i] in _INTERPRETER_VALUE_OPTIONS else 1
    if i >= len(args):
        return None
    if args[i] == "-m" and i + 1 < len(args):
        return args[i + 1], list(args[i + 2 :])
    if args[i].startswith("-m") and len(args[i]) > 2:
        return args[i][2:], list(args[i + 1 :])
    return None


def parse(words: Sequence[str | None]) -> Install | None:
    """The install a simple command runs, or None when it runs no pip/uv install.

    A word whose value is unknown (None) stops the analysis of that command only when it is
    the program or a path argument; it is then named in `unknown`."""
    shown = " ".join(w if w is not None else "<unknown>" for w in words)
    known = [w if w is not None else "\0" for w in words]
    known = _strip_prefix(known)
    if not known:
        return None
    program = posixpath.basename(known[0])
    rest = known[1:]
    if _PYTHON_EXE.fullmatch(program):
        module = python_module(rest)
        if module is None:
            return None
        program, rest = module
    if _PIP_EXE.fullmatch(program):
        return _parse_pip(rest, shown)
    if program == "uv":
        return _parse_uv(rest, shown)
    return None


def _parse_pip(args: list[str], shown: str) -> Install | None:
    # general options may come before the command name (`pip --no-cache-dir install -r x`)
    i = 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        takes = arg in _PIP_VALUES or arg in _PIP_SHORT_VALUES  # `--log x`, `-r x`
        i += 2 if takes else 1
    if i >= len(args) or args[i] not in ("install", "wheel", "download"):
        return None
    try:
        options, positional = _PARSER.parse_args(args[:i] + args[i + 1 :], values=None)
    except _Error:
        return None  # pip itself would stop with a usage error before opening any file
    values = vars(options)

    def get(name: str) -> tuple[str, ...]:
        return tuple(values.get(name) or ())

    unknown = [v for v in (*get("requirement"), *get("constraint"), *get("editable")) if "\0" in v]
    paths = tuple(p for p in positional if "\0" not in p and looks_like_path(p))
    unknown += [p for p in positional if "\0" in p]
    clean = tuple(v for v in get("requirement") if "\0" not in v)
    written = ("target", "prefix", "root", "src", "source", "source_dir", "source_directory",
               "wheel_dir", "dest", "log", "log_file", "local_log", "report")  # fmt: skip
    writes = tuple(None if "\0" in v else v for name in written for v in get(name))
    wheel_dirs = get("wheel_dir")
    wheel_dir = (None if "\0" in wheel_dirs[-1] else wheel_dirs[-1]) if wheel_dirs else ""
    return Install(
        tool="pip",
        text=shown,
        action=args[i],
        requirements=clean,
        constraints=tuple(v for v in get("constraint") if "\0" not in v),
        editables=tuple(v for v in get("editable") if "\0" not in v),
        paths=paths,
        find_links=tuple(v for v in get("find_links") if "\0" not in v),
        groups=tuple(v for v in get("group") if "\0" not in v),
        no_index=bool(values.get("no_index")),
        unknown=tuple(shown_unknown(u) for u in unknown),
        writes=writes,
        wheel_dir=wheel_dir,
    )


def shown_unknown(value: str) -> str:
    return value.replace("\0", "<unknown>")


def _parse_uv(args: list[str], shown: str) -> Install | None:
    collected: dict[str, list[str]] = {}
    subcommands: list[str] = []
    positional: list[str] = []
    no_index = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional += args[i + 1 :]
            break
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
            name, value = arg[:2], arg[2:]
            if name not in _UV_VALUES:
                name, value = arg, ""
        elif arg in _UV_VALUES and i + 1 < len(args):
            name, value = arg, args[i + 1]
            i += 1
        else:
            name, value = arg, ""
        i += 1
        if name.startswith("-"):
            if name == "--no-index":
                no_index = True
            if name in _UV_KEYS and value:
                collected.setdefault(_UV_KEYS[name], []).append(value)
            continue
        if len(subcommands) < 2:
            subcommands.append(name)
        else:
            positional.append(name)
    if subcommands[:1] != ["pip"] or subcommands[1:2] not in (["install"], ["sync"]):
        return None
    requirements = collected.get("requirements", [])
    paths: list[str] = []
    if subcommands[1] == "sync":
        requirements = requirements + positional  # uv pip sync SRC_FILE...
    else:
        paths = [p for p in positional if looks_like_path(p)]
    unknown = [v for key, vs in collected.items() if key != "writes" for v in vs if "\0" in v]
    unknown += [p for p in positional if "\0" in p]

    def clean(items: list[str]) -> tuple[str, ...]:
        return tuple(v for v in items if "\0" not in v)

    directory = clean(collected.get("directory", []))
    writes = tuple(None if "\0" in v else v for v in collected.get("writes", []))
    return Install(
        tool="uv",
        text=shown,
        action=subcommands[1],
        requirements=clean(requirements),
        constraints=clean(collected.get("constraints", [])),
        editables=clean(collected.get("editables", [])),
        paths=clean(paths),
        find_links=clean(collected.get("find_links", [])),
        groups=clean(collected.get("groups", [])),
        no_index=no_index,
        directory=directory[-1] if directory else "",
        unknown=tuple(shown_unknown(u) for u in unknown),
        writes=writes,
    )
