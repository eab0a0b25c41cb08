"""Oryx settings a deploy workflow gives the build (evaluation eval3 F1): azure/appservice-build
runs `oryx build` in the job, so DISABLE_COLLECTSTATIC=true in the workflow's, job's or step's
env leaves out the collectstatic block (Oryx d91d836e PythonBashBuildSnippet.sh.tpl:547,
PythonScriptGeneratorOptionsSetup.cs:23), and CUSTOM_REQUIREMENTSTXT_PATH names the file grepped
(sh.tpl:30-34)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import TREES
from heroku_req_check.scan import scan

WORKFLOW = """\
name: deploy
on: push
{workflow_env}jobs:
  build:
    runs-on: ubuntu-latest
{job_env}    steps:
      - uses: actions/checkout@v4
      - uses: {action}
{step_env}"""


def _app(tmp_path: Path, **parts: str) -> Path:
    app = tmp_path / "app"
    shutil.copytree(TREES / "azure-disable-collectstatic", app)
    values = {
        "workflow_env": "",
        "job_env": "",
        "step_env": "",
        "action": "azure/appservice-build@v3",
    }
    values.update(parts)
    (app / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW.format(**values))
    return app


def _rules(app: Path) -> list[str]:
    return [f.rule for f in scan(app, platforms=["azure"]).findings]


def test_disable_collectstatic_in_the_job_env_turns_the_rule_off() -> None:
    report = scan(TREES / "azure-disable-collectstatic", platforms=["azure"])
    assert report.findings == []
    [plan] = report.plans
    assert plan.off == ("collectstatic",)
    assert any("DISABLE_COLLECTSTATIC=true" in fact for fact in plan.evidence)
    # detected (no --platform) the same
    assert scan(TREES / "azure-disable-collectstatic").findings == []


def test_without_the_setting_collectstatic_is_reported(tmp_path: Path) -> None:
    assert _rules(_app(tmp_path)) == ["azure/collectstatic"]


def test_each_env_scope_and_env_references(tmp_path: Path) -> None:
    on = "  DISABLE_COLLECTSTATIC: 'TRUE'\n"
    assert _rules(_app(tmp_path / "w", workflow_env="env:\n" + on)) == []
    assert _rules(_app(tmp_path / "s", step_env="        env:\n    " + "      " + on)) == []
    ref = "env:\n  NO_STATIC: true\n"
    step = "        env:\n          DISABLE_COLLECTSTATIC: ${{ env.NO_STATIC }}\n"
    assert _rules(_app(tmp_path / "r", workflow_env=ref, step_env=step)) == []
    # a step's own false overrides the job's true
    job = "    env:\n      DISABLE_COLLECTSTATIC: true\n"
    step = "        env:\n          DISABLE_COLLECTSTATIC: false\n"
    assert _rules(_app(tmp_path / "o", job_env=job, step_env=step)) == ["azure/collectstatic"]


def test_values_oryx_does_not_read_as_true_leave_it_on(tmp_path: Path) -> None:
    """OptionsSetupBase.cs:25-41: bool.TryParse; "1" is no boolean (Oryx then fails)."""
    job = "    env:\n      DISABLE_COLLECTSTATIC: '1'\n"
    assert _rules(_app(tmp_path / "one", job_env=job)) == ["azure/collectstatic"]
    unknown = "    env:\n      DISABLE_COLLECTSTATIC: ${{ vars.OFF }}\n"
    assert _rules(_app(tmp_path / "var", job_env=unknown)) == ["azure/collectstatic"]


def test_webapps_deploy_alone_does_not_carry_the_env(tmp_path: Path) -> None:
    """The build App Service runs after an upload reads its App Settings, not the job env."""
    job = "    env:\n      DISABLE_COLLECTSTATIC: true\n"
    step = "        with:\n          app-name: demo\n          package: .\n"
    app = _app(tmp_path, job_env=job, step_env=step, action="azure/webapps-deploy@v3")
    assert _rules(app) == ["azure/collectstatic"]


def test_one_build_without_the_setting_keeps_it(tmp_path: Path) -> None:
    app = _app(tmp_path, job_env="    env:\n      DISABLE_COLLECTSTATIC: true\n")
    (app / ".github" / "workflows" / "other.yml").write_text(
        WORKFLOW.format(
            workflow_env="", job_env="", step_env="", action="azure/appservice-build@v2"
        )
    )
    assert _rules(app) == ["azure/collectstatic"]


def test_custom_requirementstxt_path_names_the_file_grepped(tmp_path: Path) -> None:
    """requirements/base.txt names Django: with CUSTOM_REQUIREMENTSTXT_PATH pointing at it,
    Oryx's grep matches; the root requirements.txt is no longer what it reads."""
    job = "    env:\n      CUSTOM_REQUIREMENTSTXT_PATH: requirements/base.txt\n"
    app = _app(tmp_path / "base", job_env=job)
    report = scan(app, platforms=["azure"])
    assert report.findings == []
    [plan] = report.plans
    assert plan.root == "requirements/base.txt"
    # a file without Django is reported where it is
    (app / "requirements" / "web.txt").write_text("-r base.txt\n")
    job = "    env:\n      CUSTOM_REQUIREMENTSTXT_PATH: ./requirements/web.txt\n"
    app = _app(tmp_path / "web", job_env=job)
    (app / "requirements" / "web.txt").write_text("-r base.txt\n")
    findings = scan(app, platforms=["azure"]).findings
    assert [(f.rule, f.file) for f in findings] == [
        ("azure/collectstatic", "requirements/base.txt")
    ]
    # --requirements names the file itself: the setting does not override it
    root = scan(app, root="requirements.txt", platforms=["azure"])
    assert [f.rule for f in root.findings] == ["azure/collectstatic"]
