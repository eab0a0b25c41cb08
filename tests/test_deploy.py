"""Deployment detection (deploy.py) and the selection built on it (scan.choose).

Each row of MARKERS is a repository's files, the selection they make (`platform@release via
deployment-platform`, as reports name it) and the platform's own document or source that makes
the file a marker. Rows run against real files on disk through DiskView.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from heroku_req_check import catalog
from heroku_req_check.config import Config
from heroku_req_check.deploy import SOURCES, DiskView, Unread, detect
from heroku_req_check.scan import choose, scan

HEROKU_DOC = "devcenter.heroku.com/articles"
RAILWAY_DOC = SOURCES["railway"]
CF_DOC = SOURCES["manifest.yml"]
GCP_RUN = SOURCES["cloud-run-source"]


def workflow_step(step: str) -> str:
    return "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n" + step


def uses(action: str, **inputs: str) -> str:
    """A workflow whose one step uses `action` with `inputs` (app_name is app-name)."""
    step = f"      - uses: {action}\n"
    if inputs:
        step += "        with:\n"
        step += "".join(f"          {k.replace('_', '-')}: {v}\n" for k, v in inputs.items())
    return workflow_step(step)


MARKERS: list[tuple[str, dict[str, str], list[str], str]] = [
    # -- the Heroku family ---------------------------------------------------------------------
    (
        "procfile",
        {"Procfile": "web: gunicorn app.wsgi\n"},
        ["heroku@latest"],
        SOURCES["Procfile"] + "; issue 13: a Procfile alone means Heroku classic's current release",
    ),
    ("app-json-bare", {"app.json": '{"name": "x"}'}, ["heroku@latest"], SOURCES["app.json"]),
    # a Cloud Run Button app.json (options, build, hooks; env.*.order): not Heroku's
    (
        "cloud-run-button-hooks",
        {"app.json": '{"name": "x", "hooks": {"prebuild": {"commands": ["./p.sh"]}}}'},
        ["google via cloud run button"],
        SOURCES["cloud-run-button"],
    ),
    (
        "cloud-run-button-env-order",
        {"app.json": '{"env": {"K": {"value": "v", "order": 1}}}', "Procfile": "web: x\n"},
        ["google via cloud run button"],
        SOURCES["cloud-run-button"],
    ),
    (
        "cloud-run-button-dockerfile",
        {"app.json": '{"options": {"allow-unauthenticated": true}}', "Dockerfile": "FROM x\n"},
        ["docker via cloud run button"],
        SOURCES["cloud-run-button"],
    ),
    (
        "cloud-run-button-build-skip",
        {"app.json": '{"build": {"skip": true}, "hooks": {"postbuild": {"commands": ["b"]}}}'},
        [],
        SOURCES["cloud-run-button"],
    ),
    (
        "cloud-run-button-other-builder",
        {"app.json": '{"build": {"buildpacks": {"builder": "heroku/builder:24"}}}'},
        [],
        SOURCES["cloud-run-button"],
    ),
    (
        "app-json-heroku-keys-with-hooks",  # scripts is Heroku's: the button refuses the file
        {"app.json": '{"scripts": {"postdeploy": "x"}, "hooks": {}}'},
        ["heroku@latest"],
        SOURCES["app.json"],
    ),
    (
        "app-json-heroku-python",
        {"app.json": '{"buildpacks": [{"url": "heroku/python"}]}'},
        ["heroku@latest"],
        SOURCES["app.json"],
    ),
    (
        "app-json-pin",
        {
            "app.json": json.dumps(
                {
                    "buildpacks": [
                        {"url": "https://github.com/heroku/heroku-buildpack-python.git#v42"}
                    ]
                }
            )
        },
        ["heroku@v42"],
        SOURCES["buildpack-ref"],
    ),
    (
        "app-json-archive-tag",
        {
            "app.json": json.dumps(
                {
                    "buildpacks": [
                        {"url": "https://github.com/heroku/heroku-buildpack-python#archive/v150"}
                    ]
                }
            )
        },
        ["heroku@v150"],
        "heroku/heroku-buildpack-python tags archive/vN up to v265",
    ),
    (
        "app-json-branch",
        {
            "app.json": json.dumps(
                {"buildpacks": [{"url": "https://github.com/heroku/heroku-buildpack-python#main"}]}
            )
        },
        ["heroku@latest"],
        f"{HEROKU_DOC}/buildpacks#buildpack-references (a branch: today's code)",
    ),
    (
        "app-json-untagged-release",
        {
            "app.json": json.dumps(
                {"buildpacks": [{"url": "https://github.com/heroku/heroku-buildpack-python#v22"}]}
            )
        },
        ["heroku@latest"],
        "heroku.toml: v22 was never tagged, so the current release is modelled",
    ),
    (
        "app-json-other-buildpacks",
        {
            "Procfile": "web: node x\n",
            "app.json": json.dumps({"buildpacks": [{"url": "heroku/nodejs"}]}),
        },
        [],
        f"{HEROKU_DOC}/app-json-schema: the app's buildpacks are named, none is Python's",
    ),
    (
        "buildpacks-file",
        {".buildpacks": "https://github.com/heroku/heroku-buildpack-python#v100\n"},
        ["heroku@v100"],
        SOURCES[".buildpacks"],
    ),
    (
        "buildpacks-file-community",
        {".buildpacks": "heroku-community/python\n"},
        ["heroku@latest"],
        SOURCES[".buildpacks"] + " (heroku-community is heroku)",
    ),
    (
        "runtime-txt-generic",
        {"runtime.txt": "python-3.13.1\n"},
        [],
        "generic: " + SOURCES["runtime.txt"],
    ),
    (
        "python-version-generic",
        {".python-version": "3.13\n"},
        [],
        "generic: " + SOURCES[".python-version"],
    ),
    (
        "procfile-and-runtime",
        {"Procfile": "web: x\n", "runtime.txt": "python-3.13.1\n"},
        ["heroku@latest"],
        f"{HEROKU_DOC}/procfile; runtime.txt is generic",
    ),
    (
        "heroku-yml",
        {"heroku.yml": "build:\n  docker:\n    web: Dockerfile\n", "Procfile": "web: x\n"},
        ["docker via heroku"],
        SOURCES["heroku.yml"],
    ),
    (
        "procfile-and-dockerfile",
        {"Procfile": "web: x\n", "Dockerfile": "FROM python\n"},
        ["heroku@latest", "docker"],
        "issue 13's example: a Dockerfile is not another platform's own marker",
    ),
    (
        "digitalocean-buildpack",
        {".do/app.yaml": "name: x\nservices:\n- name: web\n  environment_slug: python\n"},
        ["heroku@v322 via digitalocean"],
        SOURCES[".do/app.yaml"],
    ),
    (
        "digitalocean-dockerfile",
        {".do/app.yaml": "services:\n- name: web\n  dockerfile_path: Dockerfile\n"},
        ["docker via digitalocean"],
        SOURCES[".do/app.yaml"],
    ),
    (
        "digitalocean-button",
        {".do/deploy.template.yaml": "spec:\n  services:\n  - name: web\n"},
        ["heroku@v322 via digitalocean"],
        SOURCES[".do/app.yaml"] + " (deploy-button template)",
    ),
    # -- Cloud Foundry -------------------------------------------------------------------------
    (
        "cf-python-buildpack",
        {"manifest.yml": "applications:\n- name: x\n  buildpacks:\n  - python_buildpack\n"},
        ["cloudfoundry@latest"],
        CF_DOC,
    ),
    (
        "cf-pinned-url",
        {
            "manifest.yml": "applications:\n- name: x\n  buildpacks:\n"
            "  - https://github.com/cloudfoundry/python-buildpack.git#v1.8.10\n"
        },
        ["cloudfoundry@v1.8.10"],
        CF_DOC + " (URL#tag: the pinned release)",
    ),
    (
        "cf-detected",
        {"manifest.yml": "applications:\n- name: x\n  memory: 256M\n"},
        ["cloudfoundry@latest"],
        CF_DOC + " (no buildpack: cf push detects it)",
    ),
    (
        "cf-legacy-buildpack-key",
        {"manifest.yaml": "applications:\n- name: x\n  buildpack: python_buildpack\n"},
        ["cloudfoundry@latest"],
        CF_DOC + " (deprecated buildpack:)",
    ),
    (
        "cf-other-buildpack",
        {"manifest.yml": "applications:\n- name: x\n  buildpacks: [staticfile_buildpack]\n"},
        [],
        CF_DOC,
    ),
    (
        "cf-docker",
        {"manifest.yml": "applications:\n- name: x\n  docker:\n    image: me/x\n"},
        [],
        CF_DOC + " (docker)",
    ),
    (
        "cf-push-f-inherit",
        {
            "manifest_base.yml": "buildpack: https://github.com/cloudfoundry/python-buildpack\n",
            "manifest_prod.yml": "inherit: manifest_base.yml\napplications:\n- name: x\n",
        },
        ["cloudfoundry@latest"],
        SOURCES["cf push -f"] + " (manifest_prod.yml inherits the base's buildpack)",
    ),
    (
        "cf-push-f-detected",
        {"manifest-dev.yaml": "applications:\n- name: x\n  memory: 256M\n"},
        ["cloudfoundry@latest"],
        "cf push -f manifest-dev.yaml, no buildpack: cf push detects it",
    ),
    (
        "cf-push-f-other-buildpack",
        {"manifest_dev.yml": "applications:\n- name: x\n  buildpacks: [nodejs_buildpack]\n"},
        [],
        "a named manifest for another buildpack selects nothing",
    ),
    (
        "manifest-not-cf",
        {"manifest.yml": "version: 2\nkind: something-else\n"},
        [],
        "not a Cloud Foundry app manifest (no applications)",
    ),
    # -- Railway, Nixpacks, Railpack -----------------------------------------------------------
    (
        "railway-default",
        {"railway.toml": "[deploy]\nstartCommand = 'gunicorn x'\n"},
        ["railpack via railway"],
        RAILWAY_DOC,
    ),
    (
        "railway-nixpacks",
        {"railway.toml": '[build]\nbuilder = "NIXPACKS"\n'},
        ["nixpacks via railway"],
        RAILWAY_DOC,
    ),
    (
        "railway-json-railpack",
        {"railway.json": '{"build": {"builder": "RAILPACK"}}'},
        ["railpack via railway"],
        RAILWAY_DOC,
    ),
    (
        "railway-json-dockerfile",
        {"railway.json": '{"build": {"builder": "DOCKERFILE"}}'},
        ["docker via railway"],
        RAILWAY_DOC,
    ),
    (
        "railway-finds-dockerfile",
        {"railway.toml": "[deploy]\n", "Dockerfile": "FROM python\n"},
        ["docker via railway"],
        RAILWAY_DOC + ": Railway always builds with a Dockerfile it finds",
    ),
    (
        "railway-procfile",
        {"railway.toml": "[deploy]\n", "Procfile": "web: x\n"},
        ["railpack via railway"],
        RAILWAY_DOC + "; Railpack reads the Procfile itself",
    ),
    (
        "nixpacks-toml",
        {"nixpacks.toml": "[phases.setup]\nnixPkgs = ['...']\n"},
        ["nixpacks"],
        SOURCES["nixpacks.toml"],
    ),
    ("nixpacks-json", {"nixpacks.json": "{}"}, ["nixpacks"], SOURCES["nixpacks.toml"]),
    (
        "railpack-json",
        {"railpack.json": '{"deploy": {"startCommand": "x"}}'},
        ["railpack"],
        SOURCES["railpack.json"],
    ),
    (
        "railpack-json-other-provider",
        {"railpack.json": '{"provider": "node"}'},
        [],
        "railwayapp/railpack core/core.go:318-330 (a named provider is used)",
    ),
    # -- Google Cloud --------------------------------------------------------------------------
    (
        "app-yaml-python",
        {"app.yaml": "runtime: python313\n"},
        ["google via app engine"],
        SOURCES["app.yaml"],
    ),
    (
        "app-yaml-flex",
        {"app.yaml": "runtime: python\nenv: flex\n"},
        ["google via app engine"],
        SOURCES["app.yaml"] + "; GoogleCloudPlatform/buildpacks cmd/config/flex",
    ),
    ("app-yaml-python27", {"app.yaml": "runtime: python27\n"}, [], "the legacy runtime"),
    (
        "app-yaml-custom",
        {"app.yaml": "runtime: custom\nenv: flex\n"},
        ["docker via app engine"],
        SOURCES["app.yaml"],
    ),
    ("app-yaml-not-app-engine", {"app.yaml": "name: x\n"}, [], "no runtime: not App Engine's"),
    (
        "cloudbuild-source",
        {
            "cloudbuild.yaml": "steps:\n- name: gcr.io/google.com/cloudsdktool/cloud-sdk\n"
            "  entrypoint: gcloud\n  args: [run, deploy, api, --source, ., --region, eu]\n"
        },
        ["google via cloud run"],
        SOURCES["cloudbuild"] + "; " + GCP_RUN,
    ),
    (
        "cloudbuild-image",
        {
            "cloudbuild.yaml": "steps:\n- name: gcr.io/cloud-builders/docker\n"
            "  args: [build, -t, img, .]\n- name: gcr.io/cloud-builders/gcloud\n"
            "  args: [run, deploy, api, --image, img]\n"
        },
        [],
        SOURCES["cloudbuild"] + " (an image, not source)",
    ),
    (
        "cloudbuild-pack",
        {
            "cloudbuild.json": json.dumps(
                {
                    "steps": [
                        {
                            "name": "gcr.io/k8s-skaffold/pack",
                            "args": ["build", "img", "--builder", "gcr.io/buildpacks/builder:v1"],
                        }
                    ]
                }
            )
        },
        ["google"],
        SOURCES["project.toml"],
    ),
    (
        "project-toml-builder",
        {"project.toml": '[io.buildpacks]\nbuilder = "gcr.io/buildpacks/builder:google-22"\n'},
        ["google"],
        SOURCES["project.toml"],
    ),
    (
        "project-toml-google-env",
        {"project.toml": '[[io.buildpacks.build.env]]\nname = "GOOGLE_ENTRYPOINT"\nvalue = "x"\n'},
        ["google"],
        SOURCES["project.toml"] + "; GoogleCloudPlatform/buildpacks pkg/env/env.go",
    ),
    ("project-toml-generic", {"project.toml": '[_]\nid = "x"\n'}, [], "a generic CNB descriptor"),
    (
        "workflow-deploy-cloudrun",
        {".github/workflows/d.yml": uses("google-github-actions/deploy-cloudrun@v2", source="./")},
        ["google via cloud run"],
        SOURCES["deploy-cloudrun"] + "; " + GCP_RUN,
    ),
    (
        "workflow-deploy-cloudrun-dockerfile",
        {
            "Dockerfile": "FROM python\n",
            ".github/workflows/d.yaml": uses(
                "google-github-actions/deploy-cloudrun@v2", source="."
            ),
        },
        ["docker via cloud run"],
        GCP_RUN,
    ),
    (
        "workflow-deploy-cloudrun-image",
        {
            ".github/workflows/d.yml": uses(
                "google-github-actions/deploy-cloudrun@v2", image="gcr.io/x/y"
            )
        },
        [],
        SOURCES["deploy-cloudrun"],
    ),
    (
        "workflow-deploy-cloudrun-elsewhere",
        {
            ".github/workflows/d.yml": uses(
                "google-github-actions/deploy-cloudrun@v2", source="./api"
            )
        },
        [],
        "another directory is deployed",
    ),
    (
        "workflow-gcloud-run",
        {
            ".github/workflows/d.yml": workflow_step(
                "      - run: |\n          gcloud run deploy api \\\n"
                "            --source . --region eu\n"
            )
        },
        ["google via cloud run"],
        GCP_RUN,
    ),
    (
        "workflow-gcloud-run-subdir",
        {
            ".github/workflows/d.yml": workflow_step(
                "      - run: gcloud run deploy api --source .\n        working-directory: api\n"
            )
        },
        [],
        "runs in api/, not this directory",
    ),
    (
        "workflow-gcloud-app-deploy",
        {
            ".github/workflows/d.yml": workflow_step(
                "      - run: gcloud app deploy app.yaml --quiet && echo done\n"
            )
        },
        ["google via app engine"],
        SOURCES["app.yaml"],
    ),
    (
        "workflow-deploy-appengine",
        {
            ".github/workflows/d.yml": workflow_step(
                "      - uses: google-github-actions/deploy-appengine@v2\n"
            )
        },
        ["google via app engine"],
        SOURCES["deploy-appengine"],
    ),
    (
        "workflow-cloud-functions",
        {
            ".github/workflows/d.yml": workflow_step(
                "      - uses: google-github-actions/deploy-cloud-functions@v3\n        with:\n"
                "          name: f\n          runtime: python312\n"
            )
        },
        ["google via cloud functions"],
        SOURCES["deploy-cloud-functions"],
    ),
    # -- Azure ---------------------------------------------------------------------------------
    (
        "workflow-webapps-deploy",
        {".github/workflows/azure.yml": uses("azure/webapps-deploy@v3", app_name="x", package=".")},
        ["azure via app service"],
        SOURCES["webapps-deploy"],
    ),
    (
        "workflow-webapps-deploy-image",
        {
            ".github/workflows/azure.yml": workflow_step(
                "      - uses: Azure/webapps-deploy@v3\n        with:\n          images: me/x:1\n"
            )
        },
        [],
        SOURCES["webapps-deploy"],
    ),
    (
        "workflow-appservice-build",
        {".github/workflows/azure.yml": workflow_step("      - uses: azure/appservice-build@v3\n")},
        ["azure via app service"],
        SOURCES["appservice-build"],
    ),
    (
        "workflow-az-webapp-up",
        {
            ".github/workflows/azure.yml": workflow_step(
                "      - run: az webapp up --name x --runtime PYTHON:3.12\n"
            )
        },
        ["azure via app service"],
        SOURCES["az webapp up"],
    ),
    (
        "azure-yaml-other-project",  # azd deploys ./src: not this directory (listed as ignored)
        {
            "azure.yaml": "services:\n  web:\n    project: ./src\n    language: py\n"
            "    host: appservice\n"
        },
        [],
        SOURCES["azure.yaml"],
    ),
    (
        "azure-yaml",
        {
            "azure.yaml": "services:\n  web:\n    project: .\n    language: py\n"
            "    host: appservice\n"
        },
        ["azure via app service"],
        SOURCES["azure.yaml"],
    ),
    # -- Fly.io, Zeabur, Serverless, Render, Docker ----------------------------------------------
    ("fly-toml", {"fly.toml": "app = 'x'\n"}, ["flyio"], SOURCES["fly.toml"]),
    (
        "fly-toml-image",
        {"fly.toml": "app = 'x'\n[build]\nimage = 'me/x'\n"},
        [],
        SOURCES["fly.toml"] + " ([build] image)",
    ),
    (
        "fly-toml-dockerfile",
        {"fly.toml": "app = 'x'\n[build]\n  dockerfile = 'deploy/Dockerfile'\n"},
        ["docker via fly.io"],
        SOURCES["fly.toml"] + " ([build] dockerfile: deploy_build.go:292-312)",
    ),
    ("zbpack-json", {"zbpack.json": '{"build_command": "x"}'}, ["zeabur"], SOURCES["zbpack.json"]),
    ("zbpack-service-json", {"zbpack.api.json": "{}"}, ["zeabur"], SOURCES["zbpack.json"]),
    (
        "zeabur-json-is-not-read",
        {"zeabur.json": "{}"},
        [],
        "zeabur/zbpack c988eff5 reads no zeabur.json (pkg/plan/config.go: zbpack.json)",
    ),
    (
        "serverless",
        {
            "serverless.yml": "service: x\nprovider:\n  name: aws\n  role: !GetAtt Role.Arn\n"
            "plugins:\n  - serverless-python-requirements\n"
        },
        ["serverless"],
        SOURCES["serverless.yml"],
    ),
    (
        "serverless-modules",
        {"serverless.yaml": "plugins:\n  modules:\n    - serverless-python-requirements\n"},
        ["serverless"],
        SOURCES["serverless.yml"] + " (plugins.modules)",
    ),
    (
        "serverless-without-plugin",
        {"serverless.yml": "service: x\n"},
        [],
        "only serverless-python-requirements reads requirements files",
    ),
    (
        "render-python",
        {"render.yaml": "services:\n- type: web\n  name: x\n  runtime: python\n"},
        ["render"],
        SOURCES["render.yaml"],
    ),
    (
        "render-docker",
        {"render.yaml": "services:\n- type: web\n  name: x\n  runtime: docker\n"},
        ["docker via render"],
        SOURCES["render.yaml"],
    ),
    ("dockerfile", {"Dockerfile": "FROM python\n"}, ["docker"], SOURCES["Dockerfile"]),
    ("containerfile", {"Containerfile": "FROM python\n"}, ["docker"], SOURCES["Dockerfile"]),
    ("dockerfile-variant", {"prod.Dockerfile": "FROM python\n"}, ["docker"], SOURCES["Dockerfile"]),
    (
        "compose-build",
        {"compose.yaml": "services:\n  web:\n    build: .\n"},
        ["docker"],
        SOURCES["compose"],
    ),
]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def selected(root: Path) -> list[str]:
    """The selection's targets as reports name them (`label via X`)."""
    _selections, chosen = choose(detect(DiskView(root)), [], Config())
    if chosen.how == "default":
        return []
    return [t.name + (f" via {t.via}" if t.via else "") for t in chosen.targets]


@pytest.mark.parametrize(
    ("files", "expected", "source"),
    [row[1:] for row in MARKERS],
    ids=[row[0] for row in MARKERS],
)
def test_marker(files: dict[str, str], expected: list[str], source: str, tmp_path: Path) -> None:
    assert source  # every row cites what makes its file a marker
    assert selected(write(tmp_path, files)) == expected


def test_every_marker_source_is_cited_by_a_row() -> None:
    cited = " ".join(row[3] for row in MARKERS)
    assert [key for key, text in SOURCES.items() if text not in cited] == []


def test_evidence_names_file_line_and_source(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.json": '{\n  "buildpacks": [\n    {"url": "'
            + "https://github.com/heroku/heroku-buildpack-python#v42"
            + '"}\n  ]\n}\n',
            "Procfile": "web: x\n",
        },
    )
    [target] = detect(DiskView(tmp_path)).targets
    first, second = target.evidence
    assert (first.file, first.line) == ("app.json", 3)
    assert (
        first.marker
        == "app.json buildpacks[0]: https://github.com/heroku/heroku-buildpack-python#v42"
    )
    assert "buildpack-references" in first.source
    assert (second.file, second.line, second.marker) == ("Procfile", None, "Procfile")


def test_several_targets_select_all_of_them(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.json": '{"buildpacks": [{"url": "heroku/python"}]}',
            "railway.toml": "[build]\nbuilder = 'NIXPACKS'\n",
            "manifest.yml": "applications:\n- name: x\n",
            "app.yaml": "runtime: python312\n",
            "Dockerfile.dev": "FROM python\n",
            "requirements.txt": "",
        },
    )
    assert selected(tmp_path) == [
        "heroku@latest",
        "cloudfoundry@latest",
        "nixpacks via railway",
        "google via app engine",
        "docker",
    ]
    report = scan(tmp_path)
    assert report.selection is not None and report.selection.how == "detected"
    # a platform is modelled as soon as catalog/<name>.toml defines it (docker is; google is
    # detected before its catalog file exists): the same detection, no change here
    names = ("heroku", "cloudfoundry", "nixpacks", "google", "docker")
    modelled = [n for n in names if catalog.find(n) is not None]
    assert [t.platform for t in report.selection.targets if t.modelled] == modelled
    assert [s.platform.name for s in catalog.select(list(report.platforms))] == modelled


def test_no_evidence_means_every_platform_at_its_current_release(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "six\n", ".python-version": "3.13\n"})
    report = scan(tmp_path)
    assert report.selection is not None and report.selection.how == "default"
    assert report.platforms == tuple(s.label for s in catalog.current())
    assert all("@v" not in label for label in report.platforms)  # no historical release


@pytest.mark.parametrize(
    ("specs", "labels"),
    [
        (["heroku"], ["heroku@latest"]),
        (["heroku@latest"], ["heroku@latest"]),
        (["heroku@all"], ["heroku@all"]),
        (["heroku@v42"], ["heroku@v42"]),
        (["heroku@v3-v184"], ["heroku@v3-v184"]),
        (["dokku"], ["dokku (heroku@v344)"]),
        (["scalingo@v300"], ["scalingo (heroku@v300)"]),
        (["all"], [p.name + "@all" if len(p.releases) > 1 else p.name for p in catalog.load()]),
    ],
)
def test_explicit_selection_wins_over_detection(
    specs: list[str], labels: list[str], tmp_path: Path
) -> None:
    write(tmp_path, {"railway.toml": "[deploy]\n", "requirements.txt": ""})
    report = scan(tmp_path, platforms=specs)
    assert list(report.platforms) == labels
    assert report.selection is not None and report.selection.how == "option"
    assert [t.name for t in report.selection.detected] == ["railpack"]


def test_configuration_wins_over_detection(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Procfile": "web: x\n",
            "requirements.txt": "",
            ".heroku-req-check.toml": 'platforms = ["heroku@v3-v42"]\n',
        },
    )
    report = scan(tmp_path)
    assert report.platforms == ("heroku@v3-v42",)
    assert report.selection is not None
    assert (report.selection.how, report.selection.source) == (
        "configuration",
        ".heroku-req-check.toml",
    )


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (
            {"app.json": '{\n  "buildpacks": [\n    {"url": }\n  ]\n}\n'},
            ("app.json", 3, "app.json is not valid JSON (Expecting value); not read"),
        ),
        ({"app.json": "[1, 2]\n"}, ("app.json", 1, "app.json is not a JSON object; not read")),
        (
            {"app.json": '{"buildpacks": [{"name": "x"}]}'},
            ("app.json", 1, "app.json buildpacks[0] has no url; not read"),
        ),
        (
            {"railway.toml": '[build]\nbuilder = "HEROKU"\n'},
            (
                "railway.toml",
                2,
                "railway.toml build.builder 'HEROKU' is not a Railway builder "
                "(RAILPACK, NIXPACKS, DOCKERFILE): Railway's default, Railpack, is assumed",
            ),
        ),
        ({"railway.toml": "[build\nbuilder = 1\n"}, ("railway.toml", 1, None)),
        (
            {".github/workflows/x.yml": "jobs:\n  a:\n    steps:\n      - run: [\n"},
            (".github/workflows/x.yml", 5, None),
        ),
        (
            {"manifest.yml": "applications:\n- name: x\n  buildpacks: [\n"},
            ("manifest.yml", 4, None),
        ),
        ({"app.yaml": b"runtime: python\xff\n".decode("latin-1")}, ("app.yaml", 1, None)),
        ({"serverless.yml": "a: &x [*x]\nplugins: *y\n"}, ("serverless.yml", 2, None)),
    ],
    ids=[
        "json",
        "not-object",
        "no-url",
        "builder",
        "toml",
        "workflow-yaml",
        "manifest-yaml",
        "not-utf8",
        "yaml-alias",
    ],
)
def test_malformed_configuration_is_a_problem_with_file_and_line(
    files: dict[str, str], problem: tuple[str, int, str | None], tmp_path: Path
) -> None:
    write(tmp_path, {**files, "requirements.txt": "six\n"})
    if "app.yaml" in files:  # invalid UTF-8 needs bytes
        (tmp_path / "app.yaml").write_bytes(b"runtime: python\xff\n")
    report = scan(tmp_path)  # never a crash
    [found] = [p for p in report.problems if p.file == problem[0]]
    assert (found.file, found.line) == problem[:2]
    if problem[2] is not None:
        assert found.message == problem[2]


def test_never_reads_outside_or_blocks(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "app.json").write_text('{"buildpacks": [{"url": "heroku/python#v42"}]}')
    (repo / "app.json").symlink_to(outside / "app.json")
    os.mkfifo(repo / "railway.toml")
    (repo / ".github").symlink_to(outside)  # a workflows directory outside
    (outside / "workflows").mkdir()
    (outside / "workflows" / "d.yml").write_text(workflow_step("      - run: az webapp up\n"))
    detection = detect(DiskView(repo))
    assert detection.targets == ()
    assert [(p.file, p.message) for p in detection.problems] == [
        (
            "app.json",
            "app.json resolves outside the repository: never read; deployment detection skips it",
        ),
        (
            "railway.toml",
            "railway.toml is not a regular file: not read; deployment detection skips it",
        ),
    ]


def test_a_big_configuration_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "fly.toml").write_bytes(b"#" * (2 * 1024 * 1024))
    detection = detect(DiskView(tmp_path))
    assert detection.targets == ()
    [problem] = detection.problems
    assert "over the 1048576-byte limit" in problem.message


def test_reports_show_the_selection_and_its_evidence(tmp_path: Path) -> None:
    from heroku_req_check.report import json_out, sarif, summary, text

    write(
        tmp_path,
        {
            "Procfile": "web: x\n",
            "app.json": '{"buildpacks": [{"url": "heroku/python"}]}',
            "Dockerfile": "FROM python\n",
            "requirements.txt": "six\n",
        },
    )
    report = scan(tmp_path)
    first = text.render(report).splitlines()[0]
    expected = "platforms: heroku@latest (app.json:1, Procfile); docker (Dockerfile)"
    if catalog.find("docker") is None:
        expected += ": not modelled in this version"
    assert first == expected
    selection = json_out.as_dict(report)["selection"]
    assert selection["how"] == "detected"
    assert [e["file"] for e in selection["platforms"][0]["evidence"]] == ["app.json", "Procfile"]
    props = sarif.as_dict(report)["runs"][0]["properties"]
    assert props["selection"] == selection
    markdown = summary.render(report)
    assert markdown.index("Platforms, from the repository's deployment configuration") < (
        markdown.index("error(s)")
    )


def test_detection_reads_only_the_markers_there(tmp_path: Path) -> None:
    """Detection costs a directory listing and the few marker files present, whatever the
    size of the requirements tree (bench/run.py measures the whole run)."""
    root = write(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n",
            "app.json": '{"buildpacks": [{"url": "heroku/python"}]}',
            "Procfile": "web: x\n",
            "Dockerfile": "FROM python\n",
            "README.md": "x\n",
            **{f"requirements/r{n}.txt": "six\n" for n in range(50)},
        },
    )
    reads: list[str] = []

    class Counting(DiskView):
        def read(self, path: str) -> bytes | Unread | None:
            reads.append(path)
            return super().read(path)

    detect(Counting(root))
    assert sorted(reads) == ["Dockerfile", "app.json"]


def cf_versioned() -> bool:
    cf = catalog.find("cloudfoundry")
    return cf is not None and cf.versioned and len(cf.releases) > 1


@pytest.mark.parametrize(
    ("files", "note"),
    [
        (
            {"app.json": '{"buildpacks": [{"url": "heroku/python#main"}]}'},
            "app.json pins heroku-buildpack-python#main, not a release tag: its current release "
            "is modelled",
        ),
        (
            {".buildpacks": "https://github.com/heroku/heroku-buildpack-python#v22\n"},
            "v22 is not a catalogued release: the current one is modelled",
        ),
        (
            {
                "manifest.yml": "applications:\n- name: x\n  buildpacks:\n"
                "  - https://github.com/cloudfoundry/python-buildpack#v1.8.10\n"
            },
            # once the catalog has Cloud Foundry's releases, the pin selects one: no note
            "" if cf_versioned() else "pins v1.8.10; this version models its current release only",
        ),
    ],
    ids=["branch", "untagged", "cf-pin"],
)
def test_a_pin_that_selects_no_catalogued_release_says_so(
    files: dict[str, str], note: str, tmp_path: Path
) -> None:
    _selections, chosen = choose(detect(DiskView(write(tmp_path, files))), [], Config())
    [target] = chosen.targets
    assert target.note == note


def test_aliased_yaml_is_never_expanded(tmp_path: Path) -> None:
    """A billion-laughs document parses into shared references; detection never turns one into
    text (it would take exponential time), so this finishes at once."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [
        f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}]" for n in range(1, 30)
    ]
    workflow = uses("google-github-actions/deploy-cloudrun@v2", source="*a29")
    write(tmp_path, {".github/workflows/d.yml": "\n".join(lines) + "\n" + workflow})
    detection = detect(DiskView(tmp_path))
    assert detection.targets == ()
    [ignored] = detection.ignored
    assert (
        ignored.marker
        == "google-github-actions/deploy-cloudrun@v2 source: ? deploys ?, not this directory"
    )


def test_cloud_run_button_and_azd_project_trees() -> None:
    """eval3: a Cloud Run Button app.json selects Google's buildpacks, not Heroku
    (cloud-run-button appfile.go:70-86); an azd service of another directory is listed as
    ignored, naming that directory."""
    from conftest import TREES

    button = detect(DiskView(TREES / "deploy-cloudrun-button"))
    assert [(t.platform, t.via) for t in button.targets] == [("google", "cloud run button")]
    [evidence] = button.targets[0].evidence
    assert (evidence.file, evidence.line) == ("app.json", 2)
    azd = scan(TREES / "deploy-azure-subproject")
    assert azd.selection is not None and azd.selection.how == "default"
    [ignored] = azd.selection.ignored
    assert (ignored.file, ignored.line) == ("azure.yaml", 4)
    assert "builds ./src, not this directory" in ignored.marker


def test_manifests_pushed_with_cf_push_f() -> None:
    """One manifest per space (atf-eregs' manifest_prod.yml inheriting manifest_base.yml, run
    as `cf push -f manifest_prod.yml`): a Cloud Foundry app, not every catalogued platform."""
    tree = Path(__file__).parent / "fixtures" / "trees" / "deploy-cf-named-manifests"
    assert selected(tree) == ["cloudfoundry@latest"]
    found = detect(DiskView(tree))
    [target] = [t for t in found.targets if t.platform == "cloudfoundry"]
    assert [(e.file, e.line) for e in target.evidence] == [("manifest_prod.yml", 4)]
