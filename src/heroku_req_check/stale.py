"""Stale packages: what a pull request removes from nested files that the buildpack keeps.

Heroku never uninstalls what its cache restored unless it notices the change: v43-v166 compared
the old and new *root* file (its `-r` lines resolved against today's nested files, so nested
removals are invisible), v167-v262 (`diff`) and v263+ (`cmp`) drop the cached packages only
when the root file's bytes change. Given a base revision, every package declared (and installed)
at the base but nowhere in the tree now, removed from a nested file, is reported with how to
clear it.

The base tree is read with `git archive` into a temporary directory (tar members filtered so
nothing lands outside it) and walked with the same walker, limits and containment as the head.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalog
from .catalog import Selection, format_ranges
from .model import Finding, Fix, RequirementsTree
from .reqfile import canonical_key
from .tree import Limits, walk

if TYPE_CHECKING:
    import tarfile

RULE_ID = "heroku/stale-packages"


class BaseUnavailable(RuntimeError):
    """The base revision cannot be read (not a git checkout, or a shallow clone without it)."""


def base_tree(repo: Path, rev: str, root: str, limits: Limits) -> RequirementsTree:
    import io  # only with --base: tarfile and tempfile cost every other run ~15 ms
    import tarfile
    import tempfile

    def git(*args: str) -> bytes:
        try:
            done = subprocess.run(
                ["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=120
            )
        except (OSError, subprocess.SubprocessError) as exc:
            stderr = getattr(exc, "stderr", b"") or b""
            detail = stderr.decode(errors="replace").strip().splitlines()
            if detail:
                raise BaseUnavailable(detail[-1]) from None
            if isinstance(exc, subprocess.CalledProcessError):
                # `rev-parse --verify --quiet` says nothing for an unknown revision
                raise BaseUnavailable("no such commit in this checkout") from None
            raise BaseUnavailable(f"git failed ({type(exc).__name__})") from None
        return done.stdout

    if rev.startswith("-"):
        raise BaseUnavailable(f"{rev!r} is not a revision")
    git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    # run inside the app's directory, `git archive REV -- .` holds just that directory,
    # with paths relative to it
    data = git("archive", "--format=tar", rev, "--", ".")
    with tempfile.TemporaryDirectory(prefix="heroku-req-check-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            extract(archive, Path(tmp))
        return walk(Path(tmp), root, limits)


def extract(archive: tarfile.TarFile, dest: Path) -> None:
    """Unpack a `git archive` tar into `dest` with nothing written outside it, on every
    Python the package supports. Regular files and folders whose names stay inside come
    first, then symbolic links (as links: the walker decides, as for the head, whether one
    may be followed), so no file is ever written through a link. Anything else (hard links,
    devices, absolute or `..` names) is left out. Where tarfile has extraction filters
    (3.11.4+, 3.12; PEP 706) the files also pass its "data" filter; 3.11.0-3.11.3, Debian
    12's python3 among them, have no `filter` argument and get the same result without it."""
    import tarfile

    has_filters = hasattr(tarfile, "data_filter")  # feature-detected, not version-compared
    links: list[tarfile.TarInfo] = []
    for member in archive.getmembers():
        parts = member.name.split("/")
        if member.name.startswith("/") or ".." in parts:
            continue
        if member.issym():
            links.append(member)
        elif member.isfile() or member.isdir():
            if has_filters:
                try:
                    archive.extract(member, dest, filter="data")
                except tarfile.FilterError:
                    continue
            else:
                member.mode &= 0o755  # what the data filter does: no setuid, no group write
                archive.extract(member, dest, set_attrs=False)
    real = os.path.realpath(dest)
    for link in links:
        target = os.path.join(real, *link.name.split("/"))
        # only into a real folder of `dest` (no link on the way), never over an entry
        if os.path.realpath(os.path.dirname(target)) != os.path.dirname(target):
            continue
        if os.path.isdir(os.path.dirname(target)) and not os.path.lexists(target):
            os.symlink(link.linkname, target)


def pip_diff_uninstalls(
    declared: RequirementsTree | None, head: RequirementsTree
) -> tuple[set[str], str]:
    """What v43-v185's `pip-diff --stale` makes pip uninstall: the names parsed from a copy of
    the previous root file (`declared`: its bytes walked against today's nested files) that
    today's tree does not name, compared as written, `setuptools pip wheel` excluded. When
    pip cannot parse that copy, pip-diff crashes and nothing is uninstalled: (set(), why)."""
    if declared is None:
        return set(), "there was no previous root file"
    failure = next((p for p in declared.problems if p.pip_fails), None)
    if failure is not None:
        return set(), (
            f"pip-diff cannot parse the previous {declared.root} against today's files "
            f"({failure.message.split(';')[0]}), so it uninstalls nothing"
        )
    # pip-diff parses requirements files: a local project's metadata (`via`) is not read
    today = {d.name for d in head.declarations if not d.via}
    names = {d.name for d in declared.declarations if not d.via}
    names -= today | {"setuptools", "pip", "wheel"}
    return {canonical_key(n) for n in names}, ""


def stale_findings(
    base: RequirementsTree,
    head: RequirementsTree,
    selections: list[Selection],
    rev: str,
    declared: RequirementsTree | None = None,
) -> list[Finding]:
    """`declared`: the base root's bytes walked against the head's files (for pip-diff)."""
    rule, eras = None, []
    for selection in selections:
        for candidate in selection.platform.rules:
            if candidate.id != RULE_ID:
                continue
            for era in candidate.eras:
                releases = {r for r in selection.releases if era.first <= r <= era.last}
                if releases:
                    rule = candidate
                    eras.append((selection.platform, era, releases))
    if rule is None:
        return []
    now = {d.key for d in head.declarations if d.installs}
    root_same = (
        base.root_file is not None
        and head.root_file is not None
        and base.root_file.data == head.root_file.data
    )
    findings: list[Finding] = []
    seen: set[str] = set()
    if any(p.pip_fails for p in (*base.problems, *head.problems)):
        # pip install fails on one of the two trees: the base deployed nothing this can know
        # of, or today's build fails before anything is kept
        return []
    uninstalled, crash = pip_diff_uninstalls(declared, head)
    never_blind = [(p, e, r) for p, e, r in eras if e.detector == "stale-never"]
    for decl in base.declarations:
        if not decl.installs or decl.key in now or decl.key in seen:
            continue
        seen.add(decl.key)
        uninstall_blind = [
            (p, e, r)
            for p, e, r in eras
            if e.detector == "stale-uninstall" and decl.key not in uninstalled
        ]
        cache_blind = [(p, e, r) for p, e, r in eras if e.detector == "stale-cache" and root_same]
        blind = sorted(uninstall_blind + never_blind + cache_blind, key=lambda t: t[1].first)
        if not blind:
            continue
        labels = [label for p, _e, r in blind for label in format_ranges(p, r)]
        head_lines = len(head.files[decl.file].text.splitlines()) if decl.file in head.files else 0
        where = decl.file if decl.file in head.files else head.root
        line = max(1, min(decl.line, head_lines)) if decl.file in head.files else 1
        how = []
        if cache_blind:
            how.append(
                f"{_spans(cache_blind)} {_verb(cache_blind, 'keeps', 'keep')} the cached "
                f"packages because {head.root} is byte-identical to {rev}: change "
                f"{head.root} (the suggested comment line does; so does the tree digest "
                "`--fix` maintains) or run `heroku builds:cache:purge`"
            )
        if uninstall_blind and crash:
            how.append(
                f"in {_spans(uninstall_blind)} {crash}: purge the build cache "
                "(`heroku builds:cache:purge`)"
            )
        elif uninstall_blind:
            how.append(
                f"{_spans(uninstall_blind)} {_verb(uninstall_blind, 'compares', 'compare')} "
                "only the root file's own lines: purge the build cache "
                "(`heroku builds:cache:purge`) or declare the removal in the root file"
            )
        if never_blind:
            how.append(
                f"{_spans(never_blind)} never {_verb(never_blind, 'uninstalls', 'uninstall')} "
                "anything (pip-diff fails on pip 8.1.2): purge the build cache "
                "(`heroku builds:cache:purge`)"
            )
        fix = None
        if cache_blind and head.root_file is not None:
            lines = head.root_file.text.splitlines()
            fix = Fix(
                head.root,
                len(lines) + 1,
                f"# heroku-req-check: {decl.name} removed from {decl.file}; this line changes "
                f"{head.root} so Heroku drops its build cache",
            )
        findings.append(
            Finding(
                rule=RULE_ID,
                package=decl.key,
                severity="warning",
                file=where,
                line=line,
                platforms=tuple(labels),
                title=f"{decl.name}: removed here but still installed by {', '.join(labels)}",
                summary=(
                    f"{decl.name} was removed from {decl.file}, but {', '.join(labels)} "
                    f"{'keeps' if len(labels) == 1 else 'keep'} it installed from the build cache"
                ),
                message=(
                    f"'{decl.name}' was removed from {decl.file} (line {decl.line} at {rev}) "
                    f"and is declared nowhere else, but {', '.join(labels)} keep it installed: "
                    f"{rule.when_missed}. To clear it: {'; '.join(how)}."
                ),
                fix=fix,
            )
        )
    return findings


def _spans(blind: list[tuple[catalog.Platform, catalog.Era, set[int]]]) -> str:
    """The releases of those eras that are selected, as one phrase (`v167-v262, v263-v351`)."""
    spans: list[str] = []
    for platform, _era, releases in blind:
        label = platform.span(min(releases), max(releases))
        if label not in spans:
            spans.append(label)
    return ", ".join(spans)


def _verb(blind: list[tuple[catalog.Platform, catalog.Era, set[int]]], one: str, many: str) -> str:
    return one if len({r for _p, _e, releases in blind for r in releases}) == 1 else many


def applies(selections: list[Selection]) -> bool:
    return any(
        r.id == RULE_ID and any(e.detector in catalog.STALE_DETECTORS for e in r.eras)
        for s in selections
        for r in s.platform.rules
    )
