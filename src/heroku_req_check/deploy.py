"""Deployment detection: which platforms this repository deploys to, each with its evidence.

A marker is a file (or a key in one) that a platform's own documentation or source reads to
decide how the app is built; every marker below cites that source (`SOURCES`). Files every
builder reads are *generic* and select nothing: `runtime.txt` and `.python-version` are read by
Heroku (lib/python_version.sh), Nixpacks (src/providers/python.rs:530-534), Railpack
(core/providers/python/python.go:373 and mise), Cloud Foundry (src/python/supply/supply.go:184)
and Google's buildpacks (pkg/python/python.go:59). A `Procfile` is read by Heroku, Nixpacks,
Railpack, Google's buildpacks (cmd/config/entrypoint/lib/lib.go:41) and Cloud Foundry, so a
Procfile, or an `app.json` that names no buildpack, means the Heroku family only when no other
platform's own marker is there (a Dockerfile is not one: Heroku never builds from it, and many
Heroku apps keep one for local use).

`detect(view)` is pure: it reads only through `view` (`DiskView` is the one reader that touches
the disk: inside the repository only, symlinks resolved and kept inside, regular files only,
opened non-blocking so a FIFO never blocks, at most `MAX_CONFIG_BYTES` each). It reads the
repository's top-level entries, a handful of small configuration files, `.github/workflows/`
and `.do/`. YAML (workflows, manifests, app specs) is parsed with PyYAML's safe loader, JSON and
TOML with the standard library; a file that does not parse, or a value no platform accepts, is
a Problem with its file and line, and detection carries on.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import re
import shlex
import stat
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .model import BuildStep, Evidence, Problem, Target

MAX_CONFIG_BYTES = 1024 * 1024  # configuration files are small; a bigger one is not read
MAX_ENTRIES = 10_000  # directory entries looked at in one listing
MAX_WORKFLOWS = 100

# The documentation or source that makes each file a marker (cited in every evidence line and
# in tests/test_deploy.py's table).
SOURCES: dict[str, str] = {
    "app.json": "https://devcenter.heroku.com/articles/app-json-schema (buildpacks)",
    "buildpack-ref": "https://devcenter.heroku.com/articles/buildpacks#buildpack-references "
    "(a git URL's #ref pins a release tag)",
    ".buildpacks": "https://dokku.com/docs/appendices/file-formats/buildpacks-file",
    "heroku.yml": "https://devcenter.heroku.com/articles/build-docker-images-heroku-yml",
    "Procfile": "https://devcenter.heroku.com/articles/procfile",
    "runtime.txt": "heroku/heroku-buildpack-python v351 lib/python_version.sh:56-61; "
    "railwayapp/nixpacks src/providers/python.rs:533; railwayapp/railpack "
    "core/providers/python/python.go:373; cloudfoundry/python-buildpack "
    "src/python/supply/supply.go:184",
    ".python-version": "heroku/heroku-buildpack-python v351 lib/python_version.sh:56-61; "
    "railwayapp/nixpacks src/providers/python.rs:531; GoogleCloudPlatform/buildpacks "
    "pkg/python/python.go:59",
    "manifest.yml": "https://docs.cloudfoundry.org/devguide/deploy-apps/manifest-attributes.html "
    "(buildpacks: a name, a git URL, a URL#tag)",
    "cf push -f": 'https://docs.cloudfoundry.org/devguide/deploy-apps/manifest.html ("To specify '
    'a different location for the manifest, pass its local path to the -f flag"; cf CLI v6: '
    '"Multiple Manifests with Inheritance", `inherit:`)',
    "railway": "https://docs.railway.com/config-as-code/reference (build.builder: RAILPACK "
    "(default), DOCKERFILE, NIXPACKS (deprecated); Railway always builds with a Dockerfile "
    "if it finds one)",
    "nixpacks.toml": "railwayapp/nixpacks src/nixpacks/plan/generator.rs:200-203",
    "railpack.json": "railwayapp/railpack core/core.go:25 (defaultConfigFileName)",
    "app.yaml": "https://cloud.google.com/appengine/docs/standard/reference/app-yaml (runtime)",
    "cloudbuild": "https://cloud.google.com/build/docs/build-config-file-schema",
    "cloud-run-source": "https://cloud.google.com/run/docs/deploying-source-code (a Dockerfile "
    "in the source directory is built; otherwise Google Cloud's buildpacks)",
    "project.toml": "https://buildpacks.io/docs/reference/config/project-descriptor/ "
    "(io.buildpacks.builder, io.buildpacks.build.env)",
    "deploy-cloudrun": "https://github.com/google-github-actions/deploy-cloudrun (source or image)",
    "deploy-appengine": "https://github.com/google-github-actions/deploy-appengine",
    "deploy-cloud-functions": "https://github.com/google-github-actions/deploy-cloud-functions",
    "webapps-deploy": "https://github.com/Azure/webapps-deploy (package or images); "
    "microsoft/Oryx doc/hosts/appservice.md (Oryx builds pushed source)",
    "appservice-build": "https://github.com/Azure/appservice-build (runs Oryx)",
    "az webapp up": "https://learn.microsoft.com/cli/azure/webapp#az-webapp-up",
    "azure.yaml": "https://learn.microsoft.com/azure/developer/azure-developer-cli/"
    "azd-schema (services.<name>.host: appservice)",
    "fly.toml": "https://fly.io/docs/reference/builders/ (the Dockerfile builder is the "
    "default; [build] image or builder/buildpacks change it, [build] dockerfile names it: "
    "superfly/flyctl v0.4.87 internal/command/deploy/deploy_build.go:292-312)",
    "zbpack.json": "zeabur/zbpack pkg/plan/config.go:102-110 (zbpack.json, zbpack.<service>.json)",
    "serverless.yml": "https://github.com/serverless/serverless-python-requirements "
    "(plugins: - serverless-python-requirements)",
    ".do/app.yaml": "https://docs.digitalocean.com/products/app-platform/reference/app-spec/; "
    "buildpacks/python: App Platform uses heroku-buildpack-python v322; "
    "reference/dockerfile: a Dockerfile at the root or dockerfile_path is built instead",
    "render.yaml": "https://render.com/docs/blueprint-spec (runtime: python | docker | image)",
    "Dockerfile": "https://docs.docker.com/reference/dockerfile/; Containerfile: podman-build(1)",
    "cloud-run-button": "GoogleCloudPlatform/cloud-run-button fc05d57f "
    "cmd/cloudshell_open/appfile.go:40-86 (app.json: name, env, options, build, hooks; unknown "
    "keys refused), main.go:351-401 (build.skip; a Dockerfile is built with docker build, "
    "otherwise pack build --builder gcr.io/buildpacks/builder:v1 or build.buildpacks.builder)",
    "compose": "https://docs.docker.com/reference/compose-file/build/",
}

# app.json top-level keys only one of the two formats has. Heroku's app.json schema
# (https://devcenter.heroku.com/articles/app-json-schema): addons, buildpacks, environments,
# image, scripts, success_url (also name, description, keywords, website, repository, logo, env,
# formation, stack, which the Cloud Run Button accepts too). The Cloud Run Button's appFile
# (cloud-run-button fc05d57f cmd/cloudshell_open/appfile.go:70-86, DisallowUnknownFields at
# :106) adds options, build and hooks, and refuses every other key; its env values are objects
# (a Heroku env value may be a plain string), with an `order` Heroku does not have (:32-38).
HEROKU_ONLY_KEYS = ("addons", "buildpacks", "environments", "image", "scripts", "success_url")
BUTTON_ONLY_KEYS = ("options", "build", "hooks")

# Platforms that read a Procfile (or app.json) themselves: their evidence takes the Procfile
READS_PROCFILE = frozenset({"heroku", "nixpacks", "railpack", "google", "cloudfoundry"})
HEROKU_PYTHON_RE = re.compile(
    r"^(?:heroku/python"
    r"|(?:https?://|git@)?(?:www\.)?github\.com[/:]heroku/heroku-buildpack-python(?:\.git)?/?"
    r"|https?://(?:buildpack-registry|codon-buildpacks)\.s3\.amazonaws\.com/buildpacks/"
    r"heroku/python\.tgz)"
    r"(?:#(?P<ref>.*))?$",
    re.I,
)
CF_PYTHON_RE = re.compile(
    r"^(?:python_buildpack|python-buildpack"
    r"|(?:https?://)?github\.com/cloudfoundry/python-buildpack(?:\.git)?/?(?:#(?P<ref>.*))?)$",
    re.I,
)
# a manifest under another name, pushed with `cf push -f` (manifest_prod.yml, manifest-dev.yaml)
CF_NAMED_MANIFEST_RE = re.compile(r"manifest[_-][\w.-]+\.ya?ml")
RELEASE_REF_RE = re.compile(r"^(?:refs/tags/)?(?:archive/)?v(\d+)$")
DOCKERFILE_RE = re.compile(
    r"^(?:(?:Dockerfile|Containerfile)(?:\..+)?|.+\.(?:Dockerfile|dockerfile|Containerfile))$"
)
# Workflow steps that run a platform's build in the job, so the job's env reaches it, with the
# input naming the directory built: azure/appservice-build is a Docker container action that
# runs `oryx build` (Azure/appservice-build 02214197 action.yml:26-28 `using: docker`).
# azure/webapps-deploy only uploads: App Service's own build reads the app's App Settings.
BUILD_STEPS = {"azure/appservice-build": "source-directory"}
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
RAILWAY_BUILDERS = {"RAILPACK": "railpack", "NIXPACKS": "nixpacks", "DOCKERFILE": "docker"}


@dataclass(frozen=True)
class Unread:
    """A file that exists but is not read (too large, not a regular file, outside)."""

    reason: str


class RepositoryView(Protocol):
    """What detection may see of the repository: `read` a repo-relative file (None when it
    does not exist), and `names` of the entries in a repo-relative directory ("" = the top)."""

    def read(self, path: str) -> bytes | Unread | None: ...

    def names(self, directory: str) -> tuple[str, ...]: ...


class DiskView:
    """The repository on disk, read as `RepositoryView` promises: never outside `repo` (symlinks
    are resolved and must stay inside), regular files only, opened with O_NONBLOCK (a FIFO swapped
    in after the check never blocks), at most `max_bytes` a file, `MAX_ENTRIES` a listing."""

    def __init__(self, repo: Path, max_bytes: int = MAX_CONFIG_BYTES) -> None:
        self.top = os.path.realpath(repo)
        self.max_bytes = max_bytes

    def _inside(self, path: str) -> str | None:
        real = os.path.realpath(os.path.join(self.top, path))
        return real if real == self.top or real.startswith(self.top + os.sep) else None

    def names(self, directory: str) -> tuple[str, ...]:
        real = self._inside(directory)
        if real is None:
            return ()
        found: list[str] = []
        with contextlib.suppress(OSError), os.scandir(real) as entries:
            for entry in entries:
                found.append(entry.name)
                if len(found) >= MAX_ENTRIES:
                    break
        return tuple(sorted(found))

    def read(self, path: str) -> bytes | Unread | None:
        full = os.path.join(self.top, path)
        real = self._inside(path)
        if real is None:
            return Unread("resolves outside the repository: never read")
        try:
            info = os.stat(real)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return Unread(f"cannot be read ({exc.strerror})") if os.path.lexists(full) else None
        if not stat.S_ISREG(info.st_mode):
            return Unread("is not a regular file: not read")
        if info.st_size > self.max_bytes:
            return Unread(
                f"is {info.st_size} bytes, over the {self.max_bytes}-byte limit: not read"
            )
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(real, flags)
        except OSError as exc:
            return Unread(f"cannot be read ({exc.strerror})")
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return Unread("is not a regular file: not read")
            data = handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            return Unread(f"is over the {self.max_bytes}-byte limit: not read")
        return data


@dataclass(frozen=True)
class Detection:
    """`targets`: the deployment targets found, in marker order. `ignored`: markers read that
    select nothing, each saying why (another buildpack named, a prebuilt image, another
    directory deployed). `problems`: configuration files that could not be read or hold a
    value the platform rejects."""

    targets: tuple[Target, ...] = ()
    ignored: tuple[Evidence, ...] = ()
    problems: tuple[Problem, ...] = ()
    # the workflow steps that build this directory in the job (`BUILD_STEPS`), with their env,
    # whatever the selection: a platform's catalog says which settings change its build
    build_steps: tuple[BuildStep, ...] = ()


def detect(view: RepositoryView) -> Detection:
    """The repository's deployment targets, each with its evidence (see the module docstring)."""
    return _Detector(view).run()


# -- YAML with line numbers ---------------------------------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on."""

    line: int = 0


def _yaml_loader() -> type:
    import yaml  # PyYAML (a runtime dependency): the safe loader, never arbitrary objects

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]
        pass

    def mapping(loader: Any, node: Any) -> Iterator[_Map]:
        data = _Map()
        data.line = node.start_mark.line + 1
        yield data
        data.update(loader.construct_mapping(node))

    def unknown_tag(loader: Any, _suffix: str, node: Any) -> object:
        # CloudFormation's !Ref, !Sub, !GetAtt in serverless.yml: the value as written
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    Loader.add_multi_constructor("!", unknown_tag)
    return Loader


def _line(value: object) -> int | None:
    return value.line if isinstance(value, _Map) and value.line else None


def _line_of(text: str, needle: str) -> int | None:
    """The 1-based line of the first occurrence of `needle` (JSON and TOML parsers keep no
    positions; this only places a value the parser already returned)."""
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _text(value: object, otherwise: str = "?") -> str:
    """A YAML/JSON value shown in a report: strings and numbers as written, anything else as
    `otherwise` (str() of a structure YAML aliases nest could take exponential time)."""
    if isinstance(value, str):
        return value[:200]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return otherwise


def _same_dir(path: object) -> bool:
    """Whether a deploy's source directory is this one ("." or unset)."""
    if path is None:
        return True
    if not isinstance(path, str):
        return False
    cleaned = posixpath.normpath(path.strip() or ".").lstrip("/") or "."
    return cleaned == "."


# -- the detector --------------------------------------------------------------------------------


@dataclass
class _Found:
    platform: str
    release: str
    via: str
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Detector:
    def __init__(self, view: RepositoryView) -> None:
        self.view = view
        self.found: list[_Found] = []
        self.ignored: list[Evidence] = []
        self.problems: list[Problem] = []
        self.weak_heroku: list[Evidence] = []  # a Procfile, an app.json naming no buildpack
        self.procfile: Evidence | None = None
        self.heroku_other_buildpacks = False  # app.json names buildpacks, none of them Python
        self.top = set(view.names(""))
        self._loader: type | None = None
        self.build_steps: list[BuildStep] = []

    # -- recording -------------------------------------------------------------------------------
    def add(
        self,
        platform: str,
        where: tuple[str, int | None],
        marker: str,
        key: str,
        *,
        release: str = "",
        via: str = "",
        note: str = "",
    ) -> None:
        """Evidence (file, line, marker, SOURCES[key]) for the target platform@release (via)."""
        evidence = Evidence(where[0], where[1], marker, SOURCES[key])
        for found in self.found:
            if (found.platform, found.release, found.via) == (platform, release, via):
                if evidence not in found.evidence:
                    found.evidence.append(evidence)
                break
        else:
            found = _Found(platform, release, via, [evidence])
            self.found.append(found)
        if note and note not in found.notes:
            found.notes.append(note)

    def ignore(self, where: tuple[str, int | None], marker: str, key: str) -> None:
        self.ignored.append(Evidence(where[0], where[1], marker, SOURCES[key]))

    def problem(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    # -- reading ---------------------------------------------------------------------------------
    def text(self, path: str) -> str | None:
        """The file's text, None when absent; a Problem when it cannot be read or decoded."""
        data = self.view.read(path)
        if data is None:
            return None
        if isinstance(data, Unread):
            self.problem(path, None, f"{path} {data.reason}; deployment detection skips it")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(path, line, f"{path} is not UTF-8; deployment detection skips it")
            return None

    def yaml(self, path: str) -> object:
        text = self.text(path)
        if text is None:
            return None
        import yaml

        if self._loader is None:
            self._loader = _yaml_loader()
        try:
            return yaml.load(text, Loader=self._loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.problem(path, line, f"{path} is not valid YAML ({reason}); not read")
        except RecursionError:
            self.problem(path, None, f"{path} nests too deeply to read; not read")
        return None

    def json(self, path: str) -> tuple[dict[str, Any] | None, str]:
        """A JSON object and its text; (None, "") when absent, malformed or not an object."""
        text = self.text(path)
        if text is None:
            return None, ""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            self.problem(path, exc.lineno, f"{path} is not valid JSON ({exc.msg}); not read")
            return None, ""
        except RecursionError:
            self.problem(path, None, f"{path} nests too deeply to read; not read")
            return None, ""
        if not isinstance(document, dict):
            self.problem(path, 1, f"{path} is not a JSON object; not read")
            return None, ""
        return document, text

    def toml(self, path: str) -> tuple[dict[str, Any] | None, str]:
        text = self.text(path)
        if text is None:
            return None, ""
        try:
            return tomllib.loads(text), text
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            line = int(match.group(1)) if match else None
            self.problem(path, line, f"{path} is not valid TOML ({exc}); not read")
        except RecursionError:
            self.problem(path, None, f"{path} nests too deeply to read; not read")
        return None, ""

    def document(self, path: str) -> object:
        """A configuration file of any of the three formats, by its extension."""
        if path.endswith(".json"):
            return self.json(path)[0]
        if path.endswith(".toml"):
            return self.toml(path)[0]
        return self.yaml(path)

    # -- the run ---------------------------------------------------------------------------------
    def run(self) -> Detection:
        for step in (
            self.heroku,
            self.cloudfoundry,
            self.railway,
            self.builders,
            self.google,
            self.workflows,
            self.azure,
            self.flyio,
            self.zeabur,
            self.serverless,
            self.digitalocean,
            self.render,
            self.docker,
            self.settle_heroku,
        ):
            step()
        targets = tuple(
            Target(f.platform, f.release, f.via, tuple(f.evidence), "; ".join(f.notes))
            for f in self.found
        )
        return Detection(
            targets, tuple(self.ignored), tuple(self.problems), tuple(self.build_steps)
        )

    # -- Heroku and its family -------------------------------------------------------------------
    def heroku_buildpack(self, where: tuple[str, int | None], url: str, label: str) -> bool:
        """A buildpack reference naming Heroku's Python buildpack: a heroku target at the release
        its #ref pins (a release tag vN or archive/vN). False for any other buildpack."""
        match = HEROKU_PYTHON_RE.match(url.strip())
        if not match:
            return False
        ref = match.group("ref") or ""
        release = RELEASE_REF_RE.match(ref)
        marker = f"{label}: {url.strip()}"
        if release:
            self.add("heroku", where, marker, "buildpack-ref", release=f"v{release.group(1)}")
        else:
            note = ""
            if ref:
                note = (
                    f"{where[0]} pins heroku-buildpack-python#{ref}, not a release tag: its "
                    "current release is modelled"
                )
            self.add("heroku", where, marker, where[0], note=note)
        return True

    def heroku(self) -> None:
        if "app.json" in self.top:
            document, text = self.json("app.json")
            buildpacks = document.get("buildpacks") if document is not None else None
            if isinstance(buildpacks, list) and buildpacks:
                urls = [b.get("url") if isinstance(b, dict) else None for b in buildpacks]
                python = False
                for index, url in enumerate(urls):
                    label = f"app.json buildpacks[{index}]"
                    if not isinstance(url, str):
                        line = _line_of(text, '"buildpacks"')
                        self.problem("app.json", line, f"{label} has no url; not read")
                        continue
                    line = _line_of(text, json.dumps(url)[1:-1])
                    python |= self.heroku_buildpack(("app.json", line), url, label)
                if not python:
                    named = ", ".join(u for u in urls if isinstance(u, str))
                    self.ignore(
                        ("app.json", _line_of(text, '"buildpacks"')),
                        f"app.json names buildpacks, none of them Heroku's Python buildpack "
                        f"({named}): Heroku's Python rules do not apply",
                        "app.json",
                    )
                    self.heroku_other_buildpacks = True
            elif document is not None and not self.cloud_run_button(document, text):
                self.weak_heroku.append(Evidence("app.json", None, "app.json", SOURCES["app.json"]))
        if ".buildpacks" in self.top:
            text = self.text(".buildpacks") or ""
            for number, raw in enumerate(text.splitlines(), start=1):
                url = raw.strip()
                if url.lower().startswith("heroku-community/"):
                    # Dokku reads heroku-community/NAME as heroku/NAME (its buildpacks-file doc)
                    url = "heroku/" + url[len("heroku-community/") :]
                if url:
                    self.heroku_buildpack((".buildpacks", number), url, ".buildpacks")
        if "heroku.yml" in self.top:
            manifest = self.yaml("heroku.yml")
            build = manifest.get("build") if isinstance(manifest, dict) else None
            docker = build.get("docker") if isinstance(build, dict) else None
            if isinstance(docker, dict) and docker:
                where = ("heroku.yml", _line(build))
                self.add("docker", where, "heroku.yml build.docker", "heroku.yml", via="heroku")
        if "Procfile" in self.top:
            self.procfile = Evidence("Procfile", None, "Procfile", SOURCES["Procfile"])
            self.weak_heroku.insert(0, self.procfile)

    def cloud_run_button(self, document: dict[str, Any], text: str) -> bool:
        """Whether app.json is a Cloud Run Button file (a key or env shape only it has, none
        only Heroku's has: `BUTTON_ONLY_KEYS`); if so, what the button builds: the root
        Dockerfile (docker), else Google's buildpacks (google), nothing with build.skip (its
        hooks build the image) or another builder."""
        env = document.get("env")
        values = list(env.values()) if isinstance(env, dict) else []
        button = [key for key in BUTTON_ONLY_KEYS if key in document]
        if any(isinstance(v, dict) and "order" in v for v in values):
            button.append("env.*.order")
        heroku = [key for key in HEROKU_ONLY_KEYS if key in document]
        if any(isinstance(v, str) for v in values):
            heroku.append("a plain-string env value")
        if not button or heroku:
            return False
        where = ("app.json", _line_of(text, f'"{button[0].split(".")[0]}"'))
        marker = f"app.json is a Cloud Run Button file ({', '.join(button)}), not Heroku's"
        build = document.get("build")
        build = build if isinstance(build, dict) else {}
        packs = build.get("buildpacks")
        builder = packs.get("builder") if isinstance(packs, dict) else None
        if build.get("skip") is True:
            marker = f"{marker}: build.skip, so its hooks build the image"
            self.ignore(where, marker, "cloud-run-button")
        elif "Dockerfile" in self.top:  # docker.go:42-50 dockerFileExists
            marker = f"{marker}: it builds the Dockerfile"
            self.add("docker", where, marker, "cloud-run-button", via="cloud run button")
        elif isinstance(builder, str) and builder and "gcr.io/buildpacks" not in builder:
            self.ignore(where, f"{marker}: it builds with {builder}", "cloud-run-button")
        else:
            self.add("google", where, marker, "cloud-run-button", via="cloud run button")
        return True

    def settle_heroku(self) -> None:
        """A Procfile or a bare app.json means the Heroku family only when no other platform's
        own marker is there (a plain Dockerfile does not count); the platforms that read the
        Procfile themselves list it as evidence."""
        if self.procfile is not None:
            for found in self.found:
                if found.platform in READS_PROCFILE and self.procfile not in found.evidence:
                    found.evidence.append(self.procfile)
        heroku = [f for f in self.found if f.platform == "heroku" and not f.via]
        if heroku:
            for evidence in self.weak_heroku:
                if evidence not in heroku[0].evidence:
                    heroku[0].evidence.append(evidence)
            return
        claims = [f for f in self.found if f.platform != "docker" or f.via]
        if self.weak_heroku and not claims and not self.heroku_other_buildpacks:
            self.found.insert(0, _Found("heroku", "", "", list(self.weak_heroku)))

    # -- Cloud Foundry ---------------------------------------------------------------------------
    def cloudfoundry(self) -> None:
        # `cf push` reads manifest.yml; `cf push -f manifest_prod.yml` another name, which
        # repositories with one manifest per space (manifest_dev.yml, manifest-staging.yml) use
        others = sorted(n for n in self.top if CF_NAMED_MANIFEST_RE.fullmatch(n))
        for name in ("manifest.yml", "manifest.yaml", *others):
            key = "manifest.yml" if name in ("manifest.yml", "manifest.yaml") else "cf push -f"
            document = self.yaml(name) if name in self.top else None
            apps = document.get("applications") if isinstance(document, dict) else None
            if not isinstance(document, dict) or not isinstance(apps, list):
                continue  # not a Cloud Foundry app manifest (other tools use the name too)
            shared = _strings(document.get("buildpacks")) + _strings(document.get("buildpack"))
            parent = document.get("inherit")
            if not shared and isinstance(parent, str) and parent in self.top:
                # cf CLI v6's `inherit:` (one level: the base's top-level buildpack)
                base = self.yaml(parent)
                if isinstance(base, dict):
                    shared = _strings(base.get("buildpacks")) + _strings(base.get("buildpack"))
            for app in apps:
                if isinstance(app, dict):
                    self.cf_app(name, app, shared, key)

    def cf_app(
        self, name: str, app: dict[Any, Any], shared: list[str], key: str = "manifest.yml"
    ) -> None:
        where = (name, _line(app))
        label = f"{name} applications[{_text(app.get('name'))}]"
        if app.get("docker"):
            self.ignore(where, f"{label} pushes a Docker image", key)
            return
        if not _same_dir(app.get("path")):
            self.ignore(
                where,
                f"{label} pushes {_text(app.get('path'))}, not this directory",
                key,
            )
            return
        buildpacks = _strings(app.get("buildpacks")) + _strings(app.get("buildpack")) or shared
        if not buildpacks:
            marker = f"{label} (no buildpack named: cf push detects the Python buildpack)"
            self.add("cloudfoundry", where, marker, key)
            return
        python = [b.strip() for b in buildpacks if CF_PYTHON_RE.match(b.strip())]
        if not python:
            marker = f"{label} names {', '.join(buildpacks)}, not the Python buildpack"
            self.ignore(where, marker, key)
            return
        match = CF_PYTHON_RE.match(python[0])
        pin = (match.group("ref") or "") if match else ""
        # a release tag (`#v1.8.10`) pins that release; a branch or other ref is today's code
        release = pin if re.fullmatch(r"v\d+(?:\.\d+)*", pin) else ""
        note = (
            f"{name} pins python-buildpack#{pin}, not a release tag" if pin and not release else ""
        )
        marker = f"{label} buildpacks: {python[0]}"
        self.add("cloudfoundry", where, marker, key, release=release, note=note)

    # -- Railway, Nixpacks, Railpack -------------------------------------------------------------
    def railway(self) -> None:
        for name in ("railway.toml", "railway.json"):
            if name not in self.top:
                continue
            document, text = self.toml(name) if name.endswith(".toml") else self.json(name)
            if document is None:
                continue
            build = document.get("build")
            build = build if isinstance(build, dict) else {}
            builder = build.get("builder")
            line = _line_of(text, "builder")
            if builder is not None and (
                not isinstance(builder, str) or builder.upper() not in RAILWAY_BUILDERS
            ):
                self.problem(
                    name,
                    line,
                    f"{name} build.builder {builder!r} is not a Railway builder "
                    f"({', '.join(RAILWAY_BUILDERS)}): Railway's default, Railpack, is assumed",
                )
                builder = None
            chosen = builder.upper() if isinstance(builder, str) else ""
            path = build.get("dockerfilePath")
            path = path if isinstance(path, str) else ""
            where = (name, line) if chosen else (name, None)
            marker = f"{name} build.builder = {builder}" if chosen else name
            if chosen == "DOCKERFILE" or path or "Dockerfile" in self.top:
                note = ""
                if chosen and chosen != "DOCKERFILE":
                    note = (
                        f"{name} names {builder}, but Railway builds with the Dockerfile it finds"
                    )
                self.add("docker", where, marker, "railway", via="railway", note=note)
                if path:
                    where = (name, _line_of(text, "dockerfilePath"))
                    marker = f"{name} build.dockerfilePath = {path}"
                    self.add("docker", where, marker, "railway", via="railway")
                continue
            if not chosen:
                marker = f"{name} (no builder: Railpack, Railway's default)"
            self.add(
                RAILWAY_BUILDERS.get(chosen, "railpack"), where, marker, "railway", via="railway"
            )

    def builders(self) -> None:
        for name in ("nixpacks.toml", "nixpacks.json"):
            if name in self.top and self.document(name) is not None:
                self.add("nixpacks", (name, None), name, "nixpacks.toml")
        if "railpack.json" in self.top:
            document, text = self.json("railpack.json")
            provider = document.get("provider") if document is not None else None
            if isinstance(provider, str) and provider.lower() != "python":
                where = ("railpack.json", _line_of(text, '"provider"'))
                marker = f"railpack.json sets provider {provider!r}: no Python steps run"
                self.ignore(where, marker, "railpack.json")
            elif document is not None:
                self.add("railpack", ("railpack.json", None), "railpack.json", "railpack.json")

    # -- Google Cloud ----------------------------------------------------------------------------
    def google_source(
        self, where: tuple[str, int | None], marker: str, source: str, key: str
    ) -> None:
        """A Cloud Run source deploy of `source`: Google's buildpacks, or the Dockerfile there."""
        if not _same_dir(source):
            self.ignore(where, f"{marker} deploys {source}, not this directory", key)
        elif "Dockerfile" in self.top:
            marker = f"{marker} (the source has a Dockerfile)"
            self.add("docker", where, marker, "cloud-run-source", via="cloud run")
        else:
            self.add("google", where, marker, key, via="cloud run")

    def google(self) -> None:
        document = self.yaml("app.yaml") if "app.yaml" in self.top else None
        runtime = document.get("runtime") if isinstance(document, dict) else None
        if isinstance(runtime, str):
            where = ("app.yaml", _line(document))
            if runtime == "python27":
                self.ignore(where, "app.yaml runtime: python27 (the legacy runtime)", "app.yaml")
            elif runtime.startswith("python"):
                marker = f"app.yaml runtime: {runtime}"
                self.add("google", where, marker, "app.yaml", via="app engine")
            elif runtime == "custom":
                marker = "app.yaml runtime: custom"
                self.add("docker", where, marker, "app.yaml", via="app engine")
        for name in ("cloudbuild.yaml", "cloudbuild.yml", "cloudbuild.json"):
            document = self.document(name) if name in self.top else None
            steps = document.get("steps") if isinstance(document, dict) else None
            for step in steps if isinstance(steps, list) else ():
                if isinstance(step, dict):
                    self.cloudbuild_step(name, step)
        self.project_toml()

    def cloudbuild_step(self, name: str, step: dict[Any, Any]) -> None:
        words: list[str] = []
        entrypoint, image = step.get("entrypoint"), step.get("name")
        if isinstance(entrypoint, str):
            words.append(entrypoint)
        elif isinstance(image, str):
            # gcr.io/cloud-builders/gcloud and gcr.io/k8s-skaffold/pack run that command
            words.append(image.rsplit("/", 1)[-1].split(":")[0])
        for arg in _strings(step.get("args")):
            words.extend(_split(arg) if " " in arg else [arg])
        script = step.get("script")
        if isinstance(script, str):
            words.extend(w for line in _logical_lines(script) for w in _split(line))
        directory = step.get("dir")
        self.commands((name, _line(step)), words, directory if isinstance(directory, str) else None)

    def project_toml(self) -> None:
        document, text = self.toml("project.toml") if "project.toml" in self.top else (None, "")
        io = document.get("io") if document is not None else None
        buildpacks = io.get("buildpacks") if isinstance(io, dict) else None
        if not isinstance(buildpacks, dict):
            return
        builder = buildpacks.get("builder")
        build = buildpacks.get("build")
        envs = build.get("env") if isinstance(build, dict) else None
        names = (
            [str(e.get("name", "")) for e in envs if isinstance(e, dict)]
            if isinstance(envs, list)
            else []
        )
        google_env = [n for n in names if n.startswith("GOOGLE_")]
        if isinstance(builder, str) and "gcr.io/buildpacks" in builder:
            where = ("project.toml", _line_of(text, "builder"))
            self.add(
                "google", where, f"project.toml io.buildpacks.builder = {builder}", "project.toml"
            )
        elif google_env:
            where = ("project.toml", _line_of(text, google_env[0]))
            self.add(
                "google",
                where,
                f"project.toml io.buildpacks.build.env {google_env[0]}",
                "project.toml",
            )

    def commands(
        self, where: tuple[str, int | None], words: list[str], directory: str | None
    ) -> None:
        """Deploy commands among a shell line's words (or a build step's arguments): gcloud
        run/app/functions deploy, gcloud builds submit --pack, pack build with Google's
        builder, az webapp up. `directory` is where they run ("." or None = here)."""
        here = directory or "."
        for start, word in enumerate(words):
            command = posixpath.basename(word)
            if command not in ("gcloud", "az", "pack"):
                continue
            rest = _command(words[start + 1 :])
            args = [w for w in rest if not w.startswith("-") and w not in ("beta", "alpha")]
            options = _options(rest)
            if command == "gcloud" and args[:2] == ["run", "deploy"]:
                if "--image" in options:
                    marker = "gcloud run deploy --image (an image built elsewhere)"
                    self.ignore(where, marker, "cloud-run-source")
                else:
                    source = options.get("--source") or "."
                    marker = f"gcloud run deploy --source {source}"
                    self.google_source(
                        where, marker, posixpath.join(here, source), "cloud-run-source"
                    )
            elif command == "gcloud" and args[:2] == ["app", "deploy"] and _same_dir(here):
                self.add("google", where, "gcloud app deploy", "app.yaml", via="app engine")
            elif command == "gcloud" and args[:2] == ["functions", "deploy"]:
                runtime = options.get("--runtime", "")
                source = posixpath.join(here, options.get("--source") or ".")
                if runtime.startswith("python") and _same_dir(source):
                    marker = f"gcloud functions deploy --runtime {runtime}"
                    self.add(
                        "google", where, marker, "deploy-cloud-functions", via="cloud functions"
                    )
            elif command == "gcloud" and args[:2] == ["builds", "submit"] and "--pack" in options:
                self.add("google", where, "gcloud builds submit --pack", "cloudbuild")
            elif command == "pack" and args[:1] == ["build"]:
                builder = options.get("--builder") or options.get("-B") or ""
                if "gcr.io/buildpacks" in builder:
                    self.add("google", where, f"pack build --builder {builder}", "project.toml")
            elif command == "az" and args[:2] == ["webapp", "up"] and _same_dir(here):
                self.add("azure", where, "az webapp up", "az webapp up", via="app service")

    # -- GitHub workflows ------------------------------------------------------------------------
    def workflows(self) -> None:
        names = [n for n in self.view.names(".github/workflows") if n.endswith((".yml", ".yaml"))]
        for name in names[:MAX_WORKFLOWS]:
            path = f".github/workflows/{name}"
            document = self.yaml(path)
            if not isinstance(document, dict):
                continue
            jobs = document.get("jobs")
            default_dir = _run_dir(document)
            for job in jobs.values() if isinstance(jobs, dict) else ():
                steps = job.get("steps") if isinstance(job, dict) else None
                job_dir = _run_dir(job) or default_dir if isinstance(job, dict) else None
                for step in steps if isinstance(steps, list) else ():
                    if isinstance(step, dict):
                        self.workflow_step(path, step, job_dir)
                        scopes = (document, job, step)
                        self.build_step(path, step, [s.get("env") for s in scopes])

    def build_step(self, path: str, step: dict[Any, Any], scopes: list[object]) -> None:
        """A step that builds this directory in the job (`BUILD_STEPS`), with the env it runs
        with: the workflow's, the job's and the step's own `env:`, a later scope overriding an
        earlier one as GitHub Actions does; `${{ env.NAME }}` is resolved from the scopes
        above, any other expression is unknown and dropped."""
        uses = step.get("uses")
        action = uses.split("@", 1)[0].lower().rstrip("/") if isinstance(uses, str) else ""
        directory_input = BUILD_STEPS.get(action)
        if directory_input is None:
            return
        inputs = step.get("with")
        if not _same_dir(inputs.get(directory_input) if isinstance(inputs, dict) else None):
            return
        env: dict[str, tuple[str | None, int | None]] = {}
        for scope in scopes:
            if not isinstance(scope, dict):
                continue
            for key, raw in scope.items():
                value = _env_value(raw, env)
                env[str(key)] = (value, _line(scope))
        known = tuple(
            (name, value, line) for name, (value, line) in env.items() if value is not None
        )
        self.build_steps.append(BuildStep(path, _line(step), action, known))

    def workflow_step(self, path: str, step: dict[Any, Any], job_dir: str | None) -> None:
        where = (path, _line(step))
        uses = step.get("uses")
        inputs = step.get("with")
        inputs = inputs if isinstance(inputs, dict) else {}
        action = uses.split("@", 1)[0].lower().rstrip("/") if isinstance(uses, str) else ""
        if action == "google-github-actions/deploy-cloudrun":
            if inputs.get("image"):
                marker = f"{uses} deploys the image {_text(inputs['image'])} (built elsewhere)"
                self.ignore(where, marker, "deploy-cloudrun")
            elif "source" in inputs:
                marker = f"{uses} source: {_text(inputs['source'])}"
                self.google_source(where, marker, _text(inputs["source"]), "deploy-cloudrun")
        elif action == "google-github-actions/deploy-appengine":
            if _same_dir(inputs.get("working_directory")):
                self.add("google", where, str(uses), "deploy-appengine", via="app engine")
            else:
                marker = (
                    f"{uses} deploys {_text(inputs.get('working_directory'))}, not this directory"
                )
                self.ignore(where, marker, "deploy-appengine")
        elif action == "google-github-actions/deploy-cloud-functions":
            runtime = _text(inputs.get("runtime"), "")
            if runtime.startswith("python") and _same_dir(inputs.get("source_dir")):
                marker = f"{uses} runtime: {runtime}"
                self.add("google", where, marker, "deploy-cloud-functions", via="cloud functions")
        elif action == "azure/webapps-deploy":
            self.webapps_deploy(where, str(uses), inputs)
        elif action == "azure/appservice-build" and _same_dir(inputs.get("source-directory")):
            self.add("azure", where, str(uses), "appservice-build", via="app service")
        run = step.get("run")
        if isinstance(run, str):
            directory = step.get("working-directory")
            here = directory if isinstance(directory, str) else job_dir
            for logical in _logical_lines(run):
                self.commands(where, _split(logical), here)

    def webapps_deploy(
        self, where: tuple[str, int | None], uses: str, inputs: dict[Any, Any]
    ) -> None:
        if inputs.get("images"):
            self.ignore(
                where, f"{uses} deploys the image {_text(inputs['images'])}", "webapps-deploy"
            )
        elif _same_dir(inputs.get("package")):
            note = (
                "App Service builds pushed source with Oryx when SCM_DO_BUILD_DURING_DEPLOYMENT "
                "is true (the portal sets it for Python apps)"
            )
            marker = f"{uses} package: {_text(inputs.get('package', '.'))}"
            self.add("azure", where, marker, "webapps-deploy", via="app service", note=note)
        else:
            marker = f"{uses} deploys {_text(inputs.get('package'))} (a package the workflow built)"
            self.ignore(where, marker, "webapps-deploy")

    # -- Azure, Fly.io, Zeabur, Serverless, DigitalOcean, Render ---------------------------------
    def azure(self) -> None:
        document = self.yaml("azure.yaml") if "azure.yaml" in self.top else None
        services = document.get("services") if isinstance(document, dict) else None
        for name, service in services.items() if isinstance(services, dict) else ():
            if not isinstance(service, dict) or service.get("host") != "appservice":
                continue
            language = _text(service.get("language"), "").lower()
            if language not in ("py", "python"):
                continue
            where = ("azure.yaml", _line(service))
            project = service.get("project")
            if _same_dir(project):
                marker = f"azure.yaml services.{name}.host: appservice"
                self.add("azure", where, marker, "azure.yaml", via="app service")
            else:
                # azd deploys `project` (relative to azure.yaml); detection reads only this
                # directory, so the app there is checked when that directory is
                marker = (
                    f"azure.yaml services.{name} (host: appservice, language: {language}) "
                    f"builds {_text(project)}, not this directory: check that directory "
                    "with --platform azure"
                )
                self.ignore(where, marker, "azure.yaml")

    def flyio(self) -> None:
        document, text = self.toml("fly.toml") if "fly.toml" in self.top else (None, "")
        if document is None:
            return
        build = document.get("build")
        build = build if isinstance(build, dict) else {}
        if build.get("image"):
            where = ("fly.toml", _line_of(text, "image"))
            self.ignore(
                where, f"fly.toml [build] image = {build['image']} (built elsewhere)", "fly.toml"
            )
            return
        dockerfile = build.get("dockerfile")
        if isinstance(dockerfile, str) and dockerfile:
            # `fly deploy` builds this Dockerfile (resolveDockerfilePath, flyctl v0.4.87
            # internal/command/deploy/deploy_build.go:292-312): the docker platform checks it
            where = ("fly.toml", _line_of(text, "dockerfile"))
            marker = f"fly.toml [build] dockerfile = {dockerfile}"
            self.add("docker", where, marker, "fly.toml", via="fly.io")
            return
        packs = build.get("builder") or build.get("buildpacks")
        note = f"fly.toml builds with buildpacks ({packs})" if packs else ""
        self.add("flyio", ("fly.toml", None), "fly.toml", "fly.toml", note=note)

    def zeabur(self) -> None:
        for name in sorted(self.top):
            named = name == "zbpack.json" or re.fullmatch(r"zbpack\.[^/]+\.json", name)
            if named and self.json(name)[0] is not None:
                self.add("zeabur", (name, None), name, "zbpack.json")

    def serverless(self) -> None:
        for name in ("serverless.yml", "serverless.yaml", "serverless.json"):
            document = self.document(name) if name in self.top else None
            plugins = document.get("plugins") if isinstance(document, dict) else None
            if isinstance(plugins, dict):
                plugins = plugins.get("modules")
            if "serverless-python-requirements" in _strings(plugins):
                marker = f"{name} plugins: serverless-python-requirements"
                self.add("serverless", (name, _line(document)), marker, "serverless.yml")

    def digitalocean(self) -> None:
        present = self.view.names(".do")
        for name in ("app.yaml", "deploy.template.yaml"):
            document = self.yaml(f".do/{name}") if name in present else None
            if isinstance(document, dict) and isinstance(document.get("spec"), dict):
                document = document["spec"]  # the deploy-button template wraps the spec
            for kind in ("services", "workers", "jobs"):
                components = document.get(kind) if isinstance(document, dict) else None
                for component in components if isinstance(components, list) else ():
                    if isinstance(component, dict):
                        self.do_component(f".do/{name}", kind, component)

    def do_component(self, file: str, kind: str, component: dict[Any, Any]) -> None:
        where = (file, _line(component))
        label = f"{file} {kind}[{_text(component.get('name'))}]"
        slug = component.get("environment_slug")
        dockerfile = component.get("dockerfile_path")
        if component.get("image"):
            self.ignore(where, f"{label} runs a prebuilt image", ".do/app.yaml")
        elif not _same_dir(component.get("source_dir")):
            marker = f"{label} builds {_text(component.get('source_dir'))}, not this directory"
            self.ignore(where, marker, ".do/app.yaml")
        elif isinstance(dockerfile, str) or (slug is None and "Dockerfile" in self.top):
            marker = (
                f"{label} dockerfile_path: {dockerfile}" if dockerfile else f"{label} (Dockerfile)"
            )
            self.add("docker", where, marker, ".do/app.yaml", via="digitalocean")
        elif slug in (None, "python"):
            marker = f"{label} environment_slug: python" if slug else f"{label} (buildpack)"
            self.add("heroku", where, marker, ".do/app.yaml", release="v322", via="digitalocean")
        else:
            self.ignore(where, f"{label} environment_slug: {_text(slug)}", ".do/app.yaml")

    def render(self) -> None:
        document = self.yaml("render.yaml") if "render.yaml" in self.top else None
        services = document.get("services") if isinstance(document, dict) else None
        for service in services if isinstance(services, list) else ():
            if not isinstance(service, dict):
                continue
            where = ("render.yaml", _line(service))
            runtime = service.get("runtime") or service.get("env")  # `env` before 2023
            label = f"render.yaml services[{_text(service.get('name'))}]"
            if not _same_dir(service.get("rootDir")):
                marker = f"{label} builds {_text(service.get('rootDir'))}, not this directory"
                self.ignore(where, marker, "render.yaml")
            elif runtime == "python":
                self.add("render", where, f"{label} runtime: python", "render.yaml")
            elif runtime == "docker":
                self.add("docker", where, f"{label} runtime: docker", "render.yaml", via="render")

    # -- Docker ----------------------------------------------------------------------------------
    def docker(self) -> None:
        for name in sorted(self.top):
            if DOCKERFILE_RE.match(name) and isinstance(self.view.read(name), bytes):
                self.add("docker", (name, None), name, "Dockerfile")
        # `docker build .` reads a lowercase dockerfile when there is no Dockerfile (moby/buildkit
        # 73ed6825, frontend/dockerui/config.go:345-348, :392-402)
        lower = "dockerfile"
        named = lower in self.top and "Dockerfile" not in self.top
        if named and isinstance(self.view.read(lower), bytes):
            marker = "dockerfile (docker build reads it when there is no Dockerfile)"
            self.add("docker", (lower, None), marker, "Dockerfile")
        for name in COMPOSE_FILES:
            document = self.yaml(name) if name in self.top else None
            services = document.get("services") if isinstance(document, dict) else None
            for service_name, service in services.items() if isinstance(services, dict) else ():
                if isinstance(service, dict) and service.get("build") is not None:
                    where = (name, _line(service))
                    self.add("docker", where, f"{name} services.{service_name}.build", "compose")


_ENV_REF = re.compile(r"^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")


def _env_value(raw: object, env: dict[str, tuple[str | None, int | None]]) -> str | None:
    """An `env:` value as the process sees it (YAML true is "true"), None when unknown."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return str(raw)
    if not isinstance(raw, str):
        return None
    reference = _ENV_REF.match(raw.strip())
    if reference:
        return env.get(reference.group(1), (None, None))[0]
    return None if "${{" in raw else raw


def _run_dir(holder: dict[Any, Any]) -> str | None:
    """A workflow's or job's `defaults.run.working-directory`."""
    defaults = holder.get("defaults")
    run = defaults.get("run") if isinstance(defaults, dict) else None
    directory = run.get("working-directory") if isinstance(run, dict) else None
    return directory if isinstance(directory, str) else None


def _logical_lines(script: str) -> Iterator[str]:
    """Shell lines with backslash continuations joined."""
    pending = ""
    for raw in script.splitlines():
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        yield pending + raw
        pending = ""
    if pending:
        yield pending


def _split(line: str) -> list[str]:
    """A shell line's words (shlex, posix rules, comments dropped, `;`, `&&`, `||` and `|` as
    words of their own); [] when it does not split (an unclosed quote: the line is not read)."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        return list(lexer)
    except ValueError:
        return []


def _command(words: Iterable[str]) -> list[str]:
    """The words of one command: up to the first separator."""
    out: list[str] = []
    for word in words:
        if word in (";", "&&", "||", "|", "&", "&;"):
            break
        out.append(word)
    return out


def _options(words: list[str]) -> dict[str, str]:
    """`--name value` and `--name=value` options of one command."""
    options: dict[str, str] = {}
    for index, word in enumerate(words):
        if not word.startswith("-"):
            continue
        name, equals, value = word.partition("=")
        if not equals and index + 1 < len(words) and not words[index + 1].startswith("-"):
            value = words[index + 1]
        options[name] = value
    return options
