"""Build the action's image with podman and run it exactly as the GitHub runner runs a Docker
action (actions/runner src/Runner.Worker/Handlers/ContainerActionHandler.cs and
Container/DockerCommandManager.cs), so the tests see what a user's job sees:

- the runner's folders, owned by its user (uid 1001, as on GitHub's hosted runners), mounted
  at /github/workspace, /github/runner_temp, /github/home, /github/workflow (event.json) and
  /github/file_commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ... files made before the step);
- the container runs as root with `--workdir /github/workspace`, Python as PID 1 (no init);
- every input declared in action.yml arrives as INPUT_<NAME> upper-cased with hyphens kept,
  with action.yml's default when the workflow does not set it (`${{ github.token }}` is the
  job's token, empty here unless a scenario has one);
- GITHUB_* variables point at the container paths, as the runner translates them.

On these machines podman needs runc, lower ulimits and, for the build, the host's CA bundle
(tests/container/setup and the README's "Docker image" section say why). The container uses
the host's network so that it reaches the local GitHub API server (tests/fakegithub.py) on
127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/heroku-req-check:test"
RUNNER_UID = 1001  # the hosted runner's user, who owns the checkout
PODMAN = ["podman", "--runtime", "runc"]
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
FILE_COMMANDS = {
    "GITHUB_OUTPUT": "set_output",
    "GITHUB_STEP_SUMMARY": "step_summary",
    "GITHUB_ENV": "set_env",
    "GITHUB_PATH": "add_path",
    "GITHUB_STATE": "save_state",
}


def require_podman() -> None:
    if shutil.which("podman") is None:
        pytest.fail(
            "podman is not installed: the container scenarios cannot run. scripts/test "
            "installs it (tests/container/setup: apt-get install podman runc mmdebstrap)",
            pytrace=False,
        )


def base_image() -> str:
    """The Dockerfile's BASE_IMAGE for this machine: from scripts/test (HRC_BASE_IMAGE) or
    tests/container/setup, which uses the pinned official image or builds a stand-in."""
    require_podman()
    if os.environ.get("HRC_BASE_IMAGE"):
        return os.environ["HRC_BASE_IMAGE"]
    done = subprocess.run(
        [str(ROOT / "tests" / "container" / "setup")], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"tests/container/setup failed:\n{done.stderr}", pytrace=False)
    return done.stdout.strip().splitlines()[-1]


@dataclass(frozen=True)
class Built:
    image: str
    base: str
    seconds: float


def build_image(base: str, tag: str = IMAGE, no_cache: bool = False) -> Built:
    """`podman build` of the repository's Dockerfile on `base` (the BASE_IMAGE build ARG)."""
    command = [*PODMAN, "build", "-q", *LIMITS, "--pull=never", "--build-arg"]
    if no_cache:
        command.insert(len(PODMAN) + 1, "--no-cache")
    command += [f"BASE_IMAGE={base}", "-t", tag]
    if CA_BUNDLE.is_file():  # only for this machine's re-signing egress; not in a layer
        command += ["-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"]
    start = time.perf_counter()
    done = subprocess.run([*command, str(ROOT)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        pytest.fail(f"podman build failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return Built(tag, base, seconds)


def action_inputs() -> dict[str, str]:
    """action.yml's inputs and their defaults."""
    spec = yaml.safe_load((ROOT / "action.yml").read_text())
    return {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]

    def annotations(self, kind: str = "") -> list[str]:
        prefix = f"::{kind}" if kind else "::"
        return [line for line in self.stdout.splitlines() if line.startswith(prefix)]


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's `name<<DELIMITER` blocks (actions-toolkit's file commands)."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = re.fullmatch(r"([^<=]+)<<(.+)", lines[index])
        if match:
            name, delimiter = match.groups()
            end = lines.index(delimiter, index + 1)
            out[name] = "\n".join(lines[index + 1 : end])
            index = end
        elif "=" in lines[index]:
            name, value = lines[index].split("=", 1)
            out[name] = value
        index += 1
    return out


@dataclass
class Job:
    """One job on a hosted runner: its work folder, with the workspace at work/app/app as
    GitHub lays it out, and the runner's temporary folders."""

    root: Path
    repository: str = "octo/app"
    sha: str = "f" * 40
    event_name: str = "push"
    event: dict[str, Any] = field(default_factory=dict)
    token: str = ""
    api_url: str = "http://127.0.0.1:9"  # the discard port: nothing answers unless a test serves
    image: str = IMAGE

    def __post_init__(self) -> None:
        self.work = self.root / "work"
        self.workspace = self.work / "app" / "app"
        self.temp = self.work / "_temp"
        for folder in (self.workspace, *self._temp_folders()):
            folder.mkdir(parents=True, exist_ok=True)

    def _temp_folders(self) -> list[Path]:
        return [
            self.temp / "_github_home",
            self.temp / "_github_workflow",
            self.temp / "_runner_file_commands",
        ]

    def chown_to_runner(self) -> None:
        """The runner's user owns everything it made, the checkout included."""
        for path in (self.work, *self.work.rglob("*")):
            os.lchown(path, RUNNER_UID, RUNNER_UID)

    def command(
        self,
        inputs: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
    ) -> tuple[list[str], dict[str, Path]]:
        """The `podman run` line and the file-command files it will write."""
        import json

        (self.temp / "_github_workflow" / "event.json").write_text(json.dumps(self.event))
        files: dict[str, Path] = {}
        for variable, kind in FILE_COMMANDS.items():
            path = self.temp / "_runner_file_commands" / f"{kind}_{uuid.uuid4()}"
            path.write_text("")
            files[variable] = path
        self.chown_to_runner()
        values = action_inputs()
        values["github-token"] = self.token  # the default, ${{ github.token }}
        values.update(inputs or {})
        variables = {f"INPUT_{name.upper()}": value for name, value in values.items()}
        variables.update(
            {
                "HOME": "/github/home",
                "GITHUB_JOB": "check",
                "GITHUB_REF": "refs/heads/main",
                "GITHUB_SHA": self.sha,
                "GITHUB_REPOSITORY": self.repository,
                "GITHUB_REPOSITORY_OWNER": self.repository.split("/")[0],
                "GITHUB_RUN_ID": "1",
                "GITHUB_ACTOR": "octocat",
                "GITHUB_WORKFLOW": "requirements",
                "GITHUB_EVENT_NAME": self.event_name,
                "GITHUB_EVENT_PATH": "/github/workflow/event.json",
                "GITHUB_WORKSPACE": "/github/workspace",
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_API_URL": self.api_url,
                "GITHUB_ACTION": "check",
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": "X64",
                "RUNNER_TEMP": "/github/runner_temp",
                "GITHUB_ACTIONS": "true",
                "CI": "true",
            }
        )
        for variable, path in files.items():
            variables[variable] = f"/github/file_commands/{path.name}"
        variables.update(env or {})
        command = [*PODMAN, "run", "--rm", "--network", "host", *LIMITS]
        command += ["--workdir", "/github/workspace"]
        for name, value in variables.items():
            command += ["-e", f"{name}={value}"]
        mounts = {
            self.temp: "/github/runner_temp",
            self.temp / "_github_home": "/github/home",
            self.temp / "_github_workflow": "/github/workflow",
            self.temp / "_runner_file_commands": "/github/file_commands",
            self.workspace: "/github/workspace",
        }
        for host, inside in mounts.items():
            command += ["-v", f"{host}:{inside}"]
        return [*command, self.image, *(args or [])], files

    def run(
        self,
        inputs: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
    ) -> Result:
        command, files = self.command(inputs, env, args)
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
        return Result(
            done.returncode,
            done.stdout,
            done.stderr,
            files["GITHUB_STEP_SUMMARY"].read_text(),
            parse_outputs(files["GITHUB_OUTPUT"].read_text()),
        )
