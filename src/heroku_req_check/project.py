"""A local project's dependencies (`-e .`, `./pkg[extra]`), read from its metadata files the
way its build backend reads them, without running anything.

pip installs a local directory by asking its PEP 517 build backend for the metadata
(`[build-system].build-backend`; `setuptools.build_meta:__legacy__` when there is none, pip's
pyproject.py `load_pyproject_toml`), then installs every `Requires-Dist` and those of the
extras asked for. Each backend is modelled from its own source (the versions pinned in this
project's dev dependencies; file and function named at each rule):

- setuptools (`setuptools.build_meta`, `__legacy__`): `setup.py` keywords, then `setup.cfg`
  `[options]` for what `setup.py` left empty (config/setupcfg.py `ConfigHandler.__setitem__`:
  "Already inhabited. Skipping."), then `pyproject.toml` `[project]`, which replaces them
  (config/_apply_pyprojecttoml.py `_dependencies`), or, when a field is neither given nor listed
  in `dynamic`, empties it (`_handle_missing_dynamic`); `dynamic` fields come from
  `[tool.setuptools.dynamic]` files (config/pyprojecttoml.py `_obtain_dependencies`), else from
  setup.py/setup.cfg. `setup.py` is read with `ast`: only literal lists, strings and dicts (or
  a module-level name bound once to one) passed to a single `setup()` call; anything else is a
  problem saying the dependencies cannot be known without running it.
- poetry-core (`poetry.core.masonry.api`): builds with `with_groups=False`, so groups and
  dev-dependencies are never installed; `[project]` dependencies when given (poetry-core 2),
  else `[tool.poetry.dependencies]` (factory.py `_configure_package_dependencies`,
  dependency_group.py `DependencyGroup.dependencies`), optional ones only through an extra
  (masonry/metadata.py `requires_dist`).
- hatchling, flit_core, pdm-backend and any other backend: `[project]` as written (the
  pyproject.toml specification: "A build back-end MUST honour statically-specified metadata");
  a field listed in `dynamic` is computed by the backend's hooks, so it is a problem.

Every declaration found points at the line where its string starts, and carries `via` (the
requirements line that brought the project in). Nothing is imported, executed or fetched;
files outside the repository are never read (the walker's loader refuses them).
"""

from __future__ import annotations

import ast
import configparser
import os
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .model import Declaration, Problem
from .reqfile import canonical_key, is_archive_name
from .tomlspan import Spans, spans
from .tree import MISSING

# repo-relative path -> (bytes, "") or (None, why it is not read: missing, outside, ...)
Loader = Callable[[str], tuple[bytes | None, str]]

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"  # pip's pyproject.py, no [build-system]
# The newest releases whose source the models follow (pyproject.toml dev dependencies): a
# `[build-system].requires` that admits them builds with them, as pip's isolated build would.
POETRY_CORE = "2.5.0"
FLIT_CORE = "4.2.0"


@dataclass
class Found:
    """What reading one project gave: declarations (with `via`), problems, and further local
    projects its metadata names (directory, extras, "FILE:LINE" where it is named)."""

    declarations: list[Declaration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    projects: list[tuple[str, frozenset[str], str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Req:
    """One requirement string and where it starts."""

    text: str
    file: str
    line: int
    marker: str = ""  # a setuptools `extra:marker` key's marker, joined to the requirement's
    local: str = ""  # for a Poetry path dependency: the project directory it names


class _Unknown:
    """A value that cannot be known without running code; the problem is already recorded."""


UNKNOWN = _Unknown()
Reqs = list[_Req]
Extras = dict[str, Reqs]


# What a package manager reads instead of the build backend when it installs a project's
# dependencies itself (`poetry install`, `uv sync`, `pdm install`): Poetry reads
# [tool.poetry] (and [project], Poetry 2) as poetry-core does; uv and PDM read [project].
MANAGER_BACKENDS = {
    "poetry": "poetry.core.masonry.api",
    "uv": "uv (PEP 621 [project])",
    "pdm": "pdm (PEP 621 [project])",
}


def read_project(
    directory: str,
    extras: Iterable[str],
    via: str,
    pulled_by: str,
    load: Loader,
    manager: str = "",
) -> Found:
    """Dependencies pip installs for the project in `directory` (repo-relative) with `extras`.
    `via` is "FILE:LINE" of the requirement line, `pulled_by` describes it for messages
    ("`-e .` (base.txt line 2)"). With `manager` (a MANAGER_BACKENDS key), the dependencies
    that package manager installs, whatever [build-system] names."""
    reader = _Project(directory, frozenset(canonical_key(e) for e in extras), via, pulled_by, load)
    reader.run(MANAGER_BACKENDS.get(manager, ""))
    return reader.found


def read_pipfile(rel: str, load: Loader) -> Found:
    """The `[packages]` a Pipfile declares (what `pipenv install --deploy` installs; not
    `[dev-packages]`), each as the PEP 508 requirement pipenv makes of it, at the line of its
    key: a version string (`"*"` for any), or a table with `version`, `extras`, `markers` and
    PEP 508 marker keys (`sys_platform = "== 'win32'"`, ANDed, as pipenv's requirementslib
    PipenvMarkers does), `git` with `ref`, `file` (a URL), or `path` (a local project,
    followed like `-e ./dir`). The Pipfile's own directory is the project directory."""
    reader = _Project(posixpath.dirname(rel) or ".", frozenset(), "", f"the {rel}", load)
    reader.pipfile(rel)
    return reader.found


# PEP 508 marker variables a Pipfile entry may give as keys (pipenv's requirementslib
# models/markers.py PipenvMarkers)
PIPFILE_MARKER_KEYS = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)


class _Project:
    def __init__(
        self, directory: str, extras: frozenset[str], via: str, pulled_by: str, load: Loader
    ) -> None:
        self.dir = directory
        self.extras = extras
        self.via = via
        self.pulled_by = pulled_by
        self.load = load
        self.found = Found()
        self.name = ""  # the project's own name, for self-referencing extras
        self.file_url_base = "app"  # where a relative file: URL is read from (see local_url)

    def path(self, name: str) -> str:
        return posixpath.normpath(posixpath.join(self.dir, name))

    def problem(self, file: str, line: int | None, message: str) -> None:
        self.found.problems.append(Problem(file, line, message, pip_fails=False))

    def not_read(self, rel: str, why: str) -> None:
        self.problem(
            rel, None, f"{rel} {why}; the dependencies of {self.pulled_by} are not checked"
        )

    # -- files ---------------------------------------------------------------------------
    def read_text(self, rel: str, *, quiet_missing: bool = False) -> str | None:
        data, why = self.load(rel)
        if data is None:
            if not (quiet_missing and why == MISSING):
                self.not_read(rel, why)
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(
                rel,
                line,
                f"byte {exc.start} of {rel} is not valid UTF-8: the build backend cannot read "
                f"it, so pip install fails on {self.pulled_by}. Save it as UTF-8.",
            )
            return None

    def toml(self, rel: str) -> tuple[dict[str, Any], Spans] | None:
        text = self.read_text(rel, quiet_missing=True)
        if text is None:
            return None
        try:
            data = tomllib.loads(text)
        except RecursionError:
            self.problem(
                rel,
                None,
                f"{rel} is nested too deeply to be parsed: pip install fails on "
                f"{self.pulled_by}, and its dependencies are not checked",
            )
            return None
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"at line (\d+)", str(exc))
            self.problem(
                rel,
                int(match.group(1)) if match else None,
                f"{rel} is not valid TOML ({exc}): pip install fails on {self.pulled_by}, "
                "and its dependencies are not checked",
            )
            return None
        return data, spans(text)

    # -- which backend ---------------------------------------------------------------------
    def run(self, manager_backend: str = "") -> None:
        pyproject_path = self.path("pyproject.toml")
        pyproject = self.toml(pyproject_path)
        if pyproject is None and self.found.problems:
            return  # unreadable or not TOML: pip stops there too
        data, where = pyproject if pyproject is not None else ({}, spans(""))
        build = data.get("build-system")
        backend, requires = LEGACY_BACKEND, []
        if pyproject is not None and build is not None:
            if not isinstance(build, dict) or not isinstance(build.get("requires"), list):
                self.problem(
                    pyproject_path,
                    where.line(("build-system",)),
                    "[build-system] has no `requires` list: pip install fails on "
                    f"{self.pulled_by} (pip: MissingPyProjectBuildRequires)",
                )
                return
            requires = [r for r in build["requires"] if isinstance(r, str)]
            backend = str(build.get("build-backend") or LEGACY_BACKEND)
        project = data.get("project")
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            self.name = canonical_key(project["name"])
        if manager_backend:
            backend = manager_backend
        module = backend.split(":")[0]
        if module == "setuptools.build_meta":
            self.setuptools(data, where, pyproject_path)
        elif module in ("poetry.core.masonry.api", "poetry.masonry.api"):
            self.file_url_base = "project"
            self.poetry(data, where, pyproject_path, requires, module)
        elif module == "flit_core.buildapi":
            self.flit(data, where, pyproject_path, requires)
        else:
            self.pep621_only(data, where, pyproject_path, backend)

    # -- PEP 621 -------------------------------------------------------------------------
    def pep621(
        self, project: dict[str, Any], where: Spans, file: str
    ) -> tuple[Reqs | None, Extras | None]:
        """[project] dependencies and optional-dependencies, None where not given."""
        base: Reqs | None = None
        optional: Extras | None = None
        deps = project.get("dependencies")
        if isinstance(deps, list):
            base = [
                _Req(d, file, where.line(("project", "dependencies", i), d) or 1)
                for i, d in enumerate(deps)
                if isinstance(d, str)
            ]
        opt = project.get("optional-dependencies")
        if isinstance(opt, dict):
            optional = {
                str(extra): [
                    _Req(
                        d, file, where.line(("project", "optional-dependencies", extra, i), d) or 1
                    )
                    for i, d in enumerate(reqs)
                    if isinstance(d, str)
                ]
                for extra, reqs in opt.items()
                if isinstance(reqs, list)
            }
        return base, optional

    def dynamic_line(self, project: dict[str, Any], where: Spans, name: str) -> int | None:
        dynamic = project.get("dynamic", [])
        index = dynamic.index(name) if isinstance(dynamic, list) and name in dynamic else 0
        return where.line(("project", "dynamic", index))

    def pep621_only(self, data: dict[str, Any], where: Spans, file: str, backend: str) -> None:
        """hatchling, pdm-backend, maturin, scikit-build-core, meson-python, ...: the backend
        must honour [project] as written; what it computes (`dynamic`) is not known here."""
        project = data.get("project")
        if not isinstance(project, dict):
            self.problem(
                file,
                where.line(("build-system", "build-backend")),
                f"{file} has no [project] table: the dependencies {backend} gives "
                f"{self.pulled_by} cannot be known without running it",
            )
            return
        dynamic = project.get("dynamic", [])
        for name in ("dependencies", "optional-dependencies"):
            if isinstance(dynamic, list) and name in dynamic:
                self.problem(
                    file,
                    self.dynamic_line(project, where, name),
                    f"[project] lists {name} as dynamic: {backend} computes them when it "
                    f"builds {self.pulled_by}, so they cannot be known without running it",
                )
        base, optional = self.pep621(project, where, file)
        if backend.startswith("hatchling"):
            self.hatch_direct_references(data, base, optional, file)
        self.emit(base or [], optional or {})

    def hatch_direct_references(
        self, data: dict[str, Any], base: Reqs | None, optional: Extras | None, file: str
    ) -> None:
        # hatchling metadata/core.py `dependencies_complex`: a direct reference is an error
        # unless tool.hatch.metadata.allow-direct-references
        metadata = data.get("tool", {}).get("hatch", {}).get("metadata", {})
        if isinstance(metadata, dict) and metadata.get("allow-direct-references") is True:
            return
        for req in [*(base or []), *(r for reqs in (optional or {}).values() for r in reqs)]:
            parsed = _parse(req.text)
            if parsed is not None and parsed.url:
                self.problem(
                    file,
                    req.line,
                    f"{req.text!r} is a direct reference: hatchling refuses it unless "
                    "[tool.hatch.metadata] allow-direct-references = true, so pip install "
                    f"fails on {self.pulled_by}",
                )

    def local_url(self, url: str) -> str:
        """The repo-relative directory a relative `file:` URL names, "" for anything else.
        poetry-core reads it from the project directory (Dependency.create_from_pep_508 with
        relative_to=root_dir); other backends copy it into Requires-Dist as written, where pip
        reads it from its working directory, the app root."""
        if not url.startswith("file:") or url.startswith("file:/"):
            return ""
        path = url[len("file:") :].split("#")[0]
        if not path or is_archive_name(path):
            return ""
        base = self.dir if self.file_url_base == "project" else "."
        return posixpath.normpath(posixpath.join(base, path))

    # -- emitting --------------------------------------------------------------------------
    def emit(self, base: Reqs, optional: Extras) -> None:
        """Declarations for the base requirements and the selected extras (names compared as
        PEP 685 normalises them); a requirement on the project itself selects its extras."""
        by_extra: Extras = {}
        for extra, reqs in optional.items():
            by_extra.setdefault(canonical_key(extra), []).extend(reqs)
        wanted, done = set(self.extras), set[str]()
        pending = list(base)
        seen: set[tuple[str, int, str]] = set()
        while True:
            for extra in sorted(wanted - done):
                done.add(extra)
                pending.extend(by_extra.get(extra, []))
            if not pending:
                return
            req = pending.pop(0)
            if (req.file, req.line, req.text) in seen:
                continue
            seen.add((req.file, req.line, req.text))
            req = _Req(req.text.strip(), req.file, req.line, req.marker, req.local)
            parsed = _parse(req.text)
            if parsed is None:
                self.problem(
                    req.file,
                    req.line,
                    f"invalid requirement {req.text!r}: the build backend rejects it, so pip "
                    f"install fails on {self.pulled_by}",
                )
                continue
            if self.name and canonical_key(parsed.name) == self.name:
                wanted |= {canonical_key(e) for e in parsed.extras}
                continue
            marker = str(parsed.marker or "")
            text = req.text
            if req.marker:
                marker = f"({marker}) and ({req.marker})" if marker else req.marker
                parsed.marker = Marker(marker)
                text = str(parsed)
            local = req.local or self.local_url(parsed.url or "")
            if local:
                self.found.projects.append(
                    (local, frozenset(parsed.extras), f"{req.file}:{req.line}")
                )
            self.found.declarations.append(
                Declaration(
                    file=req.file,
                    line=req.line,
                    text=text,
                    name=parsed.name,
                    key=canonical_key(parsed.name),
                    extras=tuple(sorted(parsed.extras)),
                    specifier=str(parsed.specifier),
                    marker=marker,
                    url=parsed.url or "",
                    via=self.via,
                )
            )

    # -- setuptools ------------------------------------------------------------------------
    def setuptools(self, data: dict[str, Any], where: Spans, file: str) -> None:
        project = data.get("project")
        # config/pyprojecttoml.py read_configuration: a pyproject.toml without [project] does
        # not configure these fields at all; setup.py and setup.cfg decide
        if not isinstance(project, dict) or not project:
            base, optional = self.setup_py_and_cfg()
            self.emit_setuptools(base, optional)
            return
        dynamic = set(project.get("dynamic", []))
        dynamic_cfg = data.get("tool", {}).get("setuptools", {}).get("dynamic", {})
        base, optional = self.pep621(project, where, file)
        if base is None and "dependencies" in dynamic:
            base = self.setuptools_dynamic(dynamic_cfg, "dependencies", where, file)
        if optional is None and "optional-dependencies" in dynamic:
            optional = self.setuptools_dynamic_extras(dynamic_cfg, where, file)
        # what setup.py/setup.cfg set: used for a dynamic field [tool.setuptools.dynamic] does
        # not give (_obtain -> _ensure_previously_set), and otherwise only to say that
        # setuptools drops it; problems reading them matter only in the first case
        needed = (base is None and "dependencies" in dynamic) or (
            optional is None and "optional-dependencies" in dynamic
        )
        legacy_base, legacy_optional = self.setup_py_and_cfg(quiet=not needed)
        for name, mine, legacy in (
            ("dependencies", base, legacy_base),
            ("optional-dependencies", optional, legacy_optional),
        ):
            if mine is None and name not in dynamic and legacy and legacy is not UNKNOWN:
                # _apply_pyprojecttoml.py _handle_missing_dynamic / _MissingDynamic
                self.problem(
                    file,
                    where.line(("project",)),
                    f"[project] neither gives {name} nor lists it in `dynamic`, so setuptools "
                    f"ignores those in setup.py/setup.cfg and {self.pulled_by} installs none of "
                    f'them ("`{name}` defined outside of `pyproject.toml` is ignored")',
                )
        if base is None:
            base = legacy_base if "dependencies" in dynamic else []
        if optional is None:
            optional = legacy_optional if "optional-dependencies" in dynamic else {}
        if "dependencies" in dynamic and not base:
            self.problem(
                file,
                self.dynamic_line(project, where, "dependencies"),
                "[project] lists dependencies as dynamic, but neither "
                "[tool.setuptools.dynamic] nor setup.cfg nor setup.py (read without running "
                f"it) declares any: setuptools builds {self.pulled_by} with no dependencies",
            )
        self.emit_setuptools(base, optional)

    def emit_setuptools(
        self, base: Reqs | _Unknown | None, optional: Extras | _Unknown | None
    ) -> None:
        reqs = [] if isinstance(base, _Unknown) else list(base or [])
        extras = {} if isinstance(optional, _Unknown) else dict(optional or {})
        # _core_metadata.py _write_requirements: an extras key ":marker" has no extra, so its
        # requirements are installed always (under the marker)
        reqs += extras.pop("", [])
        self.emit(reqs, extras)

    def setuptools_dynamic(
        self, dynamic_cfg: Any, name: str, where: Spans, file: str
    ) -> Reqs | _Unknown | None:
        directive = dynamic_cfg.get(name) if isinstance(dynamic_cfg, dict) else None
        if directive is None:
            return None  # from setup.py / setup.cfg (_obtain -> _ensure_previously_set)
        reqs = self.directive(directive, ("tool", "setuptools", "dynamic", name), where, file)
        # _obtain_dependencies: an empty text leaves what setup.py/setup.cfg set
        return None if isinstance(reqs, list) and not reqs else reqs

    def setuptools_dynamic_extras(
        self, dynamic_cfg: Any, where: Spans, file: str
    ) -> Extras | _Unknown | None:
        table = dynamic_cfg.get("optional-dependencies") if isinstance(dynamic_cfg, dict) else None
        if not isinstance(table, dict):
            return None
        out: Extras = {}
        for extra, directive in table.items():
            path = ("tool", "setuptools", "dynamic", "optional-dependencies", extra)
            reqs = self.directive(directive, path, where, file)
            if isinstance(reqs, _Unknown):
                return UNKNOWN
            out[str(extra)] = reqs
        return out

    def directive(
        self, directive: Any, path: tuple[str, ...], where: Spans, file: str
    ) -> Reqs | _Unknown:
        """`{file = [...]}`: the files' lines, read as setuptools reads them
        (config/expand.py read_files, then pyprojecttoml.py _parse_requirements_list and
        _reqs.parse_strings: not pip's requirements-file rules)."""
        line = where.line(path)
        if isinstance(directive, dict) and "file" in directive:
            names = directive["file"]
            names = [names] if isinstance(names, str) else names
            return self.files_lines([str(n) for n in names], file, line)
        self.problem(
            file,
            line,
            f"{'.'.join(path)} is not a `file` directive: its value cannot be known "
            f"without running setuptools, so the dependencies of {self.pulled_by} are not checked",
        )
        return UNKNOWN

    def files_lines(
        self, names: list[str], file: str, line: int | None, semicolons: bool = False
    ) -> Reqs | _Unknown:
        """The lines of the files a `file:` directive names, or UNKNOWN when setuptools
        refuses one (the build fails) or one is not read here (the problem says which)."""
        lines: list[tuple[str, str, int]] = []
        refused = False
        for name in names:
            # expand.py _assert_local: the file must be inside the project directory
            rel = self.path(name)
            below = (
                rel != ".." and not rel.startswith("../")
                if self.dir == "."
                else (rel.startswith(self.dir + "/"))
            )
            if os.path.isabs(name) or not below or rel == self.dir:
                self.problem(
                    file,
                    line,
                    f"{name} is outside the project directory: setuptools refuses it "
                    f'("Cannot access ... or anything outside"), so pip install fails on '
                    f"{self.pulled_by}",
                )
                refused = True
                continue
            text = self.read_text(rel, quiet_missing=True)
            if text is None:
                if rel in [p.file for p in self.found.problems]:
                    refused = True  # outside, unreadable: what setuptools reads is unknown
                else:
                    self.problem(
                        file,
                        line,
                        f"{name} (in {self.dir}) does not exist: setuptools skips it with a "
                        f"warning, so none of its lines are installed by {self.pulled_by}",
                    )
                continue
            if semicolons and "\n" not in text:
                # setupcfg.py _parse_list_semicolon: one line is split at ';'
                lines += [(chunk, rel, 1) for chunk in text.split(";")]
            else:
                lines += [(t, rel, n) for n, t in enumerate(text.splitlines(), start=1)]
        return UNKNOWN if refused else _setuptools_strings(lines)

    def setup_py_and_cfg(
        self, quiet: bool = False
    ) -> tuple[Reqs | _Unknown | None, Extras | _Unknown | None]:
        """install_requires and extras_require as setup() then setup.cfg set them; `quiet`
        reads them without reporting problems (their values do not reach pip)."""
        kept = list(self.found.problems)
        setup_py = self.setup_py()
        cfg_base, cfg_extras = self.setup_cfg()
        if quiet:
            self.found.problems = kept
        # setupcfg.py ConfigHandler.__setitem__: a value setup.py set is kept
        base = setup_py[0] if setup_py[0] else cfg_base
        extras = setup_py[1] if setup_py[1] else cfg_extras
        return base, extras

    def setup_py(self) -> tuple[Reqs | _Unknown | None, Extras | _Unknown | None]:
        rel = self.path("setup.py")
        data, why = self.load(rel)
        if data is None:
            if why != MISSING:
                self.not_read(rel, why)
            return None, None  # build_meta supplies `setup()` with no arguments
        reader = _SetupPy(rel, data)
        if reader.problem is not None:
            line, why = reader.problem
            self.problem(
                rel,
                line,
                f"dependencies of {rel} cannot be known without running it ({why}); "
                f"{self.pulled_by} is checked without them",
            )
            return UNKNOWN, UNKNOWN
        return reader.install_requires, reader.extras_require

    def setup_cfg(self) -> tuple[Reqs | _Unknown | None, Extras | _Unknown | None]:
        rel = self.path("setup.cfg")
        text = self.read_text(rel, quiet_missing=True)
        if text is None:
            return None, None
        # dist.py _parse_config_files: ConfigParser() with optionxform = str, utf-8
        parser = configparser.ConfigParser()
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            parser.read_string(text, source=rel)
        except configparser.Error as exc:
            self.problem(
                rel,
                getattr(exc, "lineno", None),
                f"{rel} cannot be parsed ({' '.join(str(exc).split())}): pip install fails on "
                f"{self.pulled_by}",
            )
            return UNKNOWN, UNKNOWN
        base: Reqs | _Unknown | None = None
        extras: Extras | _Unknown | None = None
        lines = text.splitlines()
        if parser.has_section("options"):
            for option in parser.options("options"):
                # dist.py _enforce_underscore / _enforce_option_lowercase (deprecated spellings)
                if option.replace("-", "_").lower() == "install_requires":
                    base = self.cfg_value(parser, lines, rel, "options", option)
        if parser.has_section("options.extras_require"):
            values = {
                option: self.cfg_value(parser, lines, rel, "options.extras_require", option)
                for option in parser.options("options.extras_require")
            }
            extras = {k: v for k, v in values.items() if not isinstance(v, _Unknown)}
            if len(extras) < len(values):
                extras = UNKNOWN
        return base, extras

    def cfg_value(
        self, parser: configparser.ConfigParser, lines: list[str], rel: str, section: str, key: str
    ) -> Reqs | _Unknown:
        start = _cfg_option_line(lines, section, key)
        try:
            value = parser.get(section, key)
        except configparser.Error as exc:  # setuptools' parser interpolates `%` too
            self.problem(
                rel,
                start,
                f"{key} in {rel} cannot be read ({' '.join(str(exc).split())}): pip install "
                f"fails on {self.pulled_by}",
            )
            return UNKNOWN
        if value.startswith("file:"):  # setupcfg.py _parse_file
            names = [n.strip() for n in value[len("file:") :].split(",")]
            return self.files_lines(names, rel, start, semicolons=True)
        # setupcfg.py _parse_requirements_list: lines, or `;`-separated on one line
        chunks = value.splitlines() if "\n" in value else value.split(";")
        located: list[tuple[str, str, int]] = []
        block = _cfg_value_lines(lines, start)
        cursor = 0
        for chunk in chunks:
            text = chunk.strip()
            if not text:
                continue
            for index in range(cursor, len(block)):
                if text in block[index][1]:
                    cursor = index
                    break
            located.append((text, rel, block[cursor][0] if block else start or 1))
        return _setuptools_strings(located)

    # -- poetry-core -----------------------------------------------------------------------
    def poetry(
        self, data: dict[str, Any], where: Spans, file: str, requires: list[str], module: str
    ) -> None:
        tool = data.get("tool", {}).get("poetry", {})
        tool = tool if isinstance(tool, dict) else {}
        project = data.get("project")
        project = project if isinstance(project, dict) else {}
        modern = module == "poetry.core.masonry.api" and _admits(
            requires, "poetry-core", POETRY_CORE
        )
        if isinstance(tool.get("name"), str) and not self.name:
            self.name = canonical_key(tool["name"])
        poetry_deps = self.poetry_dependencies(tool.get("dependencies"), where, file)
        deps = project.get("dependencies") if modern else None
        optional = project.get("optional-dependencies", {}) if modern else {}
        base: Reqs
        extras: Extras
        if deps is not None or optional:
            # factory.py _configure_package_dependencies: [project] makes the main group
            given, opt = self.pep621(project, where, file)
            base, extras = given or [], opt or {}
            self.poetry_urls([*base, *(r for reqs in extras.values() for r in reqs)])
            dynamic = project.get("dynamic", [])
            mixed = "dependencies" in dynamic or "optional-dependencies" in dynamic
            if not base and not any(extras.values()):
                base, extras = self.poetry_legacy(tool, poetry_deps, where, file)
            elif mixed and poetry_deps and not base:
                # DependencyGroup.dependencies: [project] has only optional ones, so the
                # required [tool.poetry.dependencies] are added
                base = [req for req, is_optional in poetry_deps if not is_optional]
            # (optional [tool.poetry] ones added to required [project] ones carry no extra
            # and so never reach Requires-Dist: masonry/metadata.py)
        else:
            base, extras = self.poetry_legacy(tool, poetry_deps, where, file)
        self.emit(base, extras)

    def poetry_urls(self, reqs: Reqs) -> None:
        """poetry-core's own PEP 508 parser (version/requirements.py) refuses a file: URL that
        does not survive urlunparse(urlparse(url)), such as a relative one: the build fails."""
        import urllib.parse

        for req in reqs:
            parsed = _parse(req.text)
            url = parsed.url if parsed is not None else None
            if (
                url
                and url.startswith("file:")
                and urllib.parse.urlunparse(urllib.parse.urlparse(url)) != url
            ):
                self.problem(
                    req.file,
                    req.line,
                    f'poetry-core refuses {req.text!r} ("invalid URL"): pip install fails '
                    f"on {self.pulled_by}. Use an absolute file:/// URL, or a path "
                    "dependency in [tool.poetry.dependencies] without [project] "
                    "dependencies.",
                )

    def poetry_legacy(
        self, tool: dict[str, Any], poetry_deps: list[tuple[_Req, bool]], where: Spans, file: str
    ) -> tuple[Reqs, Extras]:
        """[tool.poetry.dependencies] and [tool.poetry.extras]: an optional dependency is
        installed only through an extra that names it."""
        base = [req for req, is_optional in poetry_deps if not is_optional]
        extras: Extras = {}
        table = tool.get("extras", {})
        if isinstance(table, dict):
            for extra, names in table.items():
                wanted = {canonical_key(str(n).split("[")[0]) for n in names or []}
                extras[str(extra)] = [
                    req for req, _ in poetry_deps if canonical_key(_name_of(req.text)) in wanted
                ]
        return base, extras

    def poetry_dependencies(self, table: Any, where: Spans, file: str) -> list[tuple[_Req, bool]]:
        """Each [tool.poetry.dependencies] entry as a PEP 508 string (the form poetry-core
        writes into Requires-Dist) and whether it is optional; `python` is not a package."""
        if not isinstance(table, dict):
            return []
        out: list[tuple[_Req, bool]] = []
        for name, spec in table.items():
            if str(name).lower() == "python":
                continue
            specs = spec if isinstance(spec, list) else [spec]
            for index, one in enumerate(specs):
                path: tuple[str | int, ...] = ("tool", "poetry", "dependencies", name)
                if isinstance(spec, list):
                    path = (*path, index)
                line = where.line(path) or 1
                converted = _poetry_requirement(str(name), one)
                if converted is None:
                    self.problem(
                        file,
                        line,
                        f"[tool.poetry.dependencies] {name} = {one!r} is not a dependency "
                        f"poetry-core can build: pip install fails on {self.pulled_by}",
                    )
                    continue
                text, optional, local = converted
                if local:
                    local = self.path(local)
                out.append((_Req(text, file, line, local=local), optional))
        return out

    # -- Pipfile -----------------------------------------------------------------------------
    def pipfile(self, rel: str) -> None:
        parsed = self.toml(rel)
        if parsed is None:
            return
        data, where = parsed
        table = data.get("packages", {})
        if not isinstance(table, dict):
            self.problem(rel, where.line(("packages",)), "[packages] is not a table")
            return
        reqs: Reqs = []
        for name, spec in table.items():
            line = where.line(("packages", name)) or 1
            converted = _pipfile_requirement(str(name), spec)
            if converted is None:
                self.problem(
                    rel,
                    line,
                    f"[packages] {name} = {spec!r} is not an entry pipenv can install: "
                    "its dependencies are not checked",
                )
                continue
            text, local = converted
            reqs.append(_Req(text, rel, line, local=self.path(local) if local else ""))
        self.emit(reqs, {})

    # -- flit_core -------------------------------------------------------------------------
    def flit(self, data: dict[str, Any], where: Spans, file: str, requires: list[str]) -> None:
        project = data.get("project")
        metadata = data.get("tool", {}).get("flit", {}).get("metadata")
        if isinstance(project, dict):
            dynamic = project.get("dynamic", [])
            for name in ("dependencies", "optional-dependencies"):
                if isinstance(dynamic, list) and name in dynamic:
                    # flit_core config.py read_pep621_metadata: only version, description, ...
                    self.problem(
                        file,
                        self.dynamic_line(project, where, name),
                        f'[project] lists {name} as dynamic, which flit_core refuses ("flit '
                        f'only supports dynamic metadata for ..."): pip install fails on '
                        f"{self.pulled_by}",
                    )
            base, optional = self.pep621(project, where, file)
            self.emit(base or [], optional or {})
        elif isinstance(metadata, dict):
            if _admits(requires, "flit_core", FLIT_CORE):
                self.problem(
                    file,
                    where.line(("tool", "flit", "metadata")),
                    "[build-system] requires admits flit_core 4, which refuses "
                    '[tool.flit.metadata] ("no longer supported"): pip install fails on '
                    f"{self.pulled_by}. Pin flit_core<4 or move to [project].",
                )
                return
            # flit_core 3 config.py _prep_metadata: requires and requires-extra
            prefix = ("tool", "flit", "metadata")
            base = [
                _Req(d, file, where.line((*prefix, "requires", i), d) or 1)
                for i, d in enumerate(metadata.get("requires") or [])
                if isinstance(d, str)
            ]
            table = metadata.get("requires-extra") or {}
            extras = {
                str(extra): [
                    _Req(d, file, where.line((*prefix, "requires-extra", extra, i), d) or 1)
                    for i, d in enumerate(reqs)
                    if isinstance(d, str)
                ]
                for extra, reqs in (table.items() if isinstance(table, dict) else ())
                if isinstance(reqs, list)
            }
            self.emit(base, extras)
        else:
            self.problem(
                file,
                where.line(("build-system",)),
                f"{file} has neither [project] nor [tool.flit.metadata]: flit_core refuses "
                f"it, so pip install fails on {self.pulled_by}",
            )


# -- helpers -----------------------------------------------------------------------------------
def _parse(text: str) -> Requirement | None:
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _name_of(text: str) -> str:
    parsed = _parse(text)
    return parsed.name if parsed is not None else text


def _admits(requires: list[str], project: str, version: str) -> bool:
    """Does `[build-system].requires` let pip's isolated build pick `version` of `project`?
    (Without a requirement on it, the backend is whatever is installed: the newest.)"""
    for text in requires:
        parsed = _parse(text)
        if parsed is not None and canonical_key(parsed.name) == canonical_key(project):
            return parsed.specifier.contains(version, prereleases=True)
    return True


def _setuptools_strings(lines: list[tuple[str, str, int]]) -> Reqs:
    """setuptools' requirement-string rules (jaraco.text yield_lines, drop_comment,
    join_continuation, as _reqs.parse_strings chains them), each result at its first line."""
    cleaned = [
        (text.strip().partition(" #")[0], file, line)
        for text, file, line in lines
        if text.strip() and not text.strip().startswith("#")
    ]
    out: Reqs = []
    index = 0
    while index < len(cleaned):
        text, file, line = cleaned[index]
        index += 1
        while text.endswith("\\"):
            if index >= len(cleaned):
                return out  # "If no line is available to continue, suppress the lines."
            text = text[:-2].strip() + cleaned[index][0]
            index += 1
        out.append(_Req(text, file, line))
    return out


def _cfg_option_line(lines: list[str], section: str, key: str) -> int | None:
    """1-based line of `key` in `[section]` of a setup.cfg (configparser's layout rules)."""
    current = None
    pattern = re.compile(r"\s*" + re.escape(key) + r"\s*[=:]")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].strip()
        elif current == section and pattern.match(line) and not line[:1].isspace():
            return number
    return None


def _cfg_value_lines(lines: list[str], start: int | None) -> list[tuple[int, str]]:
    """(line, text) of an option's value: the rest of its key line, then the lines configparser
    joins to it (indented ones, blank and comment lines between them)."""
    if start is None:
        return []
    key_line = lines[start - 1]
    cut = min((i for i in (key_line.find("="), key_line.find(":")) if i != -1), default=0)
    block = [(start, key_line[cut + 1 :])]
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and not line[:1].isspace():
            break
        block.append((number, line))
    return block


# -- setup.py, read with ast ---------------------------------------------------------------------
class _SetupPy:
    """The literal install_requires/extras_require of the one setup() call in a setup.py.
    `problem` is (line, why) when they cannot be known without running it."""

    def __init__(self, rel: str, data: bytes) -> None:
        self.rel = rel
        self.install_requires: Reqs | None = None
        self.extras_require: Extras | None = None
        self.problem: tuple[int | None, str] | None = None
        try:
            tree = ast.parse(data, filename=rel)
        except (SyntaxError, ValueError) as exc:
            self.problem = (getattr(exc, "lineno", None), f"it is not valid Python 3: {exc}")
            return
        except (RecursionError, MemoryError):
            self.problem = (None, "it is nested too deeply to be parsed")
            return
        self.tree = tree
        calls = [
            node for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_setup(node.func)
        ]
        if len(calls) != 1:
            found = "no setup() call" if not calls else f"{len(calls)} setup() calls"
            line = calls[1].lineno if len(calls) > 1 else None
            self.problem = (line, f"{found} found")
            return
        call = calls[0]
        if any(isinstance(arg, ast.Starred) for arg in call.args) or any(
            kw.arg is None for kw in call.keywords
        ):
            self.problem = (call.lineno, "setup() takes *args or **kwargs")
            return
        for keyword in call.keywords:
            if keyword.arg == "install_requires":
                self.install_requires = self.requirements(keyword.value)
            elif keyword.arg == "extras_require":
                self.extras_require = self.extras(keyword.value)
            if self.problem is not None:
                return

    def literal(self, node: ast.expr) -> ast.expr | None:
        """The node itself, or the literal a module-level name is bound to exactly once and
        used nowhere else (so nothing can have changed it); None (with a problem) otherwise."""
        if not isinstance(node, ast.Name):
            return node
        stores = [
            n
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Name) and n.id == node.id and not isinstance(n.ctx, ast.Load)
        ]
        loads = [
            n
            for n in ast.walk(self.tree)
            if isinstance(n, ast.Name) and n.id == node.id and isinstance(n.ctx, ast.Load)
        ]
        globals_ = [n for n in ast.walk(self.tree) if isinstance(n, ast.Global)]
        bound = [
            stmt
            for stmt in self.tree.body
            if isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == node.id
        ]
        if (
            len(stores) == 1
            and len(bound) == 1
            and len(loads) == 1
            and not any(node.id in g.names for g in globals_)
        ):
            return bound[0].value
        self.problem = (
            node.lineno,
            f"{node.id} is not a name bound once to a literal and used only here",
        )
        return None

    def requirements(self, node: ast.expr) -> Reqs | None:
        value = self.literal(node)
        if value is None:
            return None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return _setuptools_strings(self.string_lines(value))
        if isinstance(value, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            lines: list[tuple[str, str, int]] = []
            for element in value.elts:
                assert isinstance(element, ast.Constant)
                lines += self.string_lines(element)
            return _setuptools_strings(lines)
        self.problem = (value.lineno, "the value is not a literal list of strings")
        return None

    def extras(self, node: ast.expr) -> Extras | None:
        value = self.literal(node)
        if value is None:
            return None
        if not isinstance(value, ast.Dict) or not all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys
        ):
            self.problem = (value.lineno, "extras_require is not a literal dict")
            return None
        out: Extras = {}
        for key, item in zip(value.keys, value.values, strict=True):
            assert isinstance(key, ast.Constant)
            reqs = self.requirements(item)
            if reqs is None:
                return None
            # setuptools reads a key `extra:marker` as that extra under that marker
            extra, _, marker = str(key.value).partition(":")
            out.setdefault(extra, []).extend(
                _Req(r.text, r.file, r.line, marker=marker.strip()) if marker else r for r in reqs
            )
        return out

    def string_lines(self, node: ast.Constant) -> list[tuple[str, str, int]]:
        """The string's lines, each at its own line when the source holds them as written."""
        value = str(node.value)
        parts = value.split("\n")
        if getattr(node, "end_lineno", None) != node.lineno + len(parts) - 1:
            return [(part, self.rel, node.lineno) for part in value.splitlines() or [value]]
        return [(part, self.rel, node.lineno + i) for i, part in enumerate(parts)]


def _is_setup(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "setup"
    return isinstance(func, ast.Attribute) and func.attr == "setup"


# -- Poetry's dependency forms ---------------------------------------------------------------
_CARET_TILDE = re.compile(r"^([\^~])\s*(\d+(?:\.\d+)*)(.*)$")


def _poetry_constraint(text: str) -> str | None:
    """Poetry's version constraint as a PEP 440 specifier ("" for any); None when it has no
    PEP 440 form (an `||` union). poetry-core constraints/version/parser.py rules."""
    text = text.strip()
    if text in ("", "*"):
        return ""
    if len(re.split(r"\s*\|\|?\s*", text)) > 1:  # parser.py _parse_constraint's or_constraints
        return None
    out: list[str] = []
    for part in re.split(r"(?<!^)(?<![\^~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)", text.rstrip(",")):
        part = part.strip()
        if not part or part == "*":
            continue
        match = _CARET_TILDE.match(part)
        if match and not part.startswith("~="):
            kind, version, rest = match.groups()
            if rest.strip():
                return None
            numbers = [int(n) for n in version.split(".")]
            if kind == "^":
                # ^1.2.3 -> <2.0.0; ^0.2.3 -> <0.3.0; ^0.0.3 -> <0.0.4; ^0 -> <1
                index = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
                if index >= len(numbers):
                    index = len(numbers) - 1
            else:
                # ~1.2.3 -> <1.3.0; ~1.2 -> <1.3; ~1 -> <2
                index = 0 if len(numbers) == 1 else 1
            upper = numbers[: index + 1]
            upper[-1] += 1
            out += [f">={version}", "<" + ".".join(map(str, upper))]
        elif re.fullmatch(r"\d[\w.*+!-]*", part):
            out.append(f"=={part}")
        else:
            out.append(part.replace(" ", ""))
    try:
        return str(SpecifierSet(",".join(out)))
    except InvalidSpecifier:
        return None


def _python_marker(constraint: str) -> str | None:
    spec = _poetry_constraint(constraint)
    if spec is None:
        return None
    clauses = []
    for one in SpecifierSet(spec):
        version = one.version.removesuffix(".*")
        op = one.operator
        if one.version.endswith(".*"):
            op = "==" if op == "==" else "!="
        clauses.append(f'python_version {op} "{version}"')
    return " and ".join(clauses)


def _poetry_requirement(name: str, spec: Any) -> tuple[str, bool, str] | None:
    """(PEP 508 text, optional, local directory) for one [tool.poetry.dependencies] entry,
    None when poetry-core could not build it."""
    if isinstance(spec, str):
        spec = {"version": spec}
    if not isinstance(spec, dict):
        return None
    extras = spec.get("extras") or []
    head = name + (f"[{','.join(str(e) for e in extras)}]" if extras else "")
    local = ""
    url = ""
    if "git" in spec:
        url = "git+" + str(spec["git"])
        rev = spec.get("rev") or spec.get("tag") or spec.get("branch")
        url += f"@{rev}" if rev else ""
        url += f"#subdirectory={spec['subdirectory']}" if spec.get("subdirectory") else ""
    elif "url" in spec:
        url = str(spec["url"])
    elif "path" in spec or "file" in spec:
        where = str(spec.get("path") or spec.get("file"))
        url = "file:" + where
        local = "" if is_archive_name(where) else where
    markers: list[str] = []
    if spec.get("markers"):
        markers.append(str(spec["markers"]))
    if spec.get("python"):
        python = _python_marker(str(spec["python"]))
        if python:
            markers.append(python)
    if spec.get("platform"):
        markers.append(f'sys_platform == "{spec["platform"]}"')
    marker = " and ".join(f"({m})" if len(markers) > 1 else m for m in markers)
    if url:
        text = f"{head} @ {url}"
    else:
        version = _poetry_constraint(str(spec.get("version", "*")))
        text = head + (version or "")
    if marker:
        try:
            Marker(marker)
        except InvalidMarker:
            return None
        text += f" ; {marker}"
    if _parse(text) is None:
        return None
    return text, bool(spec.get("optional", False)), local


def _pipfile_requirement(name: str, spec: Any) -> tuple[str, str] | None:
    """(PEP 508 text, local project path or "") of one Pipfile [packages] entry, or None."""
    if isinstance(spec, str):
        version = spec.strip()
        return (name if version in ("", "*") else f"{name}{version}"), ""
    if not isinstance(spec, dict):
        return None
    extras = spec.get("extras", [])
    head = name
    if isinstance(extras, list) and extras:
        head += "[" + ",".join(str(e) for e in extras) + "]"
    marks = [str(spec["markers"])] if isinstance(spec.get("markers"), str) else []
    marks += [f"{key}{spec[key]}" for key in PIPFILE_MARKER_KEYS if isinstance(spec.get(key), str)]
    marker = " and ".join(f"({m})" for m in marks) if len(marks) > 1 else "".join(marks)
    tail = f"; {marker}" if marker else ""
    local = ""
    if isinstance(spec.get("git"), str):
        ref = f"@{spec['ref']}" if isinstance(spec.get("ref"), str) else ""
        url = spec["git"] if spec["git"].startswith("git+") else f"git+{spec['git']}"
        return f"{head} @ {url}{ref}{tail}", ""
    if isinstance(spec.get("file"), str):
        return f"{head} @ {spec['file']}{tail}", ""
    if isinstance(spec.get("path"), str):
        local = spec["path"]
        return f"{head}{tail}", local
    version = spec.get("version", "*")
    if not isinstance(version, str):
        return None
    version = version.strip()
    return f"{head}{'' if version in ('', '*') else version}{tail}", ""
