"""Every fixture tree's JSON and text output, compared with the golden files beside it.

The per-tree JSON goldens model every platform and release (`--platform all`); the `deploy-*`
trees and the example app are also run as a new user runs them, with no flags, so their
goldens show what deployment detection selects. Regenerate after a deliberate change with
UPDATE_GOLDENS=1 and review the diff.
"""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from conftest import FIXTURES, TREES, tree_names
from heroku_req_check.cli import main

GOLDEN = FIXTURES / "golden"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "seed-app"
# (golden name, app): the default run, no flags
DEFAULT_RUNS = [
    ("seed-app", EXAMPLE),  # a Heroku app: app.json, Procfile, .python-version
    ("deploy-railway", TREES / "deploy-railway"),
    ("deploy-cloudrun", TREES / "deploy-cloudrun"),
    ("deploy-several", TREES / "deploy-several"),
    ("deploy-cloudrun-button", TREES / "deploy-cloudrun-button"),  # not Heroku's app.json
    ("deploy-azure-subproject", TREES / "deploy-azure-subproject"),  # azd deploys ./src
    ("deploy-fly-dockerfile", TREES / "deploy-fly-dockerfile"),  # fly.toml [build] dockerfile
    ("deploy-cf-named-manifests", TREES / "deploy-cf-named-manifests"),  # cf push -f
    ("seed", TREES / "seed"),  # no deployment configuration at all
]


def run_cli(*args: str) -> tuple[int, str]:
    """Run the CLI on a fixture tree as if that tree were the repository (GITHUB_WORKSPACE),
    so file names in annotations and SARIF do not depend on where the checkout lives."""
    buffer = io.StringIO()
    saved = os.environ.get("GITHUB_WORKSPACE")
    os.environ["GITHUB_WORKSPACE"] = args[-1]
    try:
        with redirect_stdout(buffer):
            code = main(list(args))
    finally:
        if saved is None:
            del os.environ["GITHUB_WORKSPACE"]
        else:
            os.environ["GITHUB_WORKSPACE"] = saved
    return code, buffer.getvalue()


def compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDENS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path}: run with UPDATE_GOLDENS=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("tree", tree_names())
def test_json_golden(tree: str) -> None:
    code, out = run_cli(
        "--format", "json", "--fail-on", "never", "--platform", "all", str(TREES / tree)
    )
    assert code == 0
    json.loads(out)
    compare(f"{tree}.json", out)


@pytest.mark.parametrize("tree", ["seed", "case-trap", "broken-lines"])
def test_text_golden(tree: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _code, out = run_cli("--platform", "heroku@v3-v184", str(TREES / tree))
    compare(f"{tree}.txt", out)


def test_verbose_text_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _code, out = run_cli("--verbose", "--platform", "heroku@v3-v184", str(TREES / "seed"))
    compare("seed.verbose.txt", out)


def test_github_golden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = run_cli("--format", "github", "--platform", "heroku@all", str(TREES / "seed"))
    assert code == 1
    compare("seed.github", out)
    compare("seed.summary.md", summary.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "app"), DEFAULT_RUNS, ids=[n for n, _ in DEFAULT_RUNS])
def test_default_run_golden(
    name: str, app: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _code, out = run_cli(str(app))
    compare(f"{name}.default.txt", out)
    _code, out = run_cli("--format", "json", "--fail-on", "never", str(app))
    compare(f"{name}.default.json", out)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    _code, out = run_cli("--format", "github", str(app))
    compare(f"{name}.default.github", out)
    compare(f"{name}.default.summary.md", summary.read_text(encoding="utf-8"))


def test_summary_says_when_annotations_are_hidden_and_shows_respellings() -> None:
    from heroku_req_check.report import summary
    from heroku_req_check.scan import scan

    report = scan(TREES / "case-trap", platforms=["heroku@v43-v184"])
    assert any(f.fix and f.fix.action == "replace" for f in report.findings)
    text = summary.render(report, hidden_annotations=3)
    assert "3 are not shown on the files" in text
    assert "make line" in text and "```text" in text
    assert "are not shown" not in summary.render(report)
