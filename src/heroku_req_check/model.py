"""The shared model: what the walk found, what the catalog says, what the check concludes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .markers import BuildPython

Severity = Literal["error", "warning", "notice"]
SEVERITY_RANK: dict[str, int] = {"notice": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Problem:
    """Input the tool could not use as pip would; the walk carries on past it."""

    file: str
    line: int | None
    message: str
    pip_fails: bool = False  # pip itself would stop on this (and so would pip-grep)


@dataclass(frozen=True)
class Declaration:
    """One requirement line, as pip reads it (logical line, comments removed)."""

    file: str
    line: int  # first physical line of the logical line, 1-based
    text: str  # the logical requirement text pip sees
    name: str  # as written (egg name for editable/URL forms)
    key: str  # PEP 503 normalised
    extras: tuple[str, ...] = ()
    specifier: str = ""
    marker: str = ""
    editable: bool = False
    url: str = ""  # direct/VCS URL, "" for index requirements
    installs: bool = True  # False when the file is only reached through -c
    # "" for a line of a requirements file; for a dependency declared in a local project's
    # metadata (pyproject.toml, setup.cfg, setup.py, or a file they name), "FILE:LINE" of the
    # requirement line that brought the project in. pip installs these; tools that read
    # requirements files (pip-grep, Cloud Foundry's FindAnyPackage, greps) never see them.
    via: str = ""

    @property
    def vcs(self) -> str:
        scheme = self.url.split(":", 1)[0]
        return scheme.split("+", 1)[0] if "+" in scheme else ""


@dataclass(frozen=True)
class LocalProject:
    """A requirement line that names a project by place, not by index name: a local directory
    (`-e .`, `.`, `./pkg[extra]`, `name @ file:./pkg`), a local archive (`./dist/x.tar.gz`,
    `./x-1.0-py3-none-any.whl`) or a URL without `#egg=` (`https://host/x.tar.gz`). pip accepts
    all of them (pip/_internal/req/constructors.py: `parse_req_from_line` builds an "unnamed"
    requirement when the link has no egg fragment; `parse_editable` takes any directory), so
    they are not problems; a named one (`name @ file:...`, a wheel file name) is also a
    Declaration. Local paths are taken from the directory pip runs in, the app root, as pip
    does (`os.path.abspath(name)`), not from the requirements file's directory.
    """

    file: str
    line: int  # first physical line of the logical line, 1-based
    text: str  # the logical line as written ("-e " kept for editables)
    target: str  # the path or URL as written, extras and marker removed
    kind: Literal["directory", "archive", "url"]
    resolved: str | None  # repo-relative path; None for a URL, outside, missing or unusable
    editable: bool = False
    extras: tuple[str, ...] = ()  # sorted, as written
    marker: str = ""
    name: str = ""  # when the line names it (`name @ file:...`, `#egg=`, a wheel's file name)
    installs: bool = True  # False when the file is only reached through -c


@dataclass(frozen=True)
class PipOption:
    """A requirements-file option pip applies to the whole install that names a place or
    changes where packages come from: `--find-links DIR` (name "find-links") or `--no-index`."""

    file: str
    line: int
    name: Literal["find-links", "no-index"]
    value: str = ""  # as written


@dataclass(frozen=True)
class Include:
    """A -r/--requirement or -c/--constraint line."""

    file: str
    line: int
    kind: Literal["requirement", "constraint"]
    target: str  # as written
    resolved: str | None  # repo-relative path, None when not followed


@dataclass(frozen=True)
class SourceFile:
    path: str  # repo-relative, "/" separated
    data: bytes
    text: str  # decoded as pip decodes it


@dataclass
class RequirementsTree:
    root: str
    files: dict[str, SourceFile] = field(default_factory=dict)  # walk order
    declarations: list[Declaration] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    projects: list[LocalProject] = field(default_factory=list)  # walk order
    options: list[PipOption] = field(default_factory=list)  # --find-links, --no-index
    problems: list[Problem] = field(default_factory=list)
    repo_dir: str = ""  # the real path walked, for detectors that search the whole app
    scan_id: int = 0  # unique per walk: keys caches that must not outlive one scan
    # "" when the root is the repository's own file; otherwise why the platform reads a root
    # the app does not have: one the build writes (Heroku's `-e .`), or none at all
    generated: str = ""
    # declarations by PEP 503 key, built on first use (declarations_of)
    _by_key: tuple[int, dict[str, list[Declaration]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def root_file(self) -> SourceFile | None:
        return self.files.get(self.root)

    def declarations_of(self, key: str) -> list[Declaration]:
        """The declarations whose PEP 503 key is `key`, in walk order. Indexed once per tree
        (rebuilt if declarations were added since): fix planning asks it once per finding."""
        if self._by_key is None or self._by_key[0] != len(self.declarations):
            index: dict[str, list[Declaration]] = {}
            for decl in self.declarations:
                index.setdefault(decl.key, []).append(decl)
            self._by_key = (len(self.declarations), index)
        return self._by_key[1].get(key, [])


@dataclass(frozen=True)
class Fix:
    """One edit: insert `text` as new line `line` of `file`, or replace that line; with
    `remove` = (file, line), also remove the logical line starting there (a move: the pip a
    release installs with may reject a name given twice).

    "insert" adds a line to a requirements file (fix.insert_line: appended, `line` is where it
    lands); "insert-before" puts it at `line` of any other file (a Dockerfile), moving that line
    down (fix.insert_before); "replace" rewrites line `line`."""

    file: str
    line: int
    text: str
    action: Literal["insert", "replace", "insert-before"] = "insert"
    remove: tuple[str, int] | None = None

    @property
    def declares(self) -> bool:
        """Whether the added text is a requirement pip installs (not a comment a build's text
        search reads): only then may a move delete the nested declaration."""
        return not self.text.lstrip().startswith("#")


@dataclass(frozen=True)
class Finding:
    rule: str
    package: str
    severity: Severity
    file: str
    line: int
    platforms: tuple[str, ...]
    title: str
    message: str
    fix: Fix | None = None
    # one line a person reads first (what is missed, by which releases, with what effect);
    # `message` keeps the whole story (eras, commands, pip versions). "" = use the title.
    summary: str = ""
    advice: str = ""  # what to do when there is no fix (save as UTF-8, deploy another release)

    @property
    def short(self) -> str:
        return self.summary or self.title


StartSource = Literal["generated", "procfile", "config"]


@dataclass(frozen=True)
class BuildInstall:
    """What releases `first`-`last` of a platform install this app from (plans.py, from the
    catalog's `[[platform.install]]`): `manager` ("pip", "poetry", ...; "" = nothing), the
    file whose dependencies it installs (`root`, "" = none) and what the release's
    requirements-file steps read: "file" (that root), "-e ." (a requirements.txt the build
    writes), "none" (a requirements.txt the app lacks), "skip" (not checked). `why`: one
    clause, "" for the plain case of an app-root requirements.txt; `source`: where the rule
    was read."""

    first: int
    last: int
    manager: str
    root: str
    reads: str = "file"
    why: str = ""
    source: str = ""


@dataclass(frozen=True)
class BuildPlan:
    """The facts of one platform's build of this app that gate its rules.

    `builds_python` is False when another language provider wins the platform's detection
    order (or nothing detects a Python app): none of the platform's Python rules can then
    matter. `start` says who decides the start command: a rule about a generated start
    command applies only to "generated". `evidence` is one short clause per fact, naming the
    file that decided it and the platform source, for reports. `installer` is the Python
    package manager the platform picks, where it picks one ("" otherwise); when that one never
    installs the requirements tree (`installs_requirements` False: Zeabur with a Pipfile,
    Poetry or uv), none of the platform's rules about the tree apply.
    """

    platform: str
    builds_python: bool = True
    provider: str = "python"
    start: StartSource = "generated"
    evidence: tuple[str, ...] = ()
    # when another provider wins: the app file that made it win, and whether the Python
    # provider would have built the app (it has a Python marker file) had it come first
    provider_file: str = ""
    python_detected: bool = False
    # the Python each release range builds with (plans.py), in release order; empty when the
    # catalog has no data for the platform (markers are then evaluated both ways)
    python: tuple[BuildPython, ...] = ()
    # what each release range installs from (plans.py); empty: the app-root requirements.txt
    installs: tuple[BuildInstall, ...] = ()
    installer: str = ""
    installs_requirements: bool = True
    # build steps the app's own settings turn off (Oryx's "collectstatic" with
    # DISABLE_COLLECTSTATIC=true), and the requirements file a setting names ("" = none)
    off: tuple[str, ...] = ()
    root: str = ""

    def python_at(self, release: int) -> BuildPython | None:
        """The Python release `release` builds this app with, or None when not known."""
        for entry in self.python:
            if entry.first <= release <= entry.last:
                return entry
        return None

    def runs(self, step: str) -> bool:
        """Whether the plan runs a rule's step ("" = any Python step, "start" = the generated
        start command, "scan" = a step whose detector works out itself what installs the
        requirements tree, so the plan's installer does not gate it: Fly.io's generated
        Dockerfiles)."""
        if not self.builds_python:
            return False
        if step == "scan":
            return True
        if not self.installs_requirements or step in self.off:
            return False
        return step != "start" or self.start == "generated"


@dataclass(frozen=True)
class BuildStep:
    """A deploy workflow step that runs a platform's build of this directory in the job
    (`action`, e.g. azure/appservice-build, at `file`:`line`), and the env it runs with:
    (name, value as the build sees it, line of the `env:` that sets it)."""

    file: str
    line: int | None
    action: str
    env: tuple[tuple[str, str, int | None], ...] = ()

    def value(self, name: str) -> tuple[str, int | None] | None:
        for key, value, line in self.env:
            if key == name:
                return value, line
        return None


@dataclass(frozen=True)
class Evidence:
    """Why a deployment target was selected: the file (and line) that says so, the marker it
    is (`app.json buildpacks[0]: heroku/python`), and the platform doc or source that makes
    that file a marker."""

    file: str  # repo-relative; "" for a command-line option or an action input
    line: int | None
    marker: str
    source: str = ""


@dataclass(frozen=True)
class Target:
    """One deployment target: the catalog platform that builds the app (`platform`, a name
    `catalog/<platform>.toml` may or may not define yet), the release the repository pins
    ("" = its current release), and the deployment platform running that builder when it has
    another name (`via`: railway, digitalocean, cloud run). `label` and `modelled` are set when
    the selection resolves it against the catalog."""

    platform: str
    release: str = ""
    via: str = ""
    evidence: tuple[Evidence, ...] = ()
    note: str = ""
    label: str = ""
    modelled: bool = True

    @property
    def name(self) -> str:
        """How reports name it: the label, else platform@release."""
        if self.label:
            return self.label
        return f"{self.platform}@{self.release}" if self.release else self.platform


SelectionHow = Literal["option", "configuration", "detected", "default"]


@dataclass(frozen=True)
class PlatformSelection:
    """What a scan models and why. `how`: "option" (--platform or the action's `platform`
    input), "configuration" (the configuration file's `platforms`), "detected" (the
    repository's deployment configuration) or "default" (no evidence: every catalogued
    platform at its current release). `detected` is what detection found, whatever `how` is."""

    how: SelectionHow
    targets: tuple[Target, ...]
    detected: tuple[Target, ...] = ()
    source: str = ""  # "--platform", "the platform input", ".heroku-req-check.toml", ...
    ignored: tuple[Evidence, ...] = ()  # markers read that select nothing, each saying why


@dataclass
class Report:
    tree: RequirementsTree
    findings: list[Finding]
    platforms: tuple[str, ...]  # the selection, as profile labels
    ignored: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, reason)
    plans: tuple[BuildPlan, ...] = ()  # each selected platform's plan for this app
    # files besides the requirements tree that findings are about (Dockerfiles): their bytes
    # as read, which "insert-before" fixes edit
    sources: dict[str, SourceFile] = field(default_factory=dict)
    selection: PlatformSelection | None = None  # what was modelled, with its evidence

    @property
    def problems(self) -> list[Problem]:
        return self.tree.problems
