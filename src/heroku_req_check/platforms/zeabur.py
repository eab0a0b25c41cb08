"""Zeabur: zbpack's Python plan (zeabur/zbpack v1.0.1, c988eff5), read in its own source.

With pip as the package manager (plan.go:132-217 `DeterminePackageManager`: requirements.txt,
unless a Pipfile, Poetry or PDM comes first), the generated Dockerfile copies the whole app
(`COPY . .`, python.go:77) and then runs, as two RUN steps:

    sed '/-e/d' requirements.txt | pip install -r /dev/stdin     (pkgmanager.go:48)
    pip install -r requirements.txt                              (pkgmanager.go:68)

pip opens `-r`/`-c` relative to the file that names them (pip req_file.py
`_parse_and_recurse`), here `/dev/stdin`: every relative include of the first pass is looked
for under `/dev/` and the RUN fails ("Could not open requirements file"). sed deletes every
line *containing* `-e` before pip sees it, wherever the two characters are (`-e .`,
`--extra-index-url`, `django-environ`, `typing-extensions`, a comment); the second pass reads
the real file, so a dropped line only matters where the first pass then fails or installs
something else. Which apt packages and which framework the plan takes come from
`HasDependency`/`HasExplicitDependency` (plan.go:219-275): a lowercase substring test of the
root requirements.txt only (`utils.WeakContains`, contains.go:6-8), decoded by
`utils.ReadFileToUTF8` (encoding.go:13-44: a UTF-16 or UTF-8 BOM decides, UTF-8 otherwise).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..catalog import Era, Rule, Selection
from ..detectors import Reader, Verdict
from ..fix import Unfixable, replace_line
from ..model import Finding, Fix, RequirementsTree
from ..reqfile import SIMPLE_INCLUDE_RE, decode, logical_lines, split_args_options
from ..tree import URL_RE
from .builders import labels, platform_names, root_text_bytes

ROOT = "requirements.txt"
INSTALL = "sed '/-e/d' requirements.txt | pip install -r /dev/stdin"
SECOND = "pip install -r requirements.txt"
SOURCE = "zbpack v1.0.1 internal/python/pkgmanager.go:48, 68; python.go:77"
# the comment the include fix appends: sed drops the line from the /dev/stdin pass, and the
# second pass, which reads the real file, installs what it includes
FIX_COMMENT = "# -e: Zeabur's /dev/stdin pass skips this include; its second pass reads it"


@cache
def read_to_utf8(data: bytes) -> str:
    """utils.ReadToUTF8 (encoding.go:13-28): unicode.BOMOverride over a UTF-8 decoder, which
    replaces bad bytes; a UTF-16 BOM switches to UTF-16."""
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", "replace")
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", "replace")
    return data.decode("utf-8-sig", "replace")


def _weak_contains(text: str, needle: str) -> bool:
    """utils.WeakContains: strings.Contains(strings.ToLower(a), strings.ToLower(b))."""
    return needle.lower() in text.lower()


def _entry(read: Reader, candidates: tuple[str, ...]) -> str | None:
    """DetermineEntry (plan.go:107-130): zbpack.json's python.entry, else the first of
    main.py, app.py, manage.py, server.py, app/__init__.py that exists."""
    config = read("zbpack.json")
    if config is not None:
        try:
            document = json.loads(config.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            document = None
        python = document.get("python") if isinstance(document, dict) else None
        entry = python.get("entry") if isinstance(python, dict) else None
        if isinstance(entry, str) and entry:
            return entry
    return next((name for name in candidates if read(name) is not None), None)


def contains_verdict(era: Era, tree: RequirementsTree, read: Reader) -> Verdict:
    """HasDependency / HasExplicitDependency with pip: whether the root requirements.txt's text
    contains the era's pattern, under the step's conditions: `requires` lists DetermineEntry's
    candidates and `requires_code` is matched against the entry file's text (DetermineWsgi,
    plan.go:307-348: the `app = Flask(` line that names the WSGI object); `with_packages` are
    installed too; a `decided_first` case (another framework chosen first) makes the miss cost
    nothing. Seen is seen: the conditions are only asked when the pattern is not."""
    data = root_text_bytes(tree, ROOT, read)
    text = read_to_utf8(data) if data is not None else ""
    if _weak_contains(text, era.pattern):
        return Verdict(True)
    if era.requires:
        entry = _entry(read, era.requires)
        if entry is None:
            return Verdict(True)  # no entry file: the start command is `python main.py` anyway
        if era.requires_code:
            data = read(entry)
            # Go's regexp: \w and \s are ASCII
            if data is None or not re.search(era.requires_code, read_to_utf8(data), re.ASCII):
                return Verdict(True)  # no WSGI object found: `python <entry>` either way
    if era.with_packages and not any(
        d.installs and d.key in era.with_packages for d in tree.declarations
    ):
        return Verdict(True)
    for case in era.decided_first:
        seen = not case.seen or any(_weak_contains(text, p) for p in case.seen)
        exists = not case.files or any(read(name) is not None for name in case.files)
        if seen and exists:
            return Verdict(True)  # another branch decides first: missing it costs nothing
    return Verdict(False)


# -- the /dev/stdin pass -------------------------------------------------------------------


@dataclass(frozen=True)
class FirstPass:
    """What `sed '/-e/d' requirements.txt | pip install -r /dev/stdin` reads, from the root's
    bytes. `origin[n]` is the root line that line n of the piped text was (index 0 unused);
    `dropped` the root lines sed deletes. Lines are counted as pip counts them."""

    text: str
    origin: tuple[int, ...]
    dropped: frozenset[int]


_WIDE = ("utf-16", "utf-32")


@cache
def first_pass(data: bytes) -> FirstPass:
    """GNU sed's `/-e/d` on the root's bytes (lines end at b"\\n"; a line is deleted when
    its bytes contain b"-e"), then decoded as pip decodes /dev/stdin (auto_decode)."""
    decoded = decode(data)
    chunks = data.split(b"\n")
    texts = decoded.text.split("\n")
    wide = decoded.encoding.replace("_", "-").lower().startswith(_WIDE)
    if wide or len(chunks) != len(texts):
        # a UTF-16/32 file has no b"-e" in any ASCII sense: sed leaves it whole
        count = len(decoded.text.splitlines())
        return FirstPass(decoded.text, tuple(range(count + 1)), frozenset())
    kept: list[bytes] = []
    origin = [0]
    dropped: set[int] = set()
    line = 1
    last = len(chunks) - 1
    for index, (chunk, text) in enumerate(zip(chunks, texts, strict=True)):
        if index == last and not chunk:
            break  # the file ended with a newline
        count = len(text.splitlines()) or 1  # a lone CR or form feed makes more pip lines
        numbers = range(line, line + count)
        if b"-e" in chunk:
            dropped.update(numbers)
        else:
            kept.append(chunk + (b"" if index == last else b"\n"))
            origin.extend(numbers)
        line += count
    piped = decode(b"".join(kept)).text
    return FirstPass(piped, tuple(origin), frozenset(dropped))


@dataclass(frozen=True)
class _Line:
    number: int  # the root file's line
    text: str  # the logical line, comments removed
    args: str  # the requirement part ("" for an option line)
    options: dict[str, object]


def _parse(number: int, line: str) -> _Line | None:
    """A logical line as pip's line parser reads it (None when pip rejects it: the tree
    already reports that as a problem). Requirements and plain includes take the same fast
    paths as tree.py; pip's parser (an import of ~0.1 s) reads the other option lines."""
    args, options = split_args_options(line)
    if args:
        return _Line(number, line, args, {"hashes": True} if _HASH_RE.search(options) else {})
    simple = SIMPLE_INCLUDE_RE.fullmatch(line)
    if simple:
        flag = simple.group("short") or simple.group("long")
        kind = "requirements" if flag in ("-r", "--requirement") else "constraints"
        return _Line(number, line, args, {kind: [simple.group("path")]})
    try:
        _args, opts, _arguments = _line_parser()(line)
    except Exception:  # optparse and shlex errors, as pipline.parse_options
        return None
    return _Line(number, line, args, {k: v for k, v in vars(opts).items() if v})


# `--hash` on a requirement, or a prefix optparse takes for it
_HASH_RE = re.compile(r"(?:^|\s)--ha(?:s|sh)?(?=$|[\s=])")


@cache
def _line_parser() -> Callable[[str], tuple[str, Any, list[str]]]:
    import pip_requirements_parser as prp

    parser: Callable[[str], tuple[str, Any, list[str]]] = prp.get_line_parser()
    return parser


def _kept_lines(passed: FirstPass) -> list[_Line]:
    found = []
    for number, line in logical_lines(passed.text):
        parsed = _parse(passed.origin[number] if number < len(passed.origin) else number, line)
        if parsed is not None:
            found.append(parsed)
    return found


def _local(target: str) -> bool:
    return not (URL_RE.match(target) or os.path.isabs(target) or "${" in target)


def stdin_findings(
    tree: RequirementsTree,
    selection: Selection,
    rule: Rule,
    era: Era,
    read: Reader,
    selections: list[Selection],
) -> list[Finding]:
    """One finding per include of the root that the /dev/stdin pass reads: pip looks for it
    under /dev/ and the RUN fails. An include line holding `-e` is dropped by sed, so only the
    second pass, which resolves it, reads it."""
    root = tree.root_file
    assert root is not None
    passed = first_pass(root.data)
    shown = labels(selection)
    blockers = sorted(platform_names(selections) & {"cloudfoundry", "serverless"})
    physical = root.text.splitlines()
    found = []
    for line in _kept_lines(passed):
        for kind in ("requirements", "constraints"):
            targets = line.options.get(kind) or []
            assert isinstance(targets, list)
            for target in targets:
                if not _local(str(target)):
                    continue
                fix, advice = _include_fix(root.path, root.data, physical, line.number, blockers)
                what = "includes" if kind == "requirements" else "names the constraints file"
                found.append(
                    Finding(
                        rule=rule.id,
                        package=str(target),
                        severity="error",
                        file=root.path,
                        line=line.number,
                        platforms=shown,
                        title=f"{target}: opened under /dev/ by {shown[0]}'s install",
                        message=(
                            f"{root.path} line {line.number} {what} {target}, but {shown[0]} "
                            f"first installs with `{INSTALL}` ({SOURCE}): pip opens an "
                            "include relative to the file that names it, here /dev/stdin, so "
                            f"it looks for {posixpath.join('/dev', str(target))} and stops "
                            "('Could not open requirements file'), and the build fails. "
                            f"{advice}"
                        ),
                        fix=fix,
                    )
                )
    return found


def _include_fix(
    path: str, data: bytes, physical: list[str], number: int, blockers: list[str]
) -> tuple[Fix | None, str]:
    """The one edit that works: a comment holding `-e` on the include line. sed then drops the
    line from the /dev/stdin pass, and `pip install -r requirements.txt`, which zbpack runs
    right after in the same image (pkgmanager.go:68), installs everything it includes."""
    flatten = (
        "The other way out is a flat requirements.txt (every line of the included files in "
        "it, e.g. pip-compile's output)."
    )
    if blockers:
        return None, (
            f"A comment holding `-e` on that line would keep it out of that pass, but "
            f"{' and '.join(blockers)} (also selected) "
            f"{'take' if len(blockers) > 1 else 'takes'} the rest of a `-r` line as the path "
            f"and would then fail. {flatten}"
        )
    content = physical[number - 1] if number <= len(physical) else ""
    if not content or content.rstrip().endswith("\\"):
        return None, flatten
    new = content.rstrip(" \t") + "  " + FIX_COMMENT
    try:
        replace_line(data, number, new)
    except Unfixable:
        return None, flatten
    return Fix(path, number, new, "replace"), (
        "Add a comment holding `-e` to that line (the suggested edit): sed then drops it from "
        f"the /dev/stdin pass, and the second pass, `{SECOND}`, which reads the real file, "
        f"installs what it includes. {flatten}"
    )


_WHERE = ("index_url", "extra_index_urls", "find_links", "no_index", "trusted_hosts")
_SPELLING = {
    "index_url": "--index-url",
    "extra_index_urls": "--extra-index-url",
    "find_links": "--find-links",
    "no_index": "--no-index",
    "trusted_hosts": "--trusted-host",
}
_VARIABLE = {
    "index_url": "PIP_INDEX_URL",
    "extra_index_urls": "PIP_EXTRA_INDEX_URL",
    "find_links": "PIP_FIND_LINKS",
    "no_index": "PIP_NO_INDEX",
    "trusted_hosts": "PIP_TRUSTED_HOST",
}


def sed_findings(
    tree: RequirementsTree,
    selection: Selection,
    rule: Rule,
    era: Era,
    read: Reader,
    selections: list[Selection],
) -> list[Finding]:
    """Root lines sed drops where that changes what the /dev/stdin pass installs: an option
    saying where packages come from (that pass then takes every package from PyPI alone), and,
    in hash-checking mode, a requirement (a package another one needs then has no hash)."""
    root = tree.root_file
    assert root is not None
    passed = first_pass(root.data)
    if not passed.dropped:
        return []
    kept = _kept_lines(passed)
    installs = any(line.args for line in kept)
    hashed = next(
        (
            line.number
            for line in kept
            if (line.args and line.options.get("hashes")) or line.options.get("require_hashes")
        ),
        0,
    )
    shown = labels(selection)
    names = {(d.line, d.file): d for d in tree.declarations}
    found = []
    for number, text in logical_lines(root.text):
        if number not in passed.dropped:
            continue
        line = _parse(number, text)
        if line is None:
            continue
        lead = (
            f"{root.path} line {number} contains '-e', so {shown[0]}'s first install, "
            f"`{INSTALL}` ({SOURCE}), never sees it"
        )
        if line.args and hashed:
            decl = names.get((number, root.path))
            package = decl.key if decl is not None else line.args.split()[0]
            found.append(
                Finding(
                    rule=rule.id,
                    package=package,
                    severity="warning",
                    file=root.path,
                    line=number,
                    platforms=shown,
                    title=f"{package}: left out of {shown[0]}'s hash-checked first install",
                    message=(
                        f"{lead}, while line {hashed} puts that install in hash-checking "
                        f"mode: if a package it installs depends on {package}, pip finds "
                        f"{package} without a hash and stops ('In --require-hashes mode, all "
                        "requirements must have their versions pinned with =='), and the "
                        "build fails. Nothing in requirements.txt avoids it while the name "
                        "holds '-e': drop the hashes, or build with your own Dockerfile "
                        "(zbpack then uses it)."
                    ),
                )
            )
            continue
        where = [key for key in _WHERE if line.options.get(key)]
        if not where or not installs:
            continue
        spelled = ", ".join(_SPELLING[key] for key in where)
        variables = ", ".join(_VARIABLE[key] for key in where)
        found.append(
            Finding(
                rule=rule.id,
                package=_SPELLING[where[0]],
                severity="warning",
                file=root.path,
                line=number,
                platforms=shown,
                title=f"{spelled}: left out of {shown[0]}'s first install",
                message=(
                    f"{lead}: that install runs without {spelled}, so a package only that "
                    "source serves fails it (and the build), and a package of the same name "
                    "on PyPI is installed instead and kept by the second install "
                    f"(`{SECOND}`) when its version fits. Set it as the service variable "
                    f"{variables} instead: Zeabur writes service variables into the "
                    "Dockerfile as ENV (pkg/zeaburpack/injection.go:14-60), which both pip "
                    "runs read."
                ),
            )
        )
    return found
