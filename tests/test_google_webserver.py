"""google/webserver only where the web server is injected in a build that works (evaluation
eval3 F2). G = GoogleCloudPlatform/buildpacks @21f28de8: the webserver buildpack is in the
order group that ends with python/missing-entrypoint (builders/python/builder.toml.template:
293-314), which fails without main.py, app.py or pyproject.toml
(cmd/python/missing_entrypoint/lib/lib.go:87-88); the build that works then sets
GOOGLE_ENTRYPOINT, and webserver opts out (cmd/python/webserver/lib/lib.go:42-45)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TREES
from heroku_req_check.scan import scan

TREE = TREES / "google-webserver-no-entrypoint"


def _rules(app: Path) -> list[str]:
    return [f.rule for f in scan(app, platforms=["google"]).findings]


def test_no_entrypoint_file_no_webserver_notice() -> None:
    assert _rules(TREE) == ["google/dependency-cache"]


@pytest.mark.parametrize("name", ["main.py", "app.py", "pyproject.toml"])
def test_an_entrypoint_file_brings_the_notice_back(tmp_path: Path, name: str) -> None:
    app = tmp_path / "app"
    shutil.copytree(TREE, app)
    (app / name).write_text("")
    assert "google/webserver" in _rules(app)


def test_a_procfile_still_makes_it_moot(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(TREE, app)
    (app / "main.py").write_text("")
    (app / "Procfile").write_text("web: gunicorn mysite.wsgi\n")
    assert "google/webserver" not in _rules(app)
